#!/usr/bin/env bash
# VRRP integration tests in network namespaces (ctest label `integration`). Usage: vrrp.sh PATH/TO/tandemd
# Exit 77 (skipped) with a reason when the machine cannot run them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tandemd=${1:-}
[ -n "$tandemd" ] && tandemd=$(realpath -m "$tandemd")

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed (scripts/setup-deps.sh installs it)"
probe="tdm-$$-probe"
ip netns add "$probe" 2>/dev/null || skip "cannot create a network namespace (ip netns add failed)"
ip netns del "$probe"
command -v keepalived >/dev/null || echo "note: keepalived is not installed; the interop and self-test cases skip"

exec python3 "$here/vrrp_tests.py" "$tandemd"

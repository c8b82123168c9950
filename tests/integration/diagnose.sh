#!/usr/bin/env bash
# tandemd --diagnose in network namespaces (ctest label `integration`): each check broken on purpose and seen to
# FAIL, and a healthy pair that gives no FAIL. Usage: diagnose.sh PATH/TO/tandemd
# Exit 77 (skipped) with a reason when the machine cannot run them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tandemd=${1:-}
[ -n "$tandemd" ] && tandemd=$(realpath -m "$tandemd")

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v nft >/dev/null || skip "nft is not installed (scripts/setup-deps.sh installs it)"
command -v iptables >/dev/null || skip "iptables is not installed (scripts/setup-deps.sh installs it)"
probe="tdm-$$-probe"
ip netns add "$probe" 2>/dev/null || skip "cannot create a network namespace (ip netns add failed)"
ip netns del "$probe"

exec python3 "$here/diagnose_tests.py" "$tandemd"

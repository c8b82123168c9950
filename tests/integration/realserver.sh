#!/usr/bin/env bash
# The real-server helper (`tandemd --realserver`) on a real server in network namespaces (ctest label `integration`):
# VIPs on lo, ARP sysctls, a deleted VIP put back (timed), undo on SIGTERM, --keep, the configuration block with
# SIGHUP. Usage: realserver.sh PATH/TO/tandemd. Exit 77 (skipped) with a reason when the machine cannot run it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tandemd=${1:-}
[ -n "$tandemd" ] && tandemd=$(realpath -m "$tandemd")

skip() { echo "SKIPPED: $*"; exit 77; }
[ -n "$tandemd" ] && [ -x "$tandemd" ] || skip "no tandemd binary given"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
probe="tdm-rs-$$-probe"
ip netns add "$probe" 2>/dev/null || skip "cannot create a network namespace (ip netns add failed)"
ip netns del "$probe"

exec python3 "$here/realserver_tests.py" "$tandemd"

#!/usr/bin/env bash
# tandemd's process model in a private network namespace (ctest label `integration`): pid files, respawn of
# the children, signals, dumps, tandemctl. Usage: daemon.sh PATH/TO/tandemd (tandemctl is looked up next to it).
# Exit 77 (skipped) with a reason when the machine cannot run it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tandemd=${1:-}
[ -n "$tandemd" ] && tandemd=$(realpath -m "$tandemd")

skip() { echo "SKIPPED: $*"; exit 77; }
[ -n "$tandemd" ] && [ -x "$tandemd" ] || skip "no tandemd binary given"
[ -x "$(dirname "$tandemd")/tandemctl" ] || skip "tandemctl is not built next to $tandemd"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
probe="tdmd-$$-probe"
ip netns add "$probe" 2>/dev/null || skip "cannot create a network namespace (ip netns add failed)"
ip netns del "$probe"

exec python3 "$here/daemon_tests.py" "$tandemd" "$(dirname "$tandemd")/tandemctl"

#!/usr/bin/env bash
# The built-in demo. First it lints the demo directors' configurations, checks that they form a pair, and prints
# the normalized model that Tandem read. Then, as root, it runs the two directors live in network namespaces:
# the VIP on the master, the master killed, the backup taking over, and the failover time measured on the wire.
set -euo pipefail
tandemd=${1:-build/tandemd}
tandemd=$(realpath -m "$tandemd")
cd "$(dirname "$0")/.."
a=conf-examples/demo/director-a.conf
b=conf-examples/demo/director-b.conf
echo "== tandemd -t -f $a"
"$tandemd" -t -f "$a"
echo
echo "== tandemd --check-pair $a $b"
"$tandemd" --check-pair "$a" "$b"
echo
echo "== tandemd -d -f $a   (normalized: includes, macros and defaults resolved)"
"$tandemd" -d -f "$a"
echo

live_unavailable() { echo "note: the live failover demo $*; the lint part above is the whole demo here."; exit 0; }
[ "$(id -u)" -eq 0 ] || live_unavailable "needs root (network namespaces); run: sudo $0 $tandemd"
command -v python3 >/dev/null || live_unavailable "needs python3"
command -v tcpdump >/dev/null || live_unavailable "needs tcpdump (scripts/setup-deps.sh installs it)"
probe="tdm-$$-probe"
ip netns add "$probe" 2>/dev/null || live_unavailable "cannot create network namespaces here"
ip netns del "$probe"
echo "== live: two directors, one VIP, the master killed"
python3 tests/integration/demo_live.py "$tandemd" "$a" "$b"

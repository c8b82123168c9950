#!/usr/bin/env bash
# The built-in demo. Until the VRRP engine lands it lints the demo directors' configurations,
# checks that they form a pair, and prints the normalized model that Tandem read.
set -euo pipefail
tandemd=${1:-build/tandemd}
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

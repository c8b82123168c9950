#!/usr/bin/env bash
# conf-examples/ must lint clean (no error, no warning) and every master/backup pair must pass
# --check-pair; when Debian's keepalived is installed, it must accept them too.
#   examples.sh TANDEMD
set -uo pipefail
tandemd=$(realpath "$1")
cd "$(dirname "$0")/../../conf-examples"
failed=0
for f in */*.conf; do
  out=$("$tandemd" -t -f "$f" 2>&1)
  if ! echo "$out" | tail -1 | grep -q ': 0 errors, 0 warnings$'; then
    echo "NOT CLEAN: $f"; echo "$out" | head -5; failed=1
  fi
done
for dir in */; do
  dir=${dir%/}
  if [ -f "$dir/master.conf" ] && [ -f "$dir/backup.conf" ]; then a=$dir/master.conf; b=$dir/backup.conf
  elif [ -f "$dir/director-a.conf" ]; then a=$dir/director-a.conf; b=$dir/director-b.conf
  else continue; fi
  if ! out=$("$tandemd" --check-pair "$a" "$b" 2>&1); then echo "PAIR BROKEN: $dir"; echo "$out"; failed=1; fi
done
if command -v keepalived >/dev/null 2>&1; then
  bash ./check_examples.sh || failed=1
else
  echo "note: keepalived is not installed; its verdict on the examples was not checked"
fi
[ "$failed" -eq 0 ] && echo "examples: all clean, all pairs consistent"
exit "$failed"

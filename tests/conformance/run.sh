#!/usr/bin/env bash
# Runs `tandemd -t` over every real keepalived configuration of the shared corpus.
# Fails when a file crashes tandemd, takes longer than the limit, reports a problem twice, or
# is rejected although keepalived 2.2.7 accepted it (exit 0) and no expectation explains why.
#   run.sh TANDEMD CORPUS_DIR [SECONDS_LIMIT]
set -uo pipefail
tandemd=$(realpath "$1")
corpus=$(realpath "$2")
limit=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
expectations="$here/expected-differences.tsv"

if [ ! -f "$corpus/keepalived-2.2.7-verdicts.tsv" ]; then
  echo "SKIPPED: no conformance corpus at $corpus"
  exit 77
fi

declare -A expected
while IFS=$'\t' read -r file reason; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  expected["$file"]=$reason
done <"$expectations"

out=$(mktemp -d)
TIMEFORMAT='%3U %3S'
trap 'rm -rf "$out"' EXIT
files=0; crashes=0; slow=0; rejected=0; duplicated=0; explained=0
while IFS=$'\t' read -r verdict file; do
  [[ "$verdict" =~ ^[0-9]+$ ]] || continue
  files=$((files + 1))
  dir=$(dirname "$corpus/$file"); base=$(basename "$file")
  # CPU time, not wall time: a loaded CI machine must not make a fast parse look slow. A hang is
  # caught by the timeout (exit 124).
  cpu=$( { time (cd "$dir" && timeout $((limit * 2 + 10)) "$tandemd" -t -i conformance -f "$base" >"$out/stdout" 2>"$out/stderr"
                 echo $? >"$out/status"); } 2>&1 )
  status=$(cat "$out/status")
  cpu_ms=$(awk -v u="${cpu% *}" -v s="${cpu#* }" 'BEGIN { printf "%d", (u + s) * 1000 }')
  if [ "$status" -gt 1 ]; then
    crashes=$((crashes + 1))
    echo "CRASH ($status): $file"; tail -5 "$out/stderr"
    continue
  fi
  if [ "$cpu_ms" -gt $((limit * 1000)) ]; then
    slow=$((slow + 1)); echo "SLOW (${cpu_ms} ms of CPU > ${limit}s): $file"
  fi
  dups=$(grep -E ': (error|warning): ' "$out/stderr" | sort | uniq -d)
  if [ -n "$dups" ]; then
    duplicated=$((duplicated + 1)); echo "REPORTED TWICE: $file"; echo "$dups" | head -3
  fi
  if [ "$verdict" = 0 ] && [ "$status" = 1 ]; then
    if [ -n "${expected[$file]:-}" ]; then
      explained=$((explained + 1))
    else
      rejected=$((rejected + 1))
      echo "REJECTED (keepalived accepts it): $file"; grep ': error: ' "$out/stderr" | head -5
    fi
  fi
  if [ -n "${expected[$file]:-}" ] && { [ "$verdict" != 0 ] || [ "$status" = 0 ]; }; then
    echo "STALE EXPECTATION (remove it): $file"; rejected=$((rejected + 1))
  fi
done <"$corpus/keepalived-2.2.7-verdicts.tsv"

echo "conformance: $files files, $crashes crashed, $slow over ${limit}s, $duplicated with a repeated message," \
     "$rejected wrongly rejected, $explained rejected as expected (see $(basename "$expectations"))"
[ "$files" -gt 0 ] && [ $((crashes + slow + duplicated + rejected)) -eq 0 ]

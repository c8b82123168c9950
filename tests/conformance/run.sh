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

# One file: its report lines on stdout, its counts (crashed slow duplicated rejected explained) in $w/counts.
check_file() {
  local verdict=$1 file=$2 w=$3
  local slowf=0 dup=0 rej=0 expl=0
  local dir base cpu status cpu_ms dups
  dir=$(dirname "$corpus/$file"); base=$(basename "$file")
  # CPU time, not wall time: a loaded CI machine must not make a fast parse look slow. A hang is
  # caught by the timeout (exit 124).
  cpu=$( { time (cd "$dir" && timeout $((limit * 2 + 10)) "$tandemd" -t -i conformance -f "$base" >"$w/stdout" 2>"$w/stderr"
                 echo $? >"$w/status"); } 2>&1 )
  status=$(cat "$w/status")
  cpu_ms=$(awk -v u="${cpu% *}" -v s="${cpu#* }" 'BEGIN { printf "%d", (u + s) * 1000 }')
  if [ "$status" -gt 1 ]; then
    echo "CRASH ($status): $file"; tail -5 "$w/stderr"
    echo "1 0 0 0 0" >"$w/counts"
    return
  fi
  if [ "$cpu_ms" -gt $((limit * 1000)) ]; then
    slowf=1; echo "SLOW (${cpu_ms} ms of CPU > ${limit}s): $file"
  fi
  dups=$(grep -E ': (error|warning): ' "$w/stderr" | sort | uniq -d)
  if [ -n "$dups" ]; then
    dup=1; echo "REPORTED TWICE: $file"; echo "$dups" | head -3
  fi
  if [ "$verdict" = 0 ] && [ "$status" = 1 ]; then
    if [ -n "${expected[$file]:-}" ]; then
      expl=1
    else
      rej=1
      echo "REJECTED (keepalived accepts it): $file"; grep ': error: ' "$w/stderr" | head -5
    fi
  fi
  if [ -n "${expected[$file]:-}" ] && { [ "$verdict" != 0 ] || [ "$status" = 0 ]; }; then
    echo "STALE EXPECTATION (remove it): $file"; rej=$((rej + 1))
  fi
  echo "0 $slowf $dup $rej $expl" >"$w/counts"  # a crash returned above with its own counts
}

# The corpus is dealt out to one worker per core (the sanitizer build takes a second per file); each worker goes
# through its share in order, and the reports are printed in the corpus's order.
parallel=${CONFORMANCE_JOBS:-$(nproc 2>/dev/null || echo 1)}
mapfile -t entries < <(grep -E '^[0-9]+'$'\t' "$corpus/keepalived-2.2.7-verdicts.tsv")
files=${#entries[@]}
for ((worker = 0; worker < parallel; worker++)); do
  (
    for ((k = worker; k < files; k += parallel)); do
      mkdir -p "$out/$k"
      check_file "${entries[k]%%$'\t'*}" "${entries[k]#*$'\t'}" "$out/$k" >"$out/$k/report"
    done
  ) &
done
wait

crashes=0; slow=0; duplicated=0; rejected=0; explained=0
for ((k = 0; k < files; k++)); do
  cat "$out/$k/report"
  read -r c s d r e <"$out/$k/counts"
  crashes=$((crashes + c)); slow=$((slow + s)); duplicated=$((duplicated + d))
  rejected=$((rejected + r)); explained=$((explained + e))
done

echo "conformance: $files files, $crashes crashed, $slow over ${limit}s, $duplicated with a repeated message," \
     "$rejected wrongly rejected, $explained rejected as expected (see $(basename "$expectations"))"
[ "$files" -gt 0 ] && [ $((crashes + slow + duplicated + rejected)) -eq 0 ]

#!/usr/bin/env bash
# Times parse+validate of a large generated configuration: `TANDEMD -t -f FILE`
# and, when installed, `keepalived -t -f FILE` on the same file in the same run,
# best of BENCH_RUNS (default 5) after one warm-up. Reports times and the ratio
# keepalived/tandem; asserts no absolute threshold, because the numbers depend
# on the machine. Exit status is non-zero only when a run fails.
#
# Usage: parse_bench.sh TANDEMD [OUTDIR]
#   OUTDIR keeps the generated file and appends the result line to
#   OUTDIR/parse_bench.txt; without it a temporary directory is used.
#   Environment: BENCH_VS (1000), BENCH_RS (10), BENCH_RUNS (5), KEEPALIVED.
set -u
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 TANDEMD [OUTDIR]" >&2
  exit 2
fi
tandemd=$1
here=$(cd "$(dirname "$0")" && pwd)
n_vs=${BENCH_VS:-1000}
n_rs=${BENCH_RS:-10}
runs=${BENCH_RUNS:-5}
keepalived=${KEEPALIVED:-$(command -v keepalived || true)}

if [[ ! -x $tandemd ]]; then
  echo "parse_bench: $tandemd is not an executable" >&2
  exit 2
fi
if [[ $# -eq 2 ]]; then
  outdir=$2
  mkdir -p "$outdir" || exit 2
else
  outdir=$(mktemp -d)
  trap 'rm -rf "$outdir"' EXIT
fi
conf="$outdir/bench_${n_vs}x${n_rs}.conf"
python3 "$here/gen_parse_config.py" "$n_vs" "$n_rs" > "$conf" || exit 2
lines=$(wc -l < "$conf")

# Prints "MILLISECONDS EXIT" for the fastest of $runs runs of "$@"; the exit
# status reported is the worst one seen. Output is discarded: both programs
# may print warnings, and only the status says whether the run failed. The
# clock is bash's own $EPOCHREALTIME: a `date` process on each side of a run
# added 5 to 8 ms to every run, which made the two programs look closer than they are.
best_of() {
  local best="" worst_rc=0 t0 t1 rc i
  "$@" > /dev/null 2>&1  # warm-up: page cache, dynamic loader
  for ((i = 0; i < runs; i++)); do
    t0=${EPOCHREALTIME/[.,]/}
    "$@" > /dev/null 2>&1
    rc=$?
    t1=${EPOCHREALTIME/[.,]/}
    ((rc > worst_rc)) && worst_rc=$rc
    if [[ -z $best || $((t1 - t0)) -lt $best ]]; then best=$((t1 - t0)); fi
  done
  awk -v us="$best" -v rc="$worst_rc" 'BEGIN { printf "%.1f %d\n", us / 1e3, rc }'
}

# hyperfine, when installed, measures with even less overhead.
best_of_hyperfine() {
  local json="$outdir/hyperfine.json" rc
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$json" -- "$(printf '%q ' "$@")" \
    > /dev/null 2>&1 || { best_of "$@"; return; }
  "$@" > /dev/null 2>&1
  rc=$?
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %s" % (r["min"]*1e3, sys.argv[2]))' "$json" "$rc"
}
measure() {
  if command -v hyperfine > /dev/null; then best_of_hyperfine "$@"; else best_of "$@"; fi
}

status=0
read -r t_ms t_rc < <(measure "$tandemd" -t -f "$conf")
line="parse+validate ${n_vs}x${n_rs} (${lines} lines): tandem ${t_ms} ms"
if ((t_rc != 0)); then
  line+=" (FAILED, exit ${t_rc})"
  status=1
fi
if [[ -n $keepalived ]]; then
  read -r k_ms k_rc < <(measure "$keepalived" -t -f "$conf")
  line+=", keepalived ${k_ms} ms"
  # keepalived exits 5 for host-dependent warnings (missing eth0, ...): its
  # time is still meaningful, so it is reported but is not a failure.
  ((k_rc != 0)) && line+=" (exit ${k_rc})"
  if ((t_rc == 0)); then
    line+=$(awk -v k="$k_ms" -v t="$t_ms" 'BEGIN { if (t > 0) printf ", ratio %.1fx", k / t }')
  fi
else
  line+=", keepalived not installed"
fi
echo "$line"
[[ $# -eq 2 ]] && echo "$line" >> "$outdir/parse_bench.txt"
exit $status

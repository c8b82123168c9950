#!/usr/bin/env bash
# Runs the parser fuzzer for SECONDS, seeded with the conformance corpus and the
# examples. Builds nothing: BUILD_DIR must hold fuzz_parser (configure it with
# clang and -DTANDEM_FUZZ=ON). The seeds are copied to a temporary directory
# because libFuzzer adds new inputs to its first corpus directory, and the
# shared corpus is read-only data. Exits non-zero on a crash, leak, sanitizer
# report or timeout, and prints where the reproducer was saved.
#
# Usage: run_fuzz.sh SECONDS BUILD_DIR
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: $0 SECONDS BUILD_DIR" >&2
  exit 2
fi
seconds=$1
build_dir=$(cd "$2" 2> /dev/null && pwd) || { echo "run_fuzz: no such directory: $2" >&2; exit 2; }
fuzzer="$build_dir/fuzz_parser"
if [[ ! -x $fuzzer ]]; then
  echo "run_fuzz: $fuzzer not built (cmake -DTANDEM_FUZZ=ON with clang, then ninja fuzz_parser)" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
conformance=/work/shared/conformance
[[ -d $conformance ]] || conformance="$repo/../shared/conformance"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
# Flattened with a counter: the corpus has equal file names in different folders.
n=0
while IFS= read -r -d '' seed; do
  n=$((n + 1))
  cp "$seed" "$work/corpus/$(printf '%04d' "$n")-$(basename "$seed")"
done < <(find "$conformance" "$repo/conf-examples" -name '*.conf' -type f -print0 2> /dev/null | sort -z)
echo "run_fuzz: $n seed files, ${seconds}s"

# A hang never ends; linear work on the largest model the fuzzer's limits allow takes ~2 s under the sanitizers and
# coverage on a loaded 2-core machine (a 2 s timeout reported such an input as a finding).
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/fuzz.log" 2>&1
rc=$?
grep -E '^(stat::|Done|#[0-9]+ +DONE)' "$work/fuzz.log" | tail -5

shopt -s nullglob
artifacts=("$work"/artifacts/*)
if [[ $rc -ne 0 || ${#artifacts[@]} -gt 0 ]]; then
  keep="$build_dir/fuzz-artifacts"
  mkdir -p "$keep"
  tail -60 "$work/fuzz.log"
  echo "run_fuzz: FAILED (fuzzer exit $rc)"
  for a in "${artifacts[@]}"; do
    cp "$a" "$keep/"
    name=$(basename "$a")
    # libFuzzer names the file after the finding: crash-, timeout-, leak-, oom-, slow-unit-.
    echo "run_fuzz: ${name%%-*} input $keep/$name  (replay: $fuzzer $keep/$name)"
  done
  cp "$work/fuzz.log" "$keep/fuzz.log"
  exit 1
fi
echo "run_fuzz: no crash"

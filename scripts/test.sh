#!/usr/bin/env bash
# The whole test command: build once per flavour, run every test level, report one closing line.
#   1. release build: unit tests, configuration conformance corpus, integration tests (ctest)
#   2. ASan+UBSan build: unit tests and the conformance corpus again
#   3. clang libFuzzer build: the parser fuzzer for a bounded time
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
fuzz_seconds=${TANDEM_FUZZ_SECONDS:-60}
# One ccache for every clone of the repository: paths are taken relative to the clone.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1

passed=0; failed=0; skipped=0
failures=()

# Adds one ctest run's counts, read from its summary lines.
count_ctest() {
  local log=$1 stage=$2 total fails skips
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  skips=$(grep -c '\*\*\*Skipped' "$log" || true)
  if [ -z "$total" ]; then failed=$((failed + 1)); failures+=("$stage: ctest did not run"); return; fi
  passed=$((passed + total - fails - skips)); failed=$((failed + fails)); skipped=$((skipped + skips))
  [ "$fails" -gt 0 ] && failures+=("$stage: $fails failed")
  return 0
}

stage() { echo; echo "==== $*"; }

# build DIR [cmake options...] [-- ninja targets...]
build() {
  local dir=$1; shift
  local options=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
  [ "${1:-}" = "--" ] && { shift; targets=("$@"); }
  cmake -S . -B "$dir" -G Ninja "${options[@]}" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  ninja -C "$dir" -j"$jobs" "${targets[@]}"
}

mkdir -p build build-asan build-fuzz

stage "release build"
if build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  stage "release: unit, conformance and integration tests"
  (cd build && ctest --output-on-failure -j"$jobs" 2>&1) | tee build/ctest.log
  count_ctest build/ctest.log release
else
  failed=$((failed + 1)); failures+=("release build failed")
fi

stage "sanitizer build (ASan + UBSan)"
if build build-asan -DCMAKE_BUILD_TYPE=Debug -DTANDEM_SANITIZE=ON; then
  stage "sanitizers: unit and conformance tests"
  (cd build-asan && ctest --output-on-failure -j"$jobs" -L 'unit|conformance' 2>&1) | tee build-asan/ctest.log
  count_ctest build-asan/ctest.log sanitizers
else
  failed=$((failed + 1)); failures+=("sanitizer build failed")
fi

stage "fuzzing the configuration parser for ${fuzz_seconds}s"
if CXX=clang++ build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_FUZZ=ON -- fuzz_parser; then
  if bash tests/fuzz/run_fuzz.sh "$fuzz_seconds" build-fuzz; then passed=$((passed + 1))
  else failed=$((failed + 1)); failures+=("parser fuzzer found a crash"); fi
else
  failed=$((failed + 1)); failures+=("fuzzer build failed")
fi

if [ -x build/tandemd ] && [ -f bench/parse_bench.sh ]; then
  stage "benchmark: parse and validate a large configuration (informational)"
  bash bench/parse_bench.sh build/tandemd || true
fi

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "tandem: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

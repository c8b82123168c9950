#!/usr/bin/env bash
# Applying 10,000 IPVS destinations: LinuxIpvs (batched generic netlink) beside `ipvsadm -R` restoring the same
# rules, in one test VM running Debian's kernel (tests/vm/run-in-vm.sh). Prints the times and their ratio; no
# thresholds. Both run under TCG emulation, so absolute times are much slower than on hardware; the ratio is the
# figure to read.
#
#   bench/ipvs_apply_bench.sh [UNIT_TESTS]    (default: build/unit_tests)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
unit_tests=$(realpath "${1:-$source_dir/build/unit_tests}")
[ -x "$unit_tests" ] || { echo "ipvs_apply_bench: no test binary at $unit_tests (build it first)" >&2; exit 1; }

output=$(TANDEM_VM_VERBOSE=1 "$source_dir/tests/vm/run-in-vm.sh" -- "$unit_tests" \
  --gtest_also_run_disabled_tests --gtest_filter='LinuxIpvsBench.*' 2>&1)
status=$?
if [ $status -ne 0 ] || ! grep -q '^BENCH' <<<"$output"; then
  echo "$output"
  exit $status
fi
grep '^BENCH' <<<"$output" | sed 's/^BENCH //'
grep '^run-in-vm:' <<<"$output" >&2

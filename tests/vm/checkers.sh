#!/usr/bin/env bash
# Health checkers against a real IPVS table (ctest vm.checkers): tests/vm/checkers_scenario.py in one VM running
# Debian's kernel. Usage: checkers.sh PATH/TO/tandemd. Exit 77 (SKIPPED, with the reason) without qemu or the
# kernel, or while the checker runtime is a placeholder. TANDEM_VM_DUT=keepalived runs the same scenario against
# Debian's keepalived (how the scenario itself is validated).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tandemd=${1:-}
[ -n "$tandemd" ] && [ -x "$tandemd" ] || { echo "SKIPPED: no tandemd binary given"; exit 77; }
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3) || { echo "SKIPPED: python3 is not installed"; exit 77; }
command -v ipvsadm >/dev/null || { echo "SKIPPED: ipvsadm is not installed (scripts/setup-vm.sh)"; exit 77; }
exec bash "$here/run-in-vm.sh" --timeout 400 -- "$python" "$here/checkers_scenario.py" "$(realpath "$tandemd")"

#!/usr/bin/env bash
# Runs ONE command under Debian's kernel (which has IPVS) in a throw-away qemu VM and exits with its status.
#
#   tests/vm/run-in-vm.sh [--timeout SECONDS] [--memory MB] [--keep] -- COMMAND [ARG...]
#
# The guest sees the host's whole file system read-only through virtio-9p with a tmpfs overlay on top (writes
# vanish with the VM), so COMMAND, its libraries and the build tree are at their usual paths. It runs as root in
# the current directory, stdin from /dev/null, with PATH, HOME=/root, TERM=dumb, TANDEM_VM=1, every GTEST_* and
# TANDEM_* variable of the caller, and TANDEM_VM_SHARE: a folder for files too big for the serial line, which the
# host sees as share/ in the run folder (kept after the run with --keep; its path is printed).
# Its stdout and stderr arrive on the VM's second UART and are streamed here as they come.
#
# Exit status: COMMAND's; 77 with "SKIPPED: <reason>" when qemu or the kernel cannot be had (scripts/setup-vm.sh
# provides both); 124 when the hard timeout stopped the VM; 125 when the VM died before reporting a status (the
# kernel console is then shown).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$(dirname "$here")")
cache=${TANDEM_VM_CACHE:-/var/cache/tandem-vm}
timeout_s=${TANDEM_VM_TIMEOUT:-540}
memory=1024
keep=0

# Single quotes for the guest's dash (bash's printf %q may produce $'...', which dash does not read).
quote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
usage() { echo "usage: run-in-vm.sh [--timeout SECONDS] [--memory MB] [--keep] -- COMMAND [ARG...]" >&2; exit 2; }
skip() { echo "SKIPPED: $*"; exit 77; }

while [ $# -gt 0 ]; do
  case $1 in
    --timeout) timeout_s=${2:?}; shift 2 ;;
    --memory) memory=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[ $# -gt 0 ] || usage

qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is not installed (scripts/setup-vm.sh)"
[ -d "$cache/kernel/lib/modules" ] || skip "no Debian kernel in $cache (run scripts/setup-vm.sh as root once)"
# Rebuilds the image only when its inputs changed; cheap otherwise. Serialised: ctest may start two runs at once.
if ! flock "$cache" bash "$source_dir/scripts/setup-vm.sh" --prepare >/dev/null 2>"${TMPDIR:-/tmp}/tandem-vm-prepare.$$"; then
  if [ ! -f "$cache/vmlinux" ] || [ ! -f "$cache/initramfs.gz" ]; then
    reason=$(tail -n1 "${TMPDIR:-/tmp}/tandem-vm-prepare.$$")
    rm -f "${TMPDIR:-/tmp}/tandem-vm-prepare.$$"
    skip "cannot build the VM image: $reason"
  fi
  echo "run-in-vm: warning: could not refresh the VM image; using the one in $cache" >&2
fi
rm -f "${TMPDIR:-/tmp}/tandem-vm-prepare.$$"

run=$(mktemp -d "${TMPDIR:-/tmp}/tandem-vm.XXXXXX")
cleanup() {
  [ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null
  if [ $keep -eq 1 ]; then echo "run-in-vm: run folder kept: $run" >&2; else rm -rf "$run"; fi
}
trap cleanup EXIT
mkdir -p "$run/share"

# The command as a script for the guest's /bin/sh: every word quoted, so no argument is re-split.
{
  echo "cd $(quote "$PWD") 2>/dev/null || cd /"
  echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8"
  echo "export TANDEM_VM=1 TANDEM_VM_SHARE=/run/tandem-vm/share"
  while IFS='=' read -r name _; do
    [ -n "$name" ] && echo "export $name=$(quote "${!name}")"
  done < <(env | grep -E '^(GTEST|TANDEM)_[A-Za-z0-9_]*=' | grep -vE '^TANDEM_VM(_SHARE)?=')
  printf 'exec'
  for word in "$@"; do printf ' %s' "$(quote "$word")"; done
  echo
} >"$run/cmd.sh"
: >"$run/output"

cmdline="console=ttyS0 loglevel=4 panic=-1 oops=panic mitigations=off i8042.noaux i8042.nokbd i8042.nopnp"
cmdline+=" no_timer_check random.trust_cpu=on 8250.nr_uarts=2 tsc=reliable cryptomgr.notests"

tail -n +1 -f "$run/output" &
tail_pid=$!
started=$(date +%s%N)
timeout --kill-after=10 "$timeout_s" "$qemu" \
  -nodefaults -no-user-config -display none -no-reboot \
  -accel tcg,thread=multi,tb-size=256 -cpu max -m "$memory" -smp 1 \
  -kernel "$cache/vmlinux" -initrd "$cache/initramfs.gz" -append "$cmdline" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=tandemrun,path="$run",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=tandemrun,mount_tag=tandemrun \
  -serial file:"$run/console" -serial file:"$run/output" \
  </dev/null >"$run/qemu.log" 2>&1
qemu_status=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
sleep 0.2  # lets tail print the last bytes qemu wrote
kill "$tail_pid" 2>/dev/null; wait "$tail_pid" 2>/dev/null; tail_pid=

if [ $qemu_status -eq 124 ] || [ $qemu_status -eq 137 ]; then
  echo "run-in-vm: the VM did not finish within ${timeout_s} s; kernel console tail:" >&2
  tail -n 20 "$run/console" >&2
  exit 124
fi
if [ ! -s "$run/status" ]; then
  echo "run-in-vm: the VM stopped without reporting a status (qemu exit $qemu_status); qemu and kernel console:" >&2
  cat "$run/qemu.log" >&2
  tail -n 40 "$run/console" >&2
  exit 125
fi
status=$(cat "$run/status")
[ -n "${TANDEM_VM_VERBOSE:-}" ] && echo "run-in-vm: exit $status after ${elapsed_ms} ms" >&2
exit "$status"

#!/usr/bin/env bash
# Prepares what tests/vm/run-in-vm.sh needs to run a command under a real IPVS kernel: the Debian packages
# (qemu, static busybox, kmod, cpio, xz, ipvsadm), Debian's own kernel unpacked into a cache folder, its
# uncompressed vmlinux (booted through the PVH entry point: about twice as fast as the bzImage under TCG) and an
# initramfs with busybox, the IPVS modules and what sharing the host's root over virtio-9p needs.
#
#   scripts/setup-vm.sh            install missing packages (root, apt), download the kernel, build the cache
#   scripts/setup-vm.sh --prepare  only (re)build the cache from what is already on disk; never touches apt
#
# Idempotent: a complete cache is left alone. TANDEM_VM_CACHE overrides the cache folder (/var/cache/tandem-vm).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
cache=${TANDEM_VM_CACHE:-/var/cache/tandem-vm}
mode=${1:-install}

packages=(qemu-system-x86 busybox-static ipvsadm kmod cpio xz-utils)

die() { echo "setup-vm: $*" >&2; exit 1; }

install_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root to install them"
  # ipvsadm ships an init script; never let a package start a service on this machine.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" || { [ $made_policy -eq 1 ] && rm -f "$policy"; exit 1; }
  [ $made_policy -eq 1 ] && rm -f "$policy"
  return 0
}

# The versioned image package linux-image-amd64 points at, downloaded (not installed: the host keeps its own
# kernel and no initramfs hooks run) and unpacked into $cache/kernel.
download_kernel() {
  [ -d "$cache/kernel/lib/modules" ] && return 0
  local image
  image=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
  [ -n "$image" ] || die "cannot resolve linux-image-amd64 to a versioned kernel package (apt-get update?)"
  mkdir -p "$cache/download"
  # apt fetches as its _apt user when it can; without this it warns and falls back to root.
  chown _apt "$cache/download" 2>/dev/null || true
  ( cd "$cache/download" && apt-get download -qq "$image" ) || die "apt-get download $image failed"
  rm -rf "$cache/kernel.tmp"
  dpkg-deb -x "$cache/download/${image}"_*.deb "$cache/kernel.tmp"
  mv "$cache/kernel.tmp" "$cache/kernel"
  rm -rf "$cache/download"
}

if [ "$mode" = install ]; then
  install_packages
  mkdir -p "$cache"
  download_kernel
elif [ "$mode" != --prepare ]; then
  die "usage: setup-vm.sh [--prepare]"
fi

[ -d "$cache/kernel/lib/modules" ] || die "no kernel in $cache/kernel (run scripts/setup-vm.sh as root once)"
exec bash "$source_dir/tests/vm/build-image.sh" "$cache"

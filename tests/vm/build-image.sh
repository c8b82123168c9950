#!/usr/bin/env bash
# Builds the boot material of the test VM in CACHE from the Debian kernel unpacked in CACHE/kernel:
#   CACHE/vmlinux         the uncompressed kernel, booted through its PVH entry point (no bzImage decompression)
#   CACHE/initramfs.gz    static busybox, guest-init.sh as /init, the modules below and their dependencies
#   CACHE/image.stamp     what they were built from; an unchanged stamp makes this script a no-op
# Called by scripts/setup-vm.sh and, when the stamp is stale (this script or guest-init.sh edited), by the harness.
set -euo pipefail

cache=${1:?usage: build-image.sh CACHE}
here=$(cd "$(dirname "$0")" && pwd)

# IPVS and its 13 schedulers; veth/dummy/bridge for test topologies (a bridge makes the shared segment of directors,
# clients and real servers); what sharing the host root needs.
modules=(ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq
         ip_vs_fo ip_vs_ovf ip_vs_mh veth dummy bridge virtio_pci 9pnet_virtio 9p overlay)

die() { echo "build-image: $*" >&2; exit 1; }

versions=("$cache"/kernel/lib/modules/*)
[ -d "${versions[0]}" ] || die "no kernel modules under $cache/kernel/lib/modules"
version=$(basename "${versions[0]}")
vmlinuz=$cache/kernel/boot/vmlinuz-$version
[ -f "$vmlinuz" ] || die "no $vmlinuz"

stamp_text="$version $(sha256sum "$here/build-image.sh" "$here/guest-init.sh" /bin/busybox | cut -c1-64 | tr '\n' ' ')"
if [ -f "$cache/image.stamp" ] && [ "$(cat "$cache/image.stamp")" = "$stamp_text" ] &&
   [ -f "$cache/vmlinux" ] && [ -f "$cache/initramfs.gz" ]; then
  exit 0
fi
for tool in depmod modprobe cpio xz gzip busybox; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup-vm.sh installs it)"
done

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The kernel tree's extract-vmlinux idea: the bzImage carries the kernel as one xz stream after its setup code.
offset=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1 || true)
[ -n "$offset" ] || die "no xz stream in $vmlinuz (kernel not built with CONFIG_KERNEL_XZ?)"
tail -c +$((offset + 1)) "$vmlinuz" | xz -dc --single-stream >"$work/vmlinux" 2>/dev/null || true
[ "$(head -c4 "$work/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || die "decompressing $vmlinuz gave no ELF"

depmod -b "$cache/kernel" "$version"
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,lower,upper,newroot,modules}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$here/guest-init.sh" "$root/init"

# Load order: modprobe --show-depends lists dependencies first; the guest insmods the list as is.
: >"$root/modules/order"
for module in "${modules[@]}"; do
  modprobe -d "$cache/kernel" -S "$version" --show-depends "$module" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    name=$(basename "$path")
    grep -qx "$name" "$root/modules/order" && continue
    cp "$path" "$root/modules/$name"
    echo "$name" >>"$root/modules/order"
  done
done
for module in "${modules[@]}"; do
  grep -qx "${module//-/_}.ko" "$root/modules/order" || grep -qx "$module.ko" "$root/modules/order" ||
    die "module $module not found in $version"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner 0:0) | gzip -1 >"$work/initramfs.gz"
mv "$work/vmlinux" "$cache/vmlinux"
mv "$work/initramfs.gz" "$cache/initramfs.gz"
echo "$stamp_text" >"$cache/image.stamp"
echo "build-image: $cache/vmlinux and $cache/initramfs.gz for $version ($(wc -l <"$root/modules/order") modules)"

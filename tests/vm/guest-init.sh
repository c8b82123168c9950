#!/bin/busybox sh
# /init of the test VM (see run-in-vm.sh). Loads the modules, stacks a tmpfs overlay on the host's root (shared
# read-only over virtio-9p as "hostroot"), mounts the run folder ("tandemrun": cmd.sh in, status out) at
# /run/tandem-vm, runs cmd.sh chrooted with its output on the second UART, records the exit status, powers off.
# If anything before the command fails, no status is written and the harness reports a VM failure.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
  echo "tandem-vm: $*" >/dev/console
  echo "tandem-vm: $*" >/dev/ttyS1
  reboot -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r module; do
  insmod "/modules/$module" || fail "insmod $module failed"
done </modules/order

# cache=loose: the host root does not change under a test run, and every exec would otherwise re-read over 9p.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower || fail "cannot mount the host root"
mount -t tmpfs -o size=80% tmpfs /upper || fail "cannot mount the overlay tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot || fail "cannot mount the overlay"

new=/newroot
mount -t proc proc $new/proc
mount -t sysfs sysfs $new/sys
mount -t devtmpfs devtmpfs $new/dev
mkdir -p $new/dev/pts $new/dev/shm
mount -t devpts devpts $new/dev/pts
mount -t tmpfs tmpfs $new/dev/shm
mount -t tmpfs tmpfs $new/run
mkdir -p $new/run/tandem-vm $new/run/netns
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 tandemrun $new/run/tandem-vm || fail "cannot mount the run folder"
[ -f $new/run/tandem-vm/cmd.sh ] || fail "no cmd.sh in the run folder"

hostname tandem-vm
ip link set lo up

# Raw: no \n -> \r\n translation, so the harness gets the bytes the command wrote.
stty -F /dev/ttyS1 raw -echo
chroot $new /bin/sh /run/tandem-vm/cmd.sh </dev/null >/dev/ttyS1 2>&1
echo $? >$new/run/tandem-vm/status
# Waits for the UART to drain: otherwise the tail of the output is lost when the machine stops.
stty -F /dev/ttyS1 >/dev/null
sync
# With -no-reboot, a reboot ends qemu (poweroff -f only halts without ACPI).
reboot -f

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot KERNEL with INITRD in QEMU, for harness/boot-vm.sh (which exports the
# platform's settings: CPUS, MEMORY_MB, CMDLINE).  Exits 0 when the VM left
# through the isa-debug-exit port (the tests ran to the end), 124 or 137
# when it outlived BOUND seconds, with QEMU's status otherwise.
# usage: boot-qemu.sh KERNEL INITRD RUNDIR BOUND
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 dir=$3 bound=$4
# QEMU 10.0 with the project's queue (harness/build-qemu.sh), or the
# binary QEMU_BIN names (emulators/qemu/debug/); the firmware comes from
# Debian's qemu-system-x86.
qemu=${QEMU_BIN:-$BUILD/qemu/bin/qemu-system-x86_64}
[ -x "$qemu" ] || die "$qemu not found: run 'make qemu' first"

# Nested virtualization on the host's own /dev/kvm when its CPU can; else
# full emulation, whose "max" CPU is an AMD one with SVM and NPT (the
# platform may name another model or flags in QEMU_TCG_CPU).
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg -cpu "${QEMU_TCG_CPU:-max}")
fi
# Which emulator ran the CPU, for expected-failures (tap.py).
version=$("$qemu" --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p')
echo "EMULATOR=\"qemu-${accel[1]} $version\"" >>"$dir/run.conf"

bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
rc=0
timeout -k 10 "$bound" "$qemu" "${accel[@]}" "${bios[@]}" \
	-smp "$CPUS" -m "$MEMORY_MB" -nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 $CMDLINE" \
	-serial stdio -serial "file:$dir/tests.tap" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	</dev/null >"$dir/console.log" 2>&1 || rc=$?
# isa-debug-exit: status (value << 1) | 1, and vm-init writes 0.
[ $rc -eq 1 ] && exit 0
if [ $rc -eq 0 ]; then
	echo "QEMU: the guest powered off without writing the exit port" >>"$dir/console.log"
	exit 3
fi
exit $rc

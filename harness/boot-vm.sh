#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot KERNEL with INITRD in QEMU and run the named selftests inside.
# usage: boot-vm.sh KERNEL INITRD RUNDIR HEAD TEST...
# RUNDIR gets console.log (kernel console) and tests.tap (the runner's TAP,
# from the second serial port).  TEST_TIMEOUT is each test's bound in
# seconds; the whole VM is killed after the sum of them plus boot time.
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 dir=$3 head=$4
shift 4
timeout=${TEST_TIMEOUT:-300}
need qemu-system-x86 qemu-system-x86_64
need cpio cpio
mkdir -p "$dir"
rm -f "$dir"/console.log "$dir"/tests.tap

# Nested virtualization on the host's own /dev/kvm when its CPU can; else
# full emulation, whose "max" CPU is an AMD one with SVM and NPT.
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg -cpu max)
fi
note "QEMU ${accel[*]}, $# tests, $timeout s each"

# The run's settings travel as a second cpio archive appended to the first.
conf=$dir/initrd.conf
mkdir -p "$dir/conf/harness"
printf 'TESTS="%s"\nTIMEOUT=%s\nHEAD=%s\n' "$*" "$timeout" "$head" \
	>"$dir/conf/harness/run.conf"
cp "$dir/conf/harness/run.conf" "$dir/run.conf"
# Which emulator ran the CPU, for expected-failures (tap.py).
version=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p')
echo "EMULATOR=\"qemu-${accel[1]} $version\"" >>"$dir/run.conf"
(cd "$dir/conf" && echo harness/run.conf | cpio -o -H newc -R 0:0 --quiet) >"$conf"
cat "$initrd" "$conf" >"$dir/initrd"
rm -rf "$dir/conf" "$conf"

bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
bound=$((120 + (timeout + 15) * $#))
rc=0
timeout -k 10 "$bound" qemu-system-x86_64 "${accel[@]}" "${bios[@]}" \
	-smp 2 -m 2G -nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$dir/initrd" \
	-append "console=ttyS0 panic=-1" \
	-serial stdio -serial "file:$dir/tests.tap" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	</dev/null >"$dir/console.log" 2>&1 || rc=$?
rm -f "$dir/initrd"
case $rc in
1) ;;
124 | 137) echo "VM killed after $bound s" >>"$dir/console.log"
	note "VM did not finish in $bound s, see $dir/console.log" ;;
*) echo "VM exited with status $rc before the tests finished" >>"$dir/console.log"
	note "VM exited with status $rc before the tests finished, see $dir/console.log" ;;
esac
exit 0

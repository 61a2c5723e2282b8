#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot KERNEL with INITRD on PLATFORM (a file in platforms/) and run the
# named selftests inside.
# usage: boot-vm.sh PLATFORM KERNEL INITRD RUNDIR HEAD TEST...
# RUNDIR gets console.log (kernel console), tests.tap (the runner's TAP,
# from the second serial port) and run.conf.  TEST_TIMEOUT is each test's
# bound in seconds; the whole VM is killed after the sum of them plus boot
# time.  The platform's EMULATOR picks harness/boot-EMULATOR.sh, which
# boots and adds EMULATOR="name version" to run.conf.
. "$(dirname "$0")/lib.sh"

platform=$1 kernel=$2 initrd=$3 dir=$4 head=$5
shift 5
need cpio cpio
set -a
. "$TOP/platforms/$platform"
set +a
boot=$TOP/harness/boot-$EMULATOR.sh
[ -x "$boot" ] || die "platforms/$platform: no $boot for EMULATOR=$EMULATOR"
timeout=${TEST_TIMEOUT:-300}
mkdir -p "$dir"
rm -f "$dir"/console.log "$dir"/tests.tap

# The run's settings travel as a second cpio archive appended to the first.
mkdir -p "$dir/conf/harness"
printf 'TESTS="%s"\nTIMEOUT=%s\nHEAD=%s\nPLATFORM=%s\n' "$*" "$timeout" "$head" \
	"$platform" >"$dir/conf/harness/run.conf"
# The platform's settings for the tests inside (VM_ENV: NAME=VALUE ...).
for v in ${VM_ENV:-}; do
	echo "$v" >>"$dir/conf/harness/run.conf"
done
cp "$dir/conf/harness/run.conf" "$dir/run.conf"
(cd "$dir/conf" && echo harness/run.conf | cpio -o -H newc -R 0:0 --quiet) \
	>"$dir/initrd.conf"
cat "$initrd" "$dir/initrd.conf" >"$dir/initrd"
rm -rf "$dir/conf" "$dir/initrd.conf"

bound=$((120 + (timeout + 15) * $#))
note "$platform: $EMULATOR, $# tests, $timeout s each"
rc=0
"$boot" "$kernel" "$dir/initrd" "$dir" "$bound" || rc=$?
rm -f "$dir/initrd"
case $rc in
0) ;;
124 | 137) echo "VM killed after $bound s" >>"$dir/console.log"
	note "$platform: VM did not finish in $bound s, see $dir/console.log" ;;
*) echo "VM exited with status $rc before the tests finished" >>"$dir/console.log"
	note "$platform: VM exited with status $rc before the tests finished, see $dir/console.log" ;;
esac
exit 0

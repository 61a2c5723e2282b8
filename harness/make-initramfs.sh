#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Pack busybox, the VM's init and the named selftests into an uncompressed
# initramfs (QEMU loads it as is; unpacking gzip under emulation is slow).
# A test in harness/vm-tests/ comes from there, with what its .payload
# script adds (KERNEL: the kernel under test, for tests that boot it).
# A test that harness/test-args gives arguments runs through a wrapper
# that passes them (the kselftest runner passes none).
# usage: [KERNEL=bzImage] make-initramfs.sh SELFTESTS-INSTALL-DIR OUT TEST...
. "$(dirname "$0")/lib.sh"

inst=$1
out=$2
shift 2
bb=/bin/busybox
[ -x "$bb" ] || die "$bb not found: install the Debian package 'busybox-static'"
! ldd "$bb" >/dev/null 2>&1 ||
	die "$bb is linked dynamically: install the Debian package 'busybox-static'"
need cpio cpio

root=$out.root
rm -rf "$root"
mkdir -p "$root"/{bin,usr/bin,proc,sys,dev,tmp,harness,kselftest/kvm}
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$TOP/harness/vm-init" "$root/init"
cp "$TOP/harness/vm-timeout" "$root/usr/bin/timeout"
cp -a "$inst/run_kselftest.sh" "$inst/kselftest" "$root/kselftest/"
cp "$inst/kvm/settings" "$root/kselftest/kvm/"
: >"$root/kselftest/kselftest-list.txt"
for t in "$@"; do
	path=$(test_path "$inst" "$t")
	args=$(awk -v t="$t" '!/^#/ && $1 == t { $1 = ""; sub(/^ /, ""); print }' \
		"$TOP/harness/test-args")
	if [ -n "$args" ]; then
		cp "$path" "$root/kselftest/kvm/$t.bin"
		printf '#!/bin/sh\nexec "${0%%/*}/%s.bin" %s "$@"\n' "$t" "$args" \
			>"$root/kselftest/kvm/$t"
		chmod +x "$root/kselftest/kvm/$t"
	else
		cp "$path" "$root/kselftest/kvm/$t"
	fi
	[ ! -x "$path.payload" ] || "$path.payload" "$root" "${KERNEL:?}"
	echo "kvm:$t" >>"$root/kselftest/kselftest-list.txt"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.new"
mv "$out.new" "$out"
rm -rf "$root"
echo "$out"

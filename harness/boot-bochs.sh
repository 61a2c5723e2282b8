#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot KERNEL with INITRD in the project's Bochs (build/bochs, `make bochs`),
# for harness/boot-vm.sh (which exports the platform's settings: BOCHS_CPU,
# BOCHS_IPS, CPUS, MEMORY_MB, CMDLINE).  Bochs cannot load a kernel itself,
# so the two go on an isolinux CD.  Exits 0 when the guest powered off (the
# tests ran to the end), 124 or 137 when it outlived BOUND seconds, 3 when
# Bochs stopped for another reason (its message ends console.log).
# usage: boot-bochs.sh KERNEL INITRD RUNDIR BOUND
. "$(dirname "$0")/lib.sh"
. "$TOP/emulators/bochs/bochs.conf"

kernel=$1 initrd=$2 dir=$(realpath "$3") bound=$4
bochs=$BUILD/bochs/bin/bochs
[ -x "$bochs" ] || die "$bochs missing: run 'make bochs'"
need genisoimage genisoimage
bios=/usr/share/bochs/BIOS-bochs-latest vgabios=/usr/share/vgabios/vgabios.bin
isolinux=/usr/lib/ISOLINUX/isolinux.bin ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
for f in "$bios:bochsbios" "$vgabios:vgabios" "$isolinux:isolinux" "$ldlinux:syslinux-common"; do
	[ -f "${f%:*}" ] || die "${f%:*} not found: install the Debian package '${f#*:}'"
done
echo "EMULATOR=\"bochs ${BOCHS_VERSION%%+*}\"" >>"$dir/run.conf"

iso=$dir/iso
rm -rf "$iso"
mkdir -p "$iso/isolinux"
cp "$isolinux" "$ldlinux" "$iso/isolinux/"
cp "$kernel" "$iso/bzimage"
cp "$initrd" "$iso/initrd"
cat >"$iso/isolinux/isolinux.cfg" <<EOT
serial 0 115200
default linux
label linux
  kernel /bzimage
  initrd /initrd
  append console=ttyS0,115200 panic=-1 $CMDLINE
EOT
genisoimage -quiet -o "$dir/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$iso"
rm -rf "$iso"

# clock sync=none: emulated time follows the instruction count, so a
# halted guest costs nothing and the host's load does not change what the
# guest sees.  A triple fault stops the machine (reset_on_triple_fault=0,
# a panic, which ends Bochs).
cat >"$dir/bochsrc" <<EOT
megs: $MEMORY_MB
romimage: file=$bios
vgaromimage: file=$vgabios
cpu: model=$BOCHS_CPU, count=$CPUS, ips=$BOCHS_IPS, quantum=16, reset_on_triple_fault=0, ignore_bad_msrs=1
clock: sync=none, time0=local
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="$dir/boot.iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$dir/console.log
com2: enabled=1, mode=file, dev=$dir/tests.tap
display_library: nogui
mouse: enabled=0
log: $dir/bochs.log
panic: action=fatal
error: action=ignore
info: action=report
debug: action=ignore
EOT
: >"$dir/console.log"
: >"$dir/tests.tap"
rc=0
(cd "$dir" && timeout -k 10 "$bound" "$bochs" -q -f "$dir/bochsrc") \
	</dev/null >"$dir/bochs.out" 2>&1 || rc=$?
rm -f "$dir/boot.iso"
# Bochs ends every run with a fatal message, the guest's power-off included.
msg=$(sed -n '/is exiting with the following message/{n;p;q}' "$dir/bochs.out")
case $rc:$msg in
124:* | 137:*) exit "$rc" ;;
*"ACPI control: soft power off"*) exit 0 ;;
esac
echo "Bochs stopped: ${msg:-status $rc, see bochs.out}" >>"$dir/console.log"
exit 3

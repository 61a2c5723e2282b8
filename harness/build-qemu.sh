#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch (harness/fetch-qemu.sh) and build the pinned QEMU
# (emulators/qemu/qemu.conf) with the project's queue
# (emulators/qemu/patches/*.patch, applied with patch -p1) and device
# set (emulators/qemu/devices.mak): only qemu-system-x86_64, put into
# build/qemu/bin, with Debian 12's firmware and keymaps (/usr/share/qemu)
# linked into its data directory; harness/boot-qemu.sh runs it.  meson
# runs from Debian 13's package, unpacked into build/meson.  The source
# tree build/qemu-src is extracted afresh whenever the tarball, the
# queue, the devices or the configure flags change; otherwise nothing is
# done.
. "$(dirname "$0")/lib.sh"
. "$TOP/emulators/qemu/qemu.conf"

need xz-utils xz
need patch patch
need gcc gcc
need ccache ccache
need ninja-build ninja
need pkg-config pkg-config
need dpkg dpkg-deb
need python3-venv python3
for lib in glib-2.0:libglib2.0-dev pixman-1:libpixman-1-dev; do
	pkg-config --exists "${lib%%:*}" ||
		die "${lib%%:*} not found by pkg-config: install the Debian package '${lib#*:}'"
done
[ -f /usr/share/qemu/qboot.rom ] && [ -f /usr/share/qemu/linuxboot_dma.bin ] ||
	die "/usr/share/qemu/{qboot.rom,linuxboot_dma.bin} not found: install the Debian package 'qemu-system-x86'"

tar=$BUILD/dl/$QEMU_TAR
src=$BUILD/qemu-src
prefix=$BUILD/qemu
bin=$prefix/bin/qemu-system-x86_64
"$TOP/harness/fetch-qemu.sh"

# What the build depends on: the tarball, the queue, the devices, meson,
# the flags and this script.
key=$({ sha256sum "$tar" "$0" | cut -d' ' -f1
	echo "$MESON_DEB_SHA256"
	for p in "$TOP"/emulators/qemu/patches/*.patch; do
		echo "${p##*/}"; cat "$p"
	done
	cat "$TOP/emulators/qemu/devices.mak"
	echo "$QEMU_CONFIGURE_FLAGS"; } | sha256sum | cut -d' ' -f1)

if [ "$(cat "$prefix/.harness-qemu" 2>/dev/null)" = "$key" ] && [ -x "$bin" ]; then
	note "qemu up to date: $bin"
	exit 0
fi

meson=$BUILD/meson
if [ ! -x "$meson/usr/bin/meson" ]; then
	rm -rf "$meson"
	dpkg-deb -x "$BUILD/dl/$MESON_DEB" "$meson"
fi
export PATH=$meson/usr/bin:$PATH PYTHONPATH=$meson/usr/lib/python3/dist-packages

if [ "$(cat "$src/.harness-qemu" 2>/dev/null)" != "$key" ]; then
	note "extracting $QEMU_TAR and applying emulators/qemu/patches"
	rm -rf "$src"
	unpack_queue "$tar" "$src.new" "$TOP/emulators/qemu/patches"
	# --with-devices-x86_64=harness names this file.
	cp "$TOP/emulators/qemu/devices.mak" \
		"$src.new/configs/devices/x86_64-softmmu/harness.mak"
	mv "$src.new" "$src"
	# meson's build directory keeps absolute paths: configure in place.
	note "configuring (prefix build/qemu)"
	mkdir -p "$src/build"
	# shellcheck disable=SC2086 # the flags are words
	(cd "$src/build" && ../configure --prefix="$prefix" --cc="ccache gcc" \
		--python=/usr/bin/python3 $QEMU_CONFIGURE_FLAGS) \
		>"$src/harness-configure.log" 2>&1 ||
		{ tail -30 "$src/harness-configure.log" >&2
		  die "qemu configure failed (log: build/qemu-src/harness-configure.log)"; }
	echo "$key" >"$src/.harness-qemu"
fi

# Only the binary: QEMU's default targets (its tests, the tools) take
# about half as long again.
note "building qemu-system-x86_64 ($JOBS jobs)"
ninja -C "$src/build" -j"$JOBS" qemu-system-x86_64 >"$src/harness-make.log" 2>&1 ||
	{ tail -30 "$src/harness-make.log" >&2
	  die "qemu build failed (log: build/qemu-src/harness-make.log)"; }
rm -rf "$prefix"
mkdir -p "$prefix/bin" "$prefix/share/qemu"
cp "$src/build/qemu-system-x86_64" "$bin"
# QEMU looks for its data in ../share/qemu from its binary.  The firmware
# and keymaps the +ds tarball lacks come from Debian 12's packages.
ln -s /usr/share/qemu/* "$prefix/share/qemu/"
echo "$key" >"$prefix/.harness-qemu"
note "qemu built: $bin"

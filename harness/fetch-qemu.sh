#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Download the orig tarball of the pinned QEMU source package and the meson
# package it builds with (emulators/qemu/qemu.conf) into build/dl, and check
# their sha256.  Both are in a Debian release other than the machine's, so
# apt runs with private sources lists (lib.sh's apt_suite), as for Bochs.
. "$(dirname "$0")/lib.sh"
. "$TOP/emulators/qemu/qemu.conf"

need apt apt-get

dl=$BUILD/dl
sha() { sha256sum "$1" | cut -d' ' -f1; }

# usage: fetch FILE SHA256 deb|deb-src APT-GET-ARGS...
fetch()
{
	local file=$dl/$1 want=$2 type=$3 aptlog got
	shift 3
	if [ -s "$file" ] && [ "$(sha "$file")" = "$want" ]; then
		note "${file##*/}: present, sha256 matches"
		return 0
	fi
	apt_suite "$type" "$QEMU_SUITE"
	aptlog=$BUILD/apt-$type-$QEMU_SUITE/apt.log
	note "downloading ${file##*/} ($QEMU_SUITE)"
	rm -f "$file"
	(cd "$dl" && apt-get "${APT_OPTS[@]}" "$@") >>"$aptlog" 2>&1 || true
	if [ ! -s "$file" ]; then
		cat "$aptlog" >&2
		die "${file##*/} was not downloaded (gone from $QEMU_SUITE?)"
	fi
	got=$(sha "$file")
	if [ "$got" != "$want" ]; then
		rm -f "$file"
		die "sha256 mismatch for ${file##*/}: got $got, want $want (file removed)"
	fi
	note "${file##*/}: downloaded to build/dl, sha256 matches"
}

mkdir -p "$dl"
fetch "$QEMU_TAR" "$QEMU_TAR_SHA256" deb-src source --download-only \
	"$QEMU_PACKAGE=$QEMU_VERSION"
# The Debian packaging of QEMU is not used.
rm -f "$dl/${QEMU_PACKAGE}_${QEMU_VERSION#*:}".{dsc,debian.tar.xz}
fetch "$MESON_DEB" "$MESON_DEB_SHA256" deb download "meson=$MESON_VERSION"

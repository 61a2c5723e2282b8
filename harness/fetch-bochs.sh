#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Download the orig tarball of the pinned Bochs source package
# (emulators/bochs/bochs.conf) into build/dl and check its sha256.  The
# release that has it is not in the machine's apt sources, so apt runs with
# a private sources list (a deb-src entry for $BOCHS_SUITE, on the URI the
# machine uses for Debian's main archive) and private lists (lib.sh's
# apt_suite).
. "$(dirname "$0")/lib.sh"
. "$TOP/emulators/bochs/bochs.conf"

need apt apt-get

dl=$BUILD/dl
tar=$dl/$BOCHS_TAR
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -s "$tar" ] && [ "$(sha "$tar")" = "$BOCHS_TAR_SHA256" ]; then
	note "$BOCHS_TAR: present, sha256 matches"
	exit 0
fi

mkdir -p "$dl"
apt_suite deb-src "$BOCHS_SUITE"
aptlog=$BUILD/apt-deb-src-$BOCHS_SUITE/apt.log
note "downloading $BOCHS_PACKAGE $BOCHS_VERSION source ($BOCHS_SUITE)"
# The .dsc of this version answers 404, so apt-get source may fail after
# fetching the tarballs; what counts is the orig tarball and its checksum.
rm -f "$tar"
(cd "$dl" && apt-get "${APT_OPTS[@]}" source --download-only \
	"$BOCHS_PACKAGE=$BOCHS_VERSION") >>"$aptlog" 2>&1 || true
rm -f "$dl/${BOCHS_PACKAGE}_$BOCHS_VERSION".*	# the Debian packaging: not used
if [ ! -s "$tar" ]; then
	cat "$aptlog" >&2
	die "$BOCHS_TAR was not downloaded ($BOCHS_PACKAGE $BOCHS_VERSION gone from $BOCHS_SUITE?)"
fi
got=$(sha "$tar")
if [ "$got" != "$BOCHS_TAR_SHA256" ]; then
	rm -f "$tar"
	die "sha256 mismatch for $BOCHS_TAR: got $got, want $BOCHS_TAR_SHA256 (file removed)"
fi
note "$BOCHS_TAR: downloaded to build/dl, sha256 matches"

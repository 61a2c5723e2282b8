#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make deb: the patched kernel as installable Debian packages (bindeb-pkg),
# for a bare-metal host.  KCONFIG=path gives the config (olddefconfig fills
# in the rest); the default is the test VM's config.
. "$(dirname "$0")/lib.sh"

need dpkg-dev dpkg-buildpackage
# bindeb-pkg's generated debian/control asks for these.
need debhelper dh
need kmod kmod
"$TOP/harness/make-tree.sh"
out=$WORK/kernel-deb
mkdir -p "$out"
if [ -n "${KCONFIG:-}" ]; then
	[ -f "$KCONFIG" ] || die "KCONFIG=$KCONFIG: no such file"
	cp "$KCONFIG" "$out/.config"
	make -s -C "$TREE" O="$out" olddefconfig
else
	"$TOP/harness/build-kernel.sh" "$TREE" "$out" "$TOP/configs/test.config" >/dev/null
fi
make -s -C "$TREE" O="$out" -j"$JOBS" CC="ccache gcc" bindeb-pkg \
	>"$WORK/logs/deb.log" 2>&1 || die "bindeb-pkg failed, see $WORK/logs/deb.log"
ls "$WORK"/linux-image-*.deb

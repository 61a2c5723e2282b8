#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the KVM selftests of SRC statically and install them, with the
# kselftest runner, into OUT/install.  Headers come from
# 'make headers_install' of the kernel build KOUT; SRC stays clean.
# usage: build-selftests.sh SRC KOUT OUT
. "$(dirname "$0")/lib.sh"

src=$(realpath "$1")
kout=$(realpath "$2")
mkdir -p "$3" "$WORK/logs"
out=$(realpath "$3")
log=$WORK/logs/selftests.log
need rsync rsync

make -s -C "$src" O="$kout" headers_install >"$log" 2>&1 ||
	die "headers_install failed, see $log"
rm -rf "$out/install"
make -C "$src/tools/testing/selftests" -j"$JOBS" TARGETS=kvm \
	O="$out/obj" INSTALL_PATH="$out/install" CC="ccache gcc" \
	KHDR_INCLUDES="-isystem $kout/usr/include" \
	EXTRA_CFLAGS=-static LDFLAGS=-static install >>"$log" 2>&1 || {
	grep -E 'error' "$log" | head -20 >&2
	die "selftests build failed, see $log"
}
echo "$out/install"

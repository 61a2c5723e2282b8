#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the patched kernel and the selftests, boot the kernel in
# QEMU and run the series' own selftests.
. "$(dirname "$0")/lib.sh"

[ -n "${LINUX_SRC:-}" ] || phase fetch "$TOP/harness/fetch-base.sh"
phase tree "$TOP/harness/make-tree.sh"
phase kernel "$TOP/harness/build-kernel.sh" "$TREE" "$BUILD/kernel-test" \
	"$TOP/configs/test.config" >/dev/null
phase selftests "$TOP/harness/build-selftests.sh" "$TREE" "$BUILD/kernel-test" \
	"$BUILD/selftests" >/dev/null

tests=$(series_tests)
[ -n "$tests" ] || die "the series adds no selftest"
mkdir -p "$OUTDIR"
ln -sfn "$RUN_ID" "$RESULTS/latest"
phase vm vm_run series "$BUILD/kernel-test/arch/x86/boot/bzImage" $tests
# make test prints one total over all its phases instead.
[ -n "${IN_MAKE_TEST:-}" ] || "$TOP/harness/tap.py" total "$OUTDIR/series/results.tap"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: build the patched kernel and the selftests, boot the kernel on
# every platform (platforms/; PLATFORM="name ..." for some) and run the
# series' own selftests and the harness's tests of harness/vm-tests/ there
# (TESTS="name ..." for others).
. "$(dirname "$0")/lib.sh"

phase tree "$TOP/harness/make-tree.sh"
# The emulators build while the kernel and the selftests do: configure
# scripts and the kernel's link are single-threaded, and each fills the
# core the other leaves idle.
build_emulators &
emulators=$!
phase kernel "$TOP/harness/build-kernel.sh" "$TREE" "$WORK/kernel-test" \
	"$TOP/configs/test.config" >/dev/null &&
	phase selftests "$TOP/harness/build-selftests.sh" "$TREE" "$WORK/kernel-test" \
		"$WORK/selftests" >/dev/null || { wait "$emulators" || true; exit 1; }
wait "$emulators" || die "an emulator failed to build"

tests=${TESTS:-$(series_tests) $(harness_tests)}
[ -n "$tests" ] || die "the series adds no selftest"
for t in $tests; do
	test_path "$WORK/selftests/install" "$t" >/dev/null
done
mkdir -p "$OUTDIR"
ln -sfn "$RUN_ID" "$RESULTS/latest"
vm_run_all series "$WORK/kernel-test/arch/x86/boot/bzImage" $tests
# make test prints one total over all its phases instead.
[ -n "${IN_MAKE_TEST:-}" ] ||
	"$TOP/harness/tap.py" total $(for p in $PLATFORMS; do echo "$OUTDIR/$p/series/results.tap"; done)

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: everything, on every platform (platforms/; PLATFORM="name ..."
# for some).  The series' selftests on the patched kernel (make run),
# static checks of the series, the series' selftests again on the debug
# kernel, the regression gate on the patched and the base kernel (the
# latter cached), and the mutants, each on its platform.  Ends with one
# line: N passed, N failed, N skipped.
. "$(dirname "$0")/lib.sh"
export RUN_ID IN_MAKE_TEST=1
unset TESTS

start=$SECONDS
"$TOP/harness/run.sh"
phase checks "$TOP/harness/check-series.sh"
phase debug-kernel "$TOP/harness/build-kernel.sh" "$TREE" "$BUILD/kernel-debug" \
	"$TOP/configs/test.config" "$TOP/configs/debug.config" >/dev/null
phase debug-vm vm_run_all debug "$BUILD/kernel-debug/arch/x86/boot/bzImage" \
	$(series_tests)
phase gate "$TOP/harness/gate.sh"
phase mutants "$TOP/harness/mutants.sh"
note "make test: $((SECONDS - start)) s"
results=("$OUTDIR/checks.tap")
for p in $PLATFORMS; do
	results+=("$OUTDIR/$p/series/results.tap" "$OUTDIR/$p/debug/results.tap")
done
results+=("$OUTDIR/gate.tap" "$OUTDIR/mutants.tap")
"$TOP/harness/tap.py" total "${results[@]}"

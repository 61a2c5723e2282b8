#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test, for one base (BASE=): on every platform (platforms/;
# PLATFORM="name ..." for some), as the base's MAKE_TEST says.  "run": the
# queue's selftests on the patched kernel (make run).  "full": that, static
# checks of the queue, the selftests again on the debug kernel (with the
# harness's tests that ask for it: lib.sh's debug_tests), the regression
# gate on the patched and the base kernel (the latter cached), and the
# mutants, each on its platform.  Writes the list of its result
# files to $OUTDIR/results.list; harness/test.sh counts them.
. "$(dirname "$0")/lib.sh"

start=$SECONDS
mkdir -p "$OUTDIR"
# The results this run will count, written first: a phase that stops
# early leaves its file missing, and that counts as a failure.
{
	[ "$MAKE_TEST" = run ] || echo "$OUTDIR/checks.tap"
	for p in $PLATFORMS; do
		echo "$OUTDIR/$p/series/results.tap"
		[ "$MAKE_TEST" = run ] || echo "$OUTDIR/$p/debug/results.tap"
	done
	[ "$MAKE_TEST" = run ] || printf '%s\n' "$OUTDIR/gate.tap" "$OUTDIR/mutants.tap"
} >"$OUTDIR/results.list"

"$TOP/harness/run.sh" || note "make run ($BASE) failed"
case $MAKE_TEST in
run) ;;
full)
	# The debug kernel builds while the checks run: they are mostly
	# single-threaded perl (get_maintainer.pl, checkpatch.pl).
	phase debug-kernel "$TOP/harness/build-kernel.sh" "$TREE" "$WORK/kernel-debug" \
		"$TOP/configs/test.config" "$TOP/configs/debug.config" >/dev/null &
	debug=$!
	phase checks "$TOP/harness/check-series.sh" || true
	wait "$debug" &&
		phase debug-vm vm_run_all debug "$WORK/kernel-debug/arch/x86/boot/bzImage" \
			$(debug_tests) || true
	phase gate "$TOP/harness/gate.sh" || true
	phase mutants "$TOP/harness/mutants.sh" || true ;;
*)	die "bases/$BASE: MAKE_TEST is '$MAKE_TEST', not full or run" ;;
esac
note "make test ($BASE): $((SECONDS - start)) s"

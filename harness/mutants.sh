#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Put each historic bug of mutants/ back on top of the series, build that
# kernel (incrementally, in the scratch tree) and run the selftest its
# "Caught-by:" line names.  The mutant must make that test fail.
# Needs the selftests of 'make run'.
. "$(dirname "$0")/lib.sh"

[ -d "$BUILD/selftests/install" ] || die "no selftests built; run 'make run' first"
head=$(git -C "$TREE" rev-parse HEAD)
mkdir -p "$OUTDIR"
out=$OUTDIR/mutants.tap
: >"$out"
for m in "$TOP"/mutants/*.patch; do
	name=$(basename "$m" .patch)
	test=$(sed -n 's/^Caught-by: *//p' "$m")
	[ -n "$test" ] || die "$name names no test (Caught-by: line)"
	scratch_checkout "$head"
	if ! git -C "$SCRATCH" apply "$m" 2>"$OUTDIR/$name.apply"; then
		echo "not ok - $name does not apply: $(head -1 "$OUTDIR/$name.apply")" | tee -a "$out"
		continue
	fi
	start=$SECONDS
	kernel=$("$TOP/harness/build-kernel.sh" "$SCRATCH" "$BUILD/scratch/kernel-test" \
		"$TOP/configs/test.config")
	TEST_TIMEOUT=${MUTANT_TIMEOUT:-120} vm_run "mutant-$name" "$kernel" $test >/dev/null
	result=$(grep -m1 -- "- mutant-$name: $test\( \|$\)" "$OUTDIR/mutant-$name/results.tap")
	case $result in
	"not ok"*) echo "ok - $name caught by $test ($((SECONDS - start)) s)" ;;
	*"# SKIP"*) echo "not ok - $name survived: $test skipped" ;;
	*) echo "not ok - $name survived: $test passed" ;;
	esac | tee -a "$out"
done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Put each historic bug of mutants/ back on top of the series, build that
# kernel (incrementally, in the scratch tree) and run the selftest its
# "Caught-by:" line names.  The mutant is caught when that test fails with
# the message its "Expect:" line gives (a fixed part of it), not for any
# other reason.  A "Needs:" line names what the platform must have for the
# bug to bite, as the VM's "# platform:" line writes it (e.g. vnmi=Y);
# elsewhere the mutant is only checked to apply, and reported as a skip.
# A mutant whose bug several sub-tests catch has one "Expect:" line for
# each, and is caught only if the test printed them all.  "Expect:
# [SUB-TEST] text" asks for the text in what that sub-test printed before
# its own "not ok" line (its kselftest name, e.g. tpr.x2apic.irql), for a
# message that more than one sub-test prints.  A bundle puts back several
# bugs that each fail sub-tests of their own, with an "Expect: [SUB-TEST]"
# line for each: more sub-tests gated for one kernel build.  A
# "Platform:" line names the platform where the bug bites (platforms/; by
# default qemu-amd).  A "Timeout:" line sets the test's time limit in the
# VM (by default MUTANT_TIMEOUT, 120 s), for a mutant that leaves the VM
# unable to finish.  A bug that tests of its own catch in more than one
# selftest has a "Caught-by:" line for each, in one VM, each followed by
# the "Expect:" lines of that test; it is caught when every test is.
# Needs the selftests and platform lines of 'make run'.
# make test runs the gating set, mutants/*.patch; MUTANTS_ALL=1 adds
# mutants/more/, and MUTANTS="name ..." picks some from either.
. "$(dirname "$0")/lib.sh"

# A field of a mutant's header (above its first ---).
# usage: header PATCH FIELD
header()
{
	sed -n "1,/^---\$/s/^$2: *//p" "$1"
}

# The Expect: lines of a mutant's header that follow the Caught-by: line of
# TEST, up to the next Caught-by: line.
# usage: expects PATCH TEST
expects()
{
	sed -n '1,/^---$/p' "$1" | awk -v t="$2" '
		/^Caught-by:/ { sub(/^Caught-by: */, ""); c = $0; next }
		/^Expect:/ && c == t { sub(/^Expect: */, ""); print }'
}

[ -n "$MUTANTS_DIR" ] || die "base $BASE has no mutants (bases/$BASE: MUTANTS_DIR=)"
patches=("$TOP/$MUTANTS_DIR"/*.patch)
[ -z "${MUTANTS_ALL:-}${MUTANTS:-}" ] || patches+=("$TOP/$MUTANTS_DIR"/more/*.patch)
# A mutant with a Timeout: line leaves a long VM: it is built first, so that
# its VM runs while the others build.
long=() short=()
for m in "${patches[@]}"; do
	[ "$(header "$m" Caught-by | grep -c .)" -ge 1 ] ||
		die "$(basename "$m") needs a Caught-by: line in its header"
	[ "$(sed -n '1,/^---$/{/^Caught-by:/q;p}' "$m" | grep -c '^Expect:')" = 0 ] ||
		die "$(basename "$m") has an Expect: line above its first Caught-by: line"
	for t in $(header "$m" Caught-by); do
		[ "$(expects "$m" "$t" | grep -c .)" -ge 1 ] ||
			die "$(basename "$m") needs an Expect: line after Caught-by: $t"
	done
	if [ -n "$(header "$m" Timeout)" ]; then long+=("$m"); else short+=("$m"); fi
done
patches=("${long[@]}" "${short[@]}")
[ -d "$WORK/selftests/install" ] || die "no selftests built; run 'make run' first"
head=$(git -C "$TREE" rev-parse HEAD)
mkdir -p "$OUTDIR/mutant-kernels"
out=$OUTDIR/mutants.tap
# Written when every mutant has its result: a run that stops early leaves
# none, which make test counts as a failure.
rm -f "$out"
# Each mutant's kernel is built in the scratch tree, one after the other;
# its VM runs in the background while the next one builds, at most
# MUTANT_JOBS (2) at a time.  Results are printed in name order.
jobs=${MUTANT_JOBS:-2}
names=()
for m in "${patches[@]}"; do
	name=$(basename "$m" .patch)
	# MUTANTS="name ..." runs only those.
	case " ${MUTANTS:-$name} " in *" $name "*) ;; *) continue ;; esac
	names+=("$name")
	res=$OUTDIR/mutant-$name.tap
	tests=$(header "$m" Caught-by)
	platform=$(header "$m" Platform)
	timeout=$(header "$m" Timeout)
	platform=${platform:-qemu-amd}
	label="$BASE $platform mutant: $name"
	[ -f "$TOP/platforms/$platform" ] || die "$name: no platform '$platform'"
	case " $PLATFORMS " in
	*" $platform "*) ;;
	*)	echo "ok - $label # SKIP bites on $platform, which this run leaves out" >"$res"
		continue ;;
	esac
	needs=$(header "$m" Needs)
	# The platform line of the newest run on that platform.  awk, not
	# head, takes the first: with pipefail, ls killed by SIGPIPE after
	# head exits failed the lookup when there were many runs.
	newest=$(ls -t "$RESULTS"/*/"$BASE/$platform"/series/tests.tap 2>/dev/null |
		awk 'NR == 1') || true
	line=$(grep -m1 '^# platform:' "$newest" 2>/dev/null) ||
		die "no platform line for $platform; run 'make run PLATFORM=$platform' first"
	if [ -n "$needs" ] && ! grep -q " $needs" <<<"$line"; then
		echo "ok - $label # SKIP needs $needs, which $platform lacks (checked that it applies)" >"$res"
		git -C "$TREE" apply --check "$m" 2>/dev/null ||
			echo "not ok - $label does not apply" >"$res"
		continue
	fi
	scratch_checkout "$head"
	if ! git -C "$SCRATCH" apply "$m" 2>"$OUTDIR/$name.apply"; then
		echo "not ok - $label does not apply: $(head -1 "$OUTDIR/$name.apply")" >"$res"
		continue
	fi
	start=$SECONDS
	kernel=$OUTDIR/mutant-kernels/$name.bzImage
	if ! built=$("$TOP/harness/build-kernel.sh" "$SCRATCH" "$WORK/scratch/kernel-test" \
		"$TOP/configs/test.config"); then
		echo "not ok - $label does not build" >"$res"
		continue
	fi
	cp "$built" "$kernel"
	note "mutant $name: built in $((SECONDS - start)) s"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	(
		start=$SECONDS
		TEST_TIMEOUT=${timeout:-${MUTANT_TIMEOUT:-120}} vm_run "$platform" "mutant-$name" "$kernel" \
			$tests >/dev/null
		for test in $tests; do
			mapfile -t expect < <(expects "$m" "$test")
			"$TOP/harness/tap.py" mutant "$OUTDIR/$platform/mutant-$name" "$label" \
				"$test" "${expect[@]}"
		done >"$res"
		rm -f "$kernel"
		note "mutant $name on $platform: VM $((SECONDS - start)) s"
	) &
done
wait
[ ${#names[@]} -gt 0 ] || die "no mutant named '$MUTANTS' in $MUTANTS_DIR/ or $MUTANTS_DIR/more/"
for name in $(printf '%s\n' "${names[@]}" | sort); do
	cat "$OUTDIR/mutant-$name.tap" 2>/dev/null ||
		echo "not ok - $BASE mutant: $name left no result"
done | tee "$out.new"
mv "$out.new" "$out"

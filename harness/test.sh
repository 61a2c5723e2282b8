#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: every base of bases/ (BASES="name ..." for some), mainline
# first, each as its MAKE_TEST says (harness/test-base.sh), on every
# platform (PLATFORM="name ..." for some).  Ends with one line per base and
# the total: N passed, N failed, N skipped.
. "$(dirname "$0")/lib.sh"
export RUN_ID IN_MAKE_TEST=1
unset TESTS

# A fresh clone's make test fills build/ with about 12 GB (README): stop
# at once, saying so, rather than in every phase when the disk fills.
need_gb=14
mkdir -p "$BUILD"
have_kb=$(df -Pk "$BUILD" | awk 'NR == 2 { print $4 }')
used_kb=$(du -sk "$BUILD" | cut -f1)
[ $(( (have_kb + used_kb) / 1048576 )) -ge $need_gb ] ||
	die "make test needs about $need_gb GB for build/; $BUILD has $((used_kb / 1048576)) GB and its disk $((have_kb / 1048576)) GB free"

all=$(ls "$TOP/bases" | sort | awk '$0 == "mainline" { print; next } { rest = rest " " $0 } END { print rest }')
bases=${BASES:-$all}
for b in $bases; do
	[ -f "$TOP/bases/$b" ] || die "no base '$b'; bases/ has:" $all
done
# The other bases' trees are made while the first base's work runs: the
# download waits on the network and git am runs on one core.  Their runs
# then find the trees made (make-tree.sh is idempotent).
ahead()
{
	local b=$1 start=$SECONDS log=$BUILD/$1/make-tree.log
	mkdir -p "$BUILD/$b"
	if BASE=$b "$TOP/harness/make-tree.sh" >"$log" 2>&1; then
		note "phase tree $b, made ahead with its fetch: $((SECONDS - start)) s"
	else
		note "making build/$b/linux ahead failed (see $log); its own run tries again"
	fi
}
declare -A ahead_pid
read -r first _ <<<"$(echo $bases)"
start=$SECONDS
for b in $bases; do
	[ "$b" = "$first" ] || [ -n "${LINUX_SRC:-}" ] || { ahead "$b" & ahead_pid[$b]=$!; }
done
for b in $bases; do
	[ -z "${ahead_pid[$b]:-}" ] || wait "${ahead_pid[$b]}" || true
	BASE=$b phase "base $b" "$TOP/harness/test-base.sh" || true
done
note "make test: $((SECONDS - start)) s"

files=() totals=()
for b in $bases; do
	dir=$RESULTS/$RUN_ID/$b
	mkdir -p "$dir"
	these=()
	if [ -f "$dir/results.list" ]; then
		mapfile -t these <"$dir/results.list"
	fi
	: >"$dir/missing.tap"
	[ ${#these[@]} -gt 0 ] ||
		echo "not ok - $b: make test stopped before it listed its results" >>"$dir/missing.tap"
	for f in "${these[@]}"; do
		[ -f "$f" ] || echo "not ok - $b: no results in ${f#"$dir/"}" >>"$dir/missing.tap"
	done
	mine=("$dir/missing.tap")
	for f in "${these[@]}"; do
		[ ! -f "$f" ] || mine+=("$f")
	done
	# tap.py exits 1 when something failed; the totals are printed anyway.
	total=$("$TOP/harness/tap.py" total "${mine[@]}" | tail -1) || true
	totals+=("# $b: $total")
	files+=("${mine[@]}")
done
# Again at the end, where a log's tail shows them: what failed, and why.
if grep -q '^not ok' "${files[@]}"; then
	echo "# failed:"
	grep -h '^not ok' "${files[@]}"
fi
printf '%s\n' "${totals[@]}"
"$TOP/harness/tap.py" total "${files[@]}"

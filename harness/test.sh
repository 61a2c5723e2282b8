#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: every base of bases/ (BASES="name ..." for some), mainline
# first, each as its MAKE_TEST says (harness/test-base.sh), on every
# platform (PLATFORM="name ..." for some).  Ends with one line per base and
# the total: N passed, N failed, N skipped.
. "$(dirname "$0")/lib.sh"
export RUN_ID IN_MAKE_TEST=1
unset TESTS

all=$(ls "$TOP/bases" | sort | awk '$0 == "mainline" { print; next } { rest = rest " " $0 } END { print rest }')
bases=${BASES:-$all}
for b in $bases; do
	[ -f "$TOP/bases/$b" ] || die "no base '$b'; bases/ has:" $all
done
start=$SECONDS
for b in $bases; do
	BASE=$b phase "base $b" "$TOP/harness/test-base.sh" || true
done
note "make test: $((SECONDS - start)) s"

files=()
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
	echo "# $b: $("$TOP/harness/tap.py" total "${mine[@]}" | tail -1)"
	files+=("${mine[@]}")
done
"$TOP/harness/tap.py" total "${files[@]}"

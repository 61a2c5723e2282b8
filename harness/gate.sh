#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The regression gate, on every platform: every test of gate/BASE/list that
# passes on the base kernel must pass on the patched one.  A test that
# passes on the patched kernel needs nothing more; the others are run on
# the base kernel too.  The base's results are cached by base tree, config,
# gate list, VM init, platform and the emulator's pinned source, flags and
# fix queue, so the base is built and booted only for a test that has no
# result there yet.  Needs the kernel of 'make run'.
. "$(dirname "$0")/lib.sh"

kernel=$WORK/kernel-test/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no patched kernel; run 'make run' first"
vm_run_all gate "$kernel" $(list_tests list) >/dev/null

# The patched kernel's results.tap on each platform, then its retries: a
# known-flaky test that failed gets up to two more boots (gate/BASE/flaky).
declare -A series
for p in $PLATFORMS; do
	series[$p]=$OUTDIR/$p/gate/results.tap
	last=${series[$p]}
	for try in 1 2; do
		again=$("$TOP/harness/tap.py" failed "$last" $(list_tests flaky))
		[ -n "$again" ] || break
		note "gate: booting again on $p for flaky" $again
		vm_run "$p" "gate-retry-$try" "$kernel" $again >/dev/null
		last=$OUTDIR/$p/gate-retry-$try/results.tap
		series[$p]+=" $last"
	done
done

# The base's results on PLATFORM, cached.  usage: base_cache PLATFORM
base_cache()
{
	local key emu
	emu=$TOP/emulators/$(platform_get "$1" EMULATOR)
	key=$( (git -C "$TREE" rev-parse 'base^{tree}'
		cat "$TOP/configs/test.config" "$TOP/gate/$BASE/list" "$TOP/harness/vm-init" \
			"$TOP/platforms/$1"
		# What the emulator is built from, less its debugging aids.
		[ ! -d "$emu" ] ||
			find "$emu" -path "$emu/debug" -prune -o -type f -print | sort | xargs cat
		) | sha256sum | cut -c1-16)
	echo "$WORK/cache/gate-base-$1-$key"
}
# The tests of the list without a line in FILE... (whose STATUS is given).
# usage: tests_without STATUS|any FILE...
tests_without()
{
	local want=$1
	shift
	list_tests list | grep -vxF -f <("$TOP/harness/tap.py" status "$@" |
		awk -v w="$want" 'NF && (w == "any" || $2 == w) { print $1 }') || true
}
declare -A need
for p in $PLATFORMS; do
	mkdir -p "$(base_cache "$p")"
	touch "$(base_cache "$p")/results.tap"
	need[$p]=$(tests_without pass ${series[$p]} |
		grep -xF -f <(tests_without any "$(base_cache "$p")/results.tap")) || true
done
if [ -n "$(echo "${need[@]}")" ]; then
	scratch_checkout base
	base=$("$TOP/harness/build-kernel.sh" "$SCRATCH" "$WORK/scratch/kernel-test" \
		"$TOP/configs/test.config")
	for p in $PLATFORMS; do
		[ -n "${need[$p]}" ] || continue
		note "gate: running on the base kernel on $p:" ${need[$p]}
		phase "$p base" vm_run "$p" base "$base" ${need[$p]} >/dev/null &
	done
	wait
	for p in $PLATFORMS; do
		[ -z "${need[$p]}" ] ||
			grep -v ': \(VM ran\|kernel log\)' "$OUTDIR/$p/base/results.tap" \
				>>"$(base_cache "$p")/results.tap"
	done
fi

for p in $PLATFORMS; do
	"$TOP/harness/tap.py" gate "$p" "$BASE $p" "$TOP/gate/$BASE/list" \
		"$(base_cache "$p")/results.tap" "$TOP/gate/$BASE/known-failures" ${series[$p]}
	grep -E -- "- $BASE $p gate: (VM ran|kernel log)" "${series[$p]%% *}"
done | tee "$OUTDIR/gate.tap"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The regression gate, on every platform: every test of gate/BASE/list that
# passes on the base kernel must pass on the patched one.  The base
# kernel's results are cached by base tree, config, gate list, VM init,
# platform and (for Bochs) the emulator's source and fix queue, so the base
# is built and booted only when one of them changes.
# Needs the kernel of 'make run'.
. "$(dirname "$0")/lib.sh"

kernel=$WORK/kernel-test/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no patched kernel; run 'make run' first"
vm_run_all gate "$kernel" $(list_tests list) >/dev/null

# The base's results on PLATFORM, cached.  usage: base_cache PLATFORM
base_cache()
{
	local key
	key=$( (git -C "$TREE" rev-parse 'base^{tree}'
		cat "$TOP/configs/test.config" "$TOP/gate/$BASE/list" "$TOP/harness/vm-init" \
			"$TOP/platforms/$1"
		[ "$(platform_get "$1" EMULATOR)" != bochs ] ||
			cat "$TOP/emulators/bochs/bochs.conf" "$TOP"/emulators/bochs/patches/*.patch
		) | sha256sum | cut -c1-16)
	echo "$WORK/cache/gate-base-$1-$key"
}
missing=()
for p in $PLATFORMS; do
	[ -f "$(base_cache "$p")/results.tap" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	note "gate: running the list on the base kernel on ${missing[*]}"
	scratch_checkout base
	base=$("$TOP/harness/build-kernel.sh" "$SCRATCH" "$WORK/scratch/kernel-test" \
		"$TOP/configs/test.config")
	PLATFORMS=${missing[*]} vm_run_all base "$base" $(list_tests list) >/dev/null
	mkdir -p "$WORK/cache"
	for p in "${missing[@]}"; do
		rm -rf "$(base_cache "$p")"
		cp -r "$OUTDIR/$p/base" "$(base_cache "$p")"
	done
fi

for p in $PLATFORMS; do
	series=$OUTDIR/$p/gate/results.tap
	# A known-flaky test that failed gets up to two more boots (gate/BASE/flaky).
	retries=()
	last=$series
	for try in 1 2; do
		again=$("$TOP/harness/tap.py" failed "$last" $(list_tests flaky))
		[ -n "$again" ] || break
		note "gate: booting again on $p for flaky" $again
		vm_run "$p" "gate-retry-$try" "$kernel" $again >/dev/null
		last=$OUTDIR/$p/gate-retry-$try/results.tap
		retries+=("$last")
	done
	"$TOP/harness/tap.py" gate "$p" "$BASE $p" "$(base_cache "$p")/results.tap" \
		"$TOP/gate/$BASE/known-failures" "$series" "${retries[@]}"
	grep -E -- "- $BASE $p gate: (VM ran|kernel log)" "$series"
done | tee "$OUTDIR/gate.tap"

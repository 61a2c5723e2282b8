#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The regression gate: every test of gate/list that passes on the base
# kernel must pass on the patched one.  The base kernel's results are
# cached by base tree, config and gate list, so the base is built and booted
# only when one of them changes.  Needs the kernel of 'make run'.
. "$(dirname "$0")/lib.sh"

kernel=$BUILD/kernel-test/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no patched kernel; run 'make run' first"
vm_run gate-series "$kernel" $(list_tests list) >/dev/null
series=$OUTDIR/gate-series/results.tap

# A known-flaky test that failed gets up to two more boots (gate/flaky).
retries=()
last=$series
for try in 1 2; do
	again=$(list_tests flaky | while read -r t; do
		grep -q -- "^not ok - [^:]*: $t\( \|$\)" "$last" && echo "$t"
	done) || true
	[ -n "$again" ] || break
	note "gate: booting again for flaky" $again
	vm_run "gate-retry-$try" "$kernel" $again >/dev/null
	last=$OUTDIR/gate-retry-$try/results.tap
	retries+=("$last")
done
key=$( (git -C "$TREE" rev-parse 'base^{tree}'
	cat "$TOP/configs/test.config" "$TOP/gate/list" "$TOP/harness/vm-init") |
	sha256sum | cut -c1-16)
cache=$BUILD/cache/gate-base-$key
if [ ! -f "$cache/results.tap" ]; then
	note "gate: running the list on the base kernel (cache $key)"
	scratch_checkout base
	kernel=$("$TOP/harness/build-kernel.sh" "$SCRATCH" "$BUILD/scratch/kernel-test" \
		"$TOP/configs/test.config")
	vm_run base "$kernel" $(list_tests list) >/dev/null
	mkdir -p "$BUILD/cache"
	rm -rf "$cache"
	cp -r "$OUTDIR/base" "$cache"
else
	note "gate: base results from cache $key"
fi
{
	"$TOP/harness/tap.py" gate "$cache/results.tap" "$TOP/gate/known-failures" \
		"$series" "${retries[@]}"
	grep -E -- '- gate-series: (VM ran|kernel log)' "$series"
} | tee "$OUTDIR/gate.tap"

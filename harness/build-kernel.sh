#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build a bzImage out of tree with ccache.
# usage: build-kernel.sh SRC OUT FRAGMENT...
# The config is tinyconfig + the fragments + the KVM selftests' own fragment;
# it is regenerated only when one of them changes.  Every option a fragment
# asks for is checked in the final .config, since merge_config.sh drops what a
# dependency forbids without a word.
. "$(dirname "$0")/lib.sh"

src=$(realpath "$1")
out=$2
shift 2
frags=("$@" "$src/tools/testing/selftests/kvm/config")
mkdir -p "$out" "$WORK/logs"
out=$(realpath "$out")
log=$WORK/logs/$(basename "$out").log
need ccache ccache
need flex flex
need bison bison
need bc bc
# configs/test.config compresses the kernel with LZ4.
need lz4 lz4

export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
make=(make -s -C "$src" O="$out" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

stamp=$(cat "${frags[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$out/.config-stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$out/.config-stamp"
	"${make[@]}" tinyconfig >"$log" 2>&1 || die "tinyconfig failed, see $log"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"${frags[@]}" >>"$log" 2>&1 || die "merge_config.sh failed, see $log"
	"${make[@]}" olddefconfig >>"$log" 2>&1 || die "olddefconfig failed, see $log"
	missing=$(cat "${frags[@]}" | grep -hE '^(CONFIG_[A-Z0-9_]+)=' |
		while IFS= read -r line; do
			opt=${line%%=*}
			case $line in
			*=n) grep -q "^$opt=" "$out/.config" && echo "$line" ;;
			*) grep -qx "$line" "$out/.config" || echo "$line" ;;
			esac
		done) || true
	[ -z "$missing" ] ||
		die "the final .config lacks what the fragments ask for:" $missing
	echo "$stamp" >"$out/.config-stamp"
fi

"${make[@]}" bzImage >>"$log" 2>&1 || {
	grep -E 'error|Error' "$log" | head -20 >&2
	die "kernel build failed in $src, see $log"
}
echo "$out/arch/x86/boot/bzImage"

# SPDX-License-Identifier: GPL-2.0
# Common settings for the harness scripts; sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
TREE=$BUILD/linux
RESULTS=$BUILD/results
JOBS=${JOBS:-$(nproc)}

. "$TOP/base.conf"
BASE_VERSION=${BASE_VERSION:-$PINNED_VERSION}

# build/linux gets this identity in its own git config, so nothing depends
# on the machine's global one.
GIT_NAME=${GIT_AUTHOR_NAME:-KVM x86 interrupt team}
GIT_EMAIL=${GIT_AUTHOR_EMAIL:-kvm-irq@localhost}

die()
{
	echo "error: $*" >&2
	exit 1
}

note()
{
	echo "== $*" >&2
}

need()
{
	local cmd pkg=$1
	shift
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 ||
			die "'$cmd' not found: install the Debian package '$pkg'"
	done
}

# Time a phase and say how long it took.
phase()
{
	local name=$1 start=$SECONDS rc=0
	shift
	"$@" || rc=$?
	echo "== phase $name: $((SECONDS - start)) s" >&2
	return $rc
}

# The selftests the series adds or changes, by binary name.
series_tests()
{
	git -C "$TREE" diff --name-only --diff-filter=AM base..HEAD -- \
		'tools/testing/selftests/kvm/x86_64/*.c' |
		sed -e 's|.*/||' -e 's|\.c$||'
}

# The harness's own tests (harness/vm-tests/), run with the series' selftests.
harness_tests()
{
	local t
	for t in "$TOP"/harness/vm-tests/*; do
		case $t in *.payload) continue ;; esac
		if [ -x "$t" ]; then basename "$t"; fi
	done
}

# The test names of a gate/ list: the first word of each line that is not
# a comment.  usage: list_tests list|flaky
list_tests()
{
	grep -v '^#' "$TOP/gate/$1" | awk 'NF { print $1 }'
}

# Where this invocation's results go; make test's phases share one.
RUN_ID=${RUN_ID:-$(date +%Y%m%d-%H%M%S)}
OUTDIR=$RESULTS/$RUN_ID

# The executable of test NAME: the harness's own (harness/vm-tests/) or a
# selftest of the install directory INST.  usage: test_path INST NAME
test_path()
{
	if [ -x "$TOP/harness/vm-tests/$2" ]; then
		echo "$TOP/harness/vm-tests/$2"
	elif [ -x "$1/kvm/$2" ]; then
		echo "$1/kvm/$2"
	else
		die "no test '$2': neither a selftest built in $1 nor in harness/vm-tests/"
	fi
}

# The platforms to run on: PLATFORM="name ..." picks some of platforms/,
# by default all of them, in name order.
PLATFORMS=$(echo ${PLATFORM:-$(ls "$TOP/platforms")})
for p in $PLATFORMS; do
	[ -f "$TOP/platforms/$p" ] ||
		die "no platform '$p'; platforms/ has:" $(ls "$TOP/platforms")
done
unset p

# A setting of a platform file.  usage: platform_get PLATFORM VAR
platform_get()
{
	(. "$TOP/platforms/$1" && eval "echo \"\${$2:-}\"")
}

# Build what the platforms' emulators need (harness/build-EMULATOR.sh,
# where there is one), once each.
build_emulators()
{
	local p emu done=" "
	for p in $PLATFORMS; do
		emu=$(platform_get "$p" EMULATOR)
		case $done in *" $emu "*) continue ;; esac
		done="$done$emu "
		[ ! -x "$TOP/harness/build-$emu.sh" ] ||
			phase "$emu" "$TOP/harness/build-$emu.sh" || return
	done
}

# Boot KERNEL on PLATFORM and run TEST... in it.  Results go to
# $OUTDIR/PLATFORM/KIND/results.tap and to stdout, labelled "PLATFORM" for
# the series' run and "PLATFORM KIND" for the others (debug, gate, ...).
# A test the platform file names in NOT_RUN is reported as skipped, with
# the platform's NOT_RUN_WHY, unless TESTS= asked for it by name.
# usage: vm_run PLATFORM KIND KERNEL TEST...
vm_run()
{
	local platform=$1 kind=$2 kernel=$3 dir=$OUTDIR/$1/$2 label=$1
	local initrd=$BUILD/initramfs-$1-$2.cpio t run=() not_run=()
	local skip=" $([ -n "${TESTS:-}" ] || platform_get "$1" NOT_RUN) "
	shift 3
	[ "$kind" = series ] || label="$platform $kind"
	for t; do
		case $skip in
		*" $t "*) not_run+=("$t") ;;
		*) run+=("$t") ;;
		esac
	done
	KERNEL=$kernel "$TOP/harness/make-initramfs.sh" "$BUILD/selftests/install" "$initrd" \
		"${run[@]}" >/dev/null
	"$TOP/harness/boot-vm.sh" "$platform" "$kernel" "$initrd" "$dir" \
		"$(git -C "$TREE" describe --always --exclude='*' HEAD)" "${run[@]}"
	rm -f "$initrd"
	grep -m1 '^# platform:' "$dir/tests.tap" >&2 || true
	"$TOP/harness/tap.py" run "$dir" "$label"
	for t in "${not_run[@]}"; do
		echo "ok - $label: $t # SKIP not run on $platform: $(platform_get "$platform" NOT_RUN_WHY)"
	done | tee -a "$dir/results.tap"
}

# Run "vm_run PLATFORM KIND KERNEL TEST..." on every platform at once (an
# emulator runs a VM mostly on one host core), each timed as a phase; then
# print their results in platform order.
# usage: vm_run_all KIND KERNEL TEST...
vm_run_all()
{
	local p pids=()
	for p in $PLATFORMS; do
		phase "$p $1" vm_run "$p" "$@" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || true
	done
	for p in $PLATFORMS; do
		cat "$OUTDIR/$p/$1/results.tap"
	done
}

# A second work tree of build/linux for kernels other than the series head
# (the base for the gate, the mutants), so that build/linux is never touched.
# usage: scratch_checkout COMMIT
SCRATCH=$BUILD/scratch/linux
scratch_checkout()
{
	if [ ! -e "$SCRATCH/.git" ]; then
		mkdir -p "$BUILD/scratch"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$SCRATCH" "$1"
	fi
	git -C "$SCRATCH" checkout -q -f --detach "$1"
	git -C "$SCRATCH" clean -q -f -d
}

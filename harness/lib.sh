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

# The test names of a gate/ list: the first word of each line that is not
# a comment.  usage: list_tests list|flaky
list_tests()
{
	grep -v '^#' "$TOP/gate/$1" | awk 'NF { print $1 }'
}

# Where this invocation's results go; make test's phases share one.
RUN_ID=${RUN_ID:-$(date +%Y%m%d-%H%M%S)}
OUTDIR=$RESULTS/$RUN_ID

# Boot KERNEL and run TEST... in it; result lines labelled LABEL go to
# $OUTDIR/LABEL/results.tap and to stdout.
# usage: vm_run LABEL KERNEL TEST...
vm_run()
{
	local label=$1 kernel=$2 dir=$OUTDIR/$1
	shift 2
	"$TOP/harness/make-initramfs.sh" "$BUILD/selftests/install" \
		"$BUILD/initramfs-$label.cpio" "$@" >/dev/null
	"$TOP/harness/boot-vm.sh" "$kernel" "$BUILD/initramfs-$label.cpio" "$dir" \
		"$(git -C "$TREE" describe --always --exclude='*' HEAD)" "$@"
	rm -f "$BUILD/initramfs-$label.cpio"
	grep -m1 '^# platform:' "$dir/tests.tap" >&2 || true
	"$TOP/harness/tap.py" run "$dir" "$label"
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

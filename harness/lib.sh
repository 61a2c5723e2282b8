# SPDX-License-Identifier: GPL-2.0
# Common settings for the harness scripts; sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
RESULTS=$BUILD/results
JOBS=${JOBS:-$(nproc)}

# The base kernel and its patch queue: BASE=name picks one of bases/ (by
# default mainline).  Each base has its own trees, builds and results under
# build/BASE, so switching builds nothing of the other again.
BASE=${BASE:-mainline}
if [ ! -f "$TOP/bases/$BASE" ]; then
	echo "error: no base '$BASE'; bases/ has:" $(ls "$TOP/bases") >&2
	exit 1
fi
. "$TOP/bases/$BASE"
BASE_VERSION=${BASE_VERSION:-$PINNED_VERSION}
WORK=$BUILD/$BASE
TREE=$WORK/linux

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

# apt options for a private sources list of one Debian suite on the
# machine's own mirror, with its own lists and caches under
# build/apt-TYPE-SUITE, so the machine's apt state is left alone and two
# bases can fetch at once; the lists are fetched once per call.
# usage: apt_suite deb|deb-src SUITE; then apt-get "${APT_OPTS[@]}" ...
apt_suite()
{
	local type=$1 suite=$2 codename want uri dir
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell this machine's Debian release from /etc/os-release"
	# The machine's URI for Debian's main archive (the first deb entry whose
	# suites include its own release), or for the security archive.
	case $suite in
	*-security) want=$codename-security ;;
	*) want=$codename ;;
	esac
	uri=$(awk -v rel="$want" '
		function stanza() { if (deb && suite && u != "" && !done) { print u; done = 1; exit } deb = suite = 0; u = "" }
		FNR == 1 || /^[ \t]*$/ { stanza() }
		tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
		tolower($1) == "uris:" { u = $2 }
		tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == rel) suite = 1 }
		END { stanza() }' /dev/null /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed 's/\[[^]]*\]//' |
			awk -v rel="$want" '$1 == "deb" && $3 == rel { print $2; exit }')
	fi
	[ -n "$uri" ] || die "no deb entry for '$want' in /etc/apt/sources.list{,.d/*}:" \
		"cannot tell which Debian mirror serves $suite"
	dir=$BUILD/apt-$type-$suite
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "$type $uri $suite main" >"$dir/sources.list"
	APT_OPTS=(-o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
		-o APT::Get::List-Cleanup=0)
	apt-get "${APT_OPTS[@]}" update >"$dir/apt.log" 2>&1 ||
		{ cat "$dir/apt.log" >&2; die "apt-get update for $suite ($uri) failed"; }
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

# The selftests the queue adds or changes, by binary name.
series_tests()
{
	git -C "$TREE" diff --name-only --diff-filter=AM base..HEAD -- \
		"$SELFTESTS_X86/*.c" |
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

# The tests make test also runs on the debug kernel: the series' selftests
# and the harness's tests whose script has a "# Debug-kernel: yes" line.
debug_tests()
{
	local t
	series_tests
	for t in $(harness_tests); do
		if grep -q '^# Debug-kernel: yes' "$TOP/harness/vm-tests/$t"; then
			echo "$t"
		fi
	done
}

# The test names of one of the base's gate lists (gate/BASE/): the first
# word of each line that is not a comment.  usage: list_tests list|flaky
list_tests()
{
	grep -v '^#' "$TOP/gate/$BASE/$1" | awk 'NF { print $1 }'
}

# Where this invocation's results go; make test's phases share one.
RUN_ID=${RUN_ID:-$(date +%Y%m%d-%H%M%S)}
OUTDIR=$RESULTS/$RUN_ID/$BASE

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
# Extract the release tarball TAR into DIR, made afresh, and apply the
# patch queue QUEUE/*.patch to it (the emulators' builds).
# usage: unpack_queue TAR DIR QUEUE
unpack_queue()
{
	local tar=$1 dir=$2 queue=$3 p
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tar" -C "$dir" --strip-components=1 --no-same-owner
	for p in "$queue"/*.patch; do
		[ -e "$p" ] || continue
		patch -d "$dir" -p1 --fuzz=0 --no-backup-if-mismatch -s <"$p" ||
			die "${p#"$TOP"/} does not apply to ${tar##*/}"
	done
}

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
# $OUTDIR/PLATFORM/KIND/results.tap and to stdout, labelled "BASE PLATFORM" for
# the series' run and "PLATFORM KIND" for the others (debug, gate, ...).
# A test the platform file names in NOT_RUN is reported as skipped, with
# the platform's NOT_RUN_WHY, unless TESTS= asked for it by name.
# usage: vm_run PLATFORM KIND KERNEL TEST...
vm_run()
{
	local platform=$1 kind=$2 kernel=$3 dir=$OUTDIR/$1/$2 label="$BASE $1"
	local initrd=$WORK/initramfs-$1-$2.cpio t run=() not_run=()
	local skip=" $([ -n "${TESTS:-}" ] || platform_get "$1" NOT_RUN) "
	shift 3
	[ "$kind" = series ] || label="$label $kind"
	for t; do
		case $skip in
		*" $t "*) not_run+=("$t") ;;
		*) run+=("$t") ;;
		esac
	done
	KERNEL=$kernel "$TOP/harness/make-initramfs.sh" "$WORK/selftests/install" "$initrd" \
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
SCRATCH=$WORK/scratch/linux
scratch_checkout()
{
	if [ ! -e "$SCRATCH/.git" ]; then
		mkdir -p "$WORK/scratch"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$SCRATCH" "$1"
	fi
	git -C "$SCRATCH" checkout -q -f --detach "$1"
	git -C "$SCRATCH" clean -q -f -d
}

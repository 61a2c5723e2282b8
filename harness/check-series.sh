#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the series: 'make mail' with a stand-in sender and
# git send-email --dry-run, checkpatch --strict on every patch, and
# sparse (C=2) on every kernel C file the series touches, where no warning
# may appear that the base does not have.  Needs the kernel of 'make run'.
. "$(dirname "$0")/lib.sh"

need sparse sparse
# checkpatch runs spdxcheck.py with the python3 on PATH; it needs Debian's (python3-ply).
export PATH=/usr/bin:$PATH
mkdir -p "$OUTDIR"
out=$OUTDIR/checks.tap
: >"$out"

# The patches as they are mailed (make mail): with a sender, the Signed-off-by
# that series/ leaves to them, To/Cc and the base.  A synthetic identity
# stands in for the sender; a placeholder one must be refused.
if MAIL_TEST_IDENTITY="Harness Dry Run <dry-run@harness.invalid>" \
	"$TOP/harness/mail-series.sh" >"$OUTDIR/mail.log" 2>&1; then
	echo "ok - mail: $(grep -c '^Dry-OK' "$WORK/mail/dry-run.log") mails pass git send-email --dry-run"
else
	echo "not ok - mail: $(grep -m1 '^error' "$OUTDIR/mail.log")"
fi | tee -a "$out"
printf '[user]\n\tname = %s\n\temail = %s\n' "$GIT_NAME" "$GIT_EMAIL" >"$OUTDIR/placeholder.gitconfig"
if GIT_CONFIG_GLOBAL=$OUTDIR/placeholder.gitconfig GIT_CONFIG_NOSYSTEM=1 \
	"$TOP/harness/mail-series.sh" >"$OUTDIR/mail-refused.log" 2>&1; then
	echo "not ok - mail: signed off as the placeholder $GIT_EMAIL"
else
	echo "ok - mail: refuses to sign off as the placeholder $GIT_EMAIL"
fi | tee -a "$out"

# checkpatch asks of every added file whether MAINTAINERS needs an update;
# that is answered below by get_maintainer.pl instead, per file.  The base
# is a release tarball in a one-commit tree, so checkpatch cannot look up
# the upstream commits that Fixes: tags name (UNKNOWN_COMMIT_ID); the tag's
# form is still checked.  The mailed copies are checked, as series/ has no
# Signed-off-by.
for p in "$WORK"/mail/[0-9][0-9][0-9][0-9]-*.patch; do
	case $p in */0000-*) continue ;; esac
	name=$(basename "$p")
	if report=$(cd "$TREE" && scripts/checkpatch.pl --strict -q \
			--ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID "$p" 2>&1) &&
		[ -z "$report" ]; then
		echo "ok - checkpatch: $name"
	else
		echo "not ok - checkpatch: $name"
		echo "$report" | sed 's/^/#   /'
	fi
done | tee -a "$out"

for f in $(git -C "$TREE" diff --name-only --diff-filter=A base..HEAD); do
	if (cd "$TREE" && scripts/get_maintainer.pl --no-git --no-rolestats -f "$f") |
		grep -q '^kvm@vger.kernel.org'; then
		echo "ok - maintained: $f"
	else
		echo "not ok - maintained: $f has no KVM entry in MAINTAINERS"
	fi
done | tee -a "$out"

files=$(git -C "$TREE" diff --name-only --diff-filter=AM base..HEAD -- '*.c' ':!tools/')
if [ -z "$files" ]; then
	echo "ok - sparse # SKIP the series touches no kernel C file" | tee -a "$out"
	exit 0
fi

# Sparse warnings of FILE in the tree SRC built in OUT, paths relative to
# SRC and without line numbers, so that the base's and the series' compare.
sparse_warnings()
{
	local src=$1 kout=$2 f=$3
	[ -f "$src/$f" ] || return 0
	make -s -C "$src" O="$kout" -j"$JOBS" C=2 CHECK="sparse" \
		CC="ccache gcc" "${f%.c}.o" 2>&1 |
		grep -E ': (warning|error):' |
		sed -E -e "s|^$src/||" -e 's/:[0-9]+:[0-9]+:/:/' | sort -u || true
}

scratch_checkout base
"$TOP/harness/build-kernel.sh" "$SCRATCH" "$WORK/scratch/kernel-test" \
	"$TOP/configs/test.config" >/dev/null
for f in $files; do
	sparse_warnings "$SCRATCH" "$WORK/scratch/kernel-test" "$f" >"$OUTDIR/sparse.base"
	sparse_warnings "$TREE" "$WORK/kernel-test" "$f" >"$OUTDIR/sparse.series"
	new=$(comm -13 "$OUTDIR/sparse.base" "$OUTDIR/sparse.series")
	if [ -n "$new" ]; then
		echo "not ok - sparse: $f"
		echo "$new" | sed 's/^/#   /'
	else
		echo "ok - sparse: $f ($(wc -l <"$OUTDIR/sparse.series") warnings, all on the base too)"
	fi
done | tee -a "$out"

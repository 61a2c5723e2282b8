#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the commits of build/BASE/linux after "base" back into the base's
# queue (bases/BASE's QUEUE) with git format-patch --cover-letter.  The cover letter's subject and text are
# kept: they are read from the old cover letter and handed to format-patch as
# the branch description.
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no build/$BASE/linux; run 'make tree' first"
git=(git -C "$TREE")
[ -z "$("${git[@]}" status --porcelain --untracked-files=no)" ] ||
	die "build/$BASE/linux has uncommitted changes; commit them first"
n=$("${git[@]}" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "build/$BASE/linux has no commits after base"

cover=$TOP/$QUEUE/0000-cover-letter.patch
desc=$WORK/cover-description
if [ -f "$cover" ]; then
	# Subject (unfolded, without the [PATCH 0/N] prefix), a blank line,
	# then the text up to the shortlog that format-patch appends.
	awk '
	/^Subject: / { sub(/^Subject: (\[[^]]*\] )?/, ""); subj = $0; insubj = 1; next }
	insubj && /^ / { sub(/^ /, ""); subj = subj " " $0; next }
	insubj { insubj = 0 }
	!body && /^$/ { body = 1; print subj; print ""; next }
	body && /^[^ ].* \([0-9]+\):$/ { exit }
	body { print }
	' "$cover" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$desc"
else
	printf '%s\n\n%s\n' "KVM: x86: interrupt and NMI injection fixes and selftests" \
		"*** BLURB HERE ***" >"$desc"
fi
branch=$("${git[@]}" symbolic-ref --short HEAD 2>/dev/null) ||
	die "build/$BASE/linux is not on a branch"
"${git[@]}" config "branch.$branch.description" "$(cat "$desc")"

tmp=$WORK/series.new
rm -rf "$tmp"
"${git[@]}" format-patch -q --no-signature --cover-letter --cover-from-description=subject \
	--subject-prefix="${SUBJECT_PREFIX:-PATCH}" --base=base -o "$tmp" base..HEAD
# An empty context line is written " ".  checkpatch run on a patch that git
# tracks (series/ in this repository) checks it as a plain file and calls
# that space trailing whitespace; git am, like GNU patch, takes an empty line
# as empty context, so write it that way.
sed -i 's/^ $//' "$tmp"/*.patch
rm -f "$TOP/$QUEUE"/[0-9][0-9][0-9][0-9]-*.patch
mkdir -p "$TOP/$QUEUE"
mv "$tmp"/*.patch "$TOP/$QUEUE/"
rmdir "$tmp"

# Record that the tree now matches series/, so 'make tree' leaves it be.
series=$(ls "$TOP/$QUEUE"/[0-9][0-9][0-9][0-9]-*.patch | grep -v /0000-)
echo "$(cat $series | sha256sum | cut -c1-16) $("${git[@]}" rev-parse HEAD)" \
	>"$TREE/.git/harness-series"
note "exported $n patches to $QUEUE/"

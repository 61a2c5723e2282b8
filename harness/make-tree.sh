#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make build/BASE/linux: a git tree with the base as one commit (tag "base")
# and the base's queue (bases/BASE's QUEUE) applied on top with git am, one
# commit per patch.
#
# Idempotent: a tree that already carries the current series is left alone,
# and so is one with local commits made since (the kernel work loop); a tree
# whose series changed underneath is rebuilt, unless it also has local work,
# which is never thrown away.
. "$(dirname "$0")/lib.sh"

# The base comes first, for make run, make deb and make tree alike:
# fetched and checked (idempotent), unless LINUX_SRC names a tree of its own.
[ -n "${LINUX_SRC:-}" ] || phase fetch "$TOP/harness/fetch-base.sh"
src=${LINUX_SRC:-$WORK/base}
[ -f "$src/Makefile" ] || die "no kernel tree at $src"
series=$(ls "$TOP/$QUEUE"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v /0000- || true)
sum=$(cat /dev/null $series | sha256sum | cut -c1-16)
stampf=$TREE/.git/harness-series
git=(git -C "$TREE")

if [ ! -d "$TREE/.git" ]; then
	note "creating build/$BASE/linux from $src"
	rm -rf "$TREE.new"
	mkdir -p "$TREE.new"
	rsync -a --exclude=/.git --exclude=/.harness-base-version "$src/" "$TREE.new/"
	# Debian's packaging appends "ignore everything at the top level" to
	# the top .gitignore and drops upstream's exceptions for dot-files; the
	# first hides new files, the second tracked ones: drop the rule, add
	# the whole tree with -f.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$TREE.new/.gitignore"
	version=$(make -s -C "$TREE.new" kernelversion)
	git -C "$TREE.new" init -q
	git -C "$TREE.new" config user.name "$GIT_NAME"
	git -C "$TREE.new" config user.email "$GIT_EMAIL"
	git -C "$TREE.new" add -A -f
	# A fixed date makes the base commit, and so the series' base-commit
	# trailer, the same on every machine.
	GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
		git -C "$TREE.new" commit -q -m "base: Linux $version" \
		-m "From ${LINUX_SRC:-$BASE_PACKAGE $BASE_VERSION}."
	git -C "$TREE.new" tag base
	mv "$TREE.new" "$TREE"
fi

[ -z "$("${git[@]}" status --porcelain --untracked-files=no)" ] ||
	die "build/$BASE/linux has uncommitted changes; commit them (then 'make export') first"

oldsum= oldhead=
[ -f "$stampf" ] && read -r oldsum oldhead <"$stampf"
head=$("${git[@]}" rev-parse HEAD)
if [ "${oldsum:-}" = "$sum" ]; then
	[ "$head" = "$oldhead" ] ||
		note "build/$BASE/linux has $("${git[@]}" rev-list --count "$oldhead..HEAD") commits not yet exported"
	exit 0
fi
if [ -n "${oldhead:-}" ] && [ "$head" != "$oldhead" ]; then
	die "$QUEUE/ changed and build/$BASE/linux has local commits too;" \
		"export them ('make export') or remove build/$BASE/linux"
fi

"${git[@]}" checkout -q --detach base
"${git[@]}" branch -q -f series base
"${git[@]}" checkout -q series
for p in $series; do
	if ! "${git[@]}" am -q --keep-cr "$p" >"$WORK/am.log" 2>&1; then
		"${git[@]}" am --abort >/dev/null 2>&1 || true
		cat "$WORK/am.log" >&2
		rm -f "$stampf"
		die "patch $(basename "$p") does not apply"
	fi
done
echo "$sum $("${git[@]}" rev-parse HEAD)" >"$stampf"
note "build/$BASE/linux: base + $(echo $series | wc -w) patches"

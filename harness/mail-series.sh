#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make mail: write series/ ready to send, as the person who sends it.
#
# The patches in series/ carry a neutral author and no Signed-off-by: the
# Developer's Certificate of Origin needs a real, reachable person.  This
# takes the sender's name and address from their git config (refusing an
# empty, placeholder or local one), makes them the author and adds their
# Signed-off-by, adds To/Cc from the kernel's own scripts/get_maintainer.pl
# and the base-commit line, and checks the result with
# 'git send-email --dry-run'.  Output: build/mail/*.patch, and the one
# command that sends them.
#
# The harness's own test runs this with MAIL_TEST_IDENTITY="Name <address>"
# set, which skips only the placeholder check.
. "$(dirname "$0")/lib.sh"

need git git
[ -x "$(git --exec-path)/git-send-email" ] ||
	die "'git send-email' not found: install the Debian package 'git-email'"
need perl perl

series=$(ls "$TOP/$QUEUE"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null) ||
	die "no patches in $QUEUE/"
[ -f "$TREE/scripts/get_maintainer.pl" ] ||
	die "no kernel tree in build/$BASE/linux; run 'make tree' first"

if [ -n "${MAIL_TEST_IDENTITY:-}" ]; then
	name=${MAIL_TEST_IDENTITY% <*}
	email=${MAIL_TEST_IDENTITY##*<}
	email=${email%>}
else
	name=$(git config user.name || true)
	email=$(git config user.email || true)
	[ -n "$name" ] && [ -n "$email" ] ||
		die "set your identity first: git config --global user.name 'Your Name';" \
			"git config --global user.email you@your.domain"
	domain=${email##*@}
	case $email in
	"$GIT_EMAIL" | *@*localhost* | *@*localdomain* | *.local | *.invalid | *.test | \
	*.example | *@example.com | *@example.org | *@example.net | *@*.example.com)
		die "'$email' is a placeholder or local address; a Signed-off-by needs" \
			"one that reaches you" ;;
	esac
	case $domain in
	*.*) ;;
	*) die "'$email' has no domain that mail can reach" ;;
	esac
	[ "$name" != "$GIT_NAME" ] || die "'$name' is the series' neutral author, not a person"
fi
from="$name <$email>"

out=$WORK/mail
rm -rf "$out"
mkdir -p "$out"
base=$(sed -n 's/^base-commit: //p' "$TOP/$QUEUE/0000-cover-letter.patch")
for p in $series; do
	f=$out/$(basename "$p")
	# The sender is the author: replace the neutral From: header, and sign
	# off after the last trailer (the line before the first '---').
	awk -v from="$from" -v neutral="$GIT_NAME <$GIT_EMAIL>" '
	!hdr && /^From: / { print "From: " from; next }
	!hdr && /^$/ { hdr = 1 }
	hdr && !done && /^---$/ {
		if (p != "" && p !~ /^[A-Za-z-]+: /)
			print ""
		print "Signed-off-by: " from
		done = 1
	}
	{ if ($0 ~ /^Signed-off-by: / && index($0, neutral)) next; print; p = $0 }
	' "$p" >"$f"
	case $f in
	*/0000-*)
		# The cover letter has no '---': sign nothing, name the base.
		grep -q '^base-commit: ' "$f" || echo "base-commit: $base" >>"$f" ;;
	*)
		grep -q "^Signed-off-by: $from\$" "$f" || die "could not sign off $(basename "$f")" ;;
	esac
done

# get_maintainer.pl reads MAINTAINERS and the paths each patch touches.
gm=(perl "$TREE/scripts/get_maintainer.pl" --no-git --no-git-fallback
	--no-rolestats)
patches=$(ls "$out"/*.patch | grep -v /0000-)
to=$(cd "$TREE" && "${gm[@]}" --no-l $patches | paste -sd, -)
cc=$(cd "$TREE" && "${gm[@]}" --no-m --no-r $patches | paste -sd, -)
[ -n "$to" ] || die "get_maintainer.pl named no maintainer"
printf '%s\n' "$to" >"$out/to"
printf '%s\n' "$cc" >"$out/cc"

send=(git send-email --from="$from" --to="$to" --cc="$cc" --suppress-cc=self
	--confirm=never --8bit-encoding=UTF-8 "$out"/*.patch)
(cd "$out" && "${send[@]}" --dry-run >"$out/dry-run.log" 2>&1) || {
	tail -20 "$out/dry-run.log" >&2
	die "git send-email --dry-run failed, see $out/dry-run.log"
}
grep -q '^Dry-OK' "$out/dry-run.log" ||
	die "git send-email --dry-run sent nothing, see $out/dry-run.log"
note "$(ls "$out"/*.patch | wc -l) mails from $from in $out; dry run: $out/dry-run.log"
printf 'To send them:\n  cd %s && git send-email --from="%s" --to="%s" --cc="%s" *.patch\n' \
	"$out" "$from" "$to" "$cc"

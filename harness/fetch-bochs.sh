#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Download the orig tarball of the pinned Bochs source package
# (emulators/bochs/bochs.conf) into build/dl and check its sha256.  The
# release that has it is not in the machine's apt sources, so apt runs with
# a private sources list (a deb-src entry for $BOCHS_SUITE, on the URI the
# machine uses for Debian's main archive) and private lists in build/apt-bochs.
. "$(dirname "$0")/lib.sh"
. "$TOP/emulators/bochs/bochs.conf"

need apt apt-get

dl=$BUILD/dl
tar=$dl/$BOCHS_TAR
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -s "$tar" ] && [ "$(sha "$tar")" = "$BOCHS_TAR_SHA256" ]; then
	note "$BOCHS_TAR: present, sha256 matches"
	exit 0
fi

# The machine's URI for Debian's main archive: the first deb entry whose
# suites include its own release (not -security, -updates, ...).
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "cannot tell this machine's Debian release from /etc/os-release"
uri=$(awk -v rel="$codename" '
	function stanza() { if (deb && suite && u != "" && !done) { print u; done = 1; exit } deb = suite = 0; u = "" }
	FNR == 1 || /^[ \t]*$/ { stanza() }
	tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
	tolower($1) == "uris:" { u = $2 }
	tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == rel) suite = 1 }
	END { stanza() }' /dev/null /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$uri" ]; then
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed 's/\[[^]]*\]//' |
		awk -v rel="$codename" '$1 == "deb" && $3 == rel { print $2; exit }')
fi
[ -n "$uri" ] || die "no deb entry for '$codename' in /etc/apt/sources.list{,.d/*}:" \
	"cannot tell which Debian mirror to fetch $BOCHS_PACKAGE from"

aptdir=$BUILD/apt-bochs
mkdir -p "$aptdir/lists/partial" "$dl"
echo "deb-src $uri $BOCHS_SUITE main" >"$aptdir/sources.list"
apt_opts=(-o Dir::Etc::sourcelist="$aptdir/sources.list" -o Dir::Etc::sourceparts=-
	-o Dir::State::Lists="$aptdir/lists" -o APT::Get::List-Cleanup=0)

note "downloading $BOCHS_PACKAGE $BOCHS_VERSION source ($BOCHS_SUITE, $uri)"
apt-get "${apt_opts[@]}" update >"$aptdir/apt.log" 2>&1 ||
	{ cat "$aptdir/apt.log" >&2; die "apt-get update for $BOCHS_SUITE sources failed"; }
# The .dsc of this version answers 404, so apt-get source may fail after
# fetching the tarballs; what counts is the orig tarball and its checksum.
rm -f "$tar"
(cd "$dl" && apt-get "${apt_opts[@]}" source --download-only \
	"$BOCHS_PACKAGE=$BOCHS_VERSION") >>"$aptdir/apt.log" 2>&1 || true
rm -f "$dl/${BOCHS_PACKAGE}_$BOCHS_VERSION".*	# the Debian packaging: not used
if [ ! -s "$tar" ]; then
	cat "$aptdir/apt.log" >&2
	die "$BOCHS_TAR was not downloaded ($BOCHS_PACKAGE $BOCHS_VERSION gone from $BOCHS_SUITE?)"
fi
got=$(sha "$tar")
if [ "$got" != "$BOCHS_TAR_SHA256" ]; then
	rm -f "$tar"
	die "sha256 mismatch for $BOCHS_TAR: got $got, want $BOCHS_TAR_SHA256 (file removed)"
fi
note "$BOCHS_TAR: downloaded to build/dl, sha256 matches"

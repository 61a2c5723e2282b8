#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Download the base's kernel source package (bases/BASE: package, version,
# suite, checksums), check it, and extract the kernel tree into
# build/BASE/base.  The suite is reached through a private sources list on
# the machine's own mirror (lib.sh's apt_suite).  Nothing is replaced until
# the new tree is complete, so an interrupted run leaves the old one intact.
. "$(dirname "$0")/lib.sh"

need apt apt-get
need xz-utils xz

stamp=$WORK/base/.harness-base-version
[ "$(cat "$stamp" 2>/dev/null)" = "$BASE_VERSION" ] && exit 0

dl=$BUILD/dl
mkdir -p "$dl"
deb=$dl/${BASE_PACKAGE}_${BASE_VERSION/:/%3a}_all.deb
if [ ! -s "$deb" ]; then
	note "downloading $BASE_PACKAGE $BASE_VERSION ($BASE_SUITE)"
	apt_suite deb "$BASE_SUITE"
	if ! (cd "$dl" && apt-get "${APT_OPTS[@]}" download "$BASE_PACKAGE=$BASE_VERSION") \
		>"$dl/apt.log" 2>&1; then
		newest=$(apt-cache "${APT_OPTS[@]}" madison "$BASE_PACKAGE" 2>/dev/null |
			awk -F'|' 'NR == 1 { gsub(/ /, "", $2); print $2 }')
		cat "$dl/apt.log" >&2
		die "$BASE_PACKAGE $BASE_VERSION cannot be downloaded from $BASE_SUITE" \
			"(not in the registry any more?);" \
			"newest available: ${newest:-none}; pick it with BASE_VERSION=$newest"
	fi
fi

check()
{
	local file=$1 want=$2 got
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$BASE_VERSION" != "$PINNED_VERSION" ]; then
		note "unpinned base $BASE_VERSION: sha256 $(basename "$file") $got"
	elif [ "$got" != "$want" ]; then
		rm -f "$file"
		die "sha256 mismatch for $(basename "$file"): got $got, want $want (file removed)"
	fi
}

check "$deb" "$BASE_DEB_SHA256"
tarname=$BASE_PACKAGE.tar.xz
tar=$dl/$BASE_PACKAGE-$BASE_VERSION.tar.xz
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$tarname" >"$tar.part"
mv "$tar.part" "$tar"
check "$tar" "$BASE_TAR_SHA256"

rm -rf "$WORK/base.new"
mkdir -p "$WORK/base.new"
tar -xJf "$tar" -C "$WORK/base.new" --strip-components=1
echo "$BASE_VERSION" >"$WORK/base.new/.harness-base-version"
rm -rf "$WORK/base"
mv "$WORK/base.new" "$WORK/base"
rm -f "$tar"
note "base $BASE_VERSION extracted to build/$BASE/base"

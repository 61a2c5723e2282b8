#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch (harness/fetch-bochs.sh) and build the pinned Bochs
# (emulators/bochs/bochs.conf) with the project's fix queue
# (emulators/bochs/patches/*.patch, applied with patch -p1) and install it
# into build/bochs.  The source tree build/bochs-src is extracted afresh
# whenever the tarball, the queue or the configure flags change; otherwise
# nothing is done.
. "$(dirname "$0")/lib.sh"
. "$TOP/emulators/bochs/bochs.conf"

need xz-utils xz
need patch patch
need make make
need gcc gcc
need g++ g++

tar=$BUILD/dl/$BOCHS_TAR
src=$BUILD/bochs-src
prefix=$BUILD/bochs
bin=$prefix/bin/bochs
"$TOP/harness/fetch-bochs.sh"

# What the build depends on: the tarball, the queue and the flags.
key=$({ sha256sum "$tar" | cut -d' ' -f1
	for p in "$TOP"/emulators/bochs/patches/*.patch; do
		echo "${p##*/}"; cat "$p"
	done
	echo "$BOCHS_CONFIGURE_FLAGS"; } | sha256sum | cut -d' ' -f1)

if [ "$(cat "$prefix/.harness-bochs" 2>/dev/null)" = "$key" ] && [ -x "$bin" ]; then
	note "bochs up to date: $bin"
	exit 0
fi

if [ "$(cat "$src/.harness-bochs" 2>/dev/null)" != "$key" ]; then
	note "extracting $BOCHS_TAR and applying emulators/bochs/patches"
	rm -rf "$src" "$prefix"
	unpack_queue "$tar" "$src.new" "$TOP/emulators/bochs/patches"
	note "configuring (prefix build/bochs)"
	# shellcheck disable=SC2086 # the flags are words
	(cd "$src.new" && ./configure --prefix="$prefix" $BOCHS_CONFIGURE_FLAGS) \
		>"$src.new/harness-configure.log" 2>&1 ||
		{ tail -30 "$src.new/harness-configure.log" >&2
		  die "bochs configure failed (log: build/bochs-src.new/harness-configure.log)"; }
	echo "$key" >"$src.new/.harness-bochs"
	mv "$src.new" "$src"
fi

note "building bochs ($JOBS jobs)"
make -C "$src" -j"$JOBS" >"$src/harness-make.log" 2>&1 ||
	{ tail -30 "$src/harness-make.log" >&2
	  die "bochs build failed (log: build/bochs-src/harness-make.log)"; }
make -C "$src" install >"$src/harness-install.log" 2>&1 ||
	{ tail -30 "$src/harness-install.log" >&2
	  die "bochs install failed (log: build/bochs-src/harness-install.log)"; }
[ -x "$bin" ] || die "make install left no $bin"
echo "$key" >"$prefix/.harness-bochs"
note "bochs built: $bin"

#!/bin/bash
# The unit tests that hold on any host, built for aarch64 and run under
# qemu-user: the pure /proc parsers, the escape, and the architecture table
# (src/arch), whose host row is then aarch64's, so a process's row, its
# ABI and the decoders are checked as an aarch64 pinspect would see them.
# The same test sources as tests/unit, against a small stand-in for Check
# (tests/cross/check.h), which an aarch64 sysroot does not have.
#
# Needs a compiler for aarch64 and qemu: aarch64-linux-gnu-gcc, or clang
# with the aarch64 C library and binutils (Debian: clang,
# libc6-dev-arm64-cross, libgcc-12-dev-arm64-cross,
# binutils-aarch64-linux-gnu; unlike gcc-aarch64-linux-gnu, these can be
# installed beside gcc-multilib, which the 32-bit helpers need), and
# qemu-user. Without them it says so and skips. (pinspect itself does not
# build for aarch64 yet: doc/design.md, Architectures.)
set -u
: "${abs_top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
qemu=${QEMU_AARCH64:-qemu-aarch64}

if [ -n "${AARCH64_CC:-}" ]; then
	read -r -a cc <<<"$AARCH64_CC"
elif command -v aarch64-linux-gnu-gcc >/dev/null; then
	cc=(aarch64-linux-gnu-gcc)
elif command -v clang >/dev/null && command -v aarch64-linux-gnu-ld >/dev/null \
	&& [ -e /usr/aarch64-linux-gnu/include/stdio.h ]; then
	cc=(clang --target=aarch64-linux-gnu)
else
	cc=()
fi
if [ "${#cc[@]}" = 0 ] || ! command -v "${cc[0]}" >/dev/null; then
	echo "1..0 # SKIP no compiler for aarch64 (Debian: clang libc6-dev-arm64-cross libgcc-12-dev-arm64-cross binutils-aarch64-linux-gnu, or gcc-aarch64-linux-gnu)"
	exit 0
fi
if ! command -v "$qemu" >/dev/null; then
	echo "1..0 # SKIP no $qemu to run the aarch64 build (Debian: qemu-user)"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pinspect-aarch64.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
s=$abs_top_srcdir
sources=(
	tests/cross/main.c tests/unit/fixture.c
	tests/unit/test_scan.c tests/unit/test_status.c tests/unit/test_stat.c
	tests/unit/test_sched.c tests/unit/test_maps.c tests/unit/test_lists.c
	tests/unit/test_escape.c tests/unit/test_arch.c tests/unit/test_tls_layout.c
	src/arch/arch.c src/arch/x86.c src/arch/aarch64.c src/sys/abi.c
	src/tls/layout.c src/tls/threadlist.c src/tls/bounds.c src/util/deadline.c
	src/proc/scan.c src/proc/stat.c src/proc/status.c src/proc/sched.c src/proc/maps.c
	src/proc/lists.c src/proc/reader.c src/proc/memory.c src/util/buf.c src/util/escape.c src/util/xalloc.c src/util/strpool.c
	src/util/fmt.c src/render/jsonw.c src/analysis/vma.c
)
# Static: qemu then needs no aarch64 dynamic loader or libraries.
if ! "${cc[@]}" -static -std=gnu11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -DPI_UNIT_PORTABLE \
	-DPI_FIXTURES="\"$s/tests/fixtures\"" -I"$s/tests/cross" -I"$s/tests/unit" -I"$s/src" \
	-I"$abs_top_builddir" -o "$tmp/unit-aarch64" "${sources[@]/#/$s/}" 2>"$tmp/cc.err"; then
	echo "not ok 1 - the portable unit tests build for aarch64"
	sed 's/^/#   /' "$tmp/cc.err" | head -40
	echo "1..1"
	exit 1
fi
# Then every source of pinspect compiles for aarch64: no register,
# constant or call of x86-64 outside src/arch. A syntax check only: the
# libraries' aarch64 headers are not installed, so the host's stand in
# (their declarations are the same on both), after the aarch64 C
# library's own.
syntax() {
	local f bad=0
	for f in $(grep -o 'src/[a-z_/0-9]*\.c' "$s/Makefile.am" | sort -u); do
		if ! "${cc[@]}" -fsyntax-only -std=gnu11 -Wall -Werror -D_GNU_SOURCE \
			-include "$abs_top_builddir/config.h" -I"$abs_top_builddir" -I"$s/src" \
			-idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu \
			$(pkg-config --cflags libproc2 ncursesw json-c 2>/dev/null) "$s/$f" 2>>"$tmp/syntax.err"; then
			bad=1
		fi
	done
	return $bad
}

"$qemu" "$tmp/unit-aarch64" | sed '/^1\.\.[0-9]*$/d' >"$tmp/tap"
status=${PIPESTATUS[0]}
cat "$tmp/tap"
n=$(grep -c '^\(not \)\?ok ' "$tmp/tap")
if [ "${cc[0]}" != clang ]; then
	echo "ok $((n + 1)) - every source compiles for aarch64 # SKIP only clang can borrow the host's library headers"
elif syntax; then
	echo "ok $((n + 1)) - every source compiles for aarch64 (syntax, with the host's library headers)"
else
	echo "not ok $((n + 1)) - every source compiles for aarch64 (syntax, with the host's library headers)"
	sed 's/^/#   /' "$tmp/syntax.err" | head -40
	status=1
fi
echo "1..$((n + 1))"
exit "$status"

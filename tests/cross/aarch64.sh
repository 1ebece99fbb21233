#!/bin/bash
# pinspect built for aarch64 and run under qemu-user.
#
# With the arm64 libraries installed beside the host's (Debian multiarch:
# dpkg --add-architecture arm64, then libproc2-dev:arm64 libdw-dev:arm64
# libelf-dev:arm64 libseccomp-dev:arm64 libjson-c-dev:arm64
# libncurses-dev:arm64 check:arm64; ./bootstrap installs them): configure
# --host=aarch64-linux-gnu in a build directory of its own, pinspect and
# the unit runner built (nothing else, to keep CI short), then run under
# qemu-aarch64: --help, --version and --list-columns say what the x86-64
# build says; a --no-ptrace snapshot of a real process and a --zombies
# scan agree with the x86-64 build's on what both must see; and the whole
# unit suite runs, its host row aarch64's. A test that cannot hold under
# qemu-user, or on an aarch64 host with a capture from x86-64, is listed
# below with why, and reported as skipped, never as passed.
#
# Without those libraries: the unit tests that need none (the /proc
# parsers, the escape, the architecture table, the TLS layouts), built
# static against a small stand-in for Check (tests/cross/check.h), and a
# syntax check of every source with the host's library headers.
#
# Needs a compiler for aarch64 and qemu: clang with the aarch64 C library
# and binutils (Debian: clang, libc6-dev-arm64-cross,
# libgcc-12-dev-arm64-cross, binutils-aarch64-linux-gnu; unlike
# gcc-aarch64-linux-gnu, these can be installed beside gcc-multilib, which
# the 32-bit helpers need), or aarch64-linux-gnu-gcc; and qemu-user.
# Without them it says so and skips.
. "$(dirname "$0")/../cli/lib.sh"
qemu=${QEMU_AARCH64:-qemu-aarch64}
s=$abs_top_srcdir

if [ "${PINSPECT_VALGRIND:-}" = 1 ]; then
	echo "1..0 # SKIP the aarch64 build runs under qemu, not valgrind (make check runs it)"
	exit 0
fi
if [ -n "${AARCH64_CC:-}" ]; then
	read -r -a cc <<<"$AARCH64_CC"
elif command -v clang >/dev/null && command -v aarch64-linux-gnu-ld >/dev/null \
	&& [ -e /usr/aarch64-linux-gnu/include/stdio.h ]; then
	cc=(clang --target=aarch64-linux-gnu)
elif command -v aarch64-linux-gnu-gcc >/dev/null; then
	cc=(aarch64-linux-gnu-gcc)
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

arm64_pkgs="libproc2 libdw libelf libseccomp json-c ncursesw check"
arm64_pc=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
have_arm64_libs() {
	# shellcheck disable=SC2086
	PKG_CONFIG_LIBDIR=$arm64_pc pkg-config --exists $arm64_pkgs \
		&& [ -e /usr/include/aarch64-linux-gnu/bits/types.h ] \
		&& [ -e /lib/ld-linux-aarch64.so.1 ]
}

# Unit tests that cannot hold here, as "suite case:test" patterns, with
# why. qemu-user runs a program's system calls, not the kernel's whole
# interface: it cannot install a seccomp filter (so no sandbox can be set
# up), has no sock_diag netlink (nor process_vm_readv, which
# proc/memory.c replaces with /proc/PID/mem), and a process it
# runs is, to /proc, qemu itself (x86-64 system calls, qemu's memory). And
# some tests hold captures from an x86-64 host, whose system call numbers
# an aarch64 pinspect names by its own table, as it must for its own
# processes.
known_limits=(
	"confined:*|qemu-user cannot install seccomp filters: the sandbox is not set up"
	"broker:*|qemu-user cannot install seccomp filters: the sandbox is not set up"
	"child:*|qemu-user cannot install seccomp filters: the sandbox is not set up"
	"vdso:a_real_vdso_in_the_sandbox|qemu-user cannot install seccomp filters: the sandbox is not set up"
	"vdso:a_failing_decoder_costs_only_the_vdso|qemu-user cannot install seccomp filters: the sandbox is not set up"
	"scan:pipe_cycle_found|a process qemu-user runs is qemu to /proc: its system calls are x86-64's"
	"kernel_lock:sockdiag_child_signalled|qemu-user has no sock_diag netlink"
	"syscall:captured_nanosleep|an x86-64 capture: its system call numbers are not aarch64's"
	"syscall:names_per_abi|checks x86-64's numbers as the host's own"
	"render:snapshot_text_and_json|golden files from an x86-64 capture: system calls by x86-64's numbers"
	"snapshot_view:summary_first_and_hostile_child|an x86-64 capture: its system call numbers are not aarch64's"
)
known_limit() {
	local entry
	for entry in "${known_limits[@]}"; do
		# shellcheck disable=SC2053
		if [[ $1 == ${entry%%|*} ]]; then
			echo "${entry#*|}"
			return 0
		fi
	done
	return 1
}

# --- Without the arm64 libraries: the portable unit tests only. ----------
portable() {
	local sources=(
		tests/cross/main.c tests/unit/fixture.c
		tests/unit/test_scan.c tests/unit/test_status.c tests/unit/test_stat.c
		tests/unit/test_sched.c tests/unit/test_maps.c tests/unit/test_lists.c
		tests/unit/test_escape.c tests/unit/test_arch.c tests/unit/test_tls_layout.c
		src/arch/arch.c src/arch/x86.c src/arch/aarch64.c src/sys/abi.c
		src/tls/layout.c src/tls/threadlist.c src/tls/bounds.c src/util/deadline.c
		src/proc/scan.c src/proc/stat.c src/proc/status.c src/proc/sched.c src/proc/maps.c
		src/proc/lists.c src/proc/reader.c src/proc/memory.c src/util/buf.c src/util/escape.c
		src/util/xalloc.c src/util/strpool.c src/util/fmt.c src/render/jsonw.c
		src/analysis/vma.c
	)
	# Static: qemu then needs no aarch64 dynamic loader or libraries.
	if ! "${cc[@]}" -static -std=gnu11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -DPI_UNIT_PORTABLE \
		-DPI_FIXTURES="\"$s/tests/fixtures\"" -I"$s/tests/cross" -I"$s/tests/unit" -I"$s/src" \
		-I"$abs_top_builddir" -o "$TEST_TMP/unit-aarch64" "${sources[@]/#/$s/}" 2>"$TEST_TMP/cc.err"; then
		not_ok "the portable unit tests build for aarch64" "$(head -40 "$TEST_TMP/cc.err")"
		return
	fi
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "aarch64 (portable): ${line#ok * - }" ;;
		"not ok "*) not_ok "aarch64 (portable): ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < <("$qemu" "$TEST_TMP/unit-aarch64")
	# Then every source of pinspect compiles for aarch64: a syntax check
	# only, the host's library headers standing in for the arm64 ones
	# (their declarations are the same on both).
	if [ "${cc[0]}" != clang ]; then
		skip "every source compiles for aarch64" "only clang can borrow the host's library headers"
		return
	fi
	local f bad=0
	for f in $(grep -o 'src/[a-z_/0-9]*\.c' "$s/Makefile.am" | sort -u); do
		# shellcheck disable=SC2046
		"${cc[@]}" -fsyntax-only -std=gnu11 -Wall -Werror -D_GNU_SOURCE \
			-include "$abs_top_builddir/config.h" -I"$abs_top_builddir" -I"$s/src" \
			-idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu \
			$(pkg-config --cflags libproc2 ncursesw json-c 2>/dev/null) "$s/$f" \
			2>>"$TEST_TMP/syntax.err" || bad=1
	done
	if [ "$bad" = 0 ]; then
		ok "every source compiles for aarch64 (syntax, with the host's library headers)"
	else
		not_ok "every source compiles for aarch64 (syntax, with the host's library headers)" \
			"$(head -40 "$TEST_TMP/syntax.err")"
	fi
}

if ! have_arm64_libs; then
	skip "pinspect built for aarch64 and run under qemu" \
		"no arm64 libraries (Debian: dpkg --add-architecture arm64; apt-get install libproc2-dev:arm64 libdw-dev:arm64 libelf-dev:arm64 libseccomp-dev:arm64 libjson-c-dev:arm64 libncurses-dev:arm64 check:arm64)"
	portable
	done_testing
	exit
fi

# --- configure --host=aarch64-linux-gnu, in a directory of its own. ------
# The source tree may be configured for the host in place, which a second,
# out-of-tree configure refuses: it gets a copy of what the build reads
# (timestamps kept, so that make regenerates nothing).
src=$TEST_TMP/src build=$TEST_TMP/build
mkdir -p "$src" "$build"
(
	cd "$s" &&
	cp -p --parents configure configure.ac aclocal.m4 Makefile.am Makefile.in config.h.in \
		tests/Makefile.inc fuzz/Makefile.inc build-aux/* man/pinspect.1 "$src/" &&
	find src tests/unit tests/cross -name '*.[ch]' -exec cp -p --parents -t "$src/" {} + &&
	cp -rp --parents tests/fixtures tests/expected "$src/" &&
	chmod -R u+w "$src"	# a read-only source tree (make distcheck): still removable
) || { echo "Bail out! could not copy the sources to $src"; exit 99; }
started=$(date +%s)
# -O1 without debug information: about a quarter less to compile than
# the default -O2 -g, for a unit run a few seconds slower under qemu.
if (cd "$build" && "$src/configure" -q --host=aarch64-linux-gnu CC="${cc[*]}" CFLAGS="-O1 -g0" \
	PKG_CONFIG_LIBDIR="$arm64_pc" >"$TEST_TMP/configure.log" 2>&1 \
	&& env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${PI_MAKE:-make} -j2 pinspect tests/unit/unit \
		>"$TEST_TMP/make.log" 2>&1); then
	ok "configure --host=aarch64-linux-gnu; pinspect and the unit runner build ($(($(date +%s) - started)) s)"
else
	not_ok "configure --host=aarch64-linux-gnu; pinspect and the unit runner build" \
		"$(tail -30 "$TEST_TMP/configure.log" "$TEST_TMP/make.log" 2>/dev/null)"
	done_testing
	exit
fi
arm=$build/pinspect
check "the binary is aarch64's" bash -c "readelf -h '$arm' | grep -q 'Machine: *AArch64'"

# --- pinspect under qemu, against the x86-64 build. ----------------------
same_output() {
	local what=$1
	shift
	"$qemu" "$arm" "$@" >"$TEST_TMP/arm.out" 2>&1
	local arm_status=$?
	"$PINSPECT_BIN" "$@" >"$TEST_TMP/x86.out" 2>&1
	local x86_status=$?
	if [ "$arm_status" = "$x86_status" ] && cmp -s "$TEST_TMP/arm.out" "$TEST_TMP/x86.out"; then
		ok "aarch64 $what: the same output and status as x86-64's"
	else
		not_ok "aarch64 $what: the same output and status as x86-64's" \
			"status $arm_status (x86-64: $x86_status)" \
			"$(diff "$TEST_TMP/x86.out" "$TEST_TMP/arm.out" | head -20)"
	fi
}
same_output "--version" --version
same_output "--help" --help
same_output "--list-columns" --list-columns

# What both must see of a real process, read from /proc: its identity, and
# each thread's state and wait channel. (Not its system calls: to an
# aarch64 pinspect an x86-64 process is of no ABI it knows, as none can
# run on an aarch64 kernel; it says so rather than misname them.)
facts='{pid, ppid, comm, cmdline, exe, users, threads: [.threads[] | {tid, comm, state, wchan}]}'
start_helper pi-threads -n 2 -d 2
"$qemu" "$arm" --json --no-ptrace "$HELPER_PID" >"$TEST_TMP/arm.json" 2>"$TEST_TMP/err"
status=$?
cp "$TEST_TMP/arm.json" "$TEST_TMP/out"
if [ "$status" = 0 ]; then ok "aarch64 --json --no-ptrace PID: exit 0"; else
	not_ok "aarch64 --json --no-ptrace PID: exit 0" "status $status" "$(head -c 2000 "$TEST_TMP/err")"; fi
jq_check "aarch64 --json --no-ptrace: the helper's three threads, asleep; an x86-64 process's ABI unknown there" \
	'(.threads | length) == 3 and ([.threads[] | .state.code == "S"] | all) and .abi == null'
"$PINSPECT_BIN" --json --no-ptrace "$HELPER_PID" >"$TEST_TMP/x86.json" 2>/dev/null
if jq -S "$facts" "$TEST_TMP/arm.json" >"$TEST_TMP/arm.facts" 2>&1 \
	&& jq -S "$facts" "$TEST_TMP/x86.json" >"$TEST_TMP/x86.facts" 2>&1 \
	&& cmp -s "$TEST_TMP/arm.facts" "$TEST_TMP/x86.facts"; then
	ok "aarch64 --json --no-ptrace: the process and its threads as x86-64's build sees them"
else
	not_ok "aarch64 --json --no-ptrace: the process and its threads as x86-64's build sees them" \
		"$(diff "$TEST_TMP/x86.facts" "$TEST_TMP/arm.facts" | head -30)"
fi
kill -KILL "$HELPER_PID"

# A scan: the zombies a helper holds, found by both.
start_helper pi-zombies 3
holder=$HELPER_PID
read -r -a zombies < <(sed -n 2p "$HELPER_OUT")
zlist=$(printf '%s\n' "${zombies[@]}" | sort -n | paste -sd,)
"$qemu" "$arm" --zombies --json >"$TEST_TMP/out" 2>"$TEST_TMP/err"
status=$?
if [ "$status" = 1 ]; then ok "aarch64 --zombies: exit 1 when a parent holds zombies"; else
	not_ok "aarch64 --zombies: exit 1 when a parent holds zombies" "status $status" \
		"$(head -c 2000 "$TEST_TMP/err")"; fi
jq_check "aarch64 --zombies --json: the helper's three zombies, by their parent" \
	'[.findings[] | select(.kind == "zombie_parent" and .pid == $h)] | length == 1 and .[0].pids == $z' \
	--argjson h "$holder" --argjson z "[$zlist]"
kill -KILL "$holder"

# --- The unit suite, its host row aarch64's. ------------------------------
# Emulated, it runs some ten times slower: Check's per-test time limits
# are stretched to match (they bound a hang, not speed).
CK_TAP_LOG_FILE_NAME=$TEST_TMP/unit.tap CK_TIMEOUT_MULTIPLIER=20 \
	"$qemu" "$build/tests/unit/unit" >"$TEST_TMP/unit.out" 2>&1
if ! grep -q . "$TEST_TMP/unit.tap" 2>/dev/null; then
	not_ok "aarch64 unit tests ran" "$(tail -20 "$TEST_TMP/unit.out")"
fi
# Check's TAP: "ok N - FILE:CASE:TEST: message".
while IFS= read -r line; do
	rest=${line#*- }
	rest=${rest#*:}
	name=${rest%%: *}
	case $line in
	"ok "*) ok "aarch64 unit: $name" ;;
	"not ok "*)
		if why=$(known_limit "$name"); then
			skip "aarch64 unit: $name" "$why"
		else
			not_ok "aarch64 unit: $name" "${rest#*: }"
		fi
		;;
	esac
done <"$TEST_TMP/unit.tap"
done_testing

#!/bin/bash
# A process in a container of its own (an unprivileged user and mount
# namespace, its root pivoted to a tmpfs) turns hostile about the files it
# maps: it covers its library's directory with a tmpfs holding symbolic
# links to the host's files, which only root may read: another ELF, with
# names of its own all over, in place of the library, and the library's
# real debug file (build-id and CRC match) in place of its debug link.
# pinspect must never open either (strace -y shows every path opened and
# where it led), never print their names or source lines, and still name
# the library's functions, from the mapping itself (/proc/PID/map_files).
# Run as the process's owner, without map_files, pinspect opens the path
# inside the container's root, which leads nowhere out of it.
. "$(dirname "$0")/lib.sh"

as_nobody=(setpriv --reuid=nobody --regid="$(id -g nobody 2>/dev/null)" --clear-groups)
if ! need_root "container files: the host files must be root's"; then
	done_testing
	exit
fi
if ! "${as_nobody[@]}" unshare -Urm true 2>/dev/null; then
	skip "container files" "unshare -Urm as nobody fails: unprivileged user namespaces are disabled here"
	done_testing
	exit
fi
if ! command -v strace >/dev/null; then
	not_ok "strace is installed (a test dependency)"
	done_testing
	exit
fi
PINSPECT_TIMEOUT=60
[ "${PINSPECT_VALGRIND:-}" = 1 ] && PINSPECT_TIMEOUT=600

chmod 755 "$TEST_TMP"
host=$TEST_TMP/host
mkdir -m 755 "$host"
cp "$HELPERS/libpi-secret.so" "$host/"
objcopy --only-keep-debug "$HELPERS/libpi-linked.so" "$host/libpi-linked.debug"
chmod 600 "$host/libpi-secret.so" "$host/libpi-linked.debug"

# The container's files, as nobody prepares them: the library stripped,
# linked to libpi-linked.debug.
stage=$TEST_TMP/stage
ct=$TEST_TMP/ct
mkdir -m 755 "$stage" "$ct"
chown nobody "$stage" "$ct"
"${as_nobody[@]}" sh -e -c '
	cp "$1/libpi-linked.so" "$1/pi-dlopen" "$2/"
	strip --strip-all "$2/libpi-linked.so"
	objcopy --add-gnu-debuglink="$3/libpi-linked.debug" "$2/libpi-linked.so" 2>/dev/null \
		|| { objcopy --only-keep-debug "$1/libpi-linked.so" "$2/libpi-linked.debug"
		     objcopy --add-gnu-debuglink="$2/libpi-linked.debug" "$2/libpi-linked.so"
		     rm "$2/libpi-linked.debug"; }' sh "$HELPERS" "$stage" "$host" \
	|| { echo "Bail out! cannot prepare the container's library"; exit 99; }

cat >"$TEST_TMP/enter.sh" <<'SCRIPT'
# As root of a new user and mount namespace: a tmpfs as /, the host's /usr
# bound in for libc (and /proc, which umount reads), and pi-dlopen with its
# library in /app. The host's root is then unmounted: nothing of it is left
# in the container but /usr and /proc.
set -e
ct=$1 stage=$2 host=$3
mount -t tmpfs -o mode=755 none "$ct"
mkdir "$ct/usr" "$ct/proc" "$ct/app" "$ct/old"
mount --rbind /usr "$ct/usr"
mount --rbind /proc "$ct/proc"
ln -s usr/lib "$ct/lib"
ln -s usr/lib64 "$ct/lib64"
cp "$stage/pi-dlopen" "$stage/libpi-linked.so" "$ct/app/"
cd "$ct"
pivot_root . old
cd /
umount -l /old
exec /app/pi-dlopen /app/libpi-linked.so "libpi-linked.so=$host/libpi-secret.so" \
	"libpi-linked.debug=$host/libpi-linked.debug"
SCRIPT
start_program "${as_nobody[@]}" unshare -Urm sh "$TEST_TMP/enter.sh" "$ct" "$stage" "$host"
pid=$HELPER_PID
track "$pid"	# the helper, once the shell exec'd it

check "the library's path, as the process's maps name it, now leads to the host's file" \
	bash -c "grep -q ' /app/libpi-linked.so\$' /proc/$pid/maps \
		&& [ \"\$(readlink /proc/$pid/root/app/libpi-linked.so)\" = '$host/libpi-secret.so' ] \
		&& [ \"\$(readlink /proc/$pid/root/app/libpi-linked.debug)\" = '$host/libpi-linked.debug' ]"

# run_traced [setpriv...] -- ARGS: pinspect ARGS under strace -y.
run_traced() {
	local who=()
	while [ "$1" != -- ]; do who+=("$1"); shift; done
	shift
	# Fresh files, which strace, running as who, may write.
	rm -f "$TEST_TMP/strace" "$TEST_TMP/out"
	install -m 644 -o "${STRACE_OWNER:-root}" /dev/null "$TEST_TMP/strace"
	# LeakSanitizer (an --enable-asan build) cannot run under ptrace.
	"${who[@]}" env ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} strace -f -qq -y -e trace=open,openat,openat2 -o "$TEST_TMP/strace" \
		timeout "$PINSPECT_TIMEOUT" "$PINSPECT_BIN" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	STATUS=$?
}
never_the_host() {
	check "$1: none of the host's files was opened, not even O_PATH" \
		bash -c "! grep -F '$host' '$TEST_TMP/strace'"
	out_lacks "$1: none of the host file's names" 'pi_host_secret'
	out_lacks "$1: no source line from the host's debug file" 'linked\.c'
}

run_traced -- --json "$pid"
status_is "root: exit 0" 0
never_the_host "root"
jq_check "root: the library's own names, from the mapping itself" \
	'[.threads[].user_stack[] | select(.module == "/app/libpi-linked.so") | .function]
	 | index("pi_linked_wait") and index("pi_linked_take_ab") and index("pi_linked_take_ba")'
check "root: the library was read through map_files" \
	bash -c "grep -q 'map_files/' '$TEST_TMP/strace'"

run_pinspect --json "$pid"
jq_check "root, without strace: the same names" \
	'[.threads[].user_stack[].function] | index("pi_linked_wait")'
run_traced -- "$pid"
status_is "root, text: exit 0" 0
never_the_host "root, text"

# As the process's owner, map_files is closed: the path, inside the
# container's root, leads to no file there.
STRACE_OWNER=nobody run_traced "${as_nobody[@]}" -- --json "$pid"
status_is "owner: exit 0" 0
never_the_host "owner"
check "owner: the library's path was opened inside the container's root" \
	bash -c "grep -q 'openat2([0-9]*</[^>]*>, \"/app/libpi-linked.so\"' '$TEST_TMP/strace' \
		|| grep -q 'openat2([0-9]*, \"/app/libpi-linked.so\"' '$TEST_TMP/strace'"
jq_check "owner: the library's frames are there, unnamed, rather than named wrong" \
	'[.threads[].user_stack[] | select(.module == "/app/libpi-linked.so")] | length > 0
	 and all(.function == null)'

done_testing

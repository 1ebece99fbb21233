#!/bin/bash
# A stripped library whose .gnu_debuglink names a FIFO that the process's
# owner (nobody, where the test runs as root) made in the library's
# directory and its .debug directory. pinspect looks for the debug file
# there, must pass the FIFOs by without waiting on them, and show the rest:
# the stacks with the library's names from its .dynsym, its locks, the
# deadlock. Every pinspect is bounded by `timeout 60`: a regression hangs,
# and fails here, instead of hanging the suite.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"

PINSPECT_TIMEOUT=60
[ "${PINSPECT_VALGRIND:-}" = 1 ] && PINSPECT_TIMEOUT=600

owner=()
if [ "$(id -u)" = 0 ]; then
	owner=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	chmod 755 "$TEST_TMP"
fi
dir=$TEST_TMP/app
mkdir "$dir"
[ "$(id -u)" = 0 ] && chown nobody "$dir"

# The library as its owner leaves it: stripped to .dynsym, linked to
# libpi-linked.debug (objcopy needs the real file for the CRC), which is
# then replaced by a FIFO; another FIFO in .debug/.
"${owner[@]}" sh -e -c '
	cp "$1/libpi-linked.so" "$1/pi-dlopen" "$2/"
	objcopy --only-keep-debug "$2/libpi-linked.so" "$2/libpi-linked.debug"
	strip --strip-all "$2/libpi-linked.so"
	objcopy --add-gnu-debuglink="$2/libpi-linked.debug" "$2/libpi-linked.so"
	rm "$2/libpi-linked.debug"
	mkfifo "$2/libpi-linked.debug"
	mkdir "$2/.debug"
	mkfifo "$2/.debug/libpi-linked.debug"' sh "$HELPERS" "$dir" \
	|| { echo "Bail out! cannot prepare the library in $dir"; exit 99; }
check "the library keeps no symbol table but .dynsym, and links to the FIFO" \
	bash -c "! readelf -S '$dir/libpi-linked.so' | grep -q '\.symtab' \
		&& readelf -p .gnu_debuglink '$dir/libpi-linked.so' | grep -q libpi-linked.debug \
		&& [ -p '$dir/libpi-linked.debug' ] && [ -p '$dir/.debug/libpi-linked.debug' ]"

start_program "${owner[@]}" "$dir/pi-dlopen" "$dir/libpi-linked.so"
pid=$HELPER_PID

run_pinspect "$pid"
status_is "text: finishes, exit 0" 0
out_has "text: the library's functions by name, from .dynsym" 'pi_linked_take_ab\+0x[0-9a-f]+ +libpi-linked\.so'
out_has "text: the waiting main thread too" 'pi_linked_wait\+0x[0-9a-f]+ +libpi-linked\.so'

run_pinspect --json "$pid"
status_is "JSON: finishes, exit 0" 0
jq_check "JSON: t1 and t2 wait in the library's functions, for each other's lock" \
	'[.threads[] | select(.comm == "t1" or .comm == "t2")] | length == 2 and all(
	   ([.user_stack[].function] | index("pi_linked_take_ab") or index("pi_linked_take_ba"))
	   and (.lock.symbol | test("^pi_linked_lock_[ab]$")))'

for scan in --deadlocks --check; do
	run_pinspect $scan --json
	status_is "$scan: finishes, exit 1 (a deadlock)" 1
	jq_check "$scan: the library's deadlock, its locks named" \
		'[.findings[] | select(.kind == "deadlock" and .pid == $p)] | length == 1
		 and (.[0].message | test("pi_linked_lock_a") and test("pi_linked_lock_b"))' --argjson p "$pid"
done

# That the search did reach the FIFOs (so that the checks above mean
# something), and looked at them without opening them for reading.
if command -v strace >/dev/null; then
	# LeakSanitizer (an --enable-asan build) cannot run under ptrace.
	ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
		strace -f -qq -y -e trace=open,openat,openat2 -o "$TEST_TMP/strace" \
		timeout "$PINSPECT_TIMEOUT" "$PINSPECT_BIN" "$pid" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	STATUS=$?
	status_is "under strace: finishes, exit 0" 0
	check "the debug link was looked for in the library's directory and its .debug" \
		bash -c "grep -q 'openat2(.*\"$dir/libpi-linked.debug\"' '$TEST_TMP/strace' \
			&& grep -q 'openat2(.*\"$dir/.debug/libpi-linked.debug\"' '$TEST_TMP/strace'"
	check "no FIFO was opened but O_PATH (which opens nothing)" \
		bash -c "! grep 'libpi-linked.debug' '$TEST_TMP/strace' | grep -v 'O_PATH' | grep -q ."
else
	not_ok "strace is installed (a test dependency)"
fi

# A library without a build-id, whose .gnu_debuglink names a sparse file
# of 64 GiB that begins as the real debug file: such a debug file can only
# be recognised by its CRC-32, which would take minutes of reading zeros.
# pinspect must not read it (bounded by `timeout`, as above).
big=$TEST_TMP/big
mkdir "$big"
[ "$(id -u)" = 0 ] && chown nobody "$big"
"${owner[@]}" sh -e -c '
	cp "$1/libpi-linked.so" "$1/pi-dlopen" "$2/"
	objcopy --remove-section .note.gnu.build-id "$2/libpi-linked.so"
	objcopy --only-keep-debug "$2/libpi-linked.so" "$2/libpi-linked.debug"
	strip --strip-all "$2/libpi-linked.so"
	objcopy --add-gnu-debuglink="$2/libpi-linked.debug" "$2/libpi-linked.so"
	truncate -s 64G "$2/libpi-linked.debug"' sh "$HELPERS" "$big" \
	|| { echo "Bail out! cannot prepare the library in $big"; exit 99; }
check "the library has no build-id, and links to a sparse ELF file of 64 GiB" \
	bash -c "! readelf -n '$big/libpi-linked.so' | grep -q 'Build ID' \
		&& readelf -p .gnu_debuglink '$big/libpi-linked.so' | grep -q libpi-linked.debug \
		&& [ \"\$(stat -c %s '$big/libpi-linked.debug')\" = 68719476736 ] \
		&& readelf -h '$big/libpi-linked.debug' >/dev/null"
start_program "${owner[@]}" "$big/pi-dlopen" "$big/libpi-linked.so"
run_pinspect "$HELPER_PID"
status_is "a debug link to a sparse 64 GiB file: finishes, exit 0" 0
out_has "a debug link to a sparse 64 GiB file: the library's functions by name, from .dynsym" \
	'pi_linked_take_ab\+0x[0-9a-f]+ +libpi-linked\.so'

# The library unstripped, its DWARF naming a dwz alt file
# (.gnu_debugaltlink) that is a FIFO beside it. libdwfl asks for the alt
# file as it reads the DWARF for source lines; libdw, left to itself,
# would open that name.
alt=$TEST_TMP/alt
mkdir "$alt"
[ "$(id -u)" = 0 ] && chown nobody "$alt"
"${owner[@]}" sh -e -c '
	cp "$1/libpi-linked.so" "$1/pi-dlopen" "$2/"
	{ printf "libpi-alt.debug\0"; printf 0123456789abcdef0123; } >"$2/altlink"
	objcopy --add-section .gnu_debugaltlink="$2/altlink" "$2/libpi-linked.so"
	rm "$2/altlink"
	mkfifo "$2/libpi-alt.debug"' sh "$HELPERS" "$alt" \
	|| { echo "Bail out! cannot prepare the library in $alt"; exit 99; }
start_program "${owner[@]}" "$alt/pi-dlopen" "$alt/libpi-linked.so"
run_pinspect "$HELPER_PID"
status_is "an alt link naming a FIFO: finishes, exit 0" 0
out_has "an alt link naming a FIFO: the library's source lines are read all the same" \
	'pi_linked_take_ab\+0x[0-9a-f]+ +libpi-linked\.so +[^ ]*linked\.c:[0-9]+'

# dwz: two copies of the library share their DWARF through an alt file
# that the DWARF refers into (DW_FORM_GNU_strp_alt, ref_alt), named by an
# absolute path, which is then a FIFO. libdw looks for such a file itself
# on the first reference into it, with plain open(): pinspect settles it
# first (not under /usr/lib/debug: no alt file), and libdw never looks.
if command -v dwz >/dev/null; then
	dwzdir=$TEST_TMP/dwz
	mkdir "$dwzdir"
	[ "$(id -u)" = 0 ] && chown nobody "$dwzdir"
	"${owner[@]}" sh -e -c '
		cp "$1/libpi-linked.so" "$1/pi-dlopen" "$2/"
		cp "$2/libpi-linked.so" "$2/twin.so"
		dwz -m "$2/common.debug" -M "$2/alt.fifo" "$2/libpi-linked.so" "$2/twin.so"
		mkfifo "$2/alt.fifo"' sh "$HELPERS" "$dwzdir" \
		|| { echo "Bail out! cannot prepare the dwz library in $dwzdir"; exit 99; }
	check "dwz: the library's DWARF refers into the alt file, which is a FIFO" \
		bash -c "readelf -p .gnu_debugaltlink '$dwzdir/libpi-linked.so' | grep -q '$dwzdir/alt.fifo' \
			&& readelf --debug-dump=info '$dwzdir/libpi-linked.so' | grep -q 'alt' \
			&& [ -p '$dwzdir/alt.fifo' ]"
	start_program "${owner[@]}" "$dwzdir/pi-dlopen" "$dwzdir/libpi-linked.so"
	run_pinspect --lines=all "$HELPER_PID"
	status_is "dwz alt file a FIFO: finishes, exit 0" 0
	out_has "dwz alt file a FIFO: names and source lines all the same" \
		'pi_linked_take_ab\+0x[0-9a-f]+ +libpi-linked\.so +[^ ]*linked\.c:[0-9]+'
else
	not_ok "dwz is installed (a test dependency)"
fi

done_testing

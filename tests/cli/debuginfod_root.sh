#!/bin/bash
# With DEBUGINFOD_URLS set, the debug file of a stripped library comes
# from a debuginfod server (here python3's http.server over a directory
# laid out as debuginfod's /buildid/ID/debuginfo). The sandboxed child
# reads the library's build-id and sends it with its request; pinspect's
# root side asks the server by that alone. Under strace -ff: no thread of
# pinspect's own process (the main thread, or the broker's) maps or reads
# a descriptor it opened on a target's file; the server was asked for the
# library's build-id; the source lines come from the served debug file.
. "$(dirname "$0")/lib.sh"

PINSPECT_TIMEOUT=60
[ "${PINSPECT_VALGRIND:-}" = 1 ] && PINSPECT_TIMEOUT=600

if ! command -v python3 >/dev/null; then
	skip "debuginfod asked by the build-id alone" "python3 (the test's debuginfod server) is not installed"
	done_testing
	exit 0
fi

dir=$TEST_TMP/app
mkdir -p "$dir"
cp "$HELPERS/libpi-linked.so" "$dir/"
strip --strip-all "$dir/libpi-linked.so"
id=$(readelf -n "$dir/libpi-linked.so" | sed -n 's/.*Build ID: *//p')
check "the stripped library has a build-id and no line table" \
	bash -c "[ -n '$id' ] && ! readelf -S '$dir/libpi-linked.so' | grep -q debug_line"
served=$TEST_TMP/served
mkdir -p "$served/buildid/$id"
objcopy --only-keep-debug "$HELPERS/libpi-linked.so" "$served/buildid/$id/debuginfo"

# A free port: the server says where it listens, or fails to bind.
port=
for _ in 1 2 3 4 5; do
	try=$((20000 + RANDOM % 30000))
	(cd "$served" && exec python3 -m http.server --bind 127.0.0.1 "$try") >"$TEST_TMP/http.log" 2>&1 &
	http=$!
	track "$http"
	for _ in $(seq 1 100); do
		grep -q "Serving HTTP" "$TEST_TMP/http.log" && break
		kill -0 "$http" 2>/dev/null || break
		sleep 0.05
	done
	if grep -q "Serving HTTP" "$TEST_TMP/http.log"; then
		port=$try
		break
	fi
	kill "$http" 2>/dev/null
done
if [ -z "$port" ]; then
	echo "Bail out! the test's debuginfod server did not start: $(cat "$TEST_TMP/http.log")"
	exit 99
fi

start_program "$HELPERS/pi-dlopen" "$dir/libpi-linked.so"
pid=$HELPER_PID

if ! command -v strace >/dev/null; then
	skip "the root side reads none of the target's files" "strace is not installed"
	PINSPECT_WRAP=(env "DEBUGINFOD_URLS=http://127.0.0.1:$port" "DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache")
	run_pinspect --json --lines=all "$pid"
else
	PINSPECT_WRAP=(env "DEBUGINFOD_URLS=http://127.0.0.1:$port" "DEBUGINFOD_CACHE_PATH=$TEST_TMP/cache"
		       "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		       strace -ff -qq -e trace=openat,open,openat2,close,mmap,read,pread64,clone,clone3,execve
		       -o "$TEST_TMP/st")
	run_pinspect --json --lines=all "$pid"
fi
PINSPECT_WRAP=()
status_is "exit 0" 0
check "the server was asked for the library's build-id" \
	grep -q "GET /buildid/$id/debuginfo" "$TEST_TMP/http.log"
jq_check "the library's source lines, from the served debug file" \
	'[.threads[].user_stack[]? | select(.function == "pi_linked_take_ab" or .function == "pi_linked_take_ba")
	  | .file] | map(select(. != null and test("linked\\.c$"))) | length >= 1'

if command -v strace >/dev/null; then
	# pinspect's own process: the traced program, and the threads it and
	# its threads made (CLONE_THREAD); not the children it forked.
	main=$(grep -l 'execve(".*pinspect"' "$TEST_TMP"/st.* | head -n 1)
	main=${main##*.}
	root=" $main "
	grown=1
	while [ "$grown" = 1 ]; do
		grown=0
		for t in $root; do
			for n in $(sed -nE 's/^clone3?\(.*CLONE_THREAD.*\) = ([0-9]+)$/\1/p' "$TEST_TMP/st.$t"); do
				case "$root" in *" $n "*) ;; *) root="$root$n "; grown=1 ;; esac
			done
		done
	done
	# The reads and maps, in those threads, of a descriptor opened on a
	# target's file (map_files, openat2 in its root, or their reopening
	# through /proc/self/fd).
	touched=
	for t in $root; do
		touched+=$(awk '
		/(map_files\/|openat2\(|\/proc\/self\/fd\/)/ && match($0, /= [0-9]+$/) { fd[substr($0, RSTART + 2)] = 1; next }
		/^close\(/ { c = $0; sub(/^close\(/, "", c); sub(/\).*/, "", c); delete fd[c]; next }
		/^mmap\(/ { n = split($0, a, ", "); if (n >= 5 && (a[5] in fd)) print; next }
		/^(read|pread64)\(/ { c = $0; sub(/^[a-z0-9]+\(/, "", c); sub(/,.*/, "", c); if (c in fd) print }' \
			"$TEST_TMP/st.$t")
	done
	check "pinspect's threads ($root) found in the trace" test -n "$main"
	check "pinspect opened the target's files (for its child)" \
		bash -c "cat $(for t in $root; do printf '%q ' "$TEST_TMP/st.$t"; done) | grep -qE '(map_files/|openat2\().*= [0-9]+$'"
	check "no thread of pinspect's own process maps or reads a target's file: $(echo "$touched" | head -3)" \
		test -z "$touched"
fi

done_testing

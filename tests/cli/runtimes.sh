#!/bin/bash
# Programs of other runtimes, built here from tests/helpers/ when their
# toolchain is installed: a Rust program blocked in a std::sync::Mutex,
# built with each of rustc's manglings, whose names come out as gdb
# prints them.
. "$(dirname "$0")/lib.sh"

# The functions of thread NAME's stack, one per line.
functions_of() {
	jq -r --arg n "$1" '.threads[] | select(.comm == $n) | .user_stack[]? | .function // "??"' \
		"$TEST_TMP/out"
}

# --- Rust: both manglings ----------------------------------------------
if ! command -v rustc >/dev/null 2>&1; then
	skip "rust: names demangled" "rustc is not installed"
else
	for mangling in v0 legacy; do
		bin=$TEST_TMP/rust-$mangling
		# legacy is rustc's default (stable rustc takes the option
		# only for v0)
		flags=()
		[ "$mangling" = v0 ] && flags=(-C symbol-mangling-version=v0)
		if ! rustc -g -C force-frame-pointers=yes "${flags[@]}" \
			-o "$bin" "$abs_top_srcdir/tests/helpers/rust_mutex.rs" 2>"$TEST_TMP/rustc.err"; then
			not_ok "rust ($mangling): the helper builds" "$(head -c 2000 "$TEST_TMP/rustc.err")"
			continue
		fi
		# The mangled names are really there: the test is not vacuous.
		case $mangling in
		v0) check "rust (v0): the binary's names are v0" \
			bash -c "nm '$bin' | grep -q ' _RNvMCs[A-Za-z0-9_]*rust_mutexINtB[0-9]*_6HoldermE8wait_for'" ;;
		legacy) check "rust (legacy): the binary's names are legacy" \
			bash -c "nm '$bin' | grep -q ' _ZN10rust_mutex15Holder\$LT\$T\$GT\$8wait_for17h[0-9a-f]\{16\}E'" ;;
		esac
		start_program "$bin"
		run_pinspect --json "$HELPER_PID"
		status_is "rust ($mangling): exits 0" 0
		functions_of waiter >"$TEST_TMP/waiter"
		case $mangling in
		v0)
			check "rust (v0): the generic method, as gdb prints it" \
				grep -qxF '<rust_mutex::Holder<u32>>::wait_for' "$TEST_TMP/waiter"
			check "rust (v0): the thread's closure" \
				grep -qxF 'rust_mutex::main::{closure#0}' "$TEST_TMP/waiter" ;;
		legacy)
			check "rust (legacy): the method, hash dropped, \$LT\$ \$GT\$ decoded" \
				grep -qxF 'rust_mutex::Holder<T>::wait_for' "$TEST_TMP/waiter"
			check "rust (legacy): the thread's closure" \
				grep -qxF 'rust_mutex::main::{{closure}}' "$TEST_TMP/waiter" ;;
		esac
		# std's own mangling is the toolchain's: only its shape is checked.
		check "rust ($mangling): blocked in the Mutex's lock_contended, demangled" \
			grep -qE '^(<)?std::.*Mutex>?::lock_contended$' "$TEST_TMP/waiter"
		jq_check "rust ($mangling): no name is left mangled, no hash shown" \
			'[.threads[].user_stack[]?.function // empty
			  | select(test("^_R|^_ZN|::h[0-9a-f]{16}$|17h[0-9a-f]{16}E"))] == []'
		jq_check "rust ($mangling): main's stack is complete" \
			'.threads[0].unwind.truncated_reason == null
			 and (.threads[0].user_stack | map(.function) | index("rust_mutex::main")) != null'
		kill -KILL "$HELPER_PID"
		wait "$HELPER_PID" 2>/dev/null
	done
fi

done_testing

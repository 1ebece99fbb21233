# Sourced first, before lib.sh, by the tests that look at every task on the
# system (the scans, batch mode, the live view). The other tests run their
# own helpers at the same time (make -j), and a deadlocked or hung helper of
# theirs would change what these tests see: "and 3 more processes" in place
# of the process they look for. So the test runs again in a PID namespace
# of its own, with a /proc that shows only its own processes (unshare(1);
# as non-root, inside a user namespace too).
#
# Where no namespace can be made: with PIDNS_REQUIRED=1 the test skips,
# saying why (its verdicts would be wrong); otherwise it runs beside the
# other tests and says so.
if [ -z "${PI_TEST_IN_PIDNS:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		pidns_cmd=(unshare --pid --fork --mount-proc)
	else
		pidns_cmd=(unshare --user --map-root-user --pid --fork --mount-proc)
	fi
	if "${pidns_cmd[@]}" true 2>/dev/null; then
		PI_TEST_IN_PIDNS=1 exec "${pidns_cmd[@]}" "$BASH" "$0" "$@"
	fi
	if [ "${PIDNS_REQUIRED:-0}" = 1 ]; then
		echo "1..0 # SKIP unshare cannot make a PID namespace here: this test would see the other tests' helpers"
		exit 0
	fi
	echo "# unshare cannot make a PID namespace here: running beside the other tests"
	PI_TEST_IN_PIDNS=0
fi

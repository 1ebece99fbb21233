#!/bin/sh
# fuzz/run.sh SRCDIR SECONDS TARGET... — what `make check-fuzz` runs, from
# the build directory, after building fuzz/fuzz_TARGET for each TARGET.
#
# Each target runs for SECONDS (0: only replays its corpus) on its corpus:
# fuzz/corpus/TARGET in the build directory, which keeps what libFuzzer
# finds from one run to the next (never committed), seeded from the
# captured /proc files in tests/fixtures/proc and from SRCDIR/fuzz/seeds/
# TARGET (committed: small inputs, and every input that ever crashed a
# target). Any crash, leak, sanitizer report, broken property or input
# slower than 10 s fails the run, and the input is left in
# fuzz/artifacts/. The vDSO target is also seeded with this machine's vDSO
# and a tiny ELF built here (fuzz/seed-elf, from make).
set -u

srcdir=$1 seconds=$2
shift 2
case $seconds in
''|*[!0-9]*) echo "check-fuzz: FUZZ_SECONDS must be a number of seconds, not '$seconds'" >&2; exit 2 ;;
esac
fixtures=$srcdir/tests/fixtures/proc
failed=

# seed TARGET FILE...: copies captured files into TARGET's corpus, each
# under its fixture's name.
seed() {
	target=$1
	shift
	for f in "$@"; do
		[ -f "$f" ] || continue
		name=$(basename "$(dirname "$f")")-$(basename "$f")
		cp "$f" "fuzz/corpus/$target/$name"
	done
}

for target in "$@"; do
	mkdir -p "fuzz/corpus/$target" fuzz/artifacts
	case $target in
	status|stat|sched|syscall) seed "$target" "$fixtures"/*/"$target" ;;
	esac
	case $target in
	sched) seed sched "$fixtures"/*/schedstat ;;
	maps) seed maps "$fixtures"/*/smaps ;;
	lists)
		for f in cmdline stack cgroup wchan auxv; do seed lists "$fixtures"/*/$f; done ;;
	scan) seed scan "$fixtures"/*/status "$fixtures"/*/sched "$fixtures"/*/stat ;;
	vdso) for f in fuzz/seed-elf/*; do cp "$f" fuzz/corpus/vdso/; done ;;
	esac
	dirs="fuzz/corpus/$target"
	[ -d "$srcdir/fuzz/seeds/$target" ] && dirs="$dirs $srcdir/fuzz/seeds/$target"

	if [ "$seconds" = 0 ]; then
		limit="-runs=0"
	else
		limit="-max_total_time=$seconds"
	fi
	log=fuzz/$target.log
	# The wall-clock bound is only there so that a hung fuzzer cannot
	# hang the build: libFuzzer stops itself after SECONDS.
	# shellcheck disable=SC2086
	timeout --kill-after=10 $((seconds * 2 + 120)) "./fuzz/fuzz_$target" $limit \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="fuzz/artifacts/$target-" $dirs >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	# shellcheck disable=SC2086
	size=$(find $dirs -type f | wc -l)
	if [ $rc = 0 ]; then
		if [ "$seconds" = 0 ]; then
			echo "check-fuzz: $target: ok (replayed a corpus of $size)"
		else
			echo "check-fuzz: $target: ok (${runs:-?} inputs in $seconds s, corpus of $size)"
		fi
	else
		failed="$failed $target"
		echo "check-fuzz: $target: FAILED (exit status $rc); its log, fuzz/$target.log, ends:"
		grep -E 'ERROR|SUMMARY|runtime error|property broken|Test unit written' "$log" | head -20
		tail -n 5 "$log"
	fi
done

if [ -n "$failed" ]; then
	echo "check-fuzz: FAILED:$failed. Each crashing input is in fuzz/artifacts/; replay one with"
	echo "  ./fuzz/fuzz_TARGET fuzz/artifacts/FILE"
	echo "then fix the bug, add a unit test, and keep the input in fuzz/seeds/TARGET/."
	exit 1
fi
echo "check-fuzz: every target passed"

#!/bin/bash
# --record and --replay: batch mode's refreshes of real tasks in known
# states (a hung D task, zombies and their parent, two threads deadlocked)
# recorded, then printed back byte for byte as they were printed live,
# and stepped through in the live view (tmux); a second --record appends;
# a file cut short keeps its complete refreshes; files that are not
# recordings, of a newer format, or forged with huge counts, are refused
# with exit status 6; the options that do not fit are usage errors.
. "$(dirname "$0")/own_pidns.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux.sh"

start_vfork_parent
dpid=$VFORK_PARENT
start_helper pi-zombies 3
holder=$HELPER_PID
start_helper pi-locks deadlock2
locked=$HELPER_PID
read -r t1 t2 < <(sed -n 2p "$HELPER_OUT")
sleep 0.6
rec=$TEST_TMP/rec.pir

# --- Recorded while printed: three refreshes, a second apart (so that
# their times differ in the live view's header, which shows seconds). --
run_pinspect --json -n 3 -d 1.1 --hung-after 0.5 --record "$rec"
status_is "--record with --json: exits 0" 0
cp "$TEST_TMP/out" "$TEST_TMP/live.json"
check "the recording is made 0600 (command lines may hold secrets)" \
	test "$(stat -c %a "$rec")" = 600
check "it is gzip members that zcat reads, each a chunk (PIRC)" \
	test "$(zcat "$rec" | head -c 4)" = PIRC

run_pinspect --replay "$rec" --json
status_is "--replay --json: exits 0" 0
check "--replay --json prints byte for byte what the live run printed" \
	cmp "$TEST_TMP/live.json" "$TEST_TMP/out"
check "one document per refresh" test "$(wc -l <"$TEST_TMP/out")" = 3
jq_check "every refresh has the hung task, the deadlock and the zombies among its findings" \
	'[., inputs] | length == 3 and all(
	   ([.findings[] | select(.kind == "hung" and .pid == $d)] | length == 1)
	   and ([.findings[] | select(.kind == "deadlock" and .pid == $l)] | length >= 1)
	   and ([.findings[] | select(.kind == "zombie_parent" and .pid == $h)] | length == 1))' \
	--argjson d "$dpid" --argjson l "$locked" --argjson h "$holder"
jq_check "the deadlocked threads are flagged in the rows, from the recording" \
	'[.tasks[] | select(.pid == $l)][0].flags == ["deadlock"]' --argjson l "$locked"
run_pinspect --replay "$rec" --json -n 2
check "-n COUNT: the first COUNT refreshes" test "$(wc -l <"$TEST_TMP/out")" = 2

# --begin and --end: one refresh, by its time: one whose second holds no
# other (refreshes are 1.1 s apart, but one that took long under
# valgrind may be followed at once; --end takes in the whole second it
# names).
when2=$(jq -rs 'group_by(.snapshot_time | floor) | map(select(length == 1))[0][0].snapshot_time' \
	"$TEST_TMP/live.json")
run_pinspect --replay "$rec" --json --begin "@${when2%.*}" --end "@${when2%.*}"
status_is "--begin/--end: exits 0" 0
jq_check "--begin/--end @SECONDS: the refresh taken in that second, alone" \
	'[., inputs] | length == 1 and .[0].snapshot_time == $t' --argjson t "$when2"
run_pinspect --replay "$rec" --json --begin "@$(( ${when2%.*} + 100000 ))"
status_is "--begin after the recording's end: a usage error" 2

# --- Text, with the rows as -H and --problems chose them. -------------
run_pinspect --batch -H --problems -n 2 -d 0.3 --hung-after 0.5 --record "$TEST_TMP/text.pir"
cp "$TEST_TMP/out" "$TEST_TMP/live.txt"
run_pinspect --replay "$TEST_TMP/text.pir" --batch --problems
status_is "--replay --batch: exits 0" 0
check "--replay --batch prints byte for byte what the live run printed (-H recorded)" \
	cmp "$TEST_TMP/live.txt" "$TEST_TMP/out"
out_has "the text names the deadlocked thread's partner" "^ +$t1 .*deadlock with $t2"

# --- Appending: a second run adds its header and refreshes. -----------
run_pinspect --json -n 2 -d 0.3 --hung-after 0.5 --record "$rec"
status_is "a second --record to the same file: exits 0" 0
cp "$TEST_TMP/out" "$TEST_TMP/live2.json"
run_pinspect --replay "$rec" --json
check "appended: five refreshes" test "$(wc -l <"$TEST_TMP/out")" = 5
check "appended: the first run's refreshes unchanged" \
	cmp "$TEST_TMP/live.json" <(head -3 "$TEST_TMP/out")
check "appended: then the second run's" cmp "$TEST_TMP/live2.json" <(tail -2 "$TEST_TMP/out")

# --- Cut short, as by a SIGKILL in the middle of a write: the last
# member loses its end. Only that refresh is lost. ---------------------
size=$(stat -c %s "$rec")
head -c $((size - 40)) "$rec" >"$TEST_TMP/cut.pir"
run_pinspect --replay "$TEST_TMP/cut.pir" --json
status_is "a file cut short: exits 0" 0
check "a file cut short: every complete refresh (4 of 5)" test "$(wc -l <"$TEST_TMP/out")" = 4
check "a file cut short: the complete ones as recorded" cmp <(head -4 "$TEST_TMP/out") \
	<(cat "$TEST_TMP/live.json" "$TEST_TMP/live2.json" | head -4)
err_has "a file cut short: says a refresh was cut short" 'cut short'
# And recorded to again after the cut: the new refreshes follow.
run_pinspect --json -n 1 --hung-after 0.5 --record "$TEST_TMP/cut.pir"
status_is "recording after a cut: exits 0" 0
run_pinspect --replay "$TEST_TMP/cut.pir" --json
check "recording after a cut: the 4 complete refreshes and the new one" \
	test "$(wc -l <"$TEST_TMP/out")" = 5
err_has "recording after a cut: the damaged stretch is said" 'damaged stretch'
# A real SIGKILL in the middle of a run (whatever it cut) leaves a file
# that replays what was complete.
"$PINSPECT_BIN" --batch -d 0.1 --record "$TEST_TMP/killed.pir" >/dev/null 2>&1 &
killed=$!
track "$killed"
for _ in $(seq 1 100); do
	[ "$(stat -c %s "$TEST_TMP/killed.pir" 2>/dev/null || echo 0)" -gt 20000 ] && break
	sleep 0.05
done
kill -KILL "$killed"
wait "$killed" 2>/dev/null
run_pinspect --replay "$TEST_TMP/killed.pir" --batch
status_is "SIGKILLed while recording: the file replays (exit 0)" 0
out_has "SIGKILLed while recording: its refreshes are printed" '^Tasks: '

# --- Files that are not recordings, or forged ones: refused, status 6. --
run_pinspect --replay "$TEST_TMP/none.pir" --batch
status_is "a missing file: exit 6" 6
err_has "a missing file: says so" 'cannot open it'
cp /etc/passwd "$TEST_TMP/passwd"
run_pinspect --replay "$TEST_TMP/passwd" --batch
status_is "not a recording: exit 6" 6
err_has "not a recording: says so" 'not a pinspect recording'
: >"$TEST_TMP/empty.pir"
run_pinspect --replay "$TEST_TMP/empty.pir" --batch
status_is "an empty file: exit 6" 6
printf 'hello\n' | gzip >"$TEST_TMP/hello.gz"
run_pinspect --replay "$TEST_TMP/hello.gz" --batch
status_is "gzip of something else: exit 6" 6
err_has "gzip of something else: not a recording" 'not a pinspect recording'
# Forged chunks after a genuine header: a newer version, a huge count, a
# chunk cut inside, a table whose indexes point outside it.
python3 - "$rec" "$TEST_TMP" <<'EOF'
import sys, zlib, struct, gzip
data = open(sys.argv[1], 'rb').read()
d = zlib.decompressobj(16 + 15)
header = d.decompress(data)
frame = zlib.decompressobj(16 + 15).decompress(d.unused_data)
out = sys.argv[2]
def write(name, *chunks):
    with open(out + '/' + name, 'wb') as f:
        for c in chunks:
            f.write(gzip.compress(c))
write('newer.pir', header[:5] + struct.pack('<H', 99) + header[7:], frame)
# Where the users' count is (record/codec.c): the chunk's 7 bytes, the
# fixed figures, the counts, then the meters.
off = 7 + 8 + 8 + 8 + 4 + 1 + 24 + 4 + 8 + 4 + 4 + 4 + 8 + 1 + 14 * 8
if frame[off] == 1:
    ncpus = struct.unpack_from('<I', frame, off + 10)[0]
    off += 1 + 1 + 8 + 4 + 12 * ncpus + 1 + 32
else:
    off += 1
huge = bytearray(frame)
struct.pack_into('<I', huge, off, 0xfffffff0)
write('huge.pir', header, bytes(huge))
write('short.pir', header, frame[:len(frame) // 2])
write('trailing.pir', header, frame + b'junk')
EOF
run_pinspect --replay "$TEST_TMP/newer.pir" --batch
status_is "a newer format version: exit 6" 6
err_has "a newer format version: says which" 'format version 99'
PINSPECT_TIMEOUT=30 run_pinspect --replay "$TEST_TMP/huge.pir" --batch
status_is "forged huge figures: exit 6, at once (bounded by the chunk, not the claim)" 6
cp "$TEST_TMP/err" "$TEST_TMP/huge.err"
run_pinspect --replay "$TEST_TMP/short.pir" --batch
status_is "a chunk that ends inside a field: exit 6" 6
err_has "a chunk that ends inside a field: names the refresh" 'refresh 1 is malformed'
check "forged huge figures: says what it claims" grep -q 'claims 4294967280 users' "$TEST_TMP/huge.err"
run_pinspect --replay "$TEST_TMP/trailing.pir" --batch
status_is "a refresh with bytes after its end: exit 6" 6

# --record's file must be a recording, or new.
cp /etc/passwd "$TEST_TMP/keep"
run_pinspect --batch -n 1 --record "$TEST_TMP/keep"
status_is "--record to a file that is not a recording: exit 6" 6
check "... and the file is left as it was" cmp /etc/passwd "$TEST_TMP/keep"
mkfifo "$TEST_TMP/fifo"
PINSPECT_TIMEOUT=30 run_pinspect --batch -n 1 --record "$TEST_TMP/fifo"
status_is "--record to a FIFO: refused (exit 5), without blocking" 5
ln -s "$TEST_TMP/new.pir" "$TEST_TMP/link"
run_pinspect --batch -n 1 --record "$TEST_TMP/link"
status_is "--record through a symbolic link: refused (exit 5)" 5
check "... and nothing is created where it points" test ! -e "$TEST_TMP/new.pir"

# --- Options that do not fit. ------------------------------------------
run_pinspect -n 1 --record "$TEST_TMP/x.pir"
status_is "--record without --batch: usage error" 2
err_has "--record without --batch: says to add it" 'add --batch'
run_pinspect --replay "$rec" 1
status_is "--replay with a PID: usage error" 2
run_pinspect --batch --begin 10:00
status_is "--begin without --replay: usage error" 2
run_pinspect --replay "$rec" --batch -d 2
status_is "--replay with -d: usage error" 2
run_pinspect --replay "$rec" --batch --top 1
status_is "--replay with --top: usage error" 2
run_pinspect --replay "$rec" --record "$TEST_TMP/x.pir" --batch
status_is "--replay with --record: usage error" 2
run_pinspect --replay "$rec" --batch --begin 'soon'
status_is "--begin that is not a time: usage error" 2

# --- The live view over the recording (tmux). ---------------------------
if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (apt-get install tmux) to test the replay in the live view"
	done_testing
	exit
fi
time_at() { date -d "@$(sed -n "${1}p" "$TEST_TMP/live.json" | jq -r '.snapshot_time | floor')" +%H:%M:%S; }
h1=$(time_at 1)
h2=$(time_at 2)
tm_start
live --replay "$rec"
see "replay: the status says which refresh, of how many" 'REPLAY 1 of 5, '
see "replay: the header shows the recorded time" "^pinspect $h1, up "
see "replay: the hung task, flagged as it was" "^ +$dpid root +D .* hung "
keys T
see "T: one refresh forward" 'REPLAY 2 of 5, '
see "T: the header's time is the second refresh's" "^pinspect $h2, up "
keys t
see "t: one refresh back" 'REPLAY 1 of 5, '
see "t: the first refresh's time again" "^pinspect $h1, up "
keys t
see "t at the first refresh: says so" 'first refresh of the replay'
keys End
see "End: the last refresh" 'REPLAY 5 of 5, '
keys Home
see "Home: the first" 'REPLAY 1 of 5, '
keys k
see "k: says a replay acts on no process" 'acts on no process'
keys b
type_text "$h2"
keys Enter
see "b: goes to the refresh of a time" 'REPLAY 2 of 5, '
keys '\'
type_text pi-locks
keys Enter
see "the filter works on a recorded refresh" "^ +$locked .*deadlock"
keys Enter
see "Enter: the recorded row's page, its columns" '^COLUMNS'
see "... and its findings, from the recording" "^  process $locked .*deadlock|^  .*$t1.*$t2"
keys u
see "u on that page reads nothing in a replay" 'a replay reads nothing'
keys q
see "q: back to the table" 'REPLAY 2 of 5'
keys q
see "q quits, exit 0" '^exit=0'
terminal_restored "the terminal is given back after a replay"
done_testing

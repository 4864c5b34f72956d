# svlog (SPEC §7): rotation, file mode, stamps, splitting, signals, bad
# directories, binary data, huge lines, disk full, kill -9 under a stream.
. "$(dirname "$0")/lib.sh"

MOUNTS=()
svlog_cleanup() {
  local m
  cleanup_pids_first
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
  cleanup
}
# lib.sh's cleanup kills our tracked pids; the mounts must go before rm -rf $T
cleanup_pids_first() { local p; for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; }
trap svlog_cleanup EXIT

# bgin FILE CMD...: bg with stdin from FILE (a plain `bg CMD < FILE` would get
# /dev/null: bash gives that to an asynchronous command without its own redirection)
bgin() { local f=$1; shift; "$@" < "$f" & BGPID=$!; PIDS+=("$BGPID"); }
# concatenation of a log directory, oldest first
logcat() { local d=$1; cat "$d"/@*.s "$d/current" 2>/dev/null; }
# wait (bounded, by inotify) until FILE contains TEXT
await_file() { await file "$1" "$2" "${3:-5000}" >/dev/null 2>&1; }
await_gone() { await pid "$1" "${2:-5000}" >/dev/null 2>&1; }
# waits until PID sits in poll/ppoll (bounded): it has written all it read
await_idle() {
  local i s=
  for i in $(seq 1 200); do
    read -r s _ < "/proc/$1/syscall" 2>/dev/null
    case $s in 7 | 271) return 0 ;; esac
    sleep 0.01
  done
  return 1
}
# every archive of DIR ends with a newline and is at most MAX bytes
archives_ok() {
  local f max=$2
  for f in "$1"/@*.s; do
    [ -f "$f" ] || continue
    [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || { echo "$f: ends mid-line"; return 1; }
    [ "$(stat -c %s "$f")" -le "$max" ] || { echo "$f: over $max bytes"; return 1; }
  done
}
# archive names, in directory order, are strictly increasing
names_increasing() {
  local n
  n=$(cd "$1" && printf '%s\n' @*)
  [ "$n" = "$(printf '%s\n' "$n" | LC_ALL=C sort -u)" ]
}

# --- rotation by size ------------------------------------------------------
seq 1 20000 > "$T/seq"
svlog -s 10000 -n 100 "$T/r1" < "$T/seq"
expect_eq "rotate: exit 0 at EOF" $? 0
check "rotate: every line once, in order" cmp -s <(logcat "$T/r1") "$T/seq"
n=$(ls "$T/r1" | grep -c '^@[0-9a-f]\{24\}\.s$')
expect_eq "rotate: archive count" "$n" 10
got=$(archives_ok "$T/r1" 10000); expect_eq "rotate: archives end with a newline, at most BYTES" "$got" ""
check "rotate: archive names strictly increasing" names_increasing "$T/r1"

svlog -s 10000 -n 3 "$T/r2" < "$T/seq"
expect_eq "rotate -n 3: three archives" "$(ls "$T/r2" | grep -c '^@')" 3
check "rotate -n 3: the newest lines kept, contiguous" cmp -s <(logcat "$T/r2") <(tail -c "$(logcat "$T/r2" | wc -c)" "$T/seq")

# lines of random length, written in odd-sized chunks so reads end mid-line
awk 'BEGIN { srand(7); for (i = 1; i <= 3000; i++) { s = i; n = int(rand() * 300); for (j = 0; j < n; j++) s = s "x"; print s } }' > "$T/var"
dd if="$T/var" bs=777 2>/dev/null | svlog -s 4096 -n 1000 "$T/r3"
check "rotate: random lengths, chunked: intact and in order" cmp -s <(logcat "$T/r3") "$T/var"
got=$(archives_ok "$T/r3" 4096); expect_eq "rotate: random lengths: no line cut, none over BYTES" "$got" ""
dd if="$T/var" bs=777 2>/dev/null | svlog -t -s 4096 -n 1000 "$T/r4"
got=$(archives_ok "$T/r4" 4096); expect_eq "rotate -t: no line cut, none over BYTES" "$got" ""
check "rotate -t: lines intact" cmp -s <(logcat "$T/r4" | cut -d' ' -f2-) "$T/var"

# a single line longer than BYTES gets an archive of its own
{ echo a; head -c 5000 /dev/zero | tr '\0' y; echo; echo b; } > "$T/long"
svlog -s 1000 "$T/r5" < "$T/long"
check "rotate: a longer line alone in its archive" cmp -s <(logcat "$T/r5") "$T/long"
expect_eq "rotate: longer line archive sizes" "$(wc -c "$T"/r5/@*.s | head -2 | awk '{print $1}' | tr '\n' ' ')" "2 5001 "

# archive names stay increasing when the newest existing one is in the future
mkdir -p "$T/r6" && echo future > "$T/r6/@4000000100000000000003e7.s"
svlog -s 100 -n 50 "$T/r6" < <(seq 1 200)
last=$(ls "$T/r6" | grep '^@' | tail -1)
check "names: increase past a future archive (clock stepped back)" names_increasing "$T/r6"
expect_eq "names: future archive is not the newest" "$(ls "$T/r6" | grep '^@' | head -1)" "@4000000100000000000003e7.s"
expect_match "names: the next one is +1 ns" "$(ls "$T/r6" | grep '^@' | sed -n 2p)" '^@4000000100000000000003e8\.s$'

# a leftover current is appended to, never truncated
mkdir -p "$T/r7" && printf 'old\n' > "$T/r7/current"
echo new | svlog "$T/r7"
expect_eq "restart: leftover current appended to" "$(cat "$T/r7/current")" "old
new"

# --- file mode -------------------------------------------------------------
mkdir -p "$T/f"
svlog -F "$T/f/out.log" -s 5000 -n 4 < "$T/seq"
expect_eq "file mode: exit 0" $? 0
expect_eq "file mode: names" "$(cd "$T/f" && ls | tr '\n' ' ')" "out.log out.log.1 out.log.2 out.log.3 out.log.4 "
all=$(cd "$T/f" && cat out.log.4 out.log.3 out.log.2 out.log.1 out.log)
check "file mode: .1 newest, contiguous tail of the input" cmp -s <(printf '%s\n' "$all") <(tail -n "$(printf '%s\n' "$all" | wc -l)" "$T/seq")
got=$(for f in "$T"/f/out.log.*; do [ "$(stat -c %s "$f")" -le 5000 ] || echo "$f"; done)
expect_eq "file mode: backups at most BYTES" "$got" ""
echo hello | svlog -F "$T/f/nodir/sub/x.log" 2>"$T/f.err"; rc=$?
expect_eq "file mode: missing parent directories are created" "$rc:$(cat "$T/f/nodir/sub/x.log")" "0:hello"
touch "$T/f/afile"
svlog -F "$T/f/afile/x.log" </dev/null 2>"$T/f.err"; rc=$?
expect_eq "file mode: parent is a file: exit 111" "$rc" 111
expect_match "file mode: parent is a file: message" "$(cat "$T/f.err")" '^svlog: fatal: unable to .*/f/afile.*: (Not a directory|File exists)$'

# --- stamps and splitting ----------------------------------------------------
printf 'hello\nworld\n' | svlog -t "$T/t1"
expect_match "-t: TAI64N stamp and space" "$(head -1 "$T/t1/current")" '^@4000[0-9a-f]{20} hello$'
expect_eq "-t: every line stamped" "$(grep -Ec '^@[0-9a-f]{24} ' "$T/t1/current")" 2
if have s6-tai64nlocal; then
  expect_match "-t: s6-tai64nlocal reads it as today" "$(s6-tai64nlocal < "$T/t1/current" 2>/dev/null | head -1)" "^$(date -u +%Y-%m-%d)"
else
  skip "-t: s6-tai64nlocal reads it: s6 not installed (apt-get install s6)"
fi
printf 'hello\n' | svlog -T "$T/t2"
expect_match "-T: ISO 8601 UTC stamp" "$(cat "$T/t2/current")" "^$(date -u +%Y-%m-%dT%H):[0-9]{2}:[0-9]{2}\.[0-9]{6}Z hello$"
printf '0123456789abcdefghij\nxy\n' | svlog -l 8 "$T/l1"
expect_eq "-l: long line split" "$(cat "$T/l1/current" | tr '\n' ' ')" "01234567 89abcdef ghij xy "
printf '0123456789abcdefghij\n' | svlog -l 8 -t "$T/l2"
expect_eq "-l -t: every piece stamped, stamp not counted" "$(cut -d' ' -f2 "$T/l2/current" | tr '\n' ' ')" "01234567 89abcdef ghij "
printf '12345678\n' | svlog -l 8 "$T/l3"
expect_eq "-l: a line of exactly LINEMAX is not split" "$(cat "$T/l3/current")" "12345678"

# --- binary data, NUL bytes, a 10 MB line ------------------------------------
{ printf 'a\0b\nc\0\0\n'; head -c 1000000 /dev/urandom; } > "$T/bin"
svlog -s 100000000 "$T/b1" < "$T/bin"
check "binary and NUL bytes: byte-exact" cmp -s "$T/b1/current" "$T/bin"
svlog -l 0 -s 100000 -n 1000 "$T/b2" < "$T/bin"
check "binary, rotated, -l 0: byte-exact" cmp -s <(logcat "$T/b2") "$T/bin"
{ head -c 10485760 /dev/zero | tr '\0' z; echo; echo after; } > "$T/big"
svlog -l 0 -s 1000000 "$T/g1" < "$T/big"
check "10 MB line, -l 0: intact" cmp -s <(logcat "$T/g1") "$T/big"
expect_eq "10 MB line, -l 0: its own archive" "$(stat -c %s "$T"/g1/@*.s)" 10485761
svlog "$T/g2" < "$T/big"
expect_eq "10 MB line, default -l: split in 8192-byte lines" "$(logcat "$T/g2" | wc -l)" $((10485760 / 8192 + 1))
check "10 MB line, default -l: only newlines added" cmp -s <(logcat "$T/g2" | tr -d '\n') <(tr -d '\n' < "$T/big")

# --- EOF, partial lines, SIGTERM, SIGALRM ------------------------------------
printf 'a\nb' | svlog "$T/e1"
expect_eq "EOF: partial last line kept as is" "$(od -An -c "$T/e1/current" | tr -d ' ')" 'a\nb'
printf 'c\n' | svlog "$T/e1"
expect_eq "restart after a partial line: continued" "$(cat "$T/e1/current")" "a
bc"

mkfifo "$T/fifo"
exec 3<>"$T/fifo" # the test holds the FIFO: svlog never sees EOF from it
bgin "$T/fifo" svlog "$T/w1"; P=$BGPID
printf 'first\npart' > "$T/fifo" # a writer that closes mid-line
await_file "$T/w1/current" part
printf 'ial\nsecond\n' > "$T/fifo"
await_file "$T/w1/current" second
expect_eq "writer closes mid-line: next writer completes it" "$(cat "$T/w1/current")" "first
partial
second"
printf 'x\ny' > "$T/fifo"
await_file "$T/w1/current" y
kill -TERM "$P"; await_gone "$P"; wait "$P"; rc=$?
expect_eq "SIGTERM: exit 0" "$rc" 0
expect_eq "SIGTERM: lines read are written, partial too" "$(tail -c 3 "$T/w1/current" | od -An -c | tr -d ' ')" 'x\ny'
exec 3>&-
rm -f "$T/fifo"

mkfifo "$T/fifo"
exec 3<>"$T/fifo"
bgin "$T/fifo" svlog "$T/a1"; P=$BGPID
printf 'one\ntwo\n' > "$T/fifo"
await_file "$T/a1/current" two
kill -ALRM "$P"
for i in $(seq 1 100); do [ -n "$(ls "$T/a1" | grep '^@')" ] && break; sleep 0.05; done
expect_eq "SIGALRM: rotates now" "$(cat "$T"/a1/@*.s 2>/dev/null | tr '\n' ' ')" "one two "
expect_eq "SIGALRM: current starts empty" "$(stat -c %s "$T/a1/current")" 0
printf 'thr' > "$T/fifo"
await_file "$T/a1/current" thr
kill -ALRM "$P"
printf 'ee\nfour\n' > "$T/fifo"
await_file "$T/a1/current" four
expect_eq "SIGALRM mid-line: waits for the end of the line" "$(ls "$T/a1" | grep -c '^@')/$(cat "$T/a1/current")" "2/four"
expect_eq "SIGALRM mid-line: the line whole in the archive" "$(cat "$(ls -d "$T"/a1/@* | tail -1)")" "three"
kill -TERM "$P"; await_gone "$P"
exec 3>&-
rm -f "$T/fifo"

# --- directories: created, not writable, a file, locked ----------------------
echo x | svlog "$T/new/sub/dir"
check "DIR created if missing (with parents)" test -f "$T/new/sub/dir/current"
mkdir -p "$T/ro"
if mount -t tmpfs -o ro,size=64k tmpfs "$T/ro" 2>/dev/null; then
  MOUNTS+=("$T/ro")
  echo x | svlog "$T/ro/log" 2>"$T/ro.err"; rc=$?
  expect_eq "DIR not writable: exit 111" "$rc" 111
  expect_match "DIR not writable: one fatal line" "$(cat "$T/ro.err")" '^svlog: fatal: unable to create directory .*/ro/log: Read-only file system$'
  mount -o remount,rw "$T/ro" && mkdir "$T/ro/log" && mount -o remount,ro "$T/ro"
  echo x | svlog "$T/ro/log" 2>"$T/ro2.err"; rc=$?
  expect_eq "existing DIR read-only: exit 111" "$rc" 111
  expect_match "existing DIR read-only: names the file" "$(cat "$T/ro2.err")" '^svlog: fatal: unable to open .*/ro/log/lock: Read-only file system$'
else
  fail "DIR not writable: cannot mount a tmpfs"
fi
touch "$T/afile"
echo x | svlog "$T/afile" 2>"$T/af.err"; rc=$?
expect_eq "DIR is a file: exit 111" "$rc" 111
expect_match "DIR is a file: message" "$(cat "$T/af.err")" '^svlog: fatal: unable to chdir to .*/afile: Not a directory$'
svlog -s nope "$T/u" </dev/null 2>/dev/null; expect_eq "bad usage: exit 100" $? 100
svlog </dev/null 2>/dev/null; expect_eq "no DIR: exit 100" $? 100
svlog -t -T "$T/u" </dev/null 2>/dev/null; expect_eq "-t and -T together: exit 100" $? 100
svlog -t -t "$T/u2" </dev/null; expect_eq "-t twice is -t: exit 0" $? 0

mkfifo "$T/fifo"
exec 3<>"$T/fifo"
bgin "$T/fifo" svlog "$T/k1"; P=$BGPID
echo ready > "$T/fifo"; await_file "$T/k1/current" ready
echo x | svlog "$T/k1" 2>"$T/lock.err"; rc=$?
expect_eq "second svlog on DIR: exit 100" "$rc" 100
expect_match "second svlog on DIR: clear error" "$(cat "$T/lock.err")" '^svlog: fatal: unable to lock .*/k1/lock: another svlog is running on it$'
kill -TERM "$P"; await_gone "$P"

# --- tail -F follows across rotations ----------------------------------------
bgin "$T/fifo" svlog -s 200 -n 20 "$T/tf"; P=$BGPID
echo start > "$T/fifo"; await_file "$T/tf/current" start
bg tail -n +1 -F -s 0.1 "$T/tf/current" > "$T/tail.out" 2>/dev/null; TP=$BGPID
await_file "$T/tail.out" start
for b in 1 2 3 4; do
  seq -f "b$b-%g" 1 40 > "$T/fifo"
  await_file "$T/tail.out" "b$b-40" 10000
done
kill -TERM "$TP"
check "tail -F: rotations happened" test "$(ls "$T/tf" | grep -c '^@')" -ge 4
check "tail -F: saw every line in order" cmp -s "$T/tail.out" <(logcat "$T/tf")
kill -TERM "$P"; await_gone "$P"
exec 3>&-
rm -f "$T/fifo"

# --- disk full -----------------------------------------------------------------
mkdir -p "$T/full"
if mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
  MOUNTS+=("$T/full")
  seq 1 300000 > "$T/big.seq" # ~2 MB
  bgin "$T/big.seq" svlog -s 100000000 "$T/full/log" 2>"$T/full.err"; P=$BGPID
  await_file "$T/full.err" "No space left" 10000
  check "disk full: svlog keeps running" kill -0 "$P"
  sleep 2.5 # two or three retries happen meanwhile; they must stay silent
  mount -o remount,size=8m "$T/full"
  await_gone "$P" 10000
  wait "$P"; rc=$?
  expect_eq "disk full: exit 0 once written" "$rc" 0
  check "disk full: data complete once space is freed" cmp -s "$T/full/log/current" "$T/big.seq"
  expect_eq "disk full: exactly one warning" "$(grep -c . "$T/full.err")" 1
  expect_match "disk full: warning text" "$(cat "$T/full.err")" '^svlog: warning: unable to write .*/full/log/current: No space left on device \(retrying every second\)$'
else
  fail "disk full: cannot mount a tmpfs"
fi

# --- kill -9 under a steady stream ----------------------------------------------
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
N=6000
bg bash -c 'for ((i = 1; i <= '$N'; i++)); do echo "line $i"; (( i % 100 == 0 )) && sleep 0.02; done > "$1"' _ "$T/fifo"; W=$BGPID
bgin "$T/fifo" svlog -s 20000 -n 1000 "$T/k9"; P=$BGPID
await_file "$T/k9/current" "line 1500" 10000
kill -STOP "$W" # pause the stream so the kill lands between reads
await_idle "$P"
kill -KILL "$P"; await_gone "$P"; { wait "$P"; } 2>/dev/null
kill -CONT "$W"
bgin "$T/fifo" svlog -s 20000 -n 1000 "$T/k9"; P=$BGPID
await_gone "$W" 20000
await_file "$T/k9/current" "line $N" 10000
kill -TERM "$P"; await_gone "$P"
check "kill -9: no gap, no duplicate, order kept" cmp -s <(logcat "$T/k9") <(seq -f 'line %g' 1 $N)
exec 3>&-

# --- kill -9 at random moments under a fast stream --------------------------------
# svlog leaves bytes in the pipe until they are written (tee + splice): a kill
# at any moment loses nothing; it may at worst repeat what it had just written.
mkfifo "$T/fifo2"
exec 4<>"$T/fifo2"
N=100000
bg bash -c 'for ((i = 1; i <= '$N'; i += 500)); do seq $i $((i + 499)); sleep 0.005; done > "$1"' _ "$T/fifo2"; W=$BGPID
for k in 1 2 3 4 5 6 7 8; do
  bgin "$T/fifo2" svlog -s 50000 -n 10000 "$T/kr"; P=$BGPID
  sleep "0.0$((RANDOM % 9 + 1))" # the random moment of the kill
  kill -KILL "$P"; await_gone "$P"; { wait "$P"; } 2>/dev/null
done
bgin "$T/fifo2" svlog -s 50000 -n 10000 "$T/kr"; P=$BGPID
await_gone "$W" 30000
await_file "$T/kr/current" "$N" 10000
kill -TERM "$P"; await_gone "$P"
got=$(logcat "$T/kr" | awk -v n=$N '
  /^[0-9]+$/ { x = $1 + 0; if (x > max + 1) { print "gap after " max; exit } if (x > max) max = x }
  END { if (max != n) print "last " max }')
expect_eq "kill -9 at random moments: no gap, order kept" "$got" ""
exec 4>&-

# --- pipe sizes: at most 256 KiB each, never shrunk ---------------------------
# every page of a pipe counts against the user's fs.pipe-user-pages-soft:
# 1 MiB per pipe would let ~32 loggers of one user cap all its later pipes
if ! have python3; then skip "pipe size: python3 not installed (apt-get install python3)"; else
pipesz() { python3 -c 'import fcntl, sys; print(fcntl.fcntl(0, 1032))'; } # F_GETPIPE_SZ
setpipesz() { python3 -c 'import fcntl, sys; fcntl.fcntl(0, 1031, int(sys.argv[1]))' "$1"; } # F_SETPIPE_SZ
# sizes of the pipes PID opened itself (its tee copy: both ends), one per
# line; the pipes it inherited from this shell are not its own
own_pipes() {
  local f l ours
  ours=$(ls -l /proc/$$/fd/ 2>/dev/null | grep -o 'pipe:\[[0-9]*\]')
  for f in /proc/"$1"/fd/*; do
    l=$(readlink "$f")
    case $l in pipe:*) grep -qxF "$l" <<<"$ours" || pipesz <"$f" ;; esac
  done
}
mkfifo "$T/fifo3"
exec 5<>"$T/fifo3"
bgin "$T/fifo3" svlog "$T/ps1"; P=$BGPID
echo ready >&5
await_file "$T/ps1/current" ready
expect_eq "pipe size: stdin grown to 256 KiB, no more" "$(pipesz <&5)" 262144
expect_eq "pipe size: its tee copy 256 KiB, no more" "$(own_pipes "$P" | sort -u)" 262144
kill -TERM "$P"; await_gone "$P"
exec 5>&-
rm "$T/fifo3" && mkfifo "$T/fifo3"
exec 5<>"$T/fifo3"
setpipesz $((1 << 20)) <&5
bgin "$T/fifo3" svlog "$T/ps2"; P=$BGPID
echo ready >&5
await_file "$T/ps2/current" ready
expect_eq "pipe size: a bigger stdin pipe is not shrunk" "$(pipesz <&5)" 1048576
kill -TERM "$P"; await_gone "$P"
exec 5>&-
fi # python3

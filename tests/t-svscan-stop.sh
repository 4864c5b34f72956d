# svscan's shutdown when things go wrong: a supervise killed while it stops
# its service, ^C to svscan's whole process group, signals ignored by whoever
# started svscan, a logger dead at shutdown, the logger's drain time.
. "$(dirname "$0")/lib.sh"

start_svscan() { bg "$SVBIN/svscan" "$@" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID; }
running() { await_status "$SVDIR/$1" state=RUNNING "${2:-5000}"; }
supervisor() { statusval "$SVDIR/$1" supervisor; }
# svscan_gone [MS]: until svscan exits; $RC its exit code
svscan_gone() { RC=timeout; if await_pid_gone "$SCAN" "${1:-20000}"; then wait "$SCAN"; RC=$?; fi; }
# sigbits PID FIELD: a /proc/PID/status mask (SigIgn, SigBlk) as a number
sigbits() { echo $((16#$(sed -n "s/^$2:\t//p" "/proc/$1/status"))); }
# counter: the last line talk wrote (talk.cnt, read again while it is being rewritten)
counter() { local c i; for i in $(seq 1 50); do c=$(cat "$T/talk.cnt" 2>/dev/null); [ -n "$c" ] && break; sleep 0.01; done; echo "${c:-0}"; }
# clean: a new, empty scan directory
clean() { rm -rf "$SVDIR"; mkdir -p "$SVDIR"; rm -f "$T"/*.starts "$T"/*.termed "$T/order"; }

# ---- a supervise killed while it stops its service ----
# svscan starts a new supervise, told to stop before it runs: it must live
# to adopt the service and stop it, not die of that order before exec.  The
# service shrugs off the first TERM and dies of the second, the new one's.
for how in SIGTERM quit; do
  clean
  mksv stub 'echo x >> '"$T"'/stub.starts; trap "trap - TERM; echo >> '"$T"'/stub.termed" TERM; while :; do sleep 0.1; done'
  start_svscan
  running stub || fail "$how: stub runs"
  spid=$(statusval "$SVDIR/stub" pid); sup=$(supervisor stub)
  if [ "$how" = SIGTERM ]; then kill -TERM "$SCAN"; else svc quit >/dev/null; fi
  await_file "$T/stub.termed" "" 5000 || fail "$how: stub got its first TERM"
  kill -KILL "$sup"
  svscan_gone 20000
  expect_eq "$how, supervise killed -9 while stopping: svscan exits 0" "$RC" 0
  check "$how, supervise killed -9 while stopping: the service does not outlive svscan" \
    await_pid_gone "$spid" 1000
  expect_eq "$how: the service was not started again" "$(starts stub)" 1
  kill -KILL "$spid" 2>/dev/null
  await_pid_gone "$spid" 2000
done

# ---- ^C: a SIGINT to svscan's whole process group ----
clean
for n in a:1 b:2; do
  name=${n%%:*}
  mksv "q$name" 'echo x >> '"$T"'/q'"$name"'.starts; trap "echo term '"$name"' >> '"$T"'/order; sleep 0.3; echo done '"$name"' >> '"$T"'/order; exit 0" TERM; while :; do sleep 0.05; done'
  printf 'priority=%s\n' "${n#*:}" > "$SVDIR/q$name/conf"
done
mksv talk 'echo x >> '"$T"'/talk.starts; trap "echo bye; exit 0" TERM; i=0; while :; do i=$((i+1)); echo "$i"; echo "$i" > '"$T"'/talk.cnt; sleep 0.01; done'
printf 'priority=3\n' > "$SVDIR/talk/conf"
mkdir -p "$SVDIR/talk/log"
printf '#!/bin/sh\nexec cat >> %s/talk.log\n' "$T" > "$SVDIR/talk/log/run"; chmod +x "$SVDIR/talk/log/run"
# svscan leads its own process group, as a shell job would
bg setsid "$SVBIN/svscan" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID
for n in qa qb talk talk/log; do running "$n" || fail "^C: $n runs"; done
expect_eq "^C: svscan leads its process group" "$(ps -o pgid= -p "$SCAN" | tr -d ' ')" "$SCAN"
sup=$(supervisor qa)
check "^C: a supervise is in another process group" \
  test "$(ps -o pgid= -p "$sup" | tr -d ' ')" != "$SCAN"
await_file "$T/talk.log" $'\n20\n' 5000
kill -INT -- "-$SCAN"
svscan_gone 20000
expect_eq "^C to the group: svscan exits 0" "$RC" 0
expect_eq "^C to the group: stopped in priority order" "$(tr '\n' ' ' < "$T/order")" \
  "term b done b term a done a "
expect_eq "^C to the group: nothing started again" "$(starts qa)$(starts qb)$(starts talk)" 111
last=$(counter)
missing=$(seq 1 "$last" | sort > "$T/want"; sort -u "$T/talk.log" > "$T/got"; comm -23 "$T/want" "$T/got" | wc -l)
expect_eq "^C to the group: the log has every line (1..$last)" "$missing" 0
check "^C to the group: the log has the service's last words" grep -qx bye "$T/talk.log"

# ---- signals ignored by whoever started svscan ----
clean
mksv plain 'exec sleep 1302'
bg bash -c 'trap "" INT QUIT; exec "$0" "$1"' "$SVBIN/svscan" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID
running plain || fail "ignored signals: plain runs"
check "ignored signals: svscan was started with INT and QUIT ignored" \
  test $(( $(sigbits "$SCAN" SigIgn) & 6 )) = 6
sup=$(supervisor plain); spid=$(statusval "$SVDIR/plain" pid)
expect_eq "ignored signals: supervise ignores neither INT nor QUIT" "$(( $(sigbits "$sup" SigIgn) & 6 ))" 0
expect_eq "ignored signals: supervise blocks only its own signals (no inherited HUP/TERM left)" \
  "$(( $(sigbits "$sup" SigBlk) & ~(1 << 0 | 1 << 1 | 1 << 14 | 1 << 16) ))" 0
expect_eq "ignored signals: the service ignores neither INT nor QUIT" "$(( $(sigbits "$spid" SigIgn) & 6 ))" 0
svc -i plain
check "ignored signals: svc -i ends a service that does not trap INT" await_pid_gone "$spid" 3000
kill -TERM "$SCAN"; svscan_gone 15000
expect_eq "ignored signals: svscan exits 0" "$RC" 0

# ---- a logger dead (in its restart delay) when its service stops ----
clean
# (the trap: never killed between the truncation of talk.cnt and its write)
mksv talk 'trap "exit 0" TERM; i=0; while :; do i=$((i+1)); echo "$i"; echo "$i" > '"$T"'/talk.cnt; sleep 0.01; done'
mkdir -p "$SVDIR/talk/log"
printf '#!/bin/sh\nexec cat >> %s/talk.log\n' "$T" > "$SVDIR/talk/log/run"; chmod +x "$SVDIR/talk/log/run"
: > "$T/talk.log"
start_svscan
running talk && running talk/log || fail "dead logger: tree runs"
await_file "$T/talk.log" $'\n20\n' 5000
# the logger and its supervise die; the next supervise cannot enter a
# renamed log/ and exits at once, so svscan waits before it tries again
mv "$SVDIR/talk/log" "$SVDIR/talk/log.away"
kill -KILL "$(supervisor talk/log.away)" "$(statusval "$SVDIR/talk/log.away" pid)"
check "dead logger: its supervise is waiting to restart" \
  await_file "$T/svscan.err" 'logger of talk exited 111: restarting after a delay' 5000
# lines after k were written with no logger alive: they wait in the pipe
# (a logger killed -9 may take lines read but not written with it)
k=$(counter)
for i in $(seq 1 100); do [ "$(counter)" -ge $((k + 5)) ] && break; sleep 0.02; done
mv "$SVDIR/talk/log.away" "$SVDIR/talk/log"
svc quit >/dev/null
svscan_gone 20000
expect_eq "dead logger: svscan exits 0" "$RC" 0
last=$(counter)
missing=$(seq $((k + 1)) "$last" | sort > "$T/want"; sort -u "$T/talk.log" > "$T/got"; comm -23 "$T/want" "$T/got" | wc -l)
expect_eq "dead logger: a logger drained the pipe, no line lost ($((k + 1))..$last)" "$missing" 0
check "dead logger: svscan started one to drain the pipe" \
  grep -q '^svscan: info: starting a supervise to drain the logger of talk$' "$T/svscan.err"

# ---- the drain time is the logger's stopwaitsecs ----
clean
mksv quiet 'exec sleep 1303'
mkdir -p "$SVDIR/quiet/log"
# a logger that stays after EOF
printf '#!/bin/sh\ncat > /dev/null\nexec sleep 1304\n' > "$SVDIR/quiet/log/run"; chmod +x "$SVDIR/quiet/log/run"
printf 'stopwaitsecs=1\n' > "$SVDIR/quiet/log/conf"
start_svscan
running quiet && running quiet/log || fail "drain: tree runs"
t0=$(date +%s%N)
kill -TERM "$SCAN"
svscan_gone 20000
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect_eq "drain: svscan exits 0" "$RC" 0
check "drain: a logger stuck after EOF is stopped after its stopwaitsecs=1 ($ms ms)" \
  test "$ms" -ge 900 -a "$ms" -lt 3000

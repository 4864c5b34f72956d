# Fault injection (issue 8's campaign): kill -9 of svlog, supervise and svscan
# under a numbered-line load; EMFILE in supervise and svscan; ENOSPC in a log
# directory; a read-only status directory.  What README promises: no line is
# ever lost; a kill -9 of svlog may write its last batch again (tee + splice),
# nothing else repeats; a failing write is one warning and a retry every second.
. "$(dirname "$0")/lib.sh"

MOUNTS=() IMMUTABLE=()
fault_cleanup() {
  local m
  # the processes first, then the mounts under $T: a blocked svlog must not
  # keep a mount busy, and rm -rf must meet neither a mount nor chattr +i
  # (stderr aside: bash's "Killed" lines for our own kills are no news)
  {
    for m in "${IMMUTABLE[@]}"; do chattr -i "$m"; done
    for m in "${PIDS[@]}"; do kill -KILL "$m"; done
    wait
    kill_recorded_services
    for m in "${MOUNTS[@]}"; do umount -l "$m"; done
    cleanup
  } 2>/dev/null
}
trap fault_cleanup EXIT
# tmpfs DIR SIZE: a small tmpfs on DIR, unmounted at exit
tmpfs() { mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" && MOUNTS+=("$1"); }

start_svscan() { bg "$SVBIN/svscan" "$SVDIR" 2>>"$T/svscan$1.err"; SCAN=$BGPID; }
# mklog NAME SVLOG_ARGS: NAME/log runs svlog ARGS ./main, restarted at once when killed
mklog() {
  mkdir -p "$SVDIR/$1/log"
  printf '#!/bin/sh\nexec svlog %s ./main\n' "$2" > "$SVDIR/$1/log/run"
  chmod +x "$SVDIR/$1/log/run"
  printf 'startsecs=0\nbackoff=0\n' > "$SVDIR/$1/log/conf"
}
logcat() { cat "$1"/@*.s "$1/current" 2>/dev/null; }
# new_pid DIR OLD: until DIR's status names a live pid other than OLD (5 s)
new_pid() {
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$(statusval "$1" pid)
    [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$2" ] && kill -0 "$p" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
new_supervisor() {
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$(statusval "$1" supervisor)
    [ -n "$p" ] && [ "$p" != "$2" ] && kill -0 "$p" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
# await_lines FILE N: until FILE has at least N lines (5 s)
await_lines() {
  local i
  for ((i = 0; i < 100; i++)); do [ "$(wc -l < "$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
# live EXE: live processes running EXE with a cwd under $SVDIR, one line each
live() {
  local c p
  for c in $(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$SVDIR/*" 2>/dev/null); do
    p=${c%/cwd}
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] || continue
    case $(sed -n 's/^State:\t\(.\).*/\1/p' "$p/status" 2>/dev/null) in Z|X|'') continue ;; esac
    readlink "$p/cwd"
  done
}
# sequence_faults: reads numbers; prints "jumps N" (times the sequence went
# back: a batch written again) or the first gap / wrong end
sequence_faults() {
  awk -v n="$1" '
    { x = $1 + 0 }
    x == last + 1 { last = x; if (x > max) max = x; next }
    x <= last && x >= 1 { jumps++; last = x; next }
    { print "gap: " x " after " last; bad = 1; exit }
    END { if (!bad) { if (max != n) print "last line " max; else print "jumps " jumps + 0 } }'
}
# blocked_in_write PID: until PID sleeps in a pipe write (bounded, 10 s;
# the kernel calls it pipe_write or anon_pipe_write)
blocked_in_write() {
  local i
  for ((i = 0; i < 200; i++)); do
    case $(cat "/proc/$1/wchan" 2>/dev/null) in *pipe_write) return 0 ;; esac
    sleep 0.05
  done
  return 1
}

# ==== kill -9 of svlog, supervise and svscan under a numbered load ===========
# talk's svlog is killed (repeats of its last batch allowed); calm's svlog is
# never killed, only supervise processes and svscan: exactly once.
N=20000
mksv talk "exec numlines $N 300"
mklog talk '-s 20000 -n 500'
mksv calm "exec numlines $N 300"
mklog calm '-s 20000 -n 500'
start_svscan 1
for d in talk talk/log calm calm/log; do await_status "$SVDIR/$d" state=RUNNING 10000 || fail "kill -9: $d runs"; done
await_file "$SVDIR/talk/log/main/current" $'\n300\n' 10000 || fail "kill -9: lines reach talk's log"
KILLS=3
for ((k = 1; k <= KILLS; k++)); do
  p=$(statusval "$SVDIR/talk/log" pid)
  kill -KILL "$p"; await_pid_gone "$p"
  new_pid "$SVDIR/talk/log" "$p" || fail "kill -9 svlog #$k: a new svlog runs"
done
for d in talk/log talk calm/log calm; do
  s=$(statusval "$SVDIR/$d" supervisor); p=$(statusval "$SVDIR/$d" pid)
  kill -KILL "$s"; await_pid_gone "$s"
  check "kill -9 supervise of $d: a new one adopts the running pid" \
    eval 'new_supervisor "$SVDIR/$d" "$s" && [ "$(statusval "$SVDIR/$d" pid)" = "$p" ]'
done
disown "$SCAN" # no "Killed" line from bash
kill -KILL "$SCAN"; await_pid_gone "$SCAN"
start_svscan 2
check "kill -9 svscan: the new svscan takes the tree over" await_file "$T/svscan2.err" "took over the log pipe of talk" 10000
for d in talk calm; do
  check "kill -9: every line reaches $d's log" await_file "$SVDIR/$d/log/main/current" $'\n'"$N"$'\n' 60000
done
check "kill -9: the logs rotated meanwhile" test "$(ls "$SVDIR/calm/log/main" | grep -c '^@')" -ge 3
check "kill -9 of supervise and svscan only: every line exactly once, in order" \
  cmp -s <(logcat "$SVDIR/calm/log/main") <(seq 1 $N)
got=$(logcat "$SVDIR/talk/log/main" | sequence_faults $N)
expect_match "kill -9 of svlog x$KILLS: no line lost, order kept, at most one batch again per kill ($got)" \
  "$got" "^jumps [0-$KILLS]\$"
expect_eq "kill -9: one load and one svlog per service (no second copy)" \
  "$(live "$SVTEST/numlines" | sort | tr '\n' ' ')/$(live "$SVBIN/svlog" | sort | tr '\n' ' ')" \
  "$SVDIR/calm $SVDIR/talk /$SVDIR/calm/log/main $SVDIR/talk/log/main "
svc quit >/dev/null; await_pid_gone "$SCAN" 20000

# ==== EMFILE in supervise ======================================================
mksv em "echo \$\$ >> $T/em.pids; exec sleep 1201"
printf 'backoff=200ms\nbackoffmax=1\n' > "$SVDIR/em/conf"
supervise_bg "$SVDIR/em"; SUP=$BGPID
await_status "$SVDIR/em" state=RUNNING || fail "EMFILE supervise: runs"
old=$(statusval "$SVDIR/em" pid)
prlimit --pid "$SUP" --nofile=3: # below what it holds: every open fails
svc -r "$SVDIR/em"
await_pid_gone "$old"
check "EMFILE supervise: says so" await_file "$T/em.err" "Too many open files" 5000
check "EMFILE supervise: still running itself" kill -0 "$SUP"
check "EMFILE supervise: no run starts meanwhile" test "$(wc -l < "$T/em.pids")" = 1
prlimit --pid "$SUP" --nofile=1024:
check "EMFILE supervise: the service runs again once the limit goes" \
  eval 'await_lines "$T/em.pids" 2 && [ "$(wc -l < "$T/em.pids")" = 2 ] && await_status "$SVDIR/em" "pid=$(tail -1 "$T/em.pids")" 5000 && await_status "$SVDIR/em" state=RUNNING'
expect_eq "EMFILE supervise: one line per error, each naming it" \
  "$(grep -vc '^supervise: \(warning: \(em: unable to read ./conf\|unable to write .*/em/supervise/status\|unable to write .*/em/supervise/history.new (written again with the status file)\): Too many open files\|info: wrote .*/em/supervise/status again$\)' "$T/em.err")" 0
expect_eq "EMFILE supervise: one status warning, not one per change" "$(grep -c 'status: Too many open files (retrying every second)$' "$T/em.err")" 1
svc -d -w D -T 5000 "$SVDIR/em" >/dev/null

# ==== EMFILE in svscan =========================================================
export SVDIR=$T/sv-emfile; mkdir -p "$SVDIR"
mksv steady 'exec sleep 1202'
start_svscan 3
await_status "$SVDIR/steady" state=RUNNING || fail "EMFILE svscan: steady runs"
steady=$(statusval "$SVDIR/steady" pid)
prlimit --pid "$SCAN" --nofile=3:
mksv fresh 'while :; do echo fresh; sleep 0.2; done'
mklog fresh ''
svc reload >/dev/null
check "EMFILE svscan: says so" await_file "$T/svscan3.err" "Too many open files (retrying every second)" 5000
check "EMFILE svscan: still running" kill -0 "$SCAN"
check "EMFILE svscan: nothing started meanwhile" test ! -e "$SVDIR/fresh/supervise/status"
prlimit --pid "$SCAN" --nofile=1024:
check "EMFILE svscan: the new service and its logger start once the limit goes" \
  eval 'await_status "$SVDIR/fresh" state=RUNNING 5000 && await_file "$SVDIR/fresh/log/main/current" fresh 5000'
expect_eq "EMFILE svscan: the running service was never touched" "$(statusval "$SVDIR/steady" pid)" "$steady"
expect_eq "EMFILE svscan: one warning for the wait" "$(grep -c 'Too many open files' "$T/svscan3.err")" 1
svc quit >/dev/null; await_pid_gone "$SCAN" 20000

# ==== ENOSPC in a log directory ================================================
export SVDIR=$T/sv-enospc; mkdir -p "$SVDIR"
# 349 kB of lines: more than the pipe (256 KiB) and the room left (64 kB)
N=60000
mksv full "exec numlines $N 0"
mklog full '-s 10000000'
if ! tmpfs "$SVDIR/full/log/main" 512k; then fail "ENOSPC: cannot mount a tmpfs"; else
head -c $((448 * 1024)) /dev/zero > "$SVDIR/full/log/main/filler"
start_svscan 4
await_status "$SVDIR/full" state=RUNNING || fail "ENOSPC: the load runs"
check "ENOSPC: svlog says so" await_file "$T/svscan4.err" "No space left on device (retrying every second)" 10000
check "ENOSPC: the writer blocks rather than svlog dropping lines" blocked_in_write "$(statusval "$SVDIR/full" pid)"
check "ENOSPC: svlog keeps running" kill -0 "$(statusval "$SVDIR/full/log" pid)"
rm "$SVDIR/full/log/main/filler"
check "ENOSPC: once space is freed every line arrives" await_file "$SVDIR/full/log/main/current" $'\n'"$N"$'\n' 20000
check "ENOSPC: ... exactly once, in order" cmp -s "$SVDIR/full/log/main/current" <(seq 1 $N)
expect_match "ENOSPC: one warning line" "$(grep -i 'space' "$T/svscan4.err")" \
  '^svlog: warning: unable to write \./main/current: No space left on device \(retrying every second\)$'
svc quit >/dev/null; await_pid_gone "$SCAN" 20000
fi

# ==== a read-only status directory =============================================
# The kernel refuses to remount a file system read-only (or a bind of it)
# while supervise holds its lock there open for writing (EBUSY); an
# immutable directory refuses every create and rename the same way, root's
# too, as a file system that errors turned read-only does.
export SVDIR=$T/sv-ro; mkdir -p "$SVDIR"
mksv ro "echo \$\$ >> $T/ro.pids; exec sleep 1203"
supervise_bg "$SVDIR/ro"; SUP=$BGPID
await_status "$SVDIR/ro" state=RUNNING || fail "read-only status: runs"
if ! chattr +i "$SVDIR/ro/supervise" 2>"$T/chattr.err"; then
  skip "read-only status: chattr +i refused here ($(cat "$T/chattr.err"))"
else
IMMUTABLE+=("$SVDIR/ro/supervise")
for k in 2 3; do # two restarts while nothing can be written
  svc -r "$SVDIR/ro"
  await_lines "$T/ro.pids" $k
done
check "read-only status: the service restarted anyway" test "$(wc -l < "$T/ro.pids")" = 3
check "read-only status: the file still says the first run" await_status "$SVDIR/ro" "pid=$(head -1 "$T/ro.pids")" 100
sleep 2.5 # two retries happen meanwhile: they must stay silent
expect_eq "read-only status: one warning, not a flood" "$(grep -c 'warning: .*/status: ' "$T/ro.err")" 1
expect_eq "read-only status: one for the history, not one per event" "$(grep -c 'warning: .*/history.new ' "$T/ro.err")" 1
expect_eq "read-only status: no other warning" "$(grep -c warning "$T/ro.err")" 2
expect_match "read-only status: the warning says what and why" "$(grep 'warning: .*/status: ' "$T/ro.err")" \
  '^supervise: warning: unable to write .*/ro/supervise/status: Operation not permitted \(retrying every second\)$'
chattr -i "$SVDIR/ro/supervise"
check "read-only status: written within about a second once writable" \
  await_status "$SVDIR/ro" "pid=$(tail -1 "$T/ro.pids")" 2500
expect_eq "read-only status: nothing lost (state, starts)" \
  "$(statusval "$SVDIR/ro" state) $(statusval "$SVDIR/ro" starts)" "RUNNING 3"
# the two restarts made while nothing could be written are in it, and it ends RUNNING
check "read-only status: the history is written again with it" \
  eval '[ "$(cut -d" " -f2 "$SVDIR/ro/supervise/history" | grep -c "^STOPPING$")" = 2 ] && [ "$(tail -n1 "$SVDIR/ro/supervise/history" | cut -d" " -f2)" = RUNNING ]'
check "read-only status: says it is written again" grep -q '^supervise: info: wrote .*/ro/supervise/status again$' "$T/ro.err"
check "read-only status: svc -w works again" svc -d -w D -T 5000 "$SVDIR/ro"
fi

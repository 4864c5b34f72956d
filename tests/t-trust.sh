#!/usr/bin/env bash
# SPEC §13 for supervise, svstat and svc: modes, symlinks, stale or planted
# status files, descriptors, long env/ values, values that do not fit,
# no spin, every named service served.
. "$(dirname "$0")/lib.sh"

mode_of() { stat -c %a "$1" 2>/dev/null; }
owner_of() { stat -c %u "$1" 2>/dev/null; }
# cpu_ticks PID: utime + stime of PID
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

as_root=1
[ "$(id -u)" = 0 ] || as_root=
chmod 755 "$T"

# ---- modes, whatever the umask ----
mksv modes 'exec sleep 600'
(umask 077; exec "$SVBIN/supervise" "$SVDIR/modes" 2>>"$T/modes.err") & BGPID=$!; PIDS+=("$BGPID")
await_supervised "$SVDIR/modes"
expect_eq "umask 077: status is 0644" "$(mode_of "$SVDIR/modes/supervise/status")" 644
expect_eq "umask 077: lock is 0600" "$(mode_of "$SVDIR/modes/supervise/lock")" 600
expect_eq "umask 077: control is 0600" "$(mode_of "$SVDIR/modes/supervise/control")" 600
svc -x -d -w D -T 5000 "$SVDIR/modes"; await_pid_gone "$BGPID"

mksv modes0 'exec sleep 600'
(umask 0; exec "$SVBIN/supervise" "$SVDIR/modes0" 2>>"$T/modes0.err") & BGPID=$!; PIDS+=("$BGPID")
await_supervised "$SVDIR/modes0"
expect_eq "umask 0: status is 0644" "$(mode_of "$SVDIR/modes0/supervise/status")" 644
expect_eq "umask 0: lock is 0600" "$(mode_of "$SVDIR/modes0/supervise/lock")" 600
svc -x -d -w D -T 5000 "$SVDIR/modes0"; await_pid_gone "$BGPID"

# ---- another user cannot hold the lock ----
if [ -n "$as_root" ] && [ -x /usr/bin/python3 ]; then
  mksv lockd 'exec sleep 600'
  mkdir -p "$SVDIR/lockd/supervise"; chmod 755 "$SVDIR/lockd" "$SVDIR/lockd/supervise"
  # the lock an older supervise left, 0644: a user takes a read lock on it
  mkdir -m 777 "$T/nb"
  : > "$SVDIR/lockd/supervise/lock"; chmod 644 "$SVDIR/lockd/supervise/lock"
  bg setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.lockf(fd, fcntl.LOCK_SH)
open(sys.argv[2], "w").write("held\n")
time.sleep(600)' "$SVDIR/lockd/supervise/lock" "$T/nb/held"
  HOLDER=$BGPID
  check "a user holds a read lock on the old 0644 lock file" await_file "$T/nb/held" held
  supervise_bg "$SVDIR/lockd"
  if await_supervised "$SVDIR/lockd"; then ok "a user's read lock on an old lock file does not keep supervise out"
  else fail "a user's read lock on an old lock file does not keep supervise out: $(cat "$T/lockd.err")"; fi
  expect_eq "the lock was made anew, 0600" "$(mode_of "$SVDIR/lockd/supervise/lock")" 600
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import os, sys
try:
    os.open(sys.argv[1], os.O_RDONLY); print("opened")
except PermissionError: print("denied")' "$SVDIR/lockd/supervise/lock")
  expect_eq "another user cannot open the lock" "$out" denied
  svc -w U -T 5000 "$SVDIR/lockd"
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$SVBIN/svstat" "$SVDIR/lockd" | tr -s ' ')
  expect_match "svstat as another user still sees supervise" "$out" "RUNNING"
  svc -x -d -w D -T 5000 "$SVDIR/lockd"; await_pid_gone "$BGPID"
  kill "$HOLDER" 2>/dev/null
else
  echo "ok lock held by another user: skipped (needs root and python3)"
fi

# ---- symlinks in the state directory are never followed ----
mksv links 'exec sleep 600'
mkdir -p "$SVDIR/links/supervise"
echo precious > "$T/target"; chmod 600 "$T/target"
mkfifo "$T/fifo"; chmod 666 "$T/fifo"
ln -s "$T/target" "$SVDIR/links/supervise/status.new"
ln -s "$T/target" "$SVDIR/links/supervise/lock"
ln -s "$T/fifo" "$SVDIR/links/supervise/control"
supervise_bg "$SVDIR/links"; await_supervised "$SVDIR/links"
expect_eq "status.new symlink: its target is untouched" "$(cat "$T/target")" precious
expect_eq "  ... and keeps its mode" "$(mode_of "$T/target")" 600
expect_eq "lock symlink replaced by a file" "$(stat -c %F "$SVDIR/links/supervise/lock")" "regular empty file"
expect_eq "control symlink replaced by a FIFO" "$(stat -c %F "$SVDIR/links/supervise/control")" fifo
expect_eq "  ... the FIFO it pointed to keeps its mode" "$(mode_of "$T/fifo")" 666
svc -x -d -w D -T 5000 "$SVDIR/links"; await_pid_gone "$BGPID"

if [ -n "$as_root" ]; then
  mksv userlink 'exec sleep 600'
  mkdir -p "$T/elsewhere"
  ln -s "$T/elsewhere" "$SVDIR/userlink/supervise"
  chown -h 65534 "$SVDIR/userlink/supervise"
  err=$("$SVBIN/supervise" "$SVDIR/userlink" 2>&1); rc=$?
  expect_eq "supervise/ a symlink planted by a user: exit 100" "$rc" 100
  expect_match "  ... says why" "$err" "supervise: fatal: unable to open .*/userlink/supervise: a symlink not owned by root"
  check "  ... nothing written there" test -z "$(ls -A "$T/elsewhere")"
  chown -h 0 "$SVDIR/userlink/supervise"
  supervise_bg "$SVDIR/userlink"
  check "supervise/ a symlink root made (s6, runit): used" await_supervised "$SVDIR/userlink"
  check "  ... the state is where it points" test -p "$T/elsewhere/control"
  svc -x -d -w D -T 5000 "$SVDIR/userlink"; await_pid_gone "$BGPID"
fi

# ---- a stale or planted status never makes supervise adopt a stranger ----
stranger() { # a session leader not ours; echoes its pid and start time
  setsid sleep 600 & local p=$!; PIDS+=("$p")
  local i st=
  for i in $(seq 100); do
    st=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$p/stat 2>/dev/null)
    [ -n "$st" ] && [ "$(awk '{ sub(/.*\) /, ""); print $4 }' /proc/$p/stat)" = "$p" ] && break
    sleep 0.02
  done
  echo "$p $st"
}
plant_status() { # DIR PID PIDSTART BOOT
  mkdir -p "$1/supervise"
  printf 'state=RUNNING\npid=%s\nsince=1.000\nwant=up\nready=1\npidstart=%s\nstarted=1.000\nboot=%s\n' \
    "$2" "$3" "$4" > "$1/supervise/status"
}
boot=$(cat /proc/sys/kernel/random/boot_id)
read -r SP SST < <(stranger)
mksv stale 'exec sleep 600'
plant_status "$SVDIR/stale" "$SP" "$SST" 00000000-0000-0000-0000-000000000000
supervise_bg "$SVDIR/stale"; await_supervised "$SVDIR/stale"
await_status "$SVDIR/stale" state=RUNNING
got=$(statusval "$SVDIR/stale" pid)
check "status from another boot: not adopted, a run of its own" test "$got" != "$SP" -a "$got" != 0
expect_eq "  ... the status records this boot" "$(statusval "$SVDIR/stale" boot)" "$boot"
svc -x -d -w D -T 5000 "$SVDIR/stale"; await_pid_gone "$BGPID"
check "  ... and the stranger was never signalled" kill -0 "$SP"

if [ -n "$as_root" ]; then
  mksv planted 'exec sleep 600'
  plant_status "$SVDIR/planted" "$SP" "$SST" "$boot"
  chown 65534 "$SVDIR/planted/supervise/status"
  supervise_bg "$SVDIR/planted"; await_supervised "$SVDIR/planted"
  await_status "$SVDIR/planted" state=RUNNING
  got=$(statusval "$SVDIR/planted" pid)
  check "status written by another user: not adopted" test "$got" != "$SP" -a "$got" != 0
  svc -x -d -w D -T 5000 "$SVDIR/planted"; await_pid_gone "$BGPID"
  check "  ... and the stranger was never signalled" kill -0 "$SP"
fi
kill "$SP" 2>/dev/null

# ---- notification-fd: every value from 3 up works, with or without stdout= ----
for fd in 3 4 5 6 7 8 9 10 12 20; do
  for out in plain file; do
    n=nfd$fd$out
    mksv "$n" "exec bash -c 'echo line-from-$n; echo >&$fd; exec sleep 600'"
    echo "$fd" > "$SVDIR/$n/notification-fd"
    [ $out = file ] && printf 'stdout=%s\n' "$T/$n.log" > "$SVDIR/$n/conf"
    supervise_bg "$SVDIR/$n" >/dev/null; await_supervised "$SVDIR/$n"
    if svc -w U -T 5000 "$SVDIR/$n" 2>/dev/null; then ok "notification-fd=$fd ($out): ready"
    else fail "notification-fd=$fd ($out): not ready: $(svstat_line "$SVDIR/$n") $(cat "$T/$n.err")"; fi
    if [ $out = file ]; then
      check "  ... stdout still goes to the stdout= file" await_file "$T/$n.log" "line-from-$n"
    fi
    svc -x -d -w D -T 5000 "$SVDIR/$n"; await_pid_gone "$BGPID"
  done
done

# ---- env/: the whole first line, however long ----
mksv longenv 'printf %s "$BIG" | wc -c > '"$T"'/big.len; printf %s "$BIG" | tail -c 5 > '"$T"'/big.tail; exec sleep 600'
mkdir -p "$SVDIR/longenv/env"
{ head -c 20000 /dev/zero | tr '\0' x; printf 'ENDxy  \nsecond line\n'; } > "$SVDIR/longenv/env/BIG"
supervise_bg "$SVDIR/longenv"; await_supervised "$SVDIR/longenv"
await_file "$T/big.tail" ENDxy
expect_eq "env/ value of 20005 bytes arrives whole" "$(cat "$T/big.len" 2>/dev/null | tr -d ' ')" 20005
svc -x -d -w D -T 5000 "$SVDIR/longenv"; await_pid_gone "$BGPID"

# ---- values that do not fit are configuration errors ----
badfit() { # NAME CONFLINE REGEX
  mksv "$1" 'exec sleep 600'
  printf '%s\n' "$2" > "$SVDIR/$1/conf"
  supervise_bg "$SVDIR/$1"; await_supervised "$SVDIR/$1"
  await_status "$SVDIR/$1" state=FATAL 3000
  expect_match "$2: FATAL" "$(svstat_line "$SVDIR/$1")" "$3"
  svc -x -d -w D -T 5000 "$SVDIR/$1"; await_pid_gone "$BGPID"
}
badfit fit1 'startsecs=18446744073709551' 'FATAL conf line 1: bad value for startsecs'
badfit fit2 'stopwaitsecs=99999999999999999999' 'FATAL conf line 1: bad value for stopwaitsecs'
badfit fit3 'stdout_maxbytes=99999999999999GB' 'FATAL conf line 1: bad value for stdout_maxbytes'
badfit fit4 'backoffmax=3155760001' 'FATAL conf line 1: bad value for backoffmax'
mksv fit5 'exec sleep 600'; echo 18446744073709551615 > "$SVDIR/fit5/timeout-kill"
supervise_bg "$SVDIR/fit5"; await_supervised "$SVDIR/fit5"; await_status "$SVDIR/fit5" state=FATAL 3000
expect_match "timeout-kill that does not fit: FATAL" "$(svstat_line "$SVDIR/fit5")" "FATAL timeout-kill: bad value"
svc -x -d -w D -T 5000 "$SVDIR/fit5"; await_pid_gone "$BGPID"

# a deadline 35 days away: supervise waits, never spins
mksv far 'echo x >> '"$T"'/far.starts; exit 1'
printf 'startsecs=0\nbackoff=3024000\nbackoffmax=3024000\n' > "$SVDIR/far/conf"
supervise_bg "$SVDIR/far"; FAR=$BGPID; await_supervised "$SVDIR/far"
await_status "$SVDIR/far" state=BACKOFF
t0=$(cpu_ticks "$FAR"); sleep 1; t1=$(cpu_ticks "$FAR")
check "backoff of 35 days: supervise idles (cpu ticks $t0 -> $t1)" test $((t1 - t0)) -le 5
expect_eq "  ... one start so far" "$(starts far)" 1
svc -x -d -w D -T 5000 "$SVDIR/far"; await_pid_gone "$FAR"

# ---- backoff=0 with startsecs=0 never spins ----
mksv spin 'echo x >> '"$T"'/spin.starts; exit 0'
printf 'startsecs=0\nbackoff=0\nbackoffmax=0\n' > "$SVDIR/spin/conf"
supervise_bg "$SVDIR/spin"; await_supervised "$SVDIR/spin"
await_file "$T/spin.starts" x
s0=$(starts spin); sleep 1; s1=$(starts spin)
svc -x -d -w D -T 5000 "$SVDIR/spin"; await_pid_gone "$BGPID"
n=$((s1 - s0))
check "backoff=0 startsecs=0: restarts, but at most 50 a second ($n in 1 s)" test "$n" -ge 3 -a "$n" -le 52

# ---- svstat -j is valid UTF-8 JSON whatever the name ----
odd=$'caf\xe9-'$'\xff'
mksv "$odd" 'exec sleep 600'
mksv "ok-é" 'exec sleep 600'
supervise_bg "$SVDIR/$odd"; A=$BGPID; await_supervised "$SVDIR/$odd"
supervise_bg "$SVDIR/ok-é"; B=$BGPID; await_supervised "$SVDIR/ok-é"
"$SVBIN/svstat" -j "$odd" "ok-é" > "$T/j.out"
if python3 - "$T/j.out" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
lines = raw.decode("utf-8").splitlines()   # strict: raises on invalid UTF-8
names = [json.loads(l)["name"] for l in lines]
assert names == ["caf\u00e9-\u00ff", "ok-\u00e9"], names
PY
then ok "svstat -j: every line valid UTF-8 JSON, stray bytes as \\u00XX"
else fail "svstat -j: invalid output: $(od -c "$T/j.out" | head -3)"; fi
"$SVBIN/svstat" -p "$odd" > "$T/p.out"
check "svstat -p: valid UTF-8 too" /usr/bin/python3 -c 'import sys; open(sys.argv[1],"rb").read().decode("utf-8")' "$T/p.out"
svc -x -d -w D -T 5000 "$SVDIR/$odd" "$SVDIR/ok-é"; await_pid_gone "$A"; await_pid_gone "$B"

# ---- an unknown name among good ones: the good ones are served ----
mksv good 'exec sleep 600'
supervise_bg "$SVDIR/good"; G=$BGPID; await_supervised "$SVDIR/good"
svc -w U -T 5000 good
out=$("$SVBIN/svstat" good nosuch 2>"$T/e1"); rc=$?
expect_eq "svstat good nosuch: exit 111" "$rc" 111
expect_match "  ... good is shown" "$out" "^good +RUNNING"
expect_match "  ... one warning names nosuch" "$(cat "$T/e1")" "^svstat: warning: unable to find service nosuch: "
expect_eq "  ... and only one" "$(wc -l < "$T/e1")" 1
svc -d -w D -T 5000 nosuch good 2>"$T/e2"; rc=$?
expect_eq "svc -d nosuch good: exit 111" "$rc" 111
expect_eq "  ... good is down" "$(statusval "$SVDIR/good" state)" STOPPED
expect_match "  ... one warning names nosuch" "$(cat "$T/e2")" "^svc: warning: unable to find service nosuch: "
out=$("$SVBIN/svstat" good@7 good 2>"$T/e3"); rc=$?
expect_eq "svstat good@7 good: the bad instance is 100, good still shown" "$rc/$(echo "$out" | awk '{print $1}')" "100/good"
svc -x -w D -T 5000 good; await_pid_gone "$G"

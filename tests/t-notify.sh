#!/bin/bash
# SPEC §9 notify=systemd: NOTIFY_SOCKET, READY=1, STATUS=, MAINPID=, STOPPING=1;
# senders outside the service, garbage and oversized datagrams dropped.
. "$(dirname "$0")/lib.sh"
NS=$SVTEST/notify_send

# readiness and STATUS= from the run (same process group); the run waits on a FIFO
mkfifo "$T/go"
mksv ready "echo \"\$NOTIFY_SOCKET \${WATCHDOG_USEC-unset}\" > $T/ready.env; $NS -b 'STATUS=warming up' || exit 9; read x < $T/go; $NS -b READY=1 'STATUS=serving 3 clients'; exec sleep 1000"
printf 'notify=systemd\nstartsecs=10\n' > "$SVDIR/ready/conf"
supervise_bg "$SVDIR/ready"
check "STATUS= reaches the status file" await_status "$SVDIR/ready" "status=warming up"
expect_eq "NOTIFY_SOCKET is S/supervise/notify, no WATCHDOG_USEC without watchdog=" "$(cat "$T/ready.env")" "$SVDIR/ready/supervise/notify unset"
expect_match "the socket is mode 0600" "$(stat -c '%F %a' "$SVDIR/ready/supervise/notify")" '^socket 600$'
expect_eq "before READY=1: STARTING, not ready" "$(statusval "$SVDIR/ready" state) $(statusval "$SVDIR/ready" ready)" "STARTING 0"
"$SVBIN/svc" -w U -T 300 "$SVDIR/ready" 2>/dev/null; expect_eq "svc -w U waits for READY=1" $? 1
echo go > "$T/go"
"$SVBIN/svc" -w U -T 5000 "$SVDIR/ready"; expect_eq "READY=1 = readiness (svc -w U)" $? 0
expect_eq "READY=1 proves the start before startsecs" "$(statusval "$SVDIR/ready" state)" RUNNING
check "the new STATUS= replaces the old" await_status "$SVDIR/ready" "status=serving 3 clients"
expect_match "svstat DETAIL shows STATUS=" "$(svstat_line "$SVDIR/ready")" 'RUNNING pid [0-9]+, uptime [0-9:]+, status: serving 3 clients$'
expect_match "svstat -j carries status" "$("$SVBIN/svstat" -j "$SVDIR/ready")" '"status":"serving 3 clients","mainpid":0'

# a sender outside the service (this shell) is dropped, with one warning for many
mksv outsider "exec sleep 1000"
printf 'notify=systemd\nstartsecs=10\n' > "$SVDIR/outsider/conf"
supervise_bg "$SVDIR/outsider"
check "outsider: supervised" await_status "$SVDIR/outsider" state=STARTING
sock=$SVDIR/outsider/supervise/notify
for i in 1 2 3; do NOTIFY_SOCKET=$sock "$NS" -b READY=1 "STATUS=from outside" "MAINPID=$$"; done
expect_eq "outsider: READY=1, STATUS=, MAINPID= ignored" \
  "$(statusval "$SVDIR/outsider" ready) $(statusval "$SVDIR/outsider" state) [$(statusval "$SVDIR/outsider" status)]" "0 STARTING []"
expect_eq "outsider: one warning line for three tries" \
  "$(grep -c 'dropped a datagram from a process outside the service' "$T/outsider.err")" 1
check "outsider: supervise still up" kill -0 "$BGPID"

# a child that left the run's process group and session: dropped, unless the
# service has a cgroup, which it is still in (then it is the service's)
mksv away "$NS -g -b READY=1; echo \$? > $T/away.rc; $NS -b 'STATUS=after'; exec sleep 1000"
printf 'notify=systemd\nstartsecs=10\n' > "$SVDIR/away/conf"
supervise_bg "$SVDIR/away"
check "new session: the run went on" await_status "$SVDIR/away" "status=after"
pid=$(statusval "$SVDIR/away" pid)
if grep -q '/svkit/' "/proc/$pid/cgroup" 2>/dev/null; then
  expect_eq "new session, same cgroup: READY=1 counts" "$(statusval "$SVDIR/away" ready)" 1
else
  expect_eq "new session, no cgroup: READY=1 dropped" "$(statusval "$SVDIR/away" ready)" 0
  check "new session, no cgroup: warned" grep -q 'outside the service' "$T/away.err"
fi

# garbage and oversized datagrams from the service itself: dropped, warned, no crash
mksv junk "$NS -b -n 100000 -0 'no equals sign' 'lower=case'; $NS -b 'STATUS=survived'; exec sleep 1000"
printf 'notify=systemd\nstartsecs=10\n' > "$SVDIR/junk/conf"
supervise_bg "$SVDIR/junk"
check "garbage: supervise reads on" await_status "$SVDIR/junk" "status=survived"
expect_eq "garbage: READY=1 followed by a NUL is not readiness" "$(statusval "$SVDIR/junk" ready)" 0
expect_eq "oversized: one warning" "$(grep -c 'dropped an oversized datagram' "$T/junk.err")" 1
expect_eq "garbage: one warning for three" "$(grep -c 'not KEY=VALUE lines' "$T/junk.err")" 1
check "garbage: supervise still up" kill -0 "$BGPID"

# MAINPID=: a process of the service is taken, one outside it is not
bg sleep 1000; stranger=$BGPID
mksv main "sleep 1000 & kid=\$!; echo \$kid > $T/main.kid; $NS -b MAINPID=$stranger; $NS -b MAINPID=\$kid 'STATUS=main set'; exec sleep 1000"
printf 'notify=systemd\nstartsecs=0\n' > "$SVDIR/main/conf"
supervise_bg "$SVDIR/main"
check "MAINPID=: handled" await_status "$SVDIR/main" "status=main set"
expect_eq "MAINPID= of the service's child is taken" "$(statusval "$SVDIR/main" mainpid)" "$(cat "$T/main.kid")"
check "MAINPID= naming a process outside the service: warned" grep -q 'MAINPID= naming a process outside the service' "$T/main.err"
NOTIFY_SOCKET=$SVDIR/main/supervise/notify "$NS" -b "MAINPID=$stranger"
expect_eq "MAINPID= sent from outside: ignored" "$(statusval "$SVDIR/main" mainpid)" "$(cat "$T/main.kid")"
expect_match "svstat -j carries mainpid" "$("$SVBIN/svstat" -j "$SVDIR/main")" "\"mainpid\":$(cat "$T/main.kid")"

# STOPPING=1: STOPPING at once, killed after stopwaitsecs if it lingers, and the
# exit is the run's own (autorestart=never: EXITED, not restarted)
mkfifo "$T/stopgo"
mksv selfstop "$NS -b READY=1; read x < $T/stopgo; $NS -b STOPPING=1; exec sleep 1000"
printf 'notify=systemd\nstopwaitsecs=300ms\nautorestart=never\n' > "$SVDIR/selfstop/conf"
supervise_bg "$SVDIR/selfstop"
"$SVBIN/svc" -w U -T 5000 "$SVDIR/selfstop"; expect_eq "STOPPING=1: up and ready first" $? 0
echo go > "$T/stopgo"
check "STOPPING=1: STOPPING" await_status "$SVDIR/selfstop" state=STOPPING
check "STOPPING=1: killed after stopwaitsecs, EXITED" await_status "$SVDIR/selfstop" state=EXITED
expect_eq "STOPPING=1: killed by SIGKILL, wanted up" "$(statusval "$SVDIR/selfstop" lastexit) $(statusval "$SVDIR/selfstop" want)" "signal KILL up"

# notify=none: a NOTIFY_SOCKET supervise inherited is not passed on
mksv none "echo \"\${NOTIFY_SOCKET-unset}\" > $T/none.env; exec sleep 1000"
NOTIFY_SOCKET=/run/systemd/notify supervise_bg "$SVDIR/none"
check "notify=none: started" await_file "$T/none.env" unset
check "notify=none: no socket" test ! -e "$SVDIR/none/supervise/notify"

# Debian's systemd-notify, as a Type=notify shell script would call it
if have systemd-notify; then
  mksv sdn "systemd-notify --ready --status='via systemd-notify'; echo \$? > $T/sdn.rc; exec sleep 1000"
  printf 'notify=systemd\nstartsecs=10\n' > "$SVDIR/sdn/conf"
  supervise_bg "$SVDIR/sdn"
  "$SVBIN/svc" -w U -T 10000 "$SVDIR/sdn"; expect_eq "systemd-notify --ready: ready" $? 0
  check "systemd-notify --status: in the status file" await_status "$SVDIR/sdn" "status=via systemd-notify"
  check "systemd-notify: exit 0 (its barrier passed)" await_file "$T/sdn.rc" 0
else
  skip "systemd-notify: not installed (Debian package systemd)"
fi

# a new supervise that adopts a running service keeps its NOTIFY_SOCKET and watchdog working
mksv adopt "echo x >> $T/adopt.starts; i=0; while :; do i=\$((i+1)); $NS -b WATCHDOG=1 \"STATUS=beat \$i\"; echo \$i > $T/adopt.i; sleep 0.2; done"
printf 'notify=systemd\nwatchdog=2\nstartsecs=0\n' > "$SVDIR/adopt/conf"
supervise_bg "$SVDIR/adopt"; old=$BGPID
check "adopt: beating" await_status "$SVDIR/adopt" "status=beat 3"
pid=$(statusval "$SVDIR/adopt" pid)
kill -KILL "$old"; await_pid_gone "$old"
supervise_bg "$SVDIR/adopt"
await_supervised "$SVDIR/adopt"
i=$(cat "$T/adopt.i")
check "adopt: the new supervise hears the run" await_status "$SVDIR/adopt" "status=beat $((i + 15))" 10000
expect_eq "adopt: same run, one start, no watchdog trip" "$(statusval "$SVDIR/adopt" pid) $(starts adopt) $(statusval "$SVDIR/adopt" state)" "$pid 1 RUNNING"

# user=: the socket is handed to the service's user, who can then notify
if id nobody >/dev/null 2>&1; then
  chmod 755 "$T" "$SVDIR"  # so nobody can reach its cwd
  mksv asuser "touch \"\$SV_HEARTBEAT\" && $NS -b READY=1 'STATUS=as nobody'; exec sleep 1000"
  printf 'notify=systemd\nuser=nobody\nstartsecs=10\nwatchdog=30\n' > "$SVDIR/asuser/conf"
  supervise_bg "$SVDIR/asuser"
  "$SVBIN/svc" -w U -T 5000 "$SVDIR/asuser"; expect_eq "user=nobody: READY=1 heard" $? 0
  expect_eq "user=nobody: socket 0600, owned by nobody" "$(stat -c '%a %U' "$SVDIR/asuser/supervise/notify")" "600 nobody"
  expect_eq "user=nobody: heartbeat file theirs to touch" "$(stat -c '%a %U' "$SVDIR/asuser/supervise/heartbeat")" "644 nobody"
else
  skip "user= notify: no user nobody"
fi

# a service directory too deep for a socket address: an abstract socket, checked the same way
deep=$T/$(printf 'd%.0s' $(seq 1 100))/deep
mkdir -p "$deep"
printf '#!/bin/sh\necho "$NOTIFY_SOCKET" > %s/deep.env\n%s -b READY=1\nexec sleep 1000\n' "$T" "$NS" > "$deep/run"; chmod +x "$deep/run"
printf 'notify=systemd\nstartsecs=10\n' > "$deep/conf"
supervise_bg "$deep"
"$SVBIN/svc" -w U -T 5000 "$deep"; expect_eq "deep path: READY=1 heard" $? 0
expect_match "deep path: NOTIFY_SOCKET is abstract" "$(cat "$T/deep.env")" '^@svkit/notify/[0-9]+$'
NOTIFY_SOCKET=$(cat "$T/deep.env") "$NS" -b "STATUS=from outside"
expect_eq "deep path: an outsider is still dropped" "$(statusval "$deep" status)" ""

# Corner cases of supervise and svc found in review: each one broke once.
. "$(dirname "$0")/lib.sh"

# adoption keeps the service's own conf: stopsignal and autorestart
mksv_ready adopt 'echo start >> '"$T"'/adopt.starts; exec sigcatch -n 3 -e INT >>'"$T"'/adopt.out'
printf 'stopsignal=INT\nautorestart=never\nstopwaitsecs=20\n' > "$SVDIR/adopt/conf"
supervise_bg "$SVDIR/adopt"; OLD=$BGPID; await_supervised "$SVDIR/adopt"
svc -w U -T 5000 "$SVDIR/adopt"
kill -KILL "$OLD"; await_pid_gone "$OLD"
supervise_bg "$SVDIR/adopt"; await_supervised "$SVDIR/adopt"
svc -d -w D -T 3000 "$SVDIR/adopt"; expect_eq "adopted: stopped with conf's stopsignal, in time" $? 0
check "adopted: it got SIGINT" grep -q "caught SIGINT" "$T/adopt.out"
expect_match "adopted, then stopped: svstat says stopped, not Not started" "$(svstat_line "$SVDIR/adopt")" 'STOPPED stopped 0:00:0'

# a grandchild that ignores TERM: -w D waits for it; SIGTERM to supervise too
mksv stray '(trap "" TERM; exec sleep 999) & echo $! > '"$T"'/stray.pid; exec sleep 1000'
printf 'stopwaitsecs=1\n' > "$SVDIR/stray/conf"
supervise_bg "$SVDIR/stray"; SUP=$BGPID; await_supervised "$SVDIR/stray"
svc -w U -T 5000 "$SVDIR/stray"
gc=$(cat "$T/stray.pid")
svc -d -w D -T 5000 "$SVDIR/stray"; expect_eq "-w D returns" $? 0
check "-w D returned only once the TERM-ignoring grandchild was gone" test ! -e "/proc/$gc"
svc -u -w U -T 5000 "$SVDIR/stray"
gc=$(cat "$T/stray.pid")
kill -TERM "$SUP"
check "supervise SIGTERM: supervise exits" await_pid_gone "$SUP" 5000
check "supervise SIGTERM: no grandchild outlives it" test ! -e "/proc/$gc"

# env/ holding a FIFO does not hang supervise
mksv envfifo 'exec sleep 1000'
mkdir -p "$SVDIR/envfifo/env"; mkfifo "$SVDIR/envfifo/env/FOO"
supervise_bg "$SVDIR/envfifo"
check "a FIFO in env/ is skipped, the service starts" await_status "$SVDIR/envfifo" state=RUNNING

# timeout-finish=0: finish is never killed (s6)
mksv fin0 'exec sleep 1000'
printf '#!/bin/sh\nsleep 0.5\necho finished >> %s/fin0.log\n' "$T" > "$SVDIR/fin0/finish"; chmod +x "$SVDIR/fin0/finish"
echo 0 > "$SVDIR/fin0/timeout-finish"
supervise_bg "$SVDIR/fin0"; await_supervised "$SVDIR/fin0"
svc -w u -T 5000 "$SVDIR/fin0"
svc -d -w D -T 5000 "$SVDIR/fin0"
expect_eq "timeout-finish=0: finish ran to its end" "$(cat "$T/fin0.log" 2>/dev/null)" finished

# a finish that hangs with children: the timeout kills its whole group
mksv fingrp 'exec sleep 1000'
printf '#!/bin/sh\nsleep 777 & echo $! > %s/fingrp.pid\nexec sleep 778\n' "$T" > "$SVDIR/fingrp/finish"; chmod +x "$SVDIR/fingrp/finish"
echo 300 > "$SVDIR/fingrp/timeout-finish"
supervise_bg "$SVDIR/fingrp"; await_supervised "$SVDIR/fingrp"
svc -w u -T 5000 "$SVDIR/fingrp"
svc -d -w D -T 5000 "$SVDIR/fingrp"
check "finish timeout: finish's children are killed too" await_pid_gone "$(cat "$T/fingrp.pid")" 3000

# x, then the service dies by itself: no restart, supervise exits
mksv xcrash 'echo start >> '"$T"'/xcrash.starts; exec sleep 1000'
printf 'startsecs=0\nbackoff=100ms\n' > "$SVDIR/xcrash/conf"
supervise_bg "$SVDIR/xcrash"; SUP=$BGPID; await_supervised "$SVDIR/xcrash"
svc -w U -T 5000 "$SVDIR/xcrash"
svc -x "$SVDIR/xcrash"
kill -KILL "$(statusval "$SVDIR/xcrash" pid)"
check "x then a crash: supervise exits" await_pid_gone "$SUP" 5000
expect_eq "x then a crash: not restarted" "$(starts xcrash)" 1

# repeated d does not push the SIGKILL deadline back
mksv_ready deaf 'exec sigcatch -n 3 >/dev/null'
printf 'stopwaitsecs=1\n' > "$SVDIR/deaf/conf"
supervise_bg "$SVDIR/deaf"; await_supervised "$SVDIR/deaf"
svc -w U -T 5000 "$SVDIR/deaf"
svc -d "$SVDIR/deaf"; since=$(statusval "$SVDIR/deaf" since)
svc -d "$SVDIR/deaf"; svc -d "$SVDIR/deaf"
svc -w d -T 1800 "$SVDIR/deaf"; expect_eq "repeated d: still SIGKILLed after stopwaitsecs" $? 0

# stopwaitsecs=0: SIGKILL at once
mksv_ready now 'exec sigcatch -n 3 >/dev/null'
printf 'stopwaitsecs=0\n' > "$SVDIR/now/conf"
supervise_bg "$SVDIR/now"; await_supervised "$SVDIR/now"
svc -w U -T 5000 "$SVDIR/now"
svc -d -w d -T 500 "$SVDIR/now"; expect_eq "stopwaitsecs=0 kills at once" $? 0
expect_eq "stopwaitsecs=0: SIGKILL" "$(statusval "$SVDIR/now" lastexit)" "signal KILL"

# svc -w notices a supervise that dies while it waits
mksv slow 'exec sleep 1000'
printf 'startsecs=30\n' > "$SVDIR/slow/conf"
supervise_bg "$SVDIR/slow"; SUP=$BGPID; await_supervised "$SVDIR/slow"
svc -w U "$SVDIR/slow" 2>"$T/slow.err" & W=$!; PIDS+=("$W")
await_status "$SVDIR/slow" state=STARTING
kill -KILL "$SUP"
check "svc -w without -T ends when supervise dies" await_pid_gone "$W" 3000
wait "$W"; expect_eq "svc -w: supervise gone is 111" $? 111
expect_match "svc -w: says so" "$(cat "$T/slow.err")" 'unable to wait for .*slow: supervise exited'
kill -KILL "$(statusval "$SVDIR/slow" pid)" 2>/dev/null

# svc once of a job quicker than the status clock: never missed
mksv job 'exit 0'
touch "$SVDIR/job/down"
supervise_bg "$SVDIR/job"; await_supervised "$SVDIR/job"
bad=0
for i in $(seq 1 20); do svc once job >/dev/null 2>&1 || bad=$((bad + 1)); done
expect_eq "svc once of an instant job, 20 times" "$bad" 0

# FATAL reason under a minute is plain seconds
mksv quick 'exit 3'
printf 'startretries=1\nbackoff=100ms\n' > "$SVDIR/quick/conf"
supervise_bg "$SVDIR/quick"
await_status "$SVDIR/quick" state=FATAL
expect_match "FATAL reason: plain seconds" "$(statusval "$SVDIR/quick" reason)" '^Exited too quickly: 2 starts in [1-9][0-9]?s, last exit 3$'

# u in BACKOFF starts now, as supervisorctl start does
mksv patient 'echo start >> '"$T"'/patient.starts; exit 1'
printf 'backoff=30\n' > "$SVDIR/patient/conf"
supervise_bg "$SVDIR/patient"
await_status "$SVDIR/patient" state=BACKOFF
svc -u "$SVDIR/patient"
check "u in BACKOFF: a start right away" await_file "$T/patient.starts" "start
start" 3000

# signals ignored by whoever started supervise are not passed on
mksv clean 'exec sleep 1000'
bash -c 'trap "" INT QUIT; exec "$0" "$1"' "$SVBIN/supervise" "$SVDIR/clean" 2>>"$T/clean.err" & PIDS+=($!)
await_status "$SVDIR/clean" state=RUNNING
ign=$(sed -n 's/^SigIgn:\t//p' "/proc/$(statusval "$SVDIR/clean" pid)/status")
# signals 1-31: glibc keeps 32 and 33 for itself and will not reset them
expect_eq "service starts with no ignored standard signal" "$(( 0x$ign & 0x7fffffff ))" 0
svc -i -w r -T 3000 "$SVDIR/clean"; expect_eq "svc -i ends a service that keeps INT's default (restarted)" $? 0

# the interactive shell survives a verb's fatal error
if command -v script >/dev/null; then
  out=$(printf 'status nosuch\nlist\nexit\n' | SVDIR=$SVDIR script -qec "$SVBIN/svc" /dev/null 2>&1)
  expect_match "shell: an error, then the next verb still runs" "$out" 'unable to find service nosuch.*'$'\n''.*adopt +(enabled|disabled)'
fi

# supervise killed while STOPPING a TERM-ignoring run: the new one finishes the stop, SIGKILL included
mksv_ready halfway 'exec sigcatch -n 3 >/dev/null'
printf 'stopwaitsecs=1\n' > "$SVDIR/halfway/conf"
supervise_bg "$SVDIR/halfway"; OLD=$BGPID; await_supervised "$SVDIR/halfway"
svc -w U -T 5000 "$SVDIR/halfway"
pid=$(statusval "$SVDIR/halfway" pid)
svc -d "$SVDIR/halfway"; await_status "$SVDIR/halfway" state=STOPPING
kill -KILL "$OLD"; await_pid_gone "$OLD"
supervise_bg "$SVDIR/halfway"; await_supervised "$SVDIR/halfway"
svc -w D -T 5000 "$SVDIR/halfway"; expect_eq "adopted mid-stop: down within stopwaitsecs" $? 0
check "adopted mid-stop: the run is gone" test ! -e "/proc/$pid" -o "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" = Z

# a status file naming a zombie (its parent never reaps it, as under a PID 1
# that does not wait): the zombie has exited, so it is not adopted
mksv zomb 'echo start >> '"$T"'/zomb.starts; exec sleep 1000'
printf 'startsecs=0\n' > "$SVDIR/zomb/conf"
supervise_bg "$SVDIR/zomb"; ZSUP=$BGPID; await_status "$SVDIR/zomb" state=RUNNING
kill -KILL "$ZSUP"; await_pid_gone "$ZSUP"
kill -KILL "$(statusval "$SVDIR/zomb" pid)"
# the child ends only once its parent is sigcatch, which never reaps (bash would)
mkfifo "$T/zomb.go"
bash -c 'head -c 1 "$1" >/dev/null & echo $! > "$0"; exec sigcatch' "$T/zomb.pid" "$T/zomb.go" > "$T/zomb.parent" & PIDS+=($!)
await_file "$T/zomb.parent" ready
zpid=$(cat "$T/zomb.pid")
echo > "$T/zomb.go"
# a pidfd turns readable when the process exits, reaped or not
await_pid_gone "$zpid" 3000
check "a zombie to name" test "$(cut -d' ' -f3 "/proc/$zpid/stat")" = Z
zstart=$(sed 's/.*) //' "/proc/$zpid/stat" | cut -d' ' -f20)
sed -i -e "s/^pid=.*/pid=$zpid/" -e "s/^pidstart=.*/pidstart=$zstart/" -e 's/^state=.*/state=RUNNING/' "$SVDIR/zomb/supervise/status"
supervise_bg "$SVDIR/zomb"; await_supervised "$SVDIR/zomb"
check "zombie in the status file: a fresh run starts" await_file "$T/zomb.starts" "start
start" 3000
check "zombie in the status file: the new pid is not the zombie" test "$(statusval "$SVDIR/zomb" pid)" != "$zpid"
expect_eq "zombie in the status file: a first start, not a restart" "$(statusval "$SVDIR/zomb" restarts)" 0
check "zombie in the status file: not adopted" test -z "$(grep adopted "$T/zomb.err")"

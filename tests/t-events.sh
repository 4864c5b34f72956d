#!/bin/bash
# SPEC §9 events and history: S/event and .svscan/event on each transition,
# one at a time and in order, bounded; bad hooks; S/supervise/history; svc history.
. "$(dirname "$0")/lib.sh"

# hook NAME [SHELL]: NAME's S/event appends one line per event to
# $T/NAME.events ("NEW OLD NAME|reason|pid|lastexit|restarts|health|dropped"), then runs SHELL
hook() {
  printf '#!/bin/sh\necho "$1 $2 $3|$SV_REASON|$SV_PID|$SV_LASTEXIT|$SV_RESTARTS|$SV_HEALTH|$SV_DROPPED" >> %s/%s.events\n%s\n' \
    "$T" "$1" "${2:-}" > "$SVDIR/$1/event"
  chmod +x "$SVDIR/$1/event"
}
# fields NAME: the "NEW OLD" of each event delivered to NAME
fields() { cut -d' ' -f1,2 "$T/$1.events"; }

# arguments and environment
mksv basic 'exec sleep 1000'
hook basic
supervise_bg "$SVDIR/basic"
spid=$BGPID
check "event: RUNNING STARTING NAME once up" await_file "$T/basic.events" "RUNNING STARTING basic|"
pid=$(statusval "$SVDIR/basic" pid)
expect_eq "event: the first is STARTING NONE, with SV_PID and friends" "$(head -1 "$T/basic.events")" \
  "STARTING NONE basic||$pid|none|0|none|0"
kill -KILL "$pid"
check "event: a killed run, reason and SV_LASTEXIT 'signal KILL'" await_file "$T/basic.events" "RUNNING basic|signal KILL|"
expect_match "event: SV_RESTARTS counts" "$(grep 'RUNNING basic|signal KILL' "$T/basic.events")" '\|signal KILL\|1\|none\|0$'
hist=$SVDIR/basic/supervise/history
expect_match "history: ISO-TIME NEWSTATE OLDSTATE" "$(sed -n 2p "$hist")" \
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z RUNNING STARTING$'
expect_match "history: REASON last" "$(sed -n 3p "$hist")" 'Z (STARTING|BACKOFF) RUNNING signal KILL$'

# the history survives a restart of supervise; OLDSTATE is where the last one left it
"$SVBIN/svc" -d -w D -T 5000 "$SVDIR/basic"
first=$(head -1 "$hist")
"$SVBIN/svc" -x "$SVDIR/basic"
check "supervise with x exits" await_pid_gone "$spid"
supervise_bg "$SVDIR/basic"
check "history reloaded: the new supervise's first event is STARTING STOPPED" \
  await_file "$T/basic.events" "STARTING STOPPED basic|"
expect_eq "history reloaded: the old lines kept" "$(head -1 "$hist")" "$first"
check "history reloaded: the new line appended" grep -q 'Z STARTING STOPPED$' "$hist"

# svc history
out=$("$SVBIN/svc" history basic)
expect_match "svc history: local time, OLD -> NEW" "$(echo "$out" | head -1)" \
  '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}  NONE     -> STARTING$'
expect_match "svc history: the reason after" "$out" ' RUNNING  -> (STARTING|BACKOFF)  signal KILL'
expect_eq "svc history -n 2: two lines" "$("$SVBIN/svc" history -n 2 basic | wc -l)" 2
mksv nohist 'exec sleep 1000'
"$SVBIN/svc" history nohist 2>"$T/nohist.out"; rc=$?
expect_eq "svc history, no history yet: exit 1" "$rc" 1
expect_match "svc history, no history yet: one line saying so" "$(cat "$T/nohist.out")" '^svc: warning: nohist: no history yet'
"$SVBIN/svc" history missing 2>/dev/null; expect_eq "svc history of an unknown service: exit 111" $? 111
"$SVBIN/svc" history -n x basic 2>/dev/null; expect_eq "svc history -n x: usage, exit 100" $? 100

# a hook that fails: said on stderr, the next events still delivered
mksv fails 'exec sleep 1000'
echo startsecs=0 > "$SVDIR/fails/conf"
hook fails 'exit 3'
supervise_bg "$SVDIR/fails"
await_file "$T/fails.events" "RUNNING NONE fails|" >/dev/null
"$SVBIN/svc" -d -w D -T 5000 "$SVDIR/fails"
check "failing hook: later events delivered" await_file "$T/fails.events" "STOPPED STOPPING fails|"
check "failing hook: a warning names it and its exit" await_file "$T/fails.err" "fails/event exited 3"

# a hook that hangs: supervise goes on, the hook is killed after timeout-event, the queue follows in order
mksv hangs 'exec sleep 1000'
echo startsecs=0 > "$SVDIR/hangs/conf"
echo 2000 > "$SVDIR/hangs/timeout-event"
hook hangs '[ "$1" = RUNNING ] && { echo $$ > '"$T"'/hangs.tmp; mv '"$T"'/hangs.tmp '"$T"'/hangs.pid; exec sleep 1000; }; :'
supervise_bg "$SVDIR/hangs"
await_file "$T/hangs.pid" "" >/dev/null
hpid=$(cat "$T/hangs.pid")
"$SVBIN/svc" -d -w D -T 1000 "$SVDIR/hangs"; rc=$?
expect_eq "hanging hook: supervise not blocked (svc -d -w D in 1 s)" "$rc/$(kill -0 "$hpid" 2>/dev/null && echo alive)" "0/alive"
check "hanging hook: killed after timeout-event" await_pid_gone "$hpid" 5000
check "hanging hook: timeout said on stderr" await_file "$T/hangs.err" "hangs/event timed out after 2000 ms: killed"
check "hanging hook: queued events follow" await_file "$T/hangs.events" "STOPPED STOPPING hangs|"
expect_eq "hanging hook: in order" "$(fields hangs | tr '\n' ,)" "RUNNING NONE,STOPPING RUNNING,STOPPED STOPPING,"

# a hook that forks and leaves a child: the child is killed with its group
mksv forks 'exec sleep 1000'
echo startsecs=0 > "$SVDIR/forks/conf"
hook forks 'sleep 1000 & echo $! > '"$T"'/forks.tmp; mv '"$T"'/forks.tmp '"$T"'/forks.child'
supervise_bg "$SVDIR/forks"
check "forking hook: ran" await_file "$T/forks.child" ""
check "forking hook: its child is killed when it ends" await_pid_gone "$(cat "$T/forks.child")" 5000

# a hook that cannot be executed, and one that is not executable
mksv badexec 'exec sleep 1000'
printf '#!/nonexistent/sh\n' > "$SVDIR/badexec/event"; chmod +x "$SVDIR/badexec/event"
supervise_bg "$SVDIR/badexec"
check "hook that cannot exec: a warning naming it" await_file "$T/badexec.err" "unable to exec $SVDIR/badexec/event"
mksv noexec 'exec sleep 1000'
printf '#!/bin/sh\ntouch %s/noexec.ran\n' "$T" > "$SVDIR/noexec/event"
echo startsecs=0 > "$SVDIR/noexec/conf"
supervise_bg "$SVDIR/noexec"
"$SVBIN/svc" -u -w U -T 5000 "$SVDIR/noexec"
"$SVBIN/svc" -d -w D -T 5000 "$SVDIR/noexec"
expect_eq "hook not executable: said once, not run" "$(grep -c 'noexec/event is not executable: not run' "$T/noexec.err")/$(test -e "$T/noexec.ran" && echo ran)" "1/"

# timeout-event: a bad value is a configuration error
mksv badtimeout 'exec sleep 1000'
echo soon > "$SVDIR/badtimeout/timeout-event"
supervise_bg "$SVDIR/badtimeout"
check "timeout-event=soon: FATAL" await_status "$SVDIR/badtimeout" "reason=timeout-event: bad value"

# health turning unhealthy is an event even without a state change
mksv sick 'exec sleep 1000'
printf 'healthcheck=echo "disk full"; exit 1\nhealthinterval=100ms\nhealthretries=1\nstartsecs=0\nonunhealthy=none\n' > "$SVDIR/sick/conf"
hook sick
supervise_bg "$SVDIR/sick"
# (NEW=OLD=STARTING, unless the check failed before STARTING was published)
check "unhealthy: an event with the check's line" await_file "$T/sick.events" " sick|unhealthy: disk full|"
expect_match "unhealthy: SV_HEALTH=unhealthy" "$(grep 'unhealthy: disk full' "$T/sick.events")" '^STARTING (STARTING|NONE) sick\|.*\|unhealthy\|0$'

# a burst while the hook is busy: 64 queued, the oldest dropped and counted
# once, the rest in order; the history keeps the last 100
mksv burst 'exec sleep 1000'
echo startsecs=0 > "$SVDIR/burst/conf"
echo 60000 > "$SVDIR/burst/timeout-event"
hook burst '[ -e '"$T"'/burst.release ] || { echo $$ > '"$T"'/burst.tmp; mv '"$T"'/burst.tmp '"$T"'/burst.pid; exec sleep 1000; }'
supervise_bg "$SVDIR/burst"
await_file "$T/burst.pid" "" >/dev/null
for i in $(seq 35); do
  "$SVBIN/svc" -d -w D -T 5000 "$SVDIR/burst" && "$SVBIN/svc" -u -w u -T 5000 "$SVDIR/burst" || break
done
touch "$T/burst.release"
kill "$(cat "$T/burst.pid")"
last=$(statusval "$SVDIR/burst" pid)
check "burst: the last event delivered" await_file "$T/burst.events" "RUNNING STOPPED burst||$last|" 10000
expect_eq "burst: the one running + 64 queued delivered" "$(wc -l < "$T/burst.events")" 65
expect_match "burst: the first after the gap counts 41 dropped" "$(sed -n 2p "$T/burst.events")" '\|41$'
expect_eq "burst: the overflow said once" "$(grep -c 'events queued: dropping the oldest' "$T/burst.err")" 1
expect_eq "burst: history keeps 100 lines" "$(wc -l < "$SVDIR/burst/supervise/history")" 100
expect_eq "burst: delivered in the history's order" "$(fields burst | tail -64)" \
  "$(tail -64 "$SVDIR/burst/supervise/history" | cut -d' ' -f2,3)"

# at exit, supervise delivers what is queued first (bounded by timeout-event)
mksv drain 'exec sleep 1000'
echo startsecs=0 > "$SVDIR/drain/conf"
hook drain 'sleep 0.2'
supervise_bg "$SVDIR/drain"
dpid=$BGPID
await_file "$T/drain.events" "RUNNING NONE drain|" >/dev/null
"$SVBIN/svc" -dx "$SVDIR/drain"
check "exit: supervise exits" await_pid_gone "$dpid" 5000
expect_eq "exit: the last events delivered before" "$(fields drain | tail -2 | tr '\n' ,)" "STOPPING RUNNING,STOPPED STOPPING,"

# under svscan: SV_SCANDIR/.svscan/event after S/event, with NAME as svscan knows it
S=$T/scan
mkdir -p "$S/.svscan" "$S/web/log"
printf '#!/bin/sh\nexec sleep 1000\n' > "$S/web/run"
printf '#!/bin/sh\nexec cat >/dev/null\n' > "$S/web/log/run"
printf '#!/bin/sh\necho "svc $1 $2 $3" >> %s/scan.events\n' "$T" > "$S/web/event"
printf '#!/bin/sh\necho "scan $1 $2 $3 $SV_SCANDIR" >> %s/scan.events\n' "$T" > "$S/.svscan/event"
chmod +x "$S/web/run" "$S/web/log/run" "$S/web/event" "$S/.svscan/event"
bg "$SVBIN/svscan" "$S" 2>"$T/svscan.err"
abs=$(cd "$S" && pwd -P)
check "svscan: .svscan/event with NAME and SV_SCANDIR" await_file "$T/scan.events" "scan RUNNING STARTING web $abs"
check "svscan: the logger's events are named NAME/log" await_file "$T/scan.events" "scan RUNNING STARTING web/log $abs"
expect_eq "svscan: S/event first, then .svscan/event" \
  "$(grep ' RUNNING STARTING web$\| RUNNING STARTING web ' "$T/scan.events" | cut -d' ' -f1 | tr '\n' ,)" "svc,scan,"

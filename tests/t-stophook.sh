# S/stop (SPEC §10): runs before the stop signal with run's environment,
# bounded by stopwaitsecs; a hook that hangs is killed and the stop goes on.
. "$(dirname "$0")/lib.sh"

# the hook runs first, sees env=, env/ and workingdir, and the service gets
# its stop signal only after the hook is done
mksv h 'trap "echo term >> '"$T"'/h.order; exit 0" TERM
while :; do sleep 1 & wait; done'
mkdir -p "$SVDIR/h/env" "$T/wd"
echo fromenvdir > "$SVDIR/h/env/FROMDIR"
printf 'startsecs=0\nenv=HOOKVAR=fromconf\nworkingdir=%s\n' "$T/wd" > "$SVDIR/h/conf"
printf '#!/bin/sh\necho "hook $HOOKVAR $FROMDIR $(pwd)" >> %s/h.order\n' "$T" > "$SVDIR/h/stop"
chmod +x "$SVDIR/h/stop"
supervise_bg "$SVDIR/h"
check "hook: running" await_status "$SVDIR/h" state=RUNNING
svc -d -w D -T 5000 "$SVDIR/h"; expect_eq "hook: svc -d -w D" $? 0
expect_eq "hook: ran before the stop signal, same environment" "$(cat "$T/h.order")" "hook fromconf fromenvdir $T/wd
term"
expect_eq "hook: the service was stopped by TERM" "$(statusval "$SVDIR/h" lastexit)" "exit 0"

# a hook that hangs: killed after stopwaitsecs, then the stop signal
mksv hang 'trap "echo term >> '"$T"'/hang.order; exit 0" TERM
while :; do sleep 1 & wait; done'
printf 'startsecs=0\nstopwaitsecs=1\n' > "$SVDIR/hang/conf"
printf '#!/bin/sh\necho $$ > %s/hang.hookpid\necho hook >> %s/hang.order\nexec sleep 1000\n' "$T" "$T" > "$SVDIR/hang/stop"
chmod +x "$SVDIR/hang/stop"
supervise_bg "$SVDIR/hang"
check "hanging hook: running" await_status "$SVDIR/hang" state=RUNNING
t0=$(date +%s%N)
svc -d "$SVDIR/hang"
check "hanging hook: STOPPING while the hook runs" await_status "$SVDIR/hang" state=STOPPING
check "hanging hook: started" await_file "$T/hang.hookpid" ""
hp=$(cat "$T/hang.hookpid"); PIDS+=("$hp")
svc -w D -T 8000 "$SVDIR/hang"; expect_eq "hanging hook: the stop completes" $? 0
ms=$((($(date +%s%N) - t0) / 1000000))
check "hanging hook: bounded by stopwaitsecs (took ${ms} ms)" test "$ms" -ge 900 -a "$ms" -lt 6000
check "hanging hook: the hook was killed" await_pid_gone "$hp" 2000
expect_eq "hanging hook: then the stop signal" "$(tr '\n' ' ' < "$T/hang.order")" "hook term "
check "hanging hook: warning" grep -q 'hang: stop hook took longer than stopwaitsecs' "$T/hang.err"

# a stop file that is not executable is not a hook
mksv plain 'exec sleep 1000'
printf 'startsecs=0\n' > "$SVDIR/plain/conf"
printf '#!/bin/sh\necho ran > %s/plain.hook\n' "$T" > "$SVDIR/plain/stop"
supervise_bg "$SVDIR/plain"
check "non-executable stop: running" await_status "$SVDIR/plain" state=RUNNING
svc -d -w D -T 5000 "$SVDIR/plain"; expect_eq "non-executable stop: stops" $? 0
check "non-executable stop: not run" test ! -e "$T/plain.hook"

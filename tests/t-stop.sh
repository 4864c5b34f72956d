# Stopping: the whole process group within stopwaitsecs, stopwaitsecs=0,
# repeated d, supervise's own SIGTERM, and x followed by a crash.
. "$(dirname "$0")/lib.sh"

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

# x, then the service dies by itself: no restart, supervise exits
mksv xcrash 'echo start >> '"$T"'/xcrash.starts; exec sleep 1000'
printf 'startsecs=0\nbackoff=100ms\n' > "$SVDIR/xcrash/conf"
supervise_bg "$SVDIR/xcrash"; SUP=$BGPID; await_supervised "$SVDIR/xcrash"
svc -w U -T 5000 "$SVDIR/xcrash"
svc -x "$SVDIR/xcrash"
kill -KILL "$(statusval "$SVDIR/xcrash" pid)"
check "x then a crash: supervise exits" await_pid_gone "$SUP" 5000
expect_eq "x then a crash: not restarted" "$(starts xcrash)" 1

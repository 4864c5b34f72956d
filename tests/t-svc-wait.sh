# svc -w: a supervise that dies during the wait, and instant jobs run with
# svc once that end before the status clock ticks.
. "$(dirname "$0")/lib.sh"

# svc -w notices a supervise that dies while it waits
mksv slow 'exec sleep 1000'
printf 'startsecs=30\n' > "$SVDIR/slow/conf"
supervise_bg "$SVDIR/slow"; SUP=$BGPID; await_supervised "$SVDIR/slow"
svc -w U "$SVDIR/slow" 2>"$T/slow.err" & W=$!; PIDS+=("$W")
await_status "$SVDIR/slow" state=STARTING
# svc watches the status file (an inotify fd) once it has found supervise:
# kill supervise only then, or svc would never have seen it
watching() { ls -l "/proc/$W/fd" 2>/dev/null | grep -q 'anon_inode:inotify'; }
for i in $(seq 1 100); do watching && break; sleep 0.05; done
check "svc -w is waiting" watching
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

# A new supervise on a directory whose service outlived the old supervise:
# it adopts the run with the service's own conf, finishes a stop the old one
# began, and never adopts a zombie.
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

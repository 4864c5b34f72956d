# depends= (SPEC §10): a dependent waits, STOPPED with `waiting for a`,
# until a is RUNNING and ready; `svc stop a` leaves it up; svscan stops
# dependents first; a cycle, an unknown name, a FATAL dependency.
. "$(dirname "$0")/lib.sh"

start_svscan() { bg "$SVBIN/svscan" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID; }

mkfifo "$T/go"
# a: ready only once the test writes to the FIFO; both note their TERM in order
mksv_ready a 'trap "echo a >> '"$T"'/order; exit 0" TERM
read x < '"$T"'/go; echo >&3
while :; do sleep 1 & wait; done'
mksv b 'trap "echo b >> '"$T"'/order; exit 0" TERM
while :; do sleep 1 & wait; done'
printf 'depends=a\nstartsecs=0\n' > "$SVDIR/b/conf"
printf 'startsecs=0\n' > "$SVDIR/a/conf"
start_svscan
check "a starts, not ready" await_status "$SVDIR/a" state=RUNNING
check "b waits: STOPPED" await_status "$SVDIR/b" "reason=waiting for a"
expect_eq "b waits: state STOPPED, no pid" "$(statusval "$SVDIR/b" state):$(statusval "$SVDIR/b" pid)" "STOPPED:0"
expect_match "b waits: svstat shows why" "$(svstat_line b)" '^b STOPPED waiting for a$'
echo > "$T/go"
check "a ready: b starts" await_status "$SVDIR/b" state=RUNNING
expect_eq "a was ready before b started" "$(statusval "$SVDIR/a" ready)" 1
# the wait was on inotify: supervise of b is asleep in one read of its fds, not polling
svc -d -w D -T 5000 "$SVDIR/a"; expect_eq "svc stop a" $? 0
expect_eq "svc stop a leaves b up" "$(statusval "$SVDIR/b" state)" RUNNING
svc -u -T 5000 "$SVDIR/a"
echo > "$T/go"
check "a back up" await_status "$SVDIR/a" ready=1
rm -f "$T/order"
svc quit >/dev/null 2>&1 || kill -TERM "$SCAN"
await_pid_gone "$SCAN" 20000
expect_eq "svscan stops b before a" "$(tr '\n' ' ' < "$T/order" 2>/dev/null)" "b a "

# bad depends=: unknown name, cycle (FATAL naming them)
rm -rf "$SVDIR"/*
mksv c 'exec sleep 1000'; printf 'depends=nope\n' > "$SVDIR/c/conf"
mksv x 'exec sleep 1000'; printf 'depends=y\n' > "$SVDIR/x/conf"
mksv y 'exec sleep 1000'; printf 'depends = z, x\n' > "$SVDIR/y/conf"
mksv z 'exec sleep 1000'
mksv self 'exec sleep 1000'; printf 'depends=self\n' > "$SVDIR/self/conf"
mksv f 'exec sleep 1000'; printf 'frobnicate=1\n' > "$SVDIR/f/conf"
mksv g 'exec sleep 1000'; printf 'depends=f\n' > "$SVDIR/g/conf"
for s in c x y z self f g; do supervise_bg "$SVDIR/$s"; done
check "unknown dependency: FATAL" await_status "$SVDIR/c" state=FATAL
expect_eq "unknown dependency: reason names it" "$(statusval "$SVDIR/c" reason)" "unknown dependency: nope"
check "cycle: FATAL" await_status "$SVDIR/x" state=FATAL
expect_eq "cycle: reason names it" "$(statusval "$SVDIR/x" reason)" "dependency cycle: x -> y -> x"
expect_eq "cycle: the other end too" "$(statusval "$SVDIR/y" reason)" "dependency cycle: y -> x -> y"
check "depends on itself: FATAL" await_status "$SVDIR/self" "reason=dependency cycle: self -> self"
check "FATAL dependency: the dependent waits and says why" await_status "$SVDIR/g" "reason=waiting for f (f is FATAL)"
expect_eq "FATAL dependency: dependent STOPPED" "$(statusval "$SVDIR/g" state)" STOPPED
# fixing f lets g start, through the watch
printf 'startsecs=0\n' > "$SVDIR/f/conf"
svc -r "$SVDIR/f"
check "fixed dependency: dependent starts" await_status "$SVDIR/g" state=RUNNING
# svc -d on a waiting dependent: plain STOPPED, nothing pending
printf 'depends=c\n' > "$SVDIR/g/conf"
svc -r -w d -T 5000 "$SVDIR/g"
svc -d "$SVDIR/g"
check "waiting dependent told down" await_status "$SVDIR/g" "want=down"
expect_eq "waiting dependent told down: no reason left" "$(statusval "$SVDIR/g" reason)" ""

# SPEC §10 cgroups: each service in its own cgroup v2, found through
# /proc/self/mountinfo; a stop ends what escaped the process group (setsid);
# keys whose controller is missing get one warning and the service starts;
# svstat -j shows cpu_usec (and memory_bytes where memory.current exists).
. "$(dirname "$0")/lib.sh"

hier=$(awk '{for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break }}' /proc/self/mountinfo | while read -r m; do [ -w "$m" ] && { echo "$m"; break; }; done)
if [ -z "$hier" ]; then
  ok "cgroup: no writable cgroup2 here (skipped)"
  exit 0
fi
leaf() { printf '%s' "$(cd "$1" && pwd -P)" | sed 's|^/*||; s|/|-|g'; }

mksv esc 'setsid sleep 1000 & echo $! > '"$T"'/esc.daemon
exec sleep 1000'
printf 'startsecs=0\nstopwaitsecs=2\n' > "$SVDIR/esc/conf"
supervise_bg "$SVDIR/esc"
check "escape: running" await_status "$SVDIR/esc" state=RUNNING
check "escape: daemon started" await_file "$T/esc.daemon" ""
d=$(cat "$T/esc.daemon"); PIDS+=("$d")
cg=$hier/svkit/$(leaf "$SVDIR/esc")
pid=$(statusval "$SVDIR/esc" pid)
expect_eq "run is in its own cgroup" "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/svkit/$(leaf "$SVDIR/esc")"
check "the setsid daemon left the process group" test "$(cut -d' ' -f5 < /proc/$d/stat 2>/dev/null)" != "$pid"
check "the daemon is in the cgroup" grep -qx "$d" "$cg/cgroup.procs"
svc -d -w D -T 5000 "$SVDIR/esc"; expect_eq "escape: svc -d -w D" $? 0
check "escape: the setsid daemon is gone after the stop" await_pid_gone "$d" 5000
check "escape: cgroup removed when down" test ! -e "$cg"

# supervise killed -9: the new one adopts the run and its cgroup, so a stop
# still ends the setsid daemon
mksv esca 'setsid sleep 1000 & echo $! > '"$T"'/esca.daemon
exec sleep 1000'
printf 'startsecs=0\nstopwaitsecs=2\n' > "$SVDIR/esca/conf"
supervise_bg "$SVDIR/esca"; old=$BGPID
check "adopt: running" await_status "$SVDIR/esca" state=RUNNING
check "adopt: daemon started" await_file "$T/esca.daemon" ""
d=$(cat "$T/esca.daemon"); PIDS+=("$d")
pid=$(statusval "$SVDIR/esca" pid)
kill -KILL "$old"; await_pid_gone "$old"
supervise_bg "$SVDIR/esca"
await_supervised "$SVDIR/esca"
expect_eq "adopt: same run" "$(statusval "$SVDIR/esca" pid)" "$pid"
svc -d -w D -T 5000 "$SVDIR/esca"; expect_eq "adopt: svc -d -w D" $? 0
check "adopt: the setsid daemon is gone after the stop" await_pid_gone "$d" 5000
check "adopt: cgroup removed when down" test ! -e "$hier/svkit/$(leaf "$SVDIR/esca")"

# run exits by itself and leaves a setsid daemon: it goes too, no second copy beside the next run
mksv esc2 'setsid sleep 1000 & echo $! >> '"$T"'/esc2.daemon
exit 0'
printf 'startsecs=0\nautorestart=never\nstopwaitsecs=2\n' > "$SVDIR/esc2/conf"
supervise_bg "$SVDIR/esc2"
check "exit leaves a daemon: EXITED" await_status "$SVDIR/esc2" state=EXITED
d=$(head -n1 "$T/esc2.daemon"); PIDS+=("$d")
check "exit leaves a daemon: it is ended" await_pid_gone "$d" 5000

# cgroup keys whose controller is missing: one warning line, the service starts
mksv keys 'exec sleep 1000'
printf 'startsecs=0\nmemory_max=64M\nmemory_high=48M\npids_max=50\ncpu_max=50%%\nio_weight=200\n' > "$SVDIR/keys/conf"
supervise_bg "$SVDIR/keys"
check "keys: service starts" await_status "$SVDIR/keys" state=RUNNING
cgk=$hier/svkit/$(leaf "$SVDIR/keys")
missing=""
for k in memory_max:memory.max memory_high:memory.high pids_max:pids.max cpu_max:cpu.max io_weight:io.weight; do
  [ -e "$cgk/${k#*:}" ] || missing="$missing ${k%%:*}"
done
warn=$(grep -c 'cgroup keys not applied' "$T/keys.err")
if [ -n "$missing" ]; then
  expect_eq "keys: one warning line" "$warn" 1
  for k in $missing; do
    check "keys: warning names $k" grep -q "cgroup keys not applied.*: .*$k" "$T/keys.err"
  done
else
  expect_eq "keys: no warning when all apply" "$warn" 0
fi
[ -e "$cgk/cpu.max" ] && expect_eq "cpu_max 50% is cpu.max 50000 100000" "$(cat "$cgk/cpu.max")" "50000 100000"
[ -e "$cgk/pids.max" ] && expect_eq "pids_max" "$(cat "$cgk/pids.max")" 50
[ -e "$cgk/memory.max" ] && expect_eq "memory_max" "$(cat "$cgk/memory.max")" $((64 << 20))

# svstat -j: cpu_usec from cpu.stat, memory_bytes where memory.current exists
mksv burn 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 1000'
printf 'startsecs=0\n' > "$SVDIR/burn/conf"
supervise_bg "$SVDIR/burn"
await_status "$SVDIR/burn" state=RUNNING
cgb=$hier/svkit/$(leaf "$SVDIR/burn")
j=$(svstat -j burn)
expect_match "svstat -j: cpu_usec" "$j" '"cpu_usec":[1-9][0-9]*'
if [ -e "$cgb/memory.current" ]; then
  expect_match "svstat -j: memory_bytes" "$j" '"memory_bytes":[1-9]'
  expect_match "svstat: mem in DETAIL" "$(svstat_line burn)" ', mem [0-9.]+[KMG]$'
else
  check "svstat -j: no memory_bytes without memory.current" sh -c "! printf '%s' '$j' | grep -q memory_bytes"
fi

# a restart reuses the leaf it ran in (no rmdir and mkdir between the runs);
# a start that fails in the child (here: a workingdir that is not there),
# then svc -x: supervise leaves no empty leaf behind
mksv again 'exec sleep 1000'
printf 'startsecs=0\n' > "$SVDIR/again/conf"
supervise_bg "$SVDIR/again"
await_status "$SVDIR/again" state=RUNNING
cga=$hier/svkit/$(leaf "$SVDIR/again")
ino1=$(stat -c %i "$cga" 2>/dev/null)
p1=$(statusval "$SVDIR/again" pid)
svc -r again
check "restart: a new run" await_status "$SVDIR/again" state=RUNNING
p2=$(statusval "$SVDIR/again" pid)
check "restart: not the old run" test "$p1" != "$p2"
expect_eq "restart: the new run is in the same leaf" "$(sed -n 's/^0:://p' "/proc/$p2/cgroup")" "/svkit/$(leaf "$SVDIR/again")"
expect_eq "restart: the leaf was kept, not made again" "$(stat -c %i "$cga" 2>/dev/null)" "$ino1"
svc -dw d -T 5000 again
check "down: the leaf is removed" test ! -e "$cga"
mksv nodir 'exec sleep 1000'
printf 'workingdir=/nonexistent/svkit\n' > "$SVDIR/nodir/conf"
supervise_bg "$SVDIR/nodir"
sup=$BGPID
check "failed start: BACKOFF" await_status "$SVDIR/nodir" state=BACKOFF
svc -x nodir
check "failed start, then svc -x: supervise exits" await_pid_gone "$sup" 5000
check "failed start, then svc -x: no leaf left" test ! -e "$hier/svkit/$(leaf "$SVDIR/nodir")"

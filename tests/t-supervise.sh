# supervise's life cycle: start, status file, control FIFO, stop, letters, groups.
. "$(dirname "$0")/lib.sh"

mksv_ready web 'echo start >> '"$T"'/web.starts; exec sigcatch -n 3 -e TERM >>'"$T"'/web.out'
supervise_bg "$SVDIR/web"; SUP=$BGPID
check "starts and reaches RUNNING" await_status "$SVDIR/web" state=RUNNING
check "ready once sigcatch has its handlers" svc -w U -T 5000 "$SVDIR/web"
pid=$(statusval "$SVDIR/web" pid)
check "status pid is the run process" test "$(cat /proc/$pid/comm 2>/dev/null)" = sigcatch
for k in state pid since want ready restarts lastexit reason; do
  grep -q "^$k=" "$SVDIR/web/supervise/status" || fail "status has $k"
done
ok "status has every SPEC key"
expect_eq "control FIFO is mode 0600" "$(stat -c '%F %a' "$SVDIR/web/supervise/control")" "fifo 600"
expect_match "svstat RUNNING line" "$(svstat_line web)" '^web RUNNING pid [0-9]+, uptime 0:00:0[0-9]$'
expect_eq "run gets its own process group" "$(ps -o pgid= -p "$pid" | tr -d ' ')" "$pid"
expect_eq "run's cwd is the service dir" "$(readlink /proc/$pid/cwd)" "$SVDIR/web"

# a second supervise on the same directory
"$SVBIN/supervise" "$SVDIR/web" 2>"$T/second.err"; rc=$?
expect_eq "second supervise exits 100" "$rc" 100
expect_match "second supervise says why" "$(cat "$T/second.err")" '^supervise: fatal: unable to lock .*/web/supervise/lock: another supervise is running'

# signal letters reach the process itself
for pair in h:HUP a:ALRM i:INT q:QUIT 1:USR1 2:USR2 y:WINCH b:ABRT; do
  svc -"${pair%%:*}" "$SVDIR/web"
  check "svc -${pair%%:*} delivers SIG${pair#*:}" await_file "$T/web.out" "caught SIG${pair#*:}"
done
check "signal letters reach the run process, which keeps running" test "$(statusval "$SVDIR/web" pid)" = "$pid"

svc -d -w D -T 5000 "$SVDIR/web"; rc=$?
expect_eq "svc -d -w D returns 0" "$rc" 0
expect_eq "stopped by SIGTERM" "$(statusval "$SVDIR/web" lastexit)" "exit 0"
expect_match "svstat STOPPED line" "$(svstat_line web)" '^web STOPPED stopped 0:00:0[0-9] ago$'
check "svstat exits 0 when down is wanted" svstat web
check "the run process is gone" await_pid_gone "$pid" 1000
expect_eq "want=down" "$(statusval "$SVDIR/web" want)" down

svc -u -w U -T 5000 "$SVDIR/web"
check "svc -u brings it back" await_status "$SVDIR/web" state=RUNNING
expect_eq "a requested start is not an automatic restart" "$(statusval "$SVDIR/web" restarts)" 0

# the service dies by itself: restarted, counted
pid=$(statusval "$SVDIR/web" pid)
kill -KILL "$pid"
check "restarted after kill -9" await_status "$SVDIR/web" restarts=1
check "new pid up" svc -w u -T 5000 "$SVDIR/web"
expect_eq "lastexit names the signal" "$(statusval "$SVDIR/web" lastexit)" "signal KILL"

# x: exit once the service is down; it does not stop it
svc -x "$SVDIR/web"
check "x alone leaves the service up" svc -w u -T 1000 "$SVDIR/web"
kill -0 "$SUP" 2>/dev/null; expect_eq "x alone leaves supervise up" $? 0
svc -d "$SVDIR/web"
check "supervise exits after x once down" await_pid_gone "$SUP" 5000
check "no service left after exit" test "$(statusval "$SVDIR/web" pid)" = 0

# SIGTERM to supervise stops the service and exits
supervise_bg "$SVDIR/web"; SUP=$BGPID
await_supervised "$SVDIR/web"
check "restarted supervise brings service up" svc -w u -T 5000 "$SVDIR/web"
pid=$(statusval "$SVDIR/web" pid)
kill -TERM "$SUP"
check "SIGTERM: supervise exits" await_pid_gone "$SUP" 5000
check "SIGTERM: service stopped first" await_pid_gone "$pid" 100

# svc on a service nobody supervises
svc -u "$SVDIR/web" 2>"$T/nosup.err"; rc=$?
expect_eq "svc without supervise exits 111" "$rc" 111
expect_match "svc without supervise says so" "$(cat "$T/nosup.err")" 'svc: warning: unable to control .*web: supervise not running'
svstat web >/dev/null; expect_eq "svstat without supervise exits 111" $? 111

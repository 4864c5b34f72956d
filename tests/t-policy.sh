# Restart policy: autorestart, exitcodes, startsecs/startretries -> FATAL,
# backoff, once, finish, down.
. "$(dirname "$0")/lib.sh"

# exits 3 at once, every time: a crash loop
mksv crash 'echo start >> '"$T"'/crash.starts; exit 3'
printf 'startretries=2\nstartsecs=1\nbackoff=100ms\n' > "$SVDIR/crash/conf"
supervise_bg "$SVDIR/crash"
check "crash loop ends FATAL" await_status "$SVDIR/crash" state=FATAL 10000
expect_eq "startretries=2: three attempts (supervisord)" "$(starts crash)" 3
expect_match "FATAL reason" "$(statusval "$SVDIR/crash" reason)" '^Exited too quickly: 3 starts in [0-9]+s, last exit 3$'
expect_match "svstat FATAL line" "$(svstat_line crash)" '^crash FATAL Exited too quickly: 3 starts in [0-9]+s, last exit 3$'
svstat crash >/dev/null; expect_eq "svstat exits 1 on FATAL" $? 1
svc -u -w U -T 300 "$SVDIR/crash" 2>/dev/null; expect_eq "svc -w U gives up on FATAL (exit 1)" $? 1
printf '#!/bin/sh\necho start >> %s/crash.starts; exec sleep 1000\n' "$T" > "$SVDIR/crash/run"
svc -u -w U -T 5000 "$SVDIR/crash"; expect_eq "svc -u clears FATAL once fixed" $? 0
expect_eq "failures reset when RUNNING" "$(statusval "$SVDIR/crash" failures)" 0

# backoff doubles: 1s, 2s; never a busy loop
mksv loop 'echo start >> '"$T"'/loop.starts; exit 1'
printf 'backoff=1\nbackoffmax=2\n' > "$SVDIR/loop/conf"
t0=$(date +%s%N)
supervise_bg "$SVDIR/loop"
check "crash loop waits in BACKOFF" await_status "$SVDIR/loop" failures=3 8000
t1=$(date +%s%N)
elapsed=$(( (t1 - t0) / 1000000 ))
check "three starts take at least backoff 1s + 2s (${elapsed}ms)" test "$elapsed" -ge 2900
expect_match "svstat BACKOFF line" "$(svstat_line loop)" '^loop BACKOFF exited 1, retrying in [0-2]s$'
expect_eq "want stays up in BACKOFF" "$(statusval "$SVDIR/loop" want)" up
svc -d -w D -T 2000 "$SVDIR/loop"
n=$(starts loop)
check "no start after svc -d in BACKOFF" test "$n" -le 4
expect_eq "BACKOFF + svc -d = STOPPED" "$(statusval "$SVDIR/loop" state)" STOPPED

# startsecs=0 and a service that exits at once: still one start per backoff
mksv fast 'echo start >> '"$T"'/fast.starts; exit 0'
printf 'startsecs=0\nbackoff=500ms\n' > "$SVDIR/fast/conf"
supervise_bg "$SVDIR/fast"
check "fast exits restart" await_status "$SVDIR/fast" restarts=2 5000
t2=$(date +%s%N); svc -d -w D -T 2000 "$SVDIR/fast"
check "startsecs=0 crash loop is rate-limited ($(starts fast) starts)" test "$(starts fast)" -le 4

# autorestart=never and unexpected with exitcodes
mksv never 'exit 4'
printf 'autorestart=never\nstartsecs=0\n' > "$SVDIR/never/conf"
supervise_bg "$SVDIR/never"
check "autorestart=never ends EXITED" await_status "$SVDIR/never" state=EXITED
expect_match "svstat EXITED line" "$(svstat_line never)" '^never EXITED exit 4 0:00:0[0-9] ago$'

mksv unexp 'echo start >> '"$T"'/unexp.starts; read n < '"$T"'/code; exit $n'
echo 2 > "$T/code"
printf 'autorestart=unexpected\nexitcodes=0,2\nstartsecs=0\nbackoff=100ms\n' > "$SVDIR/unexp/conf"
supervise_bg "$SVDIR/unexp"
check "expected exit code: EXITED" await_status "$SVDIR/unexp" state=EXITED
expect_eq "expected exit code: one start" "$(starts unexp)" 1
echo 5 > "$T/code"
svc -u "$SVDIR/unexp"
check "unexpected exit code: restarted" await_status "$SVDIR/unexp" restarts=2 5000
echo 0 > "$T/code"
check "back to an expected code: EXITED" await_status "$SVDIR/unexp" state=EXITED 5000

# once: runs, then EXITED, not restarted
mksv one 'echo start >> '"$T"'/one.starts; exec sleep 0.3'
touch "$SVDIR/one/down"
printf 'startsecs=0\n' > "$SVDIR/one/conf"
supervise_bg "$SVDIR/one"; await_supervised "$SVDIR/one"
expect_match "down file: Not started" "$(svstat_line one)" '^one STOPPED Not started$'
svstat one >/dev/null; expect_eq "svstat exit 0 for a down service wanted down" $? 0
svc -o -w u -T 3000 "$SVDIR/one"; expect_eq "svc -o starts it" $? 0
check "once ends EXITED" await_status "$SVDIR/one" state=EXITED 5000
expect_eq "once: not restarted" "$(starts one)" 1

# finish: runit arguments, after an exit and after a signal; timeout-finish
mksv fin 'echo start >> '"$T"'/fin.starts; read n < '"$T"'/fincode; [ "$n" = hang ] && exec sleep 1000; exit $n'
printf '#!/bin/sh\necho "finish $*" >> %s/fin.log\n' "$T" > "$SVDIR/fin/finish"; chmod +x "$SVDIR/fin/finish"
printf 'autorestart=never\nstartsecs=0\n' > "$SVDIR/fin/conf"
echo 7 > "$T/fincode"
supervise_bg "$SVDIR/fin"
check "finish after exit 7" await_file "$T/fin.log" "finish 7 0 fin"
echo hang > "$T/fincode"
svc -u -w u -T 3000 "$SVDIR/fin"
svc -d -w D -T 5000 "$SVDIR/fin"
check "finish after SIGTERM gets -1 15" await_file "$T/fin.log" "finish -1 15 fin"
printf '#!/bin/sh\necho slow >> %s/fin.log; exec sleep 1000\n' "$T" > "$SVDIR/fin/finish"
echo 300 > "$SVDIR/fin/timeout-finish"
svc -u -w u -T 3000 "$SVDIR/fin"
svc -d -w D -T 5000 "$SVDIR/fin"; expect_eq "timeout-finish kills a hanging finish (svc -w D returns)" $? 0
expect_eq "finish=0 after D" "$(statusval "$SVDIR/fin" finish)" 0
# a finish that cannot be executed: one line naming it and why; the service goes on
chmod -x "$SVDIR/fin/finish"
svc -u -w u -T 3000 "$SVDIR/fin"
svc -d -w D -T 5000 "$SVDIR/fin"; expect_eq "finish not executable: svc -w D returns" $? 0
expect_match "finish not executable: logged with the file and the reason" \
  "$(grep -c "fin: unable to exec $SVDIR/fin/finish: Permission denied" "$T/fin.err")" '^1$'
svc -u -w u -T 3000 "$SVDIR/fin"; expect_eq "finish not executable: the service starts again" $? 0
svc -d -w D -T 5000 "$SVDIR/fin"

# u while STOPPING: the service comes back once the old run is gone
mksv_ready slowstop 'echo start >> '"$T"'/slowstop.starts; exec sigcatch -n 3 >/dev/null'
printf 'stopwaitsecs=300ms\nstartsecs=0\n' > "$SVDIR/slowstop/conf"
supervise_bg "$SVDIR/slowstop"; await_supervised "$SVDIR/slowstop"
svc -w U -T 5000 "$SVDIR/slowstop"
old=$(statusval "$SVDIR/slowstop" pid)
svc -du "$SVDIR/slowstop"
check "svc -du: the old run ends" await_pid_gone "$old" 3000
check "svc -du: started again" await_status "$SVDIR/slowstop" state=RUNNING 3000
expect_eq "svc -du: two starts" "$(starts slowstop)" 2

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

#!/bin/bash
# SPEC §9 health checks: S/check / healthcheck=, readiness, onunhealthy, bad checks.
. "$(dirname "$0")/lib.sh"

# a passing healthcheck= makes the service RUNNING, healthy, in status, DETAIL, -j, -p
mksv good 'exec sleep 1000'
printf 'healthcheck=test -d .\nhealthinterval=200ms\nstartsecs=0\n' > "$SVDIR/good/conf"
supervise_bg "$SVDIR/good"
check "passing check: health=healthy" await_status "$SVDIR/good" health=healthy
expect_eq "passing check: RUNNING and ready" "$(statusval "$SVDIR/good" state) $(statusval "$SVDIR/good" ready)" "RUNNING 1"
expect_match "svstat DETAIL ends ', healthy'" "$(svstat_line "$SVDIR/good")" 'RUNNING pid [0-9]+, uptime [0-9:]+, healthy$'
expect_match "svstat -j carries health" "$("$SVBIN/svstat" -j "$SVDIR/good")" '"health":"healthy","healthlog":""'
expect_match "svstat -p carries health" "$("$SVBIN/svstat" -p "$SVDIR/good")" 'svkit_service_healthy\{service="[^"]*good"\} 1'

# without notification-fd, readiness waits for the first passing check (S/check wins over healthcheck=)
mksv gate 'exec sleep 1000'
printf '#!/bin/sh\necho "not yet"\ntest -f ready\n' > "$SVDIR/gate/check"; chmod +x "$SVDIR/gate/check"
printf 'healthcheck=true\nhealthinterval=100ms\nstartsecs=100ms\nhealthretries=1000\n' > "$SVDIR/gate/conf"
supervise_bg "$SVDIR/gate"
check "failing check: healthlog is its first line" await_status "$SVDIR/gate" "healthlog=not yet"
expect_eq "failing check: still STARTING, not ready" "$(statusval "$SVDIR/gate" state) $(statusval "$SVDIR/gate" ready)" "STARTING 0"
"$SVBIN/svc" -w U -T 300 "$SVDIR/gate" 2>/dev/null; expect_eq "svc -w U waits for the check" $? 1
touch "$SVDIR/gate/ready"
"$SVBIN/svc" -w U -T 5000 "$SVDIR/gate"; expect_eq "first passing check = readiness (svc -w U)" $? 0
expect_eq "ready after the check passed" "$(statusval "$SVDIR/gate" state) $(statusval "$SVDIR/gate" health)" "RUNNING healthy"

# onunhealthy=restart (default): healthretries failures -> stop, start, a failed start (BACKOFF)
mksv sick 'echo x >> '"$T"'/sick.starts; exec sleep 1000'
printf 'healthcheck=echo "connection refused"; exit 1\nhealthinterval=100ms\nhealthretries=2\nstartsecs=0\nbackoff=300ms\n' > "$SVDIR/sick/conf"
supervise_bg "$SVDIR/sick"
check "unhealthy restart: BACKOFF with the check's line" await_status "$SVDIR/sick" "reason=unhealthy: connection refused"
check "unhealthy restart: counted as a failed start" await_status "$SVDIR/sick" failures=2 8000
check "unhealthy restart: started again" test "$(starts sick)" -ge 2

# startretries applies: unhealthy runs end FATAL
mksv sickfatal 'exec sleep 1000'
printf 'healthcheck=echo down; exit 3\nhealthinterval=100ms\nhealthretries=1\nstartsecs=0\nbackoff=100ms\nstartretries=1\n' > "$SVDIR/sickfatal/conf"
supervise_bg "$SVDIR/sickfatal"
check "unhealthy restarts count for startretries: FATAL" await_status "$SVDIR/sickfatal" state=FATAL 8000
expect_match "FATAL reason names the check" "$(statusval "$SVDIR/sickfatal" reason)" 'unhealthy: down'

# onunhealthy=stop
mksv sickstop 'exec sleep 1000'
printf 'healthcheck=exit 1\nhealthinterval=100ms\nhealthretries=2\nstartsecs=0\nonunhealthy=stop\n' > "$SVDIR/sickstop/conf"
supervise_bg "$SVDIR/sickstop"
check "onunhealthy=stop: STOPPED" await_status "$SVDIR/sickstop" state=STOPPED
expect_eq "onunhealthy=stop: wanted down" "$(statusval "$SVDIR/sickstop" want)" down

# onunhealthy=none: stays up, DETAIL says why
mksv sicknone 'exec sleep 1000'
printf 'healthcheck=echo "disk full"; exit 1\nhealthinterval=100ms\nhealthretries=2\nstartsecs=0\nonunhealthy=none\n' > "$SVDIR/sicknone/conf"
supervise_bg "$SVDIR/sicknone"
check "onunhealthy=none: health=unhealthy" await_status "$SVDIR/sicknone" health=unhealthy
pid=$(statusval "$SVDIR/sicknone" pid)
expect_match "svstat DETAIL ends ', unhealthy: LINE'" "$(svstat_line "$SVDIR/sicknone")" 'STARTING pid [0-9]+, starting, unhealthy: disk full$'
check "onunhealthy=none: run not touched" kill -0 "$pid"

# bad input: a check that is not executable fails with the reason
mksv noexec 'exec sleep 1000'
printf '#!/bin/sh\nexit 0\n' > "$SVDIR/noexec/check"; chmod -x "$SVDIR/noexec/check"
printf 'healthinterval=100ms\nstartsecs=0\nonunhealthy=none\n' > "$SVDIR/noexec/conf"
supervise_bg "$SVDIR/noexec"
check "non-executable check: unhealthy" await_status "$SVDIR/noexec" health=unhealthy
expect_match "non-executable check: healthlog says why" "$(statusval "$SVDIR/noexec" healthlog)" 'unable to exec .*/check: Permission denied'

# bad input: a check that hangs is killed after healthtimeout, with its group
mksv hang 'exec sleep 1000'
printf '#!/bin/sh\necho $$ >> '"$T"'/hang.pids\nsleep 1000 &\necho $! >> '"$T"'/hang.pids\nwait\n' > "$SVDIR/hang/check"; chmod +x "$SVDIR/hang/check"
printf 'healthinterval=100ms\nhealthtimeout=300ms\nhealthretries=1000\nstartsecs=0\n' > "$SVDIR/hang/conf"
supervise_bg "$SVDIR/hang"
check "hanging check: timed out" await_status "$SVDIR/hang" "healthlog=check timed out after 1s"
all_gone=1
for p in $(head -2 "$T/hang.pids"); do await_pid_gone "$p" 3000 || all_gone=0; done
expect_eq "hanging check: it and its child killed" "$all_gone" 1

# bad input: a check that forks and leaves children: they are killed when it ends
mksv forky 'exec sleep 1000'
printf '#!/bin/sh\nsleep 1000 &\necho $! > '"$T"'/forky.kid\nexit 0\n' > "$SVDIR/forky/check"; chmod +x "$SVDIR/forky/check"
printf 'healthinterval=1\nstartsecs=0\n' > "$SVDIR/forky/conf"
supervise_bg "$SVDIR/forky"
check "forking check: healthy" await_status "$SVDIR/forky" health=healthy
check "forking check: its child is killed" await_pid_gone "$(cat "$T/forky.kid")" 3000

# bad input: a check printing megabytes: first line kept, bounded, supervise's memory flat
mksv loud 'exec sleep 1000'
printf '#!/bin/sh\necho "first words"\nhead -c 30000000 /dev/zero | tr "\\\\0" y\nexit 1\n' > "$SVDIR/loud/check"; chmod +x "$SVDIR/loud/check"
printf 'healthinterval=100ms\nhealthtimeout=20\nhealthretries=2\nstartsecs=0\nonunhealthy=none\n' > "$SVDIR/loud/conf"
supervise_bg "$SVDIR/loud"; loudsup=$BGPID
check "loud check: unhealthy after two 30 MB outputs" await_status "$SVDIR/loud" health=unhealthy 30000
expect_eq "loud check: healthlog is the first line" "$(statusval "$SVDIR/loud" healthlog)" "first words"
rss=$(awk '/VmHWM/ {print $2}' /proc/$loudsup/status)
check "loud check: supervise peak RSS stays small ($rss kB)" test "$rss" -lt 8000
mksv longline 'exec sleep 1000'
printf '#!/bin/sh\nhead -c 1000000 /dev/zero | tr "\\\\0" z\nexit 1\n' > "$SVDIR/longline/check"; chmod +x "$SVDIR/longline/check"
printf 'healthinterval=100ms\nhealthretries=1\nstartsecs=0\nonunhealthy=none\n' > "$SVDIR/longline/conf"
supervise_bg "$SVDIR/longline"
check "1 MB line: unhealthy" await_status "$SVDIR/longline" health=unhealthy 10000
n=$(statusval "$SVDIR/longline" healthlog | wc -c)
check "1 MB line: healthlog cut to < 256 bytes ($n)" test "$n" -gt 200 -a "$n" -le 256

# bad conf values are conf errors
for kv in healthinterval=abc healthtimeout=0 healthretries=0 healthstartperiod=-1 onunhealthy=maybe; do
  d=$SVDIR/bad-${kv%%=*}
  mksv "bad-${kv%%=*}" 'exec sleep 1000'
  echo "$kv" > "$d/conf"
  supervise_bg "$d"
  if await_status "$d" state=FATAL; then
    expect_match "bad $kv: conf error" "$(statusval "$d" reason)" "conf line 1"
  else fail "bad $kv: not FATAL"; fi
done

# failures during healthstartperiod do not count
mksv slow 'exec sleep 1000'
printf 'healthcheck=echo warming; exit 1\nhealthinterval=100ms\nhealthretries=1\nhealthstartperiod=1500ms\nstartsecs=0\nonunhealthy=none\n' > "$SVDIR/slow/conf"
supervise_bg "$SVDIR/slow"
check "start period: failing check seen" await_status "$SVDIR/slow" healthlog=warming
expect_eq "start period: not unhealthy yet" "$(statusval "$SVDIR/slow" health)" starting
check "start period over: unhealthy" await_status "$SVDIR/slow" health=unhealthy 5000

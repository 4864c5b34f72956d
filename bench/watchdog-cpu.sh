#!/usr/bin/env bash
# bench/watchdog-cpu.sh [BUILD_DIR] [SECS]: supervise's own CPU with
# watchdog=1 and a beat every 0.5 s, fed each of the three ways (touch of
# $SV_HEARTBEAT, newline on notification-fd, WATCHDOG=1 datagram), beside an
# idle supervise with no watchdog.  Measured over SECS (default 60) from
# /proc/PID/stat utime+stime (clock ticks) and /proc/PID/schedstat (ns on
# CPU, finer), extrapolated to an hour.  Needs the test helpers: make tests.
# The datagram sender waits for its barrier (-b), as systemd-notify does: a
# sender already exited and reaped when supervise reads its datagram cannot
# be told to be the service's, and is dropped.
. "$(dirname "$0")/supervise-cpu.lib"
mk idle 'exec sleep 100000' ''
mk file 'while :; do touch "$SV_HEARTBEAT"; sleep 0.5; done' 'watchdog=1
startsecs=0
'
mk pipe 'while :; do echo >&3; sleep 0.5; done' 'watchdog=1
'
echo 3 > "$W/pipe/notification-fd"
mk dgram "while :; do $B/tests/notify_send -b WATCHDOG=1 READY=1; sleep 0.5; done" 'watchdog=1
notify=systemd
'
names=(idle file pipe dgram)
start_all "${names[@]}"
declare -A t0 n0
for i in "${!names[@]}"; do read -r t0[$i] _ < <(ticks "${P[$i]}"); n0[$i]=$(ns "${P[$i]}"); done
sleep "$secs"
echo "# supervise CPU over ${secs}s, per hour (nproc $(nproc), load $(cut -d' ' -f1 /proc/loadavg))"
printf '%-6s %8s %12s %14s %10s %s\n' mode ticks cpu_ms cpu_s/hour '%core' restarts
for i in "${!names[@]}"; do
  p=${P[$i]}; n=${names[$i]}
  read -r t _ < <(ticks "$p"); dt=$(( t - t0[$i] )); dn=$(( $(ns "$p") - n0[$i] ))
  awk -v dt="$dt" -v dn="$dn" -v s="$secs" -v hz="$hz" -v n="$n" -v r="$(sed -n 's/^restarts=//p' "$W/$n/supervise/status")" \
    'BEGIN { ms = dn / 1e6; printf "%-6s %8d %12.2f %14.3f %10.5f %s\n", n, dt, ms, ms / 1000 * 3600 / s, ms / 10 / s, r }'
done
echo "# ticks: utime+stime in 1/${hz} s; cpu_ms from schedstat"

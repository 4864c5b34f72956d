#!/usr/bin/env bash
# bench/health-cpu.sh [BUILD_DIR] [SECS]: supervise's own CPU with a health
# check every second (SPEC §9), beside an idle supervise with none: a check
# given as S/check (an executable) and one as healthcheck=CMD (run by
# /bin/sh -c).  Measured over SECS (default 60) from /proc/PID/schedstat (ns
# on CPU) and utime+stime, extrapolated to an hour.  supervise's own share
# only: the checks' processes are its children and are counted apart
# (cutime+cstime, the fork+exec a check costs on this machine).
. "$(dirname "$0")/supervise-cpu.lib"
mk idle 'exec sleep 100000' ''
mk file 'exec sleep 100000' 'healthinterval=1s
'
printf '#!/bin/sh\nexit 0\n' > "$W/file/check"; chmod +x "$W/file/check"
mk conf 'exec sleep 100000' 'healthcheck=true
healthinterval=1s
'
names=(idle file conf)
start_all "${names[@]}"
declare -A t0 c0 n0
for i in "${!names[@]}"; do read -r t0[$i] c0[$i] < <(ticks "${P[$i]}"); n0[$i]=$(ns "${P[$i]}"); done
sleep "$secs"
echo "# supervise CPU with a 1 s health check, over ${secs}s, per hour (nproc $(nproc), load $(cut -d' ' -f1 /proc/loadavg))"
printf '%-6s %8s %12s %14s %10s %14s %s\n' mode ticks cpu_ms cpu_s/hour '%core' checks_s/hour health
for i in "${!names[@]}"; do
  p=${P[$i]}; n=${names[$i]}
  read -r t c < <(ticks "$p")
  dt=$(( t - t0[$i] )); dc=$(( c - c0[$i] )); dn=$(( $(ns "$p") - n0[$i] ))
  awk -v dt="$dt" -v dc="$dc" -v dn="$dn" -v s="$secs" -v hz="$hz" -v n="$n" -v h="$(sed -n 's/^health=//p' "$W/$n/supervise/status")" \
    'BEGIN { ms = dn / 1e6; printf "%-6s %8d %12.2f %14.3f %10.5f %14.1f %s\n", n, dt, ms, ms / 1000 * 3600 / s, ms / 10 / s, dc / hz * 3600 / s, h }'
done
echo "# ticks: supervise's utime+stime in 1/${hz} s; cpu_ms from schedstat; checks_s/hour: its reaped children's (the checks')"

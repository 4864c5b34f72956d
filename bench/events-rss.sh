#!/usr/bin/env bash
# supervise's memory across 10,000 events (issue 10, "Measured"): a service
# that exits at once (startsecs=0, backoff=0: supervise restarts it at most
# 50 times a second, two transitions each, RUNNING and BACKOFF) with an
# S/event hook (a tiny compiled program counting its calls); supervise's
# VmRSS and VmHWM are printed every tenth of the way, then the counts.
#
#   bench/events-rss.sh [BUILD_DIR] [EVENTS]      (default 10000; needs cc)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
EVENTS=${2:-10000}
die() { echo "events-rss: fatal: $*" >&2; exit 111; }
[ -x "$B/bin/supervise" ] || die "unable to find $B/bin/supervise: run make"
W=$(mktemp -d /tmp/bench-evrss.XXXXXX) || die "unable to mktemp"
SPID=
cleanup() {
  [ -n "$SPID" ] && { "$B/bin/svc" -dx "$W/s" 2>/dev/null; for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.05; done; kill -KILL "$SPID" 2>/dev/null; }
  [ -s "$W/s/supervise/status" ] && { p=$(sed -n 's/^pid=//p' "$W/s/supervise/status"); [ "${p:-0}" != 0 ] && kill -KILL "$p" 2>/dev/null; }
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat > "$W/count.c" <<'EOF'
#include <fcntl.h>
#include <unistd.h>
int main(void)
{
  int fd = open("hooks", O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0 || write(fd, "x", 1) != 1) return 111;
  return 0;
}
EOF
${CC:-cc} -O2 -o "$W/count" "$W/count.c" || die "unable to compile the hook"
mkdir -p "$W/s"
printf '#!/bin/sh\nexit 0\n' > "$W/s/run"
chmod +x "$W/s/run"
cp "$W/count" "$W/s/event"
printf 'startsecs=0\nbackoff=0\n' > "$W/s/conf"
sync # a fresh binary's dirty page-cache pages would count as RSS
"$B/bin/supervise" "$W/s" 2>"$W/err" & SPID=$!
mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %s kB  ", $1, $2}' "/proc/$SPID/status"; }
hooks() { stat -c %s "$W/s/hooks" 2>/dev/null || echo 0; }
echo "# supervise (pid $SPID) across $EVENTS events; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s  %s\n' events memory
t0=$(date +%s.%N)
for k in $(seq 0 10); do
  want=$((EVENTS * k / 10))
  # the hooks' count is the events delivered (polled: a bench, not a test)
  for _ in $(seq 6000); do [ "$(hooks)" -ge "$want" ] && break; sleep 0.05; done
  [ "$(hooks)" -ge "$want" ] || die "stuck at $(hooks) events"
  printf '%8s  %s\n' "$(hooks)" "$(mem)"
done
t1=$(date +%s.%N)
"$B/bin/svc" -d -w D -T 5000 "$W/s"
echo "# $(hooks) hooks run in $(echo "$t1 - $t0" | bc) s; history lines: $(wc -l < "$W/s/supervise/history"); overflow warnings: $(grep -c 'dropping' "$W/err")"

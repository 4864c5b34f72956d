#!/usr/bin/env bash
# Event-to-hook latency (issue 10, "Measured"): from just before kill(2) of
# a service's run to the first instruction of the hook that the death sets
# off, side by side:
#   svkit event   supervise's S/event for NEWSTATE EXITED (autorestart=never)
#   svkit finish  supervise's S/finish (runit's hook, for reference)
#   s6 finish     s6-supervise's ./finish, s6's closest equivalent
# run, event and finish are one tiny compiled program that appends
# CLOCK_MONOTONIC ns to a file; tools are interleaved, one kill each per
# round.  Prints median and p90 (nearest rank) in microseconds.
#
#   bench/events.sh [BUILD_DIR] [N]      (N samples, default 21; needs cc and s6)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
N=${2:-21}
die() { echo "events: fatal: $*" >&2; exit 111; }
[ -x "$B/bin/supervise" ] || die "unable to find $B/bin/supervise: run make"
S6SUP=$(command -v s6-supervise) || die "unable to find s6-supervise: run bench/install-peers as root"
CC=${CC:-cc}
W=$(mktemp -d /tmp/bench-events.XXXXXX) || die "unable to mktemp"
PIDS=()
cleanup() {
  local p f
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for f in "$W"/*/runpid; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat > "$W/evb.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static void append(char const *file, char const *line)
{
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0 || write(fd, line, strlen(line)) < 0) _exit(111);
  close(fd);
}
/* lines of FILE */
static long lines(char const *file)
{
  char buf[65536];
  long n = 0;
  ssize_t r;
  int fd = open(file, O_RDONLY);
  if (fd < 0) return 0;
  while ((r = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < r; i++) n += buf[i] == '\n';
  close(fd);
  return n;
}
int main(int argc, char **argv)
{
  char line[64];
  char const *base = strrchr(argv[0], '/');
  int64_t t = now_ns();
  base = base ? base + 1 : argv[0];
  if (!strcmp(base, "run")) {
    snprintf(line, sizeof line, "%ld\n", (long)getpid());
    int fd = open("runpid.new", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, line, strlen(line)) < 0) _exit(111);
    close(fd);
    rename("runpid.new", "runpid");
    append("runs", "x\n");
    execl("/bin/sleep", "sleep", "1000000", (char *)0);
    _exit(127);
  }
  if (!strcmp(base, "event") || !strcmp(base, "finish")) {
    /* the event hook stamps EXITED only: the others are the restarts */
    if (!strcmp(base, "event") && (argc < 2 || strcmp(argv[1], "EXITED"))) return 0;
    snprintf(line, sizeof line, "%lld\n", (long long)t);
    append("hookstamp", line);
    return 0;
  }
  if (argc == 3 && !strcmp(argv[1], "kill")) {
    pid_t p = (pid_t)atol(argv[2]);
    t = now_ns();
    if (kill(p, SIGKILL) < 0) return 111;
    printf("%lld\n", (long long)t);
    return 0;
  }
  if (argc == 5 && !strcmp(argv[1], "wait")) {
    /* evb wait FILE N MS: until FILE has N lines: 0, or 1 on timeout */
    long want = atol(argv[3]);
    int64_t end = t + atol(argv[4]) * 1000000LL;
    struct timespec nap = { 0, 200000 };
    while (lines(argv[2]) < want) {
      if (now_ns() > end) return 1;
      nanosleep(&nap, 0);
    }
    return 0;
  }
  fprintf(stderr, "evb: usage: kill PID | wait FILE N MS\n");
  return 100;
}
EOF
"$CC" -O2 -Wall -o "$W/evb" "$W/evb.c" || die "unable to compile the helper"
EVB=$W/evb

TOOLS="svkit-event svkit-finish s6-finish"
declare -A DIR
for t in $TOOLS; do
  d=$W/$t
  mkdir -p "$d"
  DIR[$t]=$d
  ln -s "$EVB" "$d/run"
  case $t in
    svkit-event) ln -s "$EVB" "$d/event"; printf 'autorestart=never\nstartsecs=0\n' > "$d/conf" ;;
    *) ln -s "$EVB" "$d/finish" ;;
  esac
done
"$B/bin/supervise" "${DIR[svkit-event]}" 2>>"$W/err" & PIDS+=($!)
"$B/bin/supervise" "${DIR[svkit-finish]}" 2>>"$W/err" & PIDS+=($!)
"$S6SUP" "${DIR[s6-finish]}" 2>>"$W/err" & PIDS+=($!)

declare -A SAMPLES
for i in $(seq "$N"); do
  for t in $TOOLS; do
    d=${DIR[$t]}
    "$EVB" wait "$d/runs" "$i" 5000 || die "$t: run $i never started"
    # s6-supervise holds back a start < 1 s after the previous: every run is
    # up > 1 s before its kill, for each tool alike
    sleep 1.1
    t0=$("$EVB" kill "$(cat "$d/runpid")") || die "$t: unable to kill"
    "$EVB" wait "$d/hookstamp" "$i" 5000 || die "$t: no hook after kill $i"
    t1=$(tail -1 "$d/hookstamp")
    SAMPLES[$t]+="$(( (t1 - t0) / 1000 )) "
    [ "$t" = svkit-event ] && "$B/bin/svc" -u "$d"
  done
done

stat() { # median p90 of the samples
  tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; p=a[int((NR*9+9)/10)]; print m, p}'
}
echo "# event-to-hook latency, kill(2) -> hook's first instruction, us; N=$N; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %8s %8s\n' tool median p90
for t in $TOOLS; do
  read -r m p < <(echo "${SAMPLES[$t]}" | stat)
  printf '%-14s %8s %8s\n' "$t" "$m" "$p"
done

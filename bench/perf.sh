#!/usr/bin/env bash
# The smallest and fastest tree (issue 14), measured side by side in one run
# against Debian's s6, runit and daemontools:
#
#   bench/perf.sh [BUILD_DIR] [SECOND_BUILD_DIR]
#
# BUILD_DIR (default build) holds svkit's binaries in BUILD_DIR/bin; an
# optional SECOND_BUILD_DIR (e.g. one made with `make B=build-dyn DYNAMIC=1`)
# is measured too, as "svkit-2", to show what a build choice is worth.
#
#  1. tree: TREE_N (100) services under each scanner, each `run` a shell
#     script that appends one byte to a mark file and execs sleep.  Once every
#     run has started and 2 s have passed: PSS (kB, /proc/PID/smaps_rollup) of
#     each per-service supervisor (mean) and of the supervision tree (scanner
#     + supervisors, the services left out: they are the same for all), and
#     page faults (minflt of /proc/PID/stat) per started service, of the
#     supervision and of the service processes (a service's count includes
#     what its supervisor's child did between fork and exec);
#  2. execs and forks per started service: the same tree of EXEC_N (20)
#     services started under `strace -f`, successful execve and fork/clone
#     calls counted until every run has started, divided by EXEC_N;
#  3. start: START_N (500) services, the time from starting the scanner until
#     every run has appended its byte (a compiled helper polls the mark
#     file's size every 0.5 ms); REPS (5) rounds, systems interleaved, fresh
#     service directories each time; median and the ratios to s6 and
#     daemontools; and the floor: the same runs forked at once by one
#     process with nothing supervising them (sh and sleep cost the same
#     under every system: no supervisor can start them faster than that);
#  4. restart: one service per supervisor whose run is a compiled program
#     that stamps CLOCK_MONOTONIC ns and execs sleep; from just before the
#     control command (svkit `svc -r`, s6 `s6-svc -r`, runit `sv term`,
#     daemontools `svc -t`: one control byte or two, no waiting) to the new
#     run's stamp; RESTARTS (21) each, interleaved, the service up > 1.2 s
#     before each (s6-supervise and daemontools' supervise hold back a start
#     within 1 s of the previous one); median, p90 and the ratio to runit;
#  5. svlog: bench/svlog.sh on disk (BENCH_MB, default 200, of 100-byte
#     lines, rotating at 1 MB, 10 archives, no stamps): svlog, s6-log, cat,
#     and cat+fsync (cat, then one fsync: the disk's own floor).
#
# Every system runs with PATH=/usr/sbin:/usr/bin:/sbin:/bin (daemontools'
# svscan finds supervise there; svkit's svscan takes the supervise beside
# it).  Every wait is bounded; every process started is killed by pid on exit.
# Needs cc, strace, s6, runit, daemontools (bench/install-peers, as root).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
absdir() { case $1 in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
B=$(absdir "${1:-build}")
B2=${2:+$(absdir "$2")}
TREE_N=${TREE_N:-100}
EXEC_N=${EXEC_N:-20}
START_N=${START_N:-500}
REPS=${REPS:-5}
RESTARTS=${RESTARTS:-21}
BENCH_MB=${BENCH_MB:-200}
PEERPATH=/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "perf: fatal: $*" >&2; exit 111; }
for d in "$B" ${B2:+"$B2"}; do
  for p in svscan supervise svc svlog; do [ -x "$d/bin/$p" ] || die "unable to find $d/bin/$p: run make"; done
done
for p in s6-svscan s6-supervise s6-svc runsvdir runsv sv strace; do
  command -v $p >/dev/null || die "unable to find $p: run bench/install-peers as root"
done
[ -x /usr/bin/svscan ] && [ -x /usr/bin/supervise ] && [ -x /usr/bin/svc ] ||
  die "unable to find daemontools in /usr/bin: run bench/install-peers as root"
CC=${CC:-cc}
command -v "$CC" >/dev/null || die "unable to find a C compiler ($CC)"

SYSTEMS="svkit${B2:+ svkit-2} s6 runit daemontools"
W=$(mktemp -d /tmp/bench-perf.XXXXXX) || die "unable to mktemp"
TREE=()     # every pid of the system under test, for cleanup
SCANNER=
SUPS=()     # the supervisors of part 4

# descendants PID: every pid below PID
descendants() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { kids[$2] = kids[$2] " " $1 }
    END { q[1] = root; n = 1; for (i = 1; i <= n; i++) { m = split(kids[q[i]], k, " "); for (j = 1; j <= m; j++) { q[++n] = k[j]; print k[j] } } }'
}
# the cgroup leaves svkit's supervise made for services under $W (named
# after the path, "/" as "-"): a supervise killed by the KILL below leaves
# its leaf, and a thousand empty leaves slow every later mkdir there
sweep_leaves() {
  local leaf
  for leaf in /sys/fs/cgroup/unified/svkit/"$(printf %s "${W#/}" | tr / -)"-*; do
    [ -d "$leaf" ] || continue
    [ -w "$leaf/cgroup.kill" ] && echo 1 > "$leaf/cgroup.kill" 2>/dev/null
    rmdir "$leaf" 2>/dev/null
  done
}
# stops the scanner and kills what is left of its tree, by pid
cleanup_system() {
  local p
  [ -n "$SCANNER" ] || return 0
  TREE+=($(descendants "$SCANNER") "$SCANNER")
  kill -TERM "$SCANNER" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SCANNER" 2>/dev/null || break; sleep 0.1; done
  for p in "${TREE[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  sweep_leaves
  TREE=(); SCANNER=
}
cleanup() {
  local p
  cleanup_system
  [ -f "$W/floor.pids" ] && while read -r p; do kill -KILL "$p" 2>/dev/null; done < "$W/floor.pids"
  for p in "${SUPS[@]}"; do TREE+=($(descendants "$p") "$p"); done
  for p in "${TREE[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  sweep_leaves
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the helper ----
cat > "$W/pb.c" <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static void nap_us(long us)
{
  struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) ;
}
/* lines of FILE and the last "NS PID" in it */
static long stamps(char const *file, int64_t *ns)
{
  char buf[65536], *p, *last = 0;
  long n = 0;
  ssize_t r;
  int fd = open(file, O_RDONLY);
  if (fd < 0) return 0;
  r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (p = buf; (p = strchr(p, '\n')); p++) last = p, n++;
  if (!last) return 0;
  *last = 0;
  p = strrchr(buf, '\n');
  *ns = atoll(p ? p + 1 : buf);
  return n;
}

int main(int argc, char **argv)
{
  char const *base = strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  if (!strcmp(base, "run")) { /* the service of part 4 */
    char line[64];
    int64_t t = now_ns();
    int fd = open("stamp", O_WRONLY | O_APPEND | O_CREAT, 0644);
    int n = snprintf(line, sizeof line, "%lld %ld\n", (long long)t, (long)getpid());
    if (fd < 0 || write(fd, line, (size_t)n) < 0) _exit(111);
    close(fd);
    /* readiness, where the service dir asks for it (s6's, see below) */
    fd = open("notification-fd", O_RDONLY);
    if (fd >= 0) {
      char b[16] = "";
      ssize_t r = read(fd, b, sizeof b - 1);
      close(fd);
      if (r > 0 && write(atoi(b), "\n", 1) < 0) _exit(111);
      if (r > 0) close(atoi(b));
    }
    execl("/bin/sleep", "sleep", "1000000", (char *)0);
    _exit(127);
  }
  if (argc == 2 && !strcmp(argv[1], "now")) { printf("%lld\n", (long long)now_ns()); return 0; }
  if (argc == 5 && !strcmp(argv[1], "waitsize")) {
    /* pb waitsize FILE BYTES MS: until FILE has BYTES; prints the time then */
    struct stat st;
    int64_t end = now_ns() + atoll(argv[4]) * 1000000;
    for (;;) {
      if (stat(argv[2], &st) == 0 && st.st_size >= atoll(argv[3])) { printf("%lld\n", (long long)now_ns()); return 0; }
      if (now_ns() > end) return 1;
      nap_us(500);
    }
  }
  if (argc >= 5 && !strcmp(argv[1], "restart")) {
    /* pb restart STAMPFILE MS CMD...: ns from just before CMD to the next stamp */
    int64_t ns = 0, t0, end;
    long lines = stamps(argv[2], &ns);
    int ws;
    pid_t p;
    if (!lines) return 1;
    t0 = now_ns();
    end = t0 + atoll(argv[3]) * 1000000;
    p = fork();
    if (p < 0) return 111;
    if (!p) {
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 1);
      execvp(argv[4], argv + 4);
      _exit(127);
    }
    while (waitpid(p, &ws, 0) < 0) if (errno != EINTR) return 111;
    if (!WIFEXITED(ws) || WEXITSTATUS(ws)) return 1;
    for (;;) {
      if (stamps(argv[2], &ns) > lines) { printf("%lld\n", (long long)(ns - t0)); return 0; }
      if (now_ns() > end) return 1;
      nap_us(200);
    }
  }
  if (argc == 4 && !strcmp(argv[1], "spawnall")) {
    /* pb spawnall DIR PIDFILE: forks ./run in each DIR/x at once, as a
       scanner would, but with nothing supervising them: the floor of part 3 */
    char path[4096];
    struct dirent *d;
    DIR *dir = opendir(argv[2]);
    FILE *pids = fopen(argv[3], "w");
    if (!dir || !pids) return 111;
    while ((d = readdir(dir))) {
      pid_t p;
      if (d->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "%s/%s", argv[2], d->d_name);
      p = fork();
      if (p < 0) return 111;
      if (!p) {
        int null = open("/dev/null", O_RDWR);
        setsid();
        if (null >= 0) dup2(null, 0), dup2(null, 1);
        if (chdir(path) < 0) _exit(111);
        execl("./run", "run", (char *)0);
        _exit(127);
      }
      fprintf(pids, "%ld\n", (long)p);
    }
    return fclose(pids) ? 111 : 0;
  }
  fprintf(stderr, "pb: usage: now | waitsize FILE BYTES MS | restart STAMPFILE MS CMD... | spawnall DIR PIDFILE\n");
  return 100;
}
EOF
"$CC" -O2 -Wall -o "$W/pb" "$W/pb.c" || die "unable to compile the helper"
PB=$W/pb

# ---- helpers ----
bindir() { case $1 in svkit) echo "$B/bin" ;; svkit-2) echo "$B2/bin" ;; esac; }
sup_comm() { case $1 in svkit*|daemontools) echo supervise ;; s6) echo s6-supervise ;; runit) echo runsv ;; esac; }
# start_scanner SYSTEM DIR: in the background, SCANNER its pid
start_scanner() {
  case $1 in
    svkit*) PATH=$PEERPATH "$(bindir "$1")/svscan" "$2" ;;
    s6) PATH=$PEERPATH s6-svscan "$2" ;;
    runit) PATH=$PEERPATH runsvdir "$2" ;;
    daemontools) PATH=$PEERPATH /usr/bin/svscan "$2" ;;
  esac </dev/null >/dev/null 2>>"$W/$1.err" &
  SCANNER=$!
}
# mktree DIR N MARK: N services whose run appends a byte to MARK, then sleeps
mktree() {
  local i
  rm -rf "$1"; mkdir -p "$1"; : > "$3"
  for i in $(seq 1 "$2"); do
    mkdir "$1/s$i"
    printf '#!/bin/sh\necho >> %s\nexec sleep 100000\n' "$3" > "$1/s$i/run"
    chmod +x "$1/s$i/run"
  done
}
field() { awk -v f="$2" '{ sub(/.*\) /, ""); print $(f - 2) }' "/proc/$1/stat" 2>/dev/null; } # /proc/PID/stat field
pss() { sed -n 's/^Pss:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/smaps_rollup" 2>/dev/null; }
sum() { awk '{ s += $1 } END { print s + 0 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else print v[int((NR + 1) / 2)] }'; }
p90() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } p = int(NR * 0.9 + 0.999999); if (p > NR) p = NR; print v[p] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" 'BEGIN { printf f "\n", a / b }'; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'svkit perf bench  %s  %s  (%s CPUs; load %s at start)\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(uname -r)" "$(nproc)" "$LOAD0"
printf 'svkit %s (%s: %s)%s; s6 %s; runit %s; daemontools %s\n' \
  "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')" "$B/bin/supervise" \
  "$(file -b "$B/bin/supervise" | grep -o 'statically linked\|dynamically linked')" \
  "${B2:+; svkit-2 = $B2/bin/supervise: $(file -b "$B2/bin/supervise" | grep -o 'statically linked\|dynamically linked')}" \
  "$(dpkg-query -W -f '${Version}' s6 2>/dev/null || echo '?')" \
  "$(dpkg-query -W -f '${Version}' runit 2>/dev/null || echo '?')" \
  "$(dpkg-query -W -f '${Version}' daemontools 2>/dev/null || echo '?')"
sync   # freshly built binaries' dirty page-cache pages would count as private

# ---- 1. the tree ----
declare -A SUPPSS TREEPSS SUPFLT SVCFLT STARTMS EXECS FORKS RESTART_MED RESTART_P90
echo
echo "1. a tree of $TREE_N services, idle, 2 s after every run started"
printf '   %-12s %10s %10s %12s %12s %12s\n' system sup_PSS_kB tree_PSS_MB scanner_PSS "faults/svc" "svc_faults"
for s in $SYSTEMS; do
  mktree "$W/$s/tree" "$TREE_N" "$W/$s/tree.mark"
  start_scanner "$s" "$W/$s/tree"
  "$PB" waitsize "$W/$s/tree.mark" "$TREE_N" 60000 >/dev/null || echo "perf: warning: $s: not every run started within 60 s" >&2
  sleep 2
  all=($SCANNER $(descendants "$SCANNER"))
  sups=(); svcs=()
  for p in "${all[@]}"; do
    c=$(cat "/proc/$p/comm" 2>/dev/null)
    [ "$c" = "$(sup_comm "$s")" ] && sups+=("$p")
    [ "$c" = sleep ] && svcs+=("$p")
  done
  ns=${#sups[@]}
  suppss=$(for p in "${sups[@]}"; do pss "$p"; done | sum)
  scanpss=$(pss "$SCANNER")
  SUPPSS[$s]=$(div "$suppss" "$ns" %.0f)
  TREEPSS[$s]=$(div $((suppss + scanpss)) 1000 %.1f)   # MB of 1000 kB, as issue 14 counts
  supflt=$( (field "$SCANNER" 10; for p in "${sups[@]}"; do field "$p" 10; done) | sum)
  svcflt=$(for p in "${svcs[@]}"; do field "$p" 10; done | sum)
  SUPFLT[$s]=$(div "$supflt" "$TREE_N" %.0f)
  SVCFLT[$s]=$(div "$svcflt" "${#svcs[@]}" %.0f)
  printf '   %-12s %10s %10s %12s %12s %12s   (%s supervisors, %s services)\n' "$s" "${SUPPSS[$s]}" "${TREEPSS[$s]}" \
    "$scanpss" "${SUPFLT[$s]}" "${SVCFLT[$s]}" "$ns" "${#svcs[@]}"
  cleanup_system
done
echo "   sup_PSS_kB: mean PSS of one supervisor; tree_PSS_MB: scanner + supervisors (1 MB = 1000 kB);"
echo "   faults/svc: minflt of scanner + supervisors / services; svc_faults: minflt of one service process"
echo "   (its supervisor's child before exec, sh, sleep)"

# ---- 2. execs and forks per started service ----
echo
echo "2. system calls per started service: $EXEC_N services under strace -f, until every run started"
printf '   %-12s %8s %8s\n' system execs forks
for s in $SYSTEMS; do
  mktree "$W/$s/ex" "$EXEC_N" "$W/$s/ex.mark"
  case $s in
    svkit*) cmd=("$(bindir "$s")/svscan") ;; s6) cmd=(s6-svscan) ;; runit) cmd=(runsvdir) ;; daemontools) cmd=(/usr/bin/svscan) ;;
  esac
  PATH=$PEERPATH strace -I1 -f -qq -e trace=execve,fork,vfork,clone,clone3 -o "$W/$s.strace" "${cmd[@]}" "$W/$s/ex" \
    </dev/null >/dev/null 2>>"$W/$s.err" &
  st=$!
  "$PB" waitsize "$W/$s/ex.mark" "$EXEC_N" 60000 >/dev/null || echo "perf: warning: $s: not every run started under strace" >&2
  sleep 1
  # -I1: strace takes TERM (by default it blocks it while it runs a
  # command), writes out what it buffered and detaches; the tree goes on
  kill -TERM "$st" 2>/dev/null; wait "$st" 2>/dev/null
  SCANNER=$(awk 'NR == 1 { print $1 }' "$W/$s.strace")
  # every execve is counted but the scanner's own; lookups that failed (a
  # shell searching PATH) are not
  # (strace pads a resumed call's result: ")        = 0")
  ex=$(grep -cE '(execve\(.*|execve resumed>.*)\) +=  *0$' "$W/$s.strace")
  fk=$(grep -cE '(clone3?|v?fork)(\(| resumed>).*\) +=  *[0-9]+$' "$W/$s.strace")
  EXECS[$s]=$(div $((ex - 1)) "$EXEC_N" %.2f)
  FORKS[$s]=$(div "$fk" "$EXEC_N" %.2f)
  printf '   %-12s %8s %8s\n' "$s" "${EXECS[$s]}" "${FORKS[$s]}"
  cleanup_system
done
echo "   (the run script itself is one exec: sh; its exec of sleep is a second, the same for all)"

# ---- 3. start-up of START_N services ----
echo
echo "3. $START_N services: ms from starting the scanner until every run started ($REPS rounds, interleaved)"
declare -A START
for s in $SYSTEMS floor; do START[$s]=""; mktree "$W/$s/tpl" "$START_N" "$W/$s/start.mark"; done
for r in $(seq 1 "$REPS"); do
  # floor: the same runs forked at once by one process, nothing supervising
  # them: what no supervisor can go below (sh and sleep are the same for all)
  rm -rf "$W/floor/start"; cp -r "$W/floor/tpl" "$W/floor/start"; : > "$W/floor/start.mark"
  sync
  t0=$("$PB" now)
  "$PB" spawnall "$W/floor/start" "$W/floor.pids" || echo "perf: warning: floor: spawnall failed" >&2
  if t1=$("$PB" waitsize "$W/floor/start.mark" "$START_N" 120000); then START[floor]+="$(( (t1 - t0) / 1000000 )) "
  else echo "perf: warning: floor: round $r: not every run started within 120 s" >&2; fi
  while read -r p; do kill -KILL "$p" 2>/dev/null; done < "$W/floor.pids"
  for s in $SYSTEMS; do
    rm -rf "$W/$s/start"; cp -r "$W/$s/tpl" "$W/$s/start"; : > "$W/$s/start.mark"
    sync
    t0=$("$PB" now)
    start_scanner "$s" "$W/$s/start"
    if t1=$("$PB" waitsize "$W/$s/start.mark" "$START_N" 120000); then
      START[$s]+="$(( (t1 - t0) / 1000000 )) "
    else
      echo "perf: warning: $s: round $r: not every run started within 120 s" >&2
    fi
    cleanup_system
  done
done
printf '   %-12s %8s %8s %8s %8s\n' system median min max "rounds:"
for s in $SYSTEMS floor; do
  STARTMS[$s]=$(echo ${START[$s]} | tr ' ' '\n' | grep . | median)
  printf '   %-12s %8s %8s %8s   %s\n' "$s" "${STARTMS[$s]}" "$(echo ${START[$s]} | tr ' ' '\n' | grep . | sort -n | head -1)" \
    "$(echo ${START[$s]} | tr ' ' '\n' | grep . | sort -n | tail -1)" "${START[$s]}"
done

# ---- 4. restart by command ----
echo
echo "4. control command -> new instance running (ms; $RESTARTS each, interleaved, up > 1.2 s before each)"
declare -A RDIR RS
for s in $SYSTEMS; do
  d=$W/$s/one
  mkdir -p "$d"; cp "$PB" "$d/run"
  # s6-supervise restarts at once only a service that has been *ready* for
  # 1 s; without readiness it waits 1 s: s6's run notifies (as in core.sh)
  [ "$s" = s6 ] && echo 3 > "$d/notification-fd"
  RDIR[$s]=$d; RS[$s]=""
  case $s in
    svkit*) "$(bindir "$s")/supervise" "$d" ;;
    s6) s6-supervise "$d" ;;
    runit) runsv "$d" ;;
    daemontools) /usr/bin/supervise "$d" ;;
  esac </dev/null >/dev/null 2>>"$W/$s.err" &
  SUPS+=($!)
done
for s in $SYSTEMS; do
  for _ in $(seq 1 100); do [ -s "${RDIR[$s]}/stamp" ] && break; sleep 0.05; done
  [ -s "${RDIR[$s]}/stamp" ] || die "$s: the service did not start ($(cat "$W/$s.err"))"
done
sleep 1.3
for i in $(seq 1 "$RESTARTS"); do
  for s in $SYSTEMS; do
    d=${RDIR[$s]}
    case $s in
      svkit*) cmd=("$(bindir "$s")/svc" -r "$d") ;;
      s6) cmd=(s6-svc -r "$d") ;;
      runit) cmd=(sv term "$d") ;;
      daemontools) cmd=(/usr/bin/svc -t "$d") ;;
    esac
    if ns=$(PATH=$PEERPATH "$PB" restart "$d/stamp" 5000 "${cmd[@]}"); then RS[$s]+="$((ns / 1000)) "
    else echo "perf: warning: $s: restart $i: no new run within 5 s" >&2; fi
  done
  sleep 1.3
done
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.2f\n", u / 1000 }'; }
printf '   %-12s %-24s %8s %8s\n' system command median p90
for s in $SYSTEMS; do
  case $s in svkit*) c="svc -r" ;; s6) c="s6-svc -r" ;; runit) c="sv term" ;; daemontools) c="svc -t" ;; esac
  RESTART_MED[$s]=$(ms "$(echo ${RS[$s]} | tr ' ' '\n' | grep . | median)")
  RESTART_P90[$s]=$(ms "$(echo ${RS[$s]} | tr ' ' '\n' | grep . | p90)")
  printf '   %-12s %-24s %8s %8s\n' "$s" "$c" "${RESTART_MED[$s]}" "${RESTART_P90[$s]}"
done
for p in "${SUPS[@]}"; do TREE+=($(descendants "$p") "$p"); kill -TERM "$p" 2>/dev/null; done
SUPS=()

# ---- 5. svlog ----
echo
echo "5. svlog: bench/svlog.sh, ${BENCH_MB} MB of 100-byte lines, rotating (1 MB, 10 archives), on disk, median of 3"
BENCH_FS=disk BENCH_MB=$BENCH_MB BENCH_LINES=10 BENCH_REPS=3 bash "$top/bench/svlog.sh" "$B" > "$W/svlog.out" 2>&1 ||
  echo "perf: warning: bench/svlog.sh failed: $(tail -n 3 "$W/svlog.out")" >&2
awk '/^## .*100-byte lines, no stamps/ { on = 1; print "  " $0; next } /^## / { on = 0 } on && NF' "$W/svlog.out" | sed 's/^/   /'
LOGMS=$(awk '/^## .*100-byte lines, no stamps/ { on = 1; next } /^## / { on = 0 } on && $1 == "svlog" { print $2 }' "$W/svlog.out")
S6LOGMS=$(awk '/^## .*100-byte lines, no stamps/ { on = 1; next } /^## / { on = 0 } on && $1 == "s6-log" { print $2 }' "$W/svlog.out")
CATMS=$(awk '/^## .*100-byte lines, no stamps/ { on = 1; next } /^## / { on = 0 } on && $1 == "cat" { print $2 }' "$W/svlog.out")
SYNCMS=$(awk '/^## .*100-byte lines, no stamps/ { on = 1; next } /^## / { on = 0 } on && $1 == "cat+fsync" { print $2 }' "$W/svlog.out")

# ---- summary ----
echo
echo "Summary (goals from issue 14)"
pick() { local -n a=$1; echo "${a[$2]:--}"; }
printf '| %-46s |' figure; for s in $SYSTEMS; do printf ' %-11s |' "$s"; done; printf ' %-22s |\n' goal
printf '|%s|' "$(printf -- '-%.0s' $(seq 1 48))"; for s in $SYSTEMS; do printf '%s|' "$(printf -- '-%.0s' $(seq 1 13))"; done; printf '%s|\n' "$(printf -- '-%.0s' $(seq 1 24))"
row() { # TITLE ARRAY GOAL [FORMATTER]
  local t=$1 a=$2 g=$3 s
  printf '| %-46s |' "$t"; for s in $SYSTEMS; do printf ' %-11s |' "$(pick "$a" "$s")"; done; printf ' %-22s |\n' "$g"
}
row "PSS per supervise, $TREE_N-service tree (kB)" SUPPSS "<= 80"
row "whole $TREE_N-service tree PSS (MB)" TREEPSS "<= 8"
row "page faults per started service (supervision)" SUPFLT "fewer"
row "execs per started service (with run's 2)" EXECS "fewer"
row "$START_N services, every run started (ms)" STARTMS "<= 0.7 x s6"
declare -A STARTR
for s in $SYSTEMS; do STARTR[$s]="$(ratio "${STARTMS[$s]}" "${STARTMS[s6]}") / $(ratio "${STARTMS[$s]}" "${STARTMS[daemontools]}")"; done
row "  ratio to s6 / to daemontools" STARTR "<= 0.7 / -"
printf '| %-46s |' "  floor: the runs alone, no supervisor (ms)"; printf ' %-11s |' "${STARTMS[floor]:--}"
printf ' %s\n' "= $(ratio "${STARTMS[floor]:--}" "${STARTMS[s6]:--}") x s6: below it no supervisor can go"
row "command -> new instance running (ms, median)" RESTART_MED "<= runit"
declare -A RR
for s in $SYSTEMS; do RR[$s]=$(ratio "${RESTART_MED[$s]}" "${RESTART_MED[runit]}"); done
row "  ratio to runit" RR "<= 1"
echo
printf 'svlog, %s MB rotating on disk: svlog %s ms, s6-log %s ms, cat %s ms: s6-log/svlog %s (goal >= 3), svlog/cat %s (goal <= 2)\n' \
  "$BENCH_MB" "${LOGMS:--}" "${S6LOGMS:--}" "${CATMS:--}" "$(ratio "${S6LOGMS:--}" "${LOGMS:--}")" "$(ratio "${LOGMS:--}" "${CATMS:--}")"
printf '  floor: cat+fsync %s ms = %s x cat (the bytes on the disk once); svlog/(cat+fsync) %s\n' \
  "${SYNCMS:--}" "$(ratio "${SYNCMS:--}" "${CATMS:--}")" "$(ratio "${LOGMS:--}" "${SYNCMS:--}")"
printf 'load at end %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
for s in $SYSTEMS; do [ -s "$W/$s.err" ] && { echo "$s stderr (first lines):"; head -n 5 "$W/$s.err" | sed 's/^/   /'; }; done
exit 0

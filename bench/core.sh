#!/usr/bin/env bash
# Core supervision, measured side by side in one run (issue 2, "Measured"):
# svkit's supervise vs s6-supervise (s6), runsv (runit) and daemontools'
# supervise (Debian's /usr/bin/supervise).
#
#   bench/core.sh [BUILD_DIR] [N]
#
# BUILD_DIR defaults to build (svkit's binaries in BUILD_DIR/bin); N (default
# 21, at least 20) is the number of samples per tool and measure.
#
#  1. memory: RSS, PSS and private (USS) kB from /proc/PID/smaps_rollup of one
#     idle supervisor whose service is `exec sleep 1000000`, once after start
#     and once more after all the restarts below.  svkit and s6 each run two
#     supervisors (plain, and with readiness notification: "ready"), so that
#     each binary's text is shared between two processes alike;
#  2. restart latency: a service that has been up > 2 s is killed with SIGKILL;
#     latency = from just before kill(2) to the first instruction of the next
#     `run` (run is a tiny compiled program that appends CLOCK_MONOTONIC ns and
#     its pid to ./stamp, then execs sleep).  Tools are interleaved, one kill
#     each per round, so drifts in machine load hit all of them alike;
#  3. control round trip: `svc -r -w r` (svkit) vs `s6-svc -r -wr` (s6), and
#     for reference `sv restart` (runit) and daemontools `svc -t` followed by
#     polling supervise/status (1 ms) for a new pid; and svkit's `svc -r` with
#     the same polling instead of -w, which separates supervise's share of the
#     round trip from svc's wait.  Each service has been up
#     > 1.2 s before each round trip, because s6-supervise and daemontools'
#     supervise hold back a start that follows the previous one by < 1 s.
#
# Prints median and p90 (nearest rank) and the ratio to s6.  Every wait is
# bounded; every process started is cleaned up by pid on exit.  Needs cc, s6,
# runit and daemontools (bench/install-peers installs them, as root).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
N=${2:-21}
[ "$N" -ge 1 ] 2>/dev/null || { echo "core: usage: bench/core.sh [BUILD_DIR] [N]" >&2; exit 100; }

die() { echo "core: fatal: $*" >&2; exit 111; }
for p in supervise svc; do
  [ -x "$B/bin/$p" ] || die "unable to find $B/bin/$p: run make"
done
S6SUP=$(command -v s6-supervise) || die "unable to find s6-supervise: run bench/install-peers as root"
S6SVC=$(command -v s6-svc) || die "unable to find s6-svc: run bench/install-peers as root"
RUNSV=$(command -v runsv) || die "unable to find runsv: run bench/install-peers as root"
SV=$(command -v sv) || die "unable to find sv (runit): run bench/install-peers as root"
DTSUP=/usr/bin/supervise DTSVC=/usr/bin/svc
[ -x $DTSUP ] && [ -x $DTSVC ] || die "unable to find $DTSUP (daemontools): run bench/install-peers as root"
CC=${CC:-cc}
command -v "$CC" >/dev/null || die "unable to find a C compiler ($CC)"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
W=$(mktemp -d /tmp/bench-core.XXXXXX) || die "unable to mktemp"
# a freshly built binary's page-cache pages are dirty until written back, and
# smaps counts them as Private_Dirty: write them back first for a fair USS
sync
TOOLS="svkit svkr s6 s6r runit daemontools"
declare -A SUP DIR
PIDS=()

# kills a service pid only if it still is one of ours (its cwd is a service dir of $W)
kill_service() {
  local p=$1 cwd
  cwd=$(readlink "/proc/$p/cwd" 2>/dev/null) || return 0
  case $cwd in "$W"/*) kill -KILL "$p" 2>/dev/null ;; esac
}
cleanup() {
  local p i t
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for i in $(seq 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null
  done
  # the services run in their own sessions: the last pid stamped by each run
  for t in $TOOLS; do
    [ -n "${DIR[$t]:-}" ] && [ -s "${DIR[$t]}/stamp" ] || continue
    while read -r _ p; do kill_service "$p"; done < "${DIR[$t]}/stamp"
  done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the helper: run stamp, kill stamp, timed commands, waits ----
cat > "$W/svb.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* last "NS PID" line of FILE and the number of lines; 0 if none */
static int last_stamp(char const *file, int64_t *ns, long *pid, long *lines)
{
  char buf[65536];
  int fd = open(file, O_RDONLY);
  ssize_t r;
  long n = 0;
  char *p, *last = 0;
  if (fd < 0) return 0;
  r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (p = buf; *p; ) {
    char *nl = strchr(p, '\n');
    if (!nl) break; /* a line being written */
    last = p, n++;
    p = nl + 1;
  }
  if (!last) return 0;
  if (sscanf(last, "%lld %ld", (long long *)ns, pid) != 2) return 0;
  *lines = n;
  return 1;
}

/* status pid of daemontools' supervise: bytes 12..15, little endian */
static long dt_pid(char const *dir)
{
  char path[4096];
  unsigned char s[18];
  int fd;
  snprintf(path, sizeof path, "%s/supervise/status", dir);
  fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  if (read(fd, s, sizeof s) != sizeof s) { close(fd); return -1; }
  close(fd);
  return (long)s[12] | (long)s[13] << 8 | (long)s[14] << 16 | (long)s[15] << 24;
}

/* pid= of svkit's key=value status */
static long kv_pid(char const *dir)
{
  char path[4096], buf[4096], *p;
  int fd;
  ssize_t r;
  snprintf(path, sizeof path, "%s/supervise/status", dir);
  fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return -1;
  buf[r] = 0;
  p = strncmp(buf, "pid=", 4) ? strstr(buf, "\npid=") : buf - 1;
  return p ? atol(p + 5) : -1;
}

static pid_t child;
static void on_alarm(int sig) { (void)sig; if (child > 0) kill(child, SIGKILL); }

/* runs argv, bounded by ms; returns its wait status or -1 */
static int run_bounded(char **argv, long ms)
{
  int ws;
  child = fork();
  if (child < 0) return -1;
  if (!child) {
    /* stdout is ours (the measure): the command's goes away */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execvp(argv[0], argv);
    _exit(127);
  }
  signal(SIGALRM, on_alarm);
  alarm((unsigned)((ms + 999) / 1000));
  while (waitpid(child, &ws, 0) < 0) if (errno != EINTR) return -1;
  alarm(0);
  return ws;
}

int main(int argc, char **argv)
{
  char const *base = strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  if (!strcmp(base, "run")) {
    /* the service: stamp, then become the idle service */
    char line[64];
    int64_t t = now_ns();
    int fd = open("stamp", O_WRONLY | O_APPEND | O_CREAT, 0644);
    int n = snprintf(line, sizeof line, "%lld %ld\n", (long long)t, (long)getpid());
    if (fd >= 0) { if (write(fd, line, (size_t)n) < 0) _exit(111); close(fd); }
    /* s6 readiness, only where the service dir asks for it */
    fd = open("notification-fd", O_RDONLY);
    if (fd >= 0) {
      char b[16] = "";
      ssize_t r = read(fd, b, sizeof b - 1);
      close(fd);
      if (r > 0) { int nfd = atoi(b); if (write(nfd, "\n", 1) < 0) _exit(111); close(nfd); }
    }
    execl("/bin/sleep", "sleep", "1000000", (char *)0);
    _exit(127);
  }
  if (argc >= 2 && !strcmp(argv[1], "now")) {
    printf("%lld\n", (long long)now_ns());
    return 0;
  }
  if (argc == 3 && !strcmp(argv[1], "kill")) {
    /* prints the time just before kill(2) */
    pid_t p = (pid_t)atol(argv[2]);
    int64_t t = now_ns();
    if (kill(p, SIGKILL) < 0) { perror("svb: kill"); return 111; }
    printf("%lld\n", (long long)t);
    return 0;
  }
  if (argc == 5 && !strcmp(argv[1], "waitstamp")) {
    /* svb waitstamp FILE MINLINES MS: until FILE has MINLINES lines; prints the last */
    long want = atol(argv[3]), ms = atol(argv[4]), pid, lines;
    int64_t ns, end = now_ns() + (int64_t)ms * 1000000;
    for (;;) {
      if (last_stamp(argv[2], &ns, &pid, &lines) && lines >= want) {
        printf("%lld %ld %ld\n", (long long)ns, pid, lines);
        return 0;
      }
      if (now_ns() > end) return 1;
      nap_us(500);
    }
  }
  if (argc >= 4 && !strcmp(argv[1], "time")) {
    /* svb time MS CMD...: prints microseconds; exit 1 if CMD failed or timed out */
    int64_t t0 = now_ns();
    int ws = run_bounded(argv + 3, atol(argv[2]));
    int64_t t1 = now_ns();
    printf("%lld\n", (long long)((t1 - t0) / 1000));
    return ws == 0 ? 0 : 1;
  }
  if (argc == 5 && (!strcmp(argv[1], "dtrestart") || !strcmp(argv[1], "kvrestart"))) {
    /* svb dtrestart SVC DIR MS: daemontools svc -t DIR, then polls for a new pid;
       svb kvrestart SVC DIR MS: svkit svc -r DIR (no -w), the same */
    int kv = argv[1][0] == 'k';
    char *cmd[] = { argv[2], kv ? "-r" : "-t", argv[3], 0 };
    long (*getpid_)(char const *) = kv ? kv_pid : dt_pid;
    long old = getpid_(argv[3]), p;
    int64_t t0 = now_ns(), end = t0 + atol(argv[4]) * 1000000LL;
    if (old <= 0) return 1;
    if (run_bounded(cmd, atol(argv[4])) != 0) return 1;
    for (;;) {
      p = getpid_(argv[3]);
      if (p > 0 && p != old) break;
      if (now_ns() > end) return 1;
      nap_us(1000);
    }
    printf("%lld\n", (long long)((now_ns() - t0) / 1000));
    return 0;
  }
  fprintf(stderr, "svb: usage: now | kill PID | waitstamp FILE N MS | time MS CMD... | dtrestart|kvrestart SVC DIR MS\n");
  return 100;
}
EOF
"$CC" -O2 -Wall -o "$W/svb" "$W/svb.c" || die "unable to compile the helper"
SVB=$W/svb

# ---- service dirs and supervisors ----
for t in $TOOLS; do
  d=$W/$t/svc
  mkdir -p "$d" || die "unable to mkdir $d"
  cp "$SVB" "$d/run"
  DIR[$t]=$d
done
# s6r: the same s6-supervise, with a service that notifies readiness
# (notification-fd 3): s6-supervise restarts a service at once only if it
# has been *ready* for more than 1 s, else it pauses 1 s before the respawn.
echo 3 > "${DIR[s6r]}/notification-fd"
# svkr: svkit's supervise with the same readiness service; with it two
# supervise processes run, as two s6-supervise do, so each binary's text is
# shared (and counted in PSS) alike
echo 3 > "${DIR[svkr]}/notification-fd"
# svkit: the service dir as runit/s6 would have it, with svkit's defaults
# (startsecs=1, backoff=1): no conf file.
"$B/bin/supervise" "${DIR[svkit]}" 2>"$W/svkit.log" & SUP[svkit]=$!
"$B/bin/supervise" "${DIR[svkr]}" 2>"$W/svkr.log" & SUP[svkr]=$!
"$S6SUP" "${DIR[s6]}" 2>"$W/s6.log" & SUP[s6]=$!
"$S6SUP" "${DIR[s6r]}" 2>"$W/s6r.log" & SUP[s6r]=$!
"$RUNSV" "${DIR[runit]}" 2>"$W/runit.log" & SUP[runit]=$!
"$DTSUP" "${DIR[daemontools]}" 2>"$W/daemontools.log" & SUP[daemontools]=$!
for t in $TOOLS; do PIDS+=("${SUP[$t]}"); done
for t in $TOOLS; do
  "$SVB" waitstamp "${DIR[$t]}/stamp" 1 5000 >/dev/null ||
    die "$t: the service did not start in 5 s ($(cat "$W/$t.log"))"
done

# ---- stats ----
# median and p90 (nearest rank) of the numbers given
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (!NR) { print "- -"; exit }
    m = int((NR + 1) / 2); p = int(NR * 0.9 + 0.999999); if (p > NR) p = NR
    print v[m], v[p] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3g\n", a / b }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.2f\n", u / 1000 }'; }

# ---- 1. memory ----
mem() { # PID -> "RSS PSS USS" in kB
  awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 }
       END { print r + 0, p + 0, u + 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo "- - -"
}
declare -A MEM0 MEM1
sleep 1 # idle: let every supervisor settle after its first start
for t in $TOOLS; do MEM0[$t]=$(mem "${SUP[$t]}"); done

# ---- 2. restart latency ----
declare -A LAT FAILS
for t in $TOOLS; do LAT[$t]=""; FAILS[$t]=0; done
MINAGE=2100 # ms the service has been up before it is killed
t_start=$(date +%s)
for i in $(seq "$N"); do
  for t in $TOOLS; do
    f=${DIR[$t]}/stamp
    read -r sns spid lines < <("$SVB" waitstamp "$f" 1 1000) || die "$t: no stamp"
    now=$("$SVB" now)
    age=$(( (now - sns) / 1000000 ))
    [ "$age" -lt "$MINAGE" ] && sleep "$(awk -v a=$((MINAGE - age)) 'BEGIN { printf "%.3f", a / 1000 }')"
    kt=$("$SVB" kill "$spid") || { FAILS[$t]=$((FAILS[$t] + 1)); continue; }
    if read -r nns npid _ < <("$SVB" waitstamp "$f" $((lines + 1)) 5000); then
      LAT[$t]+="$(( (nns - kt) / 1000 )) "
    else
      FAILS[$t]=$((FAILS[$t] + 1))
      echo "core: warning: $t: no restart within 5 s of kill $spid" >&2
    fi
  done
done
t_lat=$(( $(date +%s) - t_start ))

# ---- 3. control round trips ----
declare -A RT
for t in $TOOLS svkitpoll; do RT[$t]=""; done
MINAGE=1200
t_start=$(date +%s)
for i in $(seq "$N"); do
  for t in $TOOLS svkitpoll; do
    d=${DIR[${t%poll}]}
    read -r sns _ lines < <("$SVB" waitstamp "$d/stamp" 1 1000) || die "$t: no stamp"
    now=$("$SVB" now)
    age=$(( (now - sns) / 1000000 ))
    [ "$age" -lt "$MINAGE" ] && sleep "$(awk -v a=$((MINAGE - age)) 'BEGIN { printf "%.3f", a / 1000 }')"
    case $t in
      svkit|svkr) us=$("$SVB" time 6000 "$B/bin/svc" -r -w r -T 5000 "$d") ;;
      s6|s6r) us=$("$SVB" time 6000 "$S6SVC" -r -wr -T 5000 "$d") ;;
      runit) us=$("$SVB" time 6000 "$SV" -w 5 restart "$d") ;;
      daemontools) us=$("$SVB" dtrestart "$DTSVC" "$d" 5000) ;;
      svkitpoll) us=$("$SVB" kvrestart "$B/bin/svc" "$d" 5000) ;;
    esac
    ok=$?
    # the new run has stamped: the next round measures from a known start
    "$SVB" waitstamp "$d/stamp" $((lines + 1)) 5000 >/dev/null || ok=1
    if [ $ok = 0 ] && [ -n "$us" ]; then RT[$t]+="$us "; else FAILS[${t%poll}]=$((FAILS[${t%poll}] + 1)); echo "core: warning: $t: round trip $i failed" >&2; fi
  done
done
t_rt=$(( $(date +%s) - t_start ))
for t in $TOOLS; do MEM1[$t]=$(mem "${SUP[$t]}"); done

# ---- report ----
label() {
  case $1 in
    svkit) echo "svkit" ;; svkr) echo "svkit ready" ;; s6) echo "s6" ;; s6r) echo "s6 ready" ;;
    runit) echo "runit" ;; daemontools) echo "daemontools" ;; svkitpoll) echo "svkit" ;;
  esac
}
nums() { echo "$1" | tr ' ' '\n' | grep .; }
printf 'svkit core bench  %s  %s  (%s CPUs; load %s at start, %s at end)\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
  "$(uname -r)" "$(nproc)" "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'svkit %s (%s); s6 %s; runit %s; daemontools %s\n' \
  "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')" "$B/bin/supervise" \
  "$(dpkg-query -W -f '${Version}' s6 2>/dev/null || echo '?')" \
  "$(dpkg-query -W -f '${Version}' runit 2>/dev/null || echo '?')" \
  "$(dpkg-query -W -f '${Version}' daemontools 2>/dev/null || echo '?')"
echo "run = a compiled stamp-then-exec-sleep program, the same for all; svkit's service dir has no conf"
echo "(defaults: startsecs 1, backoff 1); \"s6 ready\" = s6-supervise with notification-fd 3, run notifies;"
echo "\"svkit ready\" = svkit's supervise on the same service."
echo
echo "1. memory of one idle supervisor (kB, /proc/PID/smaps_rollup; USS = Private_Clean+Private_Dirty)"
echo "   PSS splits shared pages among the processes mapping them: svkit and s6-supervise share libskarnet here,"
echo "   and two of each run (plain and ready), so each binary's own text is split alike."
printf '   %-12s %7s %7s %7s  %7s %7s %7s   %s\n' tool RSS PSS USS "RSS/s6" "PSS/s6" "USS/s6" "after the restarts: RSS PSS USS"
read -r s6r s6p s6u <<<"${MEM0[s6]}"
for t in $TOOLS; do
  read -r r p u <<<"${MEM0[$t]}"
  printf '   %-12s %7s %7s %7s  %7s %7s %7s   %s\n' "$(label $t)" "$r" "$p" "$u" "$(ratio "$r" "$s6r")" "$(ratio "$p" "$s6p")" "$(ratio "$u" "$s6u")" "${MEM1[$t]}"
done
echo
echo "2. restart latency: SIGKILL of a service up > 2 s -> next run executing"
echo "   (ms; $N kills each, tools interleaved; ${t_lat} s)"
printf '   %-12s %8s %8s %8s %8s  %9s %9s\n' tool median p90 min max "med/s6" "med/s6rdy"
read -r s6m _ < <(nums "${LAT[s6]}" | stats)
read -r s6rm _ < <(nums "${LAT[s6r]}" | stats)
for t in $TOOLS; do
  read -r m p < <(nums "${LAT[$t]}" | stats)
  read -r lo hi < <(nums "${LAT[$t]}" | sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { print (NR ? a : "-"), (NR ? b : "-") }')
  printf '   %-12s %8s %8s %8s %8s  %9s %9s\n' "$(label $t)" "$(ms "$m")" "$(ms "$p")" "$(ms "$lo")" "$(ms "$hi")" "$(ratio "$m" "$s6m")" "$(ratio "$m" "$s6rm")"
done
echo
echo "3. control round trip, command start -> command exit (ms; $N each, service up > 1.2 s before each; ${t_rt} s)"
printf '   %-12s %-32s %8s %8s  %9s %9s\n' tool command median p90 "med/s6" "med/s6rdy"
read -r s6m _ < <(nums "${RT[s6]}" | stats)
read -r s6rm _ < <(nums "${RT[s6r]}" | stats)
for t in $TOOLS svkitpoll; do
  case $t in
    svkit|svkr) c="build/bin/svc -r -w r" ;;
    svkitpoll) c="svc -r + poll status 1 ms (ref.)" ;;
    s6|s6r) c="s6-svc -r -wr" ;;
    runit) c="sv restart (reference)" ;;
    daemontools) c="svc -t + poll status 1 ms (ref.)" ;;
  esac
  read -r m p < <(nums "${RT[$t]}" | stats)
  printf '   %-12s %-32s %8s %8s  %9s %9s\n' "$(label $t)" "$c" "$(ms "$m")" "$(ms "$p")" "$(ratio "$m" "$s6m")" "$(ratio "$m" "$s6rm")"
done
echo
nf=0; for t in $TOOLS; do nf=$((nf + FAILS[$t])); done
echo "failures (kills or round trips with no new run within 5 s): $nf$(for t in $TOOLS; do [ "${FAILS[$t]}" = 0 ] || printf ' %s=%s' "$t" "${FAILS[$t]}"; done)"
for t in $TOOLS; do
  [ -s "$W/$t.log" ] && { echo "$t stderr:"; sed 's/^/   /' "$W/$t.log" | head -20; }
done
[ "$nf" = 0 ]

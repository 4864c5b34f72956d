#!/usr/bin/env bash
# bench/svscan.sh [BINDIR]: svkit's svscan side by side with s6-svscan,
# runsvdir, daemontools' svscan and supervisord, each running N (500)
# services whose run touches a file then sleeps.  Measures:
#   start   ms from starting the scanner until all N run scripts ran
#   idle    CPU ms and voluntary context switches (wakeups) of the scanner
#           and of one per-service supervisor over IDLE (30) s
#   memory  PSS summed over the whole tree (smaps_rollup), and without the
#           N sleep processes (the supervision alone)
# Everything is bounded; every process is cleaned up by pid.
# Env: N=500 IDLE=30 ONLY="svkit s6 ..." to pick systems.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$top/build/bin}" && pwd)
N=${N:-500}
IDLE=${IDLE:-30}
ONLY=${ONLY:-"svkit s6 runit daemontools supervisord"}
W=$(mktemp -d /tmp/svkit-bench.XXXXXX)
TREE=()   # every pid of the system under test, for cleanup
SCANNER=
# peers find their own helpers (daemontools' svscan runs "supervise" from
# PATH): a plain PATH without our build dir
PEERPATH=/usr/sbin:/usr/bin:/sbin:/bin
HZ=$(getconf CLK_TCK)

cleanup_system() {
  local p
  [ -n "$SCANNER" ] && TREE+=($(descendants "$SCANNER") "$SCANNER")
  [ -n "$SCANNER" ] && kill -TERM "$SCANNER" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SCANNER" 2>/dev/null || break; sleep 0.1; done
  for p in "${TREE[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  TREE=(); SCANNER=
}
trap 'cleanup_system; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

# descendants PID: every pid below PID
descendants() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { kids[$2] = kids[$2] " " $1 }
    END { q[1] = root; n = 1; for (i = 1; i <= n; i++) { m = split(kids[q[i]], k, " "); for (j = 1; j <= m; j++) { q[++n] = k[j]; print k[j] } } }'
}
# cpu_ms PID: utime + stime in ms
cpu_ms() { awk -v hz="$HZ" '{ sub(/.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$1/stat"; }
vcsw() { sed -n 's/^voluntary_ctxt_switches:[^0-9]*//p' "/proc/$1/status"; }
# pss_kb PIDS...: summed Pss
pss_kb() {
  local p s=0 v
  for p in "$@"; do
    v=$(sed -n 's/^Pss:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$p/smaps_rollup" 2>/dev/null)
    s=$((s + ${v:-0}))
  done
  echo "$s"
}

# mktree DIR MARK: N service dirs whose run touches MARK/NAME and sleeps
mktree() {
  local i
  mkdir -p "$1" "$2"
  for i in $(seq 1 "$N"); do
    mkdir "$1/s$i"
    printf '#!/bin/sh\ntouch %s/s%d\nexec sleep 100000\n' "$2" "$i" > "$1/s$i/run"
    chmod +x "$1/s$i/run"
  done
}

# one_supervisor PATTERN: a child of the scanner whose comm matches
one_supervisor() {
  ps -o pid=,comm= --ppid "$SCANNER" | awk -v pat="$1" '$2 ~ pat { print $1; exit }'
}

run_system() {
  local name=$1 sup_pat=$2 t0 t1 n dir=$W/$1 mark=$W/$1.mark start_ms c0 c1 v0 v1 sc0 sc1 sv0 sv1 sup all mem memsup
  shift 2
  mktree "$dir/sv" "$mark"
  if [ "$name" = supervisord ]; then
    { printf '[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\n' "$dir" "$dir"
      for i in $(seq 1 "$N"); do
        printf '[program:s%d]\ncommand=%s/sv/s%d/run\nautorestart=true\nstartsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n' "$i" "$dir" "$i"
      done; } > "$dir/supervisord.conf"
  fi
  t0=$(date +%s%N)
  case $name in
    svkit) "$bin/svscan" "$dir/sv" </dev/null >/dev/null 2>"$dir/err" & ;;
    s6) PATH=$PEERPATH s6-svscan "$dir/sv" </dev/null >/dev/null 2>"$dir/err" & ;;
    runit) PATH=$PEERPATH runsvdir "$dir/sv" </dev/null >/dev/null 2>"$dir/err" & ;;
    daemontools) PATH=$PEERPATH /usr/bin/svscan "$dir/sv" </dev/null >/dev/null 2>"$dir/err" & ;;
    supervisord) PATH=$PEERPATH supervisord -c "$dir/supervisord.conf" </dev/null >/dev/null 2>"$dir/err" & ;;
  esac
  SCANNER=$!
  n=0
  for _ in $(seq 1 12000); do   # 120 s at most
    n=$(ls "$mark" | wc -l)
    [ "$n" -ge "$N" ] && break
    sleep 0.01
  done
  t1=$(date +%s%N)
  start_ms=$(( (t1 - t0) / 1000000 ))
  [ "$n" -ge "$N" ] || start_ms="timeout($n/$N)"
  sleep 2   # let start-up work finish before the idle window
  sup=$(one_supervisor "$sup_pat")
  c0=$(cpu_ms "$SCANNER"); v0=$(vcsw "$SCANNER")
  [ -n "$sup" ] && { sc0=$(cpu_ms "$sup"); sv0=$(vcsw "$sup"); }
  sleep "$IDLE"
  c1=$(cpu_ms "$SCANNER"); v1=$(vcsw "$SCANNER")
  [ -n "$sup" ] && { sc1=$(cpu_ms "$sup"); sv1=$(vcsw "$sup"); }
  all=($SCANNER $(descendants "$SCANNER"))
  mem=$(pss_kb "${all[@]}")
  memsup=$(pss_kb $(for p in "${all[@]}"; do [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ] || echo "$p"; done))
  printf '%-12s %9s %9s %9s %9s %9s %10s %10s %6s\n' "$name" "$start_ms" "$((c1 - c0))" "$((v1 - v0))" \
    "${sup:+$((sc1 - sc0))}" "${sup:+$((sv1 - sv0))}" "$((mem / 1024))" "$((memsup / 1024))" "${#all[@]}"
  cleanup_system
}

echo "# $N services, idle window ${IDLE}s, $(nproc) CPUs, $(uname -r)"
printf '%-12s %9s %9s %9s %9s %9s %10s %10s %6s\n' system start_ms scan_cpu scan_wake sup_cpu sup_wake tree_MB sup_MB procs
for s in $ONLY; do
  case $s in
    svkit) run_system svkit '^supervise$' ;;
    s6) command -v s6-svscan >/dev/null && run_system s6 '^s6-supervise$' ;;
    runit) command -v runsvdir >/dev/null && run_system runit '^runsv$' ;;
    daemontools) [ -x /usr/bin/svscan ] && run_system daemontools '^supervise$' ;;
    supervisord) command -v supervisord >/dev/null && run_system supervisord '^$' ;;
  esac
done

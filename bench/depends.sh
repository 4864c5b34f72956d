#!/usr/bin/env bash
# bench/depends.sh [BINDIR]: start of N (100) services under svkit's svscan,
# chained by depends= (s1 depends on s0, s2 on s1, ...) against the same N
# without depends=.  ms from starting svscan until every service is RUNNING
# (svc -w U, inotify, no polling).  s6-svscan, runsvdir and daemontools have
# no depends=; s6-rc's dependency ordering is a separate compiled database,
# so the comparison here is svkit with and without the chain.
# Env: N=100 ROUNDS=3.  Every process is cleaned up by pid.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$top/build/bin}" && pwd)
N=${N:-100}
ROUNDS=${ROUNDS:-3}
W=$(mktemp -d /tmp/svkit-bench.XXXXXX)
SCAN=
cleanup() {
  [ -n "$SCAN" ] && kill -TERM "$SCAN" 2>/dev/null && for _ in $(seq 1 200); do kill -0 "$SCAN" 2>/dev/null || break; sleep 0.1; done
  [ -n "$SCAN" ] && kill -KILL "$SCAN" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

tree() { # chained 0|1
  rm -rf "$W/sv"; mkdir -p "$W/sv"
  for i in $(seq 0 $((N - 1))); do
    mkdir "$W/sv/s$i"
    printf '#!/bin/sh\nexec sleep 100000\n' > "$W/sv/s$i/run"; chmod +x "$W/sv/s$i/run"
    printf 'startsecs=0\n' > "$W/sv/s$i/conf"
    [ "$1" = 1 ] && [ "$i" -gt 0 ] && echo "depends=s$((i - 1))" >> "$W/sv/s$i/conf"
  done
}

run() { # chained 0|1: ms until all RUNNING
  local t0 t1 names=()
  tree "$1"
  for i in $(seq 0 $((N - 1))); do names+=("$W/sv/s$i"); done
  t0=$(date +%s%N)
  SVDIR=$W/sv "$bin/svscan" "$W/sv" 2>>"$W/err" & SCAN=$!
  SVDIR=$W/sv "$bin/svc" -w U -T 120000 "${names[@]}" >/dev/null 2>&1 || echo "timeout" >&2
  t1=$(date +%s%N)
  kill -TERM "$SCAN"; for _ in $(seq 1 300); do kill -0 "$SCAN" 2>/dev/null || break; sleep 0.1; done
  wait "$SCAN" 2>/dev/null; SCAN=
  echo $(((t1 - t0) / 1000000))
}

echo "# $N services, $ROUNDS rounds, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  a=$(run 0); b=$(run 1)
  echo "round $r: without depends ${a} ms, chained by depends ${b} ms, ratio $(awk "BEGIN{printf \"%.2f\", $b/$a}")"
done

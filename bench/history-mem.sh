#!/usr/bin/env bash
# bench/history-mem.sh BIN_DIR [BIN_DIR2] [N] [RESTARTS]: the memory of
# supervise once its events history is full.  N (10) supervises of idle
# services each get RESTARTS (50) `svc -r`, about 100 transitions, so each
# history holds its 100 lines; then the mean PSS and private kB of the
# supervises (/proc/PID/smaps_rollup).  With a second BIN_DIR (an older
# build), both are measured in the same run.
set -u
N=${3:-10}; R=${4:-50}
measure() {
  local BIN=$1 W P=() i k p tot=0 priv=0 lines
  W=$(mktemp -d /tmp/svkit-bench.XXXXXX)
  trap 'for p in "${P[@]}"; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$W"' RETURN
  up() { local _; for _ in $(seq 100); do grep -q '^state=RUNNING' "$W/s$1/supervise/status" 2>/dev/null && return; sleep 0.1; done; }
  for i in $(seq "$N"); do
    mkdir -p "$W/s$i"; printf '#!/bin/sh\nexec sleep 100000\n' > "$W/s$i/run"; chmod +x "$W/s$i/run"
    printf 'startsecs=0\n' > "$W/s$i/conf"
    "$BIN/supervise" "$W/s$i" 2>/dev/null & P+=($!)
  done
  for i in $(seq "$N"); do up "$i"; done
  for k in $(seq "$R"); do for i in $(seq "$N"); do "$BIN/svc" -r "$W/s$i"; done; done
  for i in $(seq "$N"); do "$BIN/svc" -w U -T 5000 "$W/s$i" 2>/dev/null; up "$i"; done
  lines=$(wc -l < "$W/s1/supervise/history" 2>/dev/null || echo 0)
  for p in "${P[@]}"; do
    tot=$((tot + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")))
    priv=$((priv + $(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$p/smaps_rollup")))
  done
  echo "$BIN: $N supervises, history $lines lines: PSS mean $((tot / N)) kB, private mean $((priv / N)) kB"
}
measure "$1"
[ -n "${2:-}" ] && measure "$2"

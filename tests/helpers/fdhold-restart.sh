#!/usr/bin/env bash
# Zero-downtime restarts through fdhold, measured.
#
#   tests/helpers/fdhold-restart.sh [BUILD_DIR] [RESTARTS]
#
# A client loop (fdhold_hammer) connects to 127.0.0.1 one connection after
# another while `svc -r -w r` restarts the service RESTARTS times (default
# 20), twice:
#   fdhold  run = exec fdhold listen SOCK web tcp:127.0.0.1:PORT fdhold_echo
#   plain   run = exec fdhold_echo -b tcp:127.0.0.1:PORT (binds its own socket)
# and prints one line per setup:
#   fdhold: ok N refused N reset N timeout N other N servers N
# servers counts the distinct server pids that answered in a row (RESTARTS+1
# when every restart served connections).  The target for fdhold is
# refused 0 reset 0.  Every wait is bounded; every process is cleaned up by pid.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
N=${2:-20}
for p in fdhold supervise svc; do
  [ -x "$B/bin/$p" ] || { echo "fdhold-restart: fatal: unable to find $B/bin/$p: run make" >&2; exit 111; }
done
for p in fdhold_echo fdhold_hammer await; do
  [ -x "$B/tests/$p" ] || { echo "fdhold-restart: fatal: unable to find $B/tests/$p: run make tests" >&2; exit 111; }
done
export PATH="$B/bin:$B/tests:$PATH"

W=$(mktemp -d /tmp/fdhold-restart.XXXXXX)
PIDS=()
cleanup() {
  local p i
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

freeport() {
  local p i
  for i in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    grep -qi ":$(printf %04X $p) " /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo $p; return 0; }
  done
  return 1
}

fdhold daemon "$W/fdhold.sock" 2>"$W/fdhold.log" &
PIDS+=($!)
await file "$W/fdhold.log" "listening on" 5000 || { echo "fdhold-restart: fatal: unable to start fdhold daemon" >&2; exit 111; }

# probe DIR PORT: until the service's current pid answers a connection (5 s)
probe() {
  local pid line i
  pid=$(sed -n 's/^pid=//p' "$1/supervise/status")
  for i in $(seq 100); do
    line=$( (exec 3<>"/dev/tcp/127.0.0.1/$2" && echo probe >&3 && IFS= read -r -t 5 l <&3 && echo "$l") 2>/dev/null)
    [ "${line%% *}" = "$pid" ] && return 0
    [ -n "$line" ] || sleep 0.05 # refused: the plain server is rebinding
  done
  return 1
}

# measure NAME RUNLINE PORT: supervise a service whose run is RUNLINE, hammer
# it while restarting it N times, print the hammer's counts
measure() {
  local name=$1 runline=$2 port=$3 d=$W/$1 sup ham i
  mkdir -p "$d"
  printf '#!/bin/sh\n%s\n' "$runline" >"$d/run"
  chmod +x "$d/run"
  supervise "$d" 2>"$W/$name.err" &
  sup=$!
  PIDS+=("$sup")
  await status "$d" state=RUNNING 5000 || { echo "$name: service did not start" >&2; return 1; }
  # the first connection must succeed before restarts count
  for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  fdhold_hammer -t 120 -n 10000000 -s "$W/$name.stop" 127.0.0.1 "$port" >"$W/$name.out" &
  ham=$!
  PIDS+=("$ham")
  for i in $(seq "$N"); do
    svc -r -w r -T 10000 "$d" || echo "$name: restart $i: svc -r -w r failed" >&2
    # pace the restarts on an event: the new instance has answered a probe
    probe "$d" "$port" || echo "$name: restart $i: new instance never answered" >&2
  done
  : >"$W/$name.stop"
  await pid "$ham" 10000
  wait "$ham"
  svc -d -w d -T 10000 "$d" >/dev/null 2>&1
  svc -x "$d" >/dev/null 2>&1
  await pid "$sup" 5000
  echo "$name: $(cat "$W/$name.out")"
}

P1=$(freeport)
measure fdhold "exec fdhold listen $W/fdhold.sock web tcp:127.0.0.1:$P1 fdhold_echo" "$P1"
P2=$(freeport)
measure plain "exec fdhold_echo -b tcp:127.0.0.1:$P2" "$P2"

#!/usr/bin/env bash
# bench/schedule-mem.sh [BINDIR]: the extra memory of a scheduled job's idle
# supervise (schedule=@hourly, nothing running) against a plain supervise of
# a down service (same binary, `down` file), and, side by side, s6-supervise
# and runsv on a down service.  Private (Private_Clean + Private_Dirty) and
# Pss from /proc/PID/smaps_rollup, kB, after `sync` (HACKING: fresh binaries'
# pages count as dirty until written back).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$top/build/bin}" && pwd)
W=$(mktemp -d /tmp/svkit-bench.XXXXXX)
P=()
trap 'for p in "${P[@]}"; do kill -TERM "$p" 2>/dev/null; done; sleep 0.3; for p in "${P[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$W"' EXIT
mk() { mkdir -p "$W/$1"; printf '#!/bin/sh\nexec sleep 1000\n' > "$W/$1/run"; chmod +x "$W/$1/run"; }
mem() { awk '/^Pss:/{pss=$2} /^Private_(Clean|Dirty):/{priv+=$2} END{printf "%d %d", priv, pss}' "/proc/$1/smaps_rollup"; }
sync
mk plain; touch "$W/plain/down"
mk job; printf 'schedule=@hourly\n' > "$W/job/conf"
mk dep; printf 'depends=plain\n' > "$W/dep/conf"
"$bin/supervise" "$W/plain" 2>/dev/null & P+=($!)
"$bin/supervise" "$W/job" 2>/dev/null & P+=($!)
"$bin/supervise" "$W/dep" 2>/dev/null & P+=($!)
S6=; RUNSV=
if command -v s6-supervise >/dev/null; then mk s6; touch "$W/s6/down"; (cd "$W/s6" && exec s6-supervise .) 2>/dev/null & P+=($!); S6=$!; fi
if command -v runsv >/dev/null; then mk runit; touch "$W/runit/down"; runsv "$W/runit" 2>/dev/null & P+=($!); RUNSV=$!; fi
for d in plain job dep; do for _ in $(seq 100); do [ -f "$W/$d/supervise/status" ] && break; sleep 0.05; done; done
sleep 1
read -r pp ps <<<"$(mem "${P[0]}")"; read -r jp js <<<"$(mem "${P[1]}")"; read -r dp ds <<<"$(mem "${P[2]}")"
echo "# kB: private pss (nproc $(nproc), load $(cut -d' ' -f1 /proc/loadavg))"
echo "svkit supervise, down service:        $pp $ps"
echo "svkit supervise, idle scheduled job:  $jp $js   (extra private $((jp - pp)) kB)"
echo "svkit supervise, waiting on depends=: $dp $ds   (extra private $((dp - pp)) kB)"
[ -n "$S6" ] && { read -r a b <<<"$(mem "$S6")"; echo "s6-supervise, down service:           $a $b"; }
[ -n "$RUNSV" ] && { read -r a b <<<"$(mem "$RUNSV")"; echo "runsv, down service:                  $a $b"; }

#!/usr/bin/env bash
# svlog against s6-log, svlogd (runit), multilog (daemontools) and `cat > file`,
# side by side: same input through a pipe, same rotation (1 MB, 10 archives),
# TAI64N stamps where the tool has them (and once without stamps).
# Each measurement is the median of BENCH_REPS runs (default 3), on the disk
# ($TMPDIR or /tmp) and on a tmpfs (/dev/shm): every logger but cat fsyncs at
# each rotation, and on a disk that is what the time goes to.  So a second
# floor, cat+fsync: cat, then one fsync of its file (coreutils `sync FILE`):
# the bytes on the disk once, the least a logger that syncs can cost.  With
# stamps, a third limit, cat-out: cat of as many bytes as the stamped output.
# Usage: bench/svlog.sh [BUILD_DIR]    (BENCH_MB, BENCH_LINES, BENCH_REPS, BENCH_FS)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
SVLOG=$B/bin/svlog
[ -x "$SVLOG" ] || { echo "bench/svlog.sh: fatal: no $SVLOG (run make)" >&2; exit 111; }
for t in s6-log svlogd multilog; do
  command -v $t >/dev/null || { echo "bench/svlog.sh: fatal: $t not on PATH (bench/install-peers)" >&2; exit 111; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/svlog-bench.XXXXXX")
S=$(mktemp -d /dev/shm/svlog-bench.XXXXXX)
trap 'rm -rf "$W" "$S"' EXIT
REPS=${BENCH_REPS:-3}
MB=${BENCH_MB:-200}
LINES=${BENCH_LINES:-2000000}

echo "# generating inputs in $W"
awk -v mb="$MB" 'BEGIN { pad = sprintf("%80s", ""); gsub(/ /, "x", pad);
  n = int(mb * 1048576 / 100); for (i = 1; i <= n; i++) printf "%010d %s level=info msg=ok\n", i, substr(pad, 1, 68) }' > "$W/long.in"
awk -v n="$LINES" 'BEGIN { for (i = 1; i <= n; i++) printf "line %d\n", i }' > "$W/short.in"
# the same lines stamped, as a second limit: cat of as many bytes as a
# stamping logger writes (stamps make short lines three times longer)
for f in long short; do "$SVLOG" -s 0 -t "$W/$f.t" < "$W/$f.in" && mv "$W/$f.t/current" "$W/$f.t.in" && rm -rf "$W/$f.t"; done

now() { date +%s%N; }

# run TOOL STAMP INPUT: prints the wall time in ms; output in $O/out
run1() {
  local tool=$1 stamp=$2 in=$3 t0 t1 d=$O/out
  rm -rf "$d"; mkdir -p "$d"
  t0=$(now)
  case $tool in
    cat) cat "$in" | cat > "$d/current" ;;
    cat+fsync) cat "$in" | cat > "$d/current" && sync "$d/current" ;;
    svlog) cat "$in" | "$SVLOG" -s 1000000 -n 10 ${stamp:+-t} "$d" ;;
    s6-log) cat "$in" | s6-log -b n10 s1000000 ${stamp:+t} "$d" ;;
    svlogd) printf 's1000000\nn10\n' > "$d/config"; cat "$in" | svlogd ${stamp:+-t} "$d" ;;
    multilog) cat "$in" | multilog ${stamp:+t} s1000000 n10 "$d" ;;
  esac
  t1=$(now)
  echo $(((t1 - t0) / 1000000))
}
run() { # the median of REPS runs
  local i
  for ((i = 0; i < REPS; i++)); do run1 "$@"; done | sort -n | sed -n "$(((REPS + 1) / 2))p"
}

# verify TOOL STAMP INPUT: the kept lines are the input's last lines, whole and in order
verify() {
  local d=$O/out kept n
  kept=$W/kept
  if [ "$1" = cat ] || [ "$1" = cat+fsync ]; then cat "$d/current" > "$kept"; else cat "$d"/@*.[su] "$d/current" > "$kept" 2>/dev/null; fi
  if [ -n "$2" ] && [ "$1" != cat ]; then cut -d' ' -f2- "$kept" > "$kept.2" && mv "$kept.2" "$kept"; fi
  n=$(wc -l < "$kept")
  if tail -n "$n" "$3" | cmp -s - "$kept"; then echo "$n ok"; else echo "$n MISMATCH"; fi
}

bench() { # NAME INPUT STAMP
  local name=$1 in=$2 stamp=$3 tool ms ref_cat ref_svlog
  declare -A T V
  local tools="cat cat+fsync svlog s6-log svlogd multilog"
  [ -n "$stamp" ] && tools="cat cat-out svlog s6-log svlogd multilog"
  for tool in $tools; do
    [ "$tool" = cat ] && [ -n "$stamp" ] && { T[cat]=${CAT_MS[$name]}; V[cat]="(plain)"; continue; }
    [ "$tool" = cat-out ] && { T[$tool]=$(run cat "" "${in%.in}.t.in"); V[$tool]="(as many bytes as the stamped output)"; continue; }
    ms=$(run "$tool" "$stamp" "$in")
    T[$tool]=$ms
    V[$tool]=$(verify "$tool" "$stamp" "$in")
  done
  [ -z "$stamp" ] && CAT_MS[$name]=${T[cat]}
  rm -rf "$O/out"
  ref_cat=${T[cat]}; ref_svlog=${T[svlog]}
  [ "$ref_cat" -gt 0 ] || ref_cat=1
  [ "$ref_svlog" -gt 0 ] || ref_svlog=1
  local what="no stamps"
  [ -n "$stamp" ] && what="TAI64N stamps (x_cat: against cat of the unstamped input)"
  printf '\n## %s, %s, on %s\n' "$name" "$what" "$FSNAME"
  printf '%-10s %9s %8s %9s   %s\n' tool wall_ms x_cat x_svlog "kept lines (tail of input)"
  for tool in $tools; do
    printf '%-10s %9d %8s %9s   %s\n' "$tool" "${T[$tool]}" \
      "$(awk -v a="${T[$tool]}" -v b="$ref_cat" 'BEGIN { printf "%.2f", a / b }')" \
      "$(awk -v a="${T[$tool]}" -v b="$ref_svlog" 'BEGIN { printf "%.2f", a / b }')" "${V[$tool]}"
  done
}

echo "# $(wc -c < "$W/long.in") bytes in $(wc -l < "$W/long.in") lines; $(wc -l < "$W/short.in") short lines"
echo "# rotation 1 MB, 10 archives; median of $REPS runs; $(nproc) cpus"
for fs in ${BENCH_FS:-disk tmpfs}; do
  declare -A CAT_MS=()
  case $fs in
    disk) O=$W FSNAME="$(df -P "$W" | awk 'NR==2 { print $1 }') ($(stat -f -c %T "$W"))" ;;
    tmpfs) O=$S FSNAME="tmpfs" ;;
  esac
  bench "${MB} MB of 100-byte lines" "$W/long.in" ""
  bench "${MB} MB of 100-byte lines" "$W/long.in" t
  bench "$LINES short lines" "$W/short.in" ""
  bench "$LINES short lines" "$W/short.in" t
done

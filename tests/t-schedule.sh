# schedule= (SPEC §10): a job is not started at boot but as with svc -o at
# each matching local time; a run still going at the next time is skipped
# and counted; persistent= makes a missed run at start-up; next= and
# `next run in` tell when.  Minutes pass 30 times faster under faketime.
. "$(dirname "$0")/lib.sh"

# job: appends a line per run
mksv job 'echo run >> '"$T"'/job.runs'
printf 'schedule=@hourly\nstartsecs=0\n' > "$SVDIR/job/conf"
supervise_bg "$SVDIR/job"
check "job: supervised" await_supervised "$SVDIR/job"
expect_eq "job: not started at boot" "$(statusval "$SVDIR/job" state):$(statusval "$SVDIR/job" want):$(statusval "$SVDIR/job" starts)" "STOPPED:down:0"
now=$(cut -d' ' -f1 /proc/uptime); next=$(statusval "$SVDIR/job" next)
check "job: next= within the hour (boot clock)" awk "BEGIN{exit !($next > $now && $next <= $now + 3601)}"
expect_match "job: svstat says when" "$(svstat_line job)" '^job STOPPED Not started, next run in ([0-9]+m[0-9]+s|[0-9]+s|1h0m)$'
svstat job >/dev/null; expect_eq "job: svstat exits 0 (wanted down)" $? 0

# (under ASan, libfaketime preloads ahead of the ASan runtime: allowed explicitly)
if command -v faketime >/dev/null; then
  # every minute, 30x faster: a run every 2 s
  mksv fast 'echo run >> '"$T"'/fast.runs'
  printf 'schedule=* * * * *\nstartsecs=0\n' > "$SVDIR/fast/conf"
  bg env ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" faketime -f '+0 x30' "$SVDYN/supervise" "$SVDIR/fast" 2>>"$T/fast.err"
  check "scheduled runs happen" await_file "$T/fast.runs" "run" 8000
  check "a scheduled run ends EXITED" await_status "$SVDIR/fast" state=EXITED 8000
  # a run still going at the next time: skipped and counted
  mksv slow 'echo run >> '"$T"'/slow.runs; exec sleep 1000'
  printf 'schedule=* * * * *\nstartsecs=0\nstopwaitsecs=1\n' > "$SVDIR/slow/conf"
  bg env ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" faketime -f '+0 x30' "$SVDYN/supervise" "$SVDIR/slow" 2>>"$T/slow.err"
  check "overlap: first run starts" await_status "$SVDIR/slow" state=RUNNING 8000
  check "overlap: the next time is skipped" await_status "$SVDIR/slow" skipped=1 8000
  expect_eq "overlap: one run only" "$(wc -l < "$T/slow.runs" | tr -d ' ')" 1
  check "overlap: warning" grep -q 'previous run still running at the scheduled time: run skipped' "$T/slow.err"
  # the wall clock stepped 5 h forward across 300 scheduled times: one run,
  # then one a minute again, never a storm (libfaketime reads the offset
  # from a file on each call)
  lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n1)
  if [ -n "$lib" ]; then
    echo "+0 x30" > "$T/ft"
    mksv step 'date +%s >> '"$T"'/step.runs'
    printf 'schedule=* * * * *\nstartsecs=0\n' > "$SVDIR/step/conf"
    bg env LD_PRELOAD="$lib" FAKETIME_TIMESTAMP_FILE="$T/ft" FAKETIME_NO_CACHE=1 \
      ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$SVDYN/supervise" "$SVDIR/step" 2>>"$T/step.err"
    if await_file "$T/step.runs" "" 8000; then
      first=$(head -n1 "$T/step.runs")
      echo "+5h x30" > "$T/ft"
      after() { awk -v t=$((first + 17000)) '$1 >= t' "$T/step.runs"; }
      for i in $(seq 1 100); do [ "$(after | wc -l)" -ge 2 ] && break; sleep 0.1; done
      expect_eq "clock stepped forward: runs after the step" "$(after | wc -l | tr -d ' ')" 2
      a=$(after | sed -n 1p); b=$(after | sed -n 2p)
      check "clock stepped forward: one run, the next a minute later (no storm)" test $((b - a)) -ge 55
    else fail "clock step: first run"; fi
    # stepped 5 h back: the times already passed are not run again, none is
    # made up for the hours that now lie ahead twice; one a minute again
    echo "+0 x30" > "$T/ftb"
    mksv stepb 'date +%s >> '"$T"'/stepb.runs'
    printf 'schedule=* * * * *\nstartsecs=0\n' > "$SVDIR/stepb/conf"
    bg env LD_PRELOAD="$lib" FAKETIME_TIMESTAMP_FILE="$T/ftb" FAKETIME_NO_CACHE=1 \
      ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$SVDYN/supervise" "$SVDIR/stepb" 2>>"$T/stepb.err"
    if await_file "$T/stepb.runs" "" 8000; then
      first=$(head -n1 "$T/stepb.runs")
      echo "-5h x30" > "$T/ftb"
      before() { awk -v t=$((first - 17000)) '$1 <= t' "$T/stepb.runs"; }
      for i in $(seq 1 100); do [ "$(before | wc -l)" -ge 2 ] && break; sleep 0.1; done
      expect_eq "clock stepped back: runs after the step" "$(before | wc -l | tr -d ' ')" 2
      a=$(before | sed -n 1p); b=$(before | sed -n 2p)
      check "clock stepped back: one a minute, no storm" test $((b - a)) -ge 55
      expect_eq "clock stepped back: no run at the old times" "$(awk -v t=$((first - 17000)) '$1 > t' "$T/stepb.runs" | wc -l | tr -d ' ')" 1
    else fail "clock step back: first run"; fi
  fi
fi

# persistent=true: a time missed since the last run is made once at start-up
mksv pers 'echo run >> '"$T"'/pers.runs'
printf 'schedule=@hourly\npersistent=true\nstartsecs=0\n' > "$SVDIR/pers/conf"
mkdir -p "$SVDIR/pers/supervise"
echo $(( $(date +%s) - 3 * 3600 )) > "$SVDIR/pers/supervise/lastrun"
supervise_bg "$SVDIR/pers"
check "persistent: the missed run is made at start-up" await_status "$SVDIR/pers" state=EXITED
expect_eq "persistent: once" "$(wc -l < "$T/pers.runs" | tr -d ' ')" 1
check "persistent: lastrun updated" test "$(cat "$SVDIR/pers/supervise/lastrun")" -ge $(( $(date +%s) - 60 ))
# nothing missed: no run at start-up
mksv pers2 'echo run >> '"$T"'/pers2.runs'
printf 'schedule=0 0 1 1 *\npersistent=true\nstartsecs=0\n' > "$SVDIR/pers2/conf"
mkdir -p "$SVDIR/pers2/supervise"; date +%s > "$SVDIR/pers2/supervise/lastrun"
supervise_bg "$SVDIR/pers2"
check "persistent, nothing missed: supervised" await_supervised "$SVDIR/pers2"
expect_eq "persistent, nothing missed: not run" "$(statusval "$SVDIR/pers2" state):$(statusval "$SVDIR/pers2" starts)" "STOPPED:0"

# bad cron expressions: configuration errors naming the field
badsched() {
  mksv "$1" 'exit 0'
  printf 'schedule=%s\n' "$2" > "$SVDIR/$1/conf"
  supervise_bg "$SVDIR/$1"
  if await_status "$SVDIR/$1" state=FATAL; then
    expect_eq "$1: reason" "$(statusval "$SVDIR/$1" reason)" "conf line 1: $3 for schedule: $2"
  else fail "$1: not FATAL"; fi
}
badsched badmin '61 * * * *' 'bad minute field: 61'
badsched badhour '0 25 * * *' 'bad hour field: 25'
badsched baddow '0 0 * * funday' 'bad day-of-week field: funday'
badsched short '0 0 * *' 'missing day-of-week field'
badsched macro '@fortnightly' 'unknown macro: @fortnightly'

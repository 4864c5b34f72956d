# startretries as supervisord means it: N retries after a failed first start
# (N+1 attempts), then FATAL; unset or `infinite` never gives up.
. "$(dirname "$0")/lib.sh"

# crasher NAME CONF: a service that appends a line per run and exits 3 at once
crasher() {
  mksv "$1" 'echo start >> '"$T"'/'"$1"'.starts; exit 3'
  printf 'startsecs=1\nbackoff=100ms\nbackoffmax=100ms\n%s\n' "$2" > "$SVDIR/$1/conf"
  supervise_bg "$SVDIR/$1"
}

crasher r0 'startretries=0'
crasher r2 'startretries=2'
crasher rinf 'startretries=infinite'
crasher runset ''

check "startretries=0 ends FATAL" await_status "$SVDIR/r0" state=FATAL 10000
expect_eq "startretries=0: exactly one attempt" "$(starts r0)" 1
expect_match "startretries=0 reason" "$(statusval "$SVDIR/r0" reason)" '^Exited too quickly: 1 starts in '

check "startretries=2 ends FATAL" await_status "$SVDIR/r2" state=FATAL 10000
expect_eq "startretries=2: exactly three attempts" "$(starts r2)" 3
expect_match "startretries=2 reason" "$(statusval "$SVDIR/r2" reason)" '^Exited too quickly: 3 starts in '

# await_failures DIR N MS: until DIR's failures count is N or more (it may
# pass N between two looks: an exact-line wait could miss it)
await_failures() {
  local end=$(( $(date +%s%3N) + $3 )) f
  while :; do
    f=$(statusval "$1" failures); [ "${f:-0}" -ge "$2" ] && return 0
    [ "$(date +%s%3N)" -ge "$end" ] && return 1
    await_status "$1" "failures=$(( ${f:-0} + 1 ))" 500 >/dev/null 2>&1
  done
}
# never giving up: well past any small count, still retrying
check "startretries=infinite: 8 failures" await_failures "$SVDIR/rinf" 8 15000
check "startretries=infinite: not FATAL" test "$(statusval "$SVDIR/rinf" state)" != FATAL
check "startretries=infinite: 8+ attempts" test "$(starts rinf)" -ge 8
check "startretries unset: 8 failures" await_failures "$SVDIR/runset" 8 15000
check "startretries unset: not FATAL" test "$(statusval "$SVDIR/runset" state)" != FATAL
check "startretries unset: 8+ attempts" test "$(starts runset)" -ge 8

# FATAL is final: svc -u starts the count again
svc -u "$SVDIR/r0"
check "svc -u after FATAL: one new attempt, FATAL again" await_file "$T/r0.starts" "start
start" 5000
check "FATAL again" await_status "$SVDIR/r0" state=FATAL 5000

# bad value
crasher rbad 'startretries=-1'
check "startretries=-1 is a conf error" await_status "$SVDIR/rbad" state=FATAL 5000
expect_match "startretries=-1 reason" "$(statusval "$SVDIR/rbad" reason)" 'conf line 4: bad value for startretries'

# svc and svstat as people and scripts use them.
. "$(dirname "$0")/lib.sh"

mksv_ready web 'exec sigcatch -n 3 -e TERM >/dev/null'
mksv worker 'exec sleep 1000'
printf 'startsecs=0\n' > "$SVDIR/worker/conf"
supervise_bg "$SVDIR/web"; await_supervised "$SVDIR/web"
supervise_bg "$SVDIR/worker"; await_supervised "$SVDIR/worker"
svc -w U -T 5000 web worker; expect_eq "names resolve in \$SVDIR; -w U on two" $? 0

# verbs
expect_eq "svc stop" "$(svc stop web)" "web: stopped"
expect_eq "svc start" "$(svc start web)" "web: started"
expect_eq "svc restart prints stopped then started" "$(svc restart web worker)" "web: stopped
worker: stopped
web: started
worker: started"
pid=$(statusval "$SVDIR/web" pid)
expect_eq "svc pid" "$(svc pid web)" "$pid"
svc pause web
check "svc pause: process stopped (T)" test "$(ps -o stat= -p "$pid" | cut -c1)" = T
svc cont web
check "svc cont: process running again" test "$(ps -o stat= -p "$pid" | cut -c1)" != T
svc signal USR1 web; expect_eq "svc signal USR1" $? 0
svc signal FOO web 2>/dev/null; expect_eq "svc signal with a bad name: 100" $? 100
expect_match "svc status" "$(svc status web | tr -s ' ')" '^web RUNNING pid [0-9]+, uptime'
svc nosuchverb web 2>/dev/null; expect_eq "unknown verb: 100" $? 100
svc -Z web 2>/dev/null; expect_eq "unknown letter: 100" $? 100
svc -w x web 2>/dev/null; expect_eq "bad -w: 100" $? 100
svc -u nosuchservice 2>"$T/nosuch.err"; expect_eq "missing service: 111" $? 111
expect_match "missing service message" "$(cat "$T/nosuch.err")" '^svc: warning: unable to find service nosuchservice: No such file or directory$'
expect_eq "svc once on a running service keeps it" "$(svc once worker)" "worker: started once"

# enable / disable / list / cat
expect_eq "svc disable" "$(svc disable worker)" "worker: disabled"
check "disable creates down" test -e "$SVDIR/worker/down"
expect_eq "svc list" "$(svc list | tr -s ' ')" "web enabled
worker disabled"
expect_eq "svc enable" "$(svc enable worker)" "worker: enabled"
check "enable removes down" test ! -e "$SVDIR/worker/down"
expect_match "svc cat shows run and conf" "$(svc cat worker)" '==> .*/worker/conf <=='

# -w d, -w r, -T
old=$(statusval "$SVDIR/worker" pid)
svc -r -w r -T 5000 worker; expect_eq "-w r returns" $? 0
check "-w r: a new pid" test "$(statusval "$SVDIR/worker" pid)" != "$old"
svc -d -w d -T 5000 worker; expect_eq "-w d" $? 0
svc -w u -T 200 worker 2>"$T/to.err"; expect_eq "-T timeout exits 1" $? 1
expect_match "-T timeout says where it is" "$(cat "$T/to.err")" 'worker: timed out: STOPPED'
svc -u worker

# path form
(cd "$SVDIR" && svc -w u -T 5000 ./worker); expect_eq "./NAME is a path" $? 0

# svstat: table, JSON, Prometheus, exit codes
svc -w U -T 5000 web worker
out=$(svstat); rc=$?
expect_eq "svstat all up: exit 0" $rc 0
expect_match "svstat aligned table" "$out" '^web +RUNNING +pid [0-9]+, uptime 0:00:0[0-9]
worker +RUNNING +pid'
check "svstat columns line up" test "$(printf '%s\n' "$out" | awk '{print index($0, "RUNNING")}' | sort -u | wc -l)" = 1
json=$(svstat -j web)
have python3 || skip "svstat -j is JSON with every field: python3 not installed (apt-get install python3)"
have python3 && check "svstat -j is JSON with every field" python3 -c '
import json,sys
o=json.loads(sys.argv[1])
assert set(o)>={"name","state","pid","uptime_s","want","ready","restarts","lastexit","reason"}, o
assert o["name"]=="web" and o["state"]=="RUNNING" and o["pid"]>0 and o["want"]=="up" and o["ready"] is True
' "$json"
prom=$(svstat -p)
expect_match "svstat -p up gauge" "$prom" 'svkit_service_up\{service="web"\} 1'
expect_match "svstat -p state series" "$prom" 'svkit_service_state\{service="worker",state="RUNNING"\} 1'
expect_match "svstat -p TYPE lines" "$prom" '# TYPE svkit_service_restarts_total counter'
svc -d -w D web
svstat web >/dev/null; expect_eq "svstat: down and wanted down: 0" $? 0
printf 'bogus=1\n' > "$SVDIR/web/conf"; svc -u web; await_status "$SVDIR/web" state=FATAL
svstat >/dev/null; expect_eq "svstat: one FATAL: 1" $? 1
rm "$SVDIR/web/conf"
mkdir -p "$SVDIR/ghost"
svstat ghost >/dev/null; expect_eq "svstat: not supervised: 111" $? 111
expect_match "svstat ghost line" "$(svstat_line ghost)" '^ghost UNKNOWN supervise not running$'
mkdir -p "$SVDIR/.hidden"
check "svstat skips dot names" test -z "$(svstat 2>/dev/null | grep hidden)"

# -w with -T right after supervise starts: the wait covers supervise's start
mksv late 'exec sleep 1000'
supervise_bg "$SVDIR/late"
svc -u -w u -T 5000 late; expect_eq "svc -w -T waits for a supervise just started" $? 0
svc -u -w u -T 300 ghost 2>/dev/null; expect_eq "svc -w -T with no supervise at all: 111 after the bound" $? 111
svc -u -w u ghost 2>/dev/null; expect_eq "svc -w without -T and no supervise: 111 at once" $? 111

# -w after letters judges the status supervise wrote once it read them, not
# the one before: svc -r -w U on a service slow to stop waits for the new run
mksv slowterm 'trap "sleep 0.5; exit 0" TERM; echo $$ > '"$T"'/slowterm.up; while :; do sleep 0.05; done'
supervise_bg "$SVDIR/slowterm"; await_supervised "$SVDIR/slowterm"
svc -w U -T 5000 slowterm; await_file "$T/slowterm.up" ""
old=$(statusval "$SVDIR/slowterm" pid)
for mode in U u r R; do
  svc -r -w $mode -T 5000 slowterm; rc=$?
  new=$(statusval "$SVDIR/slowterm" pid)
  expect_eq "svc -r -w $mode returns with a new run up, not the old one stopping" \
    "$rc:$(statusval "$SVDIR/slowterm" state | sed 's/STARTING/RUNNING/'):$([ "$new" != "$old" ] && [ "$new" != 0 ] && echo new)" "0:RUNNING:new"
  old=$new
  svc -w U -T 5000 slowterm; await_file "$T/slowterm.up" "$new"
done

# the interactive shell survives a verb's fatal error
if command -v script >/dev/null; then
  out=$(printf 'status nosuch\nlist\nexit\n' | SVDIR=$SVDIR script -qec "$SVBIN/svc" /dev/null 2>&1)
  expect_match "shell: an error, then the next verb still runs" "$out" 'unable to find service nosuch.*'$'\n''.*web +(enabled|disabled)'
else
  skip "shell: an error, then the next verb still runs: script(1) not installed (apt-get install bsdutils)"
fi

# svscan: a tree, instances, priority, log pipes, rescans, restarts of a
# dead supervise, shutdown order, signals, subreaper.
. "$(dirname "$0")/lib.sh"

# start_svscan [ARGS]: svscan on $SVDIR, stderr to $T/svscan.err; $SCAN its pid
start_svscan() { bg "$SVBIN/svscan" "$@" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID; }
# running NAME [STATEDIR]: until its status says RUNNING
running() { await_status "$SVDIR/$1" state=RUNNING "${2:-5000}"; }
# supervisor NAME: the pid of the supervise running it
supervisor() { statusval "$SVDIR/$1" supervisor; }
# stop_svscan: SIGTERM, then a bounded wait; $RC its exit code
stop_svscan() {
  kill -TERM "$SCAN"
  RC=timeout
  if await_pid_gone "$SCAN" "${1:-15000}"; then wait "$SCAN"; RC=$?; fi
}
# reaped PID [TENTHS]: until PID has no /proc entry (a zombie still has one)
reaped() { local i; for i in $(seq 1 "${2:-50}"); do [ -e "/proc/$1" ] || return 0; sleep 0.1; done; return 1; }
# new_supervisor NAME OLD: until a live supervise other than OLD wrote NAME's status
new_supervisor() {
  local i s
  for i in $(seq 1 30); do
    s=$(supervisor "$1")
    [ -n "$s" ] && [ "$s" != "$2" ] && kill -0 "$s" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# pids of this test's processes whose command line is exactly "sleep $1"
# (by /proc; the cwd under $T keeps other runs of this test out)
sleepers() {
  local p
  for p in /proc/[0-9]*; do
    [ "$( { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null)" = "sleep $1 " ] || continue
    case $(readlink "$p/cwd" 2>/dev/null) in "$T"/*) echo "${p#/proc/}" ;; esac
  done
}

# ---- a tree: plain, instances, priority, logger ----
mksv web 'echo "$$" >> '"$T"'/web.starts; exec sleep 1001'
mksv multi 'echo "i=$SV_INSTANCE" >> '"$T"'/multi.starts; exec sleep 1002'
printf 'numprocs=3\npriority=10\n' > "$SVDIR/multi/conf"
# talk.cnt by rename: a kill never leaves it empty
mksv talk 'i=$(cat '"$T"'/talk.cnt 2>/dev/null || echo 0); while :; do i=$((i+1)); echo "$i"; echo "$i" > '"$T"'/talk.tmp; mv '"$T"'/talk.tmp '"$T"'/talk.cnt; sleep 0.02; done'
mkdir -p "$SVDIR/talk/log"
printf '#!/bin/sh\nexec cat >> %s/talk.log\n' "$T" > "$SVDIR/talk/log/run"; chmod +x "$SVDIR/talk/log/run"
start_svscan
check "plain service runs" running web
for i in 0 1 2; do
  check "instance multi@$i runs" await_status "$SVDIR/multi/supervise@$i" state=RUNNING
done
check "logged service runs" running talk
check "its logger runs" running talk/log
expect_eq "each instance got SV_INSTANCE" "$(sort "$T/multi.starts" | tr '\n' ' ')" "i=0 i=1 i=2 "
expect_eq "instances start before the default priority (10 < 500)" \
  "$(( $(stat -c %Y "$T/multi.starts") <= $(stat -c %Y "$T/web.starts") ))" 1
sup=$(supervisor web)
expect_eq "the supervise beside svscan runs it, not one in PATH" "$(readlink /proc/$sup/exe)" "$SVBIN/supervise"
wpid=$(statusval "$SVDIR/web" pid)
expect_eq "services get a clean signal mask" "$(sed -n 's/^SigBlk:\t//p' /proc/$wpid/status)" 0000000000000000
check "svstat sees the instances" sh -c "svstat multi | grep -c RUNNING | grep -qx 3"
expect_eq "svstat lists a service named twice once" "$("$SVBIN/svstat" multi multi@1 talk talk/log | cut -d' ' -f1 | tr '\n' ' ')" \
  "multi@0 multi@1 multi@2 talk talk/log "
expect_eq "control FIFO is 0600" "$(stat -c '%F %a' "$SVDIR/.svscan/control")" "fifo 600"

# the start order among priorities is by the start files: multi (10) before web
# (500) -- by the order of the supervise pids, which svscan forks in order
expect_eq "lower priority forked first" \
  "$(( $(statusval "$SVDIR/multi/supervise@2" supervisor) < $(supervisor web) ))" 1

# ---- a second svscan ----
"$SVBIN/svscan" "$SVDIR" 2>"$T/second.err"; rc=$?
expect_eq "second svscan on the same dir exits 100" "$rc" 100
expect_match "second svscan says why" "$(cat "$T/second.err")" \
  '^svscan: fatal: unable to lock .*/\.svscan/lock: another svscan is running on '

# ---- the log pipe: kill either side, lose nothing ----
await_file "$T/talk.log" $'\n20\n' 5000
svc -k talk/log                          # the logger dies
await_file "$T/talk.log" $'\n80\n' 5000
kill -KILL "$(supervisor talk/log)"      # its supervise dies
await_file "$T/talk.log" $'\n140\n' 5000
svc -k talk                              # the writer dies
await_file "$T/talk.log" $'\n200\n' 8000
kill -KILL "$(supervisor talk)"          # the writer's supervise dies
check "lines keep coming after both supervises were killed" await_file "$T/talk.log" $'\n260\n' 8000
svc -d -w D -T 5000 talk
last=$(cat "$T/talk.cnt")
check "the logger drains the pipe" await_file "$T/talk.log" $'\n'"$last"$'\n' 5000
missing=$(seq 1 "$last" | sort > "$T/want"; sort -u "$T/talk.log" > "$T/got"; comm -23 "$T/want" "$T/got" | wc -l)
expect_eq "no line lost across four kills (1..$last)" "$missing" 0

# ---- a supervise killed with -9 is restarted and adopts the service ----
sup=$(supervisor web); spid=$(statusval "$SVDIR/web" pid)
kill -KILL "$sup"
check "a new supervise takes over at once" new_supervisor web "$sup"
expect_eq "it adopted the running service (same pid)" "$(statusval "$SVDIR/web" pid)" "$spid"
expect_eq "no second copy started" "$(wc -l < "$T/web.starts")" 1
expect_eq "one sleep 1001 runs" "$(sleepers 1001 | wc -l)" 1
svc -r -w r -T 5000 web
check "the adopted service restarts on svc -r" test "$(statusval "$SVDIR/web" pid)" != "$spid"
check "the old pid is reaped, not a zombie" reaped "$spid"

# ---- rescans: SIGHUP and svc reload; new dirs start, removed ones stop ----
mksv new1 'exec sleep 1003'
kill -HUP "$SCAN"
check "SIGHUP: a new directory starts" running new1
mksv new2 'exec sleep 1004'
svc reload >/dev/null
check "svc reload: a new directory starts" running new2
# a service that takes 2 s to stop; svscan must stay responsive meanwhile
mksv slow 'trap "sleep 2; exit 0" TERM; while :; do sleep 0.1; done'
svc reload >/dev/null
check "slow service runs" running slow
slowsup=$(supervisor slow); slowpid=$(statusval "$SVDIR/slow" pid)
mv "$SVDIR/slow" "$T/slow.removed"
svc reload >/dev/null
mksv new3 'echo started > '"$T"'/new3.started; exec sleep 1005'
t0=$(date +%s%N)
svc reload >/dev/null
check "svscan responsive while a removed service stops" await_file "$T/new3.started" "" 1500
t1=$(date +%s%N)
check "new3 started in under 1.5 s ($(( (t1 - t0) / 1000000 )) ms)" test $(( (t1 - t0) / 1000000 )) -lt 1500
check "the removed service stops" await_pid_gone "$slowpid" 8000
check "its supervise exits" await_pid_gone "$slowsup" 8000
expect_eq "it was stopped, not killed" "$(sed -n 's/^state=//p' "$T/slow.removed/supervise/status")" STOPPED
# rename: the old name stops, the new one starts once the old supervise is gone
pid=$(statusval "$SVDIR/new1" pid)
mv "$SVDIR/new1" "$SVDIR/renamed"
svc reload >/dev/null
check "renamed: old run stopped" await_pid_gone "$pid" 5000
check "renamed: runs under the new name" running renamed
expect_eq "renamed: no error from a lock fight" "$(grep -c 'another supervise' "$T/svscan.err")" 0

# ---- -t: polling rescans (another svscan on another dir) ----
SV2=$T/sv2; mkdir -p "$SV2/p1"; printf '#!/bin/sh\nexec sleep 1006\n' > "$SV2/p1/run"; chmod +x "$SV2/p1/run"
bg "$SVBIN/svscan" -t 200 "$SV2" 2>>"$T/svscan2.err"; SCAN2=$BGPID
check "-t: first service runs" await_status "$SV2/p1" state=RUNNING
mkdir -p "$SV2/p2"; printf '#!/bin/sh\nexec sleep 1007\n' > "$SV2/p2/run"; chmod +x "$SV2/p2/run"
check "-t 200: a new dir starts without being told" await_status "$SV2/p2" state=RUNNING 3000
kill -TERM "$SCAN2"
check "-t: svscan exits on SIGTERM" await_pid_gone "$SCAN2" 10000

# ---- idle: zero wakeups without -t ----
sleep 0.3
v0=$(sed -n 's/^voluntary_ctxt_switches:\t//p' /proc/$SCAN/status)
s0=$(sed -n 's/^voluntary_ctxt_switches:\t//p' /proc/$(supervisor web)/status)
sleep 2
v1=$(sed -n 's/^voluntary_ctxt_switches:\t//p' /proc/$SCAN/status)
s1=$(sed -n 's/^voluntary_ctxt_switches:\t//p' /proc/$(supervisor web)/status)
expect_eq "svscan idle: no wakeup in 2 s" "$((v1 - v0))" 0
expect_eq "supervise idle: no wakeup in 2 s" "$((s1 - s0))" 0

# ---- shutdown: reverse priority, each level down before the next ----
for n in a:1 b:2 c:3; do
  name=${n%%:*}
  mksv "q$name" 'trap "echo term '"$name"' >> '"$T"'/order; sleep 0.3; echo done '"$name"' >> '"$T"'/order; exit 0" TERM; while :; do sleep 0.05; done'
  printf 'priority=%s\n' "${n#*:}" > "$SVDIR/q$name/conf"
done
mksv stubborn 'trap "" TERM; exec sleep 1008'
printf 'stopwaitsecs=1\npriority=0\n' > "$SVDIR/stubborn/conf"
svc reload >/dev/null
for n in qa qb qc stubborn; do running "$n" >/dev/null || fail "$n runs before shutdown"; done
stubpid=$(statusval "$SVDIR/stubborn" pid)
t0=$(date +%s%N)
svc quit >/dev/null
RC=timeout; if await_pid_gone "$SCAN" 20000; then wait "$SCAN"; RC=$?; fi
t1=$(date +%s%N)
expect_eq "svc quit: svscan exits 0" "$RC" 0
expect_eq "stopped in reverse priority, each level down first" "$(tr '\n' ' ' < "$T/order")" \
  "term c done c term b done b term a done a "
check "stopwaitsecs bounds a stubborn service" test $(( (t1 - t0) / 1000000 )) -lt 8000
check "the stubborn one was killed" await_pid_gone "$stubpid" 1000
left=$(sleepers 1001; sleepers 1002; sleepers 1004; sleepers 1005; sleepers 1008)
expect_eq "no service left running" "$left" ""
expect_eq "every supervise reports STOPPED" \
  "$(cat "$SVDIR"/*/supervise*/status | sed -n 's/^state=//p' | sort -u | tr '\n' ' ')" "STOPPED "

# ---- SIGINT and SIGTERM stop the tree too ----
rm -f "$T/order"
start_svscan
check "restarted tree runs" running web
wpid=$(statusval "$SVDIR/web" pid)
kill -INT "$SCAN"
RC=timeout; if await_pid_gone "$SCAN" 20000; then wait "$SCAN"; RC=$?; fi
expect_eq "SIGINT: exit 0" "$RC" 0
check "SIGINT: services stopped" await_pid_gone "$wpid" 1000
start_svscan
check "tree runs again" running web
wpid=$(statusval "$SVDIR/web" pid)
stop_svscan
expect_eq "SIGTERM: exit 0" "$RC" 0
check "SIGTERM: services stopped" await_pid_gone "$wpid" 1000

# ---- orphans: reaped by svscan as subreaper ----
rm -rf "$SVDIR"/*
mksv orph 'sleep 1009 & exec sleep 1010'
start_svscan
check "orphan maker runs" running orph
kill -KILL "$(supervisor orph)"         # run and its child now belong to svscan
child=$(sleepers 1009); run=$(statusval "$SVDIR/orph" pid)
kill -KILL "$child" "$run"
check "orphaned run reaped" reaped "$run"
check "orphaned grandchild reaped (no zombie)" reaped "$child"
stop_svscan
expect_eq "exit 0 after orphans" "$RC" 0

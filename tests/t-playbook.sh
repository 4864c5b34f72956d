#!/bin/bash
# examples/playbook/event, run for real by supervise and svscan: incidents on
# FATAL, unhealthy and repeated failures, the notifier, the rate limit.
. "$(dirname "$0")/lib.sh"
PLAYBOOK=$SVTOP/examples/playbook/event
INC=$T/incidents

# notifier: records its argument; the playbook runs it with the incident file
printf '#!/bin/sh\necho "$1" >> %s/notified\ncat "$1" >> %s/notified.all\n' "$T" "$T" > "$T/notify"
chmod +x "$T/notify"
# playbook NAME [MORE]: the playbook as NAME's S/event, with its playbook.conf
playbook() {
  ln -s "$PLAYBOOK" "$SVDIR/$1/event"
  printf 'PLAYBOOK_DIR=%s\nPLAYBOOK_NOTIFY=%s\nPLAYBOOK_FAILURES=2\n%s\n' "$INC" "$T/notify" "${2:-}" > "$SVDIR/$1/playbook.conf"
}

# a crash loop ending FATAL: one incident with status, history, log tail; the notifier called
mksv crash 'echo "boom: cannot bind port"; exit 1'
printf 'stdout=%s/crash.log\nstartsecs=1\nstartretries=1\nbackoff=100ms\n' "$T" > "$SVDIR/crash/conf"
playbook crash
supervise_bg "$SVDIR/crash"
check "FATAL: the notifier gets the incident file" await_file "$T/notified" "$INC/crash-" 10000
f=$(head -1 "$T/notified")
check "FATAL: the incident file exists" test -f "$f"
expect_match "FATAL: incident names the event" "$(head -2 "$f" | tr '\n' ' ')" "^incident: crash (STARTING|BACKOFF) -> FATAL at .* why: FATAL: Exited too quickly"
check "FATAL: incident holds the status file" grep -qx 'state=FATAL' "$f"
check "FATAL: incident holds the history" grep -qE 'Z FATAL (STARTING|BACKOFF) Exited too quickly' "$f"
check "FATAL: incident holds the log tail" grep -qx '  boom: cannot bind port' "$f"
expect_eq "repeated failures: one incident in the first interval, not two" "$(ls "$INC" | wc -l)" 1

# again within the interval: suppressed, counted; the next incident lists it
"$SVBIN/svc" -u "$SVDIR/crash"
check "rate limit: a second FATAL is suppressed" await_file "$T/crash.err" "incident suppressed (rate-limited" 10000
expect_eq "rate limit: no new incident, notifier not called" "$(ls "$INC" | wc -l)/$(wc -l < "$T/notified")" "1/1"
echo 0 > "$INC/.crash.last" # the interval is over
"$SVBIN/svc" -u "$SVDIR/crash"
check "after the interval: a new incident, listing the suppressed alert" \
  await_file "$T/notified.all" "suppressed since the last incident: 1" 10000

# health turning unhealthy (no state change) is an incident too
mksv sick 'echo "serving"; exec sleep 1000'
printf 'stdout=%s/sick.log\nhealthcheck=echo "db unreachable"; exit 1\nhealthinterval=100ms\nhealthretries=1\nstartsecs=0\nonunhealthy=none\n' "$T" > "$SVDIR/sick/conf"
playbook sick
supervise_bg "$SVDIR/sick"
check "unhealthy: an incident" await_file "$T/sick.err" "incident written: $INC/sick-" 10000
h=$(ls "$INC"/sick-*.txt)
check "unhealthy: the check's line is why" grep -qx 'why: unhealthy: db unreachable' "$h"

# a notifier that hangs is killed; the incident is still there
mksv hangnotify 'exit 2'
printf 'startsecs=1\nstartretries=0\nbackoff=100ms\n' > "$SVDIR/hangnotify/conf"
printf '#!/bin/sh\necho $$ > %s/hang.tmp; mv %s/hang.tmp %s/hang.pid; exec sleep 1000\n' "$T" "$T" "$T" > "$T/hangnotify"
chmod +x "$T/hangnotify"
playbook hangnotify "PLAYBOOK_NOTIFY=$T/hangnotify
PLAYBOOK_NOTIFY_TIMEOUT=1"
supervise_bg "$SVDIR/hangnotify"
check "hanging notifier: started" await_file "$T/hang.pid" "" 10000
check "hanging notifier: killed" await_pid_gone "$(cat "$T/hang.pid")" 5000
check "hanging notifier: said" await_file "$T/hangnotify.err" "notifier failed" 5000
check "hanging notifier: incident written" test -f "$(ls "$INC"/hangnotify-*.txt)"

# ordinary transitions are no incident; under svscan, .svscan/event by name
S=$T/scan
mkdir -p "$S/.svscan" "$S/calm"
printf '#!/bin/sh\nexec sleep 1000\n' > "$S/calm/run"; chmod +x "$S/calm/run"
ln -s "$PLAYBOOK" "$S/.svscan/event"
printf 'PLAYBOOK_DIR=%s/scaninc\n' "$T" > "$S/.svscan/playbook.conf"
bg "$SVBIN/svscan" "$S" 2>"$T/svscan.err"
"$SVBIN/svc" -u -w U -T 5000 "$S/calm"
"$SVBIN/svc" -d -w D -T 5000 "$S/calm"
await_status "$S/calm" state=STOPPED >/dev/null
check "no incident for RUNNING and STOPPED" test ! -e "$T/scaninc"
printf '#!/bin/sh\nexit 1\n' > "$S/calm/run"
printf 'startretries=0\nbackoff=100ms\n' > "$S/calm/conf"
"$SVBIN/svc" -u "$S/calm"
check "under svscan: .svscan/event writes the incident" await_file "$T/svscan.err" "incident written: $T/scaninc/calm-" 10000
expect_match "under svscan: log tail found by name" "$(cat "$T"/scaninc/calm-*.txt | sed -n '/== log/,$p' | sed -n 2p | tr -s ' ')" '^calm FATAL '

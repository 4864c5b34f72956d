#!/bin/bash
# SPEC §9 heartbeat: watchdog=SECS fed by $SV_HEARTBEAT's mtime, newlines on
# notification-fd, WATCHDOG=1 (notify=systemd); a missed beat: SIGABRT, the
# stop sequence, reason in status, a failed start; a removed or symlinked
# heartbeat file is not a beat.
. "$(dirname "$0")/lib.sh"
NS=$SVTEST/notify_send

# each run writes a line to $T/NAME.starts; 20 beats 0.2 s apart outlast
# watchdog=2 twice over, then the beats stop
beats() { echo "i=0; while [ \$i -lt 20 ]; do $1; sleep 0.2; i=\$((i+1)); done; echo done > $T/$2.done"; }

# touching $SV_HEARTBEAT keeps a service alive; then silence trips the watchdog
mksv file "echo x >> $T/file.starts; echo \"\$SV_HEARTBEAT\" > $T/file.env; $(beats 'touch "$SV_HEARTBEAT"' file); exec sleep 1000"
printf 'watchdog=2\nstartsecs=0\nbackoff=1\n' > "$SVDIR/file/conf"
supervise_bg "$SVDIR/file"
check "file beats: the run beat 20 times" await_file "$T/file.done" done 15000
expect_eq "file beats: SV_HEARTBEAT is S/supervise/heartbeat" "$(cat "$T/file.env")" "$SVDIR/file/supervise/heartbeat"
expect_eq "file beats: never restarted while beating" "$(starts file) $(statusval "$SVDIR/file" state)" "1 RUNNING"
check "file silence: reason in status" await_status "$SVDIR/file" "reason=watchdog: no heartbeat for 2s" 8000
check "file silence: a failed start (BACKOFF)" await_status "$SVDIR/file" "failures=1"
expect_eq "file silence: the run died of SIGABRT" "$(statusval "$SVDIR/file" lastexit)" "signal ABRT"
check "file silence: restarted per policy" await_file "$T/file.starts" "x
x" 8000

# newlines on notification-fd: the first is readiness, the others beats
mksv pipe "echo >&3; $(beats 'echo >&3' pipe); exec sleep 1000"
printf '3\n' > "$SVDIR/pipe/notification-fd"
printf 'watchdog=2\nautorestart=never\n' > "$SVDIR/pipe/conf"
supervise_bg "$SVDIR/pipe"
"$SVBIN/svc" -w U -T 5000 "$SVDIR/pipe"; expect_eq "pipe beats: first newline = readiness" $? 0
pid=$(statusval "$SVDIR/pipe" pid)
check "pipe beats: the run beat 20 times" await_file "$T/pipe.done" done 15000
expect_eq "pipe beats: same run, still RUNNING" "$(statusval "$SVDIR/pipe" pid) $(statusval "$SVDIR/pipe" state)" "$pid RUNNING"
check "pipe silence: tripped (autorestart=never: EXITED)" await_status "$SVDIR/pipe" state=EXITED 8000
expect_eq "pipe silence: reason kept" "$(statusval "$SVDIR/pipe" reason)" "watchdog: no heartbeat for 2s"

# WATCHDOG=1 datagrams; WATCHDOG_USEC and WATCHDOG_PID as systemd sets them;
# SIGABRT goes first (sigcatch prints it), then the stop sequence (sigcatch
# may fold the TERM and CONT sent at once into one line: SIGKILL ends it)
mksv sd "echo \"\$WATCHDOG_USEC \$WATCHDOG_PID \$\$\" > $T/sd.env; $NS -b READY=1; $(beats "$NS -b WATCHDOG=1" sd); exec sigcatch -e TERM > $T/sd.out"
printf 'notify=systemd\nwatchdog=2\nautorestart=never\nstopwaitsecs=1\n' > "$SVDIR/sd/conf"
supervise_bg "$SVDIR/sd"
check "WATCHDOG=1: the run beat 20 times" await_file "$T/sd.done" done 15000
read -r usec wpid self < "$T/sd.env"
expect_eq "WATCHDOG_USEC from watchdog=, WATCHDOG_PID the run" "$usec $wpid" "2000000 $self"
expect_eq "WATCHDOG=1: never restarted while beating" "$(statusval "$SVDIR/sd" pid) $(statusval "$SVDIR/sd" state)" "$self RUNNING"
check "WATCHDOG=1 silence: tripped" await_status "$SVDIR/sd" state=EXITED 8000
expect_eq "SIGABRT reaches the run first" "$(grep -m1 caught "$T/sd.out")" "caught SIGABRT"
expect_match "then the stop sequence ended it" "$(statusval "$SVDIR/sd" lastexit)" '^(exit 0|signal KILL)$'

# bad input: the heartbeat file removed; touch -c never recreates it
mksv gone "rm -f \"\$SV_HEARTBEAT\"; $(beats 'touch -c "$SV_HEARTBEAT"' gone); exec sleep 1000"
printf 'watchdog=1\nstartsecs=0\nautorestart=never\n' > "$SVDIR/gone/conf"
supervise_bg "$SVDIR/gone"
check "removed file: not a beat, tripped" await_status "$SVDIR/gone" "reason=watchdog: no heartbeat for 1s" 8000
expect_eq "removed file: said once" "$(grep -c 'heartbeat was removed: not a heartbeat' "$T/gone.err")" 1

# bad input: the heartbeat file made a symlink; touching follows it to the
# target, which supervise never looks through; the next start replaces it
echo keep > "$T/target"
mksv link "if [ -L \"\$SV_HEARTBEAT\" ]; then echo link; else echo file; fi >> $T/link.starts; ln -sf $T/target \"\$SV_HEARTBEAT\"; $(beats 'touch "$SV_HEARTBEAT"' link); exec sleep 1000"
printf 'watchdog=1\nstartsecs=0\nbackoff=200ms\n' > "$SVDIR/link/conf"
supervise_bg "$SVDIR/link"
check "symlink: not a beat, tripped" await_status "$SVDIR/link" "reason=watchdog: no heartbeat for 1s" 8000
check "symlink: said" grep -q 'heartbeat is not a regular file (a symlink?): not a heartbeat' "$T/link.err"
check "symlink: the next start makes a fresh file" await_file "$T/link.starts" "file
file" 8000
expect_eq "symlink: its target untouched by supervise" "$(cat "$T/target") $(stat -c %a "$T/target")" "keep 644"

# (a sender waits on its barrier (-b), as systemd-notify does: one already
# reaped when supervise reads its datagram cannot be told to be the service's)
# no beat needed while STARTING, nor after STOPPING=1 (stopped by SIGKILL after
# stopwaitsecs, never by the watchdog)
mksv late "sleep 1; $NS -b STOPPING=1; exec sleep 1000"
printf 'notify=systemd\nwatchdog=300ms\nstartsecs=60\nstopwaitsecs=1\nautorestart=never\n' > "$SVDIR/late/conf"
supervise_bg "$SVDIR/late"
check "STOPPING=1 while STARTING: STOPPING" await_status "$SVDIR/late" state=STOPPING 20000
check "STOPPING=1: EXITED" await_status "$SVDIR/late" state=EXITED 8000
expect_eq "STOPPING=1: SIGKILL after stopwaitsecs, no watchdog" "$(statusval "$SVDIR/late" lastexit) [$(statusval "$SVDIR/late" reason)]" "signal KILL []"

# MAINPID=: the watchdog's SIGABRT goes to the main process the service named, not to run
mksv mainpid "sigcatch > $T/mp.out & kid=\$!; echo \$kid > $T/mp.kid; await file $T/mp.out ready 5000; $NS -b MAINPID=\$kid READY=1; exec sleep 1000"
printf 'notify=systemd\nwatchdog=1\nautorestart=never\nstopwaitsecs=1\n' > "$SVDIR/mainpid/conf"
supervise_bg "$SVDIR/mainpid"
check "MAINPID= watchdog: tripped, EXITED" await_status "$SVDIR/mainpid" state=EXITED 8000
expect_eq "MAINPID= watchdog: SIGABRT went to MAINPID" "$(grep -m1 caught "$T/mp.out")" "caught SIGABRT"
expect_eq "MAINPID= watchdog: run got the stop signal, not SIGABRT" "$(statusval "$SVDIR/mainpid" lastexit)" "signal TERM"

# Bad input: each gets one clear line naming the file and the reason, and
# loses nothing else.
. "$(dirname "$0")/lib.sh"

# a service directory that does not exist
"$SVBIN/supervise" "$SVDIR/nope" 2>"$T/nope.err"; rc=$?
expect_eq "missing dir: exit 111" "$rc" 111
expect_match "missing dir: one line naming it" "$(cat "$T/nope.err")" '^supervise: fatal: unable to chdir to .*/sv/nope: No such file or directory$'
"$SVBIN/supervise" 2>"$T/usage.err"; expect_eq "no argument: usage, exit 100" $? 100

# unknown conf key: FATAL with file and line; fixed conf + svc -r runs it
mksv badconf 'exec sleep 1000'
printf 'startsecs=0\n# comment\nfrobnicate=yes\n' > "$SVDIR/badconf/conf"
supervise_bg "$SVDIR/badconf"; BADSUP=$BGPID
check "bad conf: FATAL" await_status "$SVDIR/badconf" state=FATAL
expect_match "bad conf: svstat shows the line" "$(svstat_line badconf)" '^badconf FATAL conf line 3: unknown key: frobnicate$'
svstat badconf >/dev/null; expect_eq "bad conf: svstat exits 1" $? 1
expect_match "bad conf: stderr names file and line" "$(cat "$T/badconf.err")" 'supervise: warning: .*/sv/badconf/conf line 3: unknown key: frobnicate'
check "bad conf: supervise stays up" kill -0 "$BADSUP"
printf 'startsecs=0\nautostart = "true"\n' > "$SVDIR/badconf/conf"
svc -r -w U -T 5000 "$SVDIR/badconf"; expect_eq "fixed conf: svc -r starts it" $? 0
printf 'stopsignal=NOPE\n' > "$SVDIR/badconf/conf"
check "bad value in conf while running: service untouched" svc -w U -T 100 "$SVDIR/badconf"
svc -r "$SVDIR/badconf"
check "bad value takes effect at the next start: FATAL" await_status "$SVDIR/badconf" state=FATAL
expect_match "bad value reason" "$(statusval "$SVDIR/badconf" reason)" '^conf line 1: bad value for stopsignal: NOPE$'

# run not executable: a clear reason, retried with backoff, fixed by chmod
mksv noexec 'exec sleep 1000'
chmod -x "$SVDIR/noexec/run"
supervise_bg "$SVDIR/noexec"
check "run not executable: BACKOFF" await_status "$SVDIR/noexec" state=BACKOFF
expect_match "run not executable: reason" "$(statusval "$SVDIR/noexec" reason)" '^unable to exec .*/noexec/run: Permission denied$'
expect_match "run not executable: svstat" "$(svstat_line noexec)" 'noexec BACKOFF unable to exec .*/noexec/run: Permission denied, retrying in [0-9]+s$'
expect_match "run not executable: stderr" "$(head -n1 "$T/noexec.err")" '^supervise: warning: noexec: unable to exec .*/noexec/run: Permission denied$'
chmod +x "$SVDIR/noexec/run"
svc -r -w u -T 5000 "$SVDIR/noexec"; expect_eq "chmod +x then svc -r: up" $? 0

# neither run nor command=
mkdir -p "$SVDIR/empty"
supervise_bg "$SVDIR/empty"
check "no run, no command: FATAL" await_status "$SVDIR/empty" state=FATAL
expect_eq "no run, no command: reason" "$(statusval "$SVDIR/empty" reason)" "no run file and no command= in conf"

# garbage and a flood on the control FIFO: ignored, service untouched
mksv_ready steady 'exec sigcatch -n 3 >/dev/null'
supervise_bg "$SVDIR/steady"; STEADY=$BGPID
await_supervised "$SVDIR/steady"
svc -w U -T 5000 "$SVDIR/steady"
pid=$(statusval "$SVDIR/steady" pid)
printf '\000\001\377ZZZ?!\n\r\t' > "$SVDIR/steady/supervise/control"
head -c 1000000 /dev/zero | tr '\0' 'Z' | timeout 20 dd of="$SVDIR/steady/supervise/control" bs=65536 2>/dev/null
expect_eq "garbage bytes: flood written" $? 0
svc -h "$SVDIR/steady" # a command after the garbage still works
check "garbage: supervise alive" kill -0 "$STEADY"
expect_eq "garbage: same pid, still up" "$(statusval "$SVDIR/steady" pid):$(statusval "$SVDIR/steady" state)" "$pid:RUNNING"

# a service that ignores SIGTERM: SIGKILL after stopwaitsecs
mksv_ready stubborn 'exec sigcatch -n 3 >>'"$T"'/stubborn.out'
printf 'stopwaitsecs=500ms\nstartsecs=0\n' > "$SVDIR/stubborn/conf"
supervise_bg "$SVDIR/stubborn"
await_supervised "$SVDIR/stubborn"
svc -w u -T 5000 "$SVDIR/stubborn"
await_file "$T/stubborn.out" ready
svc -d -w d -T 5000 "$SVDIR/stubborn"; expect_eq "TERM ignored: down within stopwaitsecs" $? 0
expect_eq "TERM ignored: killed by SIGKILL" "$(statusval "$SVDIR/stubborn" lastexit)" "signal KILL"
check "TERM ignored: it did see SIGTERM" grep -q "caught SIGTERM" "$T/stubborn.out"

# a service that forks a grandchild and exits: the grandchild goes too, no zombie
mksv forker 'sleep 1000 & echo $! > '"$T"'/grandchild; echo start >> '"$T"'/forker.starts; exit 0'
printf 'autorestart=never\nstartsecs=0\nstopwaitsecs=1\n' > "$SVDIR/forker/conf"
supervise_bg "$SVDIR/forker"; FORKSUP=$BGPID
check "forker: EXITED" await_status "$SVDIR/forker" state=EXITED
gc=$(cat "$T/grandchild")
check "forker: grandchild signalled with the group" await_pid_gone "$gc" 3000
zombies=$(ps -o stat= --ppid "$FORKSUP" | grep -c Z)
expect_eq "forker: no zombie left" "$zombies" 0

# grandchild in the group goes on svc -d too
mksv_ready group 'exec sigcatch -n 3 -e TERM -g >'"$T"'/group.out'
supervise_bg "$SVDIR/group"
await_supervised "$SVDIR/group"
svc -w u -T 5000 "$SVDIR/group"
await_file "$T/group.out" ready
gc=$(sed -n 's/^grandchild //p' "$T/group.out")
svc -d -w D -T 5000 "$SVDIR/group"
check "svc -d signals the whole process group" await_pid_gone "$gc" 3000

# svc -u -w u on a run that cannot exec is not "up", not even for a moment
mksv neverup 'exec sleep 1000'
chmod -x "$SVDIR/neverup/run"; touch "$SVDIR/neverup/down"
supervise_bg "$SVDIR/neverup"; await_supervised "$SVDIR/neverup"
bad=0
for i in 1 2 3 4 5; do svc -u -w u -T 300 "$SVDIR/neverup" 2>/dev/null && bad=$((bad + 1)); svc -d "$SVDIR/neverup"; done
expect_eq "svc -u -w u never reports an exec failure as up" "$bad" 0

# svc import: supervisord files and systemd units into service directories,
# on real files (tests/import/, origins in tests/import/README).
. "$(dirname "$0")/lib.sh"
I=$(cd "$(dirname "$0")/import" && pwd)
U=$I/units
out() { "$SVBIN/svc" import "$@" 2>&1; }

# ---- systemd: a dozen Debian units, dry run ----
o=$(out -n "$U"/*.service "$U"/*.timer); rc=$?
expect_eq "units: exit 1 (templates and Type=forking refused)" $rc 1
check "-n writes nothing" test -z "$(ls "$SVDIR")"
expect_match "dbus: Type=notify -> notify=systemd" "$o" '^    notify=systemd$'
expect_match "dbus: command" "$o" '^    command=/usr/bin/dbus-daemon --system --address=systemd: --nofork'
expect_match "dbus: OOMScoreAdjust" "$o" '^    oom_score_adj=-900$'
expect_match "dbus: ExecReload reported" "$o" '^dbus: not mapped: ExecReload=.*no reload action'
expect_match "journald: WatchdogSec=3min" "$o" '^    watchdog=180$'
expect_match "journald: LimitNOFILE" "$o" '^    limit_nofile=524288$'
expect_match "journald: StandardOutput=null" "$o" '^    stdout=/dev/null$'
expect_match "journald: RestartSec=0 -> smallest backoff" "$o" '^    backoff=100ms$'
expect_match "sandboxing reported" "$o" '^systemd-journald: not mapped: NoNewPrivileges=yes: sandboxing is not done by svkit$'
expect_match "supervisor: RestartSec=50" "$o" '^    backoff=50$'
expect_match "supervisor: Restart=on-failure" "$o" '^    autorestart=unexpected$'
expect_match "supervisor: ExecStop -> stop hook" "$o" '^    exec /usr/bin/supervisorctl \$OPTIONS shutdown$'
expect_match "runit: KillSignal" "$o" '^    stopsignal=SIGHUP$'
expect_match "runit: KillMode=process reported" "$o" '^runit: not mapped: KillMode=process: supervise always signals'
expect_match "man-db: User=man" "$o" '^    user=man$'
expect_match "man-db: Nice" "$o" '^    nice=19$'
expect_match "man-db: ExecStartPre in run" "$o" "^    /usr/bin/find /var/cache/man -type f -name '\*.gz' -atime \+6 -delete \|\| exit \\$\?$"
expect_match "man-db.timer: OnCalendar=daily" "$o" '^    schedule=@daily$'
expect_match "fstrim.timer: OnCalendar=weekly" "$o" '^    schedule=@weekly$'
expect_match "apt-daily.timer: *-*-* 6,18:00" "$o" '^    schedule=0 6,18 \* \* \*$'
expect_match "e2scrub_all.timer: Sun *-*-* 03:10" "$o" '^    schedule=10 3 \* \* sun$'
expect_match "Persistent=true" "$o" '^    persistent=true$'
expect_match "RandomizedDelaySec reported" "$o" '^apt-daily: not mapped: RandomizedDelaySec=12h: no timer equivalent'
expect_match "e2scrub_all: Environment -> env/" "$o" '^  env/SERVICE_MODE: 1$'
expect_match "polkit: Type=dbus reported" "$o" '^polkit: not mapped: Type=dbus: started as Type=simple'
expect_match "journal output -> log/ with svlog" "$o" '^  log/run: exec svlog -T ./main$'
expect_match "getty@.service: template refused" "$o" '^getty@: not imported: template unit getty@.service'
expect_match "rc-local: Type=forking refused, says why" "$o" '^rc-local: not imported: Type=forking: svkit supervises a process that stays in the foreground'
expect_match "postgresql@: template refused" "$o" '^postgresql@: not imported: template unit'

# a timer alone brings its service from beside it
o=$(out -n "$U"/fstrim.timer)
expect_match "timer alone imports its service" "$o" '^fstrim: would write .*fstrim.service'

# ---- systemd: written for real, then supervised ----
mkdir -p "$T/u"
cat > "$T/u/hello.service" <<UNIT
[Unit]
Description=a greeting
[Service]
Environment="GREETING=hello world" WHO=%n
EnvironmentFile=-$T/u/missing.env
EnvironmentFile=$T/u/hello.env
WorkingDirectory=$T
ExecStart=/bin/sh -c 'echo "\$GREETING from \$WHO, \$EXTRA" > $T/hello.out; exec sleep 1000'
Restart=always
RestartSec=200ms
TimeoutStopSec=3
KillSignal=SIGINT
UMask=0027
UNIT
printf 'EXTRA="from a file"\n' > "$T/u/hello.env"
cat > "$T/u/after.service" <<UNIT
[Unit]
After=hello.service network.target
Requires=hello.service
[Service]
ExecStart=/bin/sleep 1000
UNIT
o=$(out -d "$SVDIR" "$T/u/hello.service" "$T/u/after.service"); rc=$?
expect_eq "import exits 0" $rc 0
expect_match "says where it wrote" "$o" "^hello: imported to $SVDIR/hello "
expect_eq "Environment -> env/" "$(cat "$SVDIR/hello/env/GREETING")" "hello world"
expect_eq "%n in Environment" "$(cat "$SVDIR/hello/env/WHO")" "hello.service"
check "EnvironmentFile sourced by run" grep -q "hello.env" "$SVDIR/hello/run"
expect_match "After/Requires between imported units -> depends" "$(cat "$SVDIR/after/conf")" '^depends=hello$'
check "no leftover temp dir" test -z "$(ls -A "$SVDIR" | grep '^\.')"
supervise_bg "$SVDIR/hello"
check "imported unit runs" await_status "$SVDIR/hello" state=RUNNING 8000
check "env, env file and quoting arrive" await_file "$T/hello.out" "hello world from hello.service, from a file" 5000
pid=$(statusval "$SVDIR/hello" pid)
expect_eq "UMask" "$(sed -n 's/^Umask:\t*//p' /proc/$pid/status)" 0027
expect_eq "WorkingDirectory" "$(readlink /proc/$pid/cwd)" "$T"
svc -d -w D -T 8000 "$SVDIR/hello"; expect_eq "stops" $? 0
expect_eq "KillSignal=SIGINT" "$(statusval "$SVDIR/hello" lastexit)" "signal INT"

# ---- bad input ----
printf '[Service]\nExecStart=/bin/true\nthis line is wrong\n' > "$T/u/bad.service"
o=$(out -n "$T/u/bad.service"); rc=$?
expect_eq "malformed unit: exit 100" $rc 100
expect_eq "malformed unit: line named" "$o" "svc: fatal: unable to import $T/u/bad.service: line 3: expected [Section] or Key=Value"
printf '[program:x]\ncommand=true\n[program:x\n' > "$T/u/bad.conf"
o=$(out -n "$T/u/bad.conf"); rc=$?
expect_eq "malformed INI: exit 100" $rc 100
expect_eq "malformed INI: line named" "$o" "svc: fatal: unable to import $T/u/bad.conf: line 3: malformed section header"
printf 'command=true\n' > "$T/u/nosec.conf"
expect_eq "key before a section" "$(out -n "$T/u/nosec.conf")" "svc: fatal: unable to import $T/u/nosec.conf: line 1: key=value before any [section]"
printf '[program:x]\ncommand=true\n\n[webserver]\nport=80\n' > "$T/u/unk.conf"
o=$(out -n "$T/u/unk.conf"); rc=$?
expect_eq "unknown supervisord section: exit 100" $rc 100
expect_eq "unknown supervisord section named" "$o" "svc: fatal: unable to import $T/u/unk.conf: line 4: unknown section [webserver]"
printf '[Unit]\n[Service]\nExecStart=/bin/true\n[Mount]\nWhat=/dev/sda\n' > "$T/u/unk.service"
expect_eq "unknown unit section" "$(out -n "$T/u/unk.service")" "svc: fatal: unable to import $T/u/unk.service: line 4: unknown section"
printf '[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n' > "$T/u/two.service"
o=$(out -n "$T/u/two.service"); rc=$?
expect_eq "several ExecStart: exit 1" $rc 1
expect_eq "several ExecStart without oneshot refused" "$o" "two: not imported: 2 ExecStart= lines: only Type=oneshot may have several (systemd refuses this unit too)"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=-/bin/false\nExecStart=/bin/echo done\n' > "$T/u/one.service"
o=$(out -n "$T/u/one.service")
expect_match "oneshot: several ExecStart run in order, stop at a failure" "$o" '^    /bin/true \|\| exit \$\?$'
expect_match "oneshot: '-' ignores a failure" "$o" '^    /bin/false \|\| :$'
expect_match "oneshot: last one exec'd" "$o" '^    exec /bin/echo done$'
expect_match "oneshot: startsecs=0, not restarted" "$o" 'startsecs=0'
printf '[Service]\nType=forking\nPIDFile=/run/d.pid\nExecStart=/usr/sbin/d\n' > "$T/u/fork.service"
o=$(out -n "$T/u/fork.service"); rc=$?
expect_eq "Type=forking: exit 1" $rc 1
expect_match "Type=forking with PIDFile refused, says why" "$o" '^fork: not imported: Type=forking with PIDFile=/run/d.pid: .*foreground mode'
# systemd quoting, escapes, specifiers, prefixes, $VAR
cat > "$T/u/q@inst.service" <<'UNIT'
[Service]
ExecStart=-@/bin/echo myname "a b" 'c d' \x41\t %n %N %p %i %% $X ${Y} pre${X}post $$HOME it\'s\ ok
UNIT
o=$(out -n "$T/u/q@inst.service")
expect_match "quoting, escapes, specifiers, \$VAR" "$o" "^    exec /bin/echo 'a b' 'c d' 'A	' q@inst.service q@inst q inst % \\\$X \"\\\$\{Y\}\" pre\"\\\$\{X\}\"post '\\\$HOME' 'it'\\\\''s ok'$"
expect_match "'@' prefix reported" "$o" "not mapped: ExecStart=.*'@' sets argv\[0\]"
expect_match "'-' prefix reported" "$o" "not mapped: ExecStart=.*'-' \(failure ignored\)"
printf '[Service]\nExecStart=/bin/echo "unterminated\n' > "$T/u/uq.service"
expect_match "unterminated quote refused" "$(out -n "$T/u/uq.service")" '^uq: not imported: ExecStart=.*: unterminated quote$'
printf '[Service]\nExecStart=/bin/echo %%z\n' > "$T/u/spec.service"
expect_match "unknown specifier refused" "$(out -n "$T/u/spec.service")" '^spec: not imported: .*unknown % specifier$'
printf '[Timer]\nOnCalendar=*-*-* 06:00:30\n' > "$T/u/sec.timer"; printf '[Service]\nExecStart=/bin/true\n' > "$T/u/sec.service"
expect_match "OnCalendar with seconds refused" "$(out -n "$T/u/sec.timer")" 'sec: not imported: sec.timer: OnCalendar=\*-\*-\* 06:00:30: seconds have no cron form'

# existing service directory: refused, nothing written at all
mkdir -p "$SVDIR/taken"
printf '[Service]\nExecStart=/bin/true\n' > "$T/u/taken.service"
printf '[Service]\nExecStart=/bin/true\n' > "$T/u/fresh.service"
o=$(out "$T/u/fresh.service" "$T/u/taken.service"); rc=$?
expect_eq "existing service dir: exit 1" $rc 1
expect_eq "existing service dir named" "$o" "svc: fatal: unable to import taken: service directory exists: $SVDIR/taken"
check "existing: nothing else written" test ! -e "$SVDIR/fresh"
check "existing: left as it was" test -z "$(ls -A "$SVDIR/taken")"
# a target directory that is not writable
mkdir -p "$T/ro"; chmod 755 "$T/ro"; chmod 755 "$T"
if [ "$(id -u)" = 0 ]; then asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"; else asuser=; chmod 555 "$T/ro"; fi
o=$($asuser "$SVBIN/svc" import -d "$T/ro" "$T/u/fresh.service" 2>&1); rc=$?
expect_eq "unwritable target: exit 111" $rc 111
expect_eq "unwritable target: one line" "$o" "svc: fatal: unable to write to target directory $T/ro: Permission denied"
o=$(out -d "$T/nonexistent" "$T/u/fresh.service"); rc=$?
expect_eq "missing target: one line" "$o" "svc: fatal: unable to use target directory $T/nonexistent: No such file or directory"

# ---- supervisord ----
o=$(out -n "$I/supervisord-sample.conf"); rc=$?
expect_eq "Debian's sample.conf (all commented out): exit 0" $rc 0
expect_match "sample.conf: [supervisord] noted" "$o" "supervisord-sample.conf: \[supervisord\]: supervisord's own settings"
# its [program:x] section uncommented, as a user would
sed -e '/^;\[program:theprogramname\]/,/^$/s/^;//' -e 's/^\[program:theprogramname\]/[program:theprogramname]/' \
  "$I/supervisord-sample.conf" > "$T/sample.conf"
o=$(out -n "$T/sample.conf"); rc=$?
expect_eq "sample [program:x] uncommented: exit 0" $rc 0
expect_match "sample: command" "$o" '^    command=/bin/cat$'
expect_match "sample: stopsignal QUIT" "$o" '^    stopsignal=QUIT$'
expect_match "sample: stdout_logfile -> stdout" "$o" '^    stdout=/a/path$'
expect_match "sample: redirect_stderr -> stderr=stdout" "$o" '^    stderr=stdout$'
expect_match "sample: environment" "$o" '^    env=A="1",B="2"$'
expect_match "sample: stopasgroup=false reported" "$o" '^theprogramname: not mapped: stopasgroup=false: supervise always signals'
# [include] relative to the file, %(here)s, %(ENV_X)s, %(process_num)s -> numprocs
o=$(IMPORT_WHO=tester out -d "$SVDIR" "$I/supervisord-test.conf"); rc=$?
expect_eq "supervisord file with [include]: exit 1 (eventlistener not imported)" $rc 0
expect_match "[eventlistener] noted" "$o" 'eventlistener:mem\]: not imported'
expect_match "%(here)s and %(ENV_X)s expanded" "$(cat "$SVDIR/web/conf")" "^command=/bin/sh -c 'echo web in $I as tester; exec sleep 1000'$"
expect_match "supervisord default autorestart written" "$(cat "$SVDIR/worker/conf")" '^autorestart=unexpected$'
expect_match "supervisord default startretries written" "$(cat "$SVDIR/worker/conf")" '^startretries=3$'
expect_match "AUTO stdout -> log/ with svlog" "$(cat "$SVDIR/worker/log/run")" '^exec svlog -T -s 1048576 -n 4 ./main$'
expect_match "%(process_num)s -> numprocs" "$(cat "$SVDIR/worker/conf")" '^numprocs=3$'
# run the workers: each instance says its number
rm -rf "$SVDIR/worker/log"
printf 'OUT=%s/workers.out\n' "$T" | sed 's/^OUT=//' > /dev/null
mkdir -p "$SVDIR/worker/env"; echo "$T/workers.out" > "$SVDIR/worker/env/OUT"
for i in 0 1 2; do supervise_bg "$SVDIR/worker" -i $i; done
for i in 0 1 2; do await_status "$SVDIR/worker/supervise@$i" state=RUNNING 8000; done
expect_eq "%(process_num)s in command -> each instance's number" "$(sort "$T/workers.out" | tr '\n' ' ')" "worker 0 worker 1 worker 2 "
supervise_bg "$SVDIR/web"
check "imported supervisord program runs" await_status "$SVDIR/web" state=RUNNING 8000
expect_eq "its environment= arrives" "$(tr '\0' '\n' < /proc/$(statusval "$SVDIR/web" pid)/environ | grep -E '^(MODE|GREETING)=' | sort | tr '\n' ' ')" "GREETING=hello, world MODE=prod "

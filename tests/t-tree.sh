# svc's tree verbs end to end under svscan: pid, enable, disable, cat, list,
# tail (every way to find a log), reload, quit, and the interactive shell.
. "$(dirname "$0")/lib.sh"

start_svscan() { bg "$SVBIN/svscan" "$@" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID; }
running() { await_status "$SVDIR/$1" state=RUNNING "${2:-5000}"; }
# shell INPUT: svc with no argument on a terminal (script gives it a pty)
shell() { printf "$1" | timeout 20 script -qec "$SVBIN/svc" /dev/null | tr -d '\r'; }

mksv web 'i=0; while :; do i=$((i+1)); echo "web line $i"; sleep 0.01; done'
mkdir -p "$SVDIR/web/log"; printf '#!/bin/sh\nexec svlog -s 1000 ./main\n' > "$SVDIR/web/log/run"
mksv s6style 'while :; do echo "s6 line"; sleep 0.05; done'
mkdir -p "$SVDIR/s6style/log"; printf '#!/bin/sh\n# a comment\nexec svlog -n 3 "%s/s6logdir" 2>&1\n' "$T" > "$SVDIR/s6style/log/run"
mksv plain 'while :; do echo "current line"; sleep 0.05; done'
mkdir -p "$SVDIR/plain/log"; printf '#!/bin/sh\nexec svlog .\n' > "$SVDIR/plain/log/run"
mksv tofile 'while :; do echo "file line"; sleep 0.05; done'
printf 'stdout=%s/tofile.out\n' "$T" > "$SVDIR/tofile/conf"
mksv nolog 'exec sleep 1401'
chmod +x "$SVDIR"/*/log/run
start_svscan
for s in web s6style plain tofile nolog; do running "$s" || fail "$s runs"; done
ok "tree runs"

# ---- pid ----
expect_eq "svc pid NAME: the pid alone" "$(svc pid nolog)" "$(statusval "$SVDIR/nolog" pid)"
svc pid nosuch 2>/dev/null; expect_eq "svc pid of an unknown service: 111" $? 111

# ---- tail ----
await_file "$SVDIR/web/log/main/current" "web line 5" 5000
expect_match "tail: log/main/current" "$(svc tail -n 1 web)" '^web line [0-9]+$'
await_file "$SVDIR/plain/log/current" "current line" 5000
expect_eq "tail: log/current" "$(svc tail -n 1 plain)" "current line"
await_file "$T/s6logdir/current" "s6 line" 5000
expect_eq "tail: the directory named in log/run" "$(svc tail -n 1 s6style)" "s6 line"
await_file "$T/tofile.out" "file line" 5000
expect_eq "tail: conf stdout=" "$(svc tail -n 1 tofile)" "file line"
expect_eq "tail -n 3: three lines" "$(svc tail -n 3 tofile | wc -l)" 3
svc tail nolog 2>"$T/tail.err"; rc=$?
expect_eq "tail without a log: exit 1" "$rc" 1
expect_match "tail without a log: says why" "$(cat "$T/tail.err")" '^svc: warning: unable to find the log of nolog: '
svc tail -x web 2>/dev/null; expect_eq "tail bad option: 100" $? 100
# -f follows across rotations.  svlog -s 1000 rotates about every 80 lines;
# an archive that was both opened and closed while tail followed holds lines
# tail must all have printed: the expectation is that archive's own lines.
L=$SVDIR/web/log/main
timeout 15 svc tail -f -n 0 web > "$T/follow.out" 2>/dev/null &
FPID=$!; PIDS+=("$FPID")
check "tail -f: following" await_file "$T/follow.out" "web line" 5000
# archives are named @TAI64N.s: in name order, the ones after $top0 are new
top0=$(ls "$L" | grep '^@' | sort | tail -n 1)
new_archives() { ls "$L" | grep '^@' | sort | awk -v t="$top0" '$0 > t'; }
for i in $(seq 1 100); do [ "$(new_archives | wc -l)" -ge 2 ] && break; sleep 0.1; done
check "the web log rotated twice meanwhile" test "$(new_archives | wc -l)" -ge 2
# the second new archive began after tail printed its first line
whole=$L/$(new_archives | sed -n 2p)
lastline=$(tail -n 1 "$whole")
check "tail -f: reached the end of an archive rotated while following ($lastline)" await_file "$T/follow.out" "$lastline"$'\n' 5000
kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null
missing=$(grep -vxFf "$T/follow.out" "$whole" | head -n 3)
expect_eq "tail -f kept following across rotations: every line of $(wc -l < "$whole") in a whole archive" "$missing" ""
first=$(head -1 "$T/follow.out" | sed 's/^web line //'); last=$(tail -1 "$T/follow.out" | sed 's/^web line //')
expect_eq "  ... without losing a line" "$(grep -c '^web line' "$T/follow.out")" "$((last - first + 1))"

# ---- cat, list, enable, disable ----
out=$(svc cat web)
expect_match "cat shows run" "$out" "==> $SVDIR/web/run <=="
expect_match "cat shows log/run" "$out" "==> $SVDIR/web/log/run <=="
expect_match "cat shows conf" "$(svc cat tofile)" "^stdout=$T/tofile.out$"
expect_eq "list: every service, enabled" "$(svc list | tr -s ' ')" \
  "$(printf 'nolog enabled\nplain enabled\ns6style enabled\ntofile enabled\nweb enabled')"
expect_eq "disable says so" "$(svc disable nolog)" "nolog: disabled"
check "disable creates down" test -e "$SVDIR/nolog/down"
expect_match "list shows disabled" "$(svc list | tr -s ' ')" '^nolog disabled$'
check "disable leaves it running (as runit's down file)" running nolog 100
expect_eq "enable says so" "$(svc enable nolog)" "nolog: enabled"
check "enable removes down" test ! -e "$SVDIR/nolog/down"

# ---- reload ----
mksv added 'exec sleep 1402'
expect_eq "reload says so" "$(svc reload)" "svscan: rescanning"
check "reload starts a new service" running added
mv "$SVDIR/added" "$T/added.gone"
apid=$(sed -n 's/^pid=//p' "$T/added.gone/supervise/status")
svc reload >/dev/null
check "reload stops a removed service" await_pid_gone "$apid" 5000

# ---- the shell ----
out=$(shell 'help\nstatus nolog\npid nolog\nexit\n')
expect_match "shell: prompt" "$out" '^svc> '
expect_match "shell: help lists verbs" "$out" '  tail \[-f\] \[-n N\] NAME'
expect_match "shell: a verb runs" "$out" 'nolog +RUNNING +pid [0-9]+, uptime'
expect_match "shell: pid" "$out" "^svc> $(statusval "$SVDIR/nolog" pid)\$"
check "shell: exit leaves svscan running" kill -0 "$SCAN"
out=$(shell 'restart nolog\n'); rc=$?
expect_match "shell: restart" "$out" 'nolog: stopped'
expect_eq "shell: end of input leaves cleanly" "$rc" 0
check "shell: EOF leaves svscan running" kill -0 "$SCAN"
out=$(shell 'nosuchverb\nexit\n' 2>&1)
expect_match "shell: unknown verb is a warning, not the end" "$out" 'unknown verb: nosuchverb'
npid=$(statusval "$SVDIR/nolog" pid)
out=$(shell 'quit\nstatus\n')
expect_match "shell: quit tells svscan" "$out" 'svscan: stopping every service'
check "shell: quit leaves the shell at once (no status after it)" test -z "$(printf '%s\n' "$out" | grep RUNNING)"
RC=timeout; if await_pid_gone "$SCAN" 20000; then wait "$SCAN"; RC=$?; fi
expect_eq "shell: quit shuts the tree down, svscan exits 0" "$RC" 0
check "  ... services stopped" await_pid_gone "$npid" 1000
svc reload 2>"$T/reload.err"; rc=$?
expect_eq "reload without svscan: 111" "$rc" 111
expect_eq "  ... says why, as a fatal error" "$(cat "$T/reload.err")" \
  "svc: fatal: unable to control svscan in $SVDIR: svscan not running"
svc quit 2>"$T/quit.err"; rc=$?
expect_eq "quit without svscan: 111" "$rc" 111
expect_eq "  ... says why, as a fatal error" "$(cat "$T/quit.err")" \
  "svc: fatal: unable to control svscan in $SVDIR: svscan not running"
SVDIR=$T/nosuchdir svc reload 2>"$T/reload.err"; rc=$?
expect_eq "reload with a missing scan dir: 111" "$rc" 111
expect_eq "  ... says what is missing" "$(cat "$T/reload.err")" \
  "svc: fatal: unable to control svscan in $T/nosuchdir: No such file or directory"

# ---- tail: which file, from what log/run and conf say (no svscan needed) ----
# logsv NAME LOGRUN-LINE: a service whose log/run runs LOGRUN-LINE
logsv() { mksv "$1" 'exec sleep 1403'; mkdir -p "$SVDIR/$1/log"; printf '#!/bin/sh\n%s\n' "$2" > "$SVDIR/$1/log/run"; }
# put FILE LINE: FILE (directories made) holds LINE
put() { mkdir -p "$(dirname "$1")"; echo "$2" > "$1"; }
logsv stale 'exec svlog -s 1000 ./main'
put "$SVDIR/stale/log/current" "stale line"
put "$SVDIR/stale/log/main/current" "main line"
expect_eq "tail: the directory log/run names beats a stale log/current" "$(svc tail -n 1 stale)" "main line"
logsv s6two 'exec s6-log -b n3 s100000 T ./first ./second'
put "$SVDIR/s6two/log/first/current" "first line"; put "$SVDIR/s6two/log/second/current" "second line"
expect_eq "tail: s6-log's first directory" "$(svc tail -n 1 s6two)" "first line"
logsv runit 'exec svlogd -tt -l 100 -r _ one other 2>&1'
put "$SVDIR/runit/log/one/current" "svlogd line"; put "$SVDIR/runit/log/other/current" "other line"
expect_eq "tail: svlogd's first directory, option arguments skipped" "$(svc tail -n 1 runit)" "svlogd line"
logsv djb 'exec setuidgid log multilog t s100000 n10 "./one" ./other'
put "$SVDIR/djb/log/one/current" "multilog line"; put "$SVDIR/djb/log/other/current" "other line"
expect_eq "tail: multilog's first directory" "$(svc tail -n 1 djb)" "multilog line"
logsv tofile2 'exec svlog -F ./out.log -s 1000 -n 3'
put "$SVDIR/tofile2/log/out.log" "-F line"
expect_eq "tail: svlog -F FILE is the file itself" "$(svc tail -n 1 tofile2)" "-F line"
logsv fresh "exec svlog $T/freshdir"
svc tail fresh 2>"$T/tail.err"; rc=$?
expect_eq "tail: a log not written yet: exit 1" "$rc" 1
expect_match "  ... names DIR/current" "$(cat "$T/tail.err")" "unable to read $T/freshdir/current: no log written yet"
mksv wd 'exec sleep 1404'
printf 'stdout=out.txt\nworkingdir=%s/wd\n' "$T" > "$SVDIR/wd/conf"
put "$T/wd/out.txt" "workingdir line"; put "$SVDIR/wd/out.txt" "svdir line"
expect_eq "tail: a relative stdout= is in the service directory, not workingdir" "$(svc tail -n 1 wd)" "svdir line"

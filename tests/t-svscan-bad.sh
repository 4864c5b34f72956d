# svscan on bad input: missing or unreadable scan dir, broken service dirs,
# a log/ without run, a dangling symlink, names with spaces, thousands of dirs.
. "$(dirname "$0")/lib.sh"

start_svscan() { bg "$SVBIN/svscan" "$@" "$SVDIR" >>"$T/svscan.out" 2>>"$T/svscan.err"; SCAN=$BGPID; }
running() { await_status "$SVDIR/$1" state=RUNNING "${2:-5000}"; }

# ---- the scan directory itself ----
out=$("$SVBIN/svscan" "$T/nonexistent" 2>&1); rc=$?
expect_eq "missing scan dir: exit 111" "$rc" 111
expect_eq "missing scan dir: one line" "$(printf '%s\n' "$out" | wc -l)" 1
expect_match "missing scan dir: says what and why" "$out" \
  '^svscan: fatal: unable to chdir to .*/nonexistent: No such file or directory$'
mkdir -m 0711 "$T/closed"
chmod 0711 "$T"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SVBIN/svscan" "$T/closed" 2>&1); rc=$?
expect_eq "unreadable scan dir: exit 111" "$rc" 111
expect_match "unreadable scan dir: one line, says why" "$out" \
  '^svscan: fatal: unable to read directory .*/closed: Permission denied$'
printf x > "$T/plainfile"
"$SVBIN/svscan" "$T/plainfile" 2>/dev/null; expect_eq "a file as scan dir: exit 111" $? 111
"$SVBIN/svscan" -t 2>/dev/null; expect_eq "bad usage: exit 100" $? 100
"$SVBIN/svscan" -t x "$SVDIR" 2>/dev/null; expect_eq "bad -t: exit 100" $? 100
"$SVBIN/svscan" -t -5 "$SVDIR" 2>/dev/null; expect_eq "negative -t: exit 100" $? 100
"$SVBIN/svscan" -t 99999999999999999999999 "$SVDIR" 2>/dev/null; expect_eq "-t out of range: exit 100" $? 100

# ---- broken entries among good ones ----
mksv good1 'exec sleep 1101'
mksv "with space" 'exec sleep 1102'
mkdir -p "$SVDIR/norun"                       # neither run nor conf
mkdir -p "$SVDIR/badconf"; printf 'nosuchkey=1\n' > "$SVDIR/badconf/conf"
mksv nolog 'while :; do echo "to stdout"; sleep 0.2; done'
mkdir -p "$SVDIR/nolog/log"                   # log/ without run
ln -s "$T/missing-dir" "$SVDIR/dangling"
printf x > "$SVDIR/afile"                     # not a directory: ignored
mkdir -p "$SVDIR/.hidden"; printf '#!/bin/sh\nexec sleep 1103\n' > "$SVDIR/.hidden/run"; chmod +x "$SVDIR/.hidden/run"
mksv -dash 'exec sleep 1104'
start_svscan
check "good service runs among broken ones" running good1
check "a name with a space runs" running "with space"
check "a name starting with - runs" running -dash
check "svc -w U takes a name with a space" svc -w U -T 5000 "with space"
check "no run, no conf: FATAL" await_status "$SVDIR/norun" state=FATAL
expect_eq "  ... and says why" "$(statusval "$SVDIR/norun" reason)" "no run file and no command= in conf"
check "bad conf: FATAL" await_status "$SVDIR/badconf" state=FATAL
expect_match "  ... and names the line" "$(statusval "$SVDIR/badconf" reason)" '^conf line 1: unknown key'
check "log/ without run: the service still runs" running nolog
check "log/ without run: clear warning" grep -q '^svscan: warning: nolog/log has no run file and no command= in conf: nolog runs without a logger$' "$T/svscan.err"
check "log/ without run: no supervise on it" test ! -e "$SVDIR/nolog/log/supervise"
check "log/ without run: its stdout is svscan's" await_file "$T/svscan.out" "to stdout"
check "dangling symlink: warned" grep -q "^svscan: warning: skipping .*/dangling: symlink to a missing directory$" "$T/svscan.err"
check "hidden dir ignored" test ! -e "$SVDIR/.hidden/supervise"
check "a plain file ignored" test ! -e "$SVDIR/afile.supervise"
check "svscan still runs" kill -0 "$SCAN"
# the dangling link gets a target: the next rescan starts it
mkdir -p "$T/missing-dir"; printf '#!/bin/sh\nexec sleep 1105\n' > "$T/missing-dir/run"; chmod +x "$T/missing-dir/run"
svc reload >/dev/null
check "dangling symlink fixed: starts on reload" running dangling
# a symlink to a directory already in the tree: one supervise, not two
ln -s good1 "$SVDIR/alias"
svc reload >/dev/null
svc reload >/dev/null
check "a second name for the same dir is skipped" grep -q "skipping .*/alias: the same directory as another service" "$T/svscan.err"
expect_eq "  ... and no lock fight" "$(grep -c 'another supervise' "$T/svscan.err")" 0
kill -TERM "$SCAN"
check "svscan stops the broken tree" await_pid_gone "$SCAN" 15000

# ---- thousands of entries ----
rm -rf "$SVDIR"; mkdir -p "$SVDIR"
for i in $(seq 1 1000); do
  mkdir "$SVDIR/s$i"; printf '#!/bin/sh\nexec sleep 1200\n' > "$SVDIR/s$i/run"; : > "$SVDIR/s$i/down"
done
chmod +x "$SVDIR"/s*/run
t0=$(date +%s%N)
start_svscan
n=0
for i in $(seq 1 300); do
  n=$(ls "$SVDIR"/s*/supervise/status 2>/dev/null | wc -l)
  [ "$n" = 1000 ] && break
  sleep 0.1
done
t1=$(date +%s%N)
expect_eq "1000 services supervised" "$n" 1000
check "  ... within 30 s ($(( (t1 - t0) / 1000000 )) ms)" test "$n" = 1000
expect_eq "  ... all STOPPED (down files)" "$(svstat 2>/dev/null | grep -c ' STOPPED ')" 1000
check "  ... svscan's memory stays small (VmRSS $(sed -n 's/^VmRSS:[^0-9]*//p' /proc/$SCAN/status))" \
  test "$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' /proc/$SCAN/status)" -lt 8192
mkdir "$SVDIR/late"; printf '#!/bin/sh\nexec sleep 1201\n' > "$SVDIR/late/run"; chmod +x "$SVDIR/late/run"
svc reload >/dev/null
check "  ... a rescan of 1001 entries starts the new one" running late
t0=$(date +%s%N)
kill -TERM "$SCAN"
check "  ... and 1001 stop on SIGTERM" await_pid_gone "$SCAN" 60000
t1=$(date +%s%N)
ok "  ... (stopped in $(( (t1 - t0) / 1000000 )) ms)"

# ---- a supervise beside svscan that cannot be exec'd ----
# svscan starts the supervise built beside it: a copy of svscan in a dir of
# its own, beside a "supervise" the kernel refuses (no ELF, no #!)
rm -rf "$SVDIR"; mkdir -p "$SVDIR" "$T/brokenbin"
cp "$SVBIN/svscan" "$T/brokenbin/svscan"
printf 'not a program\n' > "$T/brokenbin/supervise"; chmod +x "$T/brokenbin/supervise"
mksv afterfix 'exec sleep 1301'
: > "$T/svscan.err"
bg "$T/brokenbin/svscan" "$SVDIR" >>"$T/svscan.out" 2>>"$T/svscan.err"; SCAN=$BGPID
check "unexecutable supervise: one line names the file and the reason" await_file "$T/svscan.err" \
  "svscan: warning: unable to exec $T/brokenbin/supervise: Exec format error"
check "  ... svscan goes on" kill -0 "$SCAN"
cp "$SVBIN/supervise" "$T/brokenbin/supervise.new" && mv "$T/brokenbin/supervise.new" "$T/brokenbin/supervise"
check "  ... fixed, the next try starts the service" running afterfix 10000
kill -TERM "$SCAN"
check "  ... and svscan stops it" await_pid_gone "$SCAN" 15000

# svlog and SPEC §13: never a write or a chmod through a symlink, only regular
# files, a lock no other user can hold, option values that do not fit are
# usage errors, and the stdout=/stderr= logger runs as the service's user.
. "$(dirname "$0")/lib.sh"

mode_of() { stat -c %a "$1"; }
as_root=; [ "$(id -u)" = 0 ] && as_root=1
NB=65534 # nobody
asnobody() { setpriv --reuid=$NB --regid=$NB --clear-groups "$@"; }
chmod 711 "$T" # other users may reach what the test gives them

# ---- a symlink planted as DIR/current ----
mkdir -p "$T/l1"
echo precious > "$T/secret"; chmod 600 "$T/secret"
ln -s "$T/secret" "$T/l1/current"
echo attack | svlog "$T/l1" 2>"$T/l1.err"; rc=$?
expect_eq "symlink as current: exit 111" $rc 111
expect_eq "symlink as current: one clear line" "$(cat "$T/l1.err")" \
  "svlog: fatal: unable to open $T/l1/current: is a symbolic link (svlog never follows one)"
expect_eq "symlink as current: target content untouched" "$(cat "$T/secret")" precious
expect_eq "symlink as current: target mode untouched" "$(mode_of "$T/secret")" 600

# ---- a symlink given as -F FILE, and one in place of FILE ----
mkdir -p "$T/f1"
ln -s "$T/secret" "$T/f1/out.log"
echo attack | svlog -F "$T/f1/out.log" 2>"$T/f1.err"; rc=$?
expect_eq "symlink as -F FILE: exit 111" $rc 111
expect_eq "symlink as -F FILE: one clear line" "$(cat "$T/f1.err")" \
  "svlog: fatal: unable to open $T/f1/out.log: is a symbolic link (svlog never follows one)"
expect_eq "symlink as -F FILE: target untouched" "$(cat "$T/secret"):$(mode_of "$T/secret")" precious:600

# ---- not a regular file: a FIFO as current does not hang svlog ----
mkdir -p "$T/p1" && mkfifo "$T/p1/current"
echo x | timeout 10 svlog "$T/p1" 2>"$T/p1.err"; rc=$?
expect_eq "FIFO as current: exit 111" $rc 111
expect_eq "FIFO as current: one clear line" "$(cat "$T/p1.err")" \
  "svlog: fatal: unable to open $T/p1/current: not a regular file"

# ---- rotation: a symlink at FILE.1 is renamed over, never written ----
mkdir -p "$T/f2"
ln -s "$T/secret" "$T/f2/out.log.1"
seq 1 2000 | svlog -F "$T/f2/out.log" -s 1000 -n 3 2>"$T/f2.err"
expect_eq "symlink as FILE.1: target untouched" "$(cat "$T/secret"):$(mode_of "$T/secret")" precious:600
check "symlink as FILE.1: rotations go on, lines kept" test "$(cat "$T"/f2/out.log.3 "$T"/f2/out.log.2 "$T"/f2/out.log.1 "$T"/f2/out.log | tail -1)" = 2000

# ---- never chmod a file svlog did not create ----
mkdir -p "$T/c1"
echo old > "$T/c1/current"; chmod 600 "$T/c1/current"
[ -n "$as_root" ] && chown $NB "$T/c1/current"
echo new | svlog "$T/c1"
expect_eq "current of another owner: appended" "$(cat "$T/c1/current" | tr '\n' ' ')" "old new "
if [ -n "$as_root" ]; then
  expect_eq "current of another owner: mode untouched at exit" "$(mode_of "$T/c1/current")" 600
  seq 1 300 | svlog -s 500 "$T/c1"
  check "current of another owner: its archive keeps its mode" test "$(stat -c %a "$T"/c1/@*.s | head -1)" = 600
else
  echo "ok current of another owner: mode checks skipped (not root: cannot chown)"
fi
# a hard link to a file elsewhere (one svlog's user owns, two links) is not chmodded
mkdir -p "$T/c2"
echo x > "$T/hard"; chmod 640 "$T/hard"; ln "$T/hard" "$T/c2/current"
echo y | svlog "$T/c2"
expect_eq "hard-linked current: mode untouched" "$(mode_of "$T/hard")" 640
# what svlog creates gets 0644, then 0744 once complete (multilog's mark)
echo z | svlog "$T/c3"
expect_eq "current svlog made: 0744 at a clean exit" "$(mode_of "$T/c3/current")" 744

# ---- DIR/lock: 0600, never followed, another user cannot hold it ----
mkfifo "$T/lk.fifo"; exec 3<>"$T/lk.fifo"
(umask 0; exec svlog "$T/lk" <"$T/lk.fifo") & P=$!; PIDS+=("$P")
echo ready >&3
await_file "$T/lk/current" ready
expect_eq "lock: mode 0600 whatever the umask" "$(mode_of "$T/lk/lock")" 600
kill -TERM "$P"; await_pid_gone "$P"
exec 3>&-
mkdir -p "$T/lk2" && ln -s "$T/secret" "$T/lk2/lock"
echo x | svlog "$T/lk2" 2>"$T/lk2.err"; rc=$?
expect_eq "symlink as lock: exit 111, one line" "$rc:$(cat "$T/lk2.err")" \
  "111:svlog: fatal: unable to open $T/lk2/lock: is a symbolic link (svlog never follows one)"
expect_eq "symlink as lock: target untouched" "$(cat "$T/secret"):$(mode_of "$T/secret")" precious:600

if [ -n "$as_root" ] && command -v setpriv >/dev/null && [ -x /usr/bin/python3 ]; then
  # an older svlog's lock, 0644: another user opens it and takes a read lock
  mkdir -p "$T/lk3"; chmod 755 "$T/lk3"
  : > "$T/lk3/lock"; chmod 644 "$T/lk3/lock"
  mkdir -m 777 "$T/nb"
  bg setpriv --reuid=$NB --regid=$NB --clear-groups /usr/bin/python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.lockf(fd, fcntl.LOCK_SH)
open(sys.argv[2], "w").write("held\n")
time.sleep(600)' "$T/lk3/lock" "$T/nb/held"
  HOLDER=$BGPID
  check "lock: a user holds a read lock on an old 0644 lock" await_file "$T/nb/held" held
  echo line | svlog "$T/lk3" 2>"$T/lk3.err"; rc=$?
  expect_eq "lock: another user's read lock does not keep svlog out" "$rc:$(cat "$T/lk3/current")" "0:line"
  expect_eq "lock: replaced by a fresh 0600 one" "$(mode_of "$T/lk3/lock"):$(stat -c %u "$T/lk3/lock")" 600:0
  out=$(asnobody /usr/bin/python3 -c '
import os, sys
try:
    os.open(sys.argv[1], os.O_RDONLY); print("opened")
except PermissionError: print("denied")' "$T/lk3/lock")
  expect_eq "lock: another user cannot open it" "$out" denied
  kill "$HOLDER" 2>/dev/null
else
  echo "ok lock held by another user: skipped (needs root, setpriv and python3)"
fi

# ---- values that do not fit: usage errors, one line naming option and value ----
badval() { # NAME OPT VALUE
  local err rc
  err=$(svlog "$2" "$3" "$T/bv" </dev/null 2>&1); rc=$?
  expect_eq "$1: exit 100" $rc 100
  expect_match "$1: one line naming $2 and $3" "$err" "^svlog: fatal: invalid value for $2: $3 \(want [^)]*\)$"
  check "$1: no directory made" test ! -e "$T/bv"
}
badval "-s 99999999999999GB" -s 99999999999999GB
badval "-s 2^64" -s 18446744073709551616
badval "-s 17179869184GB" -s 17179869184GB
badval "-n over 100000" -n 100001
badval "-n 2^32+1 (would wrap to 1)" -n 4294967297
badval "-l 2^64+1" -l 18446744073709551617
badval "-l 9223372036854775808 (past SIZE_MAX/2)" -l 9223372036854775808
seq 1 10 | svlog -s 18446744073709551615 "$T/bv2"
expect_eq "-s 2^64-1 fits: accepted" $? 0

# ---- stdout= logger runs as the service's user ----
if [ -n "$as_root" ]; then
  U=svkit-test
  if ! id "$U" >/dev/null 2>&1; then
    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$U" 2>/dev/null || U=nobody
  fi
  uid=$(id -u "$U")
  mkdir -p "$T/ulog"; chown "$U" "$T/ulog"
  echo precious > "$T/rootfile"; chmod 600 "$T/rootfile"
  chmod 755 "$SVDIR"
  mksv asuser 'echo "hello from $(id -u)"; exec sleep 600'
  printf 'user=%s\nstdout=%s/ulog/out.log\n' "$U" "$T" > "$SVDIR/asuser/conf"
  supervise_bg "$SVDIR/asuser"; SUP=$BGPID
  check "user=: the service's line reaches the file" await_file "$T/ulog/out.log" "hello from $uid" 10000
  lp=$(ps -o pid=,comm= --ppid "$SUP" | awk '$2 == "svlog" { print $1 }')
  expect_eq "user=: svlog runs as $U" "$(awk '/^Uid:/ { print $2 ":" $3 }' /proc/"$lp"/status 2>/dev/null)" "$uid:$uid"
  expect_eq "user=: the file belongs to $U" "$(stat -c %u "$T/ulog/out.log")" "$uid"
  svc -x -d -w D -T 5000 "$SVDIR/asuser"; await_pid_gone "$SUP"
  # the user replaces the file by a link to a root file: the logger (not
  # root) cannot write it, and would not follow the link anyway
  rm -f "$T/ulog/out.log"; ln -s "$T/rootfile" "$T/ulog/out.log"
  supervise_bg "$SVDIR/asuser"; SUP=$BGPID
  check "user=: a planted link is refused, with a warning" await_file "$T/asuser.err" "is a symbolic link" 10000
  expect_eq "user=: the root file is untouched" "$(cat "$T/rootfile"):$(mode_of "$T/rootfile")" precious:600
  # the link goes away: the retried logger writes every line, none lost
  rm -f "$T/ulog/out.log"
  check "user=: once the link is gone, the retried logger writes the line" await_file "$T/ulog/out.log" "hello from $uid" 10000
  svc -x -d -w D -T 5000 "$SVDIR/asuser"; await_pid_gone "$SUP"
else
  echo "ok stdout= logger as the service's user: skipped (not root: cannot change user)"
fi

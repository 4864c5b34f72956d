#!/usr/bin/env bash
# examples/fdhold-daemon and examples/fdhold-web run unchanged under supervise.
. "$SVTOP/tests/lib.sh"
# ask PORT: one line through a fresh connection; echoes the answer
ask() {
  local c line
  exec {c}<>"/dev/tcp/127.0.0.1/$1" || return 1
  echo hello >&"$c"
  IFS= read -r -t 5 -u "$c" line
  exec {c}<&-
  echo "$line"
}
P=$(freeport)
cp -r "$SVTOP/examples/fdhold-daemon" "$SVTOP/examples/fdhold-web" "$SVDIR/"
for s in fdhold-daemon fdhold-web; do
  mkdir -p "$SVDIR/$s/env"
  echo "$T/run/fdhold/sock" >"$SVDIR/$s/env/FDHOLD_SOCKET"
done
echo "tcp:127.0.0.1:$P" >"$SVDIR/fdhold-web/env/WEB_ADDRESS"
# the run scripts log to stdout (exec 2>&1), which is supervise's here
supervise_bg "$SVDIR/fdhold-daemon" >"$T/daemon.out"
check "fdhold-daemon runs" await_status "$SVDIR/fdhold-daemon" state=RUNNING
check "fdhold-daemon listens" await_file "$T/daemon.out" "listening on $T/run/fdhold/sock"
supervise_bg "$SVDIR/fdhold-web" >"$T/web.out"
check "fdhold-web runs" await_status "$SVDIR/fdhold-web" state=RUNNING
pid1=$(statusval "$SVDIR/fdhold-web" pid)
expect_eq "fdhold-web answers" "$(ask "$P")" "$pid1 hello"
svc -r -w r -T 10000 "$SVDIR/fdhold-web"
pid2=$(statusval "$SVDIR/fdhold-web" pid)
check "fdhold-web restarted" test "$pid2" != "$pid1"
expect_eq "fdhold-web answers after restart" "$(ask "$P")" "$pid2 hello"
expect_eq "the holder holds web" "$(fdhold list "$T/run/fdhold/sock")" "web"
svc -d -w d -T 10000 "$SVDIR/fdhold-web"
svc -d -w d -T 10000 "$SVDIR/fdhold-daemon"
check "fdhold-daemon removed its socket" test ! -e "$T/run/fdhold/sock"

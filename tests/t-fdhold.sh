#!/usr/bin/env bash
# fdhold (SPEC §8): the daemon, its clients, bad input, and listen.
. "$SVTOP/tests/lib.sh"
chmod 711 "$T" # uid 65534 must reach the sockets to be refused by the daemon

ND=0
# startd SOCK ARGS...: an fdhold daemon on SOCK; its stderr arrives through a
# fifo read by waitlog; sets DPID, DFD, DLOG.  Waits for "listening on".
startd() {
  local sock=$1 fifo
  shift
  ND=$((ND + 1))
  fifo=$T/d$ND.fifo DLOG=$T/d$ND.log
  mkfifo "$fifo"
  exec {DFD}<>"$fifo"
  : >"$DLOG"
  bg fdhold daemon "$@" "$sock" 2>"$fifo"
  DPID=$BGPID
  waitlog 'info: listening on'
}
# waitlog REGEX: reads the current daemon's log until a line matches (5 s)
waitlog() {
  local line
  while IFS= read -r -t 5 -u "$DFD" line; do
    printf '%s\n' "$line" >>"$DLOG"
    [[ $line =~ $1 ]] && return 0
  done
  return 1
}
# stopd: SIGTERM, bounded wait; the exit code in STOPRC
stopd() {
  local i
  kill -TERM "$DPID"
  for i in $(seq 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.05; done
  wait "$DPID"
  STOPRC=$?
}
# rc CMD...: runs CMD, stderr to $T/err, echoes the exit code
rc() { "$@" 2>"$T/err"; echo $?; }
err() { cat "$T/err"; }

S=$T/fdhold.sock
if ! startd "$S"; then fail "daemon starts: no 'listening on' line"; exit 1; fi
ok "daemon starts"
check "socket exists" test -S "$S"
expect_eq "list empty" "$(fdhold list "$S"; echo "rc=$?")" "rc=0"

# ---- round trips ----
fdhold store "$S" out 0>>"$T/out"
expect_eq "store rc" "$?" 0
fdhold retrieve "$S" out sh -c 'echo through >&0'
expect_eq "retrieve writes through the same file" "$(cat "$T/out")" "through"
fdhold retrieve "$S" out sh -c 'echo again >&0'
expect_eq "retrieve keeps it held" "$(tail -n 1 "$T/out")" "again"
fdhold store "$S" b </dev/null && fdhold store "$S" a </dev/null
expect_eq "list sorted, one per line" "$(fdhold list "$S" | tr '\n' ' ')" "a b out "
expect_eq "store over an existing id refused" "$(rc fdhold store "$S" out </dev/null)" 1
expect_match "store over: message" "$(err)" '^fdhold: fatal: unable to store out: identifier already held'
fdhold retrieve "$S" out sh -c 'echo original >&0'
expect_eq "store over: original kept" "$(tail -n 1 "$T/out")" "original"
expect_eq "retrieve -D" "$(rc fdhold retrieve -D "$S" a true)" 0
expect_eq "retrieve -D removes it" "$(fdhold list "$S" | tr '\n' ' ')" "b out "
expect_eq "retrieve unknown exits 1" "$(rc fdhold retrieve "$S" a true)" 1
expect_eq "retrieve unknown: message" "$(err)" "fdhold: fatal: unable to retrieve a: no such identifier"
expect_eq "retrieve -D unknown exits 1" "$(rc fdhold retrieve -D "$S" a true)" 1
expect_eq "delete" "$(rc fdhold delete "$S" b)" 0
expect_eq "delete unknown exits 1" "$(rc fdhold delete "$S" b)" 1
expect_eq "delete unknown: message" "$(err)" "fdhold: fatal: unable to delete b: no such identifier"
expect_eq "list after delete" "$(fdhold list "$S")" "out"
# a socket too: one end of a fifo-free pipe pair is enough to show identity
mkfifo "$T/p"
exec {pr}<>"$T/p"
fdhold store "$S" pipe 0>"$T/p"
fdhold retrieve -D "$S" pipe sh -c 'echo via-pipe >&0'
IFS= read -r -t 5 -u "$pr" line
expect_eq "pipe round trip" "$line" "via-pipe"
exec {pr}<&-

# ---- identifiers ----
long255=$(printf 'x%.0s' $(seq 255))
long256=${long255}y
expect_eq "id of 255 bytes" "$(rc fdhold store "$S" "$long255" </dev/null)" 0
expect_eq "id of 255 bytes listed" "$(fdhold list "$S" | grep -c '^x*$')" 1
expect_eq "id of 256 bytes: usage" "$(rc fdhold store "$S" "$long256" </dev/null)" 100
expect_match "id of 256 bytes: message" "$(err)" '^fdhold: fatal: invalid identifier'
expect_eq "id with a tab: usage" "$(rc fdhold retrieve "$S" $'a\tb' true)" 100
expect_eq "id with a newline: usage" "$(rc fdhold delete "$S" $'a\nb')" 100
expect_eq "empty id: usage" "$(rc fdhold store "$S" '' </dev/null)" 100
expect_eq "id with spaces is fine" "$(rc fdhold store "$S" 'with space' </dev/null)" 0
fdhold delete "$S" 'with space'
fdhold delete "$S" "$long255"

# ---- malformed requests, sent raw; the daemon answers, logs, survives ----
raw() { fdhold_raw "$@" 2>&1; }
expect_eq "raw: unknown command" "$(raw "$S" $'X\n')" "-proto"
check "raw: unknown command logged" waitlog 'unknown request'
expect_eq "raw: binary garbage" "$(raw "$S" $'\xff\xfe\x01')" "-proto"
expect_eq "raw: truncated request" "$(raw -w "$S" 'Rout')" "-proto"
check "raw: truncated logged" waitlog 'truncated request'
expect_eq "raw: store without its F byte" "$(raw -w "$S" $'Sz\n')" "-proto"
expect_eq "raw: store without an fd" "$(raw "$S" $'Sz\nF')" "-proto"
expect_eq "raw: store with two fds" "$(raw -f -f "$S" $'Sz\nF' </dev/null)" "-proto"
expect_eq "raw: retrieve with an fd" "$(raw -f "$S" $'Rout\n' </dev/null)" "-proto"
expect_eq "raw: store with trailing bytes" "$(raw -f "$S" $'Sz\nFjunk' </dev/null)" "-proto"
expect_eq "raw: list with an id" "$(raw "$S" $'Lzz\n')" "-proto"
expect_eq "raw: control char in id" "$(raw "$S" $'R\x01x\n')" "-badid"
expect_eq "raw: DEL in id" "$(raw "$S" $'R\x7f\n')" "-badid"
expect_eq "raw: empty id" "$(raw "$S" $'R\n')" "-badid"
expect_eq "raw: id of 256 bytes" "$(raw "$S" "R$long256"$'\n')" "-toolong"
expect_eq "raw: store, id of 256 bytes" "$(raw -f "$S" "S$long256"$'\nF' </dev/null)" "-toolong"
expect_eq "raw: 300 bytes, no newline" "$(raw "$S" "R${long255}${long255}")" "-toolong"
expect_eq "raw: good store" "$(raw -f "$S" $'Sz\nF' </dev/null)" "+"
expect_eq "raw: good retrieve carries an fd" "$(raw "$S" $'Rz\n' | tr '\n' ' ')" "+ F<fd>"
expect_eq "raw: list" "$(raw "$S" $'L\n' | tr '\n' ' ')" "+ out z "
check "daemon alive after bad input" kill -0 "$DPID"
expect_eq "daemon still serving" "$(fdhold list "$S" | tr '\n' ' ')" "out z "

# ---- uids ----
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
expect_eq "uid not allowed: refused" "$(rc nobody fdhold list "$S")" 111
expect_eq "uid not allowed: message" "$(err)" \
  "fdhold: fatal: unable to list $S: permission denied: the fdhold daemon does not serve uid 65534"
check "uid not allowed: logged" waitlog 'uid 65534 pid [0-9]+: refused: uid not allowed'
expect_eq "uid not allowed: store refused too" \
  "$(nobody bash -c "fdhold store '$S' n </dev/null 2>/dev/null; echo \$?")" 111
check "uid not allowed: daemon unharmed" kill -0 "$DPID"
expect_eq "uid not allowed: still serving" "$(fdhold list "$S" | tr '\n' ' ')" "out z "
D1=$DPID DFD1=$DFD DLOG1=$DLOG
S2=$T/allowed.sock
startd "$S2" -u 65534,12345
expect_eq "-u: listed uid may store" "$(nobody bash -c "fdhold store '$S2' n </dev/null; echo \$?")" 0
expect_eq "-u: listed uid may list" "$(nobody fdhold list "$S2")" "n"
expect_eq "-u: own uid still allowed" "$(fdhold list "$S2")" "n"
stopd
expect_eq "-u: clean shutdown" "$STOPRC" 0
check "-u: socket removed on SIGTERM" test ! -e "$S2"
check "shutdown logged" waitlog 'info: exiting on SIGTERM, dropping 1 held fds'
expect_eq "bad -u: usage" "$(rc fdhold daemon -u nosuchuser_zz "$T/x.sock")" 100
main() { DPID=$D1 DFD=$DFD1 DLOG=$DLOG1; }
main

# ---- a second daemon on a live socket ----
expect_eq "second daemon on a live socket" "$(rc fdhold daemon "$S")" 111
expect_match "second daemon: message" "$(err)" "^fdhold: fatal: unable to bind $S: another fdhold daemon"

# ---- a path that is not a socket is never removed ----
# (connect to a regular file says ECONNREFUSED, like a stale socket)
echo precious >"$T/precious"
expect_eq "daemon on a regular file: exit 100" "$(rc timeout 5 fdhold daemon "$T/precious")" 100
expect_eq "daemon on a regular file: message" "$(err)" \
  "fdhold: fatal: unable to bind $T/precious: exists and is not a socket"
expect_eq "daemon on a regular file: file kept" "$(cat "$T/precious")" "precious"
mkdir "$T/adir"
expect_eq "daemon on a directory: exit 100" "$(rc timeout 5 fdhold daemon "$T/adir")" 100
check "daemon on a directory: directory kept" test -d "$T/adir"

# ---- silent client: timed out, others served meanwhile ----
S3=$T/slow.sock
startd "$S3" -t 1500
bg fdhold_raw "$S3" '' >"$T/silent.out"
silent=$BGPID
fdhold store "$S3" k </dev/null
expect_eq "silent client: others served" "$(fdhold list "$S3")" "k"
check "silent client: still connected while others served" kill -0 "$silent"
wait "$silent"
expect_eq "silent client: raw exit" "$?" 0
expect_eq "silent client: timed out" "$(cat "$T/silent.out")" "-timeout"
check "silent client: logged" waitlog 'timed out before a complete request'
expect_eq "silent client: daemon still serving" "$(fdhold list "$S3")" "k"
stopd

# ---- timeouts are checked at every wake-up, not only when nothing happens ----
# the daemon stopped, a silent client connects first, then 2000 complete
# requests fill the backlog behind it: once continued, the daemon has an event
# at every wake-up until the flood is served.  The silent client's 5 ms are
# up long before that: its timeout must not wait for the flood to end.
S7=$T/busy.sock
bg fdhold daemon -t 5 "$S7" 2>"$T/busy.log"
busyd=$BGPID
await_file "$T/busy.log" "listening on" >/dev/null
kill -STOP "$busyd"
bg fdhold_raw "$S7" '' >"$T/busy.silent"
sil=$BGPID
for i in $(seq 100); do # bounded: connected and asleep in its read
  st=$(awk '{print $3}' /proc/"$sil"/stat 2>/dev/null)
  [ "$st" = S ] && ls -l /proc/"$sil"/fd 2>/dev/null | grep -q socket && break
  sleep 0.05
done
bg fdhold_flood "$S7" 2000 $'X\n' >"$T/flood.out"
flood=$BGPID
await_file "$T/flood.out" ready 10000 >/dev/null
kill -CONT "$busyd"
wait "$flood"
expect_eq "busy daemon: flood served" "$?" 0
wait "$sil"
expect_eq "busy daemon: silent client timed out" "$(cat "$T/busy.silent")" "-timeout"
after=$(awk -v who="pid $sil: timed out" '
  seen && /unknown request/ { n++ }
  index($0, who) { seen = 1 }
  END { print n + 0 }' "$T/busy.log")
if [ "$after" -ge 100 ]; then ok "busy daemon: timeout not deferred until idle"
else fail "busy daemon: timeout not deferred until idle: only $after of 2000 flood requests served after it"; fi
kill -TERM "$busyd"
wait "$busyd"

# ---- max clients: the next client waits in the backlog, then is served ----
S4=$T/one.sock
startd "$S4" -c 1 -t 1000
bg fdhold_raw "$S4" '' >/dev/null
silent=$BGPID
# wait until the daemon has accepted the silent one (its socket shows in /proc)
for i in $(seq 100); do
  [ "$(ls -l /proc/"$DPID"/fd 2>/dev/null | grep -c socket)" -ge 2 ] && break
  sleep 0.05
done
expect_eq "max clients: next one served once a slot frees" "$(rc fdhold list "$S4")" 0
wait "$silent"
stopd

# ---- holder full ----
S5=$T/full.sock
startd "$S5" -n 2
fdhold store "$S5" x </dev/null
fdhold store "$S5" y </dev/null
expect_eq "holder full: store fails" "$(rc fdhold store "$S5" z </dev/null)" 111
expect_eq "holder full: message" "$(err)" "fdhold: fatal: unable to store z: the holder is full"
check "holder full: logged" waitlog 'holder full'
fdhold delete "$S5" x
expect_eq "holder full: room again after delete" "$(rc fdhold store "$S5" z </dev/null)" 0
expect_eq "holder full: contents" "$(fdhold list "$S5" | tr '\n' ' ')" "y z "
stopd
main

# ---- usage ----
expect_eq "usage: no verb" "$(rc fdhold)" 100
expect_eq "usage: bad verb" "$(rc fdhold frob)" 100
expect_eq "usage: retrieve without PROG" "$(rc fdhold retrieve "$S" out)" 100
expect_eq "usage: bad address" "$(rc fdhold listen "$S" web nowhere true)" 100
expect_eq "usage: bad address, one line naming it and why" "$(err)" \
  "fdhold: fatal: unable to listen on nowhere: invalid address: want tcp:HOST:PORT or unix:PATH"
expect_eq "usage: bad tcp host" "$(rc fdhold listen "$S" web tcp:localhost:80 true)" 100
expect_eq "usage: store with fd 0 closed" "$(rc fdhold store "$S" c <&-)" 100
expect_eq "usage: daemon -n 0" "$(rc fdhold daemon -n 0 "$T/x.sock")" 100

# ---- no daemon ----
expect_eq "no daemon: exit 111" "$(rc fdhold list "$T/none.sock")" 111
expect_eq "no daemon: message" "$(err)" \
  "fdhold: fatal: unable to connect to $T/none.sock: No such file or directory"
expect_eq "no daemon: listen exits 111" "$(rc fdhold listen "$T/none.sock" web tcp:127.0.0.1:1 true)" 111

# ---- listen ----
P=$(freeport)
out=$(fdhold listen "$S" web "tcp:127.0.0.1:$P" sh -c \
  'echo "$LISTEN_FDS|$LISTEN_PID|$LISTEN_FDNAMES|$$"; readlink /proc/$$/fd/3' 2>&1)
l1=$(echo "$out" | head -n 1) ino1=$(echo "$out" | sed -n 2p)
pid1=${l1##*|}
expect_eq "listen: LISTEN_* exact" "$l1" "1|$pid1|web|$pid1"
expect_match "listen: fd 3 is a socket" "$ino1" '^socket:\[[0-9]+\]$'
expect_match "listen: bound on 127.0.0.1:$P" \
  "$(grep -i " 0100007F:$(printf %04X "$P") 00000000:0000 0A " /proc/net/tcp | awk '{print $10}')" \
  "^${ino1//[^0-9]/}\$"
expect_eq "listen: socket stored" "$(fdhold list "$S" | grep -c '^web$')" 1
out=$(fdhold listen "$S" web "tcp:127.0.0.1:$P" sh -c 'readlink /proc/$$/fd/3' 2>&1)
expect_eq "listen twice: same socket" "$out" "$ino1"
expect_eq "listen: fd 3 open in caller is replaced" \
  "$(fdhold listen "$S" web "tcp:127.0.0.1:$P" sh -c 'readlink /proc/$$/fd/3' 3</dev/null)" "$ino1"

# a server through listen answers; between two servers connections wait
bg fdhold listen "$S" web "tcp:127.0.0.1:$P" fdhold_echo
e1=$BGPID
exec {c}<>"/dev/tcp/127.0.0.1/$P"
echo hi >&"$c"
IFS= read -r -t 5 -u "$c" line
expect_eq "listen: echo server answers" "$line" "$e1 hi"
exec {c}<&-
kill -TERM "$e1"
wait "$e1"
if exec {c}<>"/dev/tcp/127.0.0.1/$P"; then
  ok "no server: connection still accepted by the held socket"
  echo queued >&"$c"
  bg fdhold listen "$S" web "tcp:127.0.0.1:$P" fdhold_echo
  e2=$BGPID
  IFS= read -r -t 5 -u "$c" line
  expect_eq "next server answers the queued connection" "$line" "$e2 queued"
  exec {c}<&-
  kill -TERM "$e2"
  wait "$e2"
else
  fail "no server: connection refused"
fi

# unix: addresses
U=$T/web.sock
o1=$(fdhold listen "$S" uweb "unix:$U" sh -c 'readlink /proc/$$/fd/3')
o2=$(fdhold listen "$S" uweb "unix:$U" sh -c 'readlink /proc/$$/fd/3')
expect_match "listen unix: fd 3 is a socket" "$o1" '^socket:'
expect_eq "listen unix twice: same socket" "$o2" "$o1"
bg fdhold listen "$S" uweb "unix:$U" fdhold_echo
e3=$BGPID
expect_eq "listen unix: echo server answers" "$(fdhold_raw "$U" $'hello\n')" "$e3 hello"
kill -TERM "$e3"
wait "$e3"

# a unix: path that is someone's file is not a stale socket
expect_eq "listen unix on a regular file: exit 100" \
  "$(rc timeout 5 fdhold listen "$S" pf "unix:$T/precious" true)" 100
expect_eq "listen unix on a regular file: message" "$(err)" \
  "fdhold: fatal: unable to bind unix:$T/precious: exists and is not a socket"
expect_eq "listen unix on a regular file: file kept" "$(cat "$T/precious")" "precious"
expect_eq "listen unix on a regular file: nothing stored" "$(fdhold list "$S" | grep -c '^pf$')" 0

# concurrent first listens: every one ends up with the same socket
bad=
for round in $(seq 10); do
  P=$(freeport)
  lp=()
  for k in 1 2 3; do
    bg fdhold listen "$S" "race$round" "tcp:127.0.0.1:$P" sh -c 'readlink /proc/$$/fd/3' \
      >"$T/race.$k" 2>"$T/race.$k.err"
    lp+=("$BGPID")
  done
  for k in 1 2 3; do
    wait "${lp[k - 1]}" || bad="$bad round $round listen $k exited $? ($(cat "$T/race.$k.err"));"
  done
  [ -s "$T/race.1" ] && [ "$(cat "$T"/race.[123] | sort -u | wc -l)" = 1 ] ||
    bad="$bad round $round: sockets $(cat "$T"/race.[123] | tr '\n' ' ');"
done
expect_eq "concurrent listens: all succeed with the same socket" "$bad" ""
# an address held by something else: still an error, after the bounded wait
P=$(freeport)
fdhold listen "$S" held1 "tcp:127.0.0.1:$P" true
expect_eq "listen on an address in use: exit 111" \
  "$(rc fdhold listen "$S" held2 "tcp:127.0.0.1:$P" true)" 111
expect_eq "listen on an address in use: message" "$(err)" \
  "fdhold: fatal: unable to bind tcp:127.0.0.1:$P: Address already in use"

# ---- the daemon killed while a client waits ----
fdhold store "$S" w </dev/null
kill -STOP "$DPID"
fdhold retrieve "$S" w true 2>"$T/waiter.err" &
waiter=$!
PIDS+=("$waiter")
# bounded: the client is connected and asleep waiting for its answer
for i in $(seq 100); do
  st=$(awk '{print $3}' /proc/"$waiter"/stat 2>/dev/null)
  [ "$st" = S ] && ls -l /proc/"$waiter"/fd 2>/dev/null | grep -q socket && break
  sleep 0.05
done
disown "$DPID" # no "Killed" job notice; the trap still cleans it up by pid
kill -KILL "$DPID"
wait "$waiter"
wrc=$?
expect_eq "daemon killed: waiting client exits 111" "$wrc" 111
expect_eq "daemon killed: clean error" "$(cat "$T/waiter.err")" \
  "fdhold: fatal: unable to retrieve w: connection closed by the fdhold daemon"
expect_eq "stale socket: client exits 111" "$(rc fdhold list "$S")" 111
expect_match "stale socket: message" "$(err)" "^fdhold: fatal: unable to connect to $S: Connection refused"
startd "$S"
expect_eq "new daemon over a stale socket" "$(fdhold list "$S"; echo "rc=$?")" "rc=0"
stopd
expect_eq "clean shutdown" "$STOPRC" 0
check "socket removed" test ! -e "$S"

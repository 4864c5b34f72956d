#!/usr/bin/env bash
# fdhold and SPEC §13 (issue 8 item 8): a take that cannot be sent keeps the
# fd, the socket's mode is set without a chmod by path, refused peers cannot
# flood the log.
. "$SVTOP/tests/lib.sh"
chmod 711 "$T" # uid 65534 must reach the socket to be refused by the daemon

# startd SOCK ARGS...: as in t-fdhold.sh: DPID, and the log through a fifo
startd() {
  local sock=$1 fifo=$T/d.fifo
  shift
  DLOG=$T/d.log
  rm -f "$fifo"; mkfifo "$fifo"
  exec {DFD}<>"$fifo"
  : >"$DLOG"
  bg fdhold daemon "$@" "$sock" 2>"$fifo"
  DPID=$BGPID
  waitlog 'info: listening on'
}
waitlog() {
  local line
  while IFS= read -r -t 5 -u "$DFD" line; do
    printf '%s\n' "$line" >>"$DLOG"
    [[ $line =~ $1 ]] && return 0
  done
  return 1
}
stopd() {
  local i
  kill -TERM "$DPID"
  for i in $(seq 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.05; done
  wait "$DPID"
}

S=$T/s.sock
startd "$S" || { fail "daemon starts"; exit 1; }

# ---- a take whose answer cannot be sent puts the fd back ----
fdhold store "$S" x 0>>"$T/x"
# the daemon is stopped while the client asks and leaves: once continued it
# reads the request, and its answer meets a closed peer (EPIPE)
kill -STOP "$DPID"
fdhold_raw -q "$S" $'Tx\n'
kill -CONT "$DPID"
check "take not delivered: logged" waitlog 'take not delivered: fd kept'
expect_eq "take not delivered: still listed" "$(fdhold list "$S")" x
fdhold retrieve -D "$S" x sh -c 'echo back >&0'
expect_eq "take not delivered: the same file held" "$(cat "$T/x")" back
expect_eq "a take delivered deletes" "$(fdhold list "$S")" ""

# ---- refused peers: at most one line a second, the rest counted ----
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# all 200 wait in the backlog of the stopped daemon, then come at once
kill -STOP "$DPID"
nobody fdhold_flood "$S" 200 $'L\n' >"$T/flood" &
FPID=$!
PIDS+=("$FPID")
for i in $(seq 200); do grep -q ready "$T/flood" && break; sleep 0.05; done
kill -CONT "$DPID"
wait "$FPID"
expect_eq "flood: every client answered" "$?" 0
check "flood refused: summary line" waitlog 'warning: [0-9]+ more clients refused: uid not allowed'
lines=$(grep -c 'refused: uid not allowed$' "$DLOG")
quiet=$(awk '/more clients refused/ { for (i = 1; i <= NF; i++) if ($i == "more") s += $(i - 1) } END { print s + 0 }' "$DLOG")
expect_eq "flood refused: every refusal counted" "$((lines + quiet))" 200
check "flood refused: few lines ($lines)" test "$lines" -le 3
check "daemon still serves" test "$(fdhold list "$S"; echo rc=$?)" = "rc=0"
stopd

# ---- the socket's mode comes with bind: no chmod by path ----
# a chmod after bind would follow a symlink planted in between in a
# directory others can write; strace shows there is none
S2=$T/s2.sock
strace -f -qq -o "$T/strace" -e trace=chmod,fchmodat,lchown,chown,fchownat \
  sh -c 'umask 077; exec fdhold daemon "$1" 2>/dev/null' sh "$S2" &
SPID=$!
PIDS+=("$SPID")
for i in $(seq 100); do [ -S "$S2" ] && fdhold list "$S2" >/dev/null 2>&1 && break; sleep 0.05; done
expect_eq "socket made 0666 under umask 077" "$(stat -c %a "$S2" 2>/dev/null)" 666
expect_eq "no chmod of any path" "$(grep -c 'chmod' "$T/strace")" 0
pid=$(pgrep -P "$SPID" -x fdhold || sed -n 's/^\([0-9]*\) .*execve.*fdhold.*/\1/p' "$T/strace" | tail -n 1)
[ -n "$pid" ] && kill -TERM "$pid"
wait "$SPID" 2>/dev/null

# a symlink where the socket goes is not a stale socket: refused, untouched
touch "$T/target"; chmod 600 "$T/target"
ln -s "$T/target" "$T/s3.sock"
expect_eq "symlink at SOCKET: refused" "$(fdhold daemon "$T/s3.sock" 2>"$T/err"; echo $?)" 100
expect_match "symlink at SOCKET: message" "$(cat "$T/err")" 'exists and is not a socket'
expect_eq "symlink target mode untouched" "$(stat -c %a "$T/target")" 600

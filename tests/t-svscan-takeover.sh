# svscan killed with -9 and started again: the new one takes the running
# supervise processes over (SPEC §6): no second copy, no lock error loop, no
# log line lost, and svc quit stops everything.
. "$(dirname "$0")/lib.sh"

start_svscan() { bg "$SVBIN/svscan" "$SVDIR" 2>>"$T/svscan$1.err"; SCAN=$BGPID; }
supervisor() { statusval "$SVDIR/$1" supervisor; }
# procs EXE DIR: pids of live processes running EXE with cwd DIR
procs() {
  local c p
  # the few processes whose cwd is under DIR first (one find), then their exe
  for c in $(find /proc -mindepth 2 -maxdepth 2 -name cwd \( -lname "$2" -o -lname "$2/main" \) 2>/dev/null); do
    p=${c%/cwd}
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] || continue
    case $(sed -n 's/^State:\t\(.\).*/\1/p' "$p/status" 2>/dev/null) in Z|X|'') continue ;; esac
    echo "${p#/proc/}"
  done
}
# copies: one line "loads svlogs sleeps supervises" counting live processes
copies() {
  echo "$(procs "$SVTEST/numlines" "$SVDIR/talk" | wc -l)" \
    "$(procs "$SVBIN/svlog" "$SVDIR/talk/log" | wc -l)" \
    "$(procs "$(readlink -f /bin/sleep)" "$SVDIR/web" | wc -l)" \
    "$(( $(procs "$SVBIN/supervise" "$SVDIR/web" | wc -l) + $(procs "$SVBIN/supervise" "$SVDIR/talk" | wc -l) + $(procs "$SVBIN/supervise" "$SVDIR/talk/log" | wc -l) + $(procs "$SVBIN/supervise" "$SVDIR/multi" | wc -l) ))"
}
N=6000
log=$SVDIR/talk/log/main/current
mksv web 'exec sleep 1401'
mksv multi 'exec sleep 1402'
echo numprocs=2 > "$SVDIR/multi/conf"
mksv talk "exec numlines $N 700"
mkdir -p "$SVDIR/talk/log"
printf '#!/bin/sh\nexec svlog ./main\n' > "$SVDIR/talk/log/run"; chmod +x "$SVDIR/talk/log/run"

start_svscan 1
for d in web talk talk/log multi/supervise@0 multi/supervise@1; do
  await_status "$SVDIR/$d" state=RUNNING 10000 || fail "$d runs"
done
before="$(supervisor web) $(supervisor talk) $(supervisor talk/log) $(statusval "$SVDIR/multi/supervise@0" supervisor) $(statusval "$SVDIR/multi/supervise@1" supervisor)"
await_file "$log" $'\n300\n' 10000 || fail "lines reach the log"

# ---- kill -9 svscan, start another ----
kill -KILL "$SCAN"; await_pid_gone "$SCAN" 5000
start_svscan 2
check "takeover: the new svscan announces each takeover" \
  await_file "$T/svscan2.err" "multi/supervise@1, pid" 5000
check "takeover: lines keep coming" await_file "$log" $'\n1500\n' 10000
after="$(supervisor web) $(supervisor talk) $(supervisor talk/log) $(statusval "$SVDIR/multi/supervise@0" supervisor) $(statusval "$SVDIR/multi/supervise@1" supervisor)"
expect_eq "takeover: the same supervise processes run every service" "$after" "$before"
expect_eq "takeover: one copy of each (load, svlog, sleep, 5 supervise)" "$(copies)" "1 1 1 5"
expect_eq "takeover: no lock error" "$(grep -c 'unable to lock' "$T/svscan2.err")" 0
check "takeover: svscan's stderr stays short ($(wc -l < "$T/svscan2.err") lines)" test "$(wc -l < "$T/svscan2.err")" -le 8
check "takeover: the log pipe taken from the running supervise" \
  grep -q 'took over the log pipe of talk' "$T/svscan2.err"

# ---- the adopted logger side dies: restarted on the taken-over pipe ----
lsup=$(supervisor talk/log)
kill -KILL "$lsup"
check "takeover: a killed adopted supervise is replaced" \
  await_file "$T/svscan2.err" "supervise for logger of talk exited ?: restarting" 5000
for i in $(seq 50); do s=$(supervisor talk/log); [ -n "$s" ] && [ "$s" != "$lsup" ] && kill -0 "$s" 2>/dev/null && break; sleep 0.1; done
svc -t talk/log      # a new svlog, whose stdin is the pipe the new svscan holds
check "takeover: a new svlog reads the same pipe" await_file "$log" $'\n3000\n' 15000
# the writer side's supervise too
wsup=$(supervisor talk); wpid=$(statusval "$SVDIR/talk" pid)
kill -KILL "$wsup"
for i in $(seq 50); do s=$(supervisor talk); [ -n "$s" ] && [ "$s" != "$wsup" ] && kill -0 "$s" 2>/dev/null && break; sleep 0.1; done
expect_eq "takeover: the load was adopted, not started again" "$(statusval "$SVDIR/talk" pid)" "$wpid"

# ---- and once more: kill -9 the second svscan ----
kill -KILL "$SCAN"; await_pid_gone "$SCAN" 5000
start_svscan 3
check "second takeover: announced" await_file "$T/svscan3.err" "multi/supervise@1, pid" 5000
expect_eq "second takeover: no lock error" "$(grep -c 'unable to lock' "$T/svscan3.err")" 0
check "every line reaches the log" await_file "$log" $'\n'"$N"$'\n' 30000
expect_eq "one copy of each after two takeovers" "$(copies)" "1 1 1 5"
expect_eq "every line 1..$N exactly once" \
  "$(sort -n "$log" | uniq -c | awk '$1 != 1 { bad++ } END { print NR, bad + 0 }')" "$N 0"

# ---- svc quit stops the adopted tree ----
runs="$(statusval "$SVDIR/web" pid) $(statusval "$SVDIR/talk" pid) $(statusval "$SVDIR/talk/log" pid) $(statusval "$SVDIR/multi/supervise@0" pid)"
sups="$(supervisor web) $(supervisor talk) $(supervisor talk/log) $(statusval "$SVDIR/multi/supervise@1" supervisor)"
svc quit >/dev/null
RC=timeout; if await_pid_gone "$SCAN" 20000; then wait "$SCAN"; RC=$?; fi
expect_eq "svc quit after a takeover: svscan exits 0" "$RC" 0
left=""; for p in $runs $sups; do case $(sed -n "s/^State:\t\(.\).*/\1/p" /proc/$p/status 2>/dev/null) in ""|Z) ;; *) left="$left $p:$(tr "\0" " " < /proc/$p/cmdline)" ;; esac; done
expect_eq "svc quit after a takeover: every run and supervise is gone" "$left" ""
expect_eq "nothing left of the tree" "$(copies)" "0 0 0 0"

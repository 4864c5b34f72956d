# svscan as PID 1 of a pid namespace (a container entrypoint): reaps every
# orphan, stops the tree on SIGTERM, SIGINT or SIGPWR and exits 0.
. "$(dirname "$0")/lib.sh"

NS=$T/ns
# pids in $NS's status files are the namespace's: never let the cleanup
# trap kill them in ours (unshare --kill-child takes the whole namespace down)
eval "orig_$(declare -f kill_recorded_services)"
kill_recorded_services() { rm -rf "$NS"; orig_kill_recorded_services; }

if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
  ok "SKIP pid namespaces unavailable (unshare --pid needs root)"
  exit 0
fi

# hostpid CMDLINE: our pid of the process of svscan's namespace whose command
# line is exactly CMDLINE (another test run may have the same command lines)
hostpid() {
  local p ns
  ns=$(readlink "/proc/$SCAN/ns/pid") || return 1
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
    [ "$( { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null)" = "$1 " ] && { echo "${p#/proc/}"; return 0; }
  done
  return 1
}
reaped() { local i; for i in $(seq 1 "${2:-50}"); do [ -e "/proc/$1" ] || return 0; sleep 0.1; done; return 1; }
# start_ns: svscan as PID 1 of a new namespace; $UNS unshare's pid, $SCAN svscan's (ours)
start_ns() {
  bg unshare --pid --kill-child --mount-proc "$SVBIN/svscan" "$NS" 2>>"$T/svscan.err"; UNS=$BGPID
  SCAN=
  for i in $(seq 1 50); do
    SCAN=$(cat "/proc/$UNS/task/$UNS/children" 2>/dev/null | tr -d ' ')
    [ -n "$SCAN" ] && [ "$(readlink "/proc/$SCAN/exe")" = "$SVBIN/svscan" ] && break
    sleep 0.1
  done
}
# stop_ns SIG: sends SIG to svscan; $RC unshare's exit code (svscan's)
stop_ns() {
  kill -"$1" "$SCAN"
  RC=timeout
  if await_pid_gone "$UNS" 20000; then wait "$UNS"; RC=$?; fi
}

mkdir -p "$NS/p1web" "$NS/p1orph" "$NS/p1web/log"
printf '#!/bin/sh\nexec sleep 1301\n' > "$NS/p1web/run"
printf '#!/bin/sh\nexec cat > %s/p1web.log\n' "$T" > "$NS/p1web/log/run"
printf '#!/bin/sh\nsleep 1302 &\nexec sleep 1303\n' > "$NS/p1orph/run"
chmod +x "$NS"/*/run "$NS/p1web/log/run"

start_ns
expect_eq "svscan is PID 1 in its namespace" "$(sed -n 's/^NSpid:.*\t//p' "/proc/$SCAN/status")" 1
check "services run under PID 1" await_status "$NS/p1web" state=RUNNING
check "logger runs under PID 1" await_status "$NS/p1web/log" state=RUNNING
check "orphan maker runs" await_status "$NS/p1orph" state=RUNNING
expect_eq "PID 1 passes a clean signal mask" \
  "$(sed -n 's/^SigBlk:\t//p' "/proc/$(hostpid "sleep 1301")/status")" 0000000000000000
# kill the supervise: run and its child now belong to PID 1, which must reap them
sup=$(hostpid "$SVBIN/supervise p1orph")
kill -KILL "$sup"
run=$(hostpid "sleep 1303"); child=$(hostpid "sleep 1302")
# the old status file already names the run: wait for the new supervise's own
new=
for i in $(seq 1 50); do
  new=$(hostpid "$SVBIN/supervise p1orph") && [ "$new" != "$sup" ] && break
  new=; sleep 0.1
done
check "a new supervise adopts the orphaned service" \
  await_status "$NS/p1orph" "supervisor=$(sed -n 's/^NSpid:.*\t//p' "/proc/$new/status" 2>/dev/null)"
expect_eq "  ... the same run" "$(statusval "$NS/p1orph" pid)" "$(sed -n 's/^NSpid:.*\t//p' "/proc/$run/status")"
# the child stays its parent's zombie until the run (sleep, which never
# waits) dies too; then both are PID 1's to reap
kill -KILL "$child" "$run"
check "PID 1 reaps the orphaned run (no zombie)" reaped "$run"
check "PID 1 reaps an orphaned grandchild (no zombie)" reaped "$child"
# supervise may only see the leftover group (the child, reaped by PID 1, not
# its child) gone at its stopwaitsecs deadline: up to 10 s
check "and the service comes back" await_status "$NS/p1orph" restarts=1 15000
web=$(hostpid "sleep 1301")
stop_ns TERM
expect_eq "SIGTERM to PID 1: exit 0" "$RC" 0
check "SIGTERM to PID 1: services were stopped" reaped "$web"
expect_eq "SIGTERM to PID 1: state STOPPED" "$(statusval "$NS/p1web" state)" STOPPED

for sig in INT PWR; do
  start_ns
  check "SIG$sig: tree runs" await_status "$NS/p1web" "supervisor=$(
    for i in $(seq 1 50); do s=$(hostpid "$SVBIN/supervise p1web") && { sed -n 's/^NSpid:.*\t//p' "/proc/$s/status"; break; }; sleep 0.1; done)"
  web=$(hostpid "sleep 1301")
  stop_ns "$sig"
  expect_eq "SIG$sig to PID 1: exit 0" "$RC" 0
  check "SIG$sig to PID 1: services were stopped" reaped "$web"
done
rm -rf "$NS"

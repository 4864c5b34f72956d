# svscan as init (SPEC §11), in a pid namespace where it is PID 1 of a
# container: .svscan/boot (failing, hanging: bounded), svc poweroff|reboot
# (reverse-priority stop, a hanging .svscan/shutdown bounded, a process that
# ignores SIGTERM killed after 5 s, exit 0), and the refusal when svscan is
# not PID 1.  The machine path (reboot(2), unmount) is proven by make boot-test.
. "$(dirname "$0")/lib.sh"

NS=$T/ns
eval "orig_$(declare -f kill_recorded_services)"
kill_recorded_services() { rm -rf "$NS"; orig_kill_recorded_services; }

# mkns NAME PRIO: a service of $NS that writes its name to $T/stops on SIGTERM
mkns() {
  mkdir -p "$NS/$1"
  echo "priority=$2" > "$NS/$1/conf"
  printf '#!/bin/sh\ntrap '\''echo %s >> %s/stops; kill $!; exit 0'\'' TERM\nsleep %s &\nwait\n' "$1" "$T" "$3" > "$NS/$1/run"
  chmod +x "$NS/$1/run"
}
# start_ns [ENV=VAL...]: svscan as PID 1 of a new pid namespace; $UNS unshare's pid
start_ns() {
  bg env "$@" unshare --pid --fork --kill-child --mount-proc "$SVBIN/svscan" "$NS" 2>"$T/svscan.err"; UNS=$BGPID
}
# await_exit SECS: $RC unshare's (svscan's) exit code, "timeout" if still running
await_exit() {
  RC=timeout
  if await_pid_gone "$UNS" "$(($1 * 1000))"; then wait "$UNS"; RC=$?; fi
}
# the line number of the first line of svscan.err matching RE
lineno() { grep -n -- "$1" "$T/svscan.err" | head -n 1 | cut -d: -f1; }

if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
  ok "SKIP pid namespaces unavailable (unshare --pid needs root)"
  exit 0
fi

# ---- a failing boot; poweroff with a hanging shutdown and a TERM-proof process
mkdir -p "$NS/.svscan"
mkns ilow 100 1401
mkns ihigh 200 1402
mkdir -p "$NS/istubborn"
printf '#!/bin/sh\nexec sleep 1404\n' > "$NS/istubborn/run"
chmod +x "$NS/istubborn/run"
# the TERM-proof process is started by boot, outside every service (a
# service's own would go with its cgroup when the service stops)
printf '#!/bin/sh\nsetsid sh -c '\''trap "" TERM; exec sleep 1403'\'' </dev/null >/dev/null 2>&1 &\necho booted > %s/booted\nexit 3\n' "$T" > "$NS/.svscan/boot"
printf '#!/bin/sh\necho "$1" > %s/shutdown-arg\nexec sleep 1405\n' "$T" > "$NS/.svscan/shutdown"
chmod +x "$NS/.svscan/boot" "$NS/.svscan/shutdown"

start_ns SVSCAN_SHUTDOWN_TIMEOUT=1
check "services run after a failing boot" await_status "$NS/ilow" state=RUNNING
check "every service runs" await_status "$NS/istubborn" state=RUNNING
expect_eq "boot ran once" "$(cat "$T/booted" 2>/dev/null)" booted
check "the failing boot is on the console" grep -q 'boot exited 3: going on' "$T/svscan.err"
expect_eq ".svscan/init says container" "$(cat "$NS/.svscan/init" 2>/dev/null)" container
# the setsid'd sleep that ignores TERM
stubborn= ns=
for i in $(seq 1 50); do
  kid=$(tr -d ' ' < "/proc/$UNS/task/$UNS/children" 2>/dev/null)
  [ -n "$kid" ] && ns=$(readlink "/proc/$kid/ns/pid")
  for p in /proc/[0-9]*; do
    [ -n "$ns" ] && [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
    [ "$( { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null)" = "sleep 1403 " ] && stubborn=${p#/proc/}
  done
  [ -n "$stubborn" ] && break
  sleep 0.1
done
check "a process ignores SIGTERM" [ -n "$stubborn" ]
t0=$(date +%s%N)
out=$(SVDIR=$NS "$SVBIN/svc" poweroff 2>&1); rc=$?
expect_eq "svc poweroff as PID 1 of a container" "$rc:$out" "0:svscan: poweroff"
# the kills wait 5 s for the TERM-proof process: svscan's files meanwhile
if await_file "$T/svscan.err" 'sending SIGTERM to every process' 20000; then
  expect_eq "at the kills svscan holds no file but 0 1 2 (nothing keeps a disk busy)" \
    "$(ls "/proc/$kid/fd" 2>&1 | sort -n | tr '\n' ' ')" "0 1 2 "
  expect_eq "at the kills svscan has left the scan directory" "$(readlink "/proc/$kid/cwd")" /
else fail "svscan got to the kills"; fi
await_exit 30
t1=$(date +%s%N)
expect_eq "the container's PID 1 exits 0 after poweroff" "$RC" 0
expect_eq "services stop in reverse priority" "$(tr '\n' ' ' < "$T/stops" 2>/dev/null)" "ihigh ilow "
lh=$(lineno 'stopping ihigh'); ll=$(lineno 'stopping ilow')
check "the console shows the stops in reverse priority" [ -n "$lh" ] && [ -n "$ll" ] && [ "$lh" -lt "$ll" ]
expect_eq ".svscan/shutdown ran with poweroff" "$(cat "$T/shutdown-arg" 2>/dev/null)" poweroff
check "the hanging shutdown script is bounded" grep -q 'shutdown still running after 1 s: going on' "$T/svscan.err"
check "SIGKILL for what ignores SIGTERM" grep -q 'processes left after 5 s: sending SIGKILL' "$T/svscan.err"
check "the TERM-proof process is gone" await_pid_gone "$stubborn" 1000
ms=$(((t1 - t0) / 1000000))
check "poweroff took 5 to 20 s ($ms ms)" [ "$ms" -ge 5000 ] && [ "$ms" -lt 20000 ]

# ---- a hanging boot; reboot
rm -f "$T/stops" "$T/shutdown-arg" "$NS/istubborn/run"
rm -rf "$NS/istubborn"
printf '#!/bin/sh\nexec sleep 1406\n' > "$NS/.svscan/boot"
printf '#!/bin/sh\necho "$1" > %s/shutdown-arg\n' "$T" > "$NS/.svscan/shutdown"
start_ns SVSCAN_BOOT_TIMEOUT=1
check "services run after a hanging boot" await_status "$NS/ilow" state=RUNNING 10000
check "the hanging boot is on the console" grep -q 'boot still running after 1 s: going on without it' "$T/svscan.err"
out=$(SVDIR=$NS "$SVBIN/svc" reboot 2>&1); rc=$?
expect_eq "svc reboot as PID 1 of a container" "$rc:$out" "0:svscan: reboot"
await_exit 20
expect_eq "the container's PID 1 exits 0 after reboot" "$RC" 0
expect_eq ".svscan/shutdown ran with reboot" "$(cat "$T/shutdown-arg" 2>/dev/null)" reboot
check "the hanging boot was stopped by SIGTERM, no SIGKILL needed" \
  eval '! grep -q "sending SIGKILL" "$T/svscan.err"'

# ---- a bad timeout value
printf '#!/bin/sh\nexit 0\n' > "$NS/.svscan/boot"
start_ns SVSCAN_BOOT_TIMEOUT=soon
check "a bad SVSCAN_BOOT_TIMEOUT is named" await_file "$T/svscan.err" 'ignoring SVSCAN_BOOT_TIMEOUT=soon' 5000
check "services run with a bad SVSCAN_BOOT_TIMEOUT" await_status "$NS/ilow" state=RUNNING
kill -TERM "$UNS"; await_exit 10

# ---- no /proc (a stage 1 that mounts none): supervise is found through
# argv[0], as the kernel gives it to init
rm -rf "$NS" "$T/stops"
mkns ilow 100 1408
bg unshare --pid --fork --kill-child --mount sh -c 'mount -t tmpfs none /proc && exec "$0" "$1"' \
  "$SVBIN/svscan" "$NS" 2>"$T/svscan.err"
UNS=$BGPID
check "without /proc, svscan as PID 1 finds supervise through argv[0]" await_status "$NS/ilow" state=RUNNING 10000
SVDIR=$NS "$SVBIN/svc" poweroff >/dev/null
await_exit 20
if grep -aq __asan_init "$SVBIN/svscan"; then
  # the sanitizer runtime reads ASAN_OPTIONS from /proc/self/environ: without
  # /proc LeakSanitizer runs anyway, fails to list threads and exits 1
  skip "without /proc, the container's PID 1 exits 0 after poweroff: LeakSanitizer needs /proc"
else expect_eq "without /proc, the container's PID 1 exits 0 after poweroff" "$RC" 0; fi
expect_eq "without /proc, the service was stopped" "$(cat "$T/stops" 2>/dev/null)" ilow

# ---- not PID 1: refused (a directory of its own: its services' cgroups
# are not those the namespaces above used)
rm -rf "$NS"
NS=$T/ns2
mkdir -p "$NS/.svscan"
echo container > "$NS/.svscan/init" # stale: svscan removes it
mkns ilow 100 1407
bg "$SVBIN/svscan" "$NS" 2>"$T/svscan.err"; SCAN=$BGPID
check "svscan runs (not PID 1)" await_status "$NS/ilow" state=RUNNING
check "a stale .svscan/init is removed" [ ! -e "$NS/.svscan/init" ]
for v in poweroff reboot halt; do
  out=$(SVDIR=$NS "$SVBIN/svc" $v 2>&1); rc=$?
  expect_eq "svc $v refused when svscan is not PID 1" "$rc:$out" \
    "100:svc: fatal: unable to $v: svscan in $NS is not PID 1 (svc quit stops its services)"
done
printf P > "$NS/.svscan/control"
check "a P byte is refused by svscan itself" await_file "$T/svscan.err" 'ignoring a poweroff order' 5000
check "svscan and the service still run" kill -0 "$SCAN"
expect_eq "the service was not stopped" "$(statusval "$NS/ilow" state)" RUNNING
SVDIR=$NS "$SVBIN/svc" quit >/dev/null
check "svc quit still stops it" await_pid_gone "$SCAN" 10000

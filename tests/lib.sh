# Sourced by every tests/t-*.sh.  Gives a private scan directory, our binaries
# first in PATH, pid-tracked background processes and a cleanup trap.
set -u
: "${SVBIN:?run tests through tests/run (make check)}"
export PATH="$SVBIN:$SVTEST:$PATH"
# dynamically linked copies of our binaries (make tests): an LD_PRELOAD such
# as faketime's has no effect on the static ones in $SVBIN
export SVDYN=$SVTEST/dyn
T=$(mktemp -d /tmp/svkit-test.XXXXXX)
export SVDIR=$T/sv
mkdir -p "$SVDIR"
PIDS=()

# bg CMD...: start in the background, remember the pid in $BGPID and for cleanup
bg() { "$@" & BGPID=$!; PIDS+=("$BGPID"); }

# kills every process a status file under $T still names, then its group.
# One find and one awk read every status file (a process per file made the
# cleanup of a big tree take minutes under load); the rest is shell builtins.
kill_recorded_services() {
  local kind pid f
  while read -r kind pid f; do
    case $kind in
      run) kill -KILL -- "-$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null ;;
      # a supervise started through a wrapper that forks (faketime) is not
      # the tracked pid: the status file names it (only if it still runs in
      # that service directory: never a reused pid)
      supervisor) [ "/proc/$pid/cwd" -ef "${f%/supervise*/status}" ] && kill -KILL "$pid" 2>/dev/null ;;
    esac
  done < <(find "$T" -name status -path '*/supervise*' -exec awk -F= '
    $1 == "pid" && $2 ~ /^[1-9][0-9]*$/ { print "run", $2, FILENAME }
    $1 == "supervisor" && $2 ~ /^[1-9][0-9]*$/ { print "supervisor", $2, FILENAME }' {} + 2>/dev/null)
}

# the last resort, for what a broken supervise lost track of: every process
# still working inside $T (a supervise's, svlog's and a run's cwd is its
# service directory), then the cgroup leaves supervise made for services
# under $T (named after the path: "/" becomes "-"), with whatever they hold
kill_inside_T() {
  local f pid leaf i
  while read -r f; do
    pid=${f#/proc/}; pid=${pid%/cwd}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] || kill -KILL "$pid" 2>/dev/null
  done < <(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$T/*" 2>/dev/null)
  for leaf in /sys/fs/cgroup/unified/svkit/"$(printf %s "${T#/}" | tr / -)"-*; do
    [ -d "$leaf" ] || continue
    [ -w "$leaf/cgroup.kill" ] && echo 1 > "$leaf/cgroup.kill" 2>/dev/null
    # a leaf is busy until its killed processes are gone: a bounded wait
    for ((i = 0; i < 50; i++)); do rmdir "$leaf" 2>/dev/null && break; [ -d "$leaf" ] || break; sleep 0.05; done
  done
}

cleanup() {
  local p i
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    # bounded wait for each tracked process to go
    for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  kill_recorded_services
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  kill_inside_T
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

ok()   { echo "ok $*"; }
fail() { echo "FAIL $*"; }
# skip NAME: TOOL not installed -- a case that cannot run here, counted apart
skip() { echo "skip $*"; }
# have TOOL...: every TOOL is on PATH (tests/run's check target installs them as root)
have() { local t; for t in "$@"; do command -v "$t" >/dev/null || return 1; done; }
# check NAME CMD...: one verdict line from CMD's exit status
check() { local n=$1; shift; if "$@"; then ok "$n"; else fail "$n"; fi; }
# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }
# expect_match NAME GOT REGEX (grep -E)
expect_match() {
  if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1: got '$2', want /$3/"; fi
}

# mksv NAME BODY: a service NAME whose run is "#!/bin/sh\nBODY"
mksv() {
  mkdir -p "$SVDIR/$1"
  printf '#!/bin/sh\n%s\n' "$2" > "$SVDIR/$1/run"
  chmod +x "$SVDIR/$1/run"
}
# mksv_ready NAME RUN: mksv, with readiness on fd 3 (for `sigcatch -n 3`)
mksv_ready() { mksv "$1" "$2" && echo 3 > "$SVDIR/$1/notification-fd"; }
# statusval DIR KEY: a key of DIR/supervise/status (DIR may be a state dir)
statusval() {
  local f=$1/supervise/status
  [ -f "$1/status" ] && f=$1/status
  sed -n "s/^$2=//p" "$f" 2>/dev/null
}

# supervise_bg DIR [-i N]: our supervise on DIR in the background, stderr to
# $T/NAME.err; $BGPID is its pid
supervise_bg() {
  local d=$1; shift
  bg "$SVBIN/supervise" "$@" "$d" 2>>"$T/$(basename "$d").err"
}
# await_status DIR LINE [MS]: until DIR's status file has LINE (e.g. state=RUNNING)
await_status() { "$SVTEST/await" status "$1" "$2" "${3:-5000}"; }
# await_pid_gone PID [MS]
await_pid_gone() { "$SVTEST/await" pid "$1" "${2:-5000}"; }
# await_file FILE TEXT [MS]: until FILE contains TEXT; "" waits for a whole line
await_file() { "$SVTEST/await" file "$1" "$2" "${3:-5000}"; }
# starts counts the lines a run script appended to $T/NAME.starts
starts() { wc -l < "$T/$1.starts" 2>/dev/null | tr -d ' ' || echo 0; }
# svstat_line NAME: svstat's line for NAME with runs of blanks folded to one
svstat_line() { "$SVBIN/svstat" "$@" | tr -s ' '; }
# await_supervised DIR [PID]: until the supervise $BGPID (or PID) has written DIR's status
await_supervised() { await_status "$1" "supervisor=${2:-$BGPID}" "${3:-5000}"; }
# freeport: a loopback TCP port nobody listens on now (20000-39999)
freeport() {
  local p i
  for i in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    grep -qi ":$(printf %04X $p) " /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo $p; return 0; }
  done
  return 1
}

# What run gets: environment, cwd, umask, user, command=, instances, s6 files,
# readiness; adoption after supervise dies; the wall clock.
. "$(dirname "$0")/lib.sh"

# env/ then conf env, workingdir, umask
mksv envy 'echo "A=$A B=$B C=${C-unset} D=$D E=$E inst=${SV_INSTANCE-none} cwd=$(pwd) umask=$(umask)" > '"$T"'/envy.out; exec sleep 1000'
mkdir -p "$SVDIR/envy/env" "$T/work"
printf 'one\nignored\n' > "$SVDIR/envy/env/A"
printf 'x\000y  \n' > "$SVDIR/envy/env/B"
: > "$SVDIR/envy/env/C"
printf 'env = D="d, with comma",E=e\nworkingdir=%s\numask=027\n' "$T/work" > "$SVDIR/envy/conf"
export C=inherited
supervise_bg "$SVDIR/envy"
unset C
check "envy started" await_file "$T/envy.out" umask
expect_eq "env/, conf env, workingdir, umask" "$(cat "$T/envy.out")" \
  "A=one B=x
y C=unset D=d, with comma E=e inst=none cwd=$T/work umask=0027"

# command= without run, and instances via -i
mkdir -p "$SVDIR/cmd"
printf 'command = sleep 1000\nnumprocs=2\n' > "$SVDIR/cmd/conf"
supervise_bg "$SVDIR/cmd" -i 1
check "instance state in supervise@1" await_status "$SVDIR/cmd/supervise@1" state=RUNNING
pid=$(statusval "$SVDIR/cmd/supervise@1" pid)
expect_eq "command= is exec'd by sh -c" "$(tr '\0' ' ' < /proc/$pid/cmdline)" "sleep 1000 "
check "instance gets SV_INSTANCE" grep -qz '^SV_INSTANCE=1$' /proc/$pid/environ
expect_match "svstat NAME@1" "$(svstat_line cmd@1)" '^cmd@1 RUNNING pid [0-9]+'
svstat cmd >/dev/null 2>&1; expect_eq "svstat NAME covers every instance (cmd@0 unsupervised: 111)" $? 111
svc -d -w D -T 5000 cmd@1; expect_eq "svc NAME@i" $? 0

# user
if id nobody >/dev/null 2>&1; then
  mkdir -m 777 "$T/pub"; chmod 755 "$T" "$SVDIR"  # so nobody can reach its cwd and write
  # groups as a sorted list: id -G's order is not the point
  groups='id -G | tr " " "\n" | sort -n | tr "\n" " "'
  mksv who 'echo "$(id -u):$(id -g)" > '"$T"'/pub/who.out; '"$groups"' > '"$T"'/pub/who.groups; exec sleep 1000'
  printf 'user=nobody\n' > "$SVDIR/who/conf"
  supervise_bg "$SVDIR/who"
  check "user= started" await_file "$T/pub/who.out" ":"
  expect_eq "user=nobody drops uid and gid" "$(cat "$T/pub/who.out")" "$(id -u nobody):$(id -g nobody)"
  check "user= groups written" await_file "$T/pub/who.groups" " "
  expect_eq "user=nobody: root's groups dropped, nobody's (from /etc/group) set" "$(cat "$T/pub/who.groups")" "$(eval "${groups/id -G/id -G nobody}")"
  # a user that /etc/group lists as a member gets that group too (as initgroups)
  member=$(awk -F: '$4 != "" { split($4, m, ","); print m[1]; exit }' /etc/group)
  if [ -n "$member" ] && id "$member" >/dev/null 2>&1; then
    mksv member "$groups"' > '"$T"'/pub/member.groups; exec sleep 1000'
    printf 'user=%s\n' "$member" > "$SVDIR/member/conf"
    supervise_bg "$SVDIR/member"
    check "user=$member: started" await_file "$T/pub/member.groups" " "
    expect_eq "user=$member: the groups /etc/group lists it in" "$(cat "$T/pub/member.groups")" "$(eval "${groups/id -G/id -G $member}")"
  else
    skip "user= supplementary groups: no user listed as a group member in /etc/group"
  fi
  mksv nouser 'exec sleep 1000'
  printf 'user=no-such-user-here\n' > "$SVDIR/nouser/conf"
  supervise_bg "$SVDIR/nouser"
  check "unknown user: not started" await_status "$SVDIR/nouser" "reason=unable to set user no-such-user-here: unknown user"
fi

# s6 files: down-signal, timeout-kill (ms), conf wins
mksv_ready s6 'exec sigcatch -n 3 -e HUP >>'"$T"'/s6.out'
echo HUP > "$SVDIR/s6/down-signal"
supervise_bg "$SVDIR/s6"; await_supervised "$SVDIR/s6"
svc -w U -T 5000 "$SVDIR/s6"
svc -d -w D -T 5000 "$SVDIR/s6"
check "down-signal HUP is the stop signal" grep -q "caught SIGHUP" "$T/s6.out"
echo 200 > "$SVDIR/s6/timeout-kill"
echo QUIT > "$SVDIR/s6/down-signal"  # sigcatch ignores QUIT: timeout-kill must KILL it
svc -u -w U -T 5000 "$SVDIR/s6"
svc -d -w D -T 3000 "$SVDIR/s6"; expect_eq "timeout-kill in ms" $? 0
expect_eq "timeout-kill: SIGKILL" "$(statusval "$SVDIR/s6" lastexit)" "signal KILL"
printf 'stopsignal=HUP\n' > "$SVDIR/s6/conf"
svc -u -w U -T 5000 "$SVDIR/s6"
svc -d -w D -T 3000 "$SVDIR/s6"
expect_eq "conf stopsignal beats down-signal" "$(statusval "$SVDIR/s6" lastexit)" "exit 0"

# readiness: notification-fd
mksv ready 'until [ -e '"$T"'/go ]; do sleep 0.05; done; echo >&3; exec sleep 1000'
echo 3 > "$SVDIR/ready/notification-fd"
printf 'startsecs=60\n' > "$SVDIR/ready/conf"
supervise_bg "$SVDIR/ready"
await_supervised "$SVDIR/ready"
svc -w U -T 300 "$SVDIR/ready" 2>/dev/null; expect_eq "not ready before notification: -w U times out (1)" $? 1
expect_eq "ready=0 before notification" "$(statusval "$SVDIR/ready" ready)" 0
touch "$T/go"
svc -w U -T 5000 "$SVDIR/ready"; expect_eq "notification: -w U returns" $? 0
expect_eq "ready=1 and RUNNING" "$(statusval "$SVDIR/ready" ready):$(statusval "$SVDIR/ready" state)" "1:RUNNING"
svc -r -w R -T 5000 "$SVDIR/ready"; expect_eq "-w R: restarted and ready" $? 0

# supervise killed -9: the new one adopts the running service, never two copies
mksv_ready adopt 'echo start >> '"$T"'/adopt.starts; exec sigcatch -n 3 -e TERM >/dev/null'
supervise_bg "$SVDIR/adopt"; OLD=$BGPID
await_supervised "$SVDIR/adopt"
svc -w U -T 5000 "$SVDIR/adopt"
pid=$(statusval "$SVDIR/adopt" pid)
kill -KILL "$OLD"; await_pid_gone "$OLD"
supervise_bg "$SVDIR/adopt"
await_supervised "$SVDIR/adopt"
expect_eq "adopted: same pid, one start" "$(statusval "$SVDIR/adopt" pid):$(starts adopt)" "$pid:1"
expect_eq "adopted: RUNNING" "$(statusval "$SVDIR/adopt" state)" RUNNING
svc -d -w D -T 5000 "$SVDIR/adopt"; expect_eq "adopted: svc -d stops it" $? 0
check "adopted: process gone" await_pid_gone "$pid" 1000
svc -u -w u -T 5000 "$SVDIR/adopt"; expect_eq "adopted: started again" "$(starts adopt)" 2
kill -KILL "$BGPID"; await_pid_gone "$BGPID"
kill -KILL "$(statusval "$SVDIR/adopt" pid)"  # it dies while nobody supervises
mv "$T/adopt.starts" "$T/adopt-before.starts"  # the stale file still says RUNNING: wait for the new start itself
supervise_bg "$SVDIR/adopt"
await_supervised "$SVDIR/adopt"
check "stale status: a fresh start" await_file "$T/adopt.starts" start
check "stale status: RUNNING again" await_status "$SVDIR/adopt" state=RUNNING
expect_eq "stale status: started once more" "$(starts adopt-before)+$(starts adopt)" 2+1

# the wall clock: supervise runs 10 days in the past; uptime must not care
if ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 && command -v faketime >/dev/null; then
  mksv clock 'exec sleep 1000'
  printf 'startsecs=0\n' > "$SVDIR/clock/conf"
  # LD_PRELOAD rather than faketime(1), which forks: $! must be supervise's pid
  ft=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
  ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 LD_PRELOAD=$ft FAKETIME=-10d FAKETIME_DONT_FAKE_MONOTONIC=1 \
    "$SVDYN/supervise" "$SVDIR/clock" 2>>"$T/clock.err" &
  PIDS+=($!)
  check "clock: up under a stepped wall clock" await_status "$SVDIR/clock" state=RUNNING
  expect_match "clock: uptime from the boot clock" "$(svstat_line clock)" '^clock RUNNING pid [0-9]+, uptime 0:00:0[0-9]$'
  expect_match "clock: stepped clock for svstat too" "$(ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '+1y' "$SVDYN/svstat" clock | tr -s ' ')" 'uptime 0:00:0[0-9]$'
else
  skip "clock: faketime not installed (apt-get install faketime)"
fi

# s6 tools work against our supervise
if command -v s6-svc >/dev/null && command -v s6-svok >/dev/null; then
  check "s6-svok sees our supervise" s6-svok "$SVDIR/envy"
  s6-svc -d "$SVDIR/envy"
  check "s6-svc -d stops it" await_status "$SVDIR/envy" state=STOPPED
else
  skip "s6-svok, s6-svc against our supervise: s6 not installed (apt-get install s6)"
fi

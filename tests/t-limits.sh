# SPEC §10 limits: limit_*, nice, oom_score_adj bind run (read back from
# /proc/PID/limits, stat and oom_score_adj); out-of-range values are conf errors.
. "$(dirname "$0")/lib.sh"

mksv lim 'exec sleep 1000'
cat > "$SVDIR/lim/conf" <<'C'
startsecs=0
limit_nofile=123:456
limit_nproc=5000:10000
limit_core=2MB
limit_as=8G:infinity
limit_memlock=64K
limit_stack=8M:16M
nice=7
oom_score_adj=321
C
supervise_bg "$SVDIR/lim"
check "limits: running" await_status "$SVDIR/lim" state=RUNNING
pid=$(statusval "$SVDIR/lim" pid)
lim() { grep "^$1" "/proc/$pid/limits" | sed "s/^$1 *//" | tr -s ' ' | cut -d' ' -f1,2; }
expect_eq "limit_nofile SOFT:HARD" "$(lim 'Max open files')" "123 456"
expect_eq "limit_nproc SOFT:HARD" "$(lim 'Max processes')" "5000 10000"
expect_eq "limit_core 2MB" "$(lim 'Max core file size')" "2097152 2097152"
expect_eq "limit_as 8G:infinity" "$(lim 'Max address space')" "8589934592 unlimited"
expect_eq "limit_memlock 64K" "$(lim 'Max locked memory')" "65536 65536"
expect_eq "limit_stack 8M:16M" "$(lim 'Max stack size')" "8388608 16777216"
expect_eq "nice 7" "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f17)" 7
expect_eq "oom_score_adj 321" "$(cat "/proc/$pid/oom_score_adj")" 321
# supervise itself is untouched
expect_eq "supervise keeps its own nice" "$(sed 's/.*) //' "/proc/$BGPID/stat" | cut -d' ' -f17)" \
  "$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f17)"

# out of range, each a configuration error naming the line
bad() { # NAME LINE WANT-REGEX
  local n=$1
  mksv "$n" 'exec sleep 1000'
  printf '%s\n' "$2" > "$SVDIR/$n/conf"
  supervise_bg "$SVDIR/$n"
  if await_status "$SVDIR/$n" state=FATAL; then
    expect_match "$n: reason" "$(statusval "$SVDIR/$n" reason)" "$3"
  else fail "$n: not FATAL"; fi
}
bad nice_hi 'nice=20' '^conf line 1: out of range for nice: 20$'
bad nice_lo 'nice=-21' '^conf line 1: out of range for nice: -21$'
bad oom_hi 'oom_score_adj=1001' '^conf line 1: out of range for oom_score_adj: 1001$'
bad soft_gt_hard 'limit_nofile=200:100' '^conf line 1: out of range \(soft above hard\) for limit_nofile: 200:100$'
bad nofile_huge 'limit_nofile=99999999999' '^conf line 1: out of range for limit_nofile'
bad nofile_suffix 'limit_nofile=1K' '^conf line 1: bad suffix for limit_nofile: 1K$'
bad as_overflow 'limit_as=99999999999999G' '^conf line 1: out of range for limit_as'
bad core_garbage 'limit_core=lots' '^conf line 1: not a number for limit_core: lots$'
bad cpu_pct 'cpu_max=50' '^conf line 1: not a percentage for cpu_max: 50$'
bad cpu_zero 'cpu_max=0%' '^conf line 1: out of range for cpu_max: 0%$'
bad io_range 'io_weight=10001' '^conf line 1: out of range for io_weight: 10001$'

# a hard limit raised above what supervise may grant (not root: EPERM) is a
# failed start naming the key; as root, raising past fs.nr_open fails the same way
mksv raise 'exec sleep 1000'
nr_open=$(cat /proc/sys/fs/nr_open)
if [ "$nr_open" -lt $((1 << 30)) ]; then
  echo "limit_nofile=$((nr_open + 1))" > "$SVDIR/raise/conf"
  supervise_bg "$SVDIR/raise"
  if await_status "$SVDIR/raise" state=BACKOFF; then
    expect_match "limit refused by the kernel: reason names the key" "$(statusval "$SVDIR/raise" reason)" \
      '^unable to set limit_nofile for .*/raise/run: Operation not permitted$'
  else fail "limit refused by the kernel: not BACKOFF"; fi
fi

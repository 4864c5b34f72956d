# conf stdout=PATH / stderr=PATH|stdout: supervise's own svlog per file,
# rotated by size, with pipes supervise holds so nothing is lost.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/logs"

# separate files for stdout and stderr, rotated at 1 KB, 2 backups
mksv split 'i=0; while [ $i -lt 400 ]; do echo "out line $i"; echo "err line $i" >&2; i=$((i+1)); done; echo done; exec sleep 1000'
printf 'stdout=%s/logs/out.log\nstderr=%s/logs/err.log\nstdout_maxbytes=1KB\nstdout_backups=2\nstderr_maxbytes=100KB\n' "$T" "$T" > "$SVDIR/split/conf"
supervise_bg "$SVDIR/split"
check "stdout file gets the last line" await_file "$T/logs/out.log" "done"
check "stderr file gets the last line" await_file "$T/logs/err.log" "err line 399"
check "stdout rotated to out.log.1 and .2" test -f "$T/logs/out.log.1" -a -f "$T/logs/out.log.2"
check "no more than stdout_backups archives" test ! -e "$T/logs/out.log.3"
check "each stdout file within stdout_maxbytes" test "$(stat -c %s "$T/logs/out.log" "$T/logs/out.log.1" | sort -n | tail -1)" -le 1024
expect_eq "stderr holds only stderr, every line" "$(grep -c '^err line' "$T/logs/err.log"):$(grep -c '^out' "$T/logs/err.log")" "400:0"
check "stdout holds no stderr line" test "$(cat "$T/logs/out.log"* | grep -c '^err')" = 0
newest=$(cat "$T/logs/out.log.2" "$T/logs/out.log.1" "$T/logs/out.log" | grep '^out line' | head -1 | sed 's/out line //')
expect_eq "rotation keeps lines whole and in order" "$(cat "$T/logs/out.log.2" "$T/logs/out.log.1" "$T/logs/out.log" | grep '^out line' | awk -v s="$newest" '{ if ($3 != s) { print "gap at " $3; exit } s++ } END { print "ok" }')" ok

# stderr=stdout merges into one file
mksv merged 'echo to-out; echo to-err >&2; exec sleep 1000'
printf 'stdout=%s/logs/merged.log\nstderr=stdout\n' "$T" > "$SVDIR/merged/conf"
supervise_bg "$SVDIR/merged"
check "stderr=stdout: both in one file" await_file "$T/logs/merged.log" "to-err"
check "stderr=stdout: stdout too" grep -q to-out "$T/logs/merged.log"

# /dev/null
mksv quiet 'echo noise; echo $$ > '"$T"'/quiet.pid; exec sleep 1000'
printf 'stdout=/dev/null\n' > "$SVDIR/quiet/conf"
supervise_bg "$SVDIR/quiet"
check "stdout=/dev/null runs" await_file "$T/quiet.pid" ""
expect_eq "stdout=/dev/null" "$(readlink /proc/$(cat "$T/quiet.pid")/fd/1)" /dev/null

# the logger dies: restarted, and the service's lines written meanwhile are kept
mksv steady 'i=0; while :; do echo "n $i"; i=$((i+1)); [ -e '"$T"'/stop ] && { echo last $i; exec sleep 1000; }; done'
printf 'stdout=%s/logs/steady.log\nstdout_maxbytes=64KB\nstdout_backups=100\n' "$T" > "$SVDIR/steady/conf"
supervise_bg "$SVDIR/steady"; SUP=$BGPID
await_file "$T/logs/steady.log" "n 2000" 10000
lp=$(ps -o pid=,comm= --ppid "$SUP" | awk '$2 == "svlog" { print $1 }')
check "supervise runs svlog for the file" test -n "$lp"
kill -KILL $lp
touch "$T/stop"
check "svlog restarted after kill -9" await_file "$T/logs/steady.log" "last" 10000
last=$(grep -h '^last' "$T/logs/steady.log" | awk '{print $2}')
# a logger killed between its write and its removal of those bytes from the
# pipe writes them again: lines may repeat, none is lost, the order is kept
expect_eq "no line lost across the logger's death, order kept" \
  "$(cat $(ls "$T"/logs/steady.log.* 2>/dev/null | sort -t. -k3,3 -rn) "$T/logs/steady.log" | grep '^n ' | awk '
    BEGIN { e = 0 }
    $2 == e { e++; next }
    $2 > e { print "gap: expected " e " got " $2; exit }
    END { print e }')" "$last"

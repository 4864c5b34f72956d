# A supervisord [program:x] body pasted into conf works: supervisord's own
# sample (tests/import/supervisord-sample.conf), uncommented as is, with only
# the site-specific values (command, user, log paths) changed.
. "$(dirname "$0")/lib.sh"
SAMPLE=$(dirname "$0")/import/supervisord-sample.conf

mkdir -p "$SVDIR/x"
# the body of ;[program:theprogramname], uncommented, inline comments kept
sed -n '/^;\[program:theprogramname\]/,/^$/p' "$SAMPLE" | sed '1d;/^$/d;s/^;//' |
  sed -e "s|^command=/bin/cat |command=sh -c \"echo out; echo err >\&2; exec sleep 1000\" |" \
      -e "s|^user=chrism |user=$(id -un) |" \
      -e "s|^stdout_logfile=/a/path |stdout_logfile=$T/logs/x.out |" \
      -e "s|^stderr_logfile=/a/path |stderr_logfile=$T/logs/x.err |" > "$SVDIR/x/conf"
expect_eq "sample body has its 31 keys" "$(grep -c = "$SVDIR/x/conf")" 31
check "sample body keeps its inline comments" grep -q '; the program' "$SVDIR/x/conf"
supervise_bg "$SVDIR/x"
check "pasted [program:x] body runs" await_status "$SVDIR/x" state=RUNNING 8000
check "stdout_logfile gets stdout" await_file "$T/logs/x.out" out 5000
check "redirect_stderr=true: stderr in stdout_logfile" grep -qx err "$T/logs/x.out"
check "stderr_logfile ignored with redirect_stderr" test ! -e "$T/logs/x.err"
pid=$(statusval "$SVDIR/x" pid)
check "directory=/tmp" test "$(readlink /proc/$pid/cwd)" = /tmp
expect_eq "umask=022" "$(sed -n 's/^Umask:\t*//p' /proc/$pid/status)" 0022
svc -d -w D -T 15000 "$SVDIR/x"; expect_eq "stops (stopsignal=QUIT, stopasgroup)" $? 0
expect_match "stopped by SIGQUIT" "$(statusval "$SVDIR/x" lastexit)" '^signal QUIT$'

# NONE: discarded
mkdir -p "$SVDIR/n"
printf 'command=sleep 1000\nstdout_logfile=NONE ; none\nstartsecs=0\n' > "$SVDIR/n/conf"
supervise_bg "$SVDIR/n" >"$T/n.inherited"
check "stdout_logfile=NONE runs" await_status "$SVDIR/n" state=RUNNING 5000
pid=$(statusval "$SVDIR/n" pid)
expect_eq "stdout_logfile=NONE is /dev/null" "$(readlink /proc/$pid/fd/1)" /dev/null

# bad supervisord input: the usual conf error, supervise stays up
mkdir -p "$SVDIR/b"
printf 'command=sleep 1000\nstdout_logfile=/var/log/%%(program_name)s.log\n' > "$SVDIR/b/conf"
supervise_bg "$SVDIR/b"
check "%(program_name)s in conf is a conf error" await_status "$SVDIR/b" state=FATAL 5000
expect_match "expansion error names the line" "$(statusval "$SVDIR/b" reason)" '^conf line 2: supervisord expansion'
printf 'command=sleep 1000\nstdout_syslog=true\n' > "$SVDIR/b/conf"
svc -u "$SVDIR/b"
check "stdout_syslog=true is a conf error" await_status "$SVDIR/b" 'reason=conf line 2: a supervisord feature svkit lacks for stdout_syslog: true' 5000
printf 'command=sleep 1000\nevents=PROCESS_STATE\n' > "$SVDIR/b/conf"
svc -u "$SVDIR/b"
check "eventlistener key: unknown key" await_status "$SVDIR/b" 'reason=conf line 2: unknown key: events' 5000

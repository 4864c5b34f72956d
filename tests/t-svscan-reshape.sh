# svc reload after numprocs, log/ or priority changed: the service restarts in
# its new shape; nothing else is disturbed.
. "$(dirname "$0")/lib.sh"

mksv web 'exec sleep 1000'
mksv other 'exec sleep 1000'
bg "$SVBIN/svscan" "$SVDIR" 2>>"$T/svscan.err"; SCAN=$BGPID
check "web up" svc -u -w U -T 5000 web other
other=$(statusval "$SVDIR/other" pid)
plain=$(statusval "$SVDIR/web" supervisor)

printf 'numprocs=2\n' > "$SVDIR/web/conf"
svc reload >/dev/null
check "numprocs 1 -> 2: web@0 up" await_status "$SVDIR/web/supervise@0" state=RUNNING 10000
check "numprocs 1 -> 2: web@1 up" await_status "$SVDIR/web/supervise@1" state=RUNNING 10000
check "numprocs 1 -> 2: the plain supervise exits" await_pid_gone "$plain" 10000
expect_match "svstat shows both instances" "$(svstat web | tr -s ' ')" 'web@0 RUNNING.*
web@1 RUNNING'

printf 'numprocs=1\n' > "$SVDIR/web/conf"
svc reload >/dev/null
check "numprocs 2 -> 1: web up" await_status "$SVDIR/web/supervise" state=RUNNING 10000
i1=$(sed -n 's/^supervisor=//p' "$SVDIR/web/supervise@1/status")
check "numprocs 2 -> 1: web@1's supervise exits" await_pid_gone "$i1" 10000

mkdir -p "$SVDIR/web/log"
printf '#!/bin/sh\nexec cat > %s/web.log\n' "$T" > "$SVDIR/web/log/run"; chmod +x "$SVDIR/web/log/run"
printf '#!/bin/sh\necho hello from web\nexec sleep 1000\n' > "$SVDIR/web/run"
svc reload >/dev/null
check "log/ added: its logger runs" await_status "$SVDIR/web/log" state=RUNNING 10000
check "log/ added: web's output reaches it" await_file "$T/web.log" "hello from web" 10000
expect_eq "other services untouched" "$(statusval "$SVDIR/other" pid)" "$other"
kill -TERM "$SCAN"; await_pid_gone "$SCAN" 15000

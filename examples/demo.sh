#!/usr/bin/env bash
# make demo: runs examples/tree (a web server, two workers, a ticker, each
# with an svlog logger) under svscan in a temporary scan directory.
# Usage: bash examples/demo.sh BINDIR   (make demo passes build/bin)
# Interactive (stdin a terminal): leaves the tree running and says how to
# stop it.  Otherwise (CI): checks it, stops it and cleans up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" 2>/dev/null && pwd) || { echo "demo: fatal: no binaries in ${1:-build/bin}: run make" >&2; exit 111; }
for p in svscan supervise svc svstat svlog; do
  [ -x "$bin/$p" ] || { echo "demo: fatal: $bin/$p is missing: run make" >&2; exit 111; }
done
export PATH="$bin:$PATH"
tmp=$(mktemp -d /tmp/svkit-demo.XXXXXX)
export SVDIR=$tmp/sv
scan=

die() { echo "demo: fatal: $*" >&2; stop_tree; exit 111; }
stop_tree() {
  [ -n "$scan" ] || { rm -rf "$tmp"; return; }
  svc quit >/dev/null 2>&1 || kill -TERM "$scan" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$scan" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$scan" 2>/dev/null
  rm -rf "$tmp"
  scan=
}
trap 'stop_tree' INT TERM

cp -r "$here/tree" "$SVDIR" || die "unable to copy $here/tree"
${CC:-cc} -O2 -o "$SVDIR/web/httpd" "$here/httpd.c" || die "unable to compile the demo web server (a C compiler is needed)"
# the first free port from 8080
port=8080
while [ "$port" -lt 8180 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
echo "$port" > "$SVDIR/web/env/PORT"

# svscan by path (the supervise beside it is the one it runs); in its own
# session so that the terminal's signals do not reach the tree (setsid
# execs in place here: a background job is no group leader, so $! is svscan)
starter=; command -v setsid >/dev/null && starter=setsid
$starter "$bin/svscan" "$SVDIR" </dev/null >>"$tmp/svscan.log" 2>&1 &
scan=$!

# every supervise up (svstat exits 111 while one is not), then every service
for _ in $(seq 1 100); do svstat >/dev/null 2>&1; [ $? != 111 ] && break; sleep 0.1; done
svc -w U -T 10000 web worker ticker web/log worker/log ticker/log || die "the tree did not come up (see $tmp/svscan.log)"

echo "== svkit demo: svscan (pid $scan) runs $SVDIR"
svstat
echo
echo "== the web server says:"
if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  printf 'GET / HTTP/1.0\r\n\r\n' >&3
  sed -n '/^\r*$/,$p' <&3 | tail -n +2
  exec 3<&-
fi
echo
echo "== try, in another shell:"
echo "   export SVDIR=$SVDIR PATH=$bin:\$PATH"
echo "   svstat                     # the table"
echo "   svc -r web && svstat web   # restart the web server: a new pid"
echo "   svc tail -f ticker         # follow a log (^C to stop)"
echo "   curl http://127.0.0.1:$port/   # or: svc tail web"
echo "   mkdir \$SVDIR/hello && printf '#!/bin/sh\\nexec sleep 1000\\n' > \$SVDIR/hello/run && chmod +x \$SVDIR/hello/run && svc reload"
echo "   rm -rf \$SVDIR/hello && svc reload      # a removed service stops"
echo "   svc                        # the interactive shell (help, status, quit)"
echo "   svc quit                   # stop every service; svscan exits"

if [ -t 0 ]; then
  echo
  echo "== the tree keeps running.  Stop it and clean up with:"
  echo "   SVDIR=$SVDIR $bin/svc quit && rm -rf $tmp"
  exit 0
fi

# not a terminal (CI): check the restart, then stop everything
old=$(svc pid web)
svc -r -w U -T 10000 web >/dev/null || die "svc -r web failed"
new=$(svc pid web)
[ "$old" != "$new" ] || die "svc -r web did not restart it"
echo
echo "== svc -r web: pid $old -> $new"
echo "== svc quit"
svc quit
for _ in $(seq 1 200); do kill -0 "$scan" 2>/dev/null || break; sleep 0.1; done
kill -0 "$scan" 2>/dev/null && die "svscan did not exit after svc quit"
echo "== every service stopped, svscan exited; logs were in $SVDIR/*/log/main/current:"
tail -n 2 "$SVDIR"/ticker/log/main/current
scan=
rm -rf "$tmp"
echo "== cleaned up"

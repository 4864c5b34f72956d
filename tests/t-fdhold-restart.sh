#!/usr/bin/env bash
# Zero-downtime restarts (fdhold(8)): a service run through `fdhold listen`,
# restarted 20 times with `svc -r -w r` under a loopback client loop, refuses
# and resets no connection; a server binding its own socket is measured too.
. "$SVTOP/tests/lib.sh"
out=$(timeout 240 bash "$SVTOP/tests/helpers/fdhold-restart.sh" "${SVBIN%/bin}" 20 2>"$T/measure.err")
expect_eq "measurement ran" "$?" 0
echo "$out" | sed 's/^/# /'
f=$(echo "$out" | sed -n 's/^fdhold: //p')
expect_match "fdhold: connections served" "$f" '^ok [1-9][0-9]* '
expect_match "fdhold: zero refused, reset, timed out" "$f" ' refused 0 reset 0 timeout 0 other 0 '
expect_match "fdhold: every instance served (21 servers)" "$f" ' servers 21$'
expect_match "plain server measured" "$(echo "$out" | sed -n 's/^plain: //p')" '^ok [0-9]+ refused [0-9]+ reset [0-9]+'
expect_eq "no restart failed" "$(cat "$T/measure.err")" ""

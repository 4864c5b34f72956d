# finish and its timeout-finish (s6 file): 0 means never killed; a timeout
# kills finish's whole process group.
. "$(dirname "$0")/lib.sh"

# timeout-finish=0: finish is never killed (s6)
mksv fin0 'exec sleep 1000'
printf '#!/bin/sh\nsleep 0.5\necho finished >> %s/fin0.log\n' "$T" > "$SVDIR/fin0/finish"; chmod +x "$SVDIR/fin0/finish"
echo 0 > "$SVDIR/fin0/timeout-finish"
supervise_bg "$SVDIR/fin0"; await_supervised "$SVDIR/fin0"
svc -w u -T 5000 "$SVDIR/fin0"
svc -d -w D -T 5000 "$SVDIR/fin0"
expect_eq "timeout-finish=0: finish ran to its end" "$(cat "$T/fin0.log" 2>/dev/null)" finished

# a finish that hangs with children: the timeout kills its whole group
mksv fingrp 'exec sleep 1000'
printf '#!/bin/sh\nsleep 777 & echo $! > %s/fingrp.pid\nexec sleep 778\n' "$T" > "$SVDIR/fingrp/finish"; chmod +x "$SVDIR/fingrp/finish"
echo 300 > "$SVDIR/fingrp/timeout-finish"
supervise_bg "$SVDIR/fingrp"; await_supervised "$SVDIR/fingrp"
svc -w u -T 5000 "$SVDIR/fingrp"
svc -d -w D -T 5000 "$SVDIR/fingrp"
check "finish timeout: finish's children are killed too" await_pid_gone "$(cat "$T/fingrp.pid")" 3000

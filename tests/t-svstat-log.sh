#!/bin/bash
# SPEC §9 triage: svstat -l N, the last N log lines under each service line,
# the log found as svc tail finds it; huge lines, missing logs, bad usage.
. "$(dirname "$0")/lib.sh"

# a running service logging to conf's stdout= file
mksv web 'for i in $(seq 1 20); do echo "line $i"; done; exec sleep 1000'
printf 'stdout=%s/web.log\n' "$T" > "$SVDIR/web/conf"
supervise_bg "$SVDIR/web"
await_file "$T/web.log" "line 20" >/dev/null
"$SVBIN/svc" -u -w U -T 5000 "$SVDIR/web"
"$SVBIN/svstat" -l 3 web > "$T/out"; rc=$?
expect_match "svstat -l 3: the status line first" "$(head -1 "$T/out" | tr -s ' ')" '^web RUNNING pid [0-9]+'
expect_eq "svstat -l 3: the last 3 lines, indented" "$(tail -n +2 "$T/out")" "$(printf '  line 18\n  line 19\n  line 20')"
"$SVBIN/svstat" web >/dev/null; expect_eq "svstat -l: the exit code svstat gives without it" "$rc" "$?"
expect_eq "svstat -l 0: the status line alone" "$("$SVBIN/svstat" -l 0 web | wc -l)" 1
expect_eq "svstat -l 50 on 20 lines: all 20" "$("$SVBIN/svstat" -l 50 web | wc -l)" 21

# a log/ logger directory: what log/run's svlog writes, as svc tail finds it;
# the logger's own line gets no "no log" note
mkdir -p "$SVDIR/logged/log/main"
printf '#!/bin/sh\nexec sleep 1000\n' > "$SVDIR/logged/run"
printf '#!/bin/sh\nexec svlog -t ./main\n' > "$SVDIR/logged/log/run"
chmod +x "$SVDIR/logged/run" "$SVDIR/logged/log/run"
printf '@400000006000000000000000 one\n@400000006000000000000000 two\n' > "$SVDIR/logged/log/main/current"
expect_eq "log/ directory: log/run's target, the logger's line bare" \
  "$("$SVBIN/svstat" -l 1 logged | awk '{print $1}' | tr '\n' ,)" "logged,@400000006000000000000000,logged/log,"
expect_eq "log/ directory: the line as written" "$("$SVBIN/svstat" -l 1 logged | sed -n 2p)" "  @400000006000000000000000 two"

# no log at all; a log not written yet
mksv nolog 'exec sleep 1000'
expect_eq "no log: one line says so" "$("$SVBIN/svstat" -l 5 nolog | sed -n 2p)" \
  "  (no log: no log/ logger directory and no stdout= file in conf)"
mksv notyet 'exec sleep 1000'
printf 'stdout=%s/notyet.log\n' "$T" > "$SVDIR/notyet/conf"
expect_eq "log not written yet: one line says so" "$("$SVBIN/svstat" -l 5 notyet | sed -n 2p)" \
  "  (no log yet: $T/notyet.log)"
mksv dirlog 'exec sleep 1000'
mkdir -p "$T/dirlog.log"
printf 'stdout=%s/dirlog.log\n' "$T" > "$SVDIR/dirlog/conf"
expect_match "log that is a directory: one line says why" "$("$SVBIN/svstat" -l 5 dirlog | sed -n 2p)" \
  "^  \(unable to read $T/dirlog.log: "

# a 10 MB line: cut at 1024 bytes with a marker; the lines around it whole
mksv huge 'exec sleep 1000'
printf 'stdout=%s/huge.log\n' "$T" > "$SVDIR/huge/conf"
{ echo before; head -c 10485760 /dev/zero | tr '\0' x; echo; echo after; } > "$T/huge.log"
if [ -x /usr/bin/time ]; then /usr/bin/time -f %M -o "$T/huge.rss" "$SVBIN/svstat" -l 3 huge > "$T/out"
else "$SVBIN/svstat" -l 3 huge > "$T/out"; fi
expect_eq "10 MB line: three lines shown" "$(tail -n +2 "$T/out" | wc -l)" 3
expect_eq "10 MB line: the line before whole" "$(sed -n 2p "$T/out")" "  before"
expect_eq "10 MB line: 1024 bytes, then how much more" "$(sed -n 3p "$T/out")" \
  "  $(head -c 1024 /dev/zero | tr '\0' x) [... 10484736 more bytes]"
expect_eq "10 MB line: the line after whole" "$(sed -n 4p "$T/out")" "  after"
if [ -s "$T/huge.rss" ]; then
  check "10 MB line: svstat stays small (max RSS $(tail -1 "$T/huge.rss") kB < 8 MB)" test "$(tail -1 "$T/huge.rss")" -lt 8192
else skip "10 MB line: svstat stays small: /usr/bin/time not installed (apt-get install time)"; fi
# the same line last, with no newline at the end
{ echo before; head -c 10485760 /dev/zero | tr '\0' y; } > "$T/huge.log"
expect_match "10 MB last line without a newline: cut, ended" "$("$SVBIN/svstat" -l 1 huge | sed -n 2p)" \
  '^  y{1024} \[\.\.\. 10484736 more bytes\]$'

# a line longer than the 64 MB scanned back: its start is marked as not shown
rm -f "$T/huge.log"; truncate -s 70M "$T/huge.log"
expect_match "a line past the 64 MB scan: marked [...]" "$("$SVBIN/svstat" -l 1 huge | sed -n 2p)" \
  '^  \[\.\.\.\] \?{1024} \[\.\.\. [0-9]+ more bytes\]$'

# control bytes never reach the terminal
printf 'ok\n\033[2Jcleared\tTAB\n' > "$T/huge.log"
expect_eq "escape sequences shown as ?" "$("$SVBIN/svstat" -l 1 huge | sed -n 2p)" "  ?[2Jcleared	TAB"

# bad usage
"$SVBIN/svstat" -l x web >/dev/null 2>&1; expect_eq "svstat -l x: exit 100" $? 100
"$SVBIN/svstat" -l 3 -j web >/dev/null 2>&1; expect_eq "svstat -l with -j: exit 100" $? 100
"$SVBIN/svstat" -l >/dev/null 2>&1; expect_eq "svstat -l without N: exit 100" $? 100

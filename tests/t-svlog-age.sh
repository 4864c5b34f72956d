# svlog -a AGE (SPEC §10): archives older than AGE are deleted as well as
# those beyond COUNT, at start, at each rotation and, while idle, when the
# oldest one comes of age.
. "$(dirname "$0")/lib.sh"

# svlog's TAI64N label of a unix time: 2^62 + 10 + leap seconds, the
# latter learnt from the name of an archive svlog makes now
mkdir -p "$T/probe"
printf 'one\ntwo\n' | "$SVBIN/svlog" -s 5 "$T/probe"
now=$(date +%s)
p=$(ls "$T/probe" | grep '^@' | head -n1)
off=$(( 16#${p:1:16} - 0x4000000000000000 - now ))
arch() { printf '@%016x%08x.s' $((0x4000000000000000 + off + $1)) 0; }
L=$T/log; mkdir -p "$L"
old=$(arch $((now - 10 * 86400))); mid=$(arch $((now - 2 * 86400))); soon=$(arch $((now - 86400 + 3)))
for a in "$old" "$mid" "$soon"; do echo x > "$L/$a"; done
mkfifo "$T/in"
exec 7<>"$T/in" # a writer first, so that svlog's open does not block
# (bash gives a background command /dev/null as stdin: the FIFO is opened inside)
bg sh -c 'exec "$@" < "$0" 2>"$0.err"' "$T/in" "$SVBIN/svlog" -a 1d -n 10 "$L"; LOGGER=$BGPID
echo hello >&7
check "svlog -a: running" await_file "$L/current" hello
check "-a 1d: a 10-day-old archive deleted at start" test ! -e "$L/$old"
check "-a 1d: a 2-day-old archive deleted at start" test ! -e "$L/$mid"
check "-a 1d: a younger archive kept" test -e "$L/$soon"
# idle: the one 3 s short of a day goes when it comes of age, without input
t0=$(date +%s%N)
for i in $(seq 1 100); do [ -e "$L/$soon" ] || break; sleep 0.1; done
ms=$((($(date +%s%N) - t0) / 1000000))
check "-a 1d: an idle logger deletes an archive when it comes of age (${ms} ms)" test ! -e "$L/$soon"
check "-a: current untouched" grep -qx hello "$L/current"
exec 7>&-
await_pid_gone "$LOGGER" 5000

# COUNT still applies with -a
L2=$T/log2; mkdir -p "$L2"
for k in 1 2 3; do echo x > "$L2/$(arch $((now - 100 + k)))"; done
echo line | "$SVBIN/svlog" -a 7d -n 1 "$L2"
expect_eq "-a with -n 1: COUNT still prunes" "$(ls "$L2" | grep -c '^@')" 1

# bad AGE: usage error, exit 100, one line
for bad in 7x 0 '' d 12hh 99999999999999999999d; do
  echo | "$SVBIN/svlog" -a "$bad" "$T/bad" 2>"$T/bad.err"; rc=$?
  expect_eq "-a '$bad': exit 100" "$rc" 100
  expect_eq "-a '$bad': one line" "$(wc -l < "$T/bad.err" | tr -d ' ')" 1
done

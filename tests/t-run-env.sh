# What run inherits from supervise: env/ entries that are not regular files
# are skipped; no signal left ignored or blocked by whoever started supervise.
. "$(dirname "$0")/lib.sh"

# env/ holding a FIFO does not hang supervise
mksv envfifo 'exec sleep 1000'
mkdir -p "$SVDIR/envfifo/env"; mkfifo "$SVDIR/envfifo/env/FOO"
supervise_bg "$SVDIR/envfifo"
check "a FIFO in env/ is skipped, the service starts" await_status "$SVDIR/envfifo" state=RUNNING

# signals ignored by whoever started supervise are not passed on
mksv clean 'exec sleep 1000'
bash -c 'trap "" INT QUIT; exec "$0" "$1"' "$SVBIN/supervise" "$SVDIR/clean" 2>>"$T/clean.err" & PIDS+=($!)
await_status "$SVDIR/clean" state=RUNNING
ign=$(sed -n 's/^SigIgn:\t//p' "/proc/$(statusval "$SVDIR/clean" pid)/status")
# signals 1-31: glibc keeps 32 and 33 for itself and will not reset them
expect_eq "service starts with no ignored standard signal" "$(( 0x$ign & 0x7fffffff ))" 0
svc -i -w r -T 3000 "$SVDIR/clean"; expect_eq "svc -i ends a service that keeps INT's default (restarted)" $? 0

/* Waiting for services to reach a state, without polling: inotify tells
   when supervise renames a new status file into place. */
#ifndef SV_WAIT_H
#define SV_WAIT_H

#include <stdint.h>

#include "sv_status.h"
#include "sv_svdir.h"

/* is target i where we want it? 1 yes, 0 not yet, -1 never
   (st is 0 when it has no status file yet) */
typedef int sv_wait_pred(sv_status const *st, unsigned i, void *ctx);

/* waits until pred holds for all n targets, at most timeout_ms (0: forever):
   1 all there, 0 timed out, 2 one will never get there, 3 a supervise
   exited, -1 error (errno) */
extern int sv_wait(sv_target const *t, unsigned n, sv_wait_pred *pred, void *ctx, uint64_t timeout_ms);

/* waits until a supervise listens on every target's control FIFO (svscan
   may have just started it), at most timeout_ms: 1 all, 0 timed out, -1 error */
extern int sv_wait_supervised(sv_target const *t, unsigned n, uint64_t timeout_ms);

#endif

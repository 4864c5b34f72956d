/* Signals through skalibs' selfpipe, the same way in every long-running
   program: one fd to wait on, then each pending signal handed over. */
#ifndef SV_SIGNALS_H
#define SV_SIGNALS_H

#include <signal.h>

/* traps the signals of set on a selfpipe: its fd, or -1 (errno).
   skalibs 2.13's selfpipe_trapset says 1 ok, 0 failed (older ones 0 / -1):
   one place knows it */
extern int sv_signals_trap(sigset_t const *set);
/* calls handle(sig) for each signal pending, until none is: 0, or -1 on a
   read error (errno) */
extern int sv_signals_each(void (*handle)(int));

#endif

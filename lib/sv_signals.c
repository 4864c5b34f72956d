#include <skalibs/selfpipe.h>
#include <skalibs/strerr.h>

#include "sv_signals.h"

int sv_signals_trap(sigset_t const *set)
{
  int fd = selfpipe_init();
  if (fd < 0) strerr_diefu1sys(111, "init selfpipe");
  if (selfpipe_trapset(set) <= 0) strerr_diefu1sys(111, "trap signals");
  return fd;
}

void sv_signals_each(void (*handle)(int))
{
  for (;;) {
    int sig = selfpipe_read();
    if (!sig) return;
    if (sig < 0) strerr_diefu1sys(111, "read selfpipe");
    handle(sig);
  }
}

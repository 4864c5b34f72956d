#include <skalibs/selfpipe.h>

#include "sv_signals.h"

int sv_signals_trap(sigset_t const *set)
{
  int fd = selfpipe_init();
  if (fd < 0) return -1;
  if (selfpipe_trapset(set) <= 0) return -1;
  return fd;
}

int sv_signals_each(void (*handle)(int))
{
  for (;;) {
    int sig = selfpipe_read();
    if (!sig) return 0;
    if (sig < 0) return -1;
    handle(sig);
  }
}

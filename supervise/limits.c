/* SPEC §10 limits, applied in the child between fork and exec, so they bind
   run and everything it starts: rlimits, nice, oom_score_adj. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "supervise.h"
#include "sv_str.h"

static int const resources[SV_NLIMITS] = {RLIMIT_NOFILE, RLIMIT_NPROC,   RLIMIT_CORE,
                                          RLIMIT_AS,     RLIMIT_MEMLOCK, RLIMIT_STACK};

static rlim_t rl(uint64_t v) { return v == SV_LIM_INFINITY ? RLIM_INFINITY : (rlim_t)v; }

int limits_apply(sv_res const *r, char const **what)
{
  for (unsigned i = 0; i < SV_NLIMITS; i++) {
    struct rlimit l;
    if (!(r->limset & (1u << i))) continue;
    l.rlim_cur = rl(r->lim[i].soft);
    l.rlim_max = rl(r->lim[i].hard);
    *what = sv_res_limit_names[i];
    if (setrlimit(resources[i], &l) < 0) return -1;
  }
  if (r->has_nice) {
    *what = "nice";
    if (setpriority(PRIO_PROCESS, 0, r->nice) < 0) return -1;
  }
  if (r->has_oom) {
    char num[22];
    size_t n;
    int fd;
    ssize_t w;
    *what = "oom_score_adj";
    sv_i64(num, r->oom_score_adj);
    n = strlen(num);
    fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    w = write(fd, num, n);
    close(fd);
    if (w != (ssize_t)n) return -1;
  }
  return 0;
}

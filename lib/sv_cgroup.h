/* Where a service's cgroup v2 lives (SPEC §10), shared by supervise, which
   makes it, and svstat, which reads its usage. */
#ifndef SV_CGROUP_H
#define SV_CGROUP_H

#include <stdint.h>

#include "sv_svdir.h"

/* the writable cgroup2 mount from /proc/self/mountinfo, with "/svkit"
   appended (the tree svkit's services live in): 1 found, 0 none.  Read
   each time, no cache here: a caller that asks often keeps the answer
   (a static cache in the library would be one more page written in every
   supervise) */
extern int sv_cgroup_base(char *buf, unsigned max);
/* BASE/LEAF for the service at absolute path svdir (instance -1: none):
   LEAF is the path with '/' turned to '-' ("tmp-sv-web@1"), its last 200
   bytes if longer.  1 ok, 0 too long */
extern int sv_cgroup_leaf(char *buf, unsigned max, char const *base, char const *svdir, int instance);
/* sv_cgroup_base, then sv_cgroup_leaf: 1 ok, 0 no hierarchy */
extern int sv_cgroup_path(char *buf, unsigned max, char const *svdir, int instance);
/* memory.current and cpu.stat's usage_usec of the cgroup at path:
   bit 1 mem read, bit 2 cpu read, 0 neither */
extern int sv_cgroup_usage(char const *path, uint64_t *mem, uint64_t *cpu_usec);

#endif

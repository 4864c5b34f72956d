/* SPEC §10 resource settings of a service: rlimits, nice, oom_score_adj
   and the cgroup v2 keys.  Parsed with the rest of conf (sv_conf.c hands
   every key it does not know to sv_res_key). */
#ifndef SV_RES_H
#define SV_RES_H

#include <stdint.h>

enum { SV_LIM_NOFILE, SV_LIM_NPROC, SV_LIM_CORE, SV_LIM_AS, SV_LIM_MEMLOCK, SV_LIM_STACK, SV_NLIMITS };
#define SV_LIM_INFINITY UINT64_MAX

/* which cgroup keys conf gave */
#define SV_CG_MEMORY_MAX 0x1u
#define SV_CG_MEMORY_HIGH 0x2u
#define SV_CG_CPU_MAX 0x4u
#define SV_CG_PIDS_MAX 0x8u
#define SV_CG_IO_WEIGHT 0x10u

typedef struct sv_res_s sv_res;
struct sv_res_s {
  struct {
    uint64_t soft, hard;
  } lim[SV_NLIMITS];
  unsigned limset; /* bit i: lim[i] given */
  int nice, has_nice;
  int oom_score_adj, has_oom;
  uint64_t memory_max, memory_high, pids_max; /* SV_LIM_INFINITY: "max" */
  unsigned cpu_pct;                           /* percent of one CPU, 1..100000 */
  unsigned io_weight;                         /* 1..10000 */
  unsigned cgset;                             /* SV_CG_* */
  char const *depends;                        /* depends=a,b as written, NULL: none */
  char const *schedule;                       /* schedule= (checked by sv_cron_parse), NULL: none */
  int persistent;                             /* persistent=true: a missed run is made at start-up */
};

extern char const *const sv_res_limit_names[SV_NLIMITS]; /* "limit_nofile", ... */
/* one conf key: 1 ok, 0 bad value (*why may be set), -1 not a resource key */
extern int sv_res_key(sv_res *r, char const *k, char const *v, char const **why);

#endif

/* How a service's status reads to people, scripts and Prometheus (SPEC §5). */
#ifndef SV_SHOW_H
#define SV_SHOW_H

#include <stdint.h>
#include <stdio.h>

#include "sv_status.h"
#include "sv_svdir.h"

typedef struct sv_view_s sv_view;
struct sv_view_s {
  char const *name;
  int supervised; /* 0: no supervise holds the lock */
  int found;      /* a status file was read */
  sv_status st;
  int cgroup; /* sv_cgroup_usage bits: 1 memory_bytes, 2 cpu_usec */
  uint64_t memory_bytes, cpu_usec;
};

/* reads t's status and whether a supervise runs it: 1 ok, -1 error (errno) */
extern int sv_view_load(sv_view *v, sv_target const *t);
/* the DETAIL column; buf >= 512 */
extern char const *sv_view_detail(char *buf, sv_view const *v, uint64_t now_ms);
/* 0 where it is meant to be, 1 not, 111 not supervised */
extern int sv_view_verdict(sv_view const *v);
/* aligned table, one line per view */
extern void sv_show_table(FILE *f, sv_view const *v, unsigned n);
/* the same, calling after(f, i, arg) below line i (svstat -l's log lines) */
extern void sv_show_table_with(FILE *f, sv_view const *v, unsigned n, void (*after)(FILE *, unsigned, void *),
                               void *arg);
extern void sv_show_json(FILE *f, sv_view const *v, unsigned n);
extern void sv_show_prometheus(FILE *f, sv_view const *v, unsigned n);

#endif

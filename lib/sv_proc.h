/* The one reader of /proc/PID/stat, and of /proc files line by line. */
#ifndef SV_PROC_H
#define SV_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct sv_procstat_s sv_procstat;
struct sv_procstat_s {
  char state; /* R S D Z X ... */
  pid_t ppid, pgrp, session;
  uint64_t flags;     /* PF_*: PF_KTHREAD (0x00200000) marks a kernel thread */
  uint64_t starttime; /* clock ticks after boot */
};

/* parses one /proc/PID/stat text (comm may hold spaces and parens):
   1 ok, 0 not such a line */
extern int sv_procstat_parse(char const *s, sv_procstat *p);
/* reads /proc/PID/stat (name: a /proc entry, e.g. "1234"): 1 ok, 0 gone */
extern int sv_procstat_read(char const *name, sv_procstat *p);
/* is the process a zombie or dead: it has exited, whoever reaps it */
extern int sv_procstat_dead(sv_procstat const *p);

/* calls each(line, ctx) on every line of path (the newline cut off), in
   buf (max bytes: the caller's stack, so it chooses the size), until each
   returns nonzero: that value; 0 at the end or on error.  A line longer
   than buf is skipped whole.  No stdio: supervise stays free of its pages */
extern int sv_proc_lines(char const *path, char *buf, size_t max, int (*each)(char *line, void *ctx), void *ctx);

#endif

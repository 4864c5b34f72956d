#include <string.h>

#include <skalibs/djbunix.h>
#include <skalibs/types.h>

#include "sv_proc.h"
#include "sv_str.h"

int sv_procstat_parse(char const *s, sv_procstat *p)
{
  /* fields count from the last ')': comm is anything */
  char const *c = strrchr(s, ')');
  uint64_t v[20];
  unsigned field;
  if (!c || c[1] != ' ' || !c[2]) return 0;
  p->state = c[2];
  c += 3;
  /* fields 4 (ppid) to 22 (starttime), space separated decimals; some may
     be negative (tty_nr...), read as the digits after the sign */
  for (field = 4; field <= 22; field++) {
    size_t n;
    if (*c != ' ') return 0;
    c++;
    if (*c == '-') c++;
    n = uint64_scan(c, &v[field - 4 < 20 ? field - 4 : 19]);
    if (!n) return 0;
    c += n;
  }
  p->ppid = (pid_t)v[0];
  p->pgrp = (pid_t)v[1];
  p->session = (pid_t)v[2];
  p->flags = v[5];
  p->starttime = v[18];
  return 1;
}

int sv_procstat_read(char const *name, sv_procstat *p)
{
  char path[64], buf[1024];
  ssize_t r;
  if (!sv_strjoin(path, sizeof path, "/proc/", name, "/stat", (char *)0)) return 0;
  r = openreadnclose(path, buf, sizeof buf - 1);
  if (r <= 0) return 0;
  buf[r] = 0;
  return sv_procstat_parse(buf, p);
}

int sv_procstat_dead(sv_procstat const *p) { return p->state == 'Z' || p->state == 'X'; }

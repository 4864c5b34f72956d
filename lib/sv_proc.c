#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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

int sv_proc_lines(char const *path, char *buf, size_t max, int (*each)(char *line, void *ctx), void *ctx)
{
  size_t len = 0;
  int skipping = 0, found = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  while (!found) {
    ssize_t r = read(fd, buf + len, max - 1 - len);
    char *line = buf, *nl;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    buf[len] = 0;
    while (!found && (nl = strchr(line, '\n'))) {
      *nl = 0;
      if (!skipping) found = (*each)(line, ctx);
      skipping = 0;
      line = nl + 1;
    }
    len -= (size_t)(line - buf);
    memmove(buf, line, len);
    if (len == max - 1) len = 0, skipping = 1; /* the rest of this line is dropped too */
  }
  close(fd);
  return found;
}

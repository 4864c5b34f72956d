#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <skalibs/djbunix.h>

#include "sv_conf.h"
#include "sv_svdir.h"
#include "sv_str.h"

/* a build's default scan directory: `make SVDIR_DEFAULT=/etc/svkit/service`
   (Debian's package, beside runit's /etc/sv) */
#ifndef SV_SVDIR_DEFAULT
#define SV_SVDIR_DEFAULT "/etc/sv"
#endif

char const *sv_scandir(void)
{
  char const *d = getenv("SVDIR");
  return d && *d ? d : SV_SVDIR_DEFAULT;
}

void sv_statedir(char *buf, char const *svdir, int instance)
{
  char num[22];
  if (instance < 0)
    sv_strjoin(buf, SV_PATH_MAX, svdir, "/supervise", (char *)0);
  else
    sv_strjoin(buf, SV_PATH_MAX, svdir, "/supervise@", sv_i64(num, instance), (char *)0);
}

/* "numprocs" = "N" on one line of conf, blanks and one pair of quotes
   allowed: N, or 0 if the line says something else */
static unsigned numprocs_line(char const *line, size_t len)
{
  char const *end = line + len;
  unsigned n = 0;
  while (line < end && (*line == ' ' || *line == '\t'))
    line++;
  if ((size_t)(end - line) < 8 || memcmp(line, "numprocs", 8)) return 0;
  line += 8;
  while (line < end && (*line == ' ' || *line == '\t'))
    line++;
  if (line == end || *line++ != '=') return 0;
  while (line < end && (*line == ' ' || *line == '\t' || *line == '"'))
    line++;
  for (; line < end && *line >= '0' && *line <= '9' && n <= 1000; line++)
    n = n * 10 + (unsigned)(*line - '0');
  return n <= 1000 ? n : 0;
}

unsigned sv_numprocs(char const *svdir)
{
  /* svc and svstat ask this of every name: read the one line, not the
     whole conf through the parser */
  char path[SV_PATH_MAX + 8], buf[SV_CONF_MAX + 1];
  ssize_t r;
  unsigned n = 1;
  if (!sv_strjoin(path, sizeof path, svdir, "/conf", (char *)0)) return 1;
  r = openreadnclose(path, buf, sizeof buf);
  if (r <= 0 || r > SV_CONF_MAX) return 1;
  for (char const *line = buf, *end = buf + r; line < end;) {
    char const *nl = memchr(line, '\n', (size_t)(end - line));
    size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
    unsigned v = numprocs_line(line, len);
    if (v) n = v; /* the last one wins, as in the parser */
    line += len + 1;
  }
  return n;
}

static int fill(sv_target *t, char const *name, char const *svdir, int instance)
{
  struct stat st;
  if (strlen(name) >= sizeof t->name || strlen(svdir) + 16 >= SV_PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  if (stat(svdir, &st) < 0) return -1;
  if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  strcpy(t->name, name);
  strcpy(t->svdir, svdir);
  t->instance = instance;
  sv_statedir(t->statedir, svdir, instance);
  return 1;
}

int sv_targets(char const *arg, sv_target *t, unsigned max)
{
  char svdir[SV_PATH_MAX], base[256];
  char const *at = 0;
  unsigned n;
  int isname = arg[0] != '.' && arg[0] != '/';
  if (!*arg || !max) {
    errno = EINVAL;
    return -1;
  }
  if (isname) at = strrchr(arg, '@');
  if (at) {
    char *end;
    long i = strtol(at + 1, &end, 10);
    if (at[1] < '0' || at[1] > '9' || *end || i < 0 || i > 100000) {
      errno = ERANGE;
      return -1;
    }
    if ((size_t)(at - arg) >= sizeof base) {
      errno = ENAMETOOLONG;
      return -1;
    }
    memcpy(base, arg, (size_t)(at - arg));
    base[at - arg] = 0;
    if (snprintf(svdir, sizeof svdir, "%s/%s", sv_scandir(), base) >= (int)sizeof svdir) {
      errno = ENAMETOOLONG;
      return -1;
    }
    if ((unsigned)i >= sv_numprocs(svdir) && fill(t, arg, svdir, -1) > 0) {
      errno = ERANGE;
      return -1;
    }
    return fill(t, arg, svdir, (int)i);
  }
  if (snprintf(svdir, sizeof svdir, isname ? "%s/%s" : "%.0s%s", sv_scandir(), arg) >= (int)sizeof svdir) {
    errno = ENAMETOOLONG;
    return -1;
  }
  n = sv_numprocs(svdir);
  if (n <= 1) return fill(t, arg, svdir, -1);
  if (n > max) n = max;
  for (unsigned i = 0; i < n; i++) {
    char name[300];
    snprintf(name, sizeof name, "%s@%u", arg, i);
    if (fill(t + i, name, svdir, (int)i) < 0) return -1;
  }
  return (int)n;
}

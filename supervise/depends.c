/* depends=a,b (SPEC §10): a service starts once each dependency of the
   same scan directory is RUNNING and ready.  While it waits, supervise
   watches the dependencies' status files with inotify in its one event
   loop: no polling.  A cycle or an unknown name is a configuration error. */

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/djbunix.h>

#include "supervise.h"
#include "sv_status.h"
#include "sv_str.h"
#include "sv_svdir.h"

#define DEPS_MAX 32  /* names in one depends= */
#define DEPTH_MAX 64 /* longest chain followed looking for a cycle */
#define WATCH_MAX 128

static int ifd = -1;
static int wds[WATCH_MAX];
static unsigned nwds;
static int waiting;

/* the next name of a comma list into out: 1, or 0 at the end */
static int next_name(char const **p, char *out, size_t max)
{
  char const *s = *p, *e;
  size_t n;
  while (*s == ',' || *s == ' ' || *s == '\t')
    s++;
  if (!*s) return 0;
  e = s + strcspn(s, ",");
  *p = e;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
    e--;
  n = (size_t)(e - s);
  if (n >= max) n = max - 1;
  memcpy(out, s, n);
  out[n] = 0;
  return 1;
}

/* the scan directory (parent of svpath) and the service's own name */
static void split(char const *svpath, char *scan, char const **self)
{
  char const *slash = strrchr(svpath, '/');
  size_t n = slash ? (size_t)(slash - svpath) : 0;
  memcpy(scan, svpath, n);
  scan[n ? n : 0] = 0;
  if (!n) strcpy(scan, "/");
  *self = slash ? slash + 1 : svpath;
}

/* depends= of SCAN/NAME/conf as written, into buf: 1 found, 0 none */
static int read_depends(char const *scan, char const *name, char *buf, size_t max)
{
  char path[SV_PATH_MAX + 300], conf[SV_CONF_MAX + 1];
  char *line, *next;
  ssize_t r;
  if (!sv_strjoin(path, sizeof path, scan, "/", name, "/conf", (char *)0)) return 0;
  r = openreadnclose(path, conf, SV_CONF_MAX);
  if (r <= 0) return 0;
  conf[r] = 0;
  for (line = conf; line; line = next) {
    char *eq, *k, *v, *e;
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    for (k = line; *k == ' ' || *k == '\t'; k++)
      ;
    if (strncmp(k, "depends", 7)) continue;
    for (eq = k + 7; *eq == ' ' || *eq == '\t'; eq++)
      ;
    if (*eq != '=') continue;
    for (v = eq + 1; *v == ' ' || *v == '\t' || *v == '"'; v++)
      ;
    e = v + strlen(v);
    while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '"'))
      *--e = 0;
    sv_strjoin(buf, max, v, (char *)0);
    return 1;
  }
  return 0;
}

static int is_service(char const *scan, char const *name)
{
  char path[SV_PATH_MAX + 300];
  struct stat s;
  if (!name[0] || name[0] == '.' || strchr(name, '/')) return 0;
  return sv_strjoin(path, sizeof path, scan, "/", name, (char *)0) && stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

/* depth-first from name, path[0..depth) the chain so far: 1 a cycle back
   to path[0] (why filled), 0 none */
static int find_cycle(char const *scan, char path[][256], unsigned depth, char const *deps, char *why)
{
  char name[256], sub[SV_CONF_MAX];
  char const *p = deps;
  if (depth >= DEPTH_MAX) return 0;
  while (next_name(&p, name, sizeof name)) {
    unsigned i;
    for (i = 0; i < depth; i++)
      if (!strcmp(path[i], name)) break;
    if (i < depth) {
      /* a loop; reported by the service it goes through */
      if (i) continue;
      sv_strjoin(why, SV_ERR_MAX, "dependency cycle: ", (char *)0);
      for (i = 0; i < depth; i++)
        sv_strjoin(why + strlen(why), SV_ERR_MAX - strlen(why), path[i], " -> ", (char *)0);
      sv_strjoin(why + strlen(why), SV_ERR_MAX - strlen(why), name, (char *)0);
      return 1;
    }
    if (!is_service(scan, name) || !read_depends(scan, name, sub, sizeof sub)) continue;
    memcpy(path[depth], name, 256);
    if (find_cycle(scan, path, depth + 1, sub, why)) return 1;
  }
  return 0;
}

static void watch(char const *path, uint32_t mask)
{
  int wd;
  if (nwds >= WATCH_MAX) return;
  wd = inotify_add_watch(ifd, path, mask);
  if (wd < 0) return;
  for (unsigned i = 0; i < nwds; i++)
    if (wds[i] == wd) return;
  wds[nwds++] = wd;
}

/* is the dependency SCAN/NAME RUNNING and ready (every instance); watches
   its status files.  0 waiting, with what it is in *state */
static int dep_ready(char const *scan, char const *name, enum sv_state *state)
{
  char dir[SV_PATH_MAX + 300], sd[SV_PATH_MAX + 320];
  unsigned n;
  sv_strjoin(dir, sizeof dir, scan, "/", name, (char *)0);
  n = sv_numprocs(dir);
  /* the directory, for a supervise/ that svscan has not made yet */
  watch(dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
  for (unsigned i = 0; i < n; i++) {
    sv_status s;
    sv_statedir(sd, dir, n > 1 ? (int)i : -1);
    /* status is replaced by rename: a move into the directory */
    watch(sd, IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
    *state = SV_STOPPED;
    if (sv_status_read(sd, &s) <= 0) return 0;
    *state = s.state;
    if (s.state != SV_RUNNING || !s.ready) return 0;
  }
  return 1;
}

static void unwatch(void)
{
  for (unsigned i = 0; i < nwds; i++)
    inotify_rm_watch(ifd, wds[i]);
  if (nwds) nwds = 0; /* written only when it changes: its page is otherwise untouched */
}

int depends_check(sv_conf const *c, char const *svpath, char *why)
{
  char scan[SV_PATH_MAX], name[256];
  char const *self, *p = c->res.depends;
  static char path[DEPTH_MAX][256];
  unsigned count = 0;
  if (waiting) waiting = 0; /* written only when it changes: its page is otherwise untouched */
  if (!p) {
    unwatch();
    return 1;
  }
  split(svpath, scan, &self);
  while (next_name(&p, name, sizeof name)) {
    if (++count > DEPS_MAX) {
      sv_strjoin(why, SV_ERR_MAX, "too many names in depends=", (char *)0);
      return -1;
    }
    if (!is_service(scan, name)) {
      sv_strjoin(why, SV_ERR_MAX, "unknown dependency: ", name, (char *)0);
      return -1;
    }
  }
  sv_strjoin(path[0], 256, self, (char *)0);
  if (find_cycle(scan, path, 1, c->res.depends, why)) return -1;
  if (ifd < 0) {
    ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0) {
      sv_strjoin(why, SV_ERR_MAX, "unable to watch dependencies: ", strerror(errno), (char *)0);
      return 0;
    }
  }
  p = c->res.depends;
  while (next_name(&p, name, sizeof name)) {
    enum sv_state s;
    if (dep_ready(scan, name, &s)) continue;
    sv_strjoin(why, SV_ERR_MAX, "waiting for ", name, (char *)0);
    if (s == SV_FATAL || s == SV_EXITED)
      sv_strjoin(why + strlen(why), SV_ERR_MAX - strlen(why), " (", name, " is ", sv_state_name(s), ")", (char *)0);
    waiting = 1;
    return 0;
  }
  /* the watches go; the fd stays, as its last close would block ~10 ms */
  unwatch();
  return 1;
}

int depends_fd(void) { return waiting ? ifd : -1; }

void depends_drain(void)
{
  char buf[4096];
  while (read(ifd, buf, sizeof buf) > 0)
    ;
}

void depends_cancel(void)
{
  if (waiting) waiting = 0; /* written only when it changes: its page is otherwise untouched */
  unwatch();
}

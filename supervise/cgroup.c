/* One cgroup v2 per service (SPEC §10): made before each start, joined by
   the child between fork and exec, emptied with cgroup.kill (or a kill of
   every pid it lists) so that a stop also ends processes that left the
   process group, removed once the service is down.

   Where: a tree of svkit's own, HIER/svkit/LEAF (sv_cgroup.c), beside
   whatever cgroup supervise itself sits in.  HIER/svkit holds no process,
   only service leaves, so cgroup v2's "no internal processes" rule never
   stops a controller from being enabled for the leaves. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "supervise.h"
#include "sv_cgroup.h"
#include "sv_proc.h"
#include "sv_str.h"

static char cgpath[SV_PATH_MAX];
static int located;      /* cgpath: 0 not looked for yet, 1 found, -1 no hierarchy */
static int have;         /* cgpath exists (we made it) */
static int keyed;        /* its keys were set from conf (memory_max...) */
static int doomed;       /* removed at the end of this loop turn (cgroup_tidy) */
static int procsfd = -1; /* cgpath/cgroup.procs, for the child to join */

/* the service's cgroup, found once: the dir and the instance never change
   under a supervise, and mountinfo is not read again at each restart */
static int locate(char const *svpath, int instance)
{
  if (!located) located = sv_cgroup_path(cgpath, sizeof cgpath, svpath, instance) ? 1 : -1;
  return located > 0;
}

char const *cgroup_leaf(char const *svpath, int instance) { return locate(svpath, instance) ? cgpath : 0; }

static int write_file(char const *dir, char const *file, char const *val)
{
  char path[SV_PATH_MAX + 40];
  size_t n = strlen(val);
  ssize_t w;
  int fd;
  if (!sv_strjoin(path, sizeof path, dir, "/", file, (char *)0)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  w = write(fd, val, n);
  close(fd);
  return w == (ssize_t)n ? 0 : -1;
}

/* the parent of dir, in buf */
static void parent_of(char *buf, size_t max, char const *dir)
{
  char *slash;
  sv_strjoin(buf, max, dir, (char *)0);
  slash = strrchr(buf, '/');
  if (slash && slash != buf) *slash = 0;
}

/* enables ctl for the leaves: in the mount root's and HIER/svkit's subtree_control */
static void enable(char const *ctl)
{
  char base[SV_PATH_MAX], root[SV_PATH_MAX], v[32];
  parent_of(base, sizeof base, cgpath);
  parent_of(root, sizeof root, base);
  sv_strjoin(v, sizeof v, "+", ctl, (char *)0);
  write_file(root, "cgroup.subtree_control", v);
  write_file(base, "cgroup.subtree_control", v);
}

static char *fmt_max(char *buf, uint64_t u)
{
  if (u == SV_LIM_INFINITY) {
    strcpy(buf, "max");
    return buf;
  }
  return sv_u64(buf, u);
}

/* writes one key: 1 applied, 0 not */
static int apply(char const *ctl, char const *file, char const *val)
{
  if (!write_file(cgpath, file, val)) return 1;
  if (errno != ENOENT) return 0;
  enable(ctl);
  return !write_file(cgpath, file, val);
}

static void apply_keys(sv_res const *r, char const *svname)
{
  char notdone[128] = "", num[48];
  char const *sep = "";
#define TRY(bit, ctl, file, val, key)                                                                                  \
  if ((r->cgset & (bit)) && !apply(ctl, file, val)) {                                                                  \
    sv_strjoin(notdone + strlen(notdone), sizeof notdone - strlen(notdone), sep, key, (char *)0);                      \
    sep = " ";                                                                                                         \
  }
  TRY(SV_CG_MEMORY_MAX, "memory", "memory.max", fmt_max(num, r->memory_max), "memory_max")
  TRY(SV_CG_MEMORY_HIGH, "memory", "memory.high", fmt_max(num, r->memory_high), "memory_high")
  if (r->cgset & SV_CG_CPU_MAX) {
    sv_u64(num, (uint64_t)r->cpu_pct * 1000);
    strcat(num, " 100000");
  }
  TRY(SV_CG_CPU_MAX, "cpu", "cpu.max", num, "cpu_max")
  TRY(SV_CG_PIDS_MAX, "pids", "pids.max", fmt_max(num, r->pids_max), "pids_max")
  if (r->cgset & SV_CG_IO_WEIGHT) sv_u64(num, r->io_weight);
  TRY(SV_CG_IO_WEIGHT, "io", "io.weight", num, "io_weight")
#undef TRY
  if (notdone[0])
    strerr_warnw(svname, ": cgroup keys not applied (controller missing or not writable in ", cgpath, "): ", notdone);
}

static void keys_list(sv_res const *r, char *buf, size_t max)
{
  static char const *const names[] = {"memory_max", "memory_high", "cpu_max", "pids_max", "io_weight"};
  buf[0] = 0;
  for (unsigned i = 0; i < 5; i++)
    if (r->cgset & (1u << i)) sv_strjoin(buf + strlen(buf), max - strlen(buf), buf[0] ? " " : "", names[i], (char *)0);
}

/* cgroup.procs, which the child writes to join: 1 open */
static int open_procs(void)
{
  char p[SV_PATH_MAX + 16];
  sv_strjoin(p, sizeof p, cgpath, "/cgroup.procs", (char *)0);
  procsfd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  return procsfd >= 0;
}

void cgroup_prepare(sv_conf const *c, char const *svpath, int instance, char const *svname)
{
  char base[SV_PATH_MAX], keys[128];
  if (procsfd >= 0) {
    close(procsfd);
    procsfd = -1;
  }
  keys_list(&c->res, keys, sizeof keys);
  if (!locate(svpath, instance)) {
    if (keys[0]) strerr_warnw(svname, ": cgroup keys not applied (no writable cgroup v2 hierarchy): ", keys);
    have = 0;
    return;
  }
  /* settled before a start: the old leaf is empty.  A restart in the turn
     its run ended keeps it as it is when neither the last start nor this
     one set a key (no rmdir and mkdir); otherwise a fresh one drops the
     keys a changed conf no longer has */
  if (have && doomed && !c->res.cgset && !keyed && open_procs()) {
    doomed = 0;
    return;
  }
  doomed = 0;
  if (have || !access(cgpath, F_OK)) rmdir(cgpath);
  parent_of(base, sizeof base, cgpath);
  if ((mkdir(base, 0755) < 0 && errno != EEXIST) || (mkdir(cgpath, 0755) < 0 && errno != EEXIST)) {
    strerr_warnwu2sys("create cgroup ", cgpath);
    if (keys[0]) strerr_warnw(svname, ": cgroup keys not applied: ", keys);
    have = 0;
    return;
  }
  have = 1;
  keyed = !!c->res.cgset;
  apply_keys(&c->res, svname);
  if (!open_procs()) strerr_warnwu3sys("open ", cgpath, "/cgroup.procs");
}

/* a run left by a supervise that died: its cgroup (made by that
   supervise, at the same path) still holds what escaped its group */
void cgroup_adopt(char const *svpath, int instance)
{
  struct stat s;
  if (procsfd >= 0) {
    close(procsfd);
    procsfd = -1;
  }
  have = locate(svpath, instance) && lstat(cgpath, &s) == 0 && S_ISDIR(s.st_mode);
  keyed = have; /* the keys the dead supervise set are not known: the next start makes a fresh leaf */
}

int cgroup_join(void)
{
  if (procsfd < 0) return 0;
  return write(procsfd, "0", 1) == 1 ? 0 : -1;
}

void cgroup_spawned(void)
{
  if (procsfd >= 0) {
    close(procsfd);
    procsfd = -1;
  }
}

/* a zombie stays listed until reaped, and a PID 1 that does not reap (a
   container's, this sandbox's) never does: it is gone all the same */
static int alive(pid_t pid)
{
  char num[22];
  sv_procstat p;
  return sv_procstat_read(sv_i64(num, pid), &p) && !sv_procstat_dead(&p);
}

/* calls f on every live pid listed in cgroup.procs: how many there were */
static unsigned each_pid(void (*f)(pid_t, int), int sig)
{
  char p[SV_PATH_MAX + 16], buf[512]; /* pids are short lines; every byte of stack stays resident */
  size_t len = 0;
  unsigned count = 0;
  int fd;
  if (!have) return 0;
  sv_strjoin(p, sizeof p, cgpath, "/cgroup.procs", (char *)0);
  fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    char *line = buf, *nl;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    buf[len] = 0;
    while ((nl = strchr(line, '\n'))) {
      pid_t pid;
      *nl = 0;
      if (pid_scan(line, &pid) && pid > 0 && alive(pid)) {
        count++;
        if (f) (*f)(pid, sig);
      }
      line = nl + 1;
    }
    len -= (size_t)(line - buf);
    memmove(buf, line, len);
    if (len == sizeof buf - 1) len = 0;
  }
  close(fd);
  return count;
}

int cgroup_populated(void) { return each_pid(0, 0) > 0; }

static void killone(pid_t pid, int sig) { kill(pid, sig); }

void cgroup_signal(int sig)
{
  if (!have) return;
  if (sig == SIGKILL && !write_file(cgpath, "cgroup.kill", "1")) return;
  each_pid(&killone, sig);
}

/* the leaf goes at the end of this loop turn (cgroup_tidy): a start in
   the same turn (a restart) takes it back as it is */
void cgroup_remove(void)
{
  if (have) doomed = 1;
}

void cgroup_tidy(void)
{
  if (!doomed) return;
  doomed = 0;
  if (have && (!rmdir(cgpath) || errno == ENOENT)) have = 0;
}

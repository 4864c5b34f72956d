/* Finding the cgroup v2 hierarchy and a service's cgroup in it.
   Never assumes /sys/fs/cgroup: hybrid systems mount cgroup2 elsewhere
   (/sys/fs/cgroup/unified), so the mount table is read. */

#include <string.h>
#include <unistd.h>

#include <skalibs/djbunix.h>

#include "sv_cgroup.h"
#include "sv_proc.h"
#include "sv_str.h"

/* mountinfo escapes blanks in paths as \040 */
static void unescape(char *s)
{
  char *w = s;
  for (; *s; s++) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
      *w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 3;
    } else
      *w++ = *s;
  }
  *w = 0;
}

/* a mountinfo line: 1 and path set if it is a writable cgroup2 mount */
static int writable_cgroup2(char *line, char **path)
{
  /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
  char *fields[5], *p = line, *dash = strstr(line, " - ");
  unsigned i;
  if (!dash || strncmp(dash + 3, "cgroup2 ", 8)) return 0;
  for (i = 0; i < 5 && p; i++) {
    fields[i] = p;
    p = strchr(p, ' ');
    if (p) *p++ = 0;
  }
  if (i < 5) return 0;
  unescape(fields[4]);
  if (access(fields[4], W_OK) < 0) return 0;
  *path = fields[4];
  return 1;
}

struct base_wanted {
  char *buf;
  size_t max;
};

static int base_line(char *line, void *ctx)
{
  struct base_wanted *w = ctx;
  char *path;
  return writable_cgroup2(line, &path) && sv_strjoin(w->buf, w->max, path, "/svkit", (char *)0);
}

/* The buffer is small because it is on the stack of every supervise,
   deepest in its start-up: a cgroup2 line is short, and a longer line (an
   overlay mount's options) is skipped, not needed */
static int find_base(char *cache, size_t max)
{
  char buf[1024];
  struct base_wanted w = {cache, max};
  return sv_proc_lines("/proc/self/mountinfo", buf, sizeof buf, &base_line, &w);
}

int sv_cgroup_base(char *buf, unsigned max) { return find_base(buf, max); }

int sv_cgroup_leaf(char *buf, unsigned max, char const *base, char const *svdir, int instance)
{
  char leaf[256], num[22];
  size_t n = strlen(svdir), j = 0;
  char const *s = svdir;
  while (*s == '/')
    s++, n--;
  if (n > 200) s += n - 200;
  for (; *s && j < 200; s++)
    leaf[j++] = *s == '/' ? '-' : *s;
  if (!j) leaf[j++] = '-';
  leaf[j] = 0;
  return !!sv_strjoin(buf, max, base, "/", leaf, instance >= 0 ? "@" : "", instance >= 0 ? sv_i64(num, instance) : "",
                      (char *)0);
}

int sv_cgroup_path(char *buf, unsigned max, char const *svdir, int instance)
{
  char base[SV_PATH_MAX];
  return sv_cgroup_base(base, sizeof base) && sv_cgroup_leaf(buf, max, base, svdir, instance);
}

static int read_u64(char const *path, char const *key, uint64_t *u)
{
  char buf[2048], *p;
  ssize_t r = openreadnclose(path, buf, sizeof buf - 1);
  size_t klen = strlen(key);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : 0) {
    uint64_t n = 0;
    char *q;
    if (klen && (strncmp(p, key, klen) || p[klen] != ' ')) continue;
    q = p + (klen ? klen + 1 : 0);
    if (*q < '0' || *q > '9') return 0;
    for (; *q >= '0' && *q <= '9'; q++)
      n = n * 10 + (uint64_t)(*q - '0');
    *u = n;
    return 1;
  }
  return 0;
}

int sv_cgroup_usage(char const *path, uint64_t *mem, uint64_t *cpu_usec)
{
  char f[SV_PATH_MAX + 32];
  int r = 0;
  if (sv_strjoin(f, sizeof f, path, "/memory.current", (char *)0) && read_u64(f, "", mem)) r |= 1;
  if (sv_strjoin(f, sizeof f, path, "/cpu.stat", (char *)0) && read_u64(f, "usage_usec", cpu_usec)) r |= 2;
  return r;
}

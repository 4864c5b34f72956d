/* Reading passwd and group files without NSS (see sv_user.h). */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sv_user.h"

typedef struct reader_s reader;
struct reader_s {
  int fd;
  int eof;
  size_t len, pos;
  char buf[SV_USER_LINE_MAX + 1]; /* + the NUL of a last line without '\n' */
};

/* the next line, NUL-terminated, in *line: 1 a line, 0 the end, -1 error.
   A line that does not fit in buf is skipped up to its newline. */
static int nextline(reader *r, char **line)
{
  int skipping = 0;
  for (;;) {
    char *s = r->buf + r->pos, *nl = memchr(s, '\n', r->len - r->pos);
    ssize_t n;
    if (nl) {
      *nl = 0;
      r->pos = (size_t)(nl + 1 - r->buf);
      if (skipping) {
        skipping = 0;
        continue;
      }
      *line = s;
      return 1;
    }
    if (r->eof) {
      if (skipping || r->pos == r->len) return 0;
      r->buf[r->len] = 0;
      r->pos = r->len;
      *line = s;
      return 1;
    }
    memmove(r->buf, s, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
    if (r->len == SV_USER_LINE_MAX) skipping = 1, r->len = 0;
    n = read(r->fd, r->buf + r->len, SV_USER_LINE_MAX - r->len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (!n) r->eof = 1;
    r->len += (size_t)n;
  }
}

/* splits s at ':' into exactly want fields: 1, or 0 if it has another count */
static int split(char *s, char **f, unsigned want)
{
  unsigned n = 0;
  for (;;) {
    if (n == want) return 0;
    f[n++] = s;
    s = strchr(s, ':');
    if (!s) break;
    *s++ = 0;
  }
  return n == want;
}

/* a uid or gid: decimal digits only, below (id_t)-1 (which means "none") */
static int scanid(char const *s, uint32_t *id)
{
  uint64_t v = 0;
  if (!*s) return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return 0;
    v = v * 10 + (uint64_t)(*s - '0');
    if (v >= UINT32_MAX) return 0;
  }
  *id = (uint32_t)v;
  return 1;
}

/* calls f on each well-formed line of file (nfields fields, a name, a
   numeric id in field idfield) until f returns nonzero: that, 0 at the
   end, -1 on error */
static int scan(char const *file, unsigned nfields, unsigned idfield, int (*f)(char **fields, uint32_t id, void *data),
                void *data)
{
  /* 64 kB mapped for the scan only: neither on the stack nor in bss, where
     it would push supervise's hot variables onto one more resident page */
  reader *r = mmap(0, sizeof *r, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *line, *fields[7];
  int got, e;
  if (r == MAP_FAILED) return -1;
  r->fd = open(file, O_RDONLY | O_CLOEXEC);
  if (r->fd < 0) {
    e = errno;
    munmap(r, sizeof *r);
    errno = e;
    return -1;
  }
  r->eof = 0, r->len = r->pos = 0;
  while ((got = nextline(r, &line)) > 0) {
    uint32_t id;
    if (!split(line, fields, nfields) || !fields[0][0] || !scanid(fields[idfield], &id)) continue;
    got = f(fields, id, data);
    if (got) break;
  }
  e = errno;
  close(r->fd);
  munmap(r, sizeof *r);
  errno = e;
  return got;
}

typedef struct want_s want;
struct want_s {
  char const *name;
  uint32_t id, id2;
};

static int passwd_match(char **f, uint32_t uid, void *data)
{
  want *w = data;
  if (strcmp(f[0], w->name) || !scanid(f[3], &w->id2)) return 0;
  w->id = uid;
  return 1;
}

int sv_passwd_find(char const *file, char const *name, uid_t *uid, gid_t *gid)
{
  want w = {name, 0, 0};
  int r = scan(file, 7, 2, passwd_match, &w);
  if (r > 0) *uid = w.id, *gid = w.id2;
  return r;
}

static int group_match(char **f, uint32_t gid, void *data)
{
  want *w = data;
  if (strcmp(f[0], w->name)) return 0;
  w->id = gid;
  return 1;
}

int sv_group_find(char const *file, char const *name, gid_t *gid)
{
  want w = {name, 0, 0};
  int r = scan(file, 4, 2, group_match, &w);
  if (r > 0) *gid = w.id;
  return r;
}

typedef struct members_s members;
struct members_s {
  char const *name;
  gid_t *list;
  size_t n, max;
};

/* 1 if the comma-separated list has name */
static int listed(char const *list, char const *name)
{
  size_t len = strlen(name);
  while (*list) {
    size_t n = strcspn(list, ",");
    if (n == len && !memcmp(list, name, len)) return 1;
    list += n;
    if (*list) list++;
  }
  return 0;
}

static int add_if_member(char **f, uint32_t gid, void *data)
{
  members *m = data;
  if (!listed(f[3], m->name)) return 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->list[i] == gid) return 0;
  if (m->n == m->max) {
    errno = E2BIG;
    return -1;
  }
  m->list[m->n++] = gid;
  return 0;
}

int sv_group_list(char const *file, char const *name, gid_t gid, gid_t *list, size_t *n)
{
  members m = {name, list, 0, *n};
  if (!m.max) {
    errno = E2BIG;
    return -1;
  }
  list[m.n++] = gid;
  if (scan(file, 4, 2, add_if_member, &m) < 0) return -1;
  *n = m.n;
  return 0;
}

#ifdef SV_USER_NSS

int sv_user_lookup(char const *spec, sv_user *u)
{
  char const *colon = strchr(spec, ':');
  size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
  struct passwd *pw;
  if (len >= sizeof u->name) return SV_USER_NOUSER;
  memcpy(u->name, spec, len);
  u->name[len] = 0;
  errno = 0;
  pw = getpwnam(u->name);
  if (!pw) return errno ? SV_USER_ERROR : SV_USER_NOUSER;
  u->uid = pw->pw_uid;
  u->gid = pw->pw_gid;
  if (colon) {
    struct group *gr;
    errno = 0;
    gr = getgrnam(colon + 1);
    if (!gr) return errno ? SV_USER_ERROR : SV_USER_NOGROUP;
    u->gid = gr->gr_gid;
  }
  return SV_USER_OK;
}

int sv_user_become(sv_user const *u)
{
  if (setgid(u->gid) < 0 || initgroups(u->name, u->gid) < 0 || setuid(u->uid) < 0) return -1;
  return 0;
}

#else

int sv_user_lookup(char const *spec, sv_user *u)
{
  char const *colon = strchr(spec, ':');
  size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
  int r;
  if (len >= sizeof u->name) return SV_USER_NOUSER;
  memcpy(u->name, spec, len);
  u->name[len] = 0;
  r = sv_passwd_find(SV_PASSWD_FILE, u->name, &u->uid, &u->gid);
  if (r <= 0) return r < 0 ? SV_USER_ERROR : SV_USER_NOUSER;
  if (!colon) return SV_USER_OK;
  r = sv_group_find(SV_GROUP_FILE, colon + 1, &u->gid);
  return r > 0 ? SV_USER_OK : r < 0 ? SV_USER_ERROR : SV_USER_NOGROUP;
}

int sv_user_become(sv_user const *u)
{
  gid_t list[SV_USER_NGROUPS];
  size_t n = SV_USER_NGROUPS;
  /* the primary group passwd gives is not the one asked for: glibc's
     initgroups lists the asked one first, and so do we */
  if (sv_group_list(SV_GROUP_FILE, u->name, u->gid, list, &n) < 0) {
    if (errno != ENOENT) return -1;
    list[0] = u->gid, n = 1; /* no group file: no supplementary groups */
  }
  if (setgid(u->gid) < 0 || setgroups(n, list) < 0 || setuid(u->uid) < 0) return -1;
  return 0;
}

#endif

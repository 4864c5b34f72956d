#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <skalibs/strerr.h>

#include "sv_scan.h"

static int by_name(void const *a, void const *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int sv_scan_names(char const *dir, char ***names)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t n = 0, cap = 0, bytes = 0;
  char **v = 0;
  if (!d) return -1;
  while ((e = readdir(d))) {
    char path[SV_PATH_MAX];
    struct stat s;
    if (e->d_name[0] == '.') continue;
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
    if (stat(path, &s) < 0 || !S_ISDIR(s.st_mode)) continue;
    if (n == cap) {
      char **nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
      if (!nv) goto err;
      v = nv;
    }
    if (!(v[n] = strdup(e->d_name))) goto err;
    bytes += strlen(v[n++]) + 1;
  }
  closedir(d);
  qsort(v, n, sizeof *v, by_name);
  /* one block: the pointer table, then the strings */
  {
    char **out = malloc(n * sizeof *out + bytes + 1), *p;
    if (!out) {
      d = 0;
      goto err;
    }
    p = (char *)(out + n);
    for (size_t i = 0; i < n; i++) {
      size_t l = strlen(v[i]) + 1;
      memcpy(p, v[i], l);
      out[i] = p;
      p += l;
      free(v[i]);
    }
    free(v);
    *names = out;
  }
  return (int)n;
err : {
  int e2 = errno;
  if (d) closedir(d);
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
  errno = e2;
}
  return -1;
}

static int grow(sv_targetlist *l, unsigned need)
{
  sv_target *nt;
  unsigned c = l->cap ? l->cap : 16;
  if (need <= l->cap) return 1;
  while (c < need)
    c *= 2;
  nt = realloc(l->v, c * sizeof *nt);
  if (!nt) return 0;
  l->v = nt;
  l->cap = c;
  return 1;
}

int sv_targets_append(sv_targetlist *l, char const *arg, int withlog)
{
  unsigned max = 1024;
  int r;
  struct stat s;
  if (!grow(l, l->n + max + 1)) return -1;
  r = sv_targets(arg, l->v + l->n, max);
  if (r < 0) return -1;
  l->n += (unsigned)r;
  if (!withlog || !r) return 1;
  {
    /* one logger per service, instances included: NAME/log */
    sv_target *lt = l->v + l->n, *last = lt - 1;
    char const *at = last->instance >= 0 ? strrchr(last->name, '@') : 0;
    int namelen = at ? (int)(at - last->name) : (int)strlen(last->name);
    if (snprintf(lt->svdir, sizeof lt->svdir, "%s/log", last->svdir) >= (int)sizeof lt->svdir) return 1;
    if (stat(lt->svdir, &s) < 0 || !S_ISDIR(s.st_mode)) return 1;
    snprintf(lt->name, sizeof lt->name, "%.*s/log", namelen > 240 ? 240 : namelen, last->name);
    lt->instance = -1;
    sv_statedir(lt->statedir, lt->svdir, -1);
    l->n++;
  }
  return 1;
}

typedef struct keyed_s keyed;
struct keyed_s {
  char const *statedir;
  unsigned index;
};

static int by_statedir(void const *a, void const *b)
{
  keyed const *x = a, *y = b;
  int c = strcmp(x->statedir, y->statedir);
  return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

int sv_targets_unique(sv_targetlist *l)
{
  keyed *k;
  unsigned char *drop;
  unsigned n = 0;
  if (l->n < 2) return 1;
  k = malloc(l->n * (sizeof *k + 1));
  if (!k) return -1;
  drop = (unsigned char *)(k + l->n);
  for (unsigned i = 0; i < l->n; i++)
    k[i].statedir = l->v[i].statedir, k[i].index = i, drop[i] = 0;
  /* sorted by state directory, then by place: each repeat after its first */
  qsort(k, l->n, sizeof *k, &by_statedir);
  for (unsigned i = 1; i < l->n; i++)
    if (!strcmp(k[i].statedir, k[i - 1].statedir)) drop[k[i].index] = 1;
  for (unsigned i = 0; i < l->n; i++)
    if (!drop[i]) {
      if (n != i) l->v[n] = l->v[i];
      n++;
    }
  l->n = n;
  free(k);
  return 1;
}

/* 0 ok; else one warning naming ARG and the exit code it calls for */
static int append_or_warn(sv_targetlist *l, char const *arg, int withlog)
{
  if (sv_targets_append(l, arg, withlog) >= 0) return 0;
  if (errno == ERANGE) {
    strerr_warnwu3x("find ", arg, ": no such instance");
    return 100;
  }
  strerr_warnwu2sys("find service ", arg);
  return 111;
}

int sv_targets_collect(sv_targetlist *l, char const *const *args, unsigned n, int withlog)
{
  int rc = 0;
  if (!n) {
    char **names;
    int k = sv_scan_names(sv_scandir(), &names);
    if (k < 0) {
      strerr_warnwu2sys("read scan directory ", sv_scandir());
      return 111;
    }
    for (int i = 0; i < k; i++)
      rc = sv_exit_worst(rc, append_or_warn(l, names[i], withlog));
    free(names);
  }
  for (unsigned i = 0; i < n; i++)
    rc = sv_exit_worst(rc, append_or_warn(l, args[i], withlog));
  if (sv_targets_unique(l) < 0) {
    strerr_warnwu1sys("allocate");
    return 111;
  }
  return rc;
}

int sv_exit_worst(int a, int b) { return a > b ? a : b; }

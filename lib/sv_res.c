/* Parsing SPEC §10's resource keys: limit_*, nice, oom_score_adj and the
   cgroup v2 keys.  Out-of-range values are configuration errors. */

#include <string.h>

#include "sv_cron.h"
#include "sv_res.h"

char const *const sv_res_limit_names[SV_NLIMITS] = {"limit_nofile", "limit_nproc",   "limit_core",
                                                    "limit_as",     "limit_memlock", "limit_stack"};

/* which limits take KB/MB/GB suffixes */
static int is_size(unsigned i)
{
  return i == SV_LIM_CORE || i == SV_LIM_AS || i == SV_LIM_MEMLOCK || i == SV_LIM_STACK;
}

static int ieq(char const *a, char const *b)
{
  for (;; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
    char y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
    if (x != y) return 0;
    if (!x) return 1;
  }
}

/* decimal number in [s, e): 1 ok, 0 not a number or too big */
static int scan_n(char const *s, char const *e, uint64_t *u, char const **end)
{
  uint64_t n = 0;
  if (s >= e || *s < '0' || *s > '9') return 0;
  for (; s < e && *s >= '0' && *s <= '9'; s++) {
    if (n > (UINT64_MAX - 9) / 10) return 0;
    n = n * 10 + (uint64_t)(*s - '0');
  }
  *u = n;
  *end = s;
  return 1;
}

/* one value in [s, e): "infinity", N, or (sizes) N with K/KB/M/MB/G/GB/T/TB */
static int scan_limit(char const *s, char const *e, int size, uint64_t *u, char const **why)
{
  char suf[4];
  size_t n = (size_t)(e - s);
  uint64_t x, mult = 1;
  char const *p;
  if ((n == 8 && !strncmp(s, "infinity", 8)) || (n == 9 && !strncmp(s, "unlimited", 9))) {
    *u = SV_LIM_INFINITY;
    return 1;
  }
  if (!scan_n(s, e, &x, &p)) {
    *why = "not a number";
    return 0;
  }
  n = (size_t)(e - p);
  if (n) {
    if (!size || n > 2) {
      *why = "bad suffix";
      return 0;
    }
    memcpy(suf, p, n);
    suf[n] = 0;
    if (ieq(suf, "K") || ieq(suf, "KB"))
      mult = 1ull << 10;
    else if (ieq(suf, "M") || ieq(suf, "MB"))
      mult = 1ull << 20;
    else if (ieq(suf, "G") || ieq(suf, "GB"))
      mult = 1ull << 30;
    else if (ieq(suf, "T") || ieq(suf, "TB"))
      mult = 1ull << 40;
    else if (!ieq(suf, "B")) {
      *why = "bad suffix";
      return 0;
    }
  }
  if (x > (SV_LIM_INFINITY - 1) / mult) {
    *why = "out of range";
    return 0;
  }
  *u = x * mult;
  return 1;
}

/* N, SOFT:HARD or infinity */
static int parse_limit(sv_res *r, unsigned i, char const *v, char const **why)
{
  char const *colon = strchr(v, ':'), *end = v + strlen(v);
  uint64_t soft, hard;
  if (!scan_limit(v, colon ? colon : end, is_size(i), &soft, why)) return 0;
  if (colon) {
    if (!scan_limit(colon + 1, end, is_size(i), &hard, why)) return 0;
  } else
    hard = soft;
  if (soft > hard) {
    *why = "out of range (soft above hard)";
    return 0;
  }
  /* the kernel refuses more open files than fs.nr_open, at most 2^30 */
  if (i == SV_LIM_NOFILE && hard != SV_LIM_INFINITY && hard > (1u << 30)) {
    *why = "out of range";
    return 0;
  }
  if (i == SV_LIM_NPROC && hard != SV_LIM_INFINITY && hard > (1u << 22)) {
    *why = "out of range";
    return 0;
  }
  r->lim[i].soft = soft;
  r->lim[i].hard = hard;
  r->limset |= 1u << i;
  return 1;
}

/* a signed integer in [lo, hi] */
static int scan_int(char const *v, int lo, int hi, int *out, char const **why)
{
  int neg = *v == '-';
  uint64_t n;
  char const *p;
  if (*v == '+' || neg) v++;
  if (!scan_n(v, v + strlen(v), &n, &p) || *p) {
    *why = "not a number";
    return 0;
  }
  if (n > 100000 || (neg ? -(int64_t)n : (int64_t)n) < lo || (neg ? -(int64_t)n : (int64_t)n) > hi) {
    *why = "out of range";
    return 0;
  }
  *out = neg ? -(int)n : (int)n;
  return 1;
}

/* memory_max and friends: a size, or max/infinity */
static int scan_cgsize(char const *v, uint64_t *u, char const **why)
{
  if (ieq(v, "max")) {
    *u = SV_LIM_INFINITY;
    return 1;
  }
  return scan_limit(v, v + strlen(v), 1, u, why);
}

int sv_res_key(sv_res *r, char const *k, char const *v, char const **why)
{
  uint64_t n;
  char const *p;
  for (unsigned i = 0; i < SV_NLIMITS; i++)
    if (!strcmp(k, sv_res_limit_names[i])) return parse_limit(r, i, v, why);
  if (!strcmp(k, "nice")) return (r->has_nice = scan_int(v, -20, 19, &r->nice, why));
  if (!strcmp(k, "oom_score_adj")) return (r->has_oom = scan_int(v, -1000, 1000, &r->oom_score_adj, why));
  if (!strcmp(k, "memory_max")) {
    r->cgset |= SV_CG_MEMORY_MAX;
    return scan_cgsize(v, &r->memory_max, why);
  }
  if (!strcmp(k, "memory_high")) {
    r->cgset |= SV_CG_MEMORY_HIGH;
    return scan_cgsize(v, &r->memory_high, why);
  }
  if (!strcmp(k, "pids_max")) {
    r->cgset |= SV_CG_PIDS_MAX;
    if (ieq(v, "max")) {
      r->pids_max = SV_LIM_INFINITY;
      return 1;
    }
    if (!scan_n(v, v + strlen(v), &n, &p) || *p) {
      *why = "not a number";
      return 0;
    }
    if (!n || n > (1u << 22)) {
      *why = "out of range";
      return 0;
    }
    r->pids_max = n;
    return 1;
  }
  if (!strcmp(k, "cpu_max")) {
    /* a percentage of one CPU: 50% -> cpu.max "50000 100000" */
    r->cgset |= SV_CG_CPU_MAX;
    if (!scan_n(v, v + strlen(v), &n, &p) || strcmp(p, "%")) {
      *why = "not a percentage";
      return 0;
    }
    if (!n || n > 100000) {
      *why = "out of range";
      return 0;
    }
    r->cpu_pct = (unsigned)n;
    return 1;
  }
  if (!strcmp(k, "io_weight")) {
    r->cgset |= SV_CG_IO_WEIGHT;
    if (!scan_n(v, v + strlen(v), &n, &p) || *p) {
      *why = "not a number";
      return 0;
    }
    if (!n || n > 10000) {
      *why = "out of range";
      return 0;
    }
    r->io_weight = (unsigned)n;
    return 1;
  }
  if (!strcmp(k, "schedule")) {
    static char err[96];
    sv_cron c;
    if (!*v) {
      r->schedule = 0;
      return 1;
    }
    if (!sv_cron_parse(&c, v, err, sizeof err)) {
      *why = err;
      return 0;
    }
    r->schedule = v;
    return 1;
  }
  if (!strcmp(k, "persistent")) {
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
      r->persistent = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
      r->persistent = 0;
    else
      return 0;
    return 1;
  }
  if (!strcmp(k, "depends")) {
    /* names only: whether they exist, and cycles, are checked by supervise */
    for (p = v; *p; p++)
      if (*p == '/' || (p == v && *p == '.')) {
        *why = "not a service name";
        return 0;
      }
    r->depends = *v ? v : 0;
    return 1;
  }
  return -1;
}

/* svc import [-n] [-d DIR] FILE...: supervisord [program:x] sections and
   systemd .service/.timer units into service directories (SPEC §12,
   man svkit-import.7).  A command-line tool: stdio and malloc are fine here. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "sv_svdir.h"
#include "svc.h"

#define PROG "svc"

/* ---- growing strings ---- */

typedef struct {
  char *s;
  size_t len, cap;
} str;

static void sadd_n(str *b, char const *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *p = realloc(b->s, cap);
    if (!p) strerr_diefu1sys(111, "allocate memory");
    b->s = p, b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}
static void sadd(str *b, char const *s) { sadd_n(b, s, strlen(s)); }
static void sfmt(str *b, char const *fmt, ...)
{
  char tmp[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  sadd(b, tmp);
}
static void str_reset(str *b)
{
  b->len = 0;
  if (b->s) b->s[0] = 0;
}
static char const *sget(str const *b) { return b->s ? b->s : ""; }

/* ---- the services being built ---- */

#define MAXDEP 32
typedef struct unit_s unit;
struct unit_s {
  char name[256];
  char unitname[256]; /* systemd: web.service */
  char const *origin; /* the file it came from */
  str conf, run, stop, notes, refused;
  char *envk[64], *envv[64];
  unsigned nenv;
  int log; /* write log/run (svlog) */
  char logargs[64];
  char *after[MAXDEP]; /* systemd After/Requires/... unit names */
  unsigned nafter;
  int systemd;
};
static unit *units;
static unsigned nunits;

static unit *new_unit(char const *name, char const *origin)
{
  unit *u;
  units = realloc(units, (nunits + 1) * sizeof *units);
  if (!units) strerr_diefu1sys(111, "allocate memory");
  u = &units[nunits++];
  memset(u, 0, sizeof *u);
  snprintf(u->name, sizeof u->name, "%s", name);
  u->origin = origin;
  return u;
}

static void note(unit *u, char const *key, char const *val, char const *why)
{
  sfmt(&u->notes, "%s: not mapped: %s=%s: %s\n", u->name, key, val, why);
}

static void refuse(unit *u, char const *fmt, ...)
{
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (!u->refused.len) sadd(&u->refused, tmp);
}

/* ---- INI reading (both formats) ---- */

typedef struct {
  char *sec, *key, *val;
  unsigned line;
} ent;
typedef struct {
  ent *e;
  unsigned n;
  char const *path;
} ini;

static char *trim(char *s)
{
  char *e;
  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
    *--e = 0;
  return s;
}

static char *readfile(char const *path)
{
  FILE *f = fopen(path, "r");
  str b = {0, 0, 0};
  char tmp[4096];
  size_t r;
  if (!f) strerr_diefu2sys(111, "open ", path);
  while ((r = fread(tmp, 1, sizeof tmp, f)))
    sadd_n(&b, tmp, r);
  if (ferror(f)) strerr_diefu2sys(111, "read ", path);
  fclose(f);
  if (b.s && memchr(b.s, 0, b.len)) strerr_dief3x(100, "unable to import ", path, ": contains a NUL byte");
  sadd(&b, "");
  return b.s;
}

static void ini_add(ini *in, char *sec, char *key, char *val, unsigned line)
{
  in->e = realloc(in->e, (in->n + 1) * sizeof *in->e);
  if (!in->e) strerr_diefu1sys(111, "allocate memory");
  in->e[in->n].sec = sec, in->e[in->n].key = key, in->e[in->n].val = val, in->e[in->n].line = line;
  in->n++;
}

static void bad_line(char const *path, unsigned line, char const *why)
{
  char num[16];
  snprintf(num, sizeof num, "%u", line);
  strerr_dief(100, "unable to import ", path, ": line ", num, ": ", why);
}

/* supervisord: python configparser rules: "k = v" or "k: v", keys lowercased,
   indented lines continue a value, ';' '#' comments, inline after a blank */
static void ini_supervisord(ini *in, char *text)
{
  char *sec = 0, *line = text;
  ent *last = 0;
  unsigned lineno = 0;
  while (*line) {
    char *nl = strchr(line, '\n'), *s, *sep;
    int indented = *line == ' ' || *line == '\t';
    lineno++;
    if (nl) *nl = 0;
    s = trim(line);
    line = nl ? nl + 1 : line + strlen(line);
    if (!*s || *s == ';' || *s == '#') {
      if (!*s) last = 0;
      continue;
    }
    /* inline comments */
    for (char *p = s + 1; *p; p++)
      if ((*p == ';' || *p == '#') && (p[-1] == ' ' || p[-1] == '\t')) {
        *p = 0;
        s = trim(s);
        break;
      }
    if (indented && last) {
      size_t n = strlen(last->val) + strlen(s) + 2;
      char *v = malloc(n);
      if (!v) strerr_diefu1sys(111, "allocate memory");
      snprintf(v, n, "%s\n%s", last->val, s);
      last->val = v;
      continue;
    }
    if (*s == '[') {
      char *e = strchr(s, ']');
      if (!e || e[1]) bad_line(in->path, lineno, "malformed section header");
      *e = 0;
      sec = trim(s + 1);
      for (unsigned i = 0; i < in->n; i++)
        if (!strcmp(in->e[i].sec, sec) && !in->e[i].key) bad_line(in->path, lineno, "section given twice");
      ini_add(in, sec, 0, 0, lineno);
      last = 0;
      continue;
    }
    sep = strpbrk(s, "=:");
    if (!sep) bad_line(in->path, lineno, "expected [section] or key=value");
    if (!sec) bad_line(in->path, lineno, "key=value before any [section]");
    *sep = 0;
    for (char *p = s; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    ini_add(in, sec, trim(s), trim(sep + 1), lineno);
    last = &in->e[in->n - 1];
  }
}

/* systemd: "Key=Value", case-sensitive, backslash-newline continues,
   '#' ';' comment lines */
static void ini_systemd(ini *in, char *text)
{
  char *sec = 0, *line = text;
  unsigned lineno = 0;
  while (*line) {
    char *nl, *s, *eq;
    unsigned first = ++lineno;
    /* join continuation lines in place */
    for (nl = line; (nl = strchr(nl, '\n'));) {
      char *b = nl;
      while (b > line && b[-1] == '\r')
        b--;
      if (b > line && b[-1] == '\\' && line[0] != '#' && line[0] != ';') {
        b[-1] = ' ';
        memmove(b, nl + 1, strlen(nl + 1) + 1);
        nl = b;
        lineno++;
        continue;
      }
      break;
    }
    if (nl) *nl = 0;
    s = trim(line);
    line = nl ? nl + 1 : line + strlen(line);
    if (!*s || *s == '#' || *s == ';') continue;
    if (*s == '[') {
      char *e = strchr(s, ']');
      if (!e || e[1]) bad_line(in->path, first, "malformed section header");
      *e = 0;
      sec = s + 1;
      ini_add(in, sec, 0, 0, first);
      continue;
    }
    eq = strchr(s, '=');
    if (!eq) bad_line(in->path, first, "expected [Section] or Key=Value");
    if (!sec) bad_line(in->path, first, "Key=Value before any [Section]");
    *eq = 0;
    ini_add(in, sec, trim(s), trim(eq + 1), first);
  }
}

/* ---- shell words ---- */

static int shsafe(char c) { return isalnum((unsigned char)c) || strchr("/._-=:,+@%", c); }

/* appends text as one literal piece of a sh word */
static void sh_lit(str *b, char const *s, size_t n)
{
  int safe = n > 0;
  for (size_t i = 0; i < n; i++)
    if (!shsafe(s[i])) safe = 0;
  if (safe) {
    sadd_n(b, s, n);
    return;
  }
  if (!n) return;
  sadd(b, "'");
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\'')
      sadd(b, "'\\''");
    else
      sadd_n(b, s + i, 1);
  }
  sadd(b, "'");
}

/* ---- systemd values ---- */

/* systemd time span -> ms; "infinity" -> UINT64_MAX; 0 on error */
static int sd_timespan(char const *s, uint64_t *ms)
{
  static struct {
    char const *u;
    uint64_t ms;
  } const units_[] = {{"usec", 0},         {"us", 0},         {"msec", 1},     {"ms", 1},
                      {"seconds", 1000},   {"second", 1000},  {"sec", 1000},   {"s", 1000},
                      {"minutes", 60000},  {"minute", 60000}, {"min", 60000},  {"m", 60000},
                      {"hours", 3600000},  {"hour", 3600000}, {"hr", 3600000}, {"h", 3600000},
                      {"days", 86400000},  {"day", 86400000}, {"d", 86400000}, {"weeks", 604800000},
                      {"week", 604800000}, {"w", 604800000},  {0, 0}};
  uint64_t total = 0;
  int any = 0;
  if (!strcmp(s, "infinity")) {
    *ms = UINT64_MAX;
    return 1;
  }
  while (*s) {
    char *end;
    double v;
    size_t ul;
    unsigned k;
    while (*s == ' ')
      s++;
    if (!*s) break;
    v = strtod(s, &end);
    if (end == s || v < 0) return 0;
    s = end;
    while (*s == ' ')
      s++;
    for (ul = 0; isalpha((unsigned char)s[ul]); ul++)
      ;
    if (!ul) {
      total += (uint64_t)(v * 1000);
      any = 1;
      continue;
    }
    for (k = 0; units_[k].u; k++)
      if (strlen(units_[k].u) == ul && !strncmp(s, units_[k].u, ul)) break;
    if (!units_[k].u) return 0;
    total += units_[k].ms ? (uint64_t)(v * (double)units_[k].ms) : 0;
    s += ul;
    any = 1;
  }
  *ms = total;
  return any;
}

static void put_duration(str *b, char const *key, uint64_t ms)
{
  if (ms % 1000)
    sfmt(b, "%s=%llums\n", key, (unsigned long long)ms);
  else
    sfmt(b, "%s=%llu\n", key, (unsigned long long)(ms / 1000));
}

/* systemd sizes (K M G T, base 1024) -> our KB MB GB or bytes; 0 bad */
static int sd_size(char const *v, char *out, size_t max)
{
  char *end;
  unsigned long long n = strtoull(v, &end, 10);
  if (end == v) return 0;
  if (!*end)
    snprintf(out, max, "%llu", n);
  else if (!strcmp(end, "K"))
    snprintf(out, max, "%lluKB", n);
  else if (!strcmp(end, "M"))
    snprintf(out, max, "%lluMB", n);
  else if (!strcmp(end, "G"))
    snprintf(out, max, "%lluGB", n);
  else if (!strcmp(end, "T"))
    snprintf(out, max, "%lluGB", n * 1024);
  else
    return 0;
  return 1;
}

/* the unit being translated, for specifiers */
typedef struct {
  char const *unitname; /* foo@bar.service */
  char const *user;     /* User= or NULL */
  int noexpand;         /* ':' prefix */
} sdctx;

/* %x -> text; 0 unknown */
static int specifier(char c, sdctx const *x, str *out)
{
  char prefix[256], inst[256], host[256];
  char const *at = strchr(x->unitname, '@'), *dot = strrchr(x->unitname, '.');
  size_t plen = at ? (size_t)(at - x->unitname) : dot ? (size_t)(dot - x->unitname) : strlen(x->unitname);
  snprintf(prefix, sizeof prefix, "%.*s", (int)plen, x->unitname);
  inst[0] = 0;
  if (at && dot && dot > at) snprintf(inst, sizeof inst, "%.*s", (int)(dot - at - 1), at + 1);
  switch (c) {
  case '%': sadd(out, "%"); return 1;
  case 'n': sadd(out, x->unitname); return 1;
  case 'N': sadd_n(out, x->unitname, dot ? (size_t)(dot - x->unitname) : strlen(x->unitname)); return 1;
  case 'p':
  case 'P': sadd(out, prefix); return 1;
  case 'i':
  case 'I': sadd(out, inst); return 1;
  case 'j':
  case 'J': {
    char const *d = strrchr(prefix, '-');
    sadd(out, d ? d + 1 : prefix);
    return 1;
  }
  case 't': sadd(out, "/run"); return 1;
  case 'S': sadd(out, "/var/lib"); return 1;
  case 'C': sadd(out, "/var/cache"); return 1;
  case 'L': sadd(out, "/var/log"); return 1;
  case 'E': sadd(out, "/etc"); return 1;
  case 'T': sadd(out, "/tmp"); return 1;
  case 'V': sadd(out, "/var/tmp"); return 1;
  case 'u': sadd(out, x->user ? x->user : "root"); return 1;
  case 'h': sadd(out, x->user && strcmp(x->user, "root") ? "${HOME}" : "/root"); return 1;
  case 'H':
  case 'l':
    gethostname(host, sizeof host);
    host[sizeof host - 1] = 0;
    sadd(out, host);
    return 1;
  default: return 0;
  }
}

/* one systemd command line -> a sh command line in out.  prefixes handled
   by the caller.  1 ok, 0 error (why) */
static int sd_command(char const *s, sdctx const *x, str *out, char const **why, int *argv0dropped, int drop_argv0)
{
  unsigned words = 0;
  for (;;) {
    str lit = {0, 0, 0};
    int inword = 0;
    char q = 0;
    while (*s == ' ' || *s == '\t')
      s++;
    if (!*s) break;
    if (*s == ';' && (!s[1] || s[1] == ' ' || s[1] == '\t')) {
      *why = "several commands on one line (';')";
      return 0;
    }
    if (words) sadd(out, " ");
    for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
      inword = 1;
      if (q && *s == q) {
        q = 0;
        continue;
      }
      if (!q && (*s == '"' || *s == '\'')) {
        q = *s;
        continue;
      }
      if (*s == '\\') {
        char c = *++s, e[2] = {0, 0};
        switch (c) {
        case 'n': e[0] = '\n'; break;
        case 't': e[0] = '\t'; break;
        case 'r': e[0] = '\r'; break;
        case 'a': e[0] = '\a'; break;
        case 'x':
          if (isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
            char h[3] = {s[1], s[2], 0};
            e[0] = (char)strtol(h, 0, 16);
            s += 2;
            break;
          }
          *why = "bad \\x escape";
          return 0;
        case 0: *why = "trailing backslash"; return 0;
        default: e[0] = c;
        }
        sadd_n(&lit, e, 1);
        continue;
      }
      if (*s == '%') {
        if (!specifier(s[1], x, &lit)) {
          *why = "unknown % specifier";
          return 0;
        }
        s++;
        continue;
      }
      if (*s == '$' && !x->noexpand) {
        if (s[1] == '$') {
          sadd(&lit, "$");
          s++;
          continue;
        }
        if (s[1] == '{' || isalpha((unsigned char)s[1]) || s[1] == '_') {
          int brace = s[1] == '{';
          char const *n = s + 1 + brace, *e = n;
          int whole;
          while (isalnum((unsigned char)*e) || *e == '_')
            e++;
          if (brace && *e != '}') {
            *why = "unterminated ${";
            return 0;
          }
          whole = !brace && !q && !lit.len && (!*e || *e == ' ' || *e == '\t');
          sh_lit(out, sget(&lit), lit.len);
          lit.len = 0;
          /* systemd: a lone $VAR splits into words, ${VAR} is one word */
          if (whole)
            sfmt(out, "$%.*s", (int)(e - n), n);
          else
            sfmt(out, "\"${%.*s}\"", (int)(e - n), n);
          s = e + brace - 1;
          continue;
        }
      }
      sadd_n(&lit, s, 1);
    }
    if (q) {
      *why = "unterminated quote";
      free(lit.s);
      return 0;
    }
    if (drop_argv0 && words == 1) {
      /* '@': this word is argv[0]; sh cannot set it: dropped */
      *argv0dropped = 1;
      /* remove the separator we just added */
      out->len--;
      out->s[out->len] = 0;
      free(lit.s);
      drop_argv0 = 0;
      continue;
    }
    if (inword && !lit.len && out->len && out->s[out->len - 1] == ' ') sadd(out, "''");
    sh_lit(out, sget(&lit), lit.len);
    free(lit.s);
    words++;
  }
  if (!words) {
    *why = "empty command";
    return 0;
  }
  return 1;
}

/* "OnCalendar" -> five-field cron in out; 0 with why */
static int cal_field(char const *f, int max, int dow, str *out, char const **why)
{
  static char const *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  char buf[256], *p, *tok;
  int first = 1;
  snprintf(buf, sizeof buf, "%s", f);
  for (p = buf; (tok = strsep(&p, ","));) {
    char *dd = strstr(tok, ".."), *slash = strchr(tok, '/');
    if (!first) sadd(out, ",");
    first = 0;
    if (dow) {
      char a[16] = "", b[16] = "";
      int ia = -1, ib = -1;
      sscanf(tok, "%15[A-Za-z]", a);
      if (dd) sscanf(dd + 2, "%15[A-Za-z]", b);
      for (int i = 0; i < 7; i++) {
        if (*a && !strncasecmp(a, days[i], 3)) ia = i;
        if (*b && !strncasecmp(b, days[i], 3)) ib = i;
      }
      if (ia < 0 || (dd && ib < 0)) {
        *why = "unknown weekday";
        return 0;
      }
      sfmt(out, dd ? "%s-%s" : "%s", days[ia], dd ? days[ib] : "");
      for (size_t i = out->len - (dd ? 7 : 3); i < out->len; i++)
        out->s[i] = (char)tolower((unsigned char)out->s[i]);
      continue;
    }
    if (strchr(tok, '~')) {
      *why = "'~' (days from the end of the month) has no cron form";
      return 0;
    }
    if (slash) *slash = 0;
    if (dd) {
      *dd = 0;
      sfmt(out, "%d-%d", atoi(tok), atoi(dd + 2));
    } else if (!strcmp(tok, "*"))
      sadd(out, "*");
    else {
      for (char *c = tok; *c; c++)
        if (!isdigit((unsigned char)*c)) {
          *why = "bad calendar field";
          return 0;
        }
      sfmt(out, "%d", atoi(tok));
      if (slash) sfmt(out, "-%d", max);
    }
    if (slash) sfmt(out, "/%d", atoi(slash + 1));
  }
  return 1;
}

static int sd_calendar(char const *v, str *out, char const **why)
{
  static struct {
    char const *k, *cron;
  } const shorts[] = {{"minutely", "* * * * *"},
                      {"hourly", "@hourly"},
                      {"daily", "@daily"},
                      {"weekly", "@weekly"},
                      {"monthly", "@monthly"},
                      {"yearly", "0 0 1 1 *"},
                      {"annually", "0 0 1 1 *"},
                      {"quarterly", "0 0 1 1,4,7,10 *"},
                      {"semiannually", "0 0 1 1,7 *"},
                      {0, 0}};
  char buf[256], *w[4], *p;
  char const *dow = "*", *date = "*-*-*", *time = "00:00:00";
  char ymd[3][64], hms[3][64];
  unsigned n = 0;
  for (unsigned i = 0; shorts[i].k; i++)
    if (!strcmp(v, shorts[i].k)) {
      sadd(out, shorts[i].cron);
      return 1;
    }
  snprintf(buf, sizeof buf, "%s", v);
  for (p = buf; n < 4 && (w[n] = strsep(&p, " "));)
    if (*w[n]) n++;
  if (n > 3) {
    *why = "time zone or extra words";
    return 0;
  }
  for (unsigned i = 0; i < n; i++) {
    if (isalpha((unsigned char)w[i][0]))
      dow = w[i];
    else if (strchr(w[i], ':'))
      time = w[i];
    else if (strchr(w[i], '-'))
      date = w[i];
    else {
      *why = "unrecognised word";
      return 0;
    }
  }
  memset(ymd, 0, sizeof ymd);
  memset(hms, 0, sizeof hms);
  {
    char d[64];
    char *q, *t;
    unsigned k = 0;
    snprintf(d, sizeof d, "%s", date);
    for (q = d; k < 3 && (t = strsep(&q, "-")); k++)
      snprintf(ymd[k], 64, "%s", t);
    if (k == 2) {
      memmove(ymd[1], ymd[0], 128);
      strcpy(ymd[0], "*");
    } else if (k != 3 || q) {
      *why = "bad date";
      return 0;
    }
    snprintf(d, sizeof d, "%s", time);
    k = 0;
    for (q = d; k < 3 && (t = strsep(&q, ":")); k++)
      snprintf(hms[k], 64, "%s", t);
    if (k == 2)
      strcpy(hms[2], "00");
    else if (k != 3 || q) {
      *why = "bad time";
      return 0;
    }
  }
  if (strcmp(ymd[0], "*")) {
    *why = "a year has no cron form";
    return 0;
  }
  if (strcmp(hms[2], "00") && strcmp(hms[2], "0")) {
    *why = "seconds have no cron form (minute resolution)";
    return 0;
  }
  if (!cal_field(hms[1], 59, 0, out, why)) return 0;
  sadd(out, " ");
  if (!cal_field(hms[0], 23, 0, out, why)) return 0;
  sadd(out, " ");
  if (!cal_field(ymd[2], 31, 0, out, why)) return 0;
  sadd(out, " ");
  if (!cal_field(ymd[1], 12, 0, out, why)) return 0;
  sadd(out, " ");
  if (!strcmp(dow, "*"))
    sadd(out, "*");
  else if (!cal_field(dow, 6, 1, out, why))
    return 0;
  return 1;
}

/* ---- systemd units ---- */

static char const *unit_base(char const *path)
{
  char const *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

static void import_unit(char const *path);

static unit *find_unit(char const *unitname)
{
  for (unsigned i = 0; i < nunits; i++)
    if (!strcmp(units[i].unitname, unitname)) return &units[i];
  return 0;
}

/* splits a systemd list (Environment=, After=) into words, unquoting */
static unsigned sd_words(char const *v, char **w, unsigned max)
{
  unsigned n = 0;
  while (*v && n < max) {
    str b = {0, 0, 0};
    char q = 0;
    while (*v == ' ' || *v == '\t')
      v++;
    if (!*v) break;
    for (; *v && (q || (*v != ' ' && *v != '\t')); v++) {
      if (q && *v == q) {
        q = 0;
        continue;
      }
      if (!q && (*v == '"' || *v == '\'')) {
        q = *v;
        continue;
      }
      if (*v == '\\' && v[1]) v++;
      sadd_n(&b, v, 1);
    }
    sadd(&b, "");
    w[n++] = b.s;
  }
  return n;
}

static void add_exec(unit *u, str *script, char const *key, char const *v, sdctx *x, int last, int *has_plus)
{
  char const *why = 0;
  int minus = 0, at = 0, dropped = 0;
  str cmd = {0, 0, 0};
  x->noexpand = 0;
  for (;; v++) {
    if (*v == '-')
      minus = 1;
    else if (*v == '@')
      at = 1;
    else if (*v == '+' || *v == '!')
      *has_plus = 1;
    else if (*v == ':')
      x->noexpand = 1;
    else
      break;
  }
  if (!sd_command(v, x, &cmd, &why, &dropped, at)) {
    refuse(u, "%s=%s: %s", key, v, why);
    free(cmd.s);
    return;
  }
  if (dropped) note(u, key, v, "'@' sets argv[0], which /bin/sh cannot: the program gets its path as argv[0]");
  if (last)
    sfmt(script, "exec %s\n", sget(&cmd));
  else if (minus)
    sfmt(script, "%s || :\n", sget(&cmd));
  else
    sfmt(script, "%s || exit $?\n", sget(&cmd));
  if (minus && last) note(u, key, v, "'-' (failure ignored): the exit code still counts as a failure here");
  free(cmd.s);
}

static char const *const sd_limits[][2] = {{"LimitNOFILE", "limit_nofile"},
                                           {"LimitNPROC", "limit_nproc"},
                                           {"LimitCORE", "limit_core"},
                                           {"LimitAS", "limit_as"},
                                           {"LimitMEMLOCK", "limit_memlock"},
                                           {"LimitSTACK", "limit_stack"},
                                           {0, 0}};

static void map_service(unit *u, ini *in)
{
  char const *type = "simple", *restart = "no", *user = 0, *group = 0, *pidfile = 0;
  char const *execs[64];
  unsigned nexec = 0, nlines[64];
  str pre = {0, 0, 0};
  char const *pres[64];
  unsigned npre = 0;
  char const *envfiles[16];
  unsigned nenvfiles = 0;
  int has_plus = 0, stdout_set = 0;
  sdctx x = {u->unitname, 0, 0};
  (void)nlines;

  /* first pass: what the mapping of others depends on */
  for (unsigned i = 0; i < in->n; i++) {
    ent *e = &in->e[i];
    if (!e->key || strcmp(e->sec, "Service")) continue;
    if (!strcmp(e->key, "Type"))
      type = e->val;
    else if (!strcmp(e->key, "User"))
      user = *e->val ? e->val : 0;
    else if (!strcmp(e->key, "Group"))
      group = *e->val ? e->val : 0;
    else if (!strcmp(e->key, "PIDFile"))
      pidfile = e->val;
    else if (!strcmp(e->key, "Restart"))
      restart = e->val;
    else if (!strcmp(e->key, "ExecStart")) {
      if (!*e->val)
        nexec = 0;
      else if (nexec < 64)
        execs[nexec++] = e->val;
    } else if (!strcmp(e->key, "ExecStartPre")) {
      if (!*e->val)
        npre = 0;
      else if (npre < 64)
        pres[npre++] = e->val;
    }
  }
  x.user = user;
  if (strchr(u->unitname, '@') && strstr(u->unitname, "@.")) {
    refuse(u, "template unit %s: it has no instance; import a copy named for one (e.g. NAME@tty1.service)",
           u->unitname);
    return;
  }
  if (!nexec) {
    refuse(u, "no ExecStart=");
    return;
  }
  if (!strcmp(type, "forking")) {
    refuse(u,
           "Type=forking%s%s: svkit supervises a process that stays in the foreground; this daemon forks and "
           "leaves the process group, so supervise would see it exit and start it again. Run its foreground mode "
           "(e.g. sshd -D, nginx -g 'daemon off;') in a run file instead",
           pidfile ? " with PIDFile=" : "", pidfile ? pidfile : "");
    return;
  }
  if (nexec > 1 && strcmp(type, "oneshot")) {
    refuse(u, "%u ExecStart= lines: only Type=oneshot may have several (systemd refuses this unit too)", nexec);
    return;
  }
  if (!strcmp(type, "notify") || !strcmp(type, "notify-reload"))
    sadd(&u->conf, "notify=systemd\n");
  else if (!strcmp(type, "oneshot"))
    sadd(&u->conf, "startsecs=0\n");
  else if (strcmp(type, "simple") && strcmp(type, "exec") && strcmp(type, "idle"))
    note(u, "Type", type, "started as Type=simple (no readiness protocol for it)");
  if (!strcmp(restart, "no"))
    sadd(&u->conf, "autorestart=never\n");
  else if (!strcmp(restart, "always"))
    sadd(&u->conf, "autorestart=always\n");
  else if (!strcmp(restart, "on-failure"))
    sadd(&u->conf, "autorestart=unexpected\n");
  else if (!strcmp(restart, "on-abnormal") || !strcmp(restart, "on-abort") || !strcmp(restart, "on-watchdog")) {
    sadd(&u->conf, "autorestart=unexpected\n");
    note(u, "Restart", restart, "mapped to autorestart=unexpected, which also restarts on a failing exit code");
  } else {
    sadd(&u->conf, "autorestart=never\n");
    note(u, "Restart", restart, "no such policy here; autorestart=never");
  }

  for (unsigned i = 0; i < in->n; i++) {
    ent *e = &in->e[i];
    char const *k = e->key, *v = e->val;
    char tmp[64];
    uint64_t ms;
    if (!k) continue;
#define K(name) (!strcmp(k, name))
    if (!strcmp(e->sec, "Unit")) {
      if (K("Description"))
        sfmt(&u->conf, "# %s\n", v);
      else if (K("After") || K("Requires") || K("Wants") || K("BindsTo") || K("Requisite")) {
        char *w[MAXDEP];
        unsigned n = sd_words(v, w, MAXDEP);
        for (unsigned j = 0; j < n && u->nafter < MAXDEP; j++) {
          unsigned d;
          for (d = 0; d < u->nafter; d++)
            if (!strcmp(u->after[d], w[j])) break;
          if (d == u->nafter) u->after[u->nafter++] = w[j];
        }
      } else if (K("Documentation") || K("Before") || K("Conflicts") || K("DefaultDependencies"))
        ;
      else
        note(u, k, v, "no [Unit] equivalent here");
      continue;
    }
    if (!strcmp(e->sec, "Install")) continue; /* every service here starts unless down/ */
    if (strcmp(e->sec, "Service")) continue;
    if (K("Type") || K("User") || K("Group") || K("Restart") || K("ExecStart") || K("ExecStartPre") || K("PIDFile"))
      continue;
    if (K("RestartSec")) {
      if (sd_timespan(v, &ms) && ms != UINT64_MAX)
        put_duration(&u->conf, "backoff", ms ? ms : 100);
      else
        note(u, k, v, "bad time span");
    } else if (K("TimeoutStopSec") || K("TimeoutSec")) {
      if (!sd_timespan(v, &ms))
        note(u, k, v, "bad time span");
      else if (ms == UINT64_MAX)
        note(u, k, v, "never SIGKILL: write 0 to timeout-kill by hand (s6 meaning)");
      else
        put_duration(&u->conf, "stopwaitsecs", ms);
    } else if (K("KillSignal"))
      sfmt(&u->conf, "stopsignal=%s\n", v);
    else if (K("KillMode")) {
      if (strcmp(v, "control-group") && strcmp(v, "mixed"))
        note(u, k, v, "supervise always signals the whole process group");
    } else if (K("WorkingDirectory")) {
      char const *d = *v == '-' ? v + 1 : v;
      if (!strcmp(d, "~")) d = user && strcmp(user, "root") ? "~" : "/root";
      if (!strcmp(d, "~"))
        note(u, k, v, "the user's home directory is not looked up at import");
      else
        sfmt(&u->conf, "workingdir=%s\n", d);
    } else if (K("Environment")) {
      char *w[64];
      unsigned n = sd_words(v, w, 64);
      for (unsigned j = 0; j < n; j++) {
        char *eq = strchr(w[j], '=');
        if (!eq || eq == w[j]) {
          note(u, k, w[j], "not K=V");
          continue;
        }
        *eq = 0;
        if (u->nenv < 64) {
          /* specifiers apply in Environment= values too */
          str ev = {0, 0, 0};
          for (char const *c = eq + 1; *c; c++) {
            if (*c == '%' && c[1] && specifier(c[1], &x, &ev)) {
              c++;
              continue;
            }
            sadd_n(&ev, c, 1);
          }
          sadd(&ev, "");
          u->envk[u->nenv] = w[j];
          u->envv[u->nenv++] = ev.s;
        }
      }
    } else if (K("EnvironmentFile")) {
      if (nenvfiles < 16) envfiles[nenvfiles++] = v;
    } else if (K("UMask"))
      sfmt(&u->conf, "umask=%s\n", v);
    else if (K("Nice"))
      sfmt(&u->conf, "nice=%s\n", v);
    else if (K("OOMScoreAdjust"))
      sfmt(&u->conf, "oom_score_adj=%s\n", v);
    else if (!strncmp(k, "Limit", 5)) {
      unsigned j;
      for (j = 0; sd_limits[j][0]; j++)
        if (K(sd_limits[j][0])) break;
      if (!sd_limits[j][0]) {
        note(u, k, v, "no such limit key here");
        continue;
      }
      {
        char a[64] = "", b[64] = "", *c = strchr(v, ':');
        int ok;
        if (c) {
          snprintf(tmp, sizeof tmp, "%.*s", (int)(c - v), v);
          ok = (!strcmp(tmp, "infinity") ? (strcpy(a, tmp), 1) : sd_size(tmp, a, sizeof a)) &&
               (!strcmp(c + 1, "infinity") ? (strcpy(b, c + 1), 1) : sd_size(c + 1, b, sizeof b));
          if (ok) sfmt(&u->conf, "%s=%s:%s\n", sd_limits[j][1], a, b);
        } else {
          ok = !strcmp(v, "infinity") ? (strcpy(a, v), 1) : sd_size(v, a, sizeof a);
          if (ok) sfmt(&u->conf, "%s=%s\n", sd_limits[j][1], a);
        }
        if (!ok) note(u, k, v, "bad value");
      }
    } else if (K("MemoryMax") || K("MemoryHigh")) {
      if (!strcmp(v, "infinity")) continue;
      if (!sd_size(v, tmp, sizeof tmp)) {
        note(u, k, v, "only sizes map (not percentages)");
        continue;
      }
      sfmt(&u->conf, "%s=%s\n", K("MemoryMax") ? "memory_max" : "memory_high", tmp);
    } else if (K("CPUQuota"))
      sfmt(&u->conf, "cpu_max=%s\n", v);
    else if (K("TasksMax")) {
      if (!strcmp(v, "infinity")) continue;
      if (strchr(v, '%'))
        note(u, k, v, "only a number maps (not a percentage)");
      else
        sfmt(&u->conf, "pids_max=%s\n", v);
    } else if (K("IOWeight"))
      sfmt(&u->conf, "io_weight=%s\n", v);
    else if (K("WatchdogSec")) {
      if (!sd_timespan(v, &ms) || ms == UINT64_MAX)
        note(u, k, v, "bad time span");
      else if (ms)
        sfmt(&u->conf, "watchdog=%llu\n", (unsigned long long)((ms + 999) / 1000));
    } else if (K("SuccessExitStatus")) {
      char *w[32];
      unsigned n = sd_words(v, w, 32);
      str codes = {0, 0, 0};
      sadd(&codes, "0");
      for (unsigned j = 0; j < n; j++) {
        if (isdigit((unsigned char)w[j][0]))
          sfmt(&codes, ",%s", w[j]);
        else
          note(u, k, w[j], "signals cannot be expected exits here");
      }
      sfmt(&u->conf, "exitcodes=%s\n", codes.s);
      free(codes.s);
    } else if (K("StandardOutput") || K("StandardError")) {
      int out = K("StandardOutput");
      char const *dest = 0;
      if (!strncmp(v, "file:", 5) || !strncmp(v, "append:", 7))
        dest = strchr(v, ':') + 1;
      else if (!strcmp(v, "null"))
        dest = "/dev/null";
      else if (!strcmp(v, "journal") || !strcmp(v, "syslog") || !strcmp(v, "journal+console") || !strcmp(v, "inherit"))
        dest = out ? 0 : "stdout";
      else {
        note(u, k, v, "no such destination here");
        continue;
      }
      if (!strncmp(v, "file:", 5)) note(u, k, v, "file: truncates in systemd; svkit appends");
      if (out) {
        stdout_set = 1;
        if (dest) sfmt(&u->conf, "stdout=%s\n", dest);
      } else if (dest)
        sfmt(&u->conf, "stderr=%s\n", dest);
    } else if (K("ExecStop")) {
      char const *why = 0;
      int dropped = 0;
      str cmd = {0, 0, 0};
      char const *c = v;
      while (*c == '-' || *c == '@' || *c == '+' || *c == '!' || *c == ':')
        c++;
      x.noexpand = 0;
      if (sd_command(c, &x, &cmd, &why, &dropped, 0)) {
        sadd(&u->stop, "#!/bin/sh\n");
        if (strstr(v, "MAINPID")) sadd(&u->stop, "MAINPID=$(svc pid .)\n");
        sfmt(&u->stop, "exec %s\n", sget(&cmd));
      } else
        note(u, k, v, why);
      free(cmd.s);
    } else if (K("ExecReload"))
      note(u, k, v, "no reload action here (svc signal HUP NAME, or svc restart)");
    else if (K("ExecStartPost") || K("ExecStopPost"))
      note(u, k, v, "no such hook here");
    else if (K("RemainAfterExit")) {
      if (strcmp(v, "no") && strcmp(v, "false")) note(u, k, v, "a oneshot that exited is EXITED here");
    } else if (K("SyslogIdentifier") || K("NotifyAccess") || K("GuessMainPID"))
      ;
    else if (!strncmp(k, "Protect", 7) || !strncmp(k, "Private", 7) || !strncmp(k, "Restrict", 8) ||
             K("NoNewPrivileges") || K("SystemCallFilter") || K("SystemCallArchitectures") ||
             K("CapabilityBoundingSet") || K("AmbientCapabilities") || K("MemoryDenyWriteExecute") ||
             K("LockPersonality") || K("DeviceAllow") || K("IPAddressDeny") || K("ReadWritePaths") ||
             K("ReadOnlyPaths") || K("InaccessiblePaths") || K("DynamicUser"))
      note(u, k, v, "sandboxing is not done by svkit");
    else
      note(u, k, v, "no equivalent here");
#undef K
  }

  if (group && !user) {
    sfmt(&u->conf, "user=root:%s\n", group);
  } else if (user && group)
    sfmt(&u->conf, "user=%s:%s\n", user, group);
  else if (user)
    sfmt(&u->conf, "user=%s\n", user);
  if (has_plus && user) note(u, "ExecStart", "+...", "'+'/'!' (full privileges) dropped: the command runs as user=");
  if (!stdout_set) {
    u->log = 1;
    snprintf(u->logargs, sizeof u->logargs, "-T");
    if (!strstr(sget(&u->conf), "stderr=")) sadd(&u->conf, "stderr=stdout\n");
  }

  /* the command: conf's command= when it is one plain line, else a run file */
  {
    str run = {0, 0, 0};
    for (unsigned i = 0; i < nenvfiles; i++) {
      char const *f = envfiles[i];
      int opt = *f == '-';
      if (opt) f++;
      sadd(&run, "set -a\n");
      if (opt) {
        sadd(&run, "[ ! -r ");
        sh_lit(&run, f, strlen(f));
        sadd(&run, " ] || ");
      }
      sadd(&run, ". ");
      sh_lit(&run, f, strlen(f));
      sadd(&run, "\nset +a\n");
    }
    for (unsigned i = 0; i < npre; i++)
      add_exec(u, &pre, "ExecStartPre", pres[i], &x, 0, &has_plus);
    sadd(&run, sget(&pre));
    for (unsigned i = 0; i < nexec; i++)
      add_exec(u, &run, "ExecStart", execs[i], &x, i + 1 == nexec, &has_plus);
    if (u->refused.len) {
      free(run.s);
      free(pre.s);
      return;
    }
    if (!nenvfiles && !npre && nexec == 1 && strchr(run.s, '\n') == run.s + run.len - 1 && !strstr(run.s, " ;") &&
        !strchr(run.s, '"') && !strstr(run.s, "%(") && run.s[5] != '#') {
      run.s[run.len - 1] = 0; /* "exec CMD\n" -> command=CMD */
      sfmt(&u->conf, "command=%s\n", run.s + 5);
    } else {
      sadd(&u->run, "#!/bin/sh\n");
      sadd(&u->run, run.s);
    }
    free(run.s);
    free(pre.s);
  }
}

/* a .timer's settings go to its service (Unit=, else the same name), which is
   imported from beside the timer if it was not named */
static void import_timer(ini *in, char const *path, char const *base)
{
  char const *cal = 0, *target = 0;
  char svcname[256], svcpath[PATH_MAX];
  unit *s;
  for (unsigned i = 0; i < in->n; i++) {
    ent *e = &in->e[i];
    if (!e->key || strcmp(e->sec, "Timer")) continue;
    if (!strcmp(e->key, "OnCalendar")) {
      if (!*e->val)
        cal = 0;
      else if (!cal)
        cal = e->val;
    } else if (!strcmp(e->key, "Unit"))
      target = e->val;
  }
  snprintf(svcname, sizeof svcname, "%s", target ? target : base);
  if (!target) {
    char *d = strrchr(svcname, '.');
    if (d) strcpy(d, ".service");
  }
  if (!(s = find_unit(svcname))) {
    char const *slash = strrchr(path, '/');
    snprintf(svcpath, sizeof svcpath, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, svcname);
    if (access(svcpath, R_OK)) strerr_dief(100, "unable to import ", path, ": its unit ", svcname, " is not beside it");
    import_unit(strdup(svcpath));
    if (!(s = find_unit(svcname))) return;
  }
  if (!cal) {
    refuse(s, "timer %s has no OnCalendar= (OnBootSec/OnUnitActiveSec have no equivalent)", base);
    return;
  }
  for (unsigned i = 0; i < in->n; i++) {
    ent *e = &in->e[i];
    char const *why = 0;
    str cron = {0, 0, 0};
    if (!e->key || strcmp(e->sec, "Timer")) continue;
    if (!strcmp(e->key, "OnCalendar") && e->val == cal) {
      if (sd_calendar(cal, &cron, &why))
        sfmt(&s->conf, "schedule=%s\n", cron.s);
      else
        refuse(s, "%s: OnCalendar=%s: %s", base, cal, why);
    } else if (!strcmp(e->key, "OnCalendar")) {
      if (*e->val) note(s, "OnCalendar", e->val, "one schedule= per service: only the first kept");
    } else if (!strcmp(e->key, "Persistent")) {
      if (!strcmp(e->val, "true") || !strcmp(e->val, "yes")) sadd(&s->conf, "persistent=true\n");
    } else if (!strcmp(e->key, "Unit") || !strcmp(e->key, "AccuracySec"))
      ;
    else
      note(s, e->key, e->val, "no timer equivalent here");
    free(cron.s);
  }
}

static void import_unit(char const *path)
{
  ini in = {0, 0, path};
  char const *base = unit_base(path);
  char const *dot = strrchr(base, '.');
  unit *u;
  char name[256];
  int timer = dot && !strcmp(dot, ".timer");
  snprintf(name, sizeof name, "%.*s", (int)(dot - base), base);
  ini_systemd(&in, readfile(path));
  for (unsigned i = 0; i < in.n; i++)
    if (!in.e[i].key && strcmp(in.e[i].sec, "Unit") && strcmp(in.e[i].sec, "Install") &&
        strcmp(in.e[i].sec, timer ? "Timer" : "Service"))
      bad_line(path, in.e[i].line, "unknown section");
  if (timer) {
    import_timer(&in, path, base);
    return;
  }
  if (find_unit(base)) return;
  u = new_unit(name, path);
  snprintf(u->unitname, sizeof u->unitname, "%s", base);
  u->systemd = 1;
  map_service(u, &in);
}

/* ---- supervisord ---- */

typedef struct {
  char const *name, *here;
  int instance_in_cmd;
} svctx;

/* expands %(x)s in v; %(process_num)s -> "\001" (the instance) */
static int sup_expand(char const *v, svctx const *x, str *out, char const **why)
{
  for (; *v; v++) {
    char key[128], host[256];
    char const *e;
    if (*v != '%') {
      sadd_n(out, v, 1);
      continue;
    }
    if (v[1] == '%') {
      sadd(out, "%");
      v++;
      continue;
    }
    if (v[1] != '(' || !(e = strchr(v, ')')) || (size_t)(e - v - 2) >= sizeof key) {
      *why = "bad % expansion";
      return 0;
    }
    snprintf(key, sizeof key, "%.*s", (int)(e - v - 2), v + 2);
    v = e + 1;
    while (*v && strchr("#0- +123456789", *v))
      v++;
    if (*v != 's' && *v != 'd') {
      *why = "bad % format";
      return 0;
    }
    if (!strcmp(key, "program_name") || !strcmp(key, "group_name"))
      sadd(out, x->name);
    else if (!strcmp(key, "process_num"))
      sadd(out, "\001");
    else if (!strcmp(key, "here"))
      sadd(out, x->here);
    else if (!strcmp(key, "host_node_name")) {
      gethostname(host, sizeof host);
      host[sizeof host - 1] = 0;
      sadd(out, host);
    } else if (!strncmp(key, "ENV_", 4)) {
      char const *ev = getenv(key + 4);
      if (!ev) {
        *why = "environment variable not set at import";
        return 0;
      }
      sadd(out, ev);
    } else {
      *why = "unknown expansion";
      return 0;
    }
  }
  return 1;
}

/* supervisord's command (shlex, no shell) -> sh words */
static int sup_command(char const *v, str *out, char const **why)
{
  unsigned words = 0;
  for (;;) {
    str lit = {0, 0, 0};
    char q = 0;
    while (*v && isspace((unsigned char)*v))
      v++;
    if (!*v) break;
    if (words++) sadd(out, " ");
    for (; *v && (q || !isspace((unsigned char)*v)); v++) {
      if (q && *v == q) {
        q = 0;
        continue;
      }
      if (!q && (*v == '"' || *v == '\'')) {
        q = *v;
        continue;
      }
      if (*v == '\\' && q != '\'' && v[1]) v++;
      if (*v == '\001') {
        sh_lit(out, sget(&lit), lit.len);
        lit.len = 0;
        sadd(out, "\"$SV_INSTANCE\"");
        continue;
      }
      sadd_n(&lit, v, 1);
    }
    if (q) {
      *why = "unterminated quote";
      free(lit.s);
      return 0;
    }
    sh_lit(out, sget(&lit), lit.len);
    if (!lit.len && out->s[out->len - 1] == ' ') sadd(out, "''");
    free(lit.s);
  }
  if (!words) {
    *why = "empty command";
    return 0;
  }
  return 1;
}

static void import_program(ini *in, unsigned start, char const *name, char const *here)
{
  unit *u = new_unit(name, in->path);
  svctx x = {name, here, 0};
  int have_restart = 0, have_retries = 0, redirect = 0, out_auto = 1, err_auto = 1, numprocs = 1;
  char const *outmax = "50MB", *outbackups = "10";
  for (unsigned i = start + 1; i < in->n && in->e[i].key; i++) {
    ent *e = &in->e[i];
    char const *k = e->key, *why = 0;
    str v = {0, 0, 0};
#define K(n) (!strcmp(k, n))
    if (!sup_expand(e->val, &x, &v, &why)) {
      refuse(u, "line %u: %s=%s: %s", e->line, k, e->val, why);
      free(v.s);
      return;
    }
    sadd(&v, "");
    if (K("command")) {
      str c = {0, 0, 0};
      if (!sup_command(v.s, &c, &why)) {
        refuse(u, "line %u: command=%s: %s", e->line, e->val, why);
        free(v.s);
        return;
      }
      if (strstr(c.s, " ;") || strstr(c.s, "\t;") || c.s[0] == '"' || strchr(c.s, '\n')) {
        str_reset(&u->run);
        sfmt(&u->run, "#!/bin/sh\nexec %s\n", c.s);
      } else
        sfmt(&u->conf, "command=%s\n", c.s);
      free(c.s);
    } else if (strchr(v.s, '\001') && !K("process_name"))
      note(u, k, e->val, "%(process_num)s outside command: instances would share it");
    else if (K("numprocs")) {
      numprocs = atoi(v.s);
      sfmt(&u->conf, "numprocs=%s\n", v.s);
    } else if (K("autostart") || K("startsecs") || K("exitcodes") || K("stopsignal") || K("stopwaitsecs") ||
               K("user") || K("umask") || K("priority"))
      sfmt(&u->conf, "%s=%s\n", k, v.s);
    else if (K("startretries")) {
      have_retries = 1;
      sfmt(&u->conf, "startretries=%s\n", v.s);
    } else if (K("autorestart")) {
      have_restart = 1;
      sfmt(&u->conf, "autorestart=%s\n", v.s);
    } else if (K("directory"))
      sfmt(&u->conf, "workingdir=%s\n", v.s);
    else if (K("environment")) {
      for (char *p = v.s; *p; p++)
        if (*p == '\n') *p = ' ';
      sfmt(&u->conf, "env=%s\n", v.s);
    } else if (K("redirect_stderr"))
      redirect = !strcasecmp(v.s, "true") || !strcasecmp(v.s, "yes") || !strcmp(v.s, "1") || !strcasecmp(v.s, "on");
    else if (K("stdout_logfile")) {
      out_auto = !strcmp(v.s, "AUTO");
      if (!out_auto) sfmt(&u->conf, "stdout=%s\n", !strcmp(v.s, "NONE") ? "/dev/null" : v.s);
    } else if (K("stderr_logfile")) {
      err_auto = !strcmp(v.s, "AUTO");
      if (!err_auto) sfmt(&u->conf, "stderr=%s\n", !strcmp(v.s, "NONE") ? "/dev/null" : v.s);
    } else if (K("stdout_logfile_maxbytes")) {
      outmax = e->val;
      sfmt(&u->conf, "stdout_maxbytes=%s\n", v.s);
    } else if (K("stderr_logfile_maxbytes"))
      sfmt(&u->conf, "stderr_maxbytes=%s\n", v.s);
    else if (K("stdout_logfile_backups")) {
      outbackups = e->val;
      sfmt(&u->conf, "stdout_backups=%s\n", v.s);
    } else if (K("stderr_logfile_backups"))
      sfmt(&u->conf, "stderr_backups=%s\n", v.s);
    else if (K("process_name")) {
      if (!strstr(e->val, "%(program_name)s")) note(u, k, e->val, "instances are always named NAME@i");
    } else if (K("numprocs_start")) {
      if (atoi(v.s)) note(u, k, v.s, "instances are numbered from 0 (SV_INSTANCE)");
    } else if (K("stopasgroup") || K("killasgroup")) {
      if (strcasecmp(v.s, "true")) note(u, k, v.s, "supervise always signals the whole process group");
    } else if (K("serverurl") || K("stdout_capture_maxbytes") || K("stderr_capture_maxbytes"))
      ;
    else if (K("stdout_events_enabled") || K("stderr_events_enabled") || K("stdout_syslog") || K("stderr_syslog")) {
      if (strcasecmp(v.s, "false")) note(u, k, v.s, "a supervisord feature svkit lacks");
    } else
      note(u, k, e->val, "unknown supervisord key");
    free(v.s);
#undef K
  }
  /* supervisord's defaults where ours differ */
  if (!have_restart) sadd(&u->conf, "autorestart=unexpected\n");
  if (!have_retries) sadd(&u->conf, "startretries=3\n");
  if (redirect) sadd(&u->conf, "stderr=stdout\n");
  if (out_auto) {
    /* supervisord's AUTO: a rotated file of its own; here log/ with svlog */
    char const *p;
    u->log = 1;
    for (p = outmax; isdigit((unsigned char)*p); p++)
      ;
    snprintf(u->logargs, sizeof u->logargs, "-T -s %lld -n %s",
             atoll(outmax) * (!strcasecmp(p, "KB")   ? 1024LL
                              : !strcasecmp(p, "MB") ? 1048576LL
                              : !strcasecmp(p, "GB") ? 1073741824LL
                                                     : 1LL),
             outbackups);
  }
  if (err_auto && !redirect)
    note(u, "stderr_logfile", "AUTO", "stderr goes to supervise's stderr; set redirect_stderr=true or a path");
  (void)numprocs;
}

static void import_supervisord(char const *path, int included)
{
  ini in = {0, 0, path};
  char here[PATH_MAX];
  char const *slash = strrchr(path, '/');
  char rel[PATH_MAX];
  snprintf(rel, sizeof rel, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  if (slash == path) strcpy(rel, "/");
  /* %(here)s is absolute, as in supervisord */
  if (!realpath(rel, here)) strerr_diefu2sys(111, "resolve ", rel);
  ini_supervisord(&in, readfile(path));
  for (unsigned i = 0; i < in.n; i++) {
    char const *sec = in.e[i].sec;
    if (in.e[i].key) continue;
    if (!strncmp(sec, "program:", 8)) {
      if (!sec[8]) bad_line(path, in.e[i].line, "[program:] without a name");
      import_program(&in, i, sec + 8, here);
    } else if (!strcmp(sec, "include")) {
      if (included) bad_line(path, in.e[i].line, "an included file cannot include (supervisord rule)");
      for (unsigned j = i + 1; j < in.n && in.e[j].key; j++) {
        char *w, *p, *files;
        if (strcmp(in.e[j].key, "files")) continue;
        files = strdup(in.e[j].val);
        for (p = files; (w = strsep(&p, " \t\n"));) {
          char pat[PATH_MAX * 2];
          glob_t g;
          str ex = {0, 0, 0};
          char const *why = 0;
          svctx x = {"", here, 0};
          if (!*w) continue;
          if (!sup_expand(w, &x, &ex, &why)) bad_line(path, in.e[j].line, why);
          if (ex.s[0] == '/')
            snprintf(pat, sizeof pat, "%s", ex.s);
          else
            snprintf(pat, sizeof pat, "%s/%s", here, ex.s);
          if (!glob(pat, 0, 0, &g)) {
            for (size_t k = 0; k < g.gl_pathc; k++)
              import_supervisord(strdup(g.gl_pathv[k]), 1);
            globfree(&g);
          }
          free(ex.s);
        }
      }
    } else if (!strcmp(sec, "supervisord") || !strcmp(sec, "supervisorctl") || !strcmp(sec, "unix_http_server") ||
               !strcmp(sec, "inet_http_server") || !strncmp(sec, "rpcinterface:", 13))
      printf("%s: [%s]: supervisord's own settings, nothing to import\n", path, sec);
    else if (!strncmp(sec, "group:", 6))
      printf("%s: [%s]: groups are not imported (control programs by name)\n", path, sec);
    else if (!strncmp(sec, "eventlistener:", 14) || !strncmp(sec, "fcgi-program:", 13))
      printf("%s: [%s]: not imported: a supervisord feature svkit lacks\n", path, sec);
    else {
      char num[16];
      snprintf(num, sizeof num, "%u", in.e[i].line);
      strerr_dief(100, "unable to import ", path, ": line ", num, ": unknown section [", sec, "]");
    }
  }
}

/* ---- writing ---- */

static void wfile(char const *dir, char const *name, char const *text, int exec)
{
  char p[PATH_MAX];
  FILE *f;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  f = fopen(p, "w");
  if (!f || fputs(text, f) < 0 || fclose(f)) strerr_diefu2sys(111, "write ", p);
  if (exec && chmod(p, 0755)) strerr_diefu2sys(111, "chmod ", p);
}

static void show(char const *what, char const *text)
{
  printf("  %s:\n", what);
  for (char const *p = text; *p;) {
    char const *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    printf("    %.*s\n", (int)n, p);
    p += n + !!nl;
  }
}

int svc_import(int argc, char const *const *argv)
{
  char const *dir = sv_scandir();
  int dry = 0, rc = 0, i = 0;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "-n"))
      dry = 1;
    else if (!strcmp(argv[i], "-d") && i + 1 < argc)
      dir = argv[++i];
    else if (!strcmp(argv[i], "--")) {
      i++;
      break;
    } else
      strerr_dieusage(100, "svc import [-n] [-d DIR] FILE...");
  }
  if (i >= argc) strerr_dieusage(100, "svc import [-n] [-d DIR] FILE...");
  for (; i < argc; i++) {
    char const *dot = strrchr(argv[i], '.');
    if (dot && (!strcmp(dot, ".service") || !strcmp(dot, ".timer")))
      import_unit(argv[i]);
    else
      import_supervisord(argv[i], 0);
  }
  /* depends= between imported units */
  for (unsigned k = 0; k < nunits; k++) {
    unit *u = &units[k];
    str deps = {0, 0, 0};
    for (unsigned d = 0; d < u->nafter; d++) {
      unit *t = find_unit(u->after[d]);
      if (t && t != u) sfmt(&deps, "%s%s", deps.len ? "," : "", t->name);
    }
    if (deps.len) sfmt(&u->conf, "depends=%s\n", deps.s);
    free(deps.s);
  }
  /* refuse to overwrite anything before writing anything */
  if (!dry) {
    struct stat stt;
    if (stat(dir, &stt) < 0) strerr_diefu2sys(111, "use target directory ", dir);
    for (unsigned k = 0; k < nunits; k++) {
      char p[PATH_MAX];
      if (units[k].refused.len) continue;
      snprintf(p, sizeof p, "%s/%s", dir, units[k].name);
      if (!lstat(p, &stt)) {
        strerr_warn(PROG, ": fatal: unable to import ", units[k].name, ": service directory exists: ", p);
        rc = 1;
      }
    }
    if (rc) return rc;
    if (access(dir, W_OK)) strerr_diefu2sys(111, "write to target directory ", dir);
  }
  for (unsigned k = 0; k < nunits; k++) {
    unit *u = &units[k];
    char target[PATH_MAX], tmp[PATH_MAX];
    if (u->refused.len) {
      if (strcmp(u->refused.s, "-")) {
        printf("%s: not imported: %s\n", u->name, u->refused.s);
        rc = 1;
      }
      continue;
    }
    snprintf(target, sizeof target, "%s/%s", dir, u->name);
    if (dry) {
      printf("%s: would write %s (from %s)\n", u->name, target, u->origin);
      show("conf", sget(&u->conf));
      if (u->run.len) show("run", u->run.s);
      if (u->stop.len) show("stop", u->stop.s);
      for (unsigned j = 0; j < u->nenv; j++)
        printf("  env/%s: %s\n", u->envk[j], u->envv[j]);
      if (u->log) printf("  log/run: exec svlog %s ./main\n", u->logargs);
    } else {
      snprintf(tmp, sizeof tmp, "%s/.%s.import", dir, u->name);
      if (mkdir(tmp, 0755) < 0) strerr_diefu2sys(111, "create ", tmp);
      wfile(tmp, "conf", sget(&u->conf), 0);
      if (u->run.len) wfile(tmp, "run", u->run.s, 1);
      if (u->stop.len) wfile(tmp, "stop", u->stop.s, 1);
      if (u->nenv) {
        char e[PATH_MAX + 8];
        snprintf(e, sizeof e, "%s/env", tmp);
        if (mkdir(e, 0755) < 0) strerr_diefu2sys(111, "create ", e);
        for (unsigned j = 0; j < u->nenv; j++) {
          str t = {0, 0, 0};
          sfmt(&t, "%s\n", u->envv[j]);
          wfile(e, u->envk[j], t.s, 0);
          free(t.s);
        }
      }
      if (u->log) {
        char l[PATH_MAX + 8];
        str t = {0, 0, 0};
        snprintf(l, sizeof l, "%s/log", tmp);
        if (mkdir(l, 0755) < 0) strerr_diefu2sys(111, "create ", l);
        sfmt(&t, "#!/bin/sh\nexec svlog %s ./main\n", u->logargs);
        wfile(l, "run", t.s, 1);
        free(t.s);
      }
      if (rename(tmp, target) < 0) strerr_diefu4sys(111, "rename ", tmp, " to ", target);
      printf("%s: imported to %s (from %s)\n", u->name, target, u->origin);
    }
    fputs(sget(&u->notes), stdout);
  }
  if (fflush(stdout)) return 111;
  return rc;
}

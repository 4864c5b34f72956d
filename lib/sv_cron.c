/* Cron expressions: minute hour day-of-month month day-of-week, each a list
   of *, N, N-M, with /STEP, names for months and days; @hourly @daily
   @weekly @monthly.  The next time walks real time (so a local time that
   DST skips is never produced) and jumps over whole months, days, hours. */

#include <string.h>

#include "sv_cron.h"
#include "sv_str.h"

static char const *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static char const *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static char const *const fieldname[] = {"minute", "hour", "day-of-month", "month", "day-of-week"};
static unsigned const lo[] = {0, 0, 1, 1, 0}, hi[] = {59, 23, 31, 12, 7};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* a number or (month, weekday) a name at *p: 1 ok */
static int value(char const **p, unsigned f, unsigned *v)
{
  char const *s = *p;
  if (*s >= '0' && *s <= '9') {
    unsigned n = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
      n = n * 10 + (unsigned)(*s - '0');
      if (n > 1000) return 0;
    }
    *p = s;
    *v = n;
    return 1;
  }
  if (f == 3 || f == 4) {
    char const *const *names = f == 3 ? months : days;
    unsigned count = f == 3 ? 12 : 7;
    for (unsigned i = 0; i < count; i++)
      if (lower(s[0]) == names[i][0] && lower(s[1]) == names[i][1] && lower(s[2]) == names[i][2]) {
        *p = s + 3;
        *v = f == 3 ? i + 1 : i;
        return 1;
      }
  }
  return 0;
}

/* one field [s, e) into bits: 1 ok */
static int field(char const *s, char const *e, unsigned f, uint64_t *bits, int *any)
{
  *bits = 0;
  *any = e - s == 1 && *s == '*';
  while (s < e) {
    unsigned a, b, step = 1;
    char const *p = s;
    if (*p == '*') {
      a = lo[f];
      b = hi[f];
      p++;
    } else {
      if (!value(&p, f, &a)) return 0;
      b = a;
      if (p < e && *p == '-') {
        p++;
        if (!value(&p, f, &b)) return 0;
      } else if (p < e && *p == '/')
        b = hi[f]; /* N/STEP: from N to the end */
    }
    if (p < e && *p == '/') {
      p++;
      if (!value(&p, 0, &step) || !step) return 0;
    }
    if (a < lo[f] || b > hi[f] || a > b) return 0;
    for (unsigned i = a; i <= b; i += step)
      *bits |= 1ull << i;
    if (p < e && *p != ',') return 0;
    s = p < e ? p + 1 : p;
    if (p < e && s == e) return 0; /* a trailing comma */
  }
  return *bits != 0;
}

int sv_cron_parse(sv_cron *c, char const *s, char *why, unsigned whymax)
{
  static char const *const macros[][2] = {{"@hourly", "0 * * * *"},
                                          {"@daily", "0 0 * * *"},
                                          {"@midnight", "0 0 * * *"},
                                          {"@weekly", "0 0 * * 0"},
                                          {"@monthly", "0 0 1 * *"}};
  uint64_t bits[5];
  int any[5];
  unsigned f = 0;
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '@') {
    unsigned i;
    for (i = 0; i < sizeof macros / sizeof *macros; i++)
      if (!strcmp(s, macros[i][0])) break;
    if (i == sizeof macros / sizeof *macros) {
      sv_strjoin(why, whymax, "unknown macro: ", s, (char *)0);
      return 0;
    }
    s = macros[i][1];
  }
  for (; f < 5; f++) {
    char const *e;
    while (*s == ' ' || *s == '\t')
      s++;
    if (!*s) {
      sv_strjoin(why, whymax, "missing ", fieldname[f], " field", (char *)0);
      return 0;
    }
    e = s + strcspn(s, " \t");
    if (!field(s, e, f, bits + f, any + f)) {
      char v[64];
      size_t n = (size_t)(e - s) < sizeof v - 1 ? (size_t)(e - s) : sizeof v - 1;
      memcpy(v, s, n);
      v[n] = 0;
      sv_strjoin(why, whymax, "bad ", fieldname[f], " field: ", v, (char *)0);
      return 0;
    }
    s = e;
  }
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s) {
    sv_strjoin(why, whymax, "more than five fields: ", s, (char *)0);
    return 0;
  }
  c->minute = bits[0];
  c->hour = (uint32_t)bits[1];
  c->mday = (uint32_t)bits[2];
  c->month = (uint32_t)bits[3];
  c->wday = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday too */
  c->mday_any = (uint8_t)any[2];
  c->wday_any = (uint8_t)any[4];
  return 1;
}

static int day_matches(sv_cron const *c, struct tm const *tm)
{
  int m = !!(c->mday & (1u << tm->tm_mday)), w = !!(c->wday & (1u << tm->tm_wday));
  /* cron: with both restricted, either one; else the restricted one */
  if (!c->mday_any && !c->wday_any) return m || w;
  return m && w;
}

/* jumps to local midnight of tm's day + days (months: first of next month) */
static time_t jump(struct tm tm, int days, int months, time_t t)
{
  time_t r;
  tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
  if (months) {
    tm.tm_mday = 1;
    tm.tm_mon += months;
  } else
    tm.tm_mday += days;
  tm.tm_isdst = -1;
  r = mktime(&tm);
  /* a midnight that DST skips: mktime moves it; never backwards */
  return r > t ? r : t + 60;
}

time_t sv_cron_next(sv_cron const *c, time_t t)
{
  time_t end = t + 5 * 366 * 86400;
  t = t - (t % 60 + 60) % 60 + 60;
  while (t < end) {
    struct tm tm;
    if (!localtime_r(&t, &tm)) return 0;
    if (!(c->month & (1u << (tm.tm_mon + 1)))) {
      t = jump(tm, 0, 1, t);
      continue;
    }
    if (!day_matches(c, &tm)) {
      t = jump(tm, 1, 0, t);
      continue;
    }
    if (!(c->hour & (1u << tm.tm_hour))) {
      t += (60 - tm.tm_min) * 60 - tm.tm_sec;
      continue;
    }
    if (!(c->minute & (1ull << tm.tm_min))) {
      t += 60 - tm.tm_sec;
      continue;
    }
    {
      /* a local time that repeats (DST ends): only its first occurrence */
      struct tm back;
      time_t b = t - 3600;
      if (localtime_r(&b, &back) && back.tm_gmtoff > tm.tm_gmtoff) {
        time_t first = t - (back.tm_gmtoff - tm.tm_gmtoff);
        struct tm f;
        if (localtime_r(&first, &f) && f.tm_hour == tm.tm_hour && f.tm_min == tm.tm_min && f.tm_mday == tm.tm_mday) {
          t += 60;
          continue;
        }
      }
    }
    return t;
  }
  return 0;
}

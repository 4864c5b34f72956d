/* Unit tests of lib/sv_clock.c's sv_fmt_iso_utc, the history's and the
   event hooks' time stamp: against the C library's gmtime_r on every day
   boundary and leap day from 1970 to 2400, and on a few instants. */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sv_clock.h"

static int failures;

static void verdict(char const *name, int good)
{
  printf("%s clock: %s\n", good ? "ok" : "FAIL", name);
  if (!good) failures++;
}

/* the same text, made by the C library */
static void by_libc(char *buf, size_t max, uint64_t ms)
{
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(buf, max, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000));
}

int main(void)
{
  char a[32], b[80];
  unsigned bad = 0;
  uint64_t first_bad = 0;
  /* each day's last and first millisecond, 1970-01-01 to 2400-12-31 */
  for (uint64_t day = 0; day < 157054; day++) {
    uint64_t ms[2] = {day * 86400000, day * 86400000 + 86399999};
    for (unsigned i = 0; i < 2; i++) {
      size_t n = sv_fmt_iso_utc(a, ms[i]);
      by_libc(b, sizeof b, ms[i]);
      if (n != 24 || strcmp(a, b)) {
        if (!bad++) first_bad = ms[i];
      }
    }
  }
  if (bad) printf("# first difference at %llu ms\n", (unsigned long long)first_bad);
  verdict("every day from 1970 to 2400 as gmtime_r has it", !bad);
  {
    /* sv_utc_civil before the epoch too (svlog stamps any clock) */
    unsigned bad2 = 0;
    for (int64_t t = -4102444800LL; t < 0; t += 86399 * 7 + 3607) {
      time_t tt = (time_t)t;
      struct tm tm;
      sv_utc u;
      gmtime_r(&tt, &tm);
      sv_utc_civil(t, &u);
      if (u.year != tm.tm_year + 1900 || u.mon != (unsigned)tm.tm_mon + 1 || u.mday != (unsigned)tm.tm_mday ||
          u.hour != (unsigned)tm.tm_hour || u.min != (unsigned)tm.tm_min || u.sec != (unsigned)tm.tm_sec)
        bad2++;
    }
    verdict("sv_utc_civil from 1840 to 1970 as gmtime_r has it", !bad2);
  }
  sv_fmt_iso_utc(a, 0);
  verdict("the epoch", !strcmp(a, "1970-01-01T00:00:00.000Z"));
  sv_fmt_iso_utc(a, 951782400000ULL + 123);
  verdict("2000-02-29, a leap day of a year divisible by 400", !strcmp(a, "2000-02-29T00:00:00.123Z"));
  sv_fmt_iso_utc(a, 4107542400000ULL);
  verdict("2100-03-01: 2100 has no leap day", !strcmp(a, "2100-03-01T00:00:00.000Z"));
  sv_fmt_iso_utc(a, 1796502858123ULL);
  verdict("an instant of 2026", !strcmp(a, "2026-12-05T20:34:18.123Z"));
  return failures ? 1 : 0;
}

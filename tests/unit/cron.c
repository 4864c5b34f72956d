/* Unit tests of lib/sv_cron.c: parsing (errors name the field) and next
   times, in UTC and across both DST changes of Europe/Berlin. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sv_cron.h"

static int failures;

static void verdict(char const *name, int good, char const *why)
{
  if (good)
    printf("ok cron: %s\n", name);
  else {
    printf("FAIL cron: %s: %s\n", name, why);
    failures++;
  }
}

static void bad(char const *expr, char const *want)
{
  sv_cron c;
  char why[128] = "", name[200];
  int r = sv_cron_parse(&c, expr, why, sizeof why);
  snprintf(name, sizeof name, "'%s' refused: %s", expr, want);
  verdict(name, !r && !strcmp(why, want), why);
}

/* "YYYY-MM-DD HH:MM" in UTC -> time_t */
static time_t utc(char const *s)
{
  struct tm tm = {0};
  sscanf(s, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

static void next(char const *tz, char const *expr, char const *after, char const *want)
{
  sv_cron c;
  char why[128] = "", name[200], got[32];
  time_t t;
  struct tm tm;
  setenv("TZ", tz, 1);
  tzset();
  snprintf(name, sizeof name, "%s '%s' after %s UTC is %s UTC", tz, expr, after, want);
  if (!sv_cron_parse(&c, expr, why, sizeof why)) {
    verdict(name, 0, why);
    return;
  }
  t = sv_cron_next(&c, utc(after));
  gmtime_r(&t, &tm);
  strftime(got, sizeof got, "%Y-%m-%d %H:%M", &tm);
  verdict(name, !strcmp(got, want), got);
}

int main(void)
{
  bad("61 * * * *", "bad minute field: 61");
  bad("* 24 * * *", "bad hour field: 24");
  bad("* * 0 * *", "bad day-of-month field: 0");
  bad("* * * 13 *", "bad month field: 13");
  bad("* * * foo *", "bad month field: foo");
  bad("* * * * 8", "bad day-of-week field: 8");
  bad("*/0 * * * *", "bad minute field: */0");
  bad("5-1 * * * *", "bad minute field: 5-1");
  bad("1, * * * *", "bad minute field: 1,");
  bad("* * * *", "missing day-of-week field");
  bad("* * * * * *", "more than five fields: *");
  bad("@yearly", "unknown macro: @yearly");
  bad("", "missing minute field");

  next("UTC", "*/15 * * * *", "2026-01-01 10:07", "2026-01-01 10:15");
  next("UTC", "0 9-17/4 * * mon-fri", "2026-01-02 13:00", "2026-01-02 17:00"); /* a Friday */
  next("UTC", "0 9-17/4 * * mon-fri", "2026-01-02 17:00", "2026-01-05 09:00"); /* to Monday */
  next("UTC", "30 4 1,15 * *", "2026-02-01 05:00", "2026-02-15 04:30");
  next("UTC", "0 0 * feb sun", "2026-01-31 12:00", "2026-02-01 00:00");
  next("UTC", "0 0 13 * fri", "2026-02-01 00:00", "2026-02-06 00:00"); /* either day */
  next("UTC", "0 0 * * 7", "2026-01-01 00:00", "2026-01-04 00:00");    /* 7 = Sunday */
  next("UTC", "@hourly", "2026-01-01 10:59", "2026-01-01 11:00");
  next("UTC", "@daily", "2026-01-01 10:00", "2026-01-02 00:00");
  next("UTC", "@weekly", "2026-01-01 10:00", "2026-01-04 00:00");
  next("UTC", "@monthly", "2026-01-01 00:00", "2026-02-01 00:00");
  next("UTC", "0 0 29 2 *", "2026-01-01 00:00", "2028-02-29 00:00");
  /* Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (02:30 does not exist) */
  next("Europe/Berlin", "30 2 * * *", "2026-03-28 12:00", "2026-03-30 00:30");
  next("Europe/Berlin", "0 3 * * *", "2026-03-28 12:00", "2026-03-29 01:00");
  /* 2026-10-25 03:00 CEST -> 02:00 CET (02:30 happens twice: once) */
  next("Europe/Berlin", "30 2 * * *", "2026-10-24 12:00", "2026-10-25 00:30");
  next("Europe/Berlin", "30 2 * * *", "2026-10-25 00:30", "2026-10-26 01:30");
  next("Europe/Berlin", "*/15 * * * *", "2026-10-25 00:45", "2026-10-25 02:00");
  next("Europe/Berlin", "0 * * * *", "2026-10-25 00:00", "2026-10-25 02:00");
  /* a clock stepped far ahead: the next time after the new now, once */
  next("UTC", "0 * * * *", "2031-06-01 07:30", "2031-06-01 08:00");
  return failures ? 1 : 0;
}

#include <string.h>
#include <time.h>

#include <skalibs/tai.h>

#include "sv_clock.h"
#include "sv_str.h"

uint64_t sv_now_ms(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0) clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* two digits and a NUL */
static char *two_digits(char *buf, uint64_t v)
{
  buf[0] = (char)('0' + v / 10 % 10);
  buf[1] = (char)('0' + v % 10);
  buf[2] = 0;
  return buf;
}

size_t sv_fmt_duration(char *buf, uint64_t secs)
{
  uint64_t days = secs / 86400;
  char d[21], h[21], m[3], s[3];
  sv_u64(h, secs % 86400 / 3600);
  two_digits(m, secs % 3600 / 60);
  two_digits(s, secs % 60);
  if (!days) return sv_strjoin(buf, 40, h, ":", m, ":", s, (char *)0);
  return sv_strjoin(buf, 40, sv_u64(d, days), days == 1 ? " day, " : " days, ", h, ":", m, ":", s, (char *)0);
}

size_t sv_fmt_secs(char *buf, uint64_t ms)
{
  size_t n = strlen(sv_u64(buf, ms / 1000));
  unsigned frac = (unsigned)(ms % 1000);
  buf[n++] = '.';
  buf[n++] = (char)('0' + frac / 100);
  buf[n++] = (char)('0' + frac / 10 % 10);
  buf[n++] = (char)('0' + frac % 10);
  buf[n] = 0;
  return n;
}

int sv_scan_secs(char const *s, uint64_t *ms)
{
  uint64_t whole = 0, frac = 0, scale = 100;
  if (*s < '0' || *s > '9') return 0;
  for (; *s >= '0' && *s <= '9'; s++)
    whole = whole * 10 + (uint64_t)(*s - '0');
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
      frac += scale * (uint64_t)(*s - '0');
  if (*s) return 0;
  *ms = whole * 1000 + frac;
  return 1;
}

uint64_t sv_wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* the civil date of a day count from 1970-01-01 (proleptic Gregorian, in
   400-year eras of 146097 days, years starting on March 1st so that the
   leap day is the last of its year) */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void sv_utc_civil(int64_t secs, sv_utc *u)
{
  int64_t days = secs / 86400, sod = secs % 86400;
  if (sod < 0) sod += 86400, days--;
  civil_from_days(days, &u->year, &u->mon, &u->mday);
  u->hour = (unsigned)(sod / 3600), u->min = (unsigned)(sod / 60 % 60), u->sec = (unsigned)(sod % 60);
}

size_t sv_fmt_iso_utc(char *buf, uint64_t wall_ms)
{
  static char const sep[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
  static unsigned char const width[7] = {4, 2, 2, 2, 2, 2, 3};
  sv_utc u;
  unsigned f[7];
  char *p = buf;
  sv_utc_civil((int64_t)(wall_ms / 1000), &u);
  if (u.year > 9999) u.year = 9999; /* four digits, as the format has */
  f[0] = (unsigned)u.year, f[1] = u.mon, f[2] = u.mday, f[3] = u.hour, f[4] = u.min, f[5] = u.sec;
  f[6] = (unsigned)(wall_ms % 1000);
  for (unsigned i = 0; i < 7; i++) {
    unsigned x = f[i];
    for (unsigned k = width[i]; k--;) {
      p[k] = (char)('0' + x % 10);
      x /= 10;
    }
    p += width[i];
    *p++ = sep[i];
  }
  *p = 0;
  return (size_t)(p - buf);
}

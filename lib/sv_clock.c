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

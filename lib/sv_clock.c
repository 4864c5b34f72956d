#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sv_clock.h"
#include "sv_str.h"

uint64_t sv_now_ms(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0) clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

size_t sv_fmt_duration(char *buf, uint64_t secs)
{
  uint64_t days = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
  int n = days ? snprintf(buf, 40, "%llu day%s, %llu:%02llu:%02llu", (unsigned long long)days,
                          days == 1 ? "" : "s", (unsigned long long)h, (unsigned long long)m,
                          (unsigned long long)s)
               : snprintf(buf, 40, "%llu:%02llu:%02llu", (unsigned long long)h,
                          (unsigned long long)m, (unsigned long long)s);
  return n < 0 ? 0 : (size_t)n;
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
  for (; *s >= '0' && *s <= '9'; s++) whole = whole * 10 + (uint64_t)(*s - '0');
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10) frac += scale * (uint64_t)(*s - '0');
  if (*s) return 0;
  *ms = whole * 1000 + frac;
  return 1;
}

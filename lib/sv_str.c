#include <stdarg.h>
#include <string.h>

#include <skalibs/uint64.h>

#include "sv_str.h"

size_t sv_strjoin(char *dst, size_t max, ...)
{
  va_list ap;
  size_t len = 0;
  char const *s;
  va_start(ap, max);
  while ((s = va_arg(ap, char const *))) {
    size_t n = strlen(s);
    if (len + n >= max) {
      va_end(ap);
      if (max) {
        memcpy(dst + len, s, max - 1 - len);
        dst[max - 1] = 0;
      }
      return 0;
    }
    memcpy(dst + len, s, n);
    len += n;
  }
  va_end(ap);
  if (max) dst[len] = 0;
  return len;
}

char *sv_u64(char *buf, uint64_t u)
{
  buf[uint64_fmt(buf, u)] = 0;
  return buf;
}

char *sv_i64(char *buf, int64_t i)
{
  if (i >= 0) return sv_u64(buf, (uint64_t)i);
  buf[0] = '-';
  sv_u64(buf + 1, (uint64_t)0 - (uint64_t)i);
  return buf;
}

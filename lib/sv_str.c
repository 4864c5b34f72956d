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

size_t sv_utf8_valid(char const *s)
{
  unsigned char const *u = (unsigned char const *)s;
  size_t n;
  uint32_t cp;
  if (u[0] < 0x80) return 1;
  if (u[0] >= 0xc2 && u[0] <= 0xdf)
    n = 2, cp = u[0] & 0x1f;
  else if (u[0] >= 0xe0 && u[0] <= 0xef)
    n = 3, cp = u[0] & 0x0f;
  else if (u[0] >= 0xf0 && u[0] <= 0xf4)
    n = 4, cp = u[0] & 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((u[i] & 0xc0) != 0x80) return 0; /* a NUL stops here too */
    cp = cp << 6 | (u[i] & 0x3f);
  }
  /* overlong forms, UTF-16 surrogates and past U+10FFFF are not UTF-8 */
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  return n;
}

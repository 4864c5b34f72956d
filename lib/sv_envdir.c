#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/stralloc.h>

#include "sv_envdir.h"

size_t sv_envdir_value(char *buf, size_t len)
{
  char *nl = memchr(buf, '\n', len);
  if (nl) len = (size_t)(nl - buf);
  for (size_t i = 0; i < len; i++)
    if (!buf[i]) buf[i] = '\n';
  while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
    len--;
  buf[len] = 0;
  return len;
}

int sv_envdir_readline(int fd, stralloc *sa)
{
  for (;;) {
    ssize_t r;
    if (!stralloc_readyplus(sa, 4096)) return 0;
    r = read(fd, sa->s + sa->len, 4096);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 0;
    if (!r) return 1;
    sa->len += (size_t)r;
    if (memchr(sa->s + sa->len - (size_t)r, '\n', (size_t)r)) return 1;
  }
}

/* fdhold's request decoder: the bytes a client sent in, a request or a
 * refusal out.  No I/O, no allocation, no main: the daemon and the fuzz
 * target (tests/fuzz/fuzz_fdhold.c) link it alike. */
#include <string.h>

#include "fdhold.h"

int fdhold_idcheck(char const *s, size_t len)
{
  size_t i = 0;
  if (!len || len > FDHOLD_IDMAX) return 0;
  /* printable ASCII only: no control characters, no DEL, no 8-bit bytes */
  for (; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) return 0;
  return 1;
}

static int refuse(fdhold_req *r, char const *code, char const *why)
{
  r->code = code;
  r->why = why;
  return -1;
}

int fdhold_decode(char const *buf, size_t len, int passed, fdhold_req *r)
{
  char const *nl;
  size_t n, rest;
  r->cmd = 0;
  r->id = 0;
  r->idlen = 0;
  r->code = r->why = 0;
  if (!len) return 0;
  if (!memchr("SRTDL", buf[0], 5)) return refuse(r, FDHOLD_EPROTO, "unknown request");
  nl = memchr(buf, '\n', len);
  if (!nl) return len < FDHOLD_IDMAX + 2 ? 0 : refuse(r, FDHOLD_ETOOLONG, "identifier too long");
  n = (size_t)(nl - buf);
  if (n > FDHOLD_IDMAX + 1) return refuse(r, FDHOLD_ETOOLONG, "identifier too long");
  rest = len - n - 1;
  /* a store is complete only with its trailing F byte */
  if (buf[0] == 'S' && !rest) return 0;
  if (buf[0] == 'S' ? rest != 1 || buf[n + 1] != 'F' || !passed : rest || passed)
    return refuse(r, FDHOLD_EPROTO, "malformed request");
  if (buf[0] == 'L') {
    if (n != 1) return refuse(r, FDHOLD_EPROTO, "malformed request");
  } else if (!fdhold_idcheck(buf + 1, n - 1))
    return refuse(r, FDHOLD_EBADID, "invalid identifier");
  r->cmd = buf[0];
  r->id = buf + 1;
  r->idlen = n - 1;
  return 1;
}

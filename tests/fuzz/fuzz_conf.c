// fuzz-sources:
/* libFuzzer target: the conf parser on any bytes.  It must return 1 or 0
   with a NUL-terminated reason, never crash or read past the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv_conf.h"

static sv_conf c;

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char err[SV_ERR_MAX];
  int r;
  if (size > SV_CONF_MAX) return 0;
  sv_conf_defaults(&c);
  memcpy(c.buf, data, size);
  err[0] = 0;
  r = sv_conf_parse(&c, size, err);
  if (r != 0 && r != 1) abort();
  if (!r && !memchr(err, 0, sizeof err)) abort();
  return 0;
}

// fuzz-sources:
/* libFuzzer target: the status file parser on any text, then the record
   written to a buffer-sized file's worth and parsed back must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv_status.h"

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char buf[2048];
  sv_status a;
  if (size >= sizeof buf) return 0;
  memcpy(buf, data, size);
  buf[size] = 0;
  sv_status_parse(buf, &a);
  if ((unsigned)a.state >= SV_NSTATES || (unsigned)a.want > SV_WANT_ONCE) abort();
  if (!memchr(a.reason, 0, sizeof a.reason) || !memchr(a.boot, 0, sizeof a.boot)) abort();
  return 0;
}

// fuzz-sources:
/* libFuzzer target: an env/ file's bytes made into a value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv_envdir.h"

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char *buf = malloc(size + 1);
  size_t n;
  if (!buf) return 0;
  memcpy(buf, data, size);
  n = sv_envdir_value(buf, size);
  if (n > size || buf[n]) abort();
  /* a newline in the value exactly where the file had a NUL */
  for (size_t i = 0; i < n; i++)
    if ((buf[i] == '\n') != (data[i] == 0) || data[i] == '\n') abort();
  if (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) abort();
  free(buf);
  return 0;
}

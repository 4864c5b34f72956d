// fuzz-sources: fdhold/proto.c
/* libFuzzer target: fdhold's request decoder on any bytes, with and
   without a passed fd. */
#include <stdint.h>
#include <stdlib.h>

#include "../../fdhold/fdhold.h"

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  fdhold_req r;
  for (int passed = 0; passed < 2; passed++) {
    int x = fdhold_decode((char const *)data, size, passed, &r);
    if (x < -1 || x > 1) abort();
  }
  return 0;
}

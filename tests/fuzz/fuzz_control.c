// fuzz-sources:
/* libFuzzer target: control bytes.  Each byte is a command letter, a
   signal letter mapping to a real signal, or ignored. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv_control.h"

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  for (size_t i = 0; i < size; i++) {
    char c = (char)data[i];
    int sig = sv_control_signal(c);
    if (sig < 0 || sig >= NSIG) abort();
    if (sig && (!c || !strchr(SV_CONTROL_LETTERS, c))) abort();
  }
  return 0;
}

// fuzz-sources: supervise/notify.c
/* libFuzzer target: supervise's handling of one notify=systemd datagram
   (shape check, KEY=VALUE lines, STATUS= cut and cleaned, MAINPID=) on any
   bytes, from the service itself and from outside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../supervise/supervise.h"

char const *PROG = "fuzz_notify";

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  static sv_status st;
  unsigned ev;
  st.pid = getpid();
  ev = notify_datagram(&st, (char const *)data, size, 0, getpid());
  if (ev & ~31u) abort();
  /* the status line stays one NUL-terminated line without control bytes */
  if (!memchr(st.notifystatus, 0, sizeof st.notifystatus)) abort();
  for (char const *p = st.notifystatus; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f) abort();
  if (notify_datagram(&st, (char const *)data, size, 0, 1) != 0) abort(); /* pid 1: outside */
  return 0;
}

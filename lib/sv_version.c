#include <string.h>
#include <unistd.h>

#include <skalibs/buffer.h>
#include <skalibs/strerr.h>

#include "sv_version.h"

/* the Makefile passes -DSV_VERSION from the VERSION file; a build that does
   not (an IDE, a static analyser) still compiles */
#ifndef SV_VERSION
#define SV_VERSION "unknown"
#endif

char const sv_version[] = SV_VERSION;

void sv_version_option(int argc, char const *const *argv)
{
  if (argc < 2 || (strcmp(argv[1], "-V") && strcmp(argv[1], "--version"))) return;
  if (buffer_puts(buffer_1, PROG) < 0 || buffer_puts(buffer_1, " (svkit) ") < 0 ||
      buffer_puts(buffer_1, sv_version) < 0 || buffer_putsflush(buffer_1, "\n") < 0)
    strerr_diefusys(111, "write to stdout");
  _exit(0);
}

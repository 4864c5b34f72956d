/* fdhold: holds file descriptors for other processes (SPEC §8).
 * main() only dispatches on the verb; daemon.c is the holder, client.c the
 * clients. */
#include <string.h>

#include <skalibs/strerr.h>

#include "fdhold.h"
#include "sv_version.h"

struct verb {
  char const *name;
  int (*run)(int, char const *const *);
};

static struct verb const verbs[] = {
    {"daemon", &fdhold_daemon}, {"store", &fdhold_store},   {"retrieve", &fdhold_retrieve},
    {"list", &fdhold_list},     {"delete", &fdhold_delete}, {"listen", &fdhold_listen},
};

int main(int argc, char const *const *argv)
{
  size_t i = 0;
  PROG = "fdhold";
  sv_version_option(argc, argv);
  if (argc < 2) strerr_dieusage(100, FDHOLD_USAGE);
  for (; i < sizeof(verbs) / sizeof(verbs[0]); i++)
    if (!strcmp(argv[1], verbs[i].name)) return (*verbs[i].run)(argc - 1, argv + 1);
  strerr_dieusage(100, FDHOLD_USAGE);
}

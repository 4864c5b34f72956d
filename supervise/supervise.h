/* supervise's own modules: starting run and finish. */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/types.h>

#include "sv_conf.h"

/* starts run (or command=) as SPEC §1 says: pid, or 0 with err filled.
   *notiffd gets the readiness pipe's read end when notification-fd is set. */
extern pid_t spawn_run(sv_conf const *c, char const *svpath, int instance, int *notiffd, char *err);
/* starts ./finish CODE STATUS NAME: pid, or 0 with err filled */
extern pid_t spawn_finish(sv_conf const *c, char const *svpath, char const *name, int instance,
                          int known, int wstat, char *err);

#endif

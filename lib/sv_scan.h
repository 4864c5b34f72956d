/* The scan directory's services. */
#ifndef SV_SCAN_H
#define SV_SCAN_H

#include "sv_svdir.h"

/* names of the service directories in DIR (dot-names skipped, symlinks
   followed), sorted, in one malloc'd block: count, or -1 (errno) */
extern int sv_scan_names(char const *dir, char ***names);

/* a growing malloc'd array of targets */
typedef struct sv_targetlist_s sv_targetlist;
struct sv_targetlist_s {
  sv_target *v;
  unsigned n, cap;
};
#define SV_TARGETLIST_ZERO                                                                                             \
  {                                                                                                                    \
    0, 0, 0                                                                                                            \
  }

/* appends the targets of ARG (sv_targets), and ARG/log when withlog and it
   exists: 1 ok, -1 error (errno) */
extern int sv_targets_append(sv_targetlist *l, char const *arg, int withlog);

/* appends the targets of args[0..n) (every service of the scan directory
   when n is 0), with loggers when withlog, each once.  A name that cannot
   be found gets one warning and is skipped, so the others are still served:
   0 all found, else the worst exit code called for (100 an instance that
   does not exist, 111 a missing service or a system error) */
extern int sv_targets_collect(sv_targetlist *l, char const *const *args, unsigned n, int withlog);

/* the exit code that wins when two targets disagree: 111 > 100 > 1 > 0 */
extern int sv_exit_worst(int a, int b);

/* drops the targets whose state directory an earlier one already has
   (`svstat web web/log` names web's logger twice): 1 ok, -1 error (errno) */
extern int sv_targets_unique(sv_targetlist *l);

#endif

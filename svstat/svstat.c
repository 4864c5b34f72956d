/* svstat [-j] [-p] [SERVICE...]: status for people, scripts and monitoring. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>

#include "sv_scan.h"
#include "sv_show.h"
#include "sv_svdir.h"
#include "sv_version.h"

#define USAGE "svstat [-j] [-p] [service...]"

char const *PROG = "svstat";

int main(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  int json = 0, prom = 0, verdict = 0;
  sv_targetlist l2 = SV_TARGETLIST_ZERO;
  sv_view *v;
  unsigned n;
  sv_version_option(argc, argv);
  for (;;) {
    int opt = subgetopt_r(argc, argv, "jp", &l);
    if (opt == -1) break;
    if (opt == 'j') json = 1;
    else if (opt == 'p') prom = 1;
    else strerr_dieusage(100, USAGE);
  }
  if (json && prom) strerr_dieusage(100, USAGE);
  /* an unknown name is warned about; the others are still shown */
  verdict = sv_targets_collect(&l2, argv + l.ind, (unsigned)(argc - l.ind), 1);
  n = l2.n;
  v = calloc(n ? n : 1, sizeof *v);
  if (!v) strerr_diefusys(111, "allocate");
  for (unsigned i = 0; i < n; i++) {
    if (sv_view_load(v + i, l2.v + i) < 0) strerr_diefusys(111, "read status of ", l2.v[i].name);
    verdict = sv_exit_worst(verdict, sv_view_verdict(v + i));
  }
  if (json) sv_show_json(stdout, v, n);
  else if (prom) sv_show_prometheus(stdout, v, n);
  else sv_show_table(stdout, v, n);
  if (fflush(stdout) != 0) strerr_diefusys(111, "write to stdout");
  return verdict;
}

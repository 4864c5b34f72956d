/* svstat [-j] [-p] [SERVICE...]: status for people, scripts and monitoring. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>

#include "sv_scan.h"
#include "sv_show.h"
#include "sv_svdir.h"

#define USAGE "svstat [-j] [-p] [service...]"

char const *PROG = "svstat";

static void add(char const *arg, sv_targetlist *l)
{
  if (sv_targets_append(l, arg, 1) < 0) {
    if (errno == ERANGE) strerr_dief(100, "unable to find ", arg, ": no such instance");
    strerr_diefusys(111, "find service ", arg);
  }
}

static void add_all(sv_targetlist *l)
{
  char **names;
  int k = sv_scan_names(sv_scandir(), &names);
  if (k < 0) strerr_diefusys(111, "read scan directory ", sv_scandir());
  for (int i = 0; i < k; i++) add(names[i], l);
  free(names);
}

int main(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  int json = 0, prom = 0, verdict = 0;
  sv_targetlist l2 = SV_TARGETLIST_ZERO;
  sv_view *v;
  unsigned n;
  for (;;) {
    int opt = subgetopt_r(argc, argv, "jp", &l);
    if (opt == -1) break;
    if (opt == 'j') json = 1;
    else if (opt == 'p') prom = 1;
    else strerr_dieusage(100, USAGE);
  }
  if (json && prom) strerr_dieusage(100, USAGE);
  if (l.ind == argc) add_all(&l2);
  for (int i = l.ind; i < argc; i++) add(argv[i], &l2);
  if (sv_targets_unique(&l2) < 0) strerr_diefusys(111, "allocate");
  n = l2.n;
  v = calloc(n ? n : 1, sizeof *v);
  if (!v) strerr_diefusys(111, "allocate");
  for (unsigned i = 0; i < n; i++) {
    int r;
    if (sv_view_load(v + i, l2.v + i) < 0) strerr_diefusys(111, "read status of ", l2.v[i].name);
    r = sv_view_verdict(v + i);
    if (r > verdict) verdict = r;
  }
  if (json) sv_show_json(stdout, v, n);
  else if (prom) sv_show_prometheus(stdout, v, n);
  else sv_show_table(stdout, v, n);
  if (fflush(stdout) != 0) strerr_diefusys(111, "write to stdout");
  return verdict;
}

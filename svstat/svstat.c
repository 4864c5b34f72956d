/* svstat [-j] [-p] [-l N] [SERVICE...]: status for people, scripts and
   monitoring; -l adds each service's last N log lines, as systemctl status. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "sv_log.h"
#include "sv_scan.h"
#include "sv_show.h"
#include "sv_svdir.h"
#include "sv_version.h"

#define USAGE "svstat [-j] [-p] [-l lines] [service...]"
#define LINES_MAX 100000

char const *PROG = "svstat";

typedef struct tailing_s tailing;
struct tailing_s {
  sv_target const *t;
  unsigned lines;
};

static int is_logger(sv_target const *t)
{
  size_t n = strlen(t->name);
  return n >= 4 && !strcmp(t->name + n - 4, "/log");
}

/* the log lines under target i's line */
static void show_log(FILE *f, unsigned i, void *arg)
{
  tailing const *tl = arg;
  sv_target const *t = tl->t + i;
  char path[SV_PATH_MAX + 32];
  int r;
  if (!sv_log_find(t->svdir, path, sizeof path)) {
    /* a logger's own output is rarely kept: its service's line shows the log */
    if (!is_logger(t)) fputs("  (no log: no log/ logger directory and no stdout= file in conf)\n", f);
    return;
  }
  r = sv_log_tail(f, path, tl->lines, "  ");
  if (!r)
    fprintf(f, "  (no log yet: %s)\n", path);
  else if (r < 0)
    fprintf(f, "  (unable to read %s: %s)\n", path, strerror(errno));
}

int main(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  int json = 0, prom = 0, verdict = 0, withlog = 0;
  unsigned lines = 0;
  sv_targetlist l2 = SV_TARGETLIST_ZERO;
  sv_view *v;
  unsigned n;
  sv_version_option(argc, argv);
  for (;;) {
    int opt = subgetopt_r(argc, argv, "jpl:", &l);
    if (opt == -1) break;
    if (opt == 'j')
      json = 1;
    else if (opt == 'p')
      prom = 1;
    else if (opt == 'l') {
      size_t k = uint_scan(l.arg, &lines);
      if (!k || l.arg[k] || lines > LINES_MAX) strerr_dieusage(100, USAGE);
      withlog = 1;
    } else
      strerr_dieusage(100, USAGE);
  }
  /* log lines go under the table's lines only */
  if (json + prom + withlog > 1) strerr_dieusage(100, USAGE);
  /* an unknown name is warned about; the others are still shown */
  verdict = sv_targets_collect(&l2, argv + l.ind, (unsigned)(argc - l.ind), 1);
  n = l2.n;
  v = calloc(n ? n : 1, sizeof *v);
  if (!v) strerr_diefusys(111, "allocate");
  for (unsigned i = 0; i < n; i++) {
    if (sv_view_load(v + i, l2.v + i) < 0) strerr_diefusys(111, "read status of ", l2.v[i].name);
    verdict = sv_exit_worst(verdict, sv_view_verdict(v + i));
  }
  if (json)
    sv_show_json(stdout, v, n);
  else if (prom)
    sv_show_prometheus(stdout, v, n);
  else if (withlog) {
    tailing tl = {l2.v, lines};
    sv_show_table_with(stdout, v, n, &show_log, &tl);
  } else
    sv_show_table(stdout, v, n);
  if (fflush(stdout) != 0) strerr_diefusys(111, "write to stdout");
  return verdict;
}

/* svc history [-n N] NAME...: S/supervise/history (SPEC §9), for people:
   local time, OLD -> NEW, reason; NAME of a numprocs= service is each
   instance's history under a header. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "sv_scan.h"
#include "sv_svdir.h"
#include "svc.h"

#define HISTORY_USAGE "history [-n N] NAME..."

/* "2026-12-05T20:34:18.123Z" into local "2026-12-05 21:34:18": 1 ok, 0 not a time */
static int local_time(char const *iso, char *out, size_t max)
{
  struct tm tm = {0};
  time_t t;
  int ms;
  if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
             &tm.tm_sec, &ms) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  t = timegm(&tm);
  if (t == (time_t)-1 || !localtime_r(&t, &tm)) return 0;
  return strftime(out, max, "%Y-%m-%d %H:%M:%S", &tm) > 0;
}

/* one line: TIME NEW OLD [REASON] as TIME  OLD -> NEW  REASON; a line that
   does not read so is shown as it is */
static void show_line(char *line)
{
  char when[64];
  char *f[3], *reason;
  char *p = line;
  for (unsigned i = 0; i < 3; i++) {
    f[i] = p;
    p = strchr(p, ' ');
    if (!p && i < 2) {
      puts(line);
      return;
    }
    if (p) *p++ = 0;
  }
  reason = p ? p : "";
  if (!local_time(f[0], when, sizeof when)) {
    /* undo the cuts: the line as it was */
    printf("%s %s %s%s%s\n", f[0], f[1], f[2], *reason ? " " : "", reason);
    return;
  }
  if (*reason)
    printf("%s  %-8s -> %-8s  %s\n", when, f[2], f[1], reason);
  else
    printf("%s  %-8s -> %s\n", when, f[2], f[1]);
}

/* the last n lines (0: all) of one target's history: 0 shown, 1 none */
static int show_history(sv_target const *t, unsigned n)
{
  char path[SV_PATH_MAX + 16], line[1024];
  char *ring = 0;
  unsigned count = 0;
  FILE *f;
  snprintf(path, sizeof path, "%s/history", t->statedir);
  f = fopen(path, "r");
  if (!f) {
    if (errno != ENOENT) strerr_diefusys(111, "read ", path);
    strerr_warnw(t->name, ": no history yet (", path, " does not exist)");
    return 1;
  }
  /* a history holds 100 lines; a longer file (written by hand) is read whole */
  if (n) ring = calloc(n, sizeof line);
  if (n && !ring) strerr_diefusys(111, "allocate");
  while (fgets(line, sizeof line, f)) {
    size_t l = strcspn(line, "\n");
    int whole = line[l] == '\n' || feof(f);
    line[l] = 0;
    if (!whole) {
      int c;
      while ((c = getc(f)) != EOF && c != '\n')
        ;
    } /* the rest of a long line */
    if (!n)
      show_line(line);
    else
      memcpy(ring + (size_t)(count % n) * sizeof line, line, l + 1);
    count++;
  }
  if (ferror(f)) strerr_diefusys(111, "read ", path);
  fclose(f);
  for (unsigned i = count > n ? count - n : 0; n && i < count; i++)
    show_line(ring + (size_t)(i % n) * sizeof line);
  free(ring);
  return 0;
}

int svc_history(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  sv_targetlist tl = SV_TARGETLIST_ZERO;
  unsigned n = 0;
  int rc;
  /* subgetopt wants argv[0] to be the program: shift by one */
  char const *av[64];
  int ac = 0;
  av[ac++] = "history";
  for (int i = 0; i < argc && ac < 63; i++)
    av[ac++] = argv[i];
  av[ac] = 0;
  for (;;) {
    int opt = subgetopt_r(ac, av, "n:", &l);
    if (opt == -1) break;
    if (opt == 'n') {
      size_t k = uint_scan(l.arg, &n);
      if (!k || l.arg[k] || n > 100000) {
        strerr_warn(PROG, ": usage: svc " HISTORY_USAGE);
        return 100;
      }
    } else {
      strerr_warn(PROG, ": usage: svc " HISTORY_USAGE);
      return 100;
    }
  }
  if (ac <= (int)l.ind) {
    strerr_warn(PROG, ": usage: svc " HISTORY_USAGE);
    return 100;
  }
  rc = sv_targets_collect(&tl, av + l.ind, (unsigned)(ac - (int)l.ind), 0);
  for (unsigned i = 0; i < tl.n; i++) {
    if (tl.n > 1) printf("%s==> %s <==\n", i ? "\n" : "", tl.v[i].name);
    rc = sv_exit_worst(rc, show_history(tl.v + i, n));
    fflush(stdout);
  }
  free(tl.v);
  return fflush(stdout) ? 111 : rc;
}

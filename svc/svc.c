/* svc: control services from scripts and people (SPEC §4).
   svc [-udorxpchaitkq12yb] [-w u|U|d|D|r|R] [-T ms] SERVICE...
   svc VERB [args...] */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>

#include "sv_clock.h"
#include "sv_control.h"
#include "sv_scan.h"
#include "sv_show.h"
#include "sv_svdir.h"
#include "sv_wait.h"
#include "svc.h"
#include "sv_version.h"

#define USAGE "svc [-udorxpchaitkq12yb] [-w u|U|d|D|r|R] [-T ms] service... | svc verb [args...] (svc help)"

char const *PROG = "svc";

/* -w with -T: a supervise that svscan is just starting is waited for too */
static int flagawaitsupervise;

/* ---- targets ---- */

/* the exit code the names call for (0, 100, 111): an unknown name is
   warned about and the others are still controlled */
static int collect(char const *const *names, unsigned count, sv_targetlist *l)
{
  /* no names is no target here, never "every service": svc -d alone must
     not stop the tree; svc -r web web@0 restarts web@0 once */
  return count ? sv_targets_collect(l, names, count, 0) : 0;
}

/* ---- waiting ---- */

typedef struct waitctx_s waitctx;
struct waitctx_s {
  char mode;         /* u U d D r R */
  int sent;          /* letters were sent: wait until supervise has read them */
  sv_status *before; /* status when the command was sent */
};

static int is_up(sv_status const *st) { return st->pid && (st->state == SV_STARTING || st->state == SV_RUNNING); }

/* 1 there, 0 not yet, -1 never (it gave up after our command) */
static int reached(sv_status const *st, unsigned i, void *p)
{
  waitctx const *w = p;
  sv_status const *b = &w->before[i];
  int renewed = st && st->starts != b->starts;
  if (!st) return 0;
  /* until supervise counts our command, the status is from before it: a
     running service would pass for restarted-and-ready after svc -r */
  if (w->sent && st->commands == b->commands) return 0;
  switch (w->mode) {
  case 'd': return !st->pid;
  case 'D': return !st->pid && !st->finish && st->state != SV_STOPPING;
  /* a run that already came and went (svc -o of a quick job) was up */
  case 'u':
    if (is_up(st) || (renewed && st->state == SV_EXITED)) return 1;
    break;
  case 'U':
    if (st->state == SV_RUNNING && st->ready) return 1;
    break;
  case 'r':
    if (is_up(st) && renewed) return 1;
    break;
  case 'R':
    if (st->state == SV_RUNNING && st->ready && renewed) return 1;
    break;
  }
  /* waiting for up: FATAL or EXITED once supervise has seen our command is
     final; before that, it may still be the previous run's end */
  if ((st->state == SV_FATAL || st->state == SV_EXITED) && st->commands != b->commands) return -1;
  return 0;
}

static void report_not_there(sv_target const *t, unsigned n, waitctx *w, int gaveup)
{
  for (unsigned i = 0; i < n; i++) {
    sv_status st;
    char detail[512];
    sv_view v = {.name = t[i].name, .supervised = 1, .found = 1};
    if (sv_status_read(t[i].statedir, &st) <= 0 || reached(&st, i, w) == 1) continue;
    v.st = st;
    strerr_warnw(t[i].name, ": ", gaveup ? "gave up: " : "timed out: ", sv_state_name(st.state), " (",
                 sv_view_detail(detail, &v, sv_now_ms()), ")");
  }
}

/* 0 all there, 1 not (timeout or gave up) */
static int wait_for(sv_target const *t, unsigned n, waitctx *w, uint64_t timeout_ms)
{
  int r = sv_wait(t, n, &reached, w, timeout_ms);
  if (r < 0) strerr_diefusys(111, "wait for services");
  if (r == 1) return 0;
  if (r == 3) {
    for (unsigned i = 0; i < n; i++)
      if (sv_supervised(t[i].statedir) == 0) strerr_warnwu("wait for ", t[i].name, ": supervise exited");
    return 111;
  }
  report_not_there(t, n, w, r == 2);
  return 1;
}

/* ---- sending ---- */

/* sends cmds to every target: 0 all sent, 111 some have no supervise;
   those are dropped from t (and *n), so a wait is for the others only */
static int send_all(sv_target *t, unsigned *n, char const *cmds, size_t len, sv_status *before)
{
  int rc = 0;
  unsigned kept = 0;
  for (unsigned i = 0; i < *n; i++) {
    int r;
    if (before && sv_status_read(t[i].statedir, &before[kept]) < 0)
      strerr_diefusys(111, "read ", t[i].statedir, "/status");
    r = sv_control_send(t[i].statedir, cmds, len);
    if (r < 0) strerr_diefusys(111, "control ", t[i].name);
    if (!r) {
      strerr_warnwu("control ", t[i].name, ": supervise not running");
      rc = 111;
      continue;
    }
    if (kept != i) t[kept] = t[i];
    kept++;
  }
  *n = kept;
  return rc;
}

/* the core of every command: send, then wait for mode ('\0': no wait) */
int svc_command(char const *const *names, unsigned count, char const *cmds, char mode, uint64_t timeout_ms)
{
  sv_targetlist l = SV_TARGETLIST_ZERO;
  sv_target *t;
  sv_status *before;
  unsigned n;
  int rc, found;
  waitctx w;
  found = collect(names, count, &l);
  t = l.v, n = l.n;
  before = calloc(n ? n : 1, sizeof *before);
  if (!before) strerr_diefusys(111, "allocate");
  if (flagawaitsupervise && sv_wait_supervised(t, n, timeout_ms) < 0) strerr_diefusys(111, "wait for supervise");
  rc = send_all(t, &n, cmds, strlen(cmds), before);
  if (mode && n) {
    w.mode = mode;
    w.sent = !!cmds[0];
    w.before = before;
    rc = sv_exit_worst(rc, wait_for(t, n, &w, timeout_ms));
  }
  free(before);
  free(t);
  return sv_exit_worst(found, rc);
}

/* ---- letters ---- */

static int letters_main(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  char cmds[64];
  size_t len = 0;
  char mode = 0;
  uint64_t timeout = 0;
  for (;;) {
    int opt = subgetopt_r(argc, argv, SV_CONTROL_LETTERS "w:T:", &l);
    if (opt == -1) break;
    if (opt == 'w') {
      if (!l.arg[0] || l.arg[1] || !strchr("uUdDrR", l.arg[0])) strerr_dieusage(100, USAGE);
      mode = l.arg[0];
    } else if (opt == 'T') {
      char *end;
      unsigned long long ms = strtoull(l.arg, &end, 10);
      if (*end || !*l.arg) strerr_dieusage(100, USAGE);
      timeout = ms;
    } else if (opt == '?' || !strchr(SV_CONTROL_LETTERS, opt))
      strerr_dieusage(100, USAGE);
    else if (len < sizeof cmds - 1)
      cmds[len++] = (char)opt;
  }
  cmds[len] = 0;
  if (l.ind >= argc) strerr_dieusage(100, USAGE);
  flagawaitsupervise = mode && timeout;
  return svc_command(argv + l.ind, (unsigned)(argc - l.ind), cmds, mode, timeout);
}

/* ---- verbs ---- */

static uint64_t verb_timeout(void)
{
  char const *s = getenv("SVC_TIMEOUT");
  return s && *s ? strtoull(s, 0, 10) : 30000;
}

/* prints "NAME: WORD" per service after a verb succeeded */
static void say_each(char const *const *names, unsigned count, char const *word)
{
  for (unsigned i = 0; i < count; i++)
    printf("%s: %s\n", names[i], word);
  fflush(stdout);
}

static int verb_simple(char const *const *names, unsigned count, char const *cmds, char mode, char const *word)
{
  int rc = svc_command(names, count, cmds, mode, verb_timeout());
  if (!rc) say_each(names, count, word);
  return rc;
}

static int v_start(int argc, char const *const *argv) { return verb_simple(argv, (unsigned)argc, "u", 'U', "started"); }
static int v_stop(int argc, char const *const *argv) { return verb_simple(argv, (unsigned)argc, "d", 'D', "stopped"); }
static int v_once(int argc, char const *const *argv)
{
  return verb_simple(argv, (unsigned)argc, "o", 'u', "started once");
}
static int v_pause(int argc, char const *const *argv) { return verb_simple(argv, (unsigned)argc, "p", 0, "paused"); }
static int v_cont(int argc, char const *const *argv) { return verb_simple(argv, (unsigned)argc, "c", 0, "continued"); }

static int v_restart(int argc, char const *const *argv)
{
  /* r in one go keeps supervise's order: stop, finish, start */
  int rc = svc_command(argv, (unsigned)argc, "r", 'r', verb_timeout());
  if (rc) return rc;
  say_each(argv, (unsigned)argc, "stopped");
  rc = svc_command(argv, (unsigned)argc, "", 'U', verb_timeout());
  if (!rc) say_each(argv, (unsigned)argc, "started");
  return rc;
}

static int v_status(int argc, char const *const *argv)
{
  sv_targetlist l = SV_TARGETLIST_ZERO;
  sv_target *t;
  unsigned n;
  int verdict;
  sv_view *v;
  verdict = sv_targets_collect(&l, argv, (unsigned)argc, 1);
  t = l.v, n = l.n;
  v = calloc(n ? n : 1, sizeof *v);
  if (!v) strerr_diefusys(111, "allocate");
  for (unsigned i = 0; i < n; i++) {
    int r;
    if (sv_view_load(v + i, t + i) < 0) strerr_diefusys(111, "read status of ", t[i].name);
    r = sv_view_verdict(v + i);
    if (r > verdict) verdict = r;
  }
  sv_show_table(stdout, v, n);
  fflush(stdout);
  free(v);
  free(t);
  return verdict;
}

static int v_signal(int argc, char const *const *argv)
{
  static char const letters[] = "pchaitkq12yb";
  int sig = sv_signal_scan(argv[0]);
  char cmd[2] = {0, 0};
  if (!sig) strerr_dief(100, "unable to send signal ", argv[0], ": unknown signal");
  for (char const *p = letters; *p; p++)
    if (sv_control_signal(*p) == sig) cmd[0] = *p;
  if (!cmd[0])
    strerr_dief(100, "unable to send signal ", argv[0],
                ": supervise relays only STOP CONT HUP ALRM INT TERM KILL QUIT USR1 USR2 WINCH ABRT");
  if (argc < 2) strerr_dieusage(100, "svc signal SIG name...");
  return svc_command(argv + 1, (unsigned)argc - 1, cmd, 0, 0);
}

static int v_pid(int argc, char const *const *argv)
{
  sv_targetlist l = SV_TARGETLIST_ZERO;
  sv_target *t;
  unsigned n;
  int rc = collect(argv, (unsigned)argc, &l);
  t = l.v, n = l.n;
  for (unsigned i = 0; i < n; i++) {
    sv_status st;
    int r = sv_status_read(t[i].statedir, &st);
    if (r < 0) strerr_diefusys(111, "read ", t[i].statedir, "/status");
    if (!sv_supervised(t[i].statedir)) {
      strerr_warnwu("read pid of ", t[i].name, ": supervise not running");
      rc = 111;
      continue;
    }
    printf("%d\n", r ? (int)st.pid : 0);
    if (!r || !st.pid) rc = sv_exit_worst(rc, 1);
  }
  fflush(stdout);
  free(t);
  return rc;
}

static int svdir_of(char const *name, char *buf)
{
  sv_target t;
  if (sv_targets(name, &t, 1) < 0) strerr_diefusys(111, "find service ", name);
  snprintf(buf, SV_PATH_MAX, "%s", t.svdir);
  return 1;
}

static int v_enable(int argc, char const *const *argv)
{
  for (int i = 0; i < argc; i++) {
    char dir[SV_PATH_MAX], path[SV_PATH_MAX + 8];
    svdir_of(argv[i], dir);
    snprintf(path, sizeof path, "%s/down", dir);
    if (unlink(path) < 0 && errno != ENOENT) strerr_diefusys(111, "remove ", path);
    printf("%s: enabled\n", argv[i]);
  }
  return fflush(stdout) ? 111 : 0;
}

static int v_disable(int argc, char const *const *argv)
{
  for (int i = 0; i < argc; i++) {
    char dir[SV_PATH_MAX], path[SV_PATH_MAX + 8];
    FILE *f;
    svdir_of(argv[i], dir);
    snprintf(path, sizeof path, "%s/down", dir);
    f = fopen(path, "a");
    if (!f || fclose(f)) strerr_diefusys(111, "create ", path);
    printf("%s: disabled\n", argv[i]);
  }
  return fflush(stdout) ? 111 : 0;
}

static int print_file(char const *path)
{
  FILE *f = fopen(path, "r");
  char buf[4096];
  size_t r;
  if (!f) return errno == ENOENT ? 0 : -1;
  printf("==> %s <==\n", path);
  while ((r = fread(buf, 1, sizeof buf, f)))
    fwrite(buf, 1, r, stdout);
  fclose(f);
  return 1;
}

static int v_cat(int argc, char const *const *argv)
{
  static char const *const files[] = {"run", "conf", "finish", "log/run", "log/conf"};
  for (int i = 0; i < argc; i++) {
    char dir[SV_PATH_MAX], path[SV_PATH_MAX + 16];
    svdir_of(argv[i], dir);
    for (unsigned k = 0; k < sizeof files / sizeof *files; k++) {
      snprintf(path, sizeof path, "%s/%s", dir, files[k]);
      if (print_file(path) < 0) strerr_diefusys(111, "read ", path);
    }
  }
  return fflush(stdout) ? 111 : 0;
}

static int v_list(int argc, char const *const *argv)
{
  char **names;
  int k = sv_scan_names(sv_scandir(), &names);
  size_t width = 15;
  (void)argc, (void)argv;
  if (k < 0) strerr_diefusys(111, "read scan directory ", sv_scandir());
  for (int i = 0; i < k; i++)
    if (strlen(names[i]) > width) width = strlen(names[i]);
  for (int i = 0; i < k; i++) {
    char path[SV_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/down", sv_scandir(), names[i]);
    printf("%-*s %s\n", (int)width, names[i], access(path, F_OK) ? "enabled" : "disabled");
  }
  free(names);
  return fflush(stdout) ? 111 : 0;
}

static verb const core_verbs[] = {{"start", 1, "start NAME...", &v_start},
                                  {"stop", 1, "stop NAME...", &v_stop},
                                  {"restart", 1, "restart NAME...", &v_restart},
                                  {"once", 1, "once NAME...", &v_once},
                                  {"status", 0, "status [NAME...]", &v_status},
                                  {"pause", 1, "pause NAME...", &v_pause},
                                  {"cont", 1, "cont NAME...", &v_cont},
                                  {"signal", 2, "signal SIG NAME...", &v_signal},
                                  {"pid", 1, "pid NAME", &v_pid},
                                  {"enable", 1, "enable NAME...", &v_enable},
                                  {"disable", 1, "disable NAME...", &v_disable},
                                  {"cat", 1, "cat NAME...", &v_cat},
                                  {"list", 0, "list", &v_list},
                                  {"import", 1, "import [-n] [-d DIR] FILE...", &svc_import},
                                  {0, 0, 0, 0}};

static verb const *find_verb(char const *name)
{
  verb const *const tables[] = {core_verbs, svc_tree_verbs};
  for (unsigned k = 0; k < 2; k++)
    for (verb const *v = tables[k]; v->name; v++)
      if (!strcmp(v->name, name)) return v;
  return 0;
}

void svc_help(FILE *f)
{
  verb const *const tables[] = {core_verbs, svc_tree_verbs};
  fputs("verbs:\n", f);
  for (unsigned k = 0; k < 2; k++)
    for (verb const *v = tables[k]; v->name; v++)
      fprintf(f, "  %s\n", v->usage);
  fputs("  help\nletters: svc [-udorxpchaitkq12yb] [-w u|U|d|D|r|R] [-T ms] SERVICE...\n", f);
}

/* runs one verb line: argv[0] is the verb; the exit code */
int svc_run_verb(int argc, char const *const *argv)
{
  verb const *v;
  if (!strcmp(argv[0], "help")) {
    svc_help(stdout);
    fflush(stdout);
    return 0;
  }
  v = find_verb(argv[0]);
  if (!v) {
    strerr_warnw("unknown verb: ", argv[0], " (svc help lists them)");
    return 100;
  }
  if (argc - 1 < v->minargs) {
    strerr_warn(PROG, ": usage: svc ", v->usage);
    return 100;
  }
  return (*v->run)(argc - 1, argv + 1);
}

int main(int argc, char const *const *argv)
{
  sv_version_option(argc, argv);
  if (argc < 2) {
    if (isatty(0)) return svc_shell();
    strerr_dieusage(100, USAGE);
  }
  if (argv[1][0] == '-') return letters_main(argc, argv);
  return svc_run_verb(argc - 1, argv + 1);
}

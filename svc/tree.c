/* Verbs that speak to svscan through SCANDIR/.svscan/control:
   'a' rescan (reload), 'q' stop every service and exit (quit);
   and tail, which finds a service's log. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>

#include "sv_conf.h"
#include "sv_control.h"
#include "sv_svdir.h"
#include "svc.h"

static int tell_svscan(char const *cmd, char const *done)
{
  char dir[SV_PATH_MAX];
  int r;
  snprintf(dir, sizeof dir, "%s/.svscan", sv_scandir());
  r = sv_control_send(dir, cmd, 1);
  if (r < 0) strerr_diefusys(111, "control svscan in ", sv_scandir());
  if (!r) {
    strerr_warnwu("control svscan in ", sv_scandir(), ": svscan not running");
    return 111;
  }
  printf("%s\n", done);
  return fflush(stdout) ? 111 : 0;
}

static int v_reload(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_svscan("a", "svscan: rescanning");
}

static int v_quit(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_svscan("q", "svscan: stopping every service");
}

/* ---- tail ---- */

static int is_dir(char const *path)
{
  struct stat s;
  return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

static int is_file(char const *path)
{
  struct stat s;
  return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

static int is_logger(char const *word)
{
  static char const *const names[] = { "svlog", "s6-log", "svlogd", "multilog" };
  char const *base = strrchr(word, '/');
  base = base ? base + 1 : word;
  for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
    if (!strcmp(base, names[i])) return 1;
  return 0;
}

/* the last plain word of a logger's command line: its directory (or, for
   svlog -F, its file); written into out, relative to the log dir */
static int logger_target(char *line, char *out, size_t max)
{
  char *w, *last = 0;
  int seen = 0;
  for (w = strtok(line, " \t"); w; w = strtok(0, " \t")) {
    size_t l;
    if (*w == '#') break;
    if (!seen) { seen = is_logger(w); continue; }
    if (*w == '-' || strpbrk(w, "<>|;&")) continue;
    l = strlen(w);
    /* quotes around a path */
    if (l >= 2 && (*w == '"' || *w == '\'') && w[l - 1] == *w) { w[l - 1] = 0; w++; }
    last = w;
  }
  if (!seen || !last) return 0;
  snprintf(out, max, "%s", last);
  return 1;
}

/* from S/log/run: the target of the last logger command line */
static int from_log_run(char const *svdir, char *out, size_t max)
{
  char path[SV_PATH_MAX + 16], buf[8192], arg[SV_PATH_MAX];
  ssize_t r;
  int found = 0;
  snprintf(path, sizeof path, "%s/log/run", svdir);
  r = openreadnclose(path, buf, sizeof buf - 1);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (char *line = buf, *nl; line && *line; line = nl) {
    nl = strchr(line, '\n');
    if (nl) *nl++ = 0;
    if (!logger_target(line, arg, sizeof arg)) continue;
    if ((size_t)snprintf(out, max, arg[0] == '/' ? "%.0s%s" : "%s/log/%s", svdir, arg) >= max) continue;
    found = 1;
  }
  return found;
}

/* the file holding the service's log: 1 found, 0 none */
static int find_log(char const *svdir, char *out, size_t max)
{
  static sv_conf c;
  char err[SV_ERR_MAX], cand[SV_PATH_MAX + 32];
  snprintf(cand, sizeof cand, "%s/log", svdir);
  if (is_dir(cand)) {
    static char const *const tries[] = { "log/current", "log/main/current" };
    for (unsigned i = 0; i < 2; i++) {
      snprintf(cand, sizeof cand, "%s/%s", svdir, tries[i]);
      if (is_file(cand)) { snprintf(out, max, "%s", cand); return 1; }
    }
    if (from_log_run(svdir, cand, sizeof cand)) {
      size_t l = strlen(cand);
      /* a directory gets /current; a file (svlog -F) is the log itself */
      if (is_dir(cand)) snprintf(cand + l, sizeof cand - l, "/current");
      snprintf(out, max, "%s", cand);
      return 1;
    }
  }
  if (sv_conf_load(&c, svdir, err) > 0 && c.stdout_dest && strcmp(c.stdout_dest, "/dev/null")) {
    if (c.stdout_dest[0] == '/') snprintf(out, max, "%s", c.stdout_dest);
    else snprintf(out, max, "%s/%s", c.workingdir && c.workingdir[0] == '/' ? c.workingdir : svdir, c.stdout_dest);
    return 1;
  }
  return 0;
}

/* runs tail and waits for it: in the shell, ^C ends tail, not svc */
static int run_tail(char const *const *argv)
{
  struct sigaction ign = { .sa_handler = SIG_IGN }, oldint, oldquit;
  int wstat;
  pid_t pid;
  fflush(stdout);
  sigemptyset(&ign.sa_mask);
  sigaction(SIGINT, &ign, &oldint);
  sigaction(SIGQUIT, &ign, &oldquit);
  pid = fork();
  if (pid < 0) strerr_diefusys(111, "fork");
  if (!pid) {
    sigaction(SIGINT, &oldint, 0);
    sigaction(SIGQUIT, &oldquit, 0);
    execvp(argv[0], (char *const *)argv);
    strerr_diefusys(errno == ENOENT ? 127 : 126, "exec ", argv[0]);
  }
  if (waitpid_nointr(pid, &wstat, 0) < 0) strerr_diefusys(111, "wait for tail");
  sigaction(SIGINT, &oldint, 0);
  sigaction(SIGQUIT, &oldquit, 0);
  if (WIFSIGNALED(wstat)) return WTERMSIG(wstat) == SIGINT ? 0 : 111;
  return WEXITSTATUS(wstat);
}

static int v_tail(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  char const *n = "10";
  char const *targv[6];
  char logfile[SV_PATH_MAX + 32];
  sv_target t;
  unsigned k = 0;
  int follow = 0;
  /* subgetopt wants argv[0] to be the program: shift by one */
  char const *av[64];
  int ac = 0;
  av[ac++] = "tail";
  for (int i = 0; i < argc && ac < 63; i++) av[ac++] = argv[i];
  av[ac] = 0;
  for (;;) {
    int opt = subgetopt_r(ac, av, "fn:", &l);
    if (opt == -1) break;
    if (opt == 'f') follow = 1;
    else if (opt == 'n') {
      char *end;
      strtoul(l.arg, &end, 10);
      if (!*l.arg || *end) { strerr_warn(PROG, ": usage: svc tail [-f] [-n N] NAME"); return 100; }
      n = l.arg;
    } else { strerr_warn(PROG, ": usage: svc tail [-f] [-n N] NAME"); return 100; }
  }
  if (ac - l.ind != 1) { strerr_warn(PROG, ": usage: svc tail [-f] [-n N] NAME"); return 100; }
  if (sv_targets(av[l.ind], &t, 1) < 0) strerr_diefusys(111, "find service ", av[l.ind]);
  if (!find_log(t.svdir, logfile, sizeof logfile)) {
    strerr_warnwu("find the log of ", av[l.ind], ": no log/ logger directory and no stdout= file in conf");
    return 1;
  }
  targv[k++] = "tail";
  targv[k++] = "-n";
  targv[k++] = n;
  /* -F: follows the name across rotations */
  if (follow) targv[k++] = "-F";
  targv[k++] = logfile;
  targv[k] = 0;
  if (!follow && !is_file(logfile)) {
    strerr_warnwu("read ", logfile, ": no log written yet");
    return 1;
  }
  return run_tail(targv);
}

verb const svc_tree_verbs[] = {
  { "reload", 0, "reload", &v_reload },
  { "quit", 0, "quit", &v_quit },
  { "tail", 1, "tail [-f] [-n N] NAME", &v_tail },
  { 0, 0, 0, 0 }
};

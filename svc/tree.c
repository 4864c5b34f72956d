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
  struct stat st;
  int r;
  snprintf(dir, sizeof dir, "%s/.svscan", sv_scandir());
  r = sv_control_send(dir, cmd, 1);
  if (r < 0) strerr_diefusys(111, "control svscan in ", sv_scandir());
  if (!r) {
    /* no FIFO or no reader: a missing scan directory says why itself */
    if (stat(sv_scandir(), &st) < 0) strerr_diefusys(111, "control svscan in ", sv_scandir());
    strerr_dief(111, "unable to control svscan in ", sv_scandir(), ": svscan not running");
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

/* poweroff, reboot, halt (SPEC §11): only svscan as PID 1 takes them;
   it says so in SCANDIR/.svscan/init */
static int tell_init(char const *cmd, char const *what)
{
  char path[SV_PATH_MAX], done[64];
  struct stat st;
  snprintf(path, sizeof path, "%s/.svscan/init", sv_scandir());
  if (stat(path, &st) < 0) {
    if (errno != ENOENT) strerr_diefusys(111, "read ", path);
    strerr_dief(100, "unable to ", what, ": svscan in ", sv_scandir(),
                " is not PID 1 (svc quit stops its services)");
  }
  snprintf(done, sizeof done, "svscan: %s", what);
  return tell_svscan(cmd, done);
}

static int v_poweroff(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_init("P", "poweroff");
}

static int v_reboot(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_init("R", "reboot");
}

static int v_halt(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_init("H", "halt");
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

/* the loggers whose command line svc tail reads, with the options that
   take an argument; in s6-log and multilog scripts a directory starts with
   . or / and every other word is a directive or an option */
static struct logger_s {
  char const *name;
  char const *argopts;
  int dotslash;
} const loggers[] = {
  { "svlog", "snlF", 0 },
  { "svlogd", "rRlb", 0 },
  { "s6-log", "", 1 },
  { "multilog", "", 1 },
};

static struct logger_s const *is_logger(char const *word)
{
  char const *base = strrchr(word, '/');
  base = base ? base + 1 : word;
  for (unsigned i = 0; i < sizeof loggers / sizeof *loggers; i++)
    if (!strcmp(base, loggers[i].name)) return loggers + i;
  return 0;
}

/* a word without the quotes around it */
static char *unquote(char *w)
{
  size_t l = strlen(w);
  if (l >= 2 && (*w == '"' || *w == '\'') && w[l - 1] == *w) { w[l - 1] = 0; w++; }
  return w;
}

/* the target of a logger's command line: its first log directory, or for
   svlog -F its file; 0 if the line runs no logger */
static char *logger_target(char *line)
{
  struct logger_s const *lg = 0;
  int opt = 0; /* the option the previous word was, if it takes an argument */
  for (char *w = strtok(line, " \t"); w; w = strtok(0, " \t")) {
    if (*w == '#') break;
    if (!lg) { lg = is_logger(w); continue; }
    if (strpbrk(w, "<>|;&")) continue; /* 2>&1 */
    if (opt) {
      if (opt == 'F') return unquote(w);
      opt = 0;
      continue;
    }
    if (*w == '-') {
      if (w[1] && strchr(lg->argopts, w[1])) {
        if (!w[2]) opt = w[1]; /* -s 1000 */
        else if (w[1] == 'F') return unquote(w + 2); /* -Ffile */
      }
      continue;
    }
    w = unquote(w);
    if (!lg->dotslash || *w == '.' || *w == '/') return w;
  }
  return 0;
}

/* from S/log/run: the target of the last logger command line, relative to
   S/log; a directory (or what is not a file yet) gets /current */
static int from_log_run(char const *svdir, char *out, size_t max)
{
  char path[SV_PATH_MAX + 16], buf[8192];
  ssize_t r;
  int found = 0;
  snprintf(path, sizeof path, "%s/log/run", svdir);
  r = openreadnclose(path, buf, sizeof buf - 1);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (char *line = buf, *nl; line && *line; line = nl) {
    char *arg;
    nl = strchr(line, '\n');
    if (nl) *nl++ = 0;
    if (!(arg = logger_target(line)) || !*arg) continue;
    if ((size_t)snprintf(out, max, arg[0] == '/' ? "%.0s%s" : "%s/log/%s", svdir, arg) >= max) continue;
    found = 1;
  }
  if (found && !is_file(out)) {
    size_t l = strlen(out);
    if (l + sizeof "/current" > max) return 0;
    memcpy(out + l, "/current", sizeof "/current");
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
    /* what log/run names wins over a stale current file */
    if (from_log_run(svdir, out, max)) return 1;
    for (unsigned i = 0; i < 2; i++) {
      snprintf(cand, sizeof cand, "%s/%s", svdir, tries[i]);
      if (is_file(cand)) { snprintf(out, max, "%s", cand); return 1; }
    }
  }
  if (sv_conf_load(&c, svdir, err) > 0 && c.stdout_dest && strcmp(c.stdout_dest, "/dev/null")) {
    /* supervise makes a relative stdout= absolute from the service
       directory, whatever workingdir says */
    snprintf(out, max, c.stdout_dest[0] == '/' ? "%.0s%s" : "%s/%s", svdir, c.stdout_dest);
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
  { "poweroff", 0, "poweroff", &v_poweroff },
  { "reboot", 0, "reboot", &v_reboot },
  { "halt", 0, "halt", &v_halt },
  { "tail", 1, "tail [-f] [-n N] NAME", &v_tail },
  { 0, 0, 0, 0 }
};

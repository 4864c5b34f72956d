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
#include "sv_log.h"
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
    strerr_dief(100, "unable to ", what, ": svscan in ", sv_scandir(), " is not PID 1 (svc quit stops its services)");
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

static int is_file(char const *path)
{
  struct stat s;
  return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

/* runs tail and waits for it: in the shell, ^C ends tail, not svc */
static int run_tail(char const *const *argv)
{
  struct sigaction ign = {.sa_handler = SIG_IGN}, oldint, oldquit;
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
  for (int i = 0; i < argc && ac < 63; i++)
    av[ac++] = argv[i];
  av[ac] = 0;
  for (;;) {
    int opt = subgetopt_r(ac, av, "fn:", &l);
    if (opt == -1) break;
    if (opt == 'f')
      follow = 1;
    else if (opt == 'n') {
      char *end;
      strtoul(l.arg, &end, 10);
      if (!*l.arg || *end) {
        strerr_warn(PROG, ": usage: svc tail [-f] [-n N] NAME");
        return 100;
      }
      n = l.arg;
    } else {
      strerr_warn(PROG, ": usage: svc tail [-f] [-n N] NAME");
      return 100;
    }
  }
  if (ac - l.ind != 1) {
    strerr_warn(PROG, ": usage: svc tail [-f] [-n N] NAME");
    return 100;
  }
  if (sv_targets(av[l.ind], &t, 1) < 0) strerr_diefusys(111, "find service ", av[l.ind]);
  if (!sv_log_find(t.svdir, logfile, sizeof logfile)) {
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

verb const svc_tree_verbs[] = {{"reload", 0, "reload", &v_reload},
                               {"quit", 0, "quit", &v_quit},
                               {"poweroff", 0, "poweroff", &v_poweroff},
                               {"reboot", 0, "reboot", &v_reboot},
                               {"halt", 0, "halt", &v_halt},
                               {"tail", 1, "tail [-f] [-n N] NAME", &v_tail},
                               {"history", 1, "history [-n N] NAME...", &svc_history},
                               {0, 0, 0, 0}};

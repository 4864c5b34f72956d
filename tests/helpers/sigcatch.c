/* sigcatch [-e SIG] [-g] [-n FD]: a service for signal tests.  Prints
   "caught SIGX" for every signal it gets (line by line, to stdout) and
   carries on; with -e SIG it exits 0 after printing SIG.  -g first forks a
   grandchild that sleeps in the same process group and prints "grandchild
   PID".  -n FD notifies readiness on FD (s6's notification-fd) once its
   handlers are in place, so that `svc -w U` is the point where a test may
   send signals: before that, one would hit the shell that execs sigcatch. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/sig.h>

static volatile sig_atomic_t got;

static void on_signal(int s) { got = s; }

int main(int argc, char **argv)
{
  int exitsig = 0;
  int notifyfd = -1;
  sigset_t none;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-e") && i + 1 < argc)
      exitsig = sig_number(argv[++i]);
    else if (!strcmp(argv[i], "-n") && i + 1 < argc)
      notifyfd = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-g")) {
      pid_t p = fork();
      if (!p) {
        execlp("sleep", "sleep", "1000", (char *)0);
        _exit(127);
      }
      printf("grandchild %d\n", (int)p);
    }
  }
  sigset_t all;
  /* signals stay blocked except inside sigsuspend: none slips in between
     the check and the wait */
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, 0);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD) signal(s, on_signal);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  if (notifyfd >= 0) {
    if (write(notifyfd, "\n", 1) != 1) return 111;
    close(notifyfd);
  }
  sigemptyset(&none);
  for (;;) {
    if (!got) sigsuspend(&none);
    if (got) {
      printf("caught SIG%s\n", sig_name(got));
      fflush(stdout);
      if (got == exitsig) return 0;
      got = 0;
    }
  }
}

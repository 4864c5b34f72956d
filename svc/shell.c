/* svc with no argument on a terminal: a small shell taking the verbs, as
   supervisorctl does.  exit or end of input leave; quit stops the tree. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svc.h"

#define MAXWORDS 64

/* splits line in place on blanks; the word count */
static int split(char *line, char const **words)
{
  int n = 0;
  for (char *p = strtok(line, " \t\r\n"); p && n < MAXWORDS - 1; p = strtok(0, " \t\r\n"))
    words[n++] = p;
  words[n] = 0;
  return n;
}

/* each line runs in a child, so that a verb's fatal error (an unknown
   service...) or a ^C ends that line, never the shell */
static int run_line(int n, char const **words)
{
  struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
  int wstat;
  pid_t pid;
  fflush(stdout);
  pid = fork();
  if (pid < 0) return svc_run_verb(n, words);
  if (!pid) exit(svc_run_verb(n, words));
  sigaction(SIGINT, &ignore, &old);
  while (waitpid(pid, &wstat, 0) < 0 && errno == EINTR)
    ;
  sigaction(SIGINT, &old, 0);
  return WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 128 + WTERMSIG(wstat);
}

int svc_shell(void)
{
  char line[4096];
  int rc = 0, tty = isatty(0);
  for (;;) {
    char const *words[MAXWORDS];
    int n;
    if (tty) {
      fputs("svc> ", stdout);
      fflush(stdout);
    }
    if (!fgets(line, sizeof line, stdin)) break;
    n = split(line, words);
    if (!n || words[0][0] == '#') continue;
    if (!strcmp(words[0], "exit")) break;
    rc = run_line(n, words);
    if (!strcmp(words[0], "quit") && rc == 0) break;
  }
  if (tty) fputc('\n', stdout);
  fflush(stdout);
  return rc;
}

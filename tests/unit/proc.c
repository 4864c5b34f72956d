/* Unit tests of lib/sv_proc.c, the one reader of /proc/PID/stat: a comm
   holding spaces and parens, negative fields, the flags that tell a kernel
   thread (svscan's init counts what is left at shutdown by them), and lines
   that are not a stat line; then this process's own stat.  And
   sv_proc_lines, the line reader of /proc files: every line whole, one
   longer than the buffer skipped whole, a stop on the first match. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sv_proc.h"

static int failures;

static void verdict(char const *name, int good)
{
  printf("%s proc: %s\n", good ? "ok" : "FAIL", name);
  if (!good) failures++;
}

/* collects the lines it sees, "|"-separated, in ctx; stops at "stop" */
static int collect(char *line, void *ctx)
{
  char *seen = ctx;
  strcat(seen, line);
  strcat(seen, "|");
  return !strcmp(line, "stop") ? 7 : 0;
}

static void lines_cases(void)
{
  char path[] = "/tmp/svkit-unit-proc.XXXXXX", buf[16], seen[256];
  char const *text = "one\ntwo\nthis line is longer than sixteen\nthree\nstop\nafter\n";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
    verdict("lines: a temporary file", 0);
    return;
  }
  close(fd);
  seen[0] = 0;
  verdict("lines: stops at a match, with its value", sv_proc_lines(path, buf, sizeof buf, &collect, seen) == 7);
  verdict("lines: each line whole, a too long one skipped whole", !strcmp(seen, "one|two|three|stop|"));
  seen[0] = 0;
  verdict("lines: a missing file is 0", !sv_proc_lines("/nonexistent/svkit", buf, sizeof buf, &collect, seen) && !seen[0]);
  unlink(path);
}

int main(void)
{
  sv_procstat p;
  char self[16];
  /* pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
     utime stime cutime cstime priority nice num_threads itrealvalue starttime ... */
  verdict("a comm with spaces and ) parses",
          sv_procstat_parse("42 (a b) c) (d) S 7 42 41 -1 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 123456 9 10", &p) &&
              p.state == 'S' && p.ppid == 7 && p.pgrp == 42 && p.session == 41 && p.flags == 4194560 &&
              p.starttime == 123456);
  verdict("a kernel thread has PF_KTHREAD in flags",
          sv_procstat_parse("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0", &p) &&
              (p.flags & 0x00200000UL) && p.starttime == 3);
  verdict("a user process has not",
          sv_procstat_parse("9 (sh) Z 1 9 9 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 77 0 0", &p) &&
              !(p.flags & 0x00200000UL) && sv_procstat_dead(&p));
  verdict("no ')': refused", !sv_procstat_parse("42 comm S 7 42 41", &p));
  verdict("cut before starttime: refused", !sv_procstat_parse("42 (x) S 7 42 41 -1 -1 0 1 2 3", &p));
  verdict("a letter in a number: refused",
          !sv_procstat_parse("42 (x) S 7 4x 41 -1 -1 0 1 2 3 4 5 6 7 8 20 0 1 0 5 0 0", &p));
  snprintf(self, sizeof self, "%ld", (long)getpid());
  verdict("our own stat: our parent, running",
          sv_procstat_read(self, &p) && p.ppid == getppid() && !sv_procstat_dead(&p) && p.starttime > 0);
  verdict("a pid that is gone: 0", !sv_procstat_read("999999999", &p));
  lines_cases();
  return failures ? 1 : 0;
}

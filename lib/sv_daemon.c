#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "sv_clock.h"
#include "sv_control.h"
#include "sv_daemon.h"
#include "sv_proc.h"
#include "sv_statedir.h"
#include "sv_str.h"

int sv_daemon_claim_at(int dirfd, int *ctlfd, char const **what)
{
  int r = sv_lock_take_at(dirfd);
  *what = "lock";
  if (r <= 0) return r;
  *what = "control";
  *ctlfd = sv_control_listen_at(dirfd);
  return *ctlfd < 0 ? -1 : 1;
}

int sv_daemon_claim(char const *dir, unsigned mode, int *ctlfd, char const **what)
{
  int dfd = sv_statedir_open(dir, mode), r, e;
  if (dfd < 0) {
    *what = "lock";
    return -1;
  }
  r = sv_daemon_claim_at(dfd, ctlfd, what);
  e = errno;
  fd_close(dfd);
  errno = e;
  return r;
}

int sv_daemon_drain(int fd, void (*handle)(char const *buf, size_t n))
{
  char buf[256];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) {
      handle(buf, (size_t)r);
      continue;
    }
    /* the daemon keeps a write end open: 0 never means EOF for good */
    return r < 0 && errno != EAGAIN && errno != EINTR ? -1 : 0;
  }
}

/* our own binary: /proc/self/exe, or, without /proc (a machine's
   .svscan/boot that mounted none), argv0 as the kernel gives it to init
   (/sbin/init), its symlinks resolved: 1 ok, 0 failed (errno) */
static int find_self(char *self, char const *argv0)
{
  ssize_t r = readlink("/proc/self/exe", self, PATH_MAX - 1);
  if (r >= 0) {
    self[r] = 0;
    return 1;
  }
  /* no slash: a name looked up in PATH, not a path to us (errno: readlink's) */
  if (!argv0 || !strchr(argv0, '/')) return 0;
  return realpath(argv0, self) != 0;
}

int sv_daemon_sibling(char *buf, size_t len, char const *name, char const *argv0)
{
  char self[PATH_MAX];
  char *slash;
  buf[0] = 0;
  if (!find_self(self, argv0)) return -1;
  slash = strrchr(self, '/');
  if (!slash) {
    errno = EINVAL;
    return 0;
  }
  slash[1] = 0;
  if (!sv_strjoin(buf, len, self, name, (char *)0)) {
    errno = ENAMETOOLONG;
    return 0;
  }
  return access(buf, X_OK) < 0 ? -1 : 1;
}

/* exec resets every caught signal; only an ignored one survives it.  So a
   parent that notes once which it ignores spares each child 62 sigaction
   calls: the child resets those alone.  Not noted, it resets them all.
   Initialized, so in .data, whose pages every process writes at start-up
   anyway: a zero-initialized pair would make a cold .bss page private in
   every supervise. */
static struct {
  int noted; /* 1 once noted, -1 before */
  sigset_t set;
} ignored = {.noted = -1};

/* the SigIgn line of /proc/self/status (bit N-1: signal N) */
static int sigign_line(char *line, void *unused)
{
  uint64_t mask = 0;
  (void)unused;
  if (strncmp(line, "SigIgn:", 7)) return 0;
  line += 7;
  while (*line == ' ' || *line == '\t')
    line++;
  if (!uint64_xscan(line, &mask)) return -1;
  sigemptyset(&ignored.set);
  for (int i = 1; i < NSIG && i <= 64; i++)
    if (mask >> (i - 1) & 1) sigaddset(&ignored.set, i);
  return 1;
}

void sv_daemon_note_signals(void)
{
  struct sigaction sa;
  char buf[256];
  ignored.noted = 1;
  /* one read, not a sigaction call per signal; without /proc, those */
  if (sv_proc_lines("/proc/self/status", buf, sizeof buf, &sigign_line, 0) == 1) return;
  sigemptyset(&ignored.set);
  for (int i = 1; i < NSIG; i++)
    if (i != SIGKILL && i != SIGSTOP && !sigaction(i, 0, &sa) && !(sa.sa_flags & SA_SIGINFO) &&
        sa.sa_handler == SIG_IGN)
      sigaddset(&ignored.set, i);
}

void sv_daemon_child_signals(sigset_t const *blocked)
{
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, blocked ? blocked : &none, 0);
  for (int i = 1; i < NSIG; i++)
    if (i != SIGKILL && i != SIGSTOP && (ignored.noted != 1 || sigismember(&ignored.set, i) == 1)) signal(i, SIG_DFL);
}

void sv_deadline_g(tain *deadline, uint64_t e)
{
  uint64_t now, ms;
  tain rel;
  if (!e) {
    tain_add_g(deadline, &tain_infinite_relative);
    return;
  }
  now = sv_now_ms();
  ms = e > now ? e - now : 0;
  if (ms > SV_WAIT_STEP_MS) ms = SV_WAIT_STEP_MS;
  tain_from_millisecs(&rel, (int)ms);
  tain_add_g(deadline, &rel);
}

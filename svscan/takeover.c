/* Takeover: a new svscan on a tree whose supervise processes are still
   running (the old svscan was killed with -9) adopts them instead of
   starting a second supervise that would only find the lock taken.

   A supervise is found by its lock: F_GETLK on S/supervise/lock names the
   process holding it.  It is watched with a pidfd (it is not our child: no
   SIGCHLD) and told to stop with signals, as our own children are.

   The log pipe S -> S/log outlives the old svscan: the supervise of S/log
   holds its read end as stdin, the supervise of S its write end as stdout.
   Opening /proc/PID/fd/0 (or 1) of one of them opens the very same pipe
   (Linux opens an anonymous pipe reached through /proc as a FIFO), so the
   new svscan holds both ends again, and a supervise it restarts later gets
   the pipe the other side still uses: no line is lost. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <skalibs/djbunix.h>

#include "sv_proc.h"
#include "sv_status.h"
#include "sv_svdir.h"
#include "takeover.h"

static int ours_by_uid(pid_t pid)
{
  char path[32];
  struct stat s;
  sv_procstat p;
  snprintf(path, sizeof path, "%d", (int)pid);
  if (!sv_procstat_read(path, &p) || sv_procstat_dead(&p)) return 0;
  snprintf(path, sizeof path, "/proc/%d", (int)pid);
  return stat(path, &s) == 0 && s.st_uid == geteuid();
}

pid_t tk_holder(char const *statedir)
{
  char path[SV_PATH_MAX + 16];
  struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  int fd, r;
  if (snprintf(path, sizeof path, "%s/lock", statedir) >= (int)sizeof path) return 0;
  fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : -2;
  r = fcntl(fd, F_GETLK, &l);
  fd_close(fd);
  if (r < 0) return -2;
  if (l.l_type == F_UNLCK) return 0;
  /* 0: a holder in another pid namespace; someone else's: never adopted */
  if (l.l_pid <= 0 || !ours_by_uid(l.l_pid)) return -1;
  return l.l_pid;
}

int tk_watch(pid_t pid, uint64_t *start)
{
  int fd = -1;
  *start = sv_pid_starttime(pid);
#ifdef SYS_pidfd_open
  fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) coe(fd);
#endif
  return fd;
}

int tk_gone(pid_t pid, uint64_t start) { return sv_pid_starttime(pid) != start; }

void tk_kill(pid_t pid, int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
  if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, sig, 0, 0) == 0) return;
  if (pidfd >= 0 && errno == ESRCH) return; /* it is gone: its pid may be another's */
#else
  (void)pidfd;
#endif
  kill(pid, sig);
}

/* reopens both ends of the anonymous pipe that is fd n of pid: 1 done,
   0 not a pipe there, -1 error */
static int reopen(pid_t pid, int n, int *pr, int *pw)
{
  char path[64], link[64];
  struct stat s, a, b, self;
  ssize_t l;
  int r, w;
  snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, n);
  l = readlink(path, link, sizeof link - 1);
  if (l < 0) return 0;
  link[l] = 0;
  if (strncmp(link, "pipe:[", 6) || stat(path, &s) < 0 || !S_ISFIFO(s.st_mode)) return 0;
  /* our own stdout or stderr (a service without log/ writes there): no log pipe */
  if ((fstat(1, &self) == 0 && self.st_dev == s.st_dev && self.st_ino == s.st_ino) ||
      (fstat(2, &self) == 0 && self.st_dev == s.st_dev && self.st_ino == s.st_ino))
    return 0;
  /* the read end first: then the write end has a reader and opens at once */
  r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (r < 0) return errno == ENOENT ? 0 : -1;
  w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (w < 0) {
    int e = errno;
    fd_close(r);
    errno = e;
    return errno == ENOENT ? 0 : -1;
  }
  /* the process may have changed its fd meanwhile: still that pipe? */
  if (fstat(r, &a) < 0 || fstat(w, &b) < 0 || a.st_ino != s.st_ino || b.st_ino != s.st_ino) {
    fd_close(r);
    fd_close(w);
    return 0;
  }
  ndelay_off(r);
  ndelay_off(w);
  *pr = r;
  *pw = w;
  return 1;
}

static int from(char const *statedir, int n, int (*ours)(pid_t), int *pr, int *pw)
{
  pid_t h = tk_holder(statedir);
  if (h <= 0 || ours(h)) return 0;
  return reopen(h, n, pr, pw);
}

int tk_pipe(char const *name, unsigned nprocs, int (*ours)(pid_t), int *pr, int *pw)
{
  char dir[SV_PATH_MAX + 32];
  int r;
  snprintf(dir, sizeof dir, "%s/log/supervise", name);
  if ((r = from(dir, 0, ours, pr, pw))) return r;
  for (unsigned i = 0; i < nprocs; i++) {
    if (nprocs > 1)
      snprintf(dir, sizeof dir, "%s/supervise@%u", name, i);
    else
      snprintf(dir, sizeof dir, "%s/supervise", name);
    if ((r = from(dir, 1, ours, pr, pw))) return r;
  }
  return 0;
}

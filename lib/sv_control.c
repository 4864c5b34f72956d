#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>

#include "sv_str.h"

#include "sv_svdir.h"
#include "sv_control.h"
#include "sv_status.h"
#include "sv_statedir.h"

int sv_control_signal(char c)
{
  switch (c) {
  case 'p': return SIGSTOP;
  case 'c': return SIGCONT;
  case 'h': return SIGHUP;
  case 'a': return SIGALRM;
  case 'i': return SIGINT;
  case 't': return SIGTERM;
  case 'k': return SIGKILL;
  case 'q': return SIGQUIT;
  case '1': return SIGUSR1;
  case '2': return SIGUSR2;
  case 'y': return SIGWINCH;
  case 'b': return SIGABRT;
  default: return 0;
  }
}

int sv_control_send(char const *statedir, char const *s, size_t n)
{
  char path[SV_PATH_MAX + 16];
  int fd;
  size_t w;
  sv_strjoin(path, sizeof path, statedir, "/control", (char *)0);
  /* O_NONBLOCK: ENXIO tells that no supervise holds the read end */
  fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENXIO || errno == ENOENT ? 0 : -1;
  w = allwrite(fd, s, n);
  close(fd);
  return w == n ? 1 : -1;
}

int sv_control_listen(char const *dir)
{
  int dfd = sv_statedir_open(dir, 0700), fd;
  if (dfd < 0) return -1;
  fd = sv_control_listen_at(dfd);
  fd_close(dfd);
  return fd;
}

int sv_lock_take(char const *dir, unsigned mode)
{
  int dfd = sv_statedir_open(dir, mode), r;
  if (dfd < 0) return -1;
  r = sv_lock_take_at(dfd);
  fd_close(dfd);
  return r;
}

/* the lock is 0600: a user who may not open it asks whether the
   supervise the status file names is alive (EPERM: alive, not ours) */
static int supervisor_alive(char const *statedir)
{
  sv_status st;
  if (sv_status_read(statedir, &st) <= 0 || st.supervisor <= 0) return 0;
  return kill(st.supervisor, 0) == 0 || errno == EPERM;
}

int sv_supervised(char const *statedir)
{
  char path[SV_PATH_MAX + 16];
  struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  int fd, r;
  sv_strjoin(path, sizeof path, statedir, "/lock", (char *)0);
  /* read-only open and F_GETLK: works for users who may not write the FIFO */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == EACCES) return supervisor_alive(statedir);
    return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
  }
  r = fcntl(fd, F_GETLK, &l);
  close(fd);
  if (r < 0) return -1;
  return l.l_type != F_UNLCK;
}

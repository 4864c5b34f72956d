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
  char path[SV_PATH_MAX + 16];
  struct stat s;
  int fd;
  if (!sv_strjoin(path, sizeof path, dir, "/control", (char *)0)) { errno = ENAMETOOLONG; return -1; }
  if (mkfifo(path, 0600) < 0) {
    if (errno != EEXIST || stat(path, &s) < 0) return -1;
    if (!S_ISFIFO(s.st_mode)) { errno = EEXIST; return -1; }
    chmod(path, 0600);
  }
  fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  if (open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int sv_lock_take(char const *dir, unsigned mode)
{
  char path[SV_PATH_MAX + 16];
  int fd;
  if (mkdir(dir, mode) < 0 && errno != EEXIST) return -1;
  if (!sv_strjoin(path, sizeof path, dir, "/lock", (char *)0)) { errno = ENAMETOOLONG; return -1; }
  fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  return fd_lock(fd, 1, 1);
}

int sv_supervised(char const *statedir)
{
  char path[SV_PATH_MAX + 16];
  struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  int fd, r;
  sv_strjoin(path, sizeof path, statedir, "/lock", (char *)0);
  /* read-only open and F_GETLK: works for users who may not write the FIFO */
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
  r = fcntl(fd, F_GETLK, &l);
  close(fd);
  if (r < 0) return -1;
  return l.l_type != F_UNLCK;
}

#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>

#include "sv_statedir.h"
#include "sv_str.h"

int sv_statedir_open(char const *dir, unsigned mode)
{
  struct stat s;
  int fd;
  if (mkdir(dir, mode) < 0 && errno != EEXIST) return -1;
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* a symlink there: ELOOP, or ENOTDIR because of O_DIRECTORY */
  if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR)) return fd;
  if (lstat(dir, &s) < 0) return -1;
  if (!S_ISLNK(s.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  if (s.st_uid != 0 && s.st_uid != geteuid()) {
    errno = ELOOP;
    return -1;
  }
  return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int sv_create_at(int dirfd, char const *name, unsigned mode)
{
  int fd;
  if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) return -1;
  fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return -1;
  /* the umask may have taken bits away: this file is ours, set them */
  if (fchmod(fd, mode) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* is the lock on fd held by a process running as us: 1 yes, 0 no (or by
   someone else, whose lock does not count), -1 error */
static int held_by_us(int fd)
{
  struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  char path[32], num[22];
  struct stat s;
  if (fcntl(fd, F_GETLK, &l) < 0) return -1;
  if (l.l_type == F_UNLCK) return 0;
  sv_strjoin(path, sizeof path, "/proc/", sv_i64(num, l.l_pid), (char *)0);
  if (stat(path, &s) < 0) return 1; /* cannot tell: be safe, never two supervisors */
  return s.st_uid == geteuid();
}

int sv_lock_take_at(int dirfd)
{
  struct stat s;
  int fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
  if (fd < 0) {
    /* ELOOP: a symlink stands there; replaced like any file not ours */
    if (errno != ELOOP) return -1;
  } else {
    if (fstat(fd, &s) < 0) {
      close(fd);
      return -1;
    }
    if (S_ISREG(s.st_mode) && s.st_uid == geteuid() && (s.st_mode & 07777) == 0600) {
      ndelay_off(fd);
      return fd_lock(fd, 1, 1);
    }
    /* an older lock (0644) may be held by a supervise of ours: that is
       "already running"; anyone else's hold is why the file is replaced */
    switch (S_ISREG(s.st_mode) ? held_by_us(fd) : 0) {
    case 1: close(fd); return 0;
    case -1: close(fd); return -1;
    default: close(fd); break;
    }
  }
  fd = sv_create_at(dirfd, "lock", 0600);
  if (fd < 0) return -1;
  return fd_lock(fd, 1, 1);
}

int sv_control_listen_at(int dirfd)
{
  struct stat s;
  int fd;
  if (fstatat(dirfd, "control", &s, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(s.st_mode) || (S_ISFIFO(s.st_mode) && (s.st_uid != geteuid() || (s.st_mode & 07777) != 0600))) {
      /* not ours to chmod or follow: made again */
      if (unlinkat(dirfd, "control", 0) < 0) return -1;
    } else if (!S_ISFIFO(s.st_mode)) {
      errno = EEXIST;
      return -1;
    }
  } else if (errno != ENOENT)
    return -1;
  if (mkfifoat(dirfd, "control", 0600) < 0 && errno != EEXIST) return -1;
  fd = openat(dirfd, "control", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  if (fstat(fd, &s) < 0 || !S_ISFIFO(s.st_mode)) {
    close(fd);
    errno = EEXIST;
    return -1;
  }
  /* the umask may have taken bits from 0600: this FIFO is ours */
  if ((s.st_mode & 07777) != 0600) fchmod(fd, 0600);
  if (openat(dirfd, "control", O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int undo_new(int dirfd, char const *tmp)
{
  int e = errno;
  unlinkat(dirfd, tmp, 0);
  errno = e;
  return 0;
}

int sv_replace_at(int dirfd, char const *name, char const *buf, size_t n)
{
  char tmp[256];
  int fd;
  if (!sv_strjoin(tmp, sizeof tmp, name, ".new", (char *)0)) {
    errno = ENAMETOOLONG;
    return 0;
  }
  fd = sv_create_at(dirfd, tmp, 0644);
  if (fd < 0) return 0;
  if (allwrite(fd, buf, n) < n) {
    int e = errno;
    fd_close(fd);
    errno = e;
    return undo_new(dirfd, tmp);
  }
  fd_close(fd);
  if (renameat(dirfd, tmp, dirfd, name) < 0) return undo_new(dirfd, tmp);
  return 1;
}

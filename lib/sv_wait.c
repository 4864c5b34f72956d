#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sv_clock.h"
#include "sv_control.h"
#include "sv_wait.h"

/* 1 all there, 0 not yet, 2 one gave up, 3 a supervise is gone, -1 error */
static int all_there(sv_target const *t, unsigned n, sv_wait_pred *pred, void *ctx)
{
  int notyet = 0;
  for (unsigned i = 0; i < n; i++) {
    sv_status st;
    int r = sv_status_read(t[i].statedir, &st);
    if (r < 0) return -1;
    r = (*pred)(r ? &st : 0, i, ctx);
    if (r < 0) return 2;
    if (r) continue;
    /* its lock fd closing wakes us (IN_CLOSE_WRITE), even after a kill -9 */
    if (sv_supervised(t[i].statedir) == 0) return 3;
    notyet = 1;
  }
  return !notyet;
}

/* reads and discards pending events; -1 on error */
static int drain(int fd)
{
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) continue;
    return r < 0 && errno != EAGAIN ? -1 : 0;
  }
}

/* The last close of an inotify fd waits for an RCU grace period: 6 to 16 ms
   measured (bench/core.sh), more than the rest of svc -w.  A child holds a
   copy until we have closed ours, then pays that wait itself. */
static void close_inotify(int fd)
{
  static pid_t holder;
  int p[2];
  if (holder) waitpid(holder, 0, WNOHANG); /* the previous one, if any */
  if (pipe(p) < 0 || (holder = fork()) < 0) {
    holder = 0;
    close(fd);
    return;
  }
  if (!holder) {
    char c;
    close(p[1]);
    while (read(p[0], &c, 1) < 0 && errno == EINTR)
      ;
    _exit(0); /* the last close happens here */
  }
  close(p[0]);
  close(fd);
  close(p[1]);
}

static int listening(sv_target const *t)
{
  /* an empty write: opens the FIFO, which fails with ENXIO while nobody reads */
  return sv_control_send(t->statedir, "", 0) > 0;
}

int sv_wait_supervised(sv_target const *t, unsigned n, uint64_t timeout_ms)
{
  uint64_t deadline = sv_now_ms() + timeout_ms;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), r = 0;
  if (fd < 0) return -1;
  for (unsigned i = 0; i < n; i++)
    if (inotify_add_watch(fd, t[i].svdir, IN_CREATE | IN_MOVED_TO) < 0) {
      r = -1;
      goto end;
    }
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    unsigned k = 0;
    uint64_t now;
    for (; k < n; k++) {
      /* supervise renames its first status into place once the FIFO is open */
      inotify_add_watch(fd, t[k].statedir, IN_MOVED_TO | IN_CREATE);
      if (!listening(t + k)) break;
    }
    if (k == n) {
      r = 1;
      goto end;
    }
    now = sv_now_ms();
    if (now >= deadline) goto end;
    if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR) {
      r = -1;
      goto end;
    }
    if (drain(fd) < 0) {
      r = -1;
      goto end;
    }
  }
end:
  close_inotify(fd);
  return r;
}

int sv_wait(sv_target const *t, unsigned n, sv_wait_pred *pred, void *ctx, uint64_t timeout_ms)
{
  uint64_t deadline = timeout_ms ? sv_now_ms() + timeout_ms : 0;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), r = -1;
  if (fd < 0) return -1;
  /* watch first, then look: a change between the two is not missed */
  for (unsigned i = 0; i < n; i++)
    if (inotify_add_watch(fd, t[i].statedir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) goto end;
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int wait_ms = -1;
    r = all_there(t, n, pred, ctx);
    if (r) goto end;
    if (deadline) {
      uint64_t now = sv_now_ms();
      if (now >= deadline) {
        r = 0;
        goto end;
      }
      wait_ms = (int)(deadline - now);
    }
    if (poll(&p, 1, wait_ms) < 0 && errno != EINTR) {
      r = -1;
      goto end;
    }
    if (drain(fd) < 0) {
      r = -1;
      goto end;
    }
  }
end : {
  int e = errno;
  close_inotify(fd);
  errno = e;
}
  return r;
}

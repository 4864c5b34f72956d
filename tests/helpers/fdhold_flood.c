/* fdhold_flood SOCKET N DATA
 * Opens N connections to the UNIX socket SOCKET, one after another, sends
 * DATA on each, prints "ready" once all are sent, then reads every one to
 * EOF.  Run against a stopped daemon, it fills the listen backlog with
 * complete requests: once continued, the daemon has an event ready at every
 * wake-up until it has served them all.
 * Exit 0 when every connection ended, 2 on a 10 s timeout, 111 on errors. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/socket.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#define MAXN 4000

int main(int argc, char const *const *argv)
{
  static int fds[MAXN];
  struct timeval tv = {.tv_sec = 10, .tv_usec = 0};
  struct rlimit rl;
  unsigned int n, i;
  size_t len;
  PROG = "fdhold_flood";
  if (argc != 4 || !uint0_scan(argv[2], &n) || !n || n > MAXN) strerr_dieusage(100, "fdhold_flood SOCKET N DATA");
  len = strlen(argv[3]);
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 16) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  for (i = 0; i < n; i++) {
    fds[i] = ipc_stream_b();
    if (fds[i] < 0) strerr_diefusys(111, "create socket");
    if (!ipc_connect(fds[i], argv[1])) strerr_diefusys(111, "connect to ", argv[1]);
    if (allwrite(fds[i], argv[3], len) < len) strerr_diefusys(111, "write");
    setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  if (allwrite(1, "ready\n", 6) < 6) strerr_diefusys(111, "write to stdout");
  for (i = 0; i < n; i++) {
    char buf[64];
    for (;;) {
      ssize_t r = read(fds[i], buf, sizeof(buf));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno == EAGAIN) return 2;
      if (r < 0 && errno != ECONNRESET) strerr_diefusys(111, "read");
      if (r <= 0) break;
    }
    close(fds[i]);
  }
  return 0;
}

/* fdhold_echo [-b tcp:IP:PORT]: a tiny socket-activated test server.
 * Without -b it takes its listening socket from fd 3 (LISTEN_FDS=1,
 * LISTEN_PID = its own pid); with -b it binds its own, for comparison.
 * Each connection: reads one line, answers "PID LINE\n", closes.
 * SIGTERM: finishes the connection in hand, then exits 0. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/ip46.h>
#include <skalibs/socket.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

static volatile sig_atomic_t stop;

static void onterm(int sig)
{
  (void)sig;
  stop = 1;
}

static int listenfd(int argc, char const *const *argv)
{
  char const *s;
  pid_t pid;
  if (argc == 3 && !strcmp(argv[1], "-b") && !strncmp(argv[2], "tcp:", 4)) {
    char host[64];
    char const *colon = strrchr(argv[2] + 4, ':');
    size_t n = colon ? (size_t)(colon - argv[2] - 4) : 0;
    uint16_t port;
    ip46 ip;
    int fd;
    if (!n || n >= sizeof(host) || !uint16_scan(colon + 1, &port)) strerr_dief(100, "bad address ", argv[2]);
    memcpy(host, argv[2] + 4, n);
    host[n] = 0;
    if (ip46_scan(host, &ip) != n) strerr_dief(100, "bad host ", host);
    fd = socket_tcp46_b(ip46_is6(&ip));
    if (fd < 0 || socket_bind46_reuse(fd, &ip, port) < 0 || socket_listen(fd, SOMAXCONN) < 0)
      strerr_diefusys(111, "bind ", argv[2]);
    return fd;
  }
  if (argc != 1) strerr_dieusage(100, "fdhold_echo [-b tcp:IP:PORT]");
  s = getenv("LISTEN_PID");
  if (!s || !pid0_scan(s, &pid) || pid != getpid()) strerr_dief(100, "LISTEN_PID is not my pid");
  s = getenv("LISTEN_FDS");
  if (!s || strcmp(s, "1")) strerr_dief(100, "LISTEN_FDS is not 1");
  return 3;
}

static void serve(int c)
{
  char buf[512];
  char out[600];
  size_t n = 0, m;
  struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  while (n < sizeof(buf) - 1) {
    ssize_t r = read(c, buf + n, sizeof(buf) - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += r;
    if (memchr(buf, '\n', n)) break;
  }
  m = pid_fmt(out, getpid());
  out[m++] = ' ';
  memcpy(out + m, buf, n);
  allwrite(c, out, m + n);
  close(c);
}

int main(int argc, char const *const *argv)
{
  struct sigaction sa;
  int s;
  PROG = "fdhold_echo";
  s = listenfd(argc, argv);
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = &onterm; /* no SA_RESTART: accept returns EINTR */
  sigaction(SIGTERM, &sa, 0);
  signal(SIGPIPE, SIG_IGN);
  while (!stop) {
    int c = accept(s, 0, 0);
    if (c < 0) {
      if (errno == EINTR) continue;
      strerr_diefusys(111, "accept");
    }
    serve(c);
  }
  return 0;
}

/* notify_send [-g] [-b] [-n SIZE] [-0] [MESSAGE...]: sends each MESSAGE as
   one datagram to $NOTIFY_SOCKET, as sd_notify does (a leading @ is the
   abstract namespace).  -n SIZE: one more datagram of SIZE bytes of 'A'.
   -0: one more datagram "READY=1\0garbage" (a NUL inside).  -b: then a
   barrier, as sd_notify_barrier: BARRIER=1 with a pipe's write end, and
   wait (5 s at most) until the receiver has closed it, i.e. has handled
   every datagram before it.  -g: all that from a child in a new session
   and process group, outside the caller's.
   Exit 0 sent (barrier passed), 1 barrier timed out, 111 error. */

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int sock = -1;
static struct sockaddr_un sa;
static socklen_t salen;

static void die(char const *what)
{
  fprintf(stderr, "notify_send: %s: %s\n", what, strerror(errno));
  exit(111);
}

static void target(void)
{
  char const *e = getenv("NOTIFY_SOCKET");
  size_t n;
  if (!e || !*e) {
    fprintf(stderr, "notify_send: NOTIFY_SOCKET not set\n");
    exit(100);
  }
  n = strlen(e);
  if (n >= sizeof sa.sun_path) {
    fprintf(stderr, "notify_send: NOTIFY_SOCKET too long\n");
    exit(100);
  }
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, e, n);
  if (e[0] == '@') sa.sun_path[0] = 0;
  salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (e[0] != '@'));
  sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) die("socket");
}

static void send_one(char const *s, size_t n, int fd)
{
  struct iovec v = {(void *)s, n};
  struct msghdr m;
  union {
    struct cmsghdr h;
    char b[CMSG_SPACE(sizeof(int))];
  } ctl;
  memset(&m, 0, sizeof m);
  m.msg_name = &sa;
  m.msg_namelen = salen;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  if (fd >= 0) {
    struct cmsghdr *c;
    memset(&ctl, 0, sizeof ctl);
    m.msg_control = ctl.b;
    m.msg_controllen = sizeof ctl.b;
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  if (sendmsg(sock, &m, 0) < 0) die("sendmsg");
}

static int barrier(void)
{
  int p[2];
  struct pollfd x;
  if (pipe(p) < 0) die("pipe");
  send_one("BARRIER=1", 9, p[1]);
  close(p[1]);
  x.fd = p[0];
  x.events = POLLIN;
  /* POLLHUP once every copy of the write end, the receiver's too, is closed */
  for (;;) {
    int r = poll(&x, 1, 5000);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("poll");
    return r == 0 ? 1 : 0;
  }
}

static int run(int argc, char **argv, int optind_, size_t big, int nul, int bar)
{
  target();
  for (int i = optind_; i < argc; i++)
    send_one(argv[i], strlen(argv[i]), -1);
  if (big) {
    char *b = malloc(big);
    if (!b) die("malloc");
    memset(b, 'A', big);
    send_one(b, big, -1);
    free(b);
  }
  if (nul) send_one("READY=1\0garbage", 15, -1);
  return bar ? barrier() : 0;
}

int main(int argc, char **argv)
{
  int opt, away = 0, bar = 0, nul = 0;
  size_t big = 0;
  while ((opt = getopt(argc, argv, "gbn:0")) != -1) {
    switch (opt) {
    case 'g': away = 1; break;
    case 'b': bar = 1; break;
    case 'n': big = (size_t)strtoul(optarg, 0, 10); break;
    case '0': nul = 1; break;
    default: fprintf(stderr, "usage: notify_send [-g] [-b] [-n SIZE] [-0] [MESSAGE...]\n"); return 100;
    }
  }
  if (away) {
    int wstat;
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (!pid) {
      if (setsid() < 0) die("setsid");
      _exit(run(argc, argv, optind, big, nul, bar));
    }
    if (waitpid(pid, &wstat, 0) < 0) die("waitpid");
    return WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 111;
  }
  return run(argc, argv, optind, big, nul, bar);
}

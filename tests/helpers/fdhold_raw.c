/* fdhold_raw [-f]... [-w] SOCKET DATA: speaks raw bytes to an fdhold daemon.
 * Sends DATA (may be empty: a client that never speaks); each -f attaches
 * one more copy of fd 0 to DATA's last byte; -w shuts the write side down
 * after sending (a truncated request); -q closes the connection right after
 * sending, reading nothing (a client gone before its answer).  Then copies everything the daemon
 * sends to stdout until EOF, writing "<fd>" where an fd arrived.
 * Exit 0 on EOF, 2 if nothing ends within 10 seconds, 111 on errors. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/sgetopt.h>
#include <skalibs/socket.h>
#include <skalibs/strerr.h>

/* the daemon may answer and close before it read all we send: that answer
   is still ours to read, so a closed peer only ends the sending */
static int peer_closed(void) { return errno == EPIPE || errno == ECONNRESET; }

static void sendall(int s, char const *data, size_t len, unsigned int nfds)
{
  char ctl[CMSG_SPACE(8 * sizeof(int))];
  struct iovec v;
  struct msghdr m = {0};
  int fds[8];
  unsigned int i = 0;
  if (len > 1 || !nfds)
    if (allwrite(s, data, nfds ? len - 1 : len) < (nfds ? len - 1 : len)) {
      if (peer_closed()) return;
      strerr_diefusys(111, "write");
    }
  if (!nfds) return;
  for (; i < nfds; i++)
    fds[i] = 0;
  v.iov_base = (char *)data + (len ? len - 1 : 0);
  v.iov_len = 1;
  if (!len) v.iov_base = "F";
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
  memset(ctl, 0, sizeof(ctl));
  CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
  CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
  CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(nfds * sizeof(int));
  memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), fds, nfds * sizeof(int));
  if (sendmsg(s, &m, MSG_NOSIGNAL) != 1 && !peer_closed()) strerr_diefusys(111, "sendmsg");
}

int main(int argc, char const *const *argv)
{
  unsigned int nfds = 0;
  int shut = 0, s;
  struct timeval tv = {.tv_sec = 10, .tv_usec = 0};
  subgetopt l = SUBGETOPT_ZERO;
  PROG = "fdhold_raw";
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    int opt = subgetopt_r(argc, argv, "fwq", &l);
    if (opt == -1) break;
    if (opt == 'f' && nfds < 8)
      nfds++;
    else if (opt == 'w')
      shut = 1;
    else if (opt == 'q')
      shut = 2;
    else
      strerr_dieusage(100, "fdhold_raw [-f]... [-w|-q] SOCKET DATA");
  }
  argc -= l.ind;
  argv += l.ind;
  if (argc != 2) strerr_dieusage(100, "fdhold_raw [-f]... [-w|-q] SOCKET DATA");
  s = ipc_stream_b();
  if (s < 0 || !ipc_connect(s, argv[0])) strerr_diefusys(111, "connect to ", argv[0]);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sendall(s, argv[1], strlen(argv[1]), nfds);
  if (shut == 2) return 0;
  if (shut) shutdown(s, SHUT_WR);
  for (;;) {
    char buf[4096], ctl[CMSG_SPACE(8 * sizeof(int))];
    struct iovec v = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    ssize_t r = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return 2;
    if (r < 0 && errno == ECONNRESET) return 0;
    if (r < 0) strerr_diefusys(111, "read");
    if (!r) return 0;
    allwrite(1, buf, r);
    if (CMSG_FIRSTHDR(&m)) allwrite(1, "<fd>", 4);
  }
}

/* fdhold clients: store, retrieve, list, delete, listen.
 * Each opens one connection to the daemon, sends one request (fdhold.h),
 * reads one response, and dies with the right code on anything else. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/ancil.h>
#include <skalibs/djbunix.h>
#include <skalibs/exec.h>
#include <skalibs/gccattributes.h>
#include <skalibs/iopause.h>
#include <skalibs/ip46.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/socket.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "fdhold.h"

/* a daemon that does not answer within this is reported, not waited for */
#define CLIENT_TIMEOUT 10
/* how long a listen waits for a concurrent listen to store its socket */
#define LISTEN_RACE 2

/* what the response says, for callers that handle more than success */
enum { ST_OK, ST_NOENT, ST_EXIST };

static void checkid(char const *id)
{
  size_t n = strlen(id);
  if (n > FDHOLD_IDMAX) strerr_dief(100, "invalid identifier: longer than 255 bytes");
  if (!fdhold_idcheck(id, n)) strerr_dief(100, "invalid identifier: it must be 1 to 255 printable ASCII characters");
}

static int holder(char const *path)
{
  struct timeval tv = {.tv_sec = CLIENT_TIMEOUT, .tv_usec = 0};
  int s = ipc_stream_b();
  if (s < 0) strerr_diefusys(111, "create ", "socket");
  coe(s);
  /* bounds connect (a full backlog), the request and the response */
  if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
      setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
    strerr_diefusys(111, "set timeouts on ", "socket");
  if (!ipc_connect(s, path)) { /* 1 connected, 0 error */
    if (errno == EAGAIN) strerr_dief(111, "unable to connect to ", path, ": timed out (fdhold daemon not answering)");
    strerr_diefusys(111, "connect to ", path);
  }
  return s;
}

/* a write error is not fatal yet: a daemon that refused us has already sent
 * its reason, and the response says what happened */
static void sendreq(int s, char cmd, char const *id, int fd, char const *path)
{
  char buf[FDHOLD_REQMAX];
  size_t n = strlen(id);
  buf[0] = cmd;
  memcpy(buf + 1, id, n);
  buf[n + 1] = '\n';
  if (send(s, buf, n + 2, MSG_NOSIGNAL) != (ssize_t)(n + 2)) {
    if (errno == EPIPE || errno == ECONNRESET) return;
    strerr_diefusys(111, "write request to ", path);
  }
  if (fd >= 0 && ancil_send_fd(s, fd, 'F') < 1) {
    if (errno == EPIPE || errno == ECONNRESET) return;
    strerr_diefusys(111, "send fd to ", path);
  }
}

static void dieread(char const *verb, char const *object) gccattr_noreturn;
static void dieread(char const *verb, char const *object)
{
  if (errno == EAGAIN || errno == EWOULDBLOCK)
    strerr_dief(111, "unable to ", verb, " ", object, ": timed out waiting for the fdhold daemon");
  if (errno == EPIPE || !errno)
    strerr_dief(111, "unable to ", verb, " ", object, ": connection closed by the fdhold daemon");
  strerr_diefusys(111, verb, " ", object);
}

/* reads the status line byte by byte, so that no byte carrying an fd is
 * read without its ancillary data; dies on every failure except noent and
 * exist, which the caller decides about */
static int readstatus(int s, char const *verb, char const *object)
{
  char buf[32];
  size_t n = 0;
  for (;;) {
    ssize_t r = read(s, buf + n, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == ECONNRESET) errno = EPIPE;
    if (r <= 0) {
      if (!r) errno = 0;
      dieread(verb, object);
    }
    if (buf[n] == '\n') break;
    if (++n >= sizeof(buf) - 1)
      strerr_dief(111, "unable to ", verb, " ", object, ": protocol error: status line too long");
  }
  buf[n] = 0;
  if (!strcmp(buf, "+")) return ST_OK;
  if (buf[0] != '-') strerr_dief(111, "unable to ", verb, " ", object, ": protocol error: bad status line");
  if (!strcmp(buf + 1, FDHOLD_ENOENT)) return ST_NOENT;
  if (!strcmp(buf + 1, FDHOLD_EEXIST)) return ST_EXIST;
  if (!strcmp(buf + 1, FDHOLD_EFULL)) strerr_dief(111, "unable to ", verb, " ", object, ": the holder is full");
  if (!strcmp(buf + 1, FDHOLD_EPERM)) {
    char fmt[UID_FMT];
    fmt[uid_fmt(fmt, getuid())] = 0;
    strerr_dief(111, "unable to ", verb, " ", object, ": permission denied: the fdhold daemon does not serve uid ",
                fmt);
  }
  if (!strcmp(buf + 1, FDHOLD_EBADID)) strerr_dief(100, "unable to ", verb, " ", object, ": invalid identifier");
  if (!strcmp(buf + 1, FDHOLD_ETOOLONG)) strerr_dief(100, "unable to ", verb, " ", object, ": identifier too long");
  if (!strcmp(buf + 1, FDHOLD_ETIMEOUT))
    strerr_dief(111, "unable to ", verb, " ", object, ": the fdhold daemon timed the request out");
  strerr_dief(111, "unable to ", verb, " ", object, ": protocol error: daemon says ", buf + 1);
}

static void dienoent(char const *verb, char const *id) gccattr_noreturn;
static void dienoent(char const *verb, char const *id)
{
  strerr_dief(1, "unable to ", verb, " ", id, ": no such identifier");
}

/* ancil_recv_fd does not wait (MSG_DONTWAIT): wait for it, bounded */
static void waitread(int s, char const *verb, char const *object)
{
  iopause_fd x = {.fd = s, .events = IOPAUSE_READ};
  tain deadline;
  int r;
  tain_now_set_stopwatch_g();
  tain_addsec_g(&deadline, CLIENT_TIMEOUT);
  do
    r = iopause_g(&x, 1, &deadline);
  while (r < 0 && errno == EINTR);
  if (r < 0) strerr_diefusys(111, "iopause");
  if (!r) {
    errno = EAGAIN;
    dieread(verb, object);
  }
}

/* R or T: the held fd, or -1 for an unknown id when noentok */
static int getfd(char const *path, char const *id, int take, int noentok)
{
  int s = holder(path), fd;
  sendreq(s, take ? 'T' : 'R', id, -1, path);
  switch (readstatus(s, "retrieve", id)) {
  case ST_OK: break;
  case ST_NOENT:
    if (!noentok) dienoent("retrieve", id);
    fd_close(s);
    return -1;
  default: strerr_dief(111, "unable to retrieve ", id, ": protocol error: unexpected status");
  }
  waitread(s, "retrieve", id);
  fd = ancil_recv_fd(s, 'F');
  if (fd < 0) {
    if (errno == EPIPE) errno = 0;
    dieread("retrieve", id);
  }
  fd_close(s);
  return fd;
}

/* ST_OK or ST_EXIST */
static int putfd(char const *path, char const *id, int fd)
{
  int s = holder(path), r;
  sendreq(s, 'S', id, fd, path);
  r = readstatus(s, "store", id);
  if (r == ST_NOENT) strerr_dief(111, "unable to store ", id, ": protocol error: unexpected status");
  fd_close(s);
  return r;
}

static void clientinit(void)
{
  /* store has checked fd 0 already: this only fills closed fds with /dev/null,
   * so that the holder's socket never lands on 0, 1 or 2 */
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize ", "standard fds");
  /* every write checks its result; restored before any exec */
  if (!sig_ignore(SIGPIPE)) strerr_diefusys(111, "ignore ", "SIGPIPE");
}

static void execprog(char const *const *argv) gccattr_noreturn;
static void execprog(char const *const *argv)
{
  if (!sig_restore(SIGPIPE)) strerr_diefusys(111, "restore ", "SIGPIPE");
  xexec(argv);
}

int fdhold_store(int argc, char const *const *argv)
{
  if (argc != 3) strerr_dieusage(100, "fdhold store SOCKET ID");
  checkid(argv[2]);
  if (fcntl(0, F_GETFD) < 0) strerr_dief(100, "unable to store ", argv[2], ": fd 0 is not open");
  clientinit();
  if (putfd(argv[1], argv[2], 0) == ST_EXIST)
    strerr_dief(1, "unable to store ", argv[2], ": identifier already held (delete it first)");
  return 0;
}

int fdhold_retrieve(int argc, char const *const *argv)
{
  int take = 0, fd;
  subgetopt l = SUBGETOPT_ZERO;
  for (;;) {
    int opt = subgetopt_r(argc, argv, "D", &l);
    if (opt == -1) break;
    if (opt == 'D')
      take = 1;
    else
      strerr_dieusage(100, "fdhold retrieve [-D] SOCKET ID PROG...");
  }
  argc -= l.ind;
  argv += l.ind;
  if (argc < 3) strerr_dieusage(100, "fdhold retrieve [-D] SOCKET ID PROG...");
  checkid(argv[1]);
  clientinit();
  fd = getfd(argv[0], argv[1], take, 0);
  if (fd_move(0, fd) < 0) strerr_diefusys(111, "move fd to ", "0");
  execprog(argv + 2);
}

int fdhold_list(int argc, char const *const *argv)
{
  char buf[4096];
  int s;
  if (argc != 2) strerr_dieusage(100, "fdhold list SOCKET");
  clientinit();
  s = holder(argv[1]);
  sendreq(s, 'L', "", -1, argv[1]);
  if (readstatus(s, "list", argv[1]) != ST_OK)
    strerr_dief(111, "unable to list ", argv[1], ": protocol error: unexpected status");
  for (;;) {
    ssize_t r = fd_read(s, buf, sizeof(buf));
    if (r < 0) dieread("list", argv[1]);
    if (!r) break;
    if (allwrite(1, buf, r) < (size_t)r) strerr_diefusys(111, "write to ", "stdout");
  }
  return 0;
}

int fdhold_delete(int argc, char const *const *argv)
{
  int s;
  if (argc != 3) strerr_dieusage(100, "fdhold delete SOCKET ID");
  checkid(argv[2]);
  clientinit();
  s = holder(argv[1]);
  sendreq(s, 'D', argv[2], -1, argv[1]);
  switch (readstatus(s, "delete", argv[2])) {
  case ST_OK: return 0;
  case ST_NOENT: dienoent("delete", argv[2]);
  default: strerr_dief(111, "unable to delete ", argv[2], ": protocol error: unexpected status");
  }
}

/* ---- listen ---- */

/* the bound socket, or -1 (EADDRINUSE) if a live socket is at path */
static int bindunix(char const *path, char const *address)
{
  struct stat st;
  int s = ipc_stream_b(), t;
  if (s < 0) strerr_diefusys(111, "create ", "socket");
  if (ipc_bind(s, path) == 0) goto listen;
  if (errno != EADDRINUSE) strerr_diefusys(111, "bind ", address);
  /* connect to a regular file says ECONNREFUSED too: only a socket file is
   * ever ours to remove */
  if (lstat(path, &st) < 0) {
    if (errno == ENOENT) goto inuse; /* removed meanwhile: go round */
    strerr_diefusys(111, "stat ", path);
  }
  if (!S_ISSOCK(st.st_mode)) strerr_dief(100, "unable to bind ", address, ": exists and is not a socket");
  /* a stale socket file is removed, a live one is left alone */
  t = ipc_stream_b();
  if (t < 0) strerr_diefusys(111, "create ", "socket");
  if (ipc_connect(t, path)) { /* 1 connected: live */
    fd_close(t);
    goto inuse;
  }
  if (errno != ECONNREFUSED) strerr_diefusys(111, "bind ", address);
  fd_close(t);
  unlink(path);
  if (ipc_bind(s, path) < 0) {
    if (errno == EADDRINUSE) goto inuse; /* another listen got there first */
    strerr_diefusys(111, "bind ", address);
  }
listen:
  if (ipc_listen(s, SOMAXCONN) < 0) strerr_diefusys(111, "listen on ", address);
  return s;
inuse:
  fd_close(s);
  errno = EADDRINUSE;
  return -1;
}

/* the bound socket, or -1 (EADDRINUSE) */
static int bindtcp(char const *hostport, char const *address)
{
  char host[64];
  char const *colon = strrchr(hostport, ':');
  size_t n;
  ip46 ip;
  uint16_t port;
  int s;
  if (!colon || !colon[1] || uint16_scan(colon + 1, &port) != strlen(colon + 1))
    strerr_dief(100, "unable to listen on ", address, ": invalid address: want tcp:HOST:PORT or unix:PATH");
  n = colon - hostport;
  if (n >= 2 && hostport[0] == '[' && hostport[n - 1] == ']') {
    hostport++;
    n -= 2;
  }
  if (!n || n >= sizeof(host)) strerr_dief(100, "unable to listen on ", address, ": invalid address: bad host");
  memcpy(host, hostport, n);
  host[n] = 0;
  if (ip46_scan(host, &ip) != n)
    strerr_dief(100, "unable to listen on ", address, ": invalid address: HOST must be a numeric IPv4 or IPv6 address");
  s = socket_tcp46_b(ip46_is6(&ip));
  if (s < 0) strerr_diefusys(111, "create ", "socket");
  /* with SO_REUSEADDR two sockets may bind the same port as long as neither
   * listens: a concurrent listen makes bind or listen fail */
  if (socket_bind46_reuse(s, &ip, port) < 0 || socket_listen(s, SOMAXCONN) < 0) {
    if (errno != EADDRINUSE) strerr_diefusys(111, "bind ", address);
    fd_close(s);
    errno = EADDRINUSE;
    return -1;
  }
  return s;
}

static int bindaddress(char const *address)
{
  if (!strncmp(address, "tcp:", 4)) return bindtcp(address + 4, address);
  if (!strncmp(address, "unix:", 5) && address[5]) {
    if (strlen(address + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path))
      strerr_dief(100, "unable to listen on ", address, ": invalid address: path too long");
    return bindunix(address + 5, address);
  }
  strerr_dief(100, "unable to listen on ", address, ": invalid address: want tcp:HOST:PORT or unix:PATH");
}

int fdhold_listen(int argc, char const *const *argv)
{
  char fmt[PID_FMT];
  tain deadline;
  unsigned int ms = 1;
  int fd;
  if (argc < 5) strerr_dieusage(100, "fdhold listen SOCKET ID ADDRESS PROG...");
  checkid(argv[2]);
  clientinit();
  tain_now_set_stopwatch_g();
  tain_addsec_g(&deadline, LISTEN_RACE);
  /* retrieve, else bind and store.  Concurrent first listens all end up with
   * the socket of the one that stored first: a loser finds the id taken
   * (exist), or the address taken by the winner before it stored
   * (EADDRINUSE), and goes round to retrieve it.  Bounded: an address held
   * by something else is still an error, only a later one. */
  for (;;) {
    tain d, until;
    int stored = 0;
    fd = getfd(argv[1], argv[2], 0, 1);
    if (fd >= 0) break;
    fd = bindaddress(argv[3]);
    if (fd >= 0) {
      if (putfd(argv[1], argv[2], fd) == ST_OK) break;
      fd_close(fd); /* exist: someone stored first, take theirs */
      fd = -1;
      stored = 1;
    }
    tain_now_g();
    if (!tain_future(&deadline)) {
      if (stored) strerr_dief(111, "unable to store ", argv[2], ": identifier keeps changing hands");
      errno = EADDRINUSE;
      strerr_diefusys(111, "bind ", argv[3]);
    }
    if (stored) continue; /* theirs is there now: no wait */
    /* the winner holds the address and has not stored yet: short waits,
     * 1 ms doubling up to 64 ms */
    tain_from_millisecs(&d, ms);
    tain_add_g(&until, &d);
    deepsleepuntil_g(&until);
    if (ms < 64) ms <<= 1;
  }
  /* systemd socket activation: the fd is 3, and LISTEN_PID is ours, which
   * PROG keeps across exec */
  if (fd != 3 && fd_move(3, fd) < 0) strerr_diefusys(111, "move fd to ", "3");
  if (uncoe(3) < 0) strerr_diefusys(111, "clear close-on-exec on ", "fd 3");
  fmt[pid_fmt(fmt, getpid())] = 0;
  if (setenv("LISTEN_FDS", "1", 1) < 0 || setenv("LISTEN_PID", fmt, 1) < 0 || setenv("LISTEN_FDNAMES", argv[2], 1) < 0)
    strerr_diefusys(111, "set ", "LISTEN_* variables");
  execprog(argv + 4);
}

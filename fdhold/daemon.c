/* fdhold daemon: holds fds keyed by identifier, served on a UNIX socket.
 * One iopause_g loop, one deadline (the earliest client timeout); signals
 * through the selfpipe.  Never dies on a client's behaviour. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <skalibs/alloc.h>
#include <skalibs/ancil.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/socket.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "fdhold.h"
#include "sv_signals.h"
#include "sv_user.h"

#define MAXUIDS 64
#define RECVFDS 8 /* room for fds in one recvmsg; more are a protocol error */

typedef struct held_s {
  int fd;
  unsigned char idlen; /* 1..255 */
  char id[FDHOLD_IDMAX];
} held;

typedef struct client_s {
  int fd;
  int passed; /* fd received with the request, or -1 */
  int fdout;  /* our own copy of the fd to send after out, or -1 */
  unsigned int flagwriting : 1;
  unsigned int flagtake : 1; /* fdout is the table's own fd, taken from id buf+1 */
  unsigned char idlen;       /* of that id */
  uid_t uid;
  pid_t pid;
  tain deadline;
  size_t len;
  size_t outpos;
  stralloc out;
  char buf[FDHOLD_REQMAX];
} client;

static held *h;
static unsigned int nheld, maxheld = 1000;
static client *cl;
static unsigned int ncl, maxcl = 64;
static tain ctimeout;
static uid_t uids[MAXUIDS];
static unsigned int nuids;
static tain refused_next;           /* no refusal logged before this */
static unsigned long refused_quiet; /* refusals not logged since */
static int gotsig;

/* ---- the table of held fds, sorted by id so that list is stable ---- */

/* index of id, or -(insertion point) - 1 */
static int lookup(char const *id, size_t len)
{
  unsigned int i = 0;
  for (; i < nheld; i++) {
    size_t m = len < h[i].idlen ? len : h[i].idlen;
    int c = memcmp(id, h[i].id, m);
    if (!c) c = len < h[i].idlen ? -1 : len > h[i].idlen ? 1 : 0;
    if (!c) return (int)i;
    if (c < 0) break;
  }
  return -(int)i - 1;
}

static void insert(int pos, char const *id, size_t len, int fd)
{
  memmove(h + pos + 1, h + pos, (nheld - pos) * sizeof(held));
  h[pos].fd = fd;
  h[pos].idlen = (unsigned char)len;
  memcpy(h[pos].id, id, len);
  nheld++;
}

static void drop(int pos)
{
  fd_close(h[pos].fd);
  memmove(h + pos, h + pos + 1, (nheld - pos - 1) * sizeof(held));
  nheld--;
}

/* ---- clients ---- */

static void peername(client const *c, char *s)
{
  /* "uid U pid P", enough room in s for two 20-digit numbers */
  size_t m = 0;
  memcpy(s + m, "uid ", 4);
  m += 4;
  m += uid_fmt(s + m, c->uid);
  memcpy(s + m, " pid ", 5);
  m += 5;
  m += pid_fmt(s + m, c->pid);
  s[m] = 0;
}

static void warnpeer(client const *c, char const *what, char const *detail)
{
  char who[64];
  peername(c, who);
  strerr_warnw("client ", who, ": ", what, detail ? ": " : "", detail ? detail : "");
}

/* a take whose fd was not sent: the fd goes back in the table under its id,
 * unless a store took the id or the last slot meanwhile */
static void putback(client *c)
{
  int pos = lookup(c->buf + 1, c->idlen);
  if (pos >= 0 || nheld >= maxheld) {
    warnpeer(c, "take not delivered, fd dropped", pos >= 0 ? "identifier stored again meanwhile" : "holder full");
    fd_close(c->fdout);
  } else {
    insert(-pos - 1, c->buf + 1, c->idlen, c->fdout);
    warnpeer(c, "take not delivered", "fd kept");
  }
  c->fdout = -1;
}

static void closeclient(client *c)
{
  fd_close(c->fd);
  if (c->passed >= 0) fd_close(c->passed);
  if (c->fdout >= 0 && c->flagtake) putback(c);
  if (c->fdout >= 0) fd_close(c->fdout);
  stralloc_free(&c->out);
  c->fd = -1;
}

/* queues a response; the connection is closed once it is written */
static void respond(client *c, char const *s, size_t len, int fdout)
{
  c->fdout = fdout; /* owned from here on, closed with the client */
  if (!stralloc_catb(&c->out, s, len)) {
    strerr_warnwusys("allocate ", "response");
    closeclient(c);
    return;
  }
  c->flagwriting = 1;
}

static void fail(client *c, char const *code, char const *why)
{
  char s[16] = "-";
  size_t n = strlen(code);
  memcpy(s + 1, code, n);
  s[n + 1] = '\n';
  if (why) warnpeer(c, why, 0);
  respond(c, s, n + 2, -1);
}

static void dolist(client *c)
{
  unsigned int i = 0;
  if (!stralloc_catb(&c->out, "+\n", 2)) goto err;
  for (; i < nheld; i++)
    if (!stralloc_catb(&c->out, h[i].id, h[i].idlen) || !stralloc_catb(&c->out, "\n", 1)) goto err;
  respond(c, "", 0, -1);
  return;
err:
  strerr_warnwusys("allocate ", "list");
  closeclient(c);
}

static void dostore(client *c, char const *id, size_t len)
{
  int pos = lookup(id, len);
  /* refuse, never replace: a listening socket in use must not vanish */
  if (pos >= 0) {
    fail(c, FDHOLD_EEXIST, 0);
    return;
  }
  if (nheld >= maxheld) {
    fail(c, FDHOLD_EFULL, "holder full");
    return;
  }
  insert(-pos - 1, id, len, c->passed);
  c->passed = -1;
  respond(c, "+\n", 2, -1);
}

/* acts on a valid request */
static void act(client *c, fdhold_req const *q)
{
  int pos;
  if (q->cmd == 'L') {
    dolist(c);
    return;
  }
  if (q->cmd == 'S') {
    dostore(c, q->id, q->idlen);
    return;
  }
  pos = lookup(q->id, q->idlen);
  if (pos < 0) {
    fail(c, FDHOLD_ENOENT, 0);
    return;
  }
  if (q->cmd == 'D') {
    drop(pos);
    respond(c, "+\n", 2, -1);
    return;
  }
  /* R sends a copy, so that a delete racing with a slow reader cannot close
   * or recycle the fd number under it; T hands over the table's own fd, and
   * gets it back in the table if it cannot be sent (closeclient) */
  if (q->cmd == 'T') {
    int fd = h[pos].fd;
    memmove(h + pos, h + pos + 1, (nheld - pos - 1) * sizeof(held));
    nheld--;
    c->flagtake = 1;
    c->idlen = (unsigned char)q->idlen;
    respond(c, "+\n", 2, fd);
  } else {
    int fd = fcntl(h[pos].fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      warnpeer(c, "unable to duplicate fd", strerror(errno));
      closeclient(c);
      return;
    }
    respond(c, "+\n", 2, fd);
  }
}

/* 0 wait for more, 1 acted */
static int parse(client *c)
{
  fdhold_req q;
  int r = fdhold_decode(c->buf, c->len, c->passed >= 0, &q);
  if (!r) return 0;
  if (r < 0)
    fail(c, q.code, q.why);
  else
    act(c, &q);
  return 1;
}

/* reads what is there, keeping any fd passed; -1 closed, 0 wait, 1 acted */
static int readclient(client *c)
{
  char ctl[CMSG_SPACE(RECVFDS * sizeof(int))];
  struct iovec v = {.iov_base = c->buf + c->len, .iov_len = sizeof(c->buf) - c->len};
  struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
  struct cmsghdr *cm;
  int bad = 0;
  ssize_t r = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    warnpeer(c, "unable to read request", strerror(errno));
    closeclient(c);
    return -1;
  }
  for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
    int *fds = (int *)CMSG_DATA(cm);
    size_t i = 0, n;
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (; i < n; i++) {
      int fd;
      memcpy(&fd, fds + i, sizeof(int));
      if (c->passed < 0)
        c->passed = fd;
      else {
        fd_close(fd);
        bad = 1;
      }
    }
  }
  if (bad || m.msg_flags & MSG_CTRUNC) {
    fail(c, FDHOLD_EPROTO, "more than one fd passed");
    return 1;
  }
  if (!r) {
    if (c->len)
      fail(c, FDHOLD_EPROTO, "truncated request");
    else
      closeclient(c); /* connected and left: nothing to say */
    return 1;
  }
  c->len += r;
  return parse(c);
}

static void writeclient(client *c)
{
  while (c->outpos < c->out.len) {
    ssize_t w = send(c->fd, c->out.s + c->outpos, c->out.len - c->outpos, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      warnpeer(c, "unable to write response", strerror(errno));
      closeclient(c);
      return;
    }
    c->outpos += w;
  }
  if (c->fdout >= 0) {
    if (ancil_send_fd(c->fd, c->fdout, 'F') < 1) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      warnpeer(c, "unable to send fd", strerror(errno));
      closeclient(c);
      return;
    }
    /* the peer holds it now: ours (for a take, the table's) is closed */
    fd_close(c->fdout);
    c->fdout = -1;
  }
  closeclient(c);
}

static void timeoutclient(client *c)
{
  if (c->flagwriting) {
    warnpeer(c, "timed out", "not reading its response");
    closeclient(c);
  } else {
    fail(c, FDHOLD_ETIMEOUT, "timed out before a complete request");
    /* one last try; a client that reads nothing is closed on this tick */
    writeclient(c);
    if (c->fd >= 0) closeclient(c);
  }
}

static int allowed(uid_t u)
{
  unsigned int i = 0;
  if (u == getuid()) return 1;
  for (; i < nuids; i++)
    if (uids[i] == u) return 1;
  return 0;
}

static void acceptclient(int sock)
{
  struct ucred cr;
  socklen_t crlen = sizeof(cr);
  client *c;
  int fd = accept4(sock, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
      strerr_warnwusys("accept ", "connection");
    return;
  }
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0) {
    strerr_warnwusys("read ", "peer credentials");
    fd_close(fd);
    return;
  }
  c = cl + ncl;
  memset(c, 0, sizeof(*c));
  c->fd = fd;
  c->passed = c->fdout = -1;
  c->uid = cr.uid;
  c->pid = cr.pid;
  c->out = stralloc_zero;
  if (!allowed(cr.uid)) {
    /* answer without taking a slot; log at most one line a second, so that
     * a flood of refused peers cannot flood the log (refusedlog) */
    if (tain_future(&refused_next))
      refused_quiet++;
    else {
      warnpeer(c, "refused", "uid not allowed");
      tain_addsec_g(&refused_next, 1);
    }
    send(fd, "-" FDHOLD_EPERM "\n", sizeof(FDHOLD_EPERM) + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    fd_close(fd);
    return;
  }
  tain_add_g(&c->deadline, &ctimeout);
  ncl++;
}

/* the count of refusals not logged, once their second is over */
static void refusedlog(void)
{
  char fmt[ULONG_FMT];
  if (!refused_quiet || tain_future(&refused_next)) return;
  fmt[ulong_fmt(fmt, refused_quiet)] = 0;
  strerr_warnw(fmt, " more clients refused: uid not allowed (at most one logged a second)");
  refused_quiet = 0;
  tain_addsec_g(&refused_next, 1);
}

/* ---- setup ---- */

static void parseuids(char const *s)
{
  while (*s) {
    size_t n = strcspn(s, ",");
    uid_t u;
    char name[256];
    if (nuids >= MAXUIDS) strerr_dief(100, "too many uids in -u (at most 64)");
    if (!n || n >= sizeof(name)) strerr_dief(100, "invalid -u list: ", s);
    memcpy(name, s, n);
    name[n] = 0;
    if (uid_scan(name, &u) != n) {
      sv_user who;
      int r = strchr(name, ':') ? SV_USER_NOUSER : sv_user_lookup(name, &who);
      if (r == SV_USER_ERROR) strerr_diefu2sys(111, "look up user ", name);
      if (r != SV_USER_OK) strerr_dief(100, "unknown user in -u: ", name);
      u = who.uid;
    }
    uids[nuids++] = u;
    s += n;
    if (*s) s++;
  }
}

/* a live daemon behind path: refuse to steal it; a stale socket: remove it;
 * anything that is not a socket is someone's file: leave it alone (connect
 * to a regular file says ECONNREFUSED too, so lstat decides, not connect) */
static void clearstale(char const *path)
{
  struct stat st;
  int s;
  if (lstat(path, &st) < 0) {
    if (errno == ENOENT) return;
    strerr_diefusys(111, "stat ", path);
  }
  if (!S_ISSOCK(st.st_mode)) strerr_dief(100, "unable to bind ", path, ": exists and is not a socket");
  s = ipc_stream_b();
  if (s < 0) strerr_diefusys(111, "create ", "socket");
  /* ipc_connect: 1 connected, 0 error */
  if (ipc_connect(s, path)) strerr_dief(111, "unable to bind ", path, ": another fdhold daemon is listening there");
  if (errno == ECONNREFUSED) unlink(path);
  fd_close(s);
}

static int bindsocket(char const *path, ino_t *ino, dev_t *dev)
{
  struct stat st;
  int s = ipc_stream_nbcoe();
  if (s < 0) strerr_diefusys(111, "create ", "socket");
  mode_t um;
  int r;
  clearstale(path);
  /* the peer-credential check is the gate: let every uid reach it, so a
   * refused client gets a clear answer and the refusal is logged.  bind
   * makes the socket 0666 itself (Linux gives it 0777 minus the umask): a
   * chmod by path afterwards would follow a symlink planted meanwhile in a
   * directory others can write (SPEC 13) */
  um = umask(0111);
  r = ipc_bind(s, path);
  umask(um);
  if (r < 0) strerr_diefusys(111, "bind ", path);
  if (ipc_listen(s, SOMAXCONN) < 0) strerr_diefusys(111, "listen on ", path);
  if (lstat(path, &st) < 0) strerr_diefusys(111, "stat ", path);
  *ino = st.st_ino;
  *dev = st.st_dev;
  return s;
}

static void checknofile(void)
{
  struct rlimit rl;
  rlim_t need = (rlim_t)maxheld + maxcl * 2 + 16;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) strerr_diefusys(111, "getrlimit ", "RLIMIT_NOFILE");
  if (rl.rlim_cur >= need) return;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
    strerr_dief(100, "-n and -c need more descriptors than RLIMIT_NOFILE allows");
  rl.rlim_cur = need;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) strerr_diefusys(111, "setrlimit ", "RLIMIT_NOFILE");
}

/* removes the socket only if it is still ours */
static void unbind(char const *path, ino_t ino, dev_t dev)
{
  struct stat st;
  if (lstat(path, &st) == 0 && st.st_ino == ino && st.st_dev == dev) unlink(path);
}

static void onsignal(int sig)
{
  if (sig == SIGTERM || sig == SIGINT) gotsig = sig;
}

int fdhold_daemon(int argc, char const *const *argv)
{
  char const *path;
  int sock, spfd;
  unsigned int tmo = 5000;
  ino_t ino;
  dev_t dev;
  subgetopt l = SUBGETOPT_ZERO;
  for (;;) {
    int opt = subgetopt_r(argc, argv, "u:n:c:t:", &l);
    if (opt == -1) break;
    switch (opt) {
    case 'u': parseuids(l.arg); break;
    case 'n':
      if (!uint0_scan(l.arg, &maxheld) || !maxheld || maxheld > 65536) strerr_dief(100, "invalid -n: ", l.arg);
      break;
    case 'c':
      if (!uint0_scan(l.arg, &maxcl) || !maxcl || maxcl > 4096) strerr_dief(100, "invalid -c: ", l.arg);
      break;
    case 't':
      if (!uint0_scan(l.arg, &tmo) || !tmo || tmo > INT_MAX) strerr_dief(100, "invalid -t: ", l.arg);
      break;
    default: strerr_dieusage(100, FDHOLD_USAGE);
    }
  }
  argc -= l.ind;
  argv += l.ind;
  if (argc != 1) strerr_dieusage(100, FDHOLD_USAGE);
  path = argv[0];
  if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) strerr_dief(100, "socket path too long: ", path);
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize ", "standard fds");
  checknofile();
  tain_from_millisecs(&ctimeout, (int)tmo);
  h = alloc(maxheld * sizeof(held));
  cl = alloc(maxcl * sizeof(client));
  if (!h || !cl) strerr_diefusys(111, "allocate ", "tables");
  {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    spfd = sv_signals_trap(&set);
    if (spfd < 0) strerr_diefusys(111, "trap signals");
  }
  if (!sig_ignore(SIGPIPE)) strerr_diefusys(111, "ignore ", "SIGPIPE");
  sock = bindsocket(path, &ino, &dev);
  tain_now_set_stopwatch_g();
  strerr_warni("listening on ", path);

  for (;;) {
    iopause_fd x[2 + maxcl];
    tain deadline = TAIN_INFINITE;
    unsigned int n = 1, i;
    int r;
    x[0].fd = spfd;
    x[0].events = IOPAUSE_READ;
    if (ncl < maxcl) {
      /* at maxcl the listener is not polled: new clients wait in the backlog */
      x[n].fd = sock;
      x[n++].events = IOPAUSE_READ;
    }
    for (i = 0; i < ncl; i++) {
      x[n].fd = cl[i].fd;
      x[n++].events = cl[i].flagwriting ? IOPAUSE_WRITE : IOPAUSE_READ;
      if (tain_less(&cl[i].deadline, &deadline)) deadline = cl[i].deadline;
    }
    if (refused_quiet && tain_less(&refused_next, &deadline)) deadline = refused_next;
    r = iopause_g(x, n, &deadline);
    if (r < 0) strerr_diefusys(111, "iopause");
    if (r) {
      unsigned int base = n - ncl, ncl0 = ncl;
      if (x[0].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)) {
        if (sv_signals_each(&onsignal) < 0) strerr_diefusys(111, "read selfpipe");
        if (gotsig) {
          char fmt[UINT_FMT];
          fmt[uint_fmt(fmt, nheld)] = 0;
          unbind(path, ino, dev);
          refusedlog();
          strerr_warni("exiting on ", gotsig == SIGTERM ? "SIGTERM" : "SIGINT", ", dropping ", fmt, " held fds");
          return 0;
        }
      }
      for (i = 0; i < ncl0; i++) {
        client *c = cl + i;
        if (c->fd < 0 || !x[base + i].revents) continue;
        if (c->flagwriting)
          writeclient(c);
        else if (readclient(c) > 0 && c->fd >= 0 && c->flagwriting)
          writeclient(c);
      }
      if (ncl0 < maxcl && x[1].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)) acceptclient(sock);
    }
    /* after every wake-up, not only on a timeout: under a steady stream of
     * events iopause never returns 0, and a silent client would hold its
     * slot for as long as the stream lasts */
    for (i = 0; i < ncl; i++)
      if (cl[i].fd >= 0 && !tain_future(&cl[i].deadline)) timeoutclient(cl + i);
    refusedlog();
    /* compact: closed clients have fd -1 */
    {
      unsigned int j = 0;
      for (i = 0; i < ncl; i++)
        if (cl[i].fd >= 0) cl[j++] = cl[i];
      ncl = j;
    }
  }
}

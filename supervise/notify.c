/* SPEC §9 notify=systemd: systemd's sd_notify protocol on a datagram
   socket of the service's own, S/supervise/notify (mode 0600, handed to
   user= by the child), named to the run by $NOTIFY_SOCKET.

   Only datagrams from the service's processes count: the sender's pid,
   which the kernel vouches for (SO_PASSCRED), must be the run, in its
   process group or session, or in its cgroup.  Everything else - other
   senders, datagrams too big for the fixed buffer, bytes that are not
   KEY=VALUE lines - is dropped with a warning at most every 10 s per
   kind.  File descriptors sent along (sd_notify_barrier's) are closed at
   once, which is what a barrier waits for. */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "supervise.h"
#include "sv_clock.h"
#include "sv_proc.h"
#include "sv_str.h"
#include "sv_svdir.h"

#define SOCKNAME "notify"
#define DGRAM_MAX 4096 /* systemd's own limit for one notification */
#define WARN_EVERY_MS 10000

static int sock = -1;
static int dirfd = -1;
static int abstract;                /* bound in the abstract namespace: no file */
static char addr[SV_PATH_MAX + 16]; /* $NOTIFY_SOCKET */
static char const *cgleaf;          /* the service's cgroup, 0 if none */
static char const *name = "";
static uint64_t wdog_usec;
static int selfstop;

typedef struct limiter_s limiter;
struct limiter_s {
  char const *what;
  uint64_t next;
  unsigned dropped;
};
static limiter outsider = {"a datagram from a process outside the service", 0, 0};
static limiter oversize = {"an oversized datagram", 0, 0};
static limiter garbage = {"a datagram that is not KEY=VALUE lines", 0, 0};
static limiter badmain = {"MAINPID= naming a process outside the service", 0, 0};

static void drop(limiter *l, pid_t pid)
{
  char num[22], n[22];
  uint64_t now = sv_now_ms();
  if (now < l->next) {
    l->dropped++;
    return;
  }
  l->next = now + WARN_EVERY_MS;
  sv_i64(num, pid);
  sv_u64(n, l->dropped);
  strerr_warnw(name, ": notify socket: dropped ", l->what, " (pid ", num, ")", l->dropped ? "; dropped " : "",
               l->dropped ? n : "", l->dropped ? " more like it since the last warning" : "");
  l->dropped = 0;
}

static void close_socket(void)
{
  if (sock < 0) return;
  fd_close(sock);
  sock = -1;
  if (!abstract) unlinkat(dirfd, SOCKNAME, 0);
}

/* binds through /proc/self/fd/DIRFD: never through a symlink, and short
   whatever the service directory's path; a path too long for $NOTIFY_SOCKET
   falls back to an abstract name, which the pid check protects as well */
static int bind_socket(int fd, char const *abspath)
{
  struct sockaddr_un sa;
  socklen_t len;
  char num[22];
  mode_t old;
  int r;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  abstract = strlen(abspath) + sizeof "/" SOCKNAME > sizeof sa.sun_path;
  if (abstract) {
    snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "svkit/notify/%d", (int)getpid());
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1));
    sv_strjoin(addr, sizeof addr, "@", sa.sun_path + 1, (char *)0);
    return bind(fd, (struct sockaddr *)&sa, len);
  }
  sv_strjoin(addr, sizeof addr, abspath, "/" SOCKNAME, (char *)0);
  snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%s/" SOCKNAME, sv_i64(num, dirfd));
  len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);
  unlinkat(dirfd, SOCKNAME, 0);
  old = umask(0177); /* 0600 from the start: no moment where others may send */
  r = bind(fd, (struct sockaddr *)&sa, len);
  umask(old);
  return r;
}

static void open_socket(char const *abspath)
{
  int one = 1;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    strerr_warnwu1sys("create the notify socket");
    return;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 || bind_socket(fd, abspath) < 0) {
    strerr_warnwu2sys("bind the notify socket ", addr);
    fd_close(fd);
    return;
  }
  sock = fd;
}

void notify_prepare(sv_conf const *c, int statefd, char const *svpath, char const *statedir, char const *leaf,
                    char const *svname, sv_status *st)
{
  char abspath[SV_PATH_MAX + 16];
  dirfd = statefd;
  name = svname;
  if (selfstop) selfstop = 0; /* written only when it changes: its page is otherwise untouched */
  st->notifystatus[0] = 0;
  st->mainpid = 0;
  if (c->notify != SV_NOTIFY_SYSTEMD) {
    close_socket();
    return;
  }
  /* kept across runs: a client's socket path never changes under it */
  sv_strjoin(abspath, sizeof abspath, svpath, "/", statedir, (char *)0);
  if (sock < 0) open_socket(abspath);
  wdog_usec = c->watchdog_ms * 1000;
  cgleaf = leaf;
}

int notify_child(uid_t uid, gid_t gid)
{
  char num[22];
  if (sock < 0) {
    /* a supervise itself run by systemd must not lend the service its socket */
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    return 0;
  }
  if (!abstract && uid != (uid_t)-1 && fchownat(dirfd, SOCKNAME, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) return -1;
  if (setenv("NOTIFY_SOCKET", addr, 1) < 0) return -1;
  if (!wdog_usec) {
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    return 0;
  }
  /* the run execs in this very process: its pid is ours */
  if (setenv("WATCHDOG_USEC", sv_u64(num, wdog_usec), 1) < 0) return -1;
  return setenv("WATCHDOG_PID", sv_i64(num, getpid()), 1);
}

int notify_fd(void) { return sock; }

int notify_selfstop(void) { return selfstop; }

/* is pid's cgroup (the "0::" line of /proc/PID/cgroup) the service's */
static int in_cgroup(pid_t pid)
{
  char p[40], buf[4096], num[22];
  char const *leaf, *line;
  ssize_t r;
  int fd;
  if (!cgleaf || access(cgleaf, F_OK) < 0) return 0;
  leaf = strrchr(cgleaf, '/');
  sv_strjoin(p, sizeof p, "/proc/", sv_i64(num, pid), "/cgroup", (char *)0);
  fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  r = read(fd, buf, sizeof buf - 1);
  fd_close(fd);
  if (r <= 0 || !leaf) return 0;
  buf[r] = 0;
  line = strstr(buf, "0::");
  if (!line || (line != buf && line[-1] != '\n')) return 0;
  {
    char want[SV_PATH_MAX + 8];
    size_t n = strcspn(line, "\n"), l;
    sv_strjoin(want, sizeof want, "/svkit", leaf, (char *)0);
    l = strlen(want);
    return n >= l && !memcmp(line + n - l, want, l);
  }
}

/* pid is one of the service's processes (a zombie not yet reaped still
   is: a sender that exited at once is judged by what it was) */
static int of_service(pid_t pid, pid_t run)
{
  char num[22];
  sv_procstat p;
  if (pid <= 0 || !run) return 0;
  if (pid == run) return 1;
  if (sv_procstat_read(sv_i64(num, pid), &p) && (p.pgrp == run || p.session == run)) return 1;
  return in_cgroup(pid);
}

/* KEY=VALUE lines, KEY of [A-Z0-9_], no NUL anywhere: systemd's shape */
static int well_formed(char const *s, size_t n)
{
  size_t i = 0;
  if (!n || memchr(s, 0, n)) return 0;
  while (i < n) {
    size_t k = i;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      i++;
    if (i == k) {
      if (s[i] == '\n') {
        i++;
        continue;
      }
      return 0;
    }
    if (i == n || s[i] != '=') return 0;
    while (i < n && s[i] != '\n')
      i++;
    i++;
  }
  return 1;
}

/* STATUS=text into the status file: one line, no control bytes, cut on a
   character boundary */
static int set_status(sv_status *st, char const *v, size_t n)
{
  char text[SV_ERR_MAX];
  size_t i;
  if (n >= sizeof text) {
    n = sizeof text - 1;
    while (n && ((unsigned char)v[n] & 0xc0) == 0x80)
      n--;
  }
  for (i = 0; i < n; i++)
    text[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? ' ' : v[i];
  text[n] = 0;
  if (!strcmp(text, st->notifystatus)) return 0;
  memcpy(st->notifystatus, text, n + 1);
  return NOTIFY_CHANGED;
}

static int set_mainpid(sv_status *st, char const *v, size_t n, pid_t sender)
{
  char num[22];
  pid_t pid;
  sv_procstat p;
  if (n >= sizeof num) {
    drop(&garbage, sender);
    return 0;
  }
  memcpy(num, v, n);
  num[n] = 0;
  if (pid_scan(num, &pid) != n || pid <= 0) {
    drop(&garbage, sender);
    return 0;
  }
  if (!of_service(pid, st->pid) || !sv_procstat_read(num, &p) || sv_procstat_dead(&p)) {
    drop(&badmain, sender);
    return 0;
  }
  if (st->mainpid == pid) return 0;
  st->mainpid = pid;
  return NOTIFY_CHANGED;
}

pid_t notify_mainpid(sv_status const *st)
{
  char num[22];
  sv_procstat p;
  /* MAINPID= may have died since, and its pid gone to someone else */
  if (!st->mainpid || !of_service(st->mainpid, st->pid)) return st->pid;
  if (!sv_procstat_read(sv_i64(num, st->mainpid), &p) || sv_procstat_dead(&p)) return st->pid;
  return st->mainpid;
}

static int is(char const *line, size_t n, char const *kv)
{
  size_t l = strlen(kv);
  return n == l && !memcmp(line, kv, l);
}

/* one well-formed datagram from the service: what it asks for */
static unsigned apply(sv_status *st, char const *s, size_t n, pid_t sender)
{
  unsigned ev = 0;
  size_t i = 0;
  while (i < n) {
    char const *line = s + i, *nl = memchr(line, '\n', n - i);
    size_t len = nl ? (size_t)(nl - line) : n - i;
    i += len + 1;
    if (is(line, len, "READY=1"))
      ev |= NOTIFY_READY;
    else if (is(line, len, "WATCHDOG=1"))
      ev |= NOTIFY_BEAT;
    else if (is(line, len, "WATCHDOG=trigger"))
      ev |= NOTIFY_TRIGGER;
    else if (is(line, len, "STOPPING=1")) {
      selfstop = 1;
      ev |= NOTIFY_STOPPING;
    } else if (len >= 7 && !memcmp(line, "STATUS=", 7))
      ev |= set_status(st, line + 7, len - 7);
    else if (len >= 8 && !memcmp(line, "MAINPID=", 8))
      ev |= set_mainpid(st, line + 8, len - 8, sender);
    /* BARRIER=1 (its fd is closed already), RELOADING, ERRNO... ignored */
  }
  return ev;
}

unsigned notify_datagram(sv_status *st, char const *s, size_t n, int truncated, pid_t sender)
{
  if (!of_service(sender, st->pid)) {
    drop(&outsider, sender);
    return 0;
  }
  if (truncated) {
    drop(&oversize, sender);
    return 0;
  }
  if (!well_formed(s, n)) {
    drop(&garbage, sender);
    return 0;
  }
  return apply(st, s, n, sender);
}

/* the sender's pid; fds passed along are closed */
static pid_t sender_of(struct msghdr *m)
{
  pid_t pid = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
      struct ucred u;
      memcpy(&u, CMSG_DATA(c), sizeof u);
      pid = u.pid;
    } else if (c->cmsg_type == SCM_RIGHTS) {
      size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t j = 0; j < k; j++) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + j * sizeof(int), sizeof fd);
        close(fd);
      }
    }
  }
  return pid;
}

unsigned notify_read(sv_status *st)
{
  static char buf[DGRAM_MAX];
  unsigned ev = 0;
  /* at most 64 a turn: a flood never starves the rest of the loop */
  for (unsigned turn = 0; turn < 64 && sock >= 0; turn++) {
    union {
      struct cmsghdr h;
      char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 8)];
    } ctl;
    struct iovec v = {buf, sizeof buf};
    struct msghdr m;
    ssize_t r;
    pid_t pid;
    memset(&m, 0, sizeof m);
    m.msg_iov = &v;
    m.msg_iovlen = 1;
    m.msg_control = ctl.b;
    m.msg_controllen = sizeof ctl.b;
    r = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) strerr_warnwu2sys("read the notify socket ", addr);
      break;
    }
    pid = sender_of(&m);
    ev |= notify_datagram(st, buf, (size_t)r, (m.msg_flags & MSG_TRUNC) || (size_t)r > sizeof buf, pid);
  }
  return ev;
}

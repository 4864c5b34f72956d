/* svlog: reads lines on stdin, appends them to DIR/current (or FILE), rotates
   by size, never drops a line.  SPEC §7.

   Data path: one read into inbuf, then every byte of it is written (as iovecs
   pointing into inbuf, or, for stamps and the lines between them, copied into
   outbuf) before the next read.  When stdin is a pipe the "read" is a tee(2),
   and the bytes leave the pipe only once written (see consume()), so a
   kill -9 loses nothing.  Lines are not buffered: a partial line is written
   at once, and rotation waits until it is complete, so a line never straddles
   two files. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "lines.h"
#include "sv_signals.h"
#include "sv_version.h"

#define USAGE                                                                                                          \
  "svlog [-s BYTES] [-n COUNT] [-a AGE] [-t|-T] [-l LINEMAX] DIR | svlog -F FILE [-s BYTES] [-n COUNT] [-t|-T] [-l "   \
  "LINEMAX]"
#define dieusage() strerr_dieusage(100, USAGE)

#define IN_SIZE (1 << 20)
/* what svlog asks of the pipes it reads: stdin and its tee copy.  Every page
   counts against the user's fs.pipe-user-pages-soft (16384 pages): at 1 MiB
   each, 32 loggers of one user would cap every later pipe of that user to
   one page.  256 KiB already gives big reads; a bigger pipe stays as is. */
#define PIPE_SIZE (256 << 10)
#define NV 1024 /* IOV_MAX on Linux */
#define OUT_SIZE (256 << 10)
#define SMALL 512                   /* pieces up to this size are copied into outbuf */
#define WRITEBACK_CHUNK (256 << 10) /* bytes between two writeback kicks */
#define ANAME 27                    /* "@" + 24 hex + ".s" */

char const *PROG = "svlog";

/* ---------------------------------------------------------------- state */

static char inbuf[IN_SIZE];
static size_t inpos, inlen; /* inbuf[inpos..inlen) is read, not yet staged */

/* When stdin is a pipe, svlog does not take the bytes from it until they are
   written: tee(2) copies them into a private pipe, svlog reads that copy, and
   it splices inbuf[0..inpos) away from stdin only once that is in the file.
   A kill -9 at any moment leaves every unwritten byte in stdin's pipe. */
static int teefd[2] = {-1, -1};
static int devnull = -1;
static size_t consumed; /* inbuf[0..consumed) is also gone from stdin */

static struct iovec v[NV]; /* staged output, v[vi..vn) not yet written */
static unsigned int vn, vi;
static uint64_t staged;
/* small pieces that are not contiguous in inbuf (stamps and the short lines
   between them) are copied here: one big write instead of many tiny iovecs */
static char outbuf[OUT_SIZE];
static size_t outlen;

static char stamp[32]; /* the stamp of the current read */
static size_t stamplen;
static char stampmode; /* 0, 't' or 'T' */

static uint64_t maxbytes = 1000000;
static unsigned int count = 10;
static uint64_t maxage; /* -a: seconds an archive is kept, 0 = forever */
static size_t linemax = 8192;

static char const *dir;     /* directory mode */
static char const *file;    /* file mode */
static char const *curname; /* "current" or FILE, for open/rename */
static char const *curdesc; /* "DIR/current" or FILE, for messages */
static int fdcur = -1;
static int curmine;    /* fdcur is a file svlog may chmod (see openlog) */
static int notregular; /* openlog failed: the name is not a regular file */
static uint64_t cursize;
static uint64_t kicked; /* writeback of current is started up to here */
static size_t linelen;  /* bytes of the open line written so far */

/* directory mode: archive names, oldest first */
static char (*arch)[ANAME + 1];
static unsigned int narch, archcap;
static tain lastarch = TAIN_ZERO;

/* file mode: FILE.N names are built in this buffer */
static stralloc fname = STRALLOC_ZERO;

static struct {
  unsigned midline : 1; /* a line was started and not ended */
  unsigned rotate : 1;  /* rotate before staging more */
  unsigned alarm : 1;   /* SIGALRM seen: rotate at the next line start */
  unsigned blocked : 1; /* a write or rotation failed, retry at deadline */
  unsigned warned : 1;  /* this outage has been reported */
  unsigned exiting : 1; /* SIGTERM: read no more */
  unsigned eof : 1;
} flag;

static unsigned int rotphase, rotidx; /* rotation progress, so a retry resumes */
static char rotname[ANAME + 1];
static tain retry; /* deadline of the next retry, when blocked */

/* ---------------------------------------------------------------- helpers */

/* one warning per outage, then a retry every second */
static int fail(char const *verb, char const *what)
{
  if (!flag.warned) {
    strerr_warnw("unable to ", verb, " ", what, ": ", strerror(errno), " (retrying every second)");
    flag.warned = 1;
  }
  flag.blocked = 1;
  tain_addsec_g(&retry, 1);
  return 0;
}

static int scansize(char const *s, uint64_t *u)
{
  size_t n = uint64_scan(s, u);
  uint64_t m = 1;
  if (!n) return 0;
  switch (s[n]) {
  case 0: return 1;
  case 'k':
  case 'K': m = 1024; break;
  case 'm':
  case 'M': m = 1024 * 1024; break;
  case 'g':
  case 'G': m = 1024 * 1024 * 1024; break;
  default: return 0;
  }
  n++;
  if (s[n] == 'B' || s[n] == 'b') n++;
  if (s[n]) return 0;
  if (*u > UINT64_MAX / m) return 0;
  *u *= m;
  return 1;
}

/* a value that is not a number or does not fit: a usage error, never wrapped */
static void badvalue(char opt, char const *arg, char const *want)
{
  char o[3] = {'-', opt, 0};
  strerr_dief(100, "invalid value for ", o, ": ", arg, " (want ", want, ")");
}

/* ---------------------------------------------------------------- stamps */

static void makestamp(void)
{
  if (stampmode == 't') {
    tain now;
    tain_wallclock_read(&now);
    stamplen = lines_stamp_tai(stamp, &now);
  } else if (stampmode == 'T') {
    static lines_isocache cache = LINES_ISOCACHE_ZERO; /* the date part changes once a second */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    stamplen = lines_stamp_iso(stamp, &ts, &cache);
  }
}

/* ---------------------------------------------------------------- output */

static void stage(char const *p, size_t n)
{
  if (!n) return;
  staged += n;
  if (vn && (char const *)v[vn - 1].iov_base + v[vn - 1].iov_len == p)
    v[vn - 1].iov_len += n;
  else if (n <= SMALL &&
           (stampmode || p < inbuf || p >= inbuf + IN_SIZE)) { /* without stamps, lines stay in inbuf, merged: no copy;
                                                                  format() made sure there is room */
    memcpy(outbuf + outlen, p, n);
    if (vn && (char const *)v[vn - 1].iov_base + v[vn - 1].iov_len == outbuf + outlen)
      v[vn - 1].iov_len += n;
    else {
      v[vn].iov_base = outbuf + outlen;
      v[vn].iov_len = n;
      vn++;
    }
    outlen += n;
  } else {
    v[vn].iov_base = (void *)p;
    v[vn].iov_len = n;
    vn++;
  }
}

/* starts the disk writes of what current got since the last kick, so that
   the fsync at rotation finds little left to wait for: without it, a 1 MB
   file is written back only when fsync asks, and the logger stalls there */
static void kick_writeback(void)
{
  if (cursize - kicked < WRITEBACK_CHUNK) return;
  sync_file_range(fdcur, (off_t)kicked, (off_t)(cursize - kicked), SYNC_FILE_RANGE_WRITE);
  kicked = cursize;
}

/* 1 all staged data written, 0 blocked */
static int flush(void)
{
  while (vi < vn) {
    ssize_t r = writev(fdcur, v + vi, vn - vi);
    size_t w;
    if (r < 0) {
      if (errno == EINTR) continue;
      return fail("write", curdesc);
    }
    w = r;
    cursize += w;
    staged -= w;
    while (w && w >= v[vi].iov_len)
      w -= v[vi++].iov_len;
    if (w) {
      v[vi].iov_base = (char *)v[vi].iov_base + w;
      v[vi].iov_len -= w;
    }
  }
  vn = vi = outlen = 0;
  kick_writeback();
  return 1;
}

/* ---------------------------------------------------------------- lines */

enum { DONE, FULL, ROTATE };

/* the rest of a line whose start is already out: no rotation check */
static void continueline(void)
{
  lines_cut c;
  lines_cut_next(inbuf + inpos, inlen - inpos, linemax, linelen, &c);
  stage(inbuf + inpos, c.len);
  if (c.nl) stage("\n", 1);
  inpos += c.len;
  if (c.done) {
    flag.midline = 0;
    linelen = 0;
  } else
    linelen += c.len;
}

/* stages lines from inbuf[inpos..inlen) until done, iovecs full, or a
   rotation is due before the next line */
static int format(void)
{
  while (inpos < inlen) {
    lines_cut c;
    uint64_t out, used;
    if (vn + 3 > NV || outlen + 3 * SMALL > OUT_SIZE) return FULL;
    if (flag.midline) {
      continueline();
      continue;
    }
    used = cursize + staged;
    if (flag.alarm) {
      flag.alarm = 0;
      if (used) return ROTATE;
    }
    lines_cut_next(inbuf + inpos, inlen - inpos, linemax, 0, &c);
    if (c.done)
      out = stamplen + c.len + c.nl;
    else /* an incomplete line: rotate now if it might not fit once complete */
      out = stamplen + (linemax ? linemax + 1 : c.len);
    if (maxbytes && used && used + out > maxbytes) return ROTATE;
    stage(stamp, stamplen);
    stage(inbuf + inpos, c.len);
    if (c.nl) stage("\n", 1);
    inpos += c.len;
    if (!c.done) flag.midline = 1, linelen = c.len;
  }
  return DONE;
}

/* ---------------------------------------------------------------- rotation */

/* opens curname in the cwd (DIR, or FILE's directory) without following a
   symlink: a fresh file is created 0644 (and is ours to chmod later); an
   existing one must be a regular file.  0 ok, -1 error (errno; ELOOP for a
   symlink, EINVAL "not a regular file" for anything else) */
static int openlog(void)
{
  struct stat st;
  int fd, created = 0;
  for (;;) {
    fd = openat(AT_FDCWD, curname, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) {
      created = 1;
      break;
    }
    if (errno != EEXIST) return -1;
    fd = openat(AT_FDCWD, curname, O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) break;
    if (errno != ENOENT) return -1; /* removed between the two opens: create it */
  }
  if (fstat(fd, &st) < 0) {
    fd_close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    fd_close(fd);
    errno = EINVAL;
    notregular = 1;
    return -1;
  }
  /* ours to chmod: made now, or one an earlier svlog of ours made (owned by
     us, one link: not a hard link to someone else's file) */
  curmine = created || (st.st_uid == geteuid() && st.st_nlink == 1);
  fdcur = fd;
  cursize = kicked = st.st_size;
  return 0;
}

/* a failed openlog, for messages */
static char const *openerr(void)
{
  if (notregular) {
    notregular = 0;
    return "not a regular file";
  }
  return errno == ELOOP ? "is a symbolic link (svlog never follows one)" : strerror(errno);
}

/* -a: seconds until the oldest archive (named after its wall-clock
   rotation time) is older than AGE: 0 now, UINT64_MAX never */
static uint64_t expires_in(void)
{
  tain t, now;
  if (!maxage || !narch || !timestamp_scan(arch[0], &t)) return UINT64_MAX;
  tain_wallclock_read(&now);
  if (t.sec.x + maxage < now.sec.x) return 0;
  return t.sec.x + maxage - now.sec.x + 1;
}

static void prune(void)
{
  while (narch > count || (narch && !expires_in())) {
    if (unlink(arch[0]) < 0 && errno != ENOENT) strerr_warnwu4sys("unlink ", dir, "/", arch[0]);
    memmove(arch, arch + 1, (narch - 1) * sizeof *arch);
    narch--;
  }
}

/* -a AGE: 7d, 12h, 30m, 90s, 2w; a bare number is seconds */
static int scanage(char const *s, uint64_t *u)
{
  size_t n = uint64_scan(s, u);
  uint64_t m = 1;
  if (!n || !*u) return 0;
  switch (s[n]) {
  case 0:
  case 's': break;
  case 'm': m = 60; break;
  case 'h': m = 3600; break;
  case 'd': m = 86400; break;
  case 'w': m = 7 * 86400; break;
  default: return 0;
  }
  if (s[n] && s[n + 1]) return 0;
  if (*u > (UINT64_MAX >> 2) / m) return 0;
  *u *= m;
  return 1;
}

/* the iopause deadline: a retry, and with -a the next archive to expire */
static tain const *deadline(tain *d)
{
  uint64_t secs = dir ? expires_in() : UINT64_MAX;
  if (secs != UINT64_MAX) {
    tain_addsec_g(d, secs > 86400 ? 86400 : (int)secs);
    if (!flag.blocked || tain_less(d, &retry)) return d;
  }
  return flag.blocked ? &retry : &tain_infinite;
}

static void archname(void)
{
  tain now, one = {TAI_ZERO, 1};
  tain_wallclock_read(&now);
  /* names stay strictly increasing even if the clock steps back */
  if (!tain_less(&lastarch, &now)) tain_add(&now, &lastarch, &one);
  lastarch = now;
  timestamp_fmt(rotname, &now);
  memcpy(rotname + TIMESTAMP, ".s", 3);
}

static char const *fnum(unsigned int i)
{
  char fmt[UINT_FMT];
  fname.len = strlen(curname);
  fname.s[fname.len++] = '.';
  memcpy(fname.s + fname.len, fmt, uint_fmt(fmt, i));
  fname.len += uint_fmt(fmt, i);
  fname.s[fname.len] = 0;
  return fname.s;
}

/* FILE.i -> FILE.i+1 from the oldest down, then FILE -> FILE.1; each step is
   a rename, so a crash leaves every line in some file */
static int shiftfiles(void)
{
  for (; rotidx >= 1; rotidx--) {
    char from[PATH_MAX];
    size_t n = strlen(fnum(rotidx));
    if (n >= sizeof from) {
      errno = ENAMETOOLONG;
      return fail("rename", fname.s);
    }
    memcpy(from, fname.s, n + 1);
    if (rename(from, fnum(rotidx + 1)) < 0 && errno != ENOENT) return fail("rename", from);
  }
  if (count ? rename(curname, fnum(1)) < 0 : unlink(curname) < 0) return fail(count ? "rename" : "unlink", file);
  return 1;
}

/* 1 rotated, 0 blocked (retry resumes at the failed step) */
static int rotate(void)
{
  if (rotphase == 0) {
    if (fsync(fdcur) < 0 && errno != EINVAL) return fail("sync", curdesc);
    if (curmine) fchmod(fdcur, 0744); /* multilog's mark of a complete file */
    rotphase = 1;
    rotidx = count ? count - 1 : 0;
    if (dir) archname();
  }
  if (rotphase == 1) {
    if (dir) {
      if (rename(curname, rotname) < 0) return fail("rename", curdesc);
      memcpy(arch[narch++], rotname, ANAME + 1);
    } else if (!shiftfiles())
      return 0;
    fd_close(fdcur);
    fdcur = -1;
    rotphase = 2;
  }
  if (openlog() < 0) {
    if (!flag.warned) strerr_warnw("unable to open ", curdesc, ": ", openerr(), " (retrying every second)");
    flag.warned = 1;
    flag.blocked = 1;
    tain_addsec_g(&retry, 1);
    return 0;
  }
  rotphase = 0;
  if (dir) prune();
  return 1;
}

/* removes from stdin what is written, once written (tee mode) */
static void consume(void)
{
  while (consumed < inpos) {
    ssize_t r = splice(0, 0, devnull, 0, inpos - consumed, 0);
    if (r <= 0) { /* no splice to /dev/null here: read it into the (written) inbuf */
      if (r < 0 && errno == EINTR) continue;
      r = read(0, inbuf, inpos - consumed);
      if (r <= 0) strerr_diefu1sys(111, "consume stdin");
    }
    consumed += r;
  }
}

/* writes everything read so far, rotating as needed; 1 done, 0 blocked */
static int work(void)
{
  for (;;) {
    if (!flush()) return 0;
    if (teefd[0] >= 0) consume();
    if (flag.rotate) {
      if (!rotate()) return 0;
      flag.rotate = 0;
    }
    if (inpos == inlen) {
      flag.warned = 0; /* caught up: a new outage gets a new warning */
      return 1;
    }
    if (format() == ROTATE) flag.rotate = 1;
  }
}

/* ---------------------------------------------------------------- setup */

static int cmpname(void const *a, void const *b) { return memcmp(a, b, ANAME); }

static int isarchive(char const *s)
{
  size_t i;
  if (s[0] != '@' || strlen(s) != ANAME) return 0;
  for (i = 1; i < TIMESTAMP; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return s[TIMESTAMP] == '.' && (s[TIMESTAMP + 1] == 's' || s[TIMESTAMP + 1] == 'u');
}

/* reads the archive names in the cwd, oldest first; room for count + 1 */
static void scanarchives(void)
{
  DIR *d = opendir(".");
  struct dirent *e;
  if (!d) strerr_diefu2sys(111, "open directory ", dir);
  archcap = count + 1;
  arch = malloc(archcap * sizeof *arch);
  if (!arch) strerr_diefu1sys(111, "allocate");
  for (;;) {
    errno = 0;
    e = readdir(d);
    if (!e) break;
    if (!isarchive(e->d_name)) continue;
    if (narch == archcap) {
      void *p = realloc(arch, 2 * archcap * sizeof *arch);
      if (!p) strerr_diefu1sys(111, "allocate");
      arch = p;
      archcap *= 2;
    }
    memcpy(arch[narch++], e->d_name, ANAME + 1);
  }
  if (errno) strerr_diefu2sys(111, "read directory ", dir);
  closedir(d);
  qsort(arch, narch, sizeof *arch, cmpname);
  if (narch) timestamp_scan(arch[narch - 1], &lastarch);
  prune();
}

/* mkdir -p, 0755 */
static void makedir(char const *path)
{
  char tmp[PATH_MAX];
  size_t n = strlen(path), i;
  if (n >= sizeof tmp) {
    errno = ENAMETOOLONG;
    strerr_diefu2sys(111, "create directory ", path);
  }
  memcpy(tmp, path, n + 1);
  for (i = 1; i <= n; i++)
    if (tmp[i] == '/' || !tmp[i]) {
      char c = tmp[i];
      tmp[i] = 0;
      if (mkdir(tmp, 0755) < 0 && errno != EEXIST) strerr_diefu2sys(111, "create directory ", tmp);
      tmp[i] = c;
    }
}

/* DIR/lock, 0600 so that no other user can open it and hold a lock on it.
   Never through a symlink; a lock svlog did not make (another owner, other
   modes, a hard link) is replaced by a fresh one, never chmodded: a file of
   that name only ever serves as svlog's lock. */
static void lockdir(void)
{
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  struct stat st;
  int fd, tries = 0;
  for (;;) {
    fd = open("lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == ELOOP)
        strerr_dief(111, "unable to open ", dir, "/lock: is a symbolic link (svlog never follows one)");
      strerr_diefu3sys(111, "open ", dir, "/lock");
    }
    if (fstat(fd, &st) < 0) strerr_diefu3sys(111, "stat ", dir, "/lock");
    if (!S_ISREG(st.st_mode)) strerr_dief(111, "unable to open ", dir, "/lock: not a regular file");
    if (st.st_uid == geteuid() && !(st.st_mode & 077) && st.st_nlink == 1) break; /* no access for others */
    /* not ours: whoever holds it cannot keep us out once it is gone */
    fd_close(fd);
    if (++tries > 5) strerr_dief(111, "unable to replace ", dir, "/lock: it keeps coming back not ours");
    if (unlink("lock") < 0 && errno != ENOENT) strerr_diefu3sys(111, "replace ", dir, "/lock");
  }
  if (fcntl(fd, F_SETLK, &fl) < 0) {
    if (errno == EAGAIN || errno == EACCES)
      strerr_dief(100, "unable to lock ", dir, "/lock: another svlog is running on it");
    strerr_diefu3sys(111, "lock ", dir, "/lock");
  }
}

/* a leftover current that ends mid-line is continued, not cut: the rest of
   that line is probably still in the pipe (svlog was killed) */
static void resumeline(void)
{
  char buf[512];
  size_t n, back = 0;
  uint64_t off = cursize;
  if (!cursize) return;
  for (;;) {
    ssize_t r;
    char *q;
    n = off > sizeof buf ? sizeof buf : off;
    off -= n;
    r = pread(fdcur, buf, n, off);
    if (r != (ssize_t)n) strerr_diefu2sys(111, "read ", curdesc);
    if (!back && buf[n - 1] == '\n') return;
    q = memrchr(buf, '\n', n);
    if (q) {
      back += buf + n - 1 - q;
      break;
    }
    back += n;
    if (!off || (linemax && back > linemax + stamplen)) break;
  }
  flag.midline = 1;
  if (stampmode && back >= stamplen) back -= stamplen;
  linelen = linemax && back > linemax ? linemax : back;
}

/* grows fd's pipe to PIPE_SIZE, never shrinks it; failure is harmless (a
   user over its pipe quota keeps the size it has) */
static void growpipe(int fd)
{
  int n = fcntl(fd, F_GETPIPE_SZ);
  if (n >= 0 && n < PIPE_SIZE) fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
}

static void starttee(void)
{
  char c;
  if (pipe2(teefd, O_CLOEXEC) < 0) goto err;
  growpipe(teefd[1]);
  devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull < 0) goto err;
  /* probe: stdin may be a pipe tee does not take */
  switch (tee(0, teefd[1], 1, SPLICE_F_NONBLOCK)) {
  case -1:
    if (errno != EAGAIN) goto err;
    return;
  case 1:
    while (read(teefd[0], &c, 1) < 0 && errno == EINTR)
      ;
    return;
  default: return;
  }
err:
  if (teefd[0] >= 0) {
    fd_close(teefd[0]);
    fd_close(teefd[1]);
  }
  if (devnull >= 0) fd_close(devnull);
  teefd[0] = teefd[1] = devnull = -1;
}

static void setup(void)
{
  struct stat st;
  if (dir) {
    stralloc sa = STRALLOC_ZERO;
    makedir(dir);
    if (chdir(dir) < 0) strerr_diefu2sys(111, "chdir to ", dir);
    lockdir();
    curname = "current";
    if (!stralloc_cats(&sa, dir) || !stralloc_cats(&sa, "/current") || !stralloc_0(&sa))
      strerr_diefu1sys(111, "allocate");
    curdesc = sa.s;
    scanarchives();
  } else {
    /* FILE and FILE.N are opened and renamed in FILE's directory, so that
       the last component is never followed if it is a symlink */
    char const *slash = strrchr(file, '/');
    curdesc = file;
    curname = slash ? slash + 1 : file;
    if (!*curname) strerr_dief(100, "unable to open ", file, ": not a file name");
    if (slash) {
      char parent[PATH_MAX];
      size_t n = slash == file ? 1 : (size_t)(slash - file);
      if (n >= sizeof parent) {
        errno = ENAMETOOLONG;
        strerr_diefu2sys(111, "open ", file);
      }
      memcpy(parent, file, n);
      parent[n] = 0;
      if (chdir(parent) < 0) strerr_diefu2sys(111, "chdir to ", parent);
    }
    if (!stralloc_copys(&fname, curname) || !stralloc_ready(&fname, strlen(curname) + 2 + UINT_FMT))
      strerr_diefu1sys(111, "allocate");
  }
  if (openlog() < 0) strerr_dief(111, "unable to open ", curdesc, ": ", openerr());
  if (curmine) fchmod(fdcur, 0644); /* an earlier clean exit made it 0744 */
  if (stampmode) makestamp();       /* sets stamplen */
  resumeline();
  /* a bigger pipe: fewer, bigger reads */
  if (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode)) {
    growpipe(0);
    starttee();
  }
}

/* ---------------------------------------------------------------- main */

static void on_signal(int sig)
{
  switch (sig) {
  case SIGALRM:
    if (flag.midline)
      flag.alarm = 1; /* rotate once the line is complete */
    else if (cursize + staged)
      flag.rotate = 1;
    break;
  default: flag.exiting = 1; break;
  }
}

/* tee mode: a copy of what stdin's pipe holds, left in that pipe */
static ssize_t peek(void)
{
  ssize_t r = tee(0, teefd[1], IN_SIZE, SPLICE_F_NONBLOCK);
  size_t got = 0;
  if (r <= 0) return r;
  while (got < (size_t)r) {
    ssize_t n = read(teefd[0], inbuf + got, r - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) strerr_diefu1sys(111, "read a copy of stdin");
    got += n;
  }
  return r;
}

static void readin(void)
{
  ssize_t r = teefd[0] >= 0 ? peek() : read(0, inbuf, IN_SIZE);
  if (r < 0) {
    if (errno == EINTR || errno == EAGAIN) return;
    strerr_diefu1sys(111, "read stdin");
  }
  if (!r) {
    flag.eof = 1;
    return;
  }
  inpos = consumed = 0;
  inlen = r;
  if (stampmode) makestamp();
}

int main(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  sigset_t set;
  int spfd;
  sv_version_option(argc, argv);
  for (;;) {
    int opt = subgetopt_r(argc, argv, "s:n:a:tTl:F:", &l);
    uint64_t u;
    if (opt == -1) break;
    switch (opt) {
    case 's':
      if (!scansize(l.arg, &maxbytes)) badvalue('s', l.arg, "a number of bytes up to 2^64-1, optional KB, MB or GB");
      break;
    case 'n':
      if (!uint0_scan(l.arg, &count) || count > 100000) badvalue('n', l.arg, "a count from 0 to 100000");
      break;
    case 'a':
      if (!scanage(l.arg, &maxage))
        strerr_dief(100, "unable to parse -a ", l.arg, ": expected AGE such as 7d, 12h, 30m");
      break;
    case 't':
    case 'T':
      if (stampmode && stampmode != opt) dieusage(); /* one stamp or the other */
      stampmode = opt;
      break;
    case 'l':
      if (!scansize(l.arg, &u) || u > SIZE_MAX / 2)
        badvalue('l', l.arg, "a number of bytes that fits in memory, 0: never split");
      linemax = u;
      break;
    case 'F': file = l.arg; break;
    default: dieusage();
    }
  }
  argc -= l.ind;
  argv += l.ind;
  if (file ? argc != 0 : argc != 1) dieusage();
  if (!file) dir = argv[0];
  if (!*(file ? file : dir)) dieusage();

  if (!fd_sanitize()) strerr_diefu1sys(111, "sanitize standard fds");
  if (file && strrchr(file, '/') && strrchr(file, '/') != file) {
    /* stdout=/var/log/web/out.log: the directory is made, as DIR is */
    char parent[PATH_MAX];
    size_t n = (size_t)(strrchr(file, '/') - file);
    if (n >= sizeof parent) n = sizeof parent - 1;
    memcpy(parent, file, n);
    parent[n] = 0;
    makedir(parent);
  }
  setup();
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGALRM);
  spfd = sv_signals_trap(&set);
  if (spfd < 0) strerr_diefusys(111, "trap signals");
  tain_now_set_stopwatch_g();

  for (;;) {
    iopause_fd x[2] = {{.fd = spfd, .events = IOPAUSE_READ}, {.fd = 0, .events = IOPAUSE_READ}};
    /* stdin is read only once everything read before is written */
    int idle = !flag.blocked && !flag.rotate && inpos == inlen;
    unsigned int n = idle && !flag.exiting && !flag.eof ? 2 : 1;
    if (idle && (flag.exiting || flag.eof)) break;
    tain d;
    if (iopause_g(x, n, deadline(&d)) < 0) strerr_diefu1sys(111, "iopause");
    if (maxage && dir) prune(); /* -a: archives that just grew too old */
    if (x[0].revents & IOPAUSE_READ && sv_signals_each(&on_signal) < 0) strerr_diefusys(111, "read selfpipe");
    if (flag.blocked && !tain_future(&retry)) flag.blocked = 0;
    if (n == 2 && x[1].revents & IOPAUSE_READ && !flag.exiting) readin();
    if (!flag.blocked) work();
  }
  /* a clean end: current is complete, as multilog marks it */
  if (fdcur >= 0) {
    fsync(fdcur);
    if (curmine) fchmod(fdcur, 0744);
  }
  return 0;
}

/* SPEC §9 heartbeat: watchdog=SECS.  A RUNNING service shows it is alive
   by a newline on notification-fd, a WATCHDOG=1 datagram (notify.c), or a
   new mtime on S/supervise/heartbeat ($SV_HEARTBEAT).  The file is never
   watched: it is looked at only when the deadline comes, so a service
   beating every half second costs supervise one fstatat a period, not a
   wakeup a beat.  Only a regular file counts: a removed file or a symlink
   put in its place is not a beat, and is said once a run. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>

#include "supervise.h"
#include "sv_clock.h"
#include "sv_statedir.h"
#include "sv_str.h"
#include "sv_svdir.h"

#define HEARTBEAT "heartbeat"

static uint64_t period;             /* this run's watchdog=, 0: none */
static uint64_t deadline;           /* armed: boot ms by which a beat must come, else 0 */
static uint64_t lastcheck;          /* when the file was last looked at */
static struct timespec mtime;       /* its mtime then */
static int dirfd = -1;              /* the state directory (supervise's, kept open) */
static char path[SV_PATH_MAX + 16]; /* $SV_HEARTBEAT */
static char const *name = "";
static int said_gone, said_link, fired;
static char reason[64];

void watchdog_prepare(sv_conf const *c, int statefd, char const *svpath, char const *statedir, char const *svname)
{
  int fd;
  period = c->watchdog_ms;
  deadline = 0;
  fired = 0;
  said_gone = said_link = 0;
  dirfd = statefd;
  name = svname;
  if (!period) return;
  sv_strjoin(path, sizeof path, svpath, "/", statedir, "/" HEARTBEAT, (char *)0);
  /* afresh each start: whatever a previous run left there (a symlink) goes */
  fd = sv_create_at(dirfd, HEARTBEAT, 0644);
  if (fd < 0)
    strerr_warnwu2sys("create ", path);
  else
    fd_close(fd);
}

int watchdog_child(uid_t uid, gid_t gid)
{
  if (!period) {
    unsetenv("SV_HEARTBEAT");
    return 0;
  }
  /* user=: the service must be able to touch it; the name is ours, in a
     directory only we write, and never followed if it is a symlink */
  if (uid != (uid_t)-1 && fchownat(dirfd, HEARTBEAT, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) return -1;
  return setenv("SV_HEARTBEAT", path, 1);
}

int watchdog_enabled(void) { return period != 0; }

/* the file's mtime now: 1 a regular file, 0 not (said once a run) */
static int look(struct timespec *t)
{
  struct stat s;
  if (fstatat(dirfd, HEARTBEAT, &s, AT_SYMLINK_NOFOLLOW) < 0) {
    if (said_gone) return 0;
    said_gone = 1;
    if (errno == ENOENT)
      strerr_warnw(name, ": ", path, " was removed: not a heartbeat");
    else
      strerr_warnwu2sys("stat ", path);
    return 0;
  }
  if (!S_ISREG(s.st_mode)) {
    if (!said_link) {
      said_link = 1;
      strerr_warnw(name, ": ", path, " is not a regular file (a symlink?): not a heartbeat");
    }
    return 0;
  }
  *t = s.st_mtim;
  return 1;
}

void watchdog_state(enum sv_state s)
{
  if (s != SV_RUNNING) {
    deadline = 0;
    return;
  }
  if (!period || deadline) return;
  deadline = sv_now_ms() + period;
  lastcheck = sv_now_ms();
  if (!look(&mtime)) mtime.tv_sec = mtime.tv_nsec = 0;
}

void watchdog_beat(void)
{
  if (deadline) deadline = sv_now_ms() + period;
}

uint64_t watchdog_deadline(void) { return deadline; }

/* a new mtime since the last look: when, on the boot clock, the touch
   was made (its wall time moved onto the boot clock, kept between the last
   look and now, so a stepped wall clock cannot push it anywhere else) */
static int touched(uint64_t now, uint64_t *at)
{
  struct timespec t;
  uint64_t wall, when, prev = lastcheck;
  lastcheck = now;
  if (!look(&t)) return 0;
  if (t.tv_sec == mtime.tv_sec && t.tv_nsec == mtime.tv_nsec) return 0;
  mtime = t;
  wall = sv_wall_ms();
  when = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
  when = when >= wall ? now : now - (wall - when > now ? now : wall - when);
  *at = when < prev ? prev : when;
  return 1;
}

int watchdog_timer(uint64_t now)
{
  uint64_t at;
  if (!deadline || now < deadline) return 0;
  if (touched(now, &at)) {
    deadline = at + period > now ? at + period : now + 1;
    return 0;
  }
  {
    char num[22];
    if (period % 1000)
      sv_strjoin(reason, sizeof reason, "watchdog: no heartbeat for ", sv_u64(num, period), "ms", (char *)0);
    else
      sv_strjoin(reason, sizeof reason, "watchdog: no heartbeat for ", sv_u64(num, period / 1000), "s", (char *)0);
  }
  deadline = 0;
  fired = 1;
  return 1;
}

int watchdog_trigger(void)
{
  if (!deadline) return 0; /* armed: RUNNING with watchdog= */
  sv_strjoin(reason, sizeof reason, "watchdog: triggered by the service (WATCHDOG=trigger)", (char *)0);
  deadline = 0;
  fired = 1;
  return 1;
}

char const *watchdog_reason(void) { return reason; }

int watchdog_take_fired(void)
{
  int f = fired;
  fired = 0;
  return f;
}

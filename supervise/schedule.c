/* schedule= (SPEC §10): a job started as with svc -o at each matching local
   time.  One timerfd on CLOCK_REALTIME, absolute, with CANCEL_ON_SET: it
   fires at the wall-clock time itself, and a clock that is set (stepped
   forward or back) wakes supervise to compute the next time again from the
   new now.  The next time is always strictly after now: a clock stepped
   across many scheduled times gives one run, never a storm. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/djbunix.h>

#include "supervise.h"
#include "sv_cron.h"
#include "sv_str.h"
#include "sv_svdir.h"

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

static int tfd = -1;
static time_t armed; /* the wall time the timer is set for */

/* arms the timer for the first match after now: its wall time, 0 if none */
time_t schedule_arm(sv_conf const *c)
{
  sv_cron cron;
  char why[96];
  struct itimerspec its;
  time_t next;
  memset(&its, 0, sizeof its);
  if (!c->res.schedule || !sv_cron_parse(&cron, c->res.schedule, why, sizeof why)) {
    if (tfd >= 0) timerfd_settime(tfd, 0, &its, 0);
    return 0;
  }
  next = sv_cron_next(&cron, time(0));
  if (!next) return 0;
  if (tfd < 0) {
    tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) return 0;
  }
  its.it_value.tv_sec = next;
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, 0) < 0) return 0;
  armed = next;
  return next;
}

int schedule_fd(void) { return tfd; }

int schedule_fire(void)
{
  uint64_t n;
  ssize_t r = read(tfd, &n, sizeof n);
  /* ECANCELED: the clock was set; the caller arms again from the new now */
  /* and only if the wall clock really is there (a clock stepped back
     under a timer that fired anyway waits for the time again) */
  return r == (ssize_t)sizeof n && n > 0 && armed && time(0) >= armed;
}

/* persistent=: STATEDIR/lastrun holds the wall time of the last scheduled run */
static void lastrun_path(char *buf, char const *statedir)
{
  sv_strjoin(buf, SV_PATH_MAX + 16, statedir, "/lastrun", (char *)0);
}

void schedule_ran(char const *statedir)
{
  char path[SV_PATH_MAX + 16], num[24];
  lastrun_path(path, statedir);
  sv_i64(num, (int64_t)time(0));
  strcat(num, "\n");
  openwritenclose_suffix(path, num, strlen(num), ".new");
}

int schedule_missed(sv_conf const *c, char const *statedir)
{
  char path[SV_PATH_MAX + 16], buf[32];
  sv_cron cron;
  char why[96];
  int64_t last = 0;
  ssize_t r;
  time_t next;
  if (!c->res.schedule || !c->res.persistent || !sv_cron_parse(&cron, c->res.schedule, why, sizeof why)) return 0;
  lastrun_path(path, statedir);
  r = openreadnclose(path, buf, sizeof buf - 1);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (char const *p = buf; *p >= '0' && *p <= '9'; p++)
    last = last * 10 + (*p - '0');
  if (last <= 0) return 0;
  next = sv_cron_next(&cron, (time_t)last);
  return next && next <= time(0);
}

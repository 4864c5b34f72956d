/* SPEC §9 health checks: S/check (or healthcheck=) every healthinterval,
   killed with its process group after healthtimeout; its output is read
   through a pipe in supervise's event loop, the first line kept (at most
   SV_ERR_MAX bytes), the rest read and dropped, so a check printing
   megabytes costs no memory and never blocks supervise. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/djbunix.h>

#include "supervise.h"
#include "sv_clock.h"
#include "sv_str.h"

static int active;     /* the current run has a check */
static pid_t chk;      /* the check running, 0 when none */
static int outfd = -1; /* its output, read end */
static int repfd = -1; /* its exec report */
static int timedout;
static char line[SV_ERR_MAX]; /* first line of this check's output */
static size_t linelen;
static int linedone;
static uint64_t t_next, t_killc, period_end, interval_ms, timeout_ms;
static unsigned fails, retries;
static int passed;
static enum sv_health hstate;
static char hlog[SV_ERR_MAX];

int health_configured(sv_conf const *c) { return c->healthcheck || access("check", F_OK) == 0; }

static void close_fds(void)
{
  if (outfd >= 0) {
    fd_close(outfd);
    outfd = -1;
  }
  if (repfd >= 0) {
    fd_close(repfd);
    repfd = -1;
  }
}

static void kill_check(void)
{
  if (!chk) return;
  if (kill(-chk, SIGKILL) < 0) kill(chk, SIGKILL);
}

void health_begin(sv_conf const *c, uint64_t now)
{
  health_end();
  active = health_configured(c);
  hstate = active ? SV_HEALTH_STARTING : SV_HEALTH_NONE;
  if (!active) return;
  interval_ms = c->healthinterval_ms;
  timeout_ms = c->healthtimeout_ms;
  retries = c->healthretries;
  fails = 0;
  passed = 0;
  period_end = now + c->healthstartperiod_ms;
  /* the first check once the run is past startsecs (or one interval, if shorter) */
  t_next = now + (c->startsecs_ms < interval_ms ? c->startsecs_ms : interval_ms);
  if (t_next == now) t_next++;
}

void health_end(void)
{
  /* a check left running is killed with its group; SIGCHLD reaps it later */
  kill_check();
  chk = 0;
  close_fds();
  active = 0;
  t_next = t_killc = 0;
  hstate = SV_HEALTH_NONE;
}

uint64_t health_deadline(void)
{
  if (!active) return 0;
  return chk ? t_killc : t_next;
}

int health_fd(void) { return outfd; }

void health_read(void)
{
  char buf[4096];
  /* at most 64 KiB a turn: a check flooding its output never starves the loop */
  for (unsigned turn = 0; turn < 16 && outfd >= 0; turn++) {
    ssize_t r = read(outfd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      r = 0;
    }
    if (!r) {
      fd_close(outfd);
      outfd = -1;
      return;
    }
    for (ssize_t i = 0; i < r && !linedone; i++) {
      unsigned char ch = (unsigned char)buf[i];
      if (ch == '\n') {
        if (linelen) linedone = 1;
        continue;
      }
      if (ch == '\r' && !linelen) continue;
      if (linelen + 1 >= sizeof line) {
        linedone = 1;
        break;
      }
      /* the status file is line-based: no control bytes in it */
      line[linelen++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
  }
}

static int evaluate(int ok, char const *why)
{
  uint64_t now = sv_now_ms();
  enum sv_health before = hstate;
  t_next = now + interval_ms;
  if (ok) {
    fails = 0;
    hstate = SV_HEALTH_HEALTHY;
    if (!passed) {
      passed = 1;
      return HEALTH_FIRSTPASS;
    }
    return before != hstate ? HEALTH_CHANGED : HEALTH_NOTHING;
  }
  line[linelen] = 0;
  sv_strjoin(hlog, sizeof hlog, linelen ? line : why, (char *)0);
  /* failures during healthstartperiod do not count, until a check passed */
  if (!passed && now < period_end) return HEALTH_CHANGED;
  if (++fails < retries) return HEALTH_CHANGED;
  hstate = SV_HEALTH_UNHEALTHY;
  return before != SV_HEALTH_UNHEALTHY ? HEALTH_UNHEALTHY : HEALTH_CHANGED;
}

int health_timer(sv_conf const *c, char const *svpath, int instance, uint64_t now)
{
  if (!active) return HEALTH_NOTHING;
  if (chk) {
    if (t_killc && now >= t_killc) {
      t_killc = 0;
      timedout = 1;
      kill_check();
    }
    return HEALTH_NOTHING;
  }
  if (!t_next || now < t_next) return HEALTH_NOTHING;
  {
    int p[2];
    char err[SV_ERR_MAX];
    t_next = 0;
    linelen = 0;
    linedone = 0;
    timedout = 0;
    if (pipecoe(p) < 0) return evaluate(0, "unable to create pipe for the check");
    chk = spawn_check(c, svpath, instance, p[1], &repfd, err);
    fd_close(p[1]);
    if (!chk) {
      fd_close(p[0]);
      return evaluate(0, err);
    }
    ndelay_on(p[0]);
    outfd = p[0];
    t_killc = now + timeout_ms;
  }
  return HEALTH_NOTHING;
}

int health_reaped(pid_t pid, int wstat)
{
  char why[SV_ERR_MAX], num[22];
  int ok;
  if (!pid || pid != chk) return -1;
  /* whatever it left behind in its group goes with it */
  kill(-pid, SIGKILL);
  chk = 0;
  t_killc = 0;
  if (outfd >= 0) health_read();
  if (outfd >= 0) {
    fd_close(outfd);
    outfd = -1;
  }
  why[0] = 0;
  if (repfd >= 0) {
    char err[SV_ERR_MAX];
    if (!spawn_report(repfd, err)) sv_strjoin(why, sizeof why, err, (char *)0);
    repfd = -1;
  }
  ok = !why[0] && !timedout && WIFEXITED(wstat) && !WEXITSTATUS(wstat);
  if (why[0])
    linelen = 0; /* the exec failure says it best */
  else if (timedout) {
    linelen = 0;
    sv_strjoin(why, sizeof why, "check timed out after ", sv_u64(num, (timeout_ms + 999) / 1000), "s", (char *)0);
  } else if (WIFSIGNALED(wstat))
    sv_strjoin(why, sizeof why, "check killed by signal ", sv_u64(num, (uint64_t)WTERMSIG(wstat)), (char *)0);
  else
    sv_strjoin(why, sizeof why, "check exited ", sv_u64(num, (uint64_t)WEXITSTATUS(wstat)), (char *)0);
  return evaluate(ok, why);
}

enum sv_health health_state(void) { return hstate; }

char const *health_log(void) { return hlog; }

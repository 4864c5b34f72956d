/* supervise's process-level work: starting run, S/stop and finish,
   reaping and telling the machine which of its processes ended, the
   readiness pipe, the old run's leftovers and the kill timers.  What a
   process's end means is the machine's business (machine.c). */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>

#include "sv_clock.h"
#include "sv_proc.h"
#include "machine.h"

int notiffd = -1;
int pidfd = -1;
int reportfd = -1;
/* read in the event loop, as finish's child may block before exec (user lookup) */
int finreportfd = -1;
char execerr[SV_ERR_MAX];
pid_t leftover;
pid_t hookpid;
outfds outs = {-1, -1};

static int hookreportfd = -1;
/* deadlines on the boot clock, in ms; 0 = unset */
static uint64_t t_finish_kill, t_leftover, t_recheck, t_hook;

int settled(void) { return !st.pid && !st.finish && !leftover && !hookpid; }

void signal_group(pid_t pgid, int sig)
{
  if (kill(-pgid, sig) < 0) kill(pgid, sig);
}

void signal_stop(void)
{
  signal_group(st.pid, conf->stopsignal);
  if (conf->stopsignal != SIGCONT && conf->stopsignal != SIGKILL) signal_group(st.pid, SIGCONT);
}

/* ---- starting ---- */

pid_t procs_spawn(char *err)
{
  if (!outputs_prepare(conf, &outs.out, &outs.err, err)) return 0;
  cgroup_prepare(conf, svpath, instance, svname);
  watchdog_prepare(conf, statefd, svpath, statedir, svname);
  notify_prepare(conf, statefd, svpath, statedir, cgroup_leaf(svpath, instance), svname, &st);
  return spawn_run(conf, svpath, instance, &outs, &notiffd, &reportfd, err);
}

int procs_start_hook(void)
{
  char err[SV_ERR_MAX];
  if (access("stop", X_OK) < 0) return 0;
  hookpid = spawn_hook(conf, svpath, "stop", instance, &outs, &hookreportfd, err);
  if (!hookpid) {
    strerr_warnw(svname, ": ", err);
    return 0;
  }
  /* bounded by stopwaitsecs, as the signal after it is */
  t_hook = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
  return 1;
}

void procs_hook_gone(void)
{
  char err[SV_ERR_MAX];
  if (hookreportfd >= 0 && !spawn_report(hookreportfd, err)) strerr_warnw(svname, ": ", err);
  hookreportfd = -1;
  hookpid = 0;
  t_hook = 0;
}

void procs_start_finish(int known, int wstat)
{
  char err[SV_ERR_MAX];
  if (access("finish", F_OK) < 0) return;
  st.finish = spawn_finish(conf, svpath, svname, instance, &outs, known, wstat, &finreportfd, err);
  /* timeout-finish=0: never killed, as in s6 */
  if (st.finish && conf->finish_timeout_ms) t_finish_kill = sv_now_ms() + conf->finish_timeout_ms;
  if (!st.finish) strerr_warnw(svname, ": ", err);
}

/* a finish that could not be executed: only logged, the service goes on */
void procs_finish_report(void)
{
  char err[SV_ERR_MAX];
  int r = spawn_report(finreportfd, err);
  if (r < 0) return;
  finreportfd = -1;
  if (!r) strerr_warnw(svname, ": ", err);
}

void procs_finish_gone(void)
{
  /* the child is gone: its report, if any, is all there */
  if (finreportfd >= 0) procs_finish_report();
  st.finish = 0;
  t_finish_kill = 0;
}

/* on a failure the child exits: the machine hears why with E_EXITED */
void procs_report(void)
{
  int r = spawn_report(reportfd, execerr);
  if (r < 0) return;
  reportfd = -1;
}

int procs_run_execd(void)
{
  if (reportfd >= 0) {
    /* the child is gone: its report, if any, is all there */
    if (spawn_report(reportfd, execerr) == 1) execerr[0] = 0;
    reportfd = -1;
  }
  return !execerr[0];
}

/* ---- the old run's process group ---- */

/* does a live (not zombie) process remain in group pgid? kill(-pgid, 0)
   also succeeds for zombies, which an adopted run leaves to its reaper */
static int group_alive(pid_t pgid)
{
  DIR *d;
  struct dirent *e;
  int alive = 0;
  if (kill(-pgid, 0) < 0) return 0;
  d = opendir("/proc");
  if (!d) return 1;
  while (!alive && (e = readdir(d))) {
    sv_procstat p;
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    if (sv_procstat_read(e->d_name, &p) && !sv_procstat_dead(&p) && p.pgrp == pgid) alive = 1;
  }
  closedir(d);
  return alive;
}

static void sweep_group(pid_t pgid, int adopted)
{
  /* the cgroup also holds what left the group (setsid daemons) */
  if (!group_alive(pgid) && !cgroup_populated()) return;
  /* an adopted run's group are not our children: no SIGCHLD tells of them */
  if (adopted) t_recheck = sv_now_ms() + 250;
  /* the run left children behind in its group: they go with it */
  kill(-pgid, conf->stopsignal);
  kill(-pgid, SIGCONT);
  cgroup_signal(conf->stopsignal);
  cgroup_signal(SIGCONT);
  leftover = pgid;
  /* after a stop, the deadline already running; else a fresh stopwaitsecs */
  t_leftover = t_kill ? t_kill : sv_now_ms() + (conf->stopwait_ms == SV_NEVER ? 10000 : conf->stopwait_ms);
}

void procs_run_gone(pid_t pid, int known)
{
  if (notiffd >= 0) {
    fd_close(notiffd);
    notiffd = -1;
  }
  if (pidfd >= 0) {
    fd_close(pidfd);
    pidfd = -1;
  }
  if (pid) sweep_group(pid, !known);
}

void procs_check_leftover(void)
{
  int wstat;
  if (!leftover) return;
  /* our zombies in that group first: gone means gone from /proc too */
  while (waitpid(-leftover, &wstat, WNOHANG) > 0)
    ;
  if (group_alive(leftover) || cgroup_populated()) return;
  leftover = 0;
  t_leftover = t_recheck = 0;
  machine_dispatch(E_LEFTOVER_GONE);
}

/* ---- reaping: each pid to the event it means ---- */

void procs_reap(void)
{
  int others = 0;
  for (;;) {
    int wstat;
    pid_t r = wait_nohang(&wstat);
    if (r <= 0) break;
    if (r == st.pid && pidfd < 0)
      machine_exited(1, wstat);
    else if (r == st.finish)
      machine_dispatch(E_FINISH_EXITED);
    else if (hookpid && r == hookpid)
      machine_dispatch(E_HOOK_EXITED);
    else if (!events_reaped(r, wstat)) {
      int h = health_reaped(r, wstat);
      if (h >= 0)
        machine_health(h);
      else if (!outputs_reaped(r, wstat))
        others = 1;
    }
  }
  if (others) procs_check_leftover();
}

/* ---- readiness ---- */

void procs_notification(void)
{
  char buf[512];
  ssize_t r = read(notiffd, buf, sizeof buf);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r > 0 && !memchr(buf, '\n', (size_t)r)) return;
  /* watchdog=: every newline is a heartbeat, so the pipe stays open */
  if (r > 0 && watchdog_enabled()) {
    watchdog_beat();
    if (!st.ready) machine_dispatch(E_READY);
    return;
  }
  fd_close(notiffd);
  notiffd = -1;
  if (r <= 0) return; /* closed without a newline: never ready */
  machine_dispatch(E_READY);
}

void procs_notify(void)
{
  unsigned ev = notify_read(&st);
  if (ev & NOTIFY_BEAT) watchdog_beat();
  /* READY=1 counts while the run is up; not once it is going down */
  if ((ev & NOTIFY_READY) && (st.state == SV_STARTING || st.state == SV_RUNNING)) machine_dispatch(E_READY);
  if (ev & NOTIFY_STOPPING) machine_dispatch(E_SELFSTOP);
  /* armed in RUNNING only: elsewhere it is dropped */
  if ((ev & NOTIFY_TRIGGER) && watchdog_trigger()) machine_dispatch(E_WATCHDOG);
}

/* ---- adoption ---- */

int procs_adopt(pid_t pid)
{
#ifdef SYS_pidfd_open
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
  if (pidfd < 0) {
    /* no pidfd (old kernel): we cannot watch it, so stop it for good */
    strerr_warnw(svname, ": stopping pid left by a previous supervise");
    signal_group(pid, SIGKILL);
    return 0;
  }
  coe(pidfd);
  return 1;
}

/* ---- kill timers (and the event hooks') ---- */

uint64_t procs_deadline(void)
{
  uint64_t const ts[] = {t_finish_kill, t_leftover, t_recheck, t_hook, events_deadline()};
  uint64_t e = 0;
  for (unsigned i = 0; i < sizeof ts / sizeof *ts; i++)
    if (ts[i] && (!e || ts[i] < e)) e = ts[i];
  return e;
}

void procs_timers(uint64_t now)
{
  if (t_finish_kill && now >= t_finish_kill) {
    t_finish_kill = 0;
    if (st.finish) {
      strerr_warnw(svname, ": finish took too long, sending SIGKILL");
      signal_group(st.finish, SIGKILL);
    }
  }
  if (t_hook && now >= t_hook) {
    t_hook = 0;
    if (hookpid) {
      strerr_warnw(svname, ": stop hook took longer than stopwaitsecs, sending SIGKILL");
      signal_group(hookpid, SIGKILL);
    }
  }
  if (t_leftover && now >= t_leftover) {
    /* SIGKILL; our children's deaths wake us (we are their subreaper), the
       others' are looked for a little later */
    t_leftover = now + 1000;
    if (leftover) kill(-leftover, SIGKILL);
    cgroup_signal(SIGKILL);
    t_recheck = now + 100;
  }
  if (t_recheck && now >= t_recheck) {
    t_recheck = leftover ? now + 250 : 0;
    procs_check_leftover();
  }
  events_timer(now); /* §9: an event hook past timeout-event */
}

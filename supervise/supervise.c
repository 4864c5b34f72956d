/* supervise [-i INSTANCE] DIR: runs one service directory and keeps it
   in the state its control FIFO asks for.  See SPEC §2-§3. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include <skalibs/tai.h>

#include "sv_clock.h"
#include "sv_conf.h"
#include "sv_control.h"
#include "sv_status.h"
#include "sv_proc.h"
#include "sv_signals.h"
#include "sv_statedir.h"
#include "sv_str.h"
#include "sv_svdir.h"
#include "supervise.h"
#include "sv_version.h"

#define USAGE "supervise [-i instance] dir"

char const *PROG = "supervise";

/* the conf the current run started with; trystart reloads it, and a run
   only ever starts from a conf that loaded whole */
static sv_conf conf_loaded;
static sv_conf *const conf = &conf_loaded;

static sv_status st = SV_STATUS_ZERO;
static char svpath[SV_PATH_MAX]; /* absolute service directory */
static char statedir[SV_PATH_MAX];
static char svname[300];          /* NAME or NAME@i, for finish and messages */
static int instance = -1;

static int statefd = -1; /* the state directory: its files are made in it, never through a symlink */
static int ctlfd = -1;
static int sigfd = -1;
static int notiffd = -1;  /* readiness pipe, read end */
static int pidfd = -1;    /* an adopted run we are not the parent of */
static int reportfd = -1; /* the new run's exec report, until it exec'd or failed */
static int finreportfd = -1; /* the same for finish: read in the event loop, as
                                its child may block before exec (user lookup) */
static char execerr[SV_ERR_MAX]; /* why the new run could not exec */
static pid_t leftover;    /* process group left behind by a run that exited */
static pid_t hookpid;     /* S/stop running before the stop signal, 0 when none */
static int hookreportfd = -1;
static outfds outs = { -1, -1 };

/* deadlines on the boot clock, in ms; 0 = unset */
static uint64_t t_running, t_kill, t_start, t_finish_kill, t_leftover, t_recheck, t_hook;
static uint64_t t_status; /* the status file could not be written: the next try */
static uint64_t first_failure_ms;

static struct {
  unsigned exit : 1;      /* x: exit once down */
  unsigned autostart : 1; /* the pending start is an automatic restart */
  unsigned unhealthy : 1; /* stopping for onunhealthy=restart: a failed start */
} flag;

/* ---- status ---- */

/* status writes so far: handle_control does not write again what a
   command's own handler just wrote (a rename is the dearest step of svc -r) */
static unsigned announced;

static void announce(void)
{
  announced++;
  st.supervisor = getpid();
  st.health = health_state();
  sv_strjoin(st.healthlog, sizeof st.healthlog, health_log(), (char *)0);
  if (sv_status_writeat(statefd, &st)) {
    if (t_status) strerr_warni("wrote ", svpath, "/", statedir, "/status again");
    t_status = 0;
  } else {
    /* a read-only or full state directory, EMFILE: one warning, then the
       latest status again every second until it is written (handle_timers) */
    if (!t_status)
      strerr_warnw("unable to write ", svpath, "/", statedir, "/status: ", strerror(errno), " (retrying every second)");
    t_status = sv_now_ms() + 1000;
  }
  events_publish(&st);
}

static void set_state(enum sv_state s)
{
  st.state = s;
  st.since_ms = sv_now_ms();
  if (s != SV_FATAL && s != SV_BACKOFF) st.reason[0] = 0;
  watchdog_state(s); /* §9: armed in RUNNING only */
}

/* readiness is notified (notification-fd, notify=systemd), not assumed */
static int notified_ready(void)
{
  return conf->notification_fd >= 0 || conf->notify == SV_NOTIFY_SYSTEMD;
}

static int has_file(char const *name)
{
  return access(name, F_OK) == 0;
}

/* ---- starting ---- */

static void fail_start(char const *why);
static void proceed(void);

/* reloads conf: 1 ok, 0 bad (FATAL with the reason), -1 unreadable for
   now (EMFILE...: err says why; a failed start, retried) */
static int reload_conf(char *err)
{
  int r = sv_conf_load(conf, ".", err);
  if (r < 0) return -1;
  if (!r) {
    strerr_warnw(svpath, "/", err);
    set_state(SV_FATAL);
    sv_strjoin(st.reason, sizeof st.reason, err, (char *)0);
    return 0;
  }
  if (!conf->has_run && !conf->command) {
    strerr_warnw("unable to start ", svpath, ": no run file and no command= in conf");
    set_state(SV_FATAL);
    sv_strjoin(st.reason, sizeof st.reason, "no run file and no command= in conf", (char *)0);
    return 0;
  }
  return 1;
}

/* depends= not met (d 0) or bad (d -1): STOPPED waiting, or FATAL */
static void wait_depends(int d, char const *why)
{
  flag.autostart = 0;
  if (d < 0) {
    strerr_warnw(svname, ": ", why);
    set_state(SV_FATAL);
  } else {
    /* each change of a dependency's status brings us here: announce news only */
    if (st.state == SV_STOPPED && !strcmp(st.reason, why)) return;
    set_state(SV_STOPPED);
  }
  sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
  announce();
}

static void trystart(void)
{
  uint64_t now;
  pid_t pid;
  char err[SV_ERR_MAX];
  t_start = 0;
  switch (reload_conf(err)) {
    case -1: flag.autostart = 0; fail_start(err); return;
    case 0: flag.autostart = 0; announce(); return;
    default: break;
  }
  {
    int d = depends_check(conf, svpath, err);
    if (d <= 0) { wait_depends(d, err); return; }
  }
  if (!outputs_prepare(conf, &outs.out, &outs.err, err)) {
    flag.autostart = 0;
    fail_start(err);
    return;
  }
  cgroup_prepare(conf, svpath, instance, svname);
  watchdog_prepare(conf, statefd, svpath, statedir, svname);
  notify_prepare(conf, statefd, svpath, statedir, instance, svname, &st);
  pid = spawn_run(conf, svpath, instance, &outs, &notiffd, &reportfd, err);
  if (flag.autostart && pid) st.restarts++;
  flag.autostart = 0;
  if (!pid) {
    fail_start(err);
    return;
  }
  now = sv_now_ms();
  st.pid = pid;
  st.pidstart = sv_pid_starttime(pid);
  st.started_ms = now;
  st.starts++;
  st.ready = 0;
  set_state(SV_STARTING);
  t_running = now + conf->startsecs_ms;
  health_begin(conf, now);
  /* with a check and no notification-fd, the first passing check makes it RUNNING */
  if (!conf->startsecs_ms && !(health_configured(conf) && !notified_ready())) {
    t_running = 0;
    set_state(SV_RUNNING);
    if (!notified_ready()) st.ready = 1;
  }
  /* announced once the child has exec'd (handle_report): svc -w u must not
     see a run that is about to fail */
}

static void handle_report(void)
{
  int r = spawn_report(reportfd, execerr);
  if (r < 0) return;
  reportfd = -1;
  /* on a failure the child exits: on_run_exit tells why */
  if (r == 1) announce();
}

/* after x, nothing starts by itself any more: supervise is on its way out */
static int want_running(void)
{
  return !flag.exit && (st.want == SV_WANT_UP || st.want == SV_WANT_ONCE);
}

/* no run, no finish, nothing left of the old run's process group */
static int settled(void)
{
  return !st.pid && !st.finish && !leftover && !hookpid;
}

/* ---- stopping ---- */

static void signal_group(pid_t pgid, int sig)
{
  if (kill(-pgid, sig) < 0) kill(pgid, sig);
}

/* S/stop, if executable: 1 started (the stop signal waits for it) */
static int start_hook(void)
{
  char err[SV_ERR_MAX];
  if (access("stop", X_OK) < 0) return 0;
  hookpid = spawn_hook(conf, svpath, "stop", instance, &outs, &hookreportfd, err);
  if (!hookpid) { strerr_warnw(svname, ": ", err); return 0; }
  /* bounded by stopwaitsecs, as the signal after it is */
  t_hook = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
  return 1;
}

static void stop(void)
{
  int again = st.state == SV_STOPPING;
  if (!st.pid) return;
  if (!again && start_hook()) {
    set_state(SV_STOPPING);
    t_running = 0;
    announce();
    return;
  }
  if (hookpid) return; /* the signal follows the hook */
  signal_group(st.pid, conf->stopsignal);
  if (conf->stopsignal != SIGCONT && conf->stopsignal != SIGKILL) signal_group(st.pid, SIGCONT);
  /* a second d resends the signal but keeps the SIGKILL deadline */
  if (again) return;
  set_state(SV_STOPPING);
  t_running = 0;
  t_kill = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
  announce();
}

/* the stop hook is done (or was killed): now the stop signal */
static void on_hook_exit(void)
{
  char err[SV_ERR_MAX];
  if (hookreportfd >= 0 && !spawn_report(hookreportfd, err)) strerr_warnw(svname, ": ", err);
  hookreportfd = -1;
  hookpid = 0;
  t_hook = 0;
  if (st.pid && st.state == SV_STOPPING) {
    signal_group(st.pid, conf->stopsignal);
    if (conf->stopsignal != SIGCONT && conf->stopsignal != SIGKILL) signal_group(st.pid, SIGCONT);
    t_kill = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
    announce();
  } else proceed();
}

/* ---- after the run ends ---- */

/* backoff=0 still never spins: starts are at least this far apart (at
   most 50 a second), whatever the conf says */
#define RESTART_MIN_MS 20

static uint64_t backoff_base(void)
{
  return conf->backoff_ms > RESTART_MIN_MS ? conf->backoff_ms : RESTART_MIN_MS;
}

static uint64_t backoff_delay(unsigned failures)
{
  uint64_t d = backoff_base();
  while (--failures && d < conf->backoffmax_ms) d *= 2;
  return d < conf->backoffmax_ms || conf->backoffmax_ms < RESTART_MIN_MS ? d : conf->backoffmax_ms;
}

static int should_restart(void)
{
  if (st.want != SV_WANT_UP || flag.exit) return 0;
  switch (conf->autorestart) {
    case SV_RESTART_ALWAYS: return 1;
    case SV_RESTART_NEVER: return 0;
    default: return st.lastexit_kind != SV_EXIT_CODE || !sv_conf_expected(conf, st.lastexit);
  }
}

static void go_fatal(char const *last)
{
  char span[48], num[21];
  uint64_t secs = (sv_now_ms() - first_failure_ms + 999) / 1000;
  if (secs < 60) { sv_u64(span, secs); strcat(span, "s"); }
  else sv_fmt_duration(span, secs);
  set_state(SV_FATAL);
  sv_strjoin(st.reason, sizeof st.reason, "Exited too quickly: ", sv_u64(num, st.failures), " starts in ", span,
             ", last ", last, has_file("log") || conf->stdout_dest ? " (see log)" : "", (char *)0);
  strerr_warnw(svname, ": ", st.reason);
}

/* a run that ended before startsecs, or that could not be executed */
static void count_failure(char const *last)
{
  uint64_t now = sv_now_ms();
  if (!st.failures++) first_failure_ms = st.started_ms ? st.started_ms : now;
  /* as supervisord: startretries=N is N retries after the first failed start */
  if (conf->startretries != SV_RETRIES_INFINITE && st.failures > conf->startretries) {
    go_fatal(last);
    return;
  }
  set_state(SV_BACKOFF);
  st.until_ms = now + backoff_delay(st.failures);
  t_start = st.until_ms;
  flag.autostart = 1;
}

static void fail_start(char const *why)
{
  st.lastexit_kind = SV_EXIT_NONE;
  st.started_ms = 0;
  if (st.want != SV_WANT_UP) {
    set_state(SV_FATAL);
    sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
  } else {
    count_failure(why);
    if (st.state == SV_BACKOFF) sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
    else sv_strjoin(st.reason + strlen(st.reason), sizeof st.reason - strlen(st.reason), "; ", why, (char *)0);
  }
  strerr_warnw(svname, ": ", why);
  announce();
}

/* decides the state after a run that ended by itself */
static void settle_exit(void)
{
  char last[32];
  uint64_t now = sv_now_ms(), earliest;
  int failed = st.state == SV_STARTING;
  sv_lastexit_fmt(last, &st);
  if (!should_restart()) {
    set_state(SV_EXITED);
    if (st.want == SV_WANT_ONCE) st.want = SV_WANT_DOWN;
    return;
  }
  if (failed) {
    count_failure(last);
    return;
  }
  st.failures = 0;
  /* never faster than one start per backoff, even with startsecs=0 */
  earliest = st.started_ms + backoff_base();
  set_state(SV_BACKOFF);
  st.until_ms = earliest > now ? earliest : now;
  t_start = st.until_ms;
  flag.autostart = 1;
}

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

/* §9: the run the watchdog stopped is gone: restart per policy, and a
   failed start for backoff and startretries */
static void after_watchdog(void)
{
  char why[SV_ERR_MAX];
  flag.unhealthy = 0;
  sv_strjoin(why, sizeof why, watchdog_reason(), (char *)0);
  if (should_restart()) count_failure(why);
  else {
    set_state(SV_EXITED);
    if (st.want == SV_WANT_ONCE) st.want = SV_WANT_DOWN;
  }
  if (st.state != SV_FATAL) sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
  announce();
}

/* once the run, its finish and its leftovers are all gone: STOPPED, or the
   start that u, o or r asked for meanwhile */
static void proceed(void)
{
  if (!settled()) { announce(); return; }
  cgroup_remove();
  if (st.state == SV_STOPPING) {
    if (watchdog_take_fired()) { after_watchdog(); return; }
    if (flag.unhealthy && want_running()) {
      /* onunhealthy=restart: a failed start, for backoff and startretries */
      char why[SV_ERR_MAX];
      flag.unhealthy = 0;
      sv_strjoin(why, sizeof why, "unhealthy: ", health_log(), (char *)0);
      count_failure(why);
      if (st.state == SV_BACKOFF) sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
      announce();
      return;
    }
    flag.unhealthy = 0;
    if (want_running()) { trystart(); return; }
    set_state(SV_STOPPED);
  }
  announce();
}

/* a child that was neither run nor finish died: maybe the last of the old group */
static void check_leftover(void)
{
  int wstat;
  if (!leftover) return;
  /* our zombies in that group first: gone means gone from /proc too */
  while (waitpid(-leftover, &wstat, WNOHANG) > 0) ;
  if (group_alive(leftover) || cgroup_populated()) return;
  leftover = 0;
  t_leftover = t_recheck = 0;
  proceed();
}

/* a run that could not exec: a failed start with the child's reason */
static void on_exec_failure(void)
{
  t_running = t_kill = 0;
  st.pid = 0;
  st.pidstart = 0;
  st.ready = 0;
  health_end();
  if (notiffd >= 0) { fd_close(notiffd); notiffd = -1; }
  fail_start(execerr);
  execerr[0] = 0;
}

static void on_run_exit(int known, int wstat)
{
  pid_t pid = st.pid;
  /* after STOPPING=1 (notify=systemd) the exit is the run's own */
  int stopped = st.state == SV_STOPPING && !notify_selfstop();
  if (reportfd >= 0) {
    /* the child is gone: its report, if any, is all there */
    if (spawn_report(reportfd, execerr) == 1) execerr[0] = 0;
    reportfd = -1;
  }
  if (execerr[0]) { on_exec_failure(); return; }
  st.pid = 0;
  st.pidstart = 0;
  st.ready = 0;
  t_running = t_kill = 0;
  health_end();
  if (notiffd >= 0) { fd_close(notiffd); notiffd = -1; }
  if (pidfd >= 0) { fd_close(pidfd); pidfd = -1; }
  if (!known) st.lastexit_kind = SV_EXIT_NONE;
  else if (WIFSIGNALED(wstat)) { st.lastexit_kind = SV_EXIT_SIGNAL; st.lastexit = WTERMSIG(wstat); }
  else { st.lastexit_kind = SV_EXIT_CODE; st.lastexit = WEXITSTATUS(wstat); }
  sweep_group(pid, !known);
  if (!stopped) settle_exit();
  if (has_file("finish")) {
    char err[SV_ERR_MAX];
    st.finish = spawn_finish(conf, svpath, svname, instance, &outs, known, wstat, &finreportfd, err);
    /* timeout-finish=0: never killed, as in s6 */
    if (st.finish && conf->finish_timeout_ms) t_finish_kill = sv_now_ms() + conf->finish_timeout_ms;
    if (!st.finish) strerr_warnw(svname, ": ", err);
  }
  /* a stop asked for stays STOPPING until finish and leftovers are gone */
  if (stopped) { proceed(); return; }
  /* a restart due now starts now: no BACKOFF flash in the status file */
  if (st.state == SV_BACKOFF && settled() && t_start <= sv_now_ms()) {
    trystart();
    return;
  }
  if (settled()) cgroup_remove();
  announce();
}

/* a finish that could not be executed: only logged, the service goes on */
static void handle_finish_report(void)
{
  char err[SV_ERR_MAX];
  int r = spawn_report(finreportfd, err);
  if (r < 0) return;
  finreportfd = -1;
  if (!r) strerr_warnw(svname, ": ", err);
}

static void on_finish_exit(void)
{
  /* the child is gone: its report, if any, is all there */
  if (finreportfd >= 0) handle_finish_report();
  st.finish = 0;
  t_finish_kill = 0;
  proceed();
}

static void do_down(void);

/* what a health check's end (or a timer) means for the service */
static void health_outcome(int o)
{
  switch (o) {
    case HEALTH_CHANGED: announce(); break;
    case HEALTH_FIRSTPASS:
      if (st.state == SV_STARTING && !notified_ready()) {
        t_running = 0;
        set_state(SV_RUNNING);
        st.ready = 1;
        st.failures = 0;
      }
      announce();
      break;
    case HEALTH_UNHEALTHY:
      strerr_warnw(svname, ": unhealthy: ", health_log());
      if (!st.pid || st.state == SV_STOPPING || conf->onunhealthy == SV_UNHEALTHY_NONE) { announce(); break; }
      if (conf->onunhealthy == SV_UNHEALTHY_STOP) { do_down(); break; }
      t_start = 0;
      stop();
      flag.unhealthy = 1;
      break;
    default: break;
  }
}

static void reap(void)
{
  int others = 0;
  for (;;) {
    int wstat;
    pid_t r = wait_nohang(&wstat);
    if (r <= 0) break;
    if (r == st.pid && pidfd < 0) on_run_exit(1, wstat);
    else if (r == st.finish) on_finish_exit();
    else if (hookpid && r == hookpid) on_hook_exit();
    else {
      int h = health_reaped(r, wstat);
      if (h >= 0) health_outcome(h);
      else if (!outputs_reaped(r, wstat) && !events_reaped(r, wstat)) others = 1;
    }
  }
  if (others) check_leftover();
}

/* ---- control ---- */

static void clear_failure(void)
{
  st.failures = 0;
  st.reason[0] = 0;
  if (st.state == SV_FATAL || st.state == SV_BACKOFF) set_state(SV_STOPPED);
}

static void start_soon(void)
{
  flag.autostart = 0;
  if (!settled()) t_start = sv_now_ms(); /* once finish and leftovers are gone */
  else trystart();
}

static void do_up(void)
{
  st.want = SV_WANT_UP;
  if (st.pid) { announce(); return; }
  /* as supervisorctl start: a service waiting in BACKOFF starts now */
  clear_failure();
  start_soon();
}

static void do_down(void)
{
  st.want = SV_WANT_DOWN;
  flag.unhealthy = 0;
  t_start = 0;
  depends_cancel();
  if (st.state == SV_STOPPED) st.reason[0] = 0; /* no longer waiting for anything */
  if (st.pid) { stop(); return; }
  if (st.state != SV_EXITED && st.state != SV_STOPPED) set_state(SV_STOPPED);
  announce();
}

static void do_once(void)
{
  st.want = SV_WANT_ONCE;
  t_start = 0;
  if (st.pid) { announce(); return; }
  clear_failure();
  start_soon();
}

static void do_restart(void)
{
  st.want = SV_WANT_UP;
  flag.unhealthy = 0;
  if (st.pid) {
    t_start = 0;
    stop();
    return;
  }
  clear_failure();
  start_soon();
}

static void handle_command(char c)
{
  int sig;
  switch (c) {
    case 'u': do_up(); break;
    case 'd': do_down(); break;
    case 'o': do_once(); break;
    case 'r': do_restart(); break;
    case 'x': flag.exit = 1; break;
    default:
      sig = sv_control_signal(c);
      if (sig && st.pid) kill(st.pid, sig);
      break; /* unknown bytes are ignored, as SPEC §3 says */
  }
}

static void handle_control(void)
{
  char buf[256];
  for (;;) {
    ssize_t r = read(ctlfd, buf, sizeof buf);
    if (r <= 0) {
      if (r < 0 && errno != EAGAIN && errno != EINTR) strerr_warnwusys("read ", statedir, "/control");
      return;
    }
    int wrote = 0;
    /* commands= counts each command before its handler runs, so that a
       handler's own write already tells svc -w that its command was seen */
    for (ssize_t i = 0; i < r; i++) {
      unsigned before = announced;
      st.commands++;
      handle_command(buf[i]);
      wrote = announced != before;
    }
    /* else whatever the last command changed (perhaps nothing) goes out
       now; a run just forked is announced by handle_report, once it exec'd */
    if (reportfd < 0 && !wrote) announce();
  }
}

static void become_ready(void)
{
  st.ready = 1;
  /* readiness proves the start: no need to wait for startsecs */
  if (st.state == SV_STARTING) { t_running = 0; set_state(SV_RUNNING); }
}

static void handle_notification(void)
{
  char buf[512];
  ssize_t r = read(notiffd, buf, sizeof buf);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r > 0 && !memchr(buf, '\n', (size_t)r)) return;
  /* watchdog=: every newline is a heartbeat, so the pipe stays open */
  if (r > 0 && watchdog_enabled()) {
    watchdog_beat();
    if (st.ready) return;
  } else {
    fd_close(notiffd);
    notiffd = -1;
    if (r <= 0) return; /* closed without a newline: never ready */
  }
  become_ready();
  announce();
}

/* §9: a missed heartbeat: SIGABRT (a core of the hung process), then the
   stop sequence; after_watchdog decides once it is all gone */
static void on_watchdog(void)
{
  if (!st.pid || st.state != SV_RUNNING) return;
  strerr_warnw(svname, ": ", watchdog_reason());
  kill(notify_mainpid(&st), SIGABRT);
  t_start = 0;
  stop();
  sv_strjoin(st.reason, sizeof st.reason, watchdog_reason(), (char *)0);
  announce();
}

/* STOPPING=1: the run is going down by itself, within stopwaitsecs */
static void self_stop(void)
{
  if (st.state != SV_STARTING && st.state != SV_RUNNING) return;
  st.ready = 0;
  t_running = 0;
  set_state(SV_STOPPING);
  t_kill = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
}

/* datagrams on the notify socket (notify=systemd) */
static void on_notify(void)
{
  unsigned ev = notify_read(&st);
  if (ev & NOTIFY_BEAT) watchdog_beat();
  if ((ev & NOTIFY_READY) && (st.state == SV_STARTING || st.state == SV_RUNNING)) become_ready();
  if (ev & NOTIFY_STOPPING) self_stop();
  if ((ev & NOTIFY_TRIGGER) && watchdog_trigger()) { on_watchdog(); return; }
  if (ev & (NOTIFY_READY | NOTIFY_CHANGED | NOTIFY_STOPPING)) announce();
}

static void on_signal(int sig)
{
  switch (sig) {
    case SIGCHLD: reap(); break;
    case SIGTERM:
    case SIGINT: do_down(); flag.exit = 1; break;
    case SIGHUP: flag.exit = 1; break;
    default: break;
  }
}

/* ---- timers ---- */

static void handle_timers(void)
{
  uint64_t now = sv_now_ms();
  if (t_running && now >= t_running) {
    t_running = 0;
    if (st.state == SV_STARTING && !(health_configured(conf) && !notified_ready())) {
      set_state(SV_RUNNING);
      if (!notified_ready()) st.ready = 1;
      st.failures = 0;
      announce();
    }
  }
  if (t_kill && now >= t_kill) {
    t_kill = 0;
    if (st.pid) {
      strerr_warnw(svname, ": stopwaitsecs over, sending SIGKILL");
      signal_group(st.pid, SIGKILL);
      cgroup_signal(SIGKILL);
    }
  }
  if (t_finish_kill && now >= t_finish_kill) {
    t_finish_kill = 0;
    if (st.finish) { strerr_warnw(svname, ": finish took too long, sending SIGKILL"); signal_group(st.finish, SIGKILL); }
  }
  if (t_hook && now >= t_hook) {
    t_hook = 0;
    if (hookpid) { strerr_warnw(svname, ": stop hook took longer than stopwaitsecs, sending SIGKILL"); signal_group(hookpid, SIGKILL); }
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
    check_leftover();
  }
  if (t_status && now >= t_status) announce();
  outputs_timer(now);
  if (watchdog_timer(now)) on_watchdog();
  events_timer(now);
  health_outcome(health_timer(conf, svpath, instance, now));
  if (t_start && now >= t_start && settled() && want_running()) trystart();
}

static uint64_t earliest_deadline(void)
{
  uint64_t const ts[] = { t_running, t_kill, t_start, t_finish_kill, t_leftover, t_recheck, t_hook, t_status,
                          outputs_deadline(), health_deadline(), watchdog_deadline(), events_deadline() };
  uint64_t e = 0;
  for (unsigned i = 0; i < sizeof ts / sizeof *ts; i++)
    if (ts[i] && (!e || ts[i] < e)) e = ts[i];
  return e;
}

/* ---- setup ---- */

static void make_fifo(void)
{
  ctlfd = sv_control_listen_at(statefd);
  if (ctlfd >= 0) return;
  if (errno == EEXIST) strerr_dief(100, svpath, "/", statedir, "/control exists and is not a FIFO");
  strerr_diefusys(111, "listen on ", svpath, "/", statedir, "/control");
}

static void take_lock(void)
{
  int r;
  statefd = sv_statedir_open(statedir, 0755);
  if (statefd < 0 && errno == ELOOP) strerr_dief(100, "unable to open ", svpath, "/", statedir, ": a symlink not owned by root");
  if (statefd < 0) strerr_diefusys(111, "open ", svpath, "/", statedir);
  r = sv_lock_take_at(statefd);
  if (r < 0) strerr_diefusys(111, "lock ", svpath, "/", statedir, "/lock");
  if (!r) strerr_dief(100, "unable to lock ", svpath, "/", statedir, "/lock: another supervise is running on ", svpath);
}

static void open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
}

/* was this status written by us, in this boot, about a run we started:
   only then do its pid and pidstart name our service.  A status planted by
   whoever can write the service directory, or one from before a reboot
   (where pids and start times repeat), must never make us adopt, and
   later signal, somebody else's process */
static int status_trustworthy(sv_status const *old)
{
  struct stat s;
  char num[22];
  sv_procstat p;
  if (fstatat(statefd, "status", &s, AT_SYMLINK_NOFOLLOW) < 0) return 0;
  if (!S_ISREG(s.st_mode) || s.st_uid != geteuid()) return 0;
  if (old->boot[0] ? strcmp(old->boot, st.boot) != 0 : (uint64_t)s.st_mtime * 1000 < sv_wall_ms() - sv_now_ms()) return 0;
  /* a run is a session leader: supervise starts it with setsid */
  if (!sv_procstat_read(sv_i64(num, old->pid), &p) || p.session != old->pid) return 0;
  return old->pidstart && !sv_procstat_dead(&p) && p.starttime == old->pidstart;
}

/* a run left by a supervise that died: follow it if it is still the same
   process, so a service never runs twice */
static void adopt_or_forget(void)
{
  sv_status old;
  if (sv_status_read(statedir, &old) <= 0 || !old.pid) return;
  if (!status_trustworthy(&old)) return;
  open_pidfd(old.pid);
  if (pidfd < 0) {
    /* no pidfd (old kernel): we cannot watch it, so stop it for good */
    strerr_warnw(svname, ": stopping pid left by a previous supervise");
    signal_group(old.pid, SIGKILL);
    return;
  }
  coe(pidfd);
  cgroup_adopt(svpath, instance);
  st.pid = old.pid;
  st.pidstart = old.pidstart;
  st.started_ms = old.started_ms;
  st.restarts = old.restarts;
  st.starts = old.starts;
  st.commands = old.commands;
  st.ready = old.ready;
  st.state = old.state == SV_STARTING ? SV_STARTING : SV_RUNNING;
  st.since_ms = old.since_ms;
  st.want = old.want;
  if (st.state == SV_STARTING) t_running = sv_now_ms() + conf->startsecs_ms;
  /* a stop the old supervise began: begun again here, SIGKILL deadline and all */
  if (old.state == SV_STOPPING) stop();
  /* §9: the adopted run's NOTIFY_SOCKET and $SV_HEARTBEAT keep working */
  watchdog_prepare(conf, statefd, svpath, statedir, svname);
  notify_prepare(conf, statefd, svpath, statedir, instance, svname, &st);
  watchdog_state(st.state);
  strerr_warni(svname, ": adopted running pid left by a previous supervise");
}

static void parse_args(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  for (;;) {
    int opt = subgetopt_r(argc, argv, "i:", &l);
    if (opt == -1) break;
    if (opt == 'i') {
      unsigned i;
      size_t n = uint_scan(l.arg, &i);
      if (!n || l.arg[n] || i > 100000) strerr_dieusage(100, USAGE);
      instance = (int)i;
    } else strerr_dieusage(100, USAGE);
  }
  if (argc - l.ind != 1) strerr_dieusage(100, USAGE);
  if (chdir(argv[l.ind]) < 0) strerr_diefusys(111, "chdir to ", argv[l.ind]);
  if (!getcwd(svpath, sizeof svpath)) strerr_diefusys(111, "getcwd in ", argv[l.ind]);
  {
    char const *base = strrchr(svpath, '/');
    base = base && base[1] ? base + 1 : svpath;
    char num[22];
    if (strlen(base) > 250) base += strlen(base) - 250;
    sv_strjoin(svname, sizeof svname, base, instance >= 0 ? "@" : "", instance >= 0 ? sv_i64(num, instance) : "", (char *)0);
  }
  {
    char num[22];
    sv_strjoin(statedir, sizeof statedir, "supervise", instance >= 0 ? "@" : "", instance >= 0 ? sv_i64(num, instance) : "", (char *)0);
  }
}

static void setup_signals(void)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigfd = sv_signals_trap(&set);
  sig_ignore(SIGPIPE);
}

/* ---- schedule= ---- */

/* arms the timer; the status says when, on the boot clock */
static void arm_schedule(void)
{
  time_t next = schedule_arm(conf), now = time(0);
  st.next_ms = next ? sv_now_ms() + (uint64_t)(next > now ? next - now : 0) * 1000 : 0;
}

/* a scheduled time: as svc -o, unless the previous run still runs */
static void run_job(void)
{
  if (!settled() || st.state == SV_STOPPING) {
    st.skipped++;
    strerr_warnw(svname, ": previous run still running at the scheduled time: run skipped");
    announce();
    return;
  }
  schedule_ran(statedir);
  do_once();
  if (reportfd < 0) announce();
}

static void on_schedule(void)
{
  int due = schedule_fire();
  arm_schedule(); /* from now: a clock stepped across many times runs once */
  if (due) run_job();
  else announce();
}

/* conf_ok: main loaded conf whole (a bad one is reported by trystart) */
static void first_start(int conf_ok)
{
  if (conf_ok && conf->res.schedule) {
    /* a job: not started at boot, but at its times (and once now if
       persistent= and a time was missed) */
    arm_schedule();
    if (st.pid) { announce(); return; }
    st.want = SV_WANT_DOWN;
    set_state(SV_STOPPED);
    if (schedule_missed(conf, statedir)) run_job();
    else announce();
    return;
  }
  if (st.pid) { announce(); return; }
  if (conf_ok && !conf->autostart) {
    st.want = SV_WANT_DOWN;
    set_state(SV_STOPPED);
    announce();
    return;
  }
  st.want = SV_WANT_UP;
  trystart();
}

int main(int argc, char const *const *argv)
{
  iopause_fd x[10];
  sv_version_option(argc, argv);
  parse_args(argc, argv);
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard fds");
  take_lock();
  make_fifo();
  setup_signals();
  /* orphans of the service come back to us, so none is lost or left a zombie */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  tain_now_set_stopwatch_g();
  sv_boot_id(st.boot);
  events_init(statefd, conf, svpath, statedir, argv[argc - 1], svname, instance);
  {
    /* loaded before adoption: an adopted run is stopped with its own
       stopsignal and stopwaitsecs */
    char err[SV_ERR_MAX];
    int conf_ok = sv_conf_load(conf, ".", err) > 0;
    if (!conf_ok) sv_conf_defaults(conf);
    adopt_or_forget();
    first_start(conf_ok);
  }

  for (;;) {
    unsigned n = 2, inotif = 0, ipidfd = 0, ireport = 0, ifinreport = 0, ideps = 0, isched = 0, ihealth = 0, inotify = 0;
    tain deadline;
    int r;
    if (flag.exit && settled() && !events_draining()) break;
    x[0].fd = sigfd, x[0].events = IOPAUSE_READ;
    x[1].fd = ctlfd, x[1].events = IOPAUSE_READ;
    if (notiffd >= 0) { inotif = n; x[n].fd = notiffd; x[n++].events = IOPAUSE_READ; }
    if (pidfd >= 0) { ipidfd = n; x[n].fd = pidfd; x[n++].events = IOPAUSE_READ; }
    if (reportfd >= 0) { ireport = n; x[n].fd = reportfd; x[n++].events = IOPAUSE_READ; }
    if (finreportfd >= 0) { ifinreport = n; x[n].fd = finreportfd; x[n++].events = IOPAUSE_READ; }
    if (schedule_fd() >= 0) { isched = n; x[n].fd = schedule_fd(); x[n++].events = IOPAUSE_READ; }
    if (depends_fd() >= 0) { ideps = n; x[n].fd = depends_fd(); x[n++].events = IOPAUSE_READ; }
    if (health_fd() >= 0) { ihealth = n; x[n].fd = health_fd(); x[n++].events = IOPAUSE_READ; }
    if (notify_fd() >= 0) { inotify = n; x[n].fd = notify_fd(); x[n++].events = IOPAUSE_READ; }
    sv_deadline_g(&deadline, earliest_deadline());
    r = iopause_g(x, n, &deadline);
    if (r < 0) strerr_diefusys(111, "iopause");
    /* the exec report before SIGCHLD: a run that exec'd is announced first */
    if (ireport && reportfd >= 0 && x[ireport].revents) handle_report();
    if (ifinreport && finreportfd >= 0 && x[ifinreport].revents) handle_finish_report();
    if (x[0].revents & IOPAUSE_READ) sv_signals_each(&on_signal);
    if (x[1].revents & IOPAUSE_READ) handle_control();
    if (inotif && notiffd >= 0 && x[inotif].revents) handle_notification();
    if (ipidfd && pidfd >= 0 && x[ipidfd].revents) on_run_exit(0, 0);
    if (isched && x[isched].revents) on_schedule();
    if (ideps && x[ideps].revents) {
      /* a dependency's status changed: maybe the wait is over */
      depends_drain();
      if (depends_fd() >= 0 && want_running() && settled() && st.state == SV_STOPPED) trystart();
    }
    if (ihealth && health_fd() >= 0 && x[ihealth].revents) health_read();
    if (inotify && notify_fd() >= 0 && x[inotify].revents) on_notify();
    handle_timers();
  }
  outputs_close();
  {
    /* leftovers SIGKILLed a moment ago may be zombies not yet reaped: ours */
    int wstat;
    while (wait_nohang(&wstat) > 0) ;
  }
  announce();
  return 0;
}

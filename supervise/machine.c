/* supervise's behaviour as a table: for each internal state and each
   event, one function (or nothing).  Handlers change the record st and
   the deadlines; they never write the status file: supervise.c's
   publish() does, once per loop turn, when the record changed. */

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/strerr.h>

#include "sv_clock.h"
#include "sv_control.h"
#include "sv_str.h"
#include "machine.h"

uint64_t t_running, t_kill, t_start;
struct flags_s flag;

static uint64_t first_failure_ms;
/* E_EXITED's argument: the run's wait status, if known */
static struct {
  int known, wstat;
} ended;

enum mstate machine_state(void)
{
  if (st.pid) {
    if (st.state == SV_STOPPING) return hookpid ? M_STOPHOOK : notify_selfstop() ? M_SELFSTOP : M_STOPPING;
    return st.state == SV_STARTING ? M_STARTING : M_RUNNING;
  }
  if (st.state == SV_STOPPING) return M_STOPCLEANUP;
  if (!settled()) return M_CLEANUP;
  return st.state == SV_BACKOFF ? M_BACKOFF : M_DOWN;
}

void set_state(enum sv_state s)
{
  st.state = s;
  st.since_ms = sv_now_ms();
  if (s != SV_FATAL && s != SV_BACKOFF) st.reason[0] = 0;
  watchdog_state(s); /* §9: armed in RUNNING only */
}

/* readiness is notified (notification-fd, notify=systemd), not assumed */
static int notified_ready(void) { return conf->notification_fd >= 0 || conf->notify == SV_NOTIFY_SYSTEMD; }

/* after x, nothing starts by itself any more: supervise is on its way out */
static int want_running(void) { return !flag.exit && (st.want == SV_WANT_UP || st.want == SV_WANT_ONCE); }

/* ---- failures and backoff ---- */

/* backoff=0 still never spins: starts are at least this far apart (at
   most 50 a second), whatever the conf says */
#define RESTART_MIN_MS 20

static uint64_t backoff_base(void) { return conf->backoff_ms > RESTART_MIN_MS ? conf->backoff_ms : RESTART_MIN_MS; }

static uint64_t backoff_delay(unsigned failures)
{
  uint64_t d = backoff_base();
  while (--failures && d < conf->backoffmax_ms)
    d *= 2;
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
  if (secs < 60) {
    sv_u64(span, secs);
    strcat(span, "s");
  } else
    sv_fmt_duration(span, secs);
  set_state(SV_FATAL);
  sv_strjoin(st.reason, sizeof st.reason, "Exited too quickly: ", sv_u64(num, st.failures), " starts in ", span,
             ", last ", last, access("log", F_OK) == 0 || conf->stdout_dest ? " (see log)" : "", (char *)0);
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
    if (st.state == SV_BACKOFF)
      sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
    else
      sv_strjoin(st.reason + strlen(st.reason), sizeof st.reason - strlen(st.reason), "; ", why, (char *)0);
  }
  strerr_warnw(svname, ": ", why);
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

static void clear_failure(void)
{
  st.failures = 0;
  st.reason[0] = 0;
  if (st.state == SV_FATAL || st.state == SV_BACKOFF) set_state(SV_STOPPED);
}

/* ---- starting ---- */

/* reloads conf: 1 ok, 0 bad (FATAL with the reason), -1 unreadable for
   now (EMFILE...: err says why; a failed start, retried) */
static int conf_fresh; /* main loaded conf just now: the first start uses it as it is */

static int reload_conf(char *err)
{
  int r = conf_fresh ? 1 : sv_conf_load(conf, ".", err);
  conf_fresh = 0;
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
    /* each change of a dependency's status brings us here: news only */
    if (st.state == SV_STOPPED && !strcmp(st.reason, why)) return;
    set_state(SV_STOPPED);
  }
  sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
}

/* the new run is published once it exec'd (publish() waits for its
   report): svc -w u must not see a run that is about to fail */
static void trystart(void)
{
  uint64_t now;
  pid_t pid;
  char err[SV_ERR_MAX];
  int d;
  t_start = 0;
  switch (reload_conf(err)) {
  case -1:
    flag.autostart = 0;
    fail_start(err);
    return;
  case 0: flag.autostart = 0; return;
  default: break;
  }
  d = depends_check(conf, svpath, err);
  if (d <= 0) {
    wait_depends(d, err);
    return;
  }
  pid = procs_spawn(err);
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
  /* with a check and no notified readiness, the first passing check makes it RUNNING */
  if (!conf->startsecs_ms && !(health_configured(conf) && !notified_ready())) {
    t_running = 0;
    set_state(SV_RUNNING);
    if (!notified_ready()) st.ready = 1;
  }
}

/* ---- stopping ---- */

/* S/stop first if there is one, else the stop signal */
static void stop_begin(void)
{
  t_running = 0;
  if (procs_start_hook()) {
    set_state(SV_STOPPING);
    return;
  }
  signal_stop();
  set_state(SV_STOPPING);
  t_kill = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
}

/* a second d resends the signal but keeps the SIGKILL deadline */
static void stop_resend(void) { signal_stop(); }

/* §9: the run the watchdog stopped is gone: restart per policy, and a
   failed start for backoff and startretries */
static void after_watchdog(void)
{
  char why[SV_ERR_MAX];
  flag.unhealthy = 0;
  sv_strjoin(why, sizeof why, watchdog_reason(), (char *)0);
  if (should_restart())
    count_failure(why);
  else {
    set_state(SV_EXITED);
    if (st.want == SV_WANT_ONCE) st.want = SV_WANT_DOWN;
  }
  if (st.state != SV_FATAL) sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
}

/* once the run, its finish and its leftovers are all gone: STOPPED, or the
   start that u, o or r asked for meanwhile */
static void proceed(void)
{
  if (!settled()) return;
  cgroup_remove();
  if (st.state != SV_STOPPING) return;
  if (watchdog_take_fired()) {
    after_watchdog();
    return;
  }
  if (flag.unhealthy && want_running()) {
    /* onunhealthy=restart: a failed start, for backoff and startretries */
    char why[SV_ERR_MAX];
    flag.unhealthy = 0;
    sv_strjoin(why, sizeof why, "unhealthy: ", health_log(), (char *)0);
    count_failure(why);
    if (st.state == SV_BACKOFF) sv_strjoin(st.reason, sizeof st.reason, why, (char *)0);
    return;
  }
  flag.unhealthy = 0;
  if (want_running()) {
    trystart();
    return;
  }
  set_state(SV_STOPPED);
}

/* ---- handlers: one per (state, event) ---- */

static void start_now(void)
{
  /* as supervisorctl start: a service waiting in BACKOFF starts now */
  clear_failure();
  flag.autostart = 0;
  trystart();
}

static void start_when_settled(void)
{
  clear_failure();
  flag.autostart = 0;
  t_start = sv_now_ms(); /* once finish and leftovers are gone */
}

static void down_idle(void)
{
  if (st.state == SV_STOPPED) st.reason[0] = 0; /* no longer waiting for anything */
  if (st.state != SV_EXITED && st.state != SV_STOPPED) set_state(SV_STOPPED);
}

static void restart_begin(void)
{
  t_start = 0;
  stop_begin();
}

static void restart_resend(void)
{
  t_start = 0;
  stop_resend();
}

/* readiness proves the start: no need to wait for startsecs */
static void ready_starting(void)
{
  st.ready = 1;
  t_running = 0;
  set_state(SV_RUNNING);
}

static void ready_flag(void) { st.ready = 1; }

static void check_passed_starting(void)
{
  if (notified_ready()) return; /* readiness comes from the pipe or READY=1 */
  t_running = 0;
  set_state(SV_RUNNING);
  st.ready = 1;
  st.failures = 0;
}

static void unhealthy_act(void)
{
  if (conf->onunhealthy == SV_UNHEALTHY_NONE) return;
  if (conf->onunhealthy == SV_UNHEALTHY_STOP) {
    machine_command('d');
    return;
  }
  t_start = 0;
  stop_begin();
  flag.unhealthy = 1;
}

static void startsecs_over(void)
{
  if (health_configured(conf) && !notified_ready()) return; /* the check decides */
  set_state(SV_RUNNING);
  if (!notified_ready()) st.ready = 1;
  st.failures = 0;
}

/* the run is gone: 1 it had exec'd (its exit recorded), 0 it never did
   (a failed start, already counted) */
static int run_gone(void)
{
  pid_t pid = st.pid;
  int execd = procs_run_execd();
  st.pid = 0;
  st.pidstart = 0;
  st.ready = 0;
  t_running = t_kill = 0;
  health_end();
  if (!execd) {
    procs_run_gone(0, 1);
    fail_start(execerr);
    execerr[0] = 0;
    return 0;
  }
  if (!ended.known)
    st.lastexit_kind = SV_EXIT_NONE;
  else if (WIFSIGNALED(ended.wstat)) {
    st.lastexit_kind = SV_EXIT_SIGNAL;
    st.lastexit = WTERMSIG(ended.wstat);
  } else {
    st.lastexit_kind = SV_EXIT_CODE;
    st.lastexit = WEXITSTATUS(ended.wstat);
  }
  procs_run_gone(pid, ended.known);
  return 1;
}

static void exited(void)
{
  if (!run_gone()) return;
  settle_exit();
  procs_start_finish(ended.known, ended.wstat);
  /* a restart due now starts now: no BACKOFF flash in the status file */
  if (st.state == SV_BACKOFF && settled() && t_start <= sv_now_ms()) {
    trystart();
    return;
  }
  if (settled()) cgroup_remove();
}

/* a stop asked for stays STOPPING until finish and leftovers are gone */
static void exited_stopping(void)
{
  if (!run_gone()) return;
  procs_start_finish(ended.known, ended.wstat);
  proceed();
}

/* §9: a missed heartbeat: SIGABRT (a core of the hung process), then the
   stop sequence; after_watchdog decides once it is all gone */
static void watchdog_fired(void)
{
  strerr_warnw(svname, ": ", watchdog_reason());
  kill(notify_mainpid(&st), SIGABRT);
  t_start = 0;
  stop_begin();
  sv_strjoin(st.reason, sizeof st.reason, watchdog_reason(), (char *)0);
}

/* STOPPING=1: the run is going down by itself, within stopwaitsecs */
static void self_stop(void)
{
  st.ready = 0;
  t_running = 0;
  set_state(SV_STOPPING);
  t_kill = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
}

static void kill_run(void)
{
  strerr_warnw(svname, ": stopwaitsecs over, sending SIGKILL");
  signal_group(st.pid, SIGKILL);
  cgroup_signal(SIGKILL);
}

/* the stop hook is done (or was killed): now the stop signal */
static void hook_exited_signal(void)
{
  procs_hook_gone();
  signal_stop();
  t_kill = conf->stopwait_ms == SV_NEVER ? 0 : sv_now_ms() + conf->stopwait_ms;
}

static void hook_exited(void)
{
  procs_hook_gone();
  proceed();
}

static void finish_exited(void)
{
  procs_finish_gone();
  proceed();
}

static void start_due(void)
{
  if (want_running()) trystart();
}

/* a dependency's status changed: maybe the wait is over */
static void deps_changed(void)
{
  if (depends_fd() >= 0 && want_running() && st.state == SV_STOPPED) trystart();
}

typedef void handler(void);

/* absent: the event changes nothing in that state */
/* one line per group of cells: the table reads as a table */
/* clang-format off */
static handler *const table[M_NSTATES][E_NEVENTS] = {
  [M_DOWN] = {
    [E_START] = &start_now, [E_STOP] = &down_idle, [E_RESTART] = &start_now,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
    [E_BACKOFF_ELAPSED] = &start_due, [E_DEPS_CHANGED] = &deps_changed,
  },
  [M_BACKOFF] = {
    [E_START] = &start_now, [E_STOP] = &down_idle, [E_RESTART] = &start_now,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
    [E_BACKOFF_ELAPSED] = &start_due,
  },
  [M_STARTING] = {
    [E_STOP] = &stop_begin, [E_RESTART] = &restart_begin, [E_READY] = &ready_starting,
    [E_CHECK_PASSED] = &check_passed_starting, [E_UNHEALTHY] = &unhealthy_act, [E_STARTSECS] = &startsecs_over,
    [E_EXITED] = &exited, [E_STOP_TIMEOUT] = &kill_run,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
    [E_SELFSTOP] = &self_stop, /* no E_WATCHDOG: the watchdog is armed in RUNNING only */
  },
  [M_RUNNING] = {
    [E_STOP] = &stop_begin, [E_RESTART] = &restart_begin, [E_READY] = &ready_flag,
    [E_UNHEALTHY] = &unhealthy_act, [E_EXITED] = &exited, [E_STOP_TIMEOUT] = &kill_run,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
    [E_WATCHDOG] = &watchdog_fired, [E_SELFSTOP] = &self_stop,
  },
  [M_STOPHOOK] = {
    [E_READY] = &ready_flag, [E_EXITED] = &exited_stopping,
    [E_STOP_TIMEOUT] = &kill_run, [E_HOOK_EXITED] = &hook_exited_signal,
    [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
  },
  [M_STOPPING] = {
    [E_STOP] = &stop_resend, [E_RESTART] = &restart_resend, [E_READY] = &ready_flag,
    [E_EXITED] = &exited_stopping, [E_STOP_TIMEOUT] = &kill_run,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
  },
  /* as M_STOPPING, but the exit is judged as a run ending by itself */
  [M_SELFSTOP] = {
    [E_STOP] = &stop_resend, [E_RESTART] = &restart_resend,
    [E_EXITED] = &exited, [E_STOP_TIMEOUT] = &kill_run,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
  },
  [M_CLEANUP] = {
    [E_START] = &start_when_settled, [E_STOP] = &down_idle, [E_RESTART] = &start_when_settled,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
  },
  [M_STOPCLEANUP] = {
    [E_START] = &start_when_settled, [E_STOP] = &down_idle, [E_RESTART] = &start_when_settled,
    [E_HOOK_EXITED] = &hook_exited, [E_FINISH_EXITED] = &finish_exited, [E_LEFTOVER_GONE] = &proceed,
  },
};
/* clang-format on */

void machine_dispatch(enum mevent e)
{
  handler *h = table[machine_state()][e];
  if (h) h();
}

void machine_exited(int known, int wstat)
{
  ended.known = known;
  ended.wstat = wstat;
  machine_dispatch(E_EXITED);
}

void machine_health(int outcome)
{
  if (outcome == HEALTH_FIRSTPASS)
    machine_dispatch(E_CHECK_PASSED);
  else if (outcome == HEALTH_UNHEALTHY) {
    strerr_warnw(svname, ": unhealthy: ", health_log());
    machine_dispatch(E_UNHEALTHY);
  }
  /* HEALTH_CHANGED: health= and healthlog= are read by publish() */
}

/* ---- control ---- */

void machine_command(char c)
{
  int sig;
  switch (c) {
  case 'u':
    st.want = SV_WANT_UP;
    machine_dispatch(E_START);
    break;
  case 'o':
    st.want = SV_WANT_ONCE;
    t_start = 0;
    machine_dispatch(E_START);
    break;
  case 'd':
    st.want = SV_WANT_DOWN;
    flag.unhealthy = 0;
    t_start = 0;
    depends_cancel();
    machine_dispatch(E_STOP);
    break;
  case 'r':
    st.want = SV_WANT_UP;
    flag.unhealthy = 0;
    machine_dispatch(E_RESTART);
    break;
  case 'x': flag.exit = 1; break;
  default:
    sig = sv_control_signal(c);
    if (sig && st.pid) kill(st.pid, sig);
    break; /* unknown bytes are ignored, as SPEC §3 says */
  }
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
    return;
  }
  schedule_ran(statedir);
  machine_command('o');
}

void machine_scheduled(void)
{
  int due = schedule_fire();
  arm_schedule(); /* from now: a clock stepped across many times runs once */
  if (due) run_job();
}

void machine_first(int conf_ok)
{
  if (conf_ok && conf->res.schedule) {
    /* a job: not started at boot, but at its times (and once now if
       persistent= and a time was missed) */
    arm_schedule();
    if (st.pid) return;
    st.want = SV_WANT_DOWN;
    set_state(SV_STOPPED);
    if (schedule_missed(conf, statedir)) run_job();
    return;
  }
  if (st.pid) return;
  if (conf_ok && !conf->autostart) {
    st.want = SV_WANT_DOWN;
    set_state(SV_STOPPED);
    return;
  }
  st.want = SV_WANT_UP;
  conf_fresh = conf_ok; /* read a moment ago: not read again for this start */
  trystart();
  conf_fresh = 0;
}

/* ---- timers ---- */

uint64_t machine_deadline(void)
{
  uint64_t const ts[] = {t_running,          t_kill, t_start, procs_deadline(), outputs_deadline(), health_deadline(),
                         watchdog_deadline()};
  uint64_t e = 0;
  for (unsigned i = 0; i < sizeof ts / sizeof *ts; i++)
    if (ts[i] && (!e || ts[i] < e)) e = ts[i];
  return e;
}

void machine_timers(uint64_t now)
{
  if (t_running && now >= t_running) {
    t_running = 0;
    machine_dispatch(E_STARTSECS);
  }
  if (t_kill && now >= t_kill) {
    t_kill = 0;
    machine_dispatch(E_STOP_TIMEOUT);
  }
  procs_timers(now);
  outputs_timer(now);
  if (watchdog_timer(now)) machine_dispatch(E_WATCHDOG);
  machine_health(health_timer(conf, svpath, instance, now));
  if (t_start && now >= t_start) machine_dispatch(E_BACKOFF_ELAPSED);
}

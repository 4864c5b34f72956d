/* supervise [-i INSTANCE] DIR: runs one service directory and keeps it
   in the state its control FIFO asks for.  See SPEC §2-§3.

   One loop: wait for an fd or the earliest deadline, hand each event to
   the machine (machine.c: a table of one function per state and event;
   procs.c: the processes behind it), then publish() the record once. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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
#include "sv_daemon.h"
#include "sv_status.h"
#include "sv_proc.h"
#include "sv_signals.h"
#include "sv_statedir.h"
#include "sv_str.h"
#include "sv_svdir.h"
#include "sv_version.h"
#include "machine.h"

#define USAGE "supervise [-i instance] dir"

char const *PROG = "supervise";

/* the conf the current run started with; trystart reloads it, and a run
   only ever starts from a conf that loaded whole */
static sv_conf conf_loaded;
sv_conf *const conf = &conf_loaded;

sv_status st = SV_STATUS_ZERO;
char svpath[SV_PATH_MAX];
char statedir[SV_PATH_MAX];
char svname[300];
int instance = -1;

int statefd = -1; /* the state directory: its files are made in it, never through a symlink */
static int ctlfd = -1;
static int sigfd = -1;

/* ---- the one status writer ---- */

/* the text last written, to write only news: its length and a 64-bit
   FNV-1a hash of it, not a copy (a 2 kB buffer kept resident for a compare) */
static uint64_t publishedhash;
static size_t publishedlen;
/* the status file could not be written: when the next try is due (0 none) */
static uint64_t t_status;

/* a read-only or full state directory, EMFILE: one warning, then the
   latest record again every second until it is written */
static void store(char const *buf, size_t n)
{
  if (!n) errno = ENAMETOOLONG;
  if (n && sv_status_store_at(statefd, buf, n)) {
    if (t_status) strerr_warni("wrote ", svpath, "/", statedir, "/status again");
    t_status = 0;
    return;
  }
  if (!t_status)
    strerr_warnw("unable to write ", svpath, "/", statedir, "/status: ", strerror(errno), " (retrying every second)");
  t_status = sv_now_ms() + 1000;
}

/* publish() holds the record while a new run's exec report is pending */
static int publish_held(void) { return reportfd >= 0 || execerr[0]; }

/* called once per loop turn: writes the status file when the record
   changed, or when a failed write is due again.  A run just forked waits
   for its exec report, and a run whose report said it could not exec
   waits for its exit (the SIGCHLD may come a turn later): svc -w u must
   not see a run that is about to fail */
static uint64_t text_hash(char const *s, size_t n)
{
  uint64_t h = 14695981039346656037ULL;
  while (n--)
    h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
  return h;
}

static void publish(void)
{
  char buf[SV_STATUS_MAX];
  uint64_t hash;
  size_t n;
  int retry;
  if (publish_held()) return;
  st.supervisor = getpid();
  st.health = health_state();
  sv_strjoin(st.healthlog, sizeof st.healthlog, health_log(), (char *)0);
  n = sv_status_fmt(buf, sizeof buf, &st);
  retry = t_status && sv_now_ms() >= t_status;
  hash = text_hash(buf, n);
  if (!retry && n && n == publishedlen && hash == publishedhash) return;
  publishedhash = hash;
  publishedlen = n;
  store(buf, n);
  /* §9: after the write, done or not: a new state goes to the history and
     the hooks, and a history that could not be written is retried with
     the status file */
  events_publish(&st);
}

/* the next status write due, while publish() may write */
static uint64_t publish_deadline(void) { return publish_held() ? 0 : t_status; }

/* ---- events ---- */

static void handle_commands(char const *buf, size_t n)
{
  for (size_t i = 0; i < n; i++)
    machine_command(buf[i]);
  /* tells svc -w that its command was seen, whatever it changed */
  st.commands += (unsigned)n;
}

static void handle_control(void)
{
  if (sv_daemon_drain(ctlfd, &handle_commands) < 0) strerr_warnwusys("read ", statedir, "/control");
}

static void on_signal(int sig)
{
  switch (sig) {
  case SIGCHLD: procs_reap(); break;
  case SIGTERM:
  case SIGINT:
    machine_command('d');
    flag.exit = 1;
    break;
  case SIGHUP: flag.exit = 1; break;
  default: break;
  }
}

/* ---- setup ---- */

static void claim(void)
{
  char const *what;
  int r;
  statefd = sv_statedir_open(statedir, 0755);
  if (statefd < 0 && errno == ELOOP)
    strerr_dief(100, "unable to open ", svpath, "/", statedir, ": a symlink not owned by root");
  if (statefd < 0) strerr_diefusys(111, "open ", svpath, "/", statedir);
  r = sv_daemon_claim_at(statefd, &ctlfd, &what);
  if (r > 0) return;
  if (!r) strerr_dief(100, "unable to lock ", svpath, "/", statedir, "/lock: another supervise is running on ", svpath);
  if (what[0] == 'l') strerr_diefusys(111, "lock ", svpath, "/", statedir, "/lock");
  if (errno == EEXIST) strerr_dief(100, svpath, "/", statedir, "/control exists and is not a FIFO");
  strerr_diefusys(111, "listen on ", svpath, "/", statedir, "/control");
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
  if (old->boot[0] ? strcmp(old->boot, st.boot) != 0 : (uint64_t)s.st_mtime * 1000 < sv_wall_ms() - sv_now_ms())
    return 0;
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
  if (!status_trustworthy(&old) || !procs_adopt(old.pid)) return;
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
  /* §9: the adopted run's NOTIFY_SOCKET and $SV_HEARTBEAT keep working */
  watchdog_prepare(conf, statefd, svpath, statedir, svname);
  notify_prepare(conf, statefd, svpath, statedir, cgroup_leaf(svpath, instance), svname, &st);
  watchdog_state(st.state);
  /* a stop the old supervise began: begun again here, SIGKILL deadline and all */
  if (old.state == SV_STOPPING) machine_dispatch(E_STOP);
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
    } else
      strerr_dieusage(100, USAGE);
  }
  if (argc - l.ind != 1) strerr_dieusage(100, USAGE);
  if (chdir(argv[l.ind]) < 0) strerr_diefusys(111, "chdir to ", argv[l.ind]);
  if (!getcwd(svpath, sizeof svpath)) strerr_diefusys(111, "getcwd in ", argv[l.ind]);
  {
    char const *base = strrchr(svpath, '/');
    base = base && base[1] ? base + 1 : svpath;
    char num[22];
    if (strlen(base) > 250) base += strlen(base) - 250;
    sv_strjoin(svname, sizeof svname, base, instance >= 0 ? "@" : "", instance >= 0 ? sv_i64(num, instance) : "",
               (char *)0);
  }
  {
    char num[22];
    sv_strjoin(statedir, sizeof statedir, "supervise", instance >= 0 ? "@" : "",
               instance >= 0 ? sv_i64(num, instance) : "", (char *)0);
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
  if (sigfd < 0) strerr_diefusys(111, "trap signals");
  sig_ignore(SIGPIPE);
  sv_daemon_note_signals();
}

/* ---- the loop ---- */

static void on_selfpipe(void)
{
  if (sv_signals_each(&on_signal) < 0) strerr_diefusys(111, "read selfpipe");
}

static void on_pidfd(void) { machine_exited(0, 0); }

/* a dependency's status changed: maybe the wait is over */
static void on_depends(void)
{
  depends_drain();
  machine_dispatch(E_DEPS_CHANGED);
}

static int fd_report(void) { return reportfd; }
static int fd_finreport(void) { return finreportfd; }
static int fd_signals(void) { return sigfd; }
static int fd_control(void) { return ctlfd; }
static int fd_notification(void) { return notiffd; }
static int fd_pidfd(void) { return pidfd; }

/* every fd supervise waits on, when open (fd() >= 0), in the order their
   events are handled: the exec report before SIGCHLD, so a run that
   exec'd is published before its end is heard.  A new fd is one line here */
static struct {
  int (*fd)(void);
  void (*handle)(void);
} const watched[] = {
    {&fd_report, &procs_report},
    {&fd_finreport, &procs_finish_report},
    {&fd_signals, &on_selfpipe},
    {&fd_control, &handle_control},
    {&fd_notification, &procs_notification},
    {&fd_pidfd, &on_pidfd},
    {&schedule_fd, &machine_scheduled},
    {&depends_fd, &on_depends},
    {&health_fd, &health_read},
    {&notify_fd, &procs_notify},
};
#define NWATCHED (sizeof watched / sizeof *watched)

/* the machine's deadlines and the status write retry */
static uint64_t next_deadline(void)
{
  uint64_t e = machine_deadline(), p = publish_deadline();
  return p && (!e || p < e) ? p : e;
}

/* A deep call (the conf load, a status read, the cgroup set-up) leaves
   several kB of stack that an idle supervise would keep resident for
   good: before each wait, the pages wholly below this frame go back to
   the kernel.  Below this frame nothing lives (one thread; a signal
   handler runs after the call, on fresh zero pages); the margin covers
   this frame's locals and madvise's own.  The range stays inside the
   stack's own mapping, whose start /proc/self/maps gives once: below it
   may lie another mapping (a small stack_guard_gap).  No /proc, no trim. */
#define STACK_MARGIN 1024
#define STACK_TRIM (64 * 1024)

/* a /proc/self/maps line: its start, if its range holds *(uintptr_t *)ctx */
static int holds(char *line, void *ctx)
{
  uintptr_t *addr = ctx;
  uint64_t lo = 0, hi = 0;
  size_t n = uint64_xscan(line, &lo);
  if (!n || line[n] != '-' || !uint64_xscan(line + n + 1, &hi) || lo > *addr || *addr >= hi) return 0;
  *addr = lo;
  return 1;
}

/* the start of the mapping that holds addr; 0 if unknown.  Never inlined:
   its buffer must not be in stack_trim's frame */
__attribute__((noinline)) static uintptr_t mapping_start(uintptr_t addr)
{
  char buf[512];
  return sv_proc_lines("/proc/self/maps", buf, sizeof buf, &holds, &addr) ? addr : 0;
}

__attribute__((noinline)) static void stack_trim(void)
{
  static uintptr_t pagemask, floor;
  static int looked;
  uintptr_t top, lo;
  /* this frame's own address (never inlined, so every caller's frame,
     main's locals included, lies above it; a local's address could be on
     a sanitizer's fake stack) */
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (!looked) {
    looked = 1;
    pagemask = ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
    floor = mapping_start(here);
  }
  if (!floor) return;
  top = (here - STACK_MARGIN) & pagemask;
  lo = top - floor > STACK_TRIM ? top - STACK_TRIM : floor;
  if (lo < top) madvise((void *)lo, top - lo, MADV_DONTNEED);
}

/* one wait: each open fd, the earliest deadline; then each event */
static void turn(void)
{
  iopause_fd x[NWATCHED];
  unsigned which[NWATCHED], n = 0;
  tain deadline;
  for (unsigned i = 0; i < NWATCHED; i++) {
    int fd = watched[i].fd();
    if (fd < 0) continue;
    x[n].fd = fd;
    x[n].events = IOPAUSE_READ;
    which[n++] = i;
  }
  sv_deadline_g(&deadline, next_deadline());
  stack_trim();
  if (iopause_g(x, n, &deadline) < 0) strerr_diefusys(111, "iopause");
  /* an fd that an earlier handler closed meanwhile is not read */
  for (unsigned k = 0; k < n; k++)
    if (x[k].revents && watched[which[k]].fd() == x[k].fd) watched[which[k]].handle();
  machine_timers(sv_now_ms());
}

int main(int argc, char const *const *argv)
{
  sv_version_option(argc, argv);
  parse_args(argc, argv);
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard fds");
  claim();
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
    machine_first(conf_ok);
  }

  for (;;) {
    cgroup_tidy();
    publish();
    /* §9: queued event hooks run (bounded by timeout-event) before the exit */
    if (flag.exit && settled() && !events_draining()) break;
    turn();
  }
  outputs_close();
  {
    /* leftovers SIGKILLed a moment ago may be zombies not yet reaped: ours */
    int wstat;
    while (wait_nohang(&wstat) > 0)
      ;
  }
  /* whatever the last start did (one that failed in the child never ran
     to be settled), the leaf goes with supervise: rmdir fails on one that
     still holds a process, which is then left as it is */
  cgroup_remove();
  cgroup_tidy();
  publish();
  return 0;
}

/* svscan [-t ms] [DIR]: one supervise per service directory of DIR (one per
   instance with numprocs=N), lower priority first, and a supervise for S/log
   joined to S by a pipe svscan holds.  Rescans on SIGHUP, on 'a' in
   DIR/.svscan/control and every -t ms; stops the tree in reverse priority
   order on SIGTERM, SIGINT (SIGPWR as PID 1) or 'q'.  SPEC §6. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>

#include "sv_clock.h"
#include "sv_control.h"
#include "sv_daemon.h"
#include "sv_conf.h"
#include "sv_signals.h"
#include "sv_status.h"
#include "sv_svdir.h"
#include "init.h"
#include "takeover.h"
#include "sv_version.h"

#define USAGE "svscan [-t ms] [dir]"
#define RESTART_MIN_MS 1000 /* a supervise that lived less is restarted after a delay */
#define RESTART_MAX_MS 30000
#define RESCUE_MAX 3 /* new supervises for one stop, if each dies in turn */

char const *PROG = "svscan";

/* ---- the service table ---- */

/* one supervise process */
typedef struct proc_s proc;
struct proc_s {
  uint64_t started;       /* boot ms at the last spawn */
  uint64_t t;             /* pid 0: earliest restart; stopping logger: when to TERM it */
  pid_t pid;              /* 0 when none */
  unsigned char fails;    /* consecutive quick deaths */
  unsigned char stopping; /* told to go */
  unsigned char rescues;  /* new supervises started to finish this stop */
  int ctl;                /* its control FIFO while an order waits there, else -1 */
  int pidfd;              /* adopted (not our child): readable when it exits, else -1 */
  uint64_t pidstart;      /* adopted: its start time, when there is no pidfd */
  unsigned adopted : 1;   /* a supervise an earlier svscan started (takeover.c) */
  unsigned heldwarn : 1;  /* warned that someone else holds its lock */
};

typedef struct service_s service;
struct service_s {
  char *name;
  proc *inst; /* nprocs of them */
  proc log;
  dev_t dev;
  ino_t ino;
  int prio;
  unsigned nprocs; /* 1: a plain supervise; N > 1: supervise -i 0..N-1 */
  int pr, pw;      /* the log pipe, both ends kept by svscan; -1 without logger */
  uint64_t pipe_t; /* no pipe yet (EMFILE...): when to try again */
  unsigned haslog : 1;
  unsigned gone : 1;     /* removed or shutting down: stop it, then forget it */
  unsigned seen : 1;     /* found by the scan in progress */
  unsigned fresh : 1;    /* added by the scan in progress */
  unsigned waiting : 1;  /* never started: may wait for an old supervise of the same dir */
  unsigned pipewarn : 1; /* warned that its log pipe cannot be made */
  char *deps;            /* depends= as written, NULL: none (shutdown order) */
};

static service *tab;
static unsigned ntab, captab, ngone;

static char dirpath[SV_PATH_MAX];        /* the scan directory, as given */
static char supervise_path[SV_PATH_MAX]; /* the supervise beside our own binary */
static int devnull = -1, ctlfd = -1, sigfd = -1;
static struct rlimit orig_nofile;
static uint64_t poll_ms, t_poll;

static struct {
  unsigned quitting : 1;
  unsigned rescan : 1;
  unsigned pid1 : 1;
} flag;

static int by_name(void const *a, void const *b)
{
  service const *x = a, *y = b;
  if (x->gone != y->gone) return (int)x->gone - (int)y->gone;
  return strcmp(x->name, y->name);
}

/* start order: lower priority first; gone ones last, they never start */
static int by_prio(void const *a, void const *b)
{
  service const *x = a, *y = b;
  if (x->gone != y->gone) return (int)x->gone - (int)y->gone;
  if (x->prio != y->prio) return x->prio < y->prio ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int alive(service const *s)
{
  if (s->log.pid) return 1;
  for (unsigned i = 0; i < s->nprocs; i++)
    if (s->inst[i].pid) return 1;
  return 0;
}

/* drops an order nobody read (see order()) */
static void unorder(proc *p)
{
  if (p->ctl >= 0) {
    fd_close(p->ctl);
    p->ctl = -1;
  }
}

static void unwatch(proc *p)
{
  if (p->pidfd >= 0) {
    fd_close(p->pidfd);
    p->pidfd = -1;
  }
  p->adopted = 0;
}

/* a signal to one of our supervise processes, adopted ones included */
static void signal_proc(proc const *p, int sig)
{
  if (p->adopted)
    tk_kill(p->pid, p->pidfd, sig);
  else
    kill(p->pid, sig);
}

static void forget(service *s)
{
  if (s->pr >= 0) fd_close(s->pr);
  if (s->pw >= 0) fd_close(s->pw);
  unorder(&s->log);
  unwatch(&s->log);
  for (unsigned i = 0; i < s->nprocs; i++) {
    unorder(s->inst + i);
    unwatch(s->inst + i);
  }
  free(s->inst);
  free(s->name);
  free(s->deps);
}

/* drops the gone services whose supervises have all exited; keeps the order */
static void compact(void)
{
  unsigned j = 0;
  if (!ngone) return;
  for (unsigned i = 0; i < ntab; i++) {
    if (tab[i].gone && !alive(tab + i)) {
      forget(tab + i);
      ngone--;
      continue;
    }
    if (i != j) tab[j] = tab[i];
    j++;
  }
  ntab = j;
}

/* ---- spawning supervise ---- */

/* in the child: TERM and HUP blocked, nothing else; every disposition the
   default, whatever whoever started us ignored (a shell's & ignores INT and
   QUIT, and supervise and its services would inherit that) */
static void child_signals(void)
{
  sigset_t set;
  /* not selfpipe_finish(), which unblocks everything: a TERM or HUP sent
     right after the fork must not kill the child before it is supervise.
     It is no order that survives the exec, though: 2.13's selfpipe_init()
     empties the mask, so it kills supervise then.  Orders to a supervise
     that may not be up yet go through its control FIFO (order()). */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sv_daemon_child_signals(&set);
}

/* in the vforked child: one write of "svscan: warning: unable to WHAT: REASON" */
_Noreturn static void child_fail(char const *what, char const *name, int code)
{
  char msg[512];
  int n = snprintf(msg, sizeof msg, "%s: warning: unable to %s%s: %s\n", PROG, what, name, strerror(errno));
  if (n > 0 && write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0) _exit(code);
  _exit(code);
}

_Noreturn static void spawned_child(service const *s, int instance, char const *const *argv)
{
  int in = instance == -2 ? s->pr : devnull;
  int out = instance != -2 && s->pw >= 0 ? s->pw : 1;
  child_signals();
  setrlimit(RLIMIT_NOFILE, &orig_nofile);
  /* its own session and process group: a ^C on svscan's terminal (or a
     kill of svscan's group) reaches svscan alone, which then stops the
     tree in priority order, loggers last */
  setsid();
  if (dup2(in, 0) < 0 || (out != 1 && dup2(out, 1) < 0)) child_fail("set up fds for supervise of ", s->name, 111);
  execv(supervise_path, (char *const *)argv);
  child_fail("exec ", supervise_path, 127);
}

/* instance -1: plain, -2: the logger, else supervise -i instance */
static pid_t spawn_supervise(service const *s, int instance)
{
  char dir[300], num[16];
  char const *argv[5];
  unsigned n = 0;
  pid_t pid;
  /* a name starting with '-' must not read as an option */
  snprintf(dir, sizeof dir, "%s%s%s", s->name[0] == '-' ? "./" : "", s->name, instance == -2 ? "/log" : "");
  argv[n++] = supervise_path;
  if (instance >= 0) {
    snprintf(num, sizeof num, "%d", instance);
    argv[n++] = "-i";
    argv[n++] = num;
  }
  argv[n++] = dir;
  argv[n] = 0;
  /* vfork: with hundreds of services, fork's copy of svscan's page tables
     and the faults on its pages afterwards were most of svscan's start-up
     work.  The child only makes system calls before exec: every signal
     svscan traps stays blocked and has no handler (selfpipe), and its
     failure message is built on its own stack, not in svscan's buffers */
  pid = vfork();
  if (pid < 0) {
    strerr_warnwusys("fork supervise for ", s->name);
    return 0;
  }
  if (!pid) spawned_child(s, instance, argv);
  return pid;
}

static void statedir_of(service const *s, int instance, char *dir, size_t max);
static int find_proc(pid_t pid, service **sp, proc **pp, int *instance);

static int is_ours(pid_t pid)
{
  service *s;
  proc *p;
  int i;
  return find_proc(pid, &s, &p, &i);
}

/* the log pipe: the one live supervise processes of an earlier svscan still
   hold (takeover.c), else a new one.  A failure (EMFILE...) is a warning
   and a retry a second later; meanwhile neither side starts: 1 ok, 0 not yet */
static int log_pipe(service *s, uint64_t now)
{
  int p[2], r;
  if (s->pr >= 0) return 1;
  if (now < s->pipe_t) return 0;
  r = tk_pipe(s->name, s->nprocs, &is_ours, p, p + 1);
  if (r > 0)
    strerr_warni("took over the log pipe of ", s->name, " from its running supervise");
  else if (r < 0 || pipecoe(p) < 0) {
    if (!s->pipewarn) strerr_warnwusys("create log pipe for ", s->name, ": it waits, retrying every second");
    s->pipewarn = 1;
    s->pipe_t = now + RESTART_MIN_MS;
    return 0;
  }
  if (s->pipewarn) strerr_warni("created the log pipe for ", s->name, ": starting it");
  s->pipewarn = 0;
  s->pr = p[0];
  s->pw = p[1];
  return 1;
}

/* a live supervise we did not start holds the lock (the svscan that started
   it was killed): it becomes ours.  1 adopted, or held by someone we cannot
   adopt (retried a second later); 0 free */
static int takeover(service *s, proc *p, int instance, uint64_t now)
{
  char dir[SV_PATH_MAX + 16], num[16];
  pid_t h;
  statedir_of(s, instance, dir, sizeof dir);
  h = tk_holder(dir);
  if (!h) return 0;
  if (h < 0 || is_ours(h)) {
    /* one warning per wait, whatever its cause (EMFILE is no stranger) */
    if (!p->heldwarn && h == -2)
      strerr_warnw("unable to check ", dirpath, "/", dir, "/lock: ", strerror(errno), " (retrying every second)");
    else if (!p->heldwarn)
      strerr_warnw(dirpath, "/", dir, "/lock is held by a process svscan cannot take over: waiting");
    p->heldwarn = 1;
    p->pid = 0;
    p->t = now + RESTART_MIN_MS;
    return 1;
  }
  p->heldwarn = 0;
  p->pid = h;
  p->adopted = 1;
  p->pidfd = tk_watch(h, &p->pidstart);
  p->started = 0; /* its first death is not a quick one */
  p->stopping = 0;
  p->t = 0;
  snprintf(num, sizeof num, "%d", (int)h);
  strerr_warni("taking over the running supervise of ", dirpath, "/", dir, ", pid ", num);
  return 1;
}

static void start_proc(service *s, proc *p, int instance, uint64_t now)
{
  /* the pipe first: an adopted side may be where it comes from */
  int piped = !s->haslog || log_pipe(s, now);
  if (takeover(s, p, instance, now)) return;
  if (!piped) {
    p->pid = 0;
    p->t = s->pipe_t;
    return;
  }
  p->pid = spawn_supervise(s, instance);
  p->started = now;
  p->stopping = 0;
  /* fork failed: try again in a second */
  p->t = p->pid ? 0 : now + RESTART_MIN_MS;
}

/* an old supervise of the same directory (renamed, or removed and put back)
   still runs: the new one waits, or it would find the lock taken */
static int conflict(service const *s)
{
  if (!ngone) return 0;
  for (unsigned i = 0; i < ntab; i++) {
    service const *g = tab + i;
    if (!g->gone || !alive(g)) continue;
    if ((g->dev == s->dev && g->ino == s->ino) || !strcmp(g->name, s->name)) return 1;
  }
  return 0;
}

/* starts every supervise that should run and does not, lower priority first;
   shutting down, only loggers (they keep reading until their service is
   stopped): a dead supervise of a service is replaced at the service's turn
   to stop, and only if its run is still there (begin_stop) */
static void launch(void)
{
  uint64_t now = sv_now_ms();
  for (unsigned i = 0; i < ntab; i++) {
    service *s = tab + i;
    if (s->gone) continue;
    if (s->waiting) {
      if (flag.quitting || conflict(s)) continue;
      s->waiting = 0;
    }
    /* the logger first, so that it reads from the start */
    if (s->haslog && !s->log.pid && s->log.t <= now) start_proc(s, &s->log, -2, now);
    if (flag.quitting) continue;
    for (unsigned k = 0; k < s->nprocs; k++)
      if (!s->inst[k].pid && s->inst[k].t <= now) start_proc(s, s->inst + k, s->nprocs > 1 ? (int)k : -1, now);
  }
}

/* ---- stopping ---- */

static void statedir_of(service const *s, int instance, char *dir, size_t max)
{
  if (instance == -2)
    snprintf(dir, max, "%s/log/supervise", s->name);
  else if (instance >= 0)
    snprintf(dir, max, "%s/supervise@%d", s->name, instance);
  else
    snprintf(dir, max, "%s/supervise", s->name);
}

/* its supervise is gone but its run is not: the status file names a live pid
   with the same start time */
static int orphaned(service const *s, int instance)
{
  char dir[SV_PATH_MAX + 16];
  sv_status st;
  statedir_of(s, instance, dir, sizeof dir);
  if (sv_status_read(dir, &st) <= 0 || !st.pid || !st.pidstart) return 0;
  return sv_pid_starttime(st.pid) == st.pidstart;
}

/* a stop needs a new supervise for what is left: an orphaned run, or for a
   logger also lines still in the pipe */
static int needed(service const *s, int instance)
{
  if (instance == -2) {
    int n = 0;
    if (s->pr >= 0 && ioctl(s->pr, FIONREAD, &n) == 0 && n > 0) return 1;
  }
  return orphaned(s, instance);
}

/* a stopped service's logger reads its pipe to EOF for at most its own
   stopwaitsecs (S/log/conf, default 10 s), then gets SIGTERM; SV_NEVER (s6
   timeout-kill=0): as long as it takes.  l->t 0 means no deadline. */
static void drain(service const *s, proc *l, uint64_t now)
{
  static sv_conf c; /* 8 KiB: kept off the stack */
  char path[SV_PATH_MAX], err[SV_ERR_MAX];
  snprintf(path, sizeof path, "%s/log", s->name);
  if (sv_conf_load(&c, path, err) <= 0) sv_conf_defaults(&c);
  l->stopping = 1;
  l->t = c.stopwait_ms == SV_NEVER ? 0 : now + c.stopwait_ms;
}

/* puts cmd in the control FIFO of a supervise about to start: it reads it
   once it is up, however late.  Our O_RDWR end keeps the bytes there (a
   FIFO's content goes with its last open file) until that supervise dies. */
static void order(service const *s, proc *p, int instance, char const *cmd)
{
  char path[SV_PATH_MAX + 32];
  struct stat st;
  size_t l;
  statedir_of(s, instance, path, sizeof path - 8);
  l = strlen(path);
  memcpy(path + l, "/control", 9);
  unorder(p);
  /* O_RDWR: never blocks, and needs no reader */
  p->ctl = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (p->ctl < 0 && errno == ENOENT && mkfifo(path, 0600) == 0) p->ctl = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (p->ctl < 0) {
    strerr_warnwusys("open ", dirpath, "/", path);
    return;
  }
  if (fstat(p->ctl, &st) < 0 || !S_ISFIFO(st.st_mode)) {
    strerr_warnw(dirpath, "/", path, " is not a FIFO");
    unorder(p);
    return;
  }
  if (write(p->ctl, cmd, strlen(cmd)) < 0) strerr_warnwusys("write to ", dirpath, "/", path);
}

/* stopping: a dead supervise is replaced when needed; the new one finds its
   order waiting, d and x (down, then exit) or for a logger x (exit once
   the pipe is read to EOF): the letters of SIGTERM and SIGHUP.  1 if started */
static int rescue(service *s, proc *p, int instance, uint64_t now)
{
  if (p->rescues >= RESCUE_MAX || !needed(s, instance)) return 0;
  p->rescues++;
  strerr_warni(instance == -2 ? "starting a supervise to drain the logger of "
                              : "starting a supervise to stop what is left of ",
               s->name);
  order(s, p, instance, instance == -2 ? "x" : "dx");
  start_proc(s, p, instance, now);
  if (!p->pid) {
    unorder(p);
    return 0;
  }
  if (instance == -2)
    drain(s, p, now);
  else
    p->stopping = 1;
  return 1;
}

/* a gone service makes progress: instances first, then its logger drains
   the pipe to EOF (we close our write end) and its supervise exits */
static void settle(service *s)
{
  uint64_t now = sv_now_ms();
  for (unsigned i = 0; i < s->nprocs; i++)
    if (s->inst[i].pid) return;
  if (s->pw >= 0) {
    fd_close(s->pw);
    s->pw = -1;
  }
  if (!s->haslog) return;
  /* dead, or waiting to be restarted: started if lines are left to read */
  if (!s->log.pid) {
    rescue(s, &s->log, -2, now);
    return;
  }
  if (s->log.stopping) return;
  /* HUP: supervise exits once svlog, at EOF, has exited.  A supervise
     forked a moment ago may die of it before it traps it: it had not
     started the logger yet, and on_death() starts another if lines wait. */
  signal_proc(&s->log, SIGHUP);
  drain(s, &s->log, now);
}

static void begin_stop(service *s)
{
  uint64_t now = sv_now_ms();
  if (!s->gone) ngone++;
  s->gone = 1;
  s->log.rescues = 0;
  for (unsigned i = 0; i < s->nprocs; i++) {
    proc *p = s->inst + i;
    p->rescues = 0;
    if (p->pid) {
      /* supervise stops the service within its stopwaitsecs, then exits */
      signal_proc(p, SIGTERM);
      p->stopping = 1;
    }
    /* its supervise died (during a shutdown, or before it): its run may
       still be there; a waiting service never ran here */
    else if (!s->waiting)
      rescue(s, p, s->nprocs > 1 ? (int)i : -1, now);
  }
  settle(s);
}

/* does a service not yet stopped name s in its depends= */
static int depended_on(service const *s)
{
  size_t n = strlen(s->name);
  for (unsigned i = 0; i < ntab; i++) {
    char const *p = tab[i].deps;
    if (tab[i].gone || !p || tab + i == s) continue;
    while (*p) {
      size_t k;
      while (*p == ',' || *p == ' ' || *p == '\t')
        p++;
      k = strcspn(p, ", \t");
      if (k == n && !strncmp(p, s->name, n)) return 1;
      p += k;
    }
  }
  return 0;
}

/* shutdown: the highest priority still running is told to stop once every
   higher one is down, dependents before their dependencies (SPEC §10);
   1 when everything is down */
static int quit_step(void)
{
  int top = 0, any = 0, free_any = 0;
  for (unsigned i = 0; i < ntab; i++)
    if (tab[i].gone && alive(tab + i)) return 0;
  /* those no running service depends on; all of them if none (a cycle) */
  for (unsigned i = 0; i < ntab; i++)
    if (!tab[i].gone && !depended_on(tab + i)) free_any = 1;
  for (unsigned i = 0; i < ntab; i++) {
    service *s = tab + i;
    if (s->gone || (free_any && depended_on(s))) continue;
    if (!any || s->prio > top) top = s->prio;
    any = 1;
  }
  if (!any) return 1;
  for (unsigned i = 0; i < ntab; i++)
    if (!tab[i].gone && tab[i].prio == top && !(free_any && depended_on(tab + i))) {
      if (init_mode) strerr_warni("stopping ", tab[i].name);
      begin_stop(tab + i);
    }
  return 0;
}

static void start_quit(char const *why)
{
  if (flag.quitting) return;
  flag.quitting = 1;
  strerr_warni(why, ": stopping every service");
}

/* ---- deaths ---- */

static void on_death(service *s, proc *p, int instance, int wstat)
{
  uint64_t now = sv_now_ms();
  int quick = now - p->started < RESTART_MIN_MS;
  char num[16];
  p->pid = 0;
  unorder(p);
  unwatch(p);
  /* wstat -1: an adopted supervise, whose exit status went to its parent */
  if (wstat == -1)
    strcpy(num, "?");
  else
    snprintf(num, sizeof num, "%d", WIFSIGNALED(wstat) ? WTERMSIG(wstat) : WEXITSTATUS(wstat));
  if (s->gone) {
    p->stopping = 0;
    /* killed while stopping its service (kill -9): a new one adopts the
       service and stops it, so it is not left running alone; the logger's
       is replaced by settle() if lines are left */
    if (instance == -2 || !rescue(s, p, instance, now)) settle(s);
    return;
  }
  if (flag.quitting && instance != -2) {
    /* not replaced now: begin_stop() does it at the service's turn */
    strerr_warnw("supervise for ", s->name, wstat != -1 && WIFSIGNALED(wstat) ? " killed by signal " : " exited ", num,
                 " during the shutdown");
    return;
  }
  if (!quick) {
    p->fails = 0;
    p->t = 0;
  } else {
    uint64_t d = RESTART_MIN_MS;
    if (p->fails < 8) p->fails++;
    for (unsigned i = 1; i < p->fails && d < RESTART_MAX_MS; i++)
      d *= 2;
    if (d > RESTART_MAX_MS) d = RESTART_MAX_MS;
    p->t = p->started + d;
  }
  strerr_warnw(instance == -2 ? "supervise for logger of " : "supervise for ", s->name,
               wstat != -1 && WIFSIGNALED(wstat) ? " killed by signal " : " exited ", num,
               quick ? ": restarting after a delay" : ": restarting");
}

static int find_proc(pid_t pid, service **sp, proc **pp, int *instance)
{
  for (unsigned i = 0; i < ntab; i++) {
    service *s = tab + i;
    if (s->log.pid == pid) {
      *sp = s, *pp = &s->log, *instance = -2;
      return 1;
    }
    for (unsigned k = 0; k < s->nprocs; k++)
      if (s->inst[k].pid == pid) {
        *sp = s, *pp = s->inst + k, *instance = s->nprocs > 1 ? (int)k : -1;
        return 1;
      }
  }
  return 0;
}

/* reaps every child, ours and (as PID 1 or subreaper) every orphan's */
static void reap(void)
{
  for (;;) {
    service *s;
    proc *p;
    int wstat, instance;
    pid_t r = wait_nohang(&wstat);
    if (r <= 0) break;
    if (find_proc(r, &s, &p, &instance) && !p->adopted) on_death(s, p, instance, wstat);
  }
}

/* ---- scanning ---- */

static int grow(void)
{
  service *n;
  unsigned c;
  if (ntab < captab) return 1;
  c = captab ? captab * 2 : 64;
  n = realloc(tab, c * sizeof *n);
  if (!n) return 0;
  tab = n;
  captab = c;
  return 1;
}

/* can S/log run: a run file or a command= (warn: say so when it cannot) */
static int log_runnable(char const *name, int warn)
{
  static sv_conf c; /* 8 KiB: kept off the stack */
  char path[SV_PATH_MAX], err[SV_ERR_MAX];
  struct stat st;
  snprintf(path, sizeof path, "%s/log", name);
  if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) return 0;
  /* a bad conf: its supervise says FATAL and why; unreadable (EMFILE...):
     assume it runs, so a passing failure never reads as a change of shape */
  if (sv_conf_load(&c, path, err) <= 0) return 1;
  if (c.has_run || c.command) return 1;
  if (warn) strerr_warnw(name, "/log has no run file and no command= in conf: ", name, " runs without a logger");
  return 0;
}

static int add_service(char const *name, struct stat const *st)
{
  static sv_conf c;
  char err[SV_ERR_MAX];
  service *s;
  if (!grow()) return 0;
  s = tab + ntab;
  memset(s, 0, sizeof *s);
  s->pr = s->pw = -1;
  s->prio = 500;
  s->nprocs = 1;
  /* a bad conf: one plain supervise, which shows FATAL and the reason */
  if (sv_conf_load(&c, name, err) > 0) {
    s->prio = c.priority;
    s->nprocs = c.numprocs ? c.numprocs : 1;
    s->deps = c.res.depends ? strdup(c.res.depends) : 0;
  }
  s->name = strdup(name);
  s->inst = calloc(s->nprocs, sizeof *s->inst);
  if (!s->name || !s->inst) {
    free(s->name);
    free(s->inst);
    return 0;
  }
  s->log.ctl = s->log.pidfd = -1;
  for (unsigned i = 0; i < s->nprocs; i++)
    s->inst[i].ctl = s->inst[i].pidfd = -1;
  /* its shape has a logger even when the pipe cannot be made yet: a rescan
     does not take that for a change (launch() makes the pipe) */
  s->haslog = log_runnable(name, 1);
  s->dev = st->st_dev;
  s->ino = st->st_ino;
  s->seen = s->fresh = s->waiting = 1;
  ntab++;
  return 1;
}

/* a known service whose numprocs or log/ changed: it is started anew in its
   new shape (priority just moves) */
static int reshaped(service *s, char const *name)
{
  static sv_conf c;
  char err[SV_ERR_MAX];
  unsigned n = s->nprocs;
  if (sv_conf_load(&c, name, err) > 0) {
    s->prio = c.priority;
    n = c.numprocs ? c.numprocs : 1;
    free(s->deps);
    s->deps = c.res.depends ? strdup(c.res.depends) : 0;
  }
  if (n == s->nprocs && log_runnable(name, 0) == (int)s->haslog) return 0;
  strerr_warni(name, ": numprocs or log/ changed: restarting it in its new shape");
  return 1;
}

/* a name in the directory: 1 a service dir (st filled), 0 skip it */
static int examine(char const *name, struct stat *st)
{
  if (stat(name, st) < 0) {
    struct stat l;
    if (errno == ENOENT && lstat(name, &l) == 0 && S_ISLNK(l.st_mode))
      strerr_warnw("skipping ", dirpath, "/", name, ": symlink to a missing directory");
    else
      strerr_warnwusys("stat ", dirpath, "/", name);
    return 0;
  }
  return S_ISDIR(st->st_mode);
}

/* a directory that is already in the table under another name */
static int duplicate(service const *s)
{
  for (unsigned i = 0; i < ntab; i++) {
    service const *o = tab + i;
    if (o == s || o->gone || (o->fresh && o > s)) continue;
    if (o->dev == s->dev && o->ino == s->ino) return 1;
  }
  return 0;
}

/* new directories start, removed or renamed ones stop: 1 ok, 0 unreadable */
/* a rescan that could not read the directory (EMFILE...): retried then,
   after one warning */
static uint64_t t_rescan;

static int rescan(void)
{
  DIR *d;
  struct dirent *e;
  unsigned nlive;
  if (flag.quitting) return 1;
  /* qsort and bsearch want a real array, even an empty one */
  if (!grow()) strerr_diefusys(111, "allocate the service table");
  qsort(tab, ntab, sizeof *tab, &by_name);
  nlive = ntab - ngone;
  for (unsigned i = 0; i < nlive; i++)
    tab[i].seen = 0;
  d = opendir(".");
  if (!d) {
    if (!t_rescan)
      strerr_warnw("unable to read directory ", dirpath, ": ", strerror(errno), " (retrying every second)");
    t_rescan = sv_now_ms() + 1000;
    for (unsigned i = 0; i < nlive; i++)
      tab[i].seen = 1;
    return 0;
  }
  if (t_rescan) strerr_warni("read directory ", dirpath, " again: rescanning");
  t_rescan = 0;
  for (;;) {
    struct stat st;
    service key, *s;
    errno = 0;
    if (!(e = readdir(d))) break;
    if (e->d_name[0] == '.' || !examine(e->d_name, &st)) continue;
    key.name = e->d_name;
    key.gone = 0;
    s = bsearch(&key, tab, nlive, sizeof *tab, &by_name);
    if (s && s->dev == st.st_dev && s->ino == st.st_ino && !reshaped(s, e->d_name)) {
      s->seen = 1;
      continue;
    }
    /* a new name, or a directory replaced under the same name */
    if (!add_service(e->d_name, &st)) strerr_warnwusys("add service ", e->d_name);
  }
  if (errno) strerr_warnwusys("read directory ", dirpath);
  closedir(d);
  for (unsigned i = 0; i < nlive; i++)
    if (!tab[i].seen) begin_stop(tab + i);
  for (unsigned i = nlive; i < ntab; i++) {
    service *s = tab + i;
    if (!s->fresh) continue;
    if (duplicate(s)) {
      strerr_warnw("skipping ", dirpath, "/", s->name, ": the same directory as another service");
      if (!s->gone) ngone++;
      s->gone = 1; /* never started: compact() drops it */
    }
  }
  for (unsigned i = 0; i < ntab; i++)
    tab[i].fresh = 0;
  qsort(tab, ntab, sizeof *tab, &by_prio);
  compact();
  return 1;
}

/* ---- events ---- */

static void on_signal(int sig)
{
  switch (sig) {
  case SIGCHLD: reap(); break;
  case SIGHUP: flag.rescan = 1; break;
  case SIGTERM: start_quit("SIGTERM"); break;
  case SIGINT: start_quit("SIGINT"); break;
  case SIGPWR: start_quit("SIGPWR"); break;
  default: break;
  }
}

static void handle_commands(char const *buf, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (buf[i] == 'a')
      flag.rescan = 1;
    else if (buf[i] == 'q')
      start_quit("svc quit");
    else if ((buf[i] == 'P' || buf[i] == 'R' || buf[i] == 'H') && init_request(buf[i]))
      start_quit(buf[i] == 'P' ? "svc poweroff" : buf[i] == 'R' ? "svc reboot" : "svc halt");
    /* unknown bytes are ignored */
  }
}

static void handle_control(void)
{
  if (sv_daemon_drain(ctlfd, &handle_commands) < 0) strerr_warnwusys("read ", dirpath, "/.svscan/control");
}

static void handle_timers(void)
{
  uint64_t now = sv_now_ms();
  if (poll_ms && now >= t_poll) {
    flag.rescan = 1;
    t_poll = now + poll_ms;
  }
  if (t_rescan && now >= t_rescan) flag.rescan = 1;
  if (!ngone) return;
  for (unsigned i = 0; i < ntab; i++) {
    proc *l = &tab[i].log;
    /* a logger that does not exit at EOF is stopped */
    if (tab[i].gone && l->pid && l->stopping && l->t && now >= l->t) {
      strerr_warnw("logger of ", tab[i].name, " still running after EOF: stopping it");
      signal_proc(l, SIGTERM);
      l->t = 0;
      l->rescues = RESCUE_MAX; /* what it left unread is lost: no new one */
    }
  }
}

/* adopted supervise processes that exited: their pidfd is readable (ready
   set by the caller), or without pidfds, their start time changed */
static void adopted_deaths(int (*ready)(int fd))
{
  for (unsigned i = 0; i < ntab; i++) {
    service *s = tab + i;
    for (unsigned k = 0; k <= s->nprocs; k++) {
      proc *p = k < s->nprocs ? s->inst + k : &s->log;
      if (!p->pid || !p->adopted) continue;
      if (p->pidfd >= 0 ? ready(p->pidfd) : tk_gone(p->pid, p->pidstart))
        on_death(s, p, k < s->nprocs ? (s->nprocs > 1 ? (int)k : -1) : -2, -1);
    }
  }
}

static uint64_t earliest(uint64_t e, uint64_t t) { return t && (!e || t < e) ? t : e; }

static uint64_t t_adopted; /* next look at adopted supervises without a pidfd */

static uint64_t next_deadline(void)
{
  uint64_t e = poll_ms ? t_poll : 0;
  e = earliest(e, t_adopted);
  e = earliest(e, t_rescan);
  for (unsigned i = 0; i < ntab; i++) {
    service const *s = tab + i;
    if (s->gone) {
      if (s->log.pid && s->log.stopping) e = earliest(e, s->log.t);
      continue;
    }
    if (s->waiting) continue;
    if (s->haslog && !s->log.pid) e = earliest(e, s->log.t);
    if (flag.quitting) continue; /* as in launch() */
    for (unsigned k = 0; k < s->nprocs; k++)
      if (!s->inst[k].pid) e = earliest(e, s->inst[k].t);
  }
  return e;
}

/* ---- setup ---- */

/* the supervise of this installation, never one found in PATH; argv0
   when there is no /proc (a machine's .svscan/boot that mounted none) */
static void find_supervise(char const *argv0)
{
  int r = sv_daemon_sibling(supervise_path, sizeof supervise_path, "supervise", argv0);
  if (r > 0) return;
  if (!r && errno == ENAMETOOLONG) strerr_dief(111, "unable to find supervise: path too long");
  if (!r) strerr_dief(111, "unable to find supervise: odd path to self");
  if (supervise_path[0]) strerr_diefusys(111, "find ", supervise_path);
  if (!strchr(argv0, '/'))
    strerr_diefusys(111, "find supervise: argv[0] has no slash and readlink /proc/self/exe says");
  strerr_diefusys(111, "find supervise: realpath ", argv0);
}

/* .svscan/lock, then .svscan/control */
static void claim(void)
{
  char const *what;
  int r = sv_daemon_claim(".svscan", 0700, &ctlfd, &what);
  if (r > 0) return;
  if (!r) strerr_dief(100, "unable to lock ", dirpath, "/.svscan/lock: another svscan is running on ", dirpath);
  if (what[0] == 'l') strerr_diefusys(111, "lock ", dirpath, "/.svscan/lock");
  if (errno == EEXIST) strerr_dief(100, dirpath, "/.svscan/control exists and is not a FIFO");
  strerr_diefusys(111, "listen on ", dirpath, "/.svscan/control");
}

static void setup_signals(void)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  /* what a container runtime or an init sends to PID 1 */
  if (flag.pid1) sigaddset(&set, SIGPWR);
  sigfd = sv_signals_trap(&set);
  if (sigfd < 0) strerr_diefusys(111, "trap signals");
  sv_daemon_note_signals();
}

/* a thousand services with loggers hold two thousand pipe ends */
static void raise_nofile(void)
{
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &orig_nofile) < 0) return;
  r = orig_nofile;
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
}

static void parse_args(int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO;
  char const *dir;
  for (;;) {
    int opt = subgetopt_r(argc, argv, "t:", &l);
    if (opt == -1) break;
    if (opt == 't') {
      char *end;
      unsigned long long ms;
      /* strtoull would take "-5" as a huge number */
      if (*l.arg < '0' || *l.arg > '9') strerr_dieusage(100, USAGE);
      errno = 0;
      ms = strtoull(l.arg, &end, 10);
      if (*end || errno) strerr_dieusage(100, USAGE);
      poll_ms = ms;
    } else
      strerr_dieusage(100, USAGE);
  }
  if (argc - l.ind > 1) strerr_dieusage(100, USAGE);
  dir = argc - l.ind == 1 ? argv[l.ind] : sv_scandir();
  if (strlen(dir) >= sizeof dirpath) strerr_dief(100, "unable to use ", dir, ": name too long");
  strcpy(dirpath, dir);
}

/* the fds to wait on: signals, control, and a pidfd per adopted supervise */
static iopause_fd *xs;
static unsigned nxs, capxs;

static int pidfd_ready(int fd)
{
  for (unsigned i = 2; i < nxs; i++)
    if (xs[i].fd == fd) {
      /* consumed: a pidfd made meanwhile may get the same number */
      int r = !!xs[i].revents;
      xs[i].revents = 0;
      return r;
    }
  return 0;
}

static int never(int fd)
{
  (void)fd;
  return 0;
}

static void watchlist(void)
{
  unsigned n = 2, blind = 0;
  for (unsigned i = 0; i < ntab; i++)
    for (unsigned k = 0; k <= tab[i].nprocs; k++) {
      proc const *p = k < tab[i].nprocs ? tab[i].inst + k : &tab[i].log;
      if (p->pid && p->adopted) {
        if (p->pidfd >= 0)
          n++;
        else
          blind = 1;
      }
    }
  if (n > capxs) {
    iopause_fd *m = realloc(xs, n * sizeof *m);
    if (!m) strerr_diefusys(111, "allocate the wait list");
    xs = m;
    capxs = n;
  }
  nxs = 2;
  for (unsigned i = 0; i < ntab; i++)
    for (unsigned k = 0; k <= tab[i].nprocs; k++) {
      proc const *p = k < tab[i].nprocs ? tab[i].inst + k : &tab[i].log;
      if (p->pid && p->adopted && p->pidfd >= 0) {
        xs[nxs].fd = p->pidfd;
        xs[nxs++].events = IOPAUSE_READ;
      }
    }
  /* no pidfd (old kernel): looked at every second */
  if (!blind)
    t_adopted = 0;
  else if (!t_adopted)
    t_adopted = sv_now_ms() + RESTART_MIN_MS;
}

/* SV_SCANDIR, absolute, for every supervise (and so every service): a
   supervise runs SV_SCANDIR/.svscan/event on each transition (SPEC §9) */
static void export_scandir(void)
{
  char cwd[SV_PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) strerr_diefusys(111, "getcwd in ", dirpath);
  if (setenv("SV_SCANDIR", cwd, 1) < 0) strerr_diefusys(111, "set SV_SCANDIR");
}

int main(int argc, char const *const *argv)
{
  iopause_fd *x;
  sv_version_option(argc, argv);
  parse_args(argc, argv);
  init_start(dirpath); /* as PID 1 (SPEC §11); a machine's returns in a child */
  flag.pid1 = getpid() == 1;
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard fds");
  find_supervise(argv[0]);
  if (chdir(dirpath) < 0) strerr_diefusys(111, "chdir to ", dirpath);
  export_scandir();
  {
    DIR *d = opendir(".");
    if (!d) strerr_diefusys(111, "read directory ", dirpath);
    closedir(d);
  }
  claim();
  init_mark();
  devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) strerr_diefusys(111, "open /dev/null");
  raise_nofile();
  setup_signals();
  /* orphans come back to us, so none is left a zombie (PID 1 gets them anyway) */
  if (!flag.pid1) prctl(PR_SET_CHILD_SUBREAPER, 1);
  tain_now_set_stopwatch_g();
  if (!rescan()) strerr_diefusys(111, "read directory ", dirpath);
  if (poll_ms) t_poll = sv_now_ms() + poll_ms;

  for (;;) {
    tain deadline;
    if (flag.rescan) {
      flag.rescan = 0;
      rescan();
    }
    if (flag.quitting && quit_step()) break;
    launch();
    watchlist();
    x = xs;
    sv_deadline_g(&deadline, next_deadline());
    x[0].fd = sigfd, x[0].events = IOPAUSE_READ;
    x[1].fd = ctlfd, x[1].events = IOPAUSE_READ;
    if (iopause_g(x, nxs, &deadline) < 0) strerr_diefusys(111, "iopause");
    if (x[0].revents & IOPAUSE_READ && sv_signals_each(&on_signal) < 0) strerr_diefusys(111, "read selfpipe");
    if (x[1].revents & IOPAUSE_READ) handle_control();
    if (nxs > 2) adopted_deaths(&pidfd_ready);
    if (t_adopted && sv_now_ms() >= t_adopted) {
      t_adopted = 0;
      adopted_deaths(&never);
    }
    handle_timers();
    compact();
  }
  strerr_warni("every service is down: exiting");
  if (init_kind()) init_finish(); /* returns only in a container */
  return 0;
}

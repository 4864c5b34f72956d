/* SPEC §9 events and history.  Every published transition (a new state in
   the status file, or health turning unhealthy or back) becomes one line of
   S/supervise/history (the last 100, rewritten atomically) and one event
   for the hooks: S/event, then SV_SCANDIR/.svscan/event, each run as
   `event NEWSTATE OLDSTATE NAME`, killed with its process group after
   timeout-event.  One hook at a time: what happens meanwhile waits, in
   order, in a fixed ring of 64; when it is full the oldest is dropped and
   counted.  Hooks are forked and reaped in supervise's loop: nothing here
   waits for one. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/selfpipe.h>
#include <skalibs/strerr.h>

#include "supervise.h"
#include "sv_clock.h"
#include "sv_daemon.h"
#include "sv_statedir.h"
#include "sv_str.h"
#include "sv_svdir.h"

#define QUEUE_MAX 64
#define HISTORY_MAX 100
#define HISTORY_LINE (SV_ERR_MAX + 64) /* time, two states, reason, newline */
#define NOSTATE (-1)                   /* OLDSTATE of the very first event: NONE */
#define EXIT_GRACE_MS 5000             /* the drain at exit when timeout-event is 0 (never) */

typedef struct event_s event;
struct event_s {
  uint64_t wall_ms;
  pid_t pid;
  unsigned restarts, failures, dropped; /* dropped: events lost just before this one */
  int newstate, oldstate;
  enum sv_health health;
  char lastexit[32];
  char reason[SV_ERR_MAX];
};

/* ---- where things are ---- */

static int statefd = -1;

/* ---- what was last published ---- */

static struct {
  int state; /* NOSTATE before the first */
  int unhealthy;
  pid_t pid;
} published = {NOSTATE, 0, 0};

/* ---- the queue, the hook running, the history ----
   In one block, in this order, so that what a quiet service touches sits on
   one page (the queue is 5 pages and 512 bytes): the queue's last slot (where an event waits when the
   queue was empty), the one being delivered, the counters, the name, and
   the first lines of the history; the rest of the queue and of the history
   are touched only by a burst of events or a long history. */

static struct {
  event queue[QUEUE_MAX];
  event cur; /* being delivered, while stage < 2 */
  sv_conf const *conf;
  char const *svpath, *statedir;
  char const *scanroot; /* SV_SCANDIR, 0 if none */
  int warned_noexec[2];
  unsigned qhead, qlen;
  int overflow_said; /* the current overflow was warned about */
  pid_t hook;
  unsigned hookstage;
  int timedout;
  uint64_t t_hookkill, t_exit;
  int history_unwritten; /* the last write failed: the memory copy is newer */
  unsigned hcount;
  size_t historylen;
  char evname[300]; /* NAME as the hooks get it */
  /* the file's text, lines packed: a 100-line history of short lines keeps
     a few pages resident, not HISTORY_MAX * HISTORY_LINE bytes */
  char history[HISTORY_MAX * HISTORY_LINE];
} ev __attribute__((aligned(4096))); /* page-aligned: the queue's end, and so what follows it, at a known offset */
static unsigned stage = 2;           /* next hook of ev.cur to run: 0, 1; 2 done */

/* ---- history ---- */

static char const *state_word(int s) { return s == NOSTATE ? "NONE" : sv_state_name((enum sv_state)s); }

/* 2026-12-05T20:34:18.123Z; buf >= 32 */
static char *iso_time(char *buf, uint64_t wall_ms)
{
  sv_fmt_iso_utc(buf, wall_ms);
  return buf;
}

/* the history is line-based: no control bytes in a reason */
static void clean(char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = ' ';
}

static void history_push(char const *line, size_t len)
{
  if (len >= HISTORY_LINE) len = HISTORY_LINE - 1;
  if (ev.hcount == HISTORY_MAX) { /* the oldest line goes */
    size_t first = (size_t)((char *)memchr(ev.history, '\n', ev.historylen) - ev.history) + 1;
    memmove(ev.history, ev.history + first, ev.historylen - first);
    ev.historylen -= first;
    ev.hcount--;
  }
  memcpy(ev.history + ev.historylen, line, len);
  ev.history[ev.historylen + len] = '\n';
  ev.historylen += len + 1;
  ev.hcount++;
}

/* one warning while the state directory refuses writes, not one per event */
static void history_failed(char const *what)
{
  if (!ev.history_unwritten)
    strerr_warnwusys(what, ev.svpath, "/", ev.statedir, "/history.new (written again with the status file)");
  ev.history_unwritten = 1;
}

/* the whole history replaced at once: a reader sees the old file or the new one */
static void history_write(void)
{
  if (!sv_replace_at(statefd, "history", ev.history, ev.historylen)) {
    history_failed("write ");
    return;
  }
  ev.history_unwritten = 0;
}

static void history_add(event const *e)
{
  char line[HISTORY_LINE], when[32];
  size_t n = sv_strjoin(line, sizeof line, iso_time(when, e->wall_ms), " ", state_word(e->newstate), " ",
                        state_word(e->oldstate), e->reason[0] ? " " : "", e->reason, (char *)0);
  if (!n) n = sizeof line - 1; /* cut: the reason is the last field */
  history_push(line, n);
  history_write();
}

/* the NEWSTATE of a history line: the state the service was last seen in */
static void note_last_state(char const *line)
{
  char const *sp = strchr(line, ' ');
  char word[16];
  size_t n;
  enum sv_state s;
  if (!sp) return;
  sp++;
  n = strcspn(sp, " ");
  if (n >= sizeof word) return;
  memcpy(word, sp, n);
  word[n] = 0;
  if (sv_state_scan(word, &s)) published.state = (int)s;
}

/* reloads the last 100 lines of the history a previous supervise left, so
   it survives a restart of supervise; only its last 64 KiB are read */
static void history_load(void)
{
  char buf[4096], line[HISTORY_LINE];
  size_t len = 0;
  int skipping;
  struct stat s;
  int fd = openat(statefd, "history", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode)) {
    fd_close(fd);
    return;
  }
  skipping = s.st_size > 65536; /* the first line is cut there: skipped */
  if (skipping && lseek(fd, s.st_size - 65536, SEEK_SET) < 0) {
    fd_close(fd);
    return;
  }
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; i++) {
      if (buf[i] != '\n') {
        if (!skipping && len < sizeof line - 1) line[len++] = buf[i];
        continue;
      }
      if (!skipping && len) {
        line[len] = 0;
        clean(line);
        history_push(line, len);
        note_last_state(line);
      }
      skipping = 0;
      len = 0;
    }
  }
  fd_close(fd);
}

/* ---- running a hook ---- */

/* hook k's path in buf (S/event, SV_SCANDIR/.svscan/event), 0 if there is
   none: made when needed, so that no path buffer stays resident for it */
static char const *hook_path(unsigned k, char *buf, size_t max)
{
  if (k == 1 && !ev.scanroot) return 0;
  return sv_strjoin(buf, max, k ? ev.scanroot : ev.svpath, k ? "/.svscan/event" : "/event", (char *)0) ? buf : 0;
}

static int executable(unsigned k, char const *path)
{
  struct stat s;
  if (!path || stat(path, &s) < 0 || !S_ISREG(s.st_mode)) return 0;
  if (access(path, X_OK) == 0) return 1;
  /* there but not executable: said once, as it may be on purpose */
  if (!ev.warned_noexec[k]) strerr_warnw(path, " is not executable: not run");
  ev.warned_noexec[k] = 1;
  return 0;
}

static void put_env(char const *key, char const *value)
{
  if (setenv(key, value, 1) < 0) _exit(111);
}

/* in the child: never returns */
static void exec_hook(char const *path, event const *e)
{
  char num[22], when[32];
  char const *argv[5] = {path, state_word(e->newstate), state_word(e->oldstate), ev.evname, 0};
  int fd;
  selfpipe_finish(); /* 2.13 keeps trapped signals blocked: unblock for the hook */
  sv_daemon_child_signals(0);
  /* its own process group, killed whole after timeout-event or its end */
  setsid();
  fd = open("/dev/null", O_RDONLY);
  if (fd > 0) {
    dup2(fd, 0);
    close(fd);
  }
  /* its output goes where supervise's own messages go, never into the
     service's log pipe (supervise's stdout under svscan) */
  dup2(2, 1);
  put_env("SV_REASON", e->reason);
  put_env("SV_LASTEXIT", e->lastexit);
  put_env("SV_PID", sv_i64(num, e->pid));
  put_env("SV_RESTARTS", sv_u64(num, e->restarts));
  put_env("SV_FAILURES", sv_u64(num, e->failures));
  put_env("SV_HEALTH", sv_health_name(e->health));
  put_env("SV_TIME", iso_time(when, e->wall_ms));
  put_env("SV_DROPPED", sv_u64(num, e->dropped));
  put_env("SV_SERVICE", ev.svpath);
  {
    char sd[SV_PATH_MAX + 32];
    sv_strjoin(sd, sizeof sd, ev.svpath, "/", ev.statedir, (char *)0);
    put_env("SV_STATEDIR", sd);
  }
  execv(path, (char *const *)argv);
  strerr_warnwusys("exec ", path);
  _exit(errno == ENOENT ? 127 : 126);
}

/* starts hook k for cur: 1 started */
static int start_hook(unsigned k)
{
  char buf[SV_PATH_MAX + 32];
  char const *path = hook_path(k, buf, sizeof buf);
  pid_t pid;
  if (!executable(k, path)) return 0;
  pid = fork();
  if (pid < 0) {
    strerr_warnwusys("fork for ", path);
    return 0;
  }
  if (!pid) exec_hook(path, &ev.cur);
  ev.hook = pid;
  ev.hookstage = k;
  ev.timedout = 0;
  ev.t_hookkill = ev.conf->event_timeout_ms ? sv_now_ms() + ev.conf->event_timeout_ms : 0;
  return 1;
}

/* runs the next hook due, unless one runs */
static void deliver(void)
{
  while (!ev.hook) {
    if (stage >= 2) {
      if (!ev.qlen) {
        ev.overflow_said = 0;
        return;
      }
      ev.cur = ev.queue[ev.qhead];
      ev.qhead = (ev.qhead + 1) % QUEUE_MAX;
      /* empty: the next event goes to the last slot again, so a hook that
         keeps up keeps one slot of the queue resident, not all of them */
      if (!--ev.qlen) ev.qhead = QUEUE_MAX - 1;
      stage = 0;
    }
    start_hook(stage++);
  }
}

static void enqueue(event const *e)
{
  if (ev.qlen == QUEUE_MAX) {
    /* the oldest goes (the newest say most about now); the one after it
       counts what is missing before it */
    unsigned lost = ev.queue[ev.qhead].dropped + 1;
    ev.qhead = (ev.qhead + 1) % QUEUE_MAX;
    ev.qlen--;
    ev.queue[ev.qhead].dropped += lost;
    if (!ev.overflow_said) {
      char num[22];
      strerr_warnw(ev.evname, ": event hook too slow, ", sv_u64(num, QUEUE_MAX), " events queued: dropping the oldest");
    }
    ev.overflow_said = 1;
  }
  ev.queue[(ev.qhead + ev.qlen) % QUEUE_MAX] = *e;
  ev.qlen++;
}

static void kill_hook(void)
{
  if (kill(-ev.hook, SIGKILL) < 0) kill(ev.hook, SIGKILL);
}

/* ---- the interface ---- */

void events_init(int dirfd, sv_conf const *c, char const *path, char const *sdir, char const *dirarg, char const *name,
                 int instance)
{
  char num[22];
  ev.qhead = QUEUE_MAX - 1; /* the slot beside the rest of what is touched */
  ev.scanroot = getenv("SV_SCANDIR");
  if (ev.scanroot && !*ev.scanroot) ev.scanroot = 0;
  statefd = dirfd;
  ev.conf = c;
  ev.svpath = path;
  ev.statedir = sdir;
  /* under svscan the name is the one svscan gave (web, web/log); by hand,
     the directory's name */
  if (ev.scanroot && *ev.scanroot && dirarg[0] != '/') {
    if (dirarg[0] == '.' && dirarg[1] == '/') dirarg += 2;
    sv_strjoin(ev.evname, sizeof ev.evname, dirarg, instance >= 0 ? "@" : "",
               instance >= 0 ? sv_i64(num, instance) : "", (char *)0);
  } else
    sv_strjoin(ev.evname, sizeof ev.evname, name, (char *)0);
  history_load();
}

void events_publish(sv_status const *st)
{
  int unhealthy = st->health == SV_HEALTH_UNHEALTHY;
  int ended = published.pid && st->pid != published.pid; /* a run ended since the last */
  event e;
  if ((int)st->state == published.state && unhealthy == published.unhealthy) {
    published.pid = st->pid;
    /* supervise retries a status it could not write: the history goes with it */
    if (ev.history_unwritten) history_write();
    return;
  }
  e.wall_ms = sv_wall_ms();
  e.pid = st->pid;
  e.restarts = st->restarts;
  e.failures = st->failures;
  e.dropped = 0;
  e.newstate = (int)st->state;
  e.oldstate = published.state;
  e.health = st->health;
  sv_lastexit_fmt(e.lastexit, st);
  /* the reason supervise gave; else what changed: health, or how the run ended */
  if (st->reason[0])
    sv_strjoin(e.reason, sizeof e.reason, st->reason, (char *)0);
  else if (unhealthy)
    sv_strjoin(e.reason, sizeof e.reason, "unhealthy: ", st->healthlog, (char *)0);
  else if (published.unhealthy && (int)st->state == published.state)
    sv_strjoin(e.reason, sizeof e.reason, "healthy", (char *)0);
  else if (ended && st->lastexit_kind != SV_EXIT_NONE)
    sv_strjoin(e.reason, sizeof e.reason, e.lastexit, (char *)0);
  else
    e.reason[0] = 0;
  clean(e.reason);
  published.state = e.newstate;
  published.unhealthy = unhealthy;
  published.pid = st->pid;
  /* the hook first: its fork and exec overlap the history's write */
  enqueue(&e);
  deliver();
  history_add(&e);
}

int events_reaped(pid_t pid, int wstat)
{
  char num[22], buf[SV_PATH_MAX + 32];
  char const *path;
  if (!ev.hook || pid != ev.hook) return 0;
  /* whatever it left behind in its group goes with it */
  kill(-pid, SIGKILL);
  path = hook_path(ev.hookstage, buf, sizeof buf);
  if (!path) path = "event hook";
  ev.hook = 0;
  ev.t_hookkill = 0;
  if (ev.timedout)
    strerr_warnw(ev.evname, ": ", path, " timed out after ", sv_u64(num, ev.conf->event_timeout_ms), " ms: killed");
  else if (WIFSIGNALED(wstat))
    strerr_warnw(ev.evname, ": ", path, " killed by signal ", sv_u64(num, (uint64_t)WTERMSIG(wstat)));
  else if (WEXITSTATUS(wstat))
    strerr_warnw(ev.evname, ": ", path, " exited ", sv_u64(num, (uint64_t)WEXITSTATUS(wstat)));
  deliver();
  return 1;
}

void events_timer(uint64_t now)
{
  if (ev.t_hookkill && now >= ev.t_hookkill) {
    ev.t_hookkill = 0;
    ev.timedout = 1;
    if (ev.hook) kill_hook();
  }
}

uint64_t events_deadline(void)
{
  if (ev.t_hookkill && ev.t_exit) return ev.t_hookkill < ev.t_exit ? ev.t_hookkill : ev.t_exit;
  return ev.t_hookkill ? ev.t_hookkill : ev.t_exit;
}

int events_draining(void)
{
  uint64_t now = sv_now_ms();
  char num[22];
  if (!ev.hook && stage >= 2 && !ev.qlen) return 0;
  if (!ev.t_exit) ev.t_exit = now + (ev.conf->event_timeout_ms ? ev.conf->event_timeout_ms : EXIT_GRACE_MS);
  if (now < ev.t_exit) return 1;
  /* the grace is over: what is left is not delivered */
  if (ev.hook) kill_hook();
  strerr_warnw(ev.evname, ": exiting with ", sv_u64(num, ev.qlen + (stage < 2)), " events not delivered");
  ev.hook = 0;
  ev.qlen = 0;
  stage = 2;
  return 0;
}

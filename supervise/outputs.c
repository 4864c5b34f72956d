/* stdout=PATH and stderr=PATH: supervise runs one `svlog -F PATH` per
   destination and holds both ends of the pipe to it, so that neither a
   restart of the service nor one of the logger loses a byte. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>

#include "supervise.h"
#include "sv_daemon.h"
#include "sv_clock.h"
#include "sv_svdir.h"
#include "sv_user.h"

typedef struct logger_s logger;
struct logger_s {
  char given[SV_PATH_MAX]; /* as conf says it */
  char path[SV_PATH_MAX];  /* absolute */
  char user[256];          /* conf's user=, "" for none: svlog runs as that user */
  uint64_t maxbytes;
  unsigned backups;
  int piped; /* r and w are the pipe; 0: none */
  int r, w;
  pid_t pid;           /* svlog, 0 when not running */
  uint64_t restart_at; /* ms, 0: none */
};

/* all zero, so in .bss: a service without stdout= never touches these pages */
static logger loggers[2];
static char svlog_path[SV_PATH_MAX];

/* svlog beside our own executable, never one from PATH (a missing one
   fails at exec, and says so) */
static char const *find_svlog(void)
{
  if (!svlog_path[0] && !sv_daemon_sibling(svlog_path, sizeof svlog_path, "svlog", 0)) svlog_path[0] = 0;
  return svlog_path[0] ? svlog_path : "svlog";
}

/* in the logger's child: become conf's user= ("name" or "name:group"), so
   that root never appends as root into a directory that user controls
   (SPEC §13).  Returns only on success; an unknown user is a warning and an
   exit, and supervise retries the logger every second. */
static void become_user(char const *spec, char const *path)
{
  sv_user u;
  switch (sv_user_lookup(spec, &u)) {
  case SV_USER_OK: break;
  case SV_USER_NOUSER: strerr_dief(111, "unable to set user ", u.name, " for svlog of ", path, ": unknown user");
  case SV_USER_NOGROUP:
    strerr_dief(111, "unable to set group ", strchr(spec, ':') + 1, " for svlog of ", path, ": unknown group");
  default: strerr_diefu4sys(111, "set user ", u.name, " for svlog of ", path);
  }
  if (sv_user_become(&u) < 0) strerr_diefu4sys(111, "set user ", u.name, " for svlog of ", path);
}

static void start_logger(logger *l)
{
  char size[32], count[16];
  char const *argv[] = {find_svlog(), "-F", l->path, "-s", size, "-n", count, 0};
  pid_t pid;
  snprintf(size, sizeof size, "%llu", (unsigned long long)l->maxbytes);
  snprintf(count, sizeof count, "%u", l->backups);
  l->restart_at = 0;
  pid = fork();
  if (pid < 0) {
    strerr_warnwusys("fork svlog for ", l->path, " (retrying in 1 second)");
    l->restart_at = sv_now_ms() + 1000;
    return;
  }
  if (!pid) {
    selfpipe_finish();
    sig_restore(SIGPIPE);
    if (fd_move(0, l->r) < 0) _exit(111);
    if (l->user[0]) become_user(l->user, l->path);
    execv(argv[0], (char *const *)argv);
    strerr_dieexec(127, argv[0]);
  }
  l->pid = pid;
}

static void drop_logger(logger *l)
{
  /* nothing written when there is nothing to drop: pages stay untouched */
  if (!l->piped && !l->pid && !l->restart_at && !l->given[0]) return;
  /* closing our write end lets svlog drain the pipe and exit on EOF */
  if (l->piped) {
    close(l->w);
    close(l->r);
  }
  l->piped = 0;
  l->pid = 0;
  l->restart_at = 0;
  l->path[0] = l->given[0] = l->user[0] = 0;
}

static int is_file_dest(char const *dest) { return dest && strcmp(dest, "/dev/null") && strcmp(dest, "stdout"); }

/* makes loggers[i] match (dest, maxbytes, backups): its write end, or -1 */
static int ensure(unsigned i, char const *dest, uint64_t maxbytes, unsigned backups, char const *user, char *err)
{
  logger *l = &loggers[i];
  int p[2];
  if (!user) user = "";
  if (!is_file_dest(dest)) {
    drop_logger(l);
    return -1;
  }
  if (l->piped && !strcmp(l->given, dest) && l->maxbytes == maxbytes && l->backups == backups &&
      !strncmp(l->user, user, sizeof l->user))
    return l->w;
  drop_logger(l);
  if (pipecoe(p) < 0) {
    snprintf(err, SV_ERR_MAX, "unable to create a pipe for %s: %s", dest, strerror(errno));
    return -2;
  }
  snprintf(l->given, sizeof l->given, "%s", dest);
  /* relative to the service directory, whatever the logger's cwd */
  if (dest[0] == '/')
    snprintf(l->path, sizeof l->path, "%s", dest);
  else {
    char cwd[SV_PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
    snprintf(l->path, sizeof l->path, "%.500s/%.500s", cwd, dest);
  }
  snprintf(l->user, sizeof l->user, "%s", user);
  l->maxbytes = maxbytes, l->backups = backups;
  l->r = p[0], l->w = p[1], l->piped = 1;
  start_logger(l);
  return l->w;
}

int outputs_prepare(sv_conf const *c, int *outfd, int *errfd, char *err)
{
  *outfd = ensure(0, c->stdout_dest, c->stdout_maxbytes, c->stdout_backups, c->user, err);
  if (*outfd == -2) return 0;
  *errfd = ensure(1, c->stderr_dest, c->stderr_maxbytes, c->stderr_backups, c->user, err);
  return *errfd != -2;
}

int outputs_reaped(pid_t pid, int wstat)
{
  for (unsigned i = 0; i < 2; i++) {
    logger *l = &loggers[i];
    if (!pid || l->pid != pid) continue;
    l->pid = 0;
    if (!l->piped) return 1;
    /* the pipe still holds what it was not given: a new svlog takes it */
    strerr_warnw("svlog for ", l->path, " died (", WIFSIGNALED(wstat) ? "signal" : "exit",
                 "), restarting it in 1 second");
    l->restart_at = sv_now_ms() + 1000;
    return 1;
  }
  return 0;
}

uint64_t outputs_deadline(void)
{
  uint64_t e = 0;
  for (unsigned i = 0; i < 2; i++)
    if (loggers[i].restart_at && (!e || loggers[i].restart_at < e)) e = loggers[i].restart_at;
  return e;
}

void outputs_timer(uint64_t now)
{
  for (unsigned i = 0; i < 2; i++)
    if (loggers[i].restart_at && now >= loggers[i].restart_at && loggers[i].piped) start_logger(&loggers[i]);
}

void outputs_close(void)
{
  for (unsigned i = 0; i < 2; i++)
    drop_logger(&loggers[i]);
}

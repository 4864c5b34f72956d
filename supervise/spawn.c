/* Starting run and finish: fork, set the child up as SPEC §1 says, exec,
   and report a failure before exec to the parent on a close-on-exec pipe. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/selfpipe.h>
#include <skalibs/sig.h>

#include "sv_daemon.h"
#include "supervise.h"
#include "sv_envdir.h"
#include "sv_str.h"
#include "sv_svdir.h"
#include "sv_user.h"

/* what the child could not do, sent to the parent */

enum {
  STEP_ENVDIR,
  STEP_STDOUT,
  STEP_STDERR,
  STEP_CHDIR,
  STEP_USER,
  STEP_EXEC,
  STEP_NOTIF,
  STEP_SETSID,
  STEP_LIMITS,
  STEP_CGROUP,
  STEP_SVNOTIFY
};
static char const *const steps[] = {"read env/",
                                    "open stdout",
                                    "open stderr",
                                    "chdir to workingdir",
                                    "set user",
                                    "exec",
                                    "set up notification-fd",
                                    "start a new session",
                                    "set limits",
                                    "join cgroup",
                                    "set up the heartbeat file or notify socket"};
static char const *limit_what = "limits"; /* the key limits_apply failed on */

typedef struct user_s user;
struct user_s {
  int set; /* 0: stay who we are */
  sv_user who;
};

/* env/K sets K to its whole first line (sv_envdir_value); empty unsets.
   Runs in the child, so one growing buffer costs supervise nothing */
static int apply_envdir(void)
{
  DIR *d = opendir("env");
  struct dirent *e;
  stralloc val = STRALLOC_ZERO;
  if (!d) return errno == ENOENT ? 0 : -1;
  while ((e = readdir(d))) {
    char path[300];
    struct stat s;
    int fd, ok;
    if (e->d_name[0] == '.') continue;
    sv_strjoin(path, sizeof path, "env/", e->d_name, (char *)0);
    /* a FIFO or a device there must not hang the start */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      closedir(d);
      return -1;
    }
    if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode)) {
      close(fd);
      continue;
    }
    val.len = 0;
    ok = sv_envdir_readline(fd, &val) && stralloc_0(&val);
    close(fd);
    if (!ok) {
      closedir(d);
      return -1;
    }
    if (val.len == 1) {
      unsetenv(e->d_name);
      continue;
    }
    sv_envdir_value(val.s, val.len - 1);
    if (setenv(e->d_name, val.s, 1) < 0) {
      closedir(d);
      return -1;
    }
  }
  closedir(d);
  return 0;
}

static int open_dest(char const *dest, int fd)
{
  int f = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY, 0644);
  if (f < 0) return -1;
  return fd_move(fd, f) < 0 ? -1 : 0;
}

static int become(user const *u) { return u->set ? sv_user_become(&u->who) : 0; }

/* puts the readiness pipe's write end on fd nfd, open across exec.  Done
   after stdout and stderr are in place: nfd may be the number a log pipe
   had (it is dup'd to 1 or 2 by then), or the pipe's own number */
static int place_notification(int nfd, int w)
{
  if (w == nfd) return fcntl(nfd, F_SETFD, 0);
  if (dup2(w, nfd) < 0) return -1;
  close(w);
  return 0;
}

/* runs in the child: everything but exec; returns the failed step or -1 */
static int prepare_child(sv_conf const *c, int instance, outfds const *o, user const *u, int notif_w, int is_run)
{
  selfpipe_finish(); /* 2.13 keeps trapped signals blocked: unblock for the service */
  /* and no disposition inherited from whoever started us (a shell's ignored
     INT and QUIT would make svc -i and svc -q do nothing) */
  sv_daemon_child_signals(0);
  if (setsid() < 0) return STEP_SETSID;
  if (apply_envdir() < 0) return STEP_ENVDIR;
  for (unsigned i = 0; i < c->nenv; i++)
    putenv((char *)c->env[i]);
  if (instance >= 0) {
    char buf[16];
    snprintf(buf, sizeof buf, "%d", instance);
    setenv("SV_INSTANCE", buf, 1);
  }
  if (o->out >= 0) {
    if (dup2(o->out, 1) < 0) return STEP_STDOUT;
  } else if (c->stdout_dest && open_dest(c->stdout_dest, 1) < 0)
    return STEP_STDOUT;
  if (c->stderr_dest && !strcmp(c->stderr_dest, "stdout")) {
    if (dup2(1, 2) < 0) return STEP_STDERR;
  } else if (o->err >= 0) {
    if (dup2(o->err, 2) < 0) return STEP_STDERR;
  } else if (c->stderr_dest && open_dest(c->stderr_dest, 2) < 0)
    return STEP_STDERR;
  if (notif_w >= 0 && place_notification(c->notification_fd, notif_w) < 0) return STEP_NOTIF;
  if (c->umask >= 0) umask((mode_t)c->umask);
  if (c->workingdir && chdir(c->workingdir) < 0) return STEP_CHDIR;
  /* before user=: only root may raise a hard limit or lower nice */
  if (limits_apply(&c->res, &limit_what) < 0) return STEP_LIMITS;
  if (is_run) { /* §9's environment: for run, not finish nor a check */
    uid_t uid = u->set ? u->who.uid : (uid_t)-1;
    gid_t gid = u->set ? u->who.gid : (gid_t)-1;
    if (watchdog_child(uid, gid) < 0 || notify_child(uid, gid) < 0) return STEP_SVNOTIFY;
  }
  if (become(u) < 0) return STEP_USER;
  return -1;
}

/* in the child: tells the parent why it could not exec, then exits */
static void die_child(int reportfd, char const *what, int step)
{
  char msg[SV_ERR_MAX];
  int e = errno;
  size_t n;
  if (step == STEP_EXEC)
    n = (size_t)snprintf(msg, sizeof msg, "unable to exec %s: %s", what, strerror(e));
  else if (step == STEP_LIMITS)
    n = (size_t)snprintf(msg, sizeof msg, "unable to set %s for %s: %s", limit_what, what, strerror(e));
  else
    n = (size_t)snprintf(msg, sizeof msg, "unable to %s for %s: %s", steps[step], what, strerror(e));
  if (n >= sizeof msg) n = sizeof msg - 1;
  /* one write under PIPE_BUF: the parent reads it whole */
  if (write(reportfd, msg, n) < 0) _exit(111);
  _exit(step == STEP_EXEC ? (e == ENOENT ? 127 : 126) : 111);
}

/* in the child, so that a slow lookup (NSS, a huge group file) never
   blocks supervise */
static void lookup_user(sv_conf const *c, user *u, int reportfd)
{
  char msg[SV_ERR_MAX];
  size_t n;
  u->set = 0;
  if (!c->user) return;
  switch (sv_user_lookup(c->user, &u->who)) {
  case SV_USER_OK: u->set = 1; return;
  case SV_USER_NOUSER:
    n = (size_t)snprintf(msg, sizeof msg, "unable to set user %.200s: unknown user", u->who.name);
    break;
  case SV_USER_NOGROUP:
    n = (size_t)snprintf(msg, sizeof msg, "unable to set group %.200s: unknown group", strchr(c->user, ':') + 1);
    break;
  default: n = (size_t)snprintf(msg, sizeof msg, "unable to set user %.200s: %s", u->who.name, strerror(errno));
  }
  if (write(reportfd, msg, n < sizeof msg ? n : sizeof msg - 1) < 0) _exit(111);
  _exit(111);
}

int spawn_report(int reportfd, char *err)
{
  ssize_t r;
  do
    r = read(reportfd, err, SV_ERR_MAX - 1);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno == EAGAIN) return -1;
  close(reportfd);
  if (r <= 0) return 1;
  err[r] = 0;
  return 0;
}

/* forks the child that execs argv: its pid (0 on failure, err filled) and,
   in *reportfd, the read end on which it reports a failure before exec */
static pid_t spawn(sv_conf const *c, int instance, outfds const *o, char const *const *argv, char const *what,
                   int notif_w, int is_run, int *reportfd, char *err)
{
  int p[2];
  user u;
  pid_t pid;
  if (pipecoe(p) < 0) {
    snprintf(err, SV_ERR_MAX, "unable to create pipe: %s", strerror(errno));
    return 0;
  }
  pid = fork();
  if (pid < 0) {
    snprintf(err, SV_ERR_MAX, "unable to fork: %s", strerror(errno));
    close(p[0]);
    close(p[1]);
    return 0;
  }
  if (!pid) {
    int step;
    close(p[0]);
    /* first: whatever the child starts from here on is in the service's cgroup */
    if (cgroup_join() < 0) die_child(p[1], what, STEP_CGROUP);
    /* the report pipe must not sit where the readiness pipe goes */
    if (notif_w >= 0 && p[1] == c->notification_fd) {
      int d = fcntl(p[1], F_DUPFD_CLOEXEC, 0);
      if (d < 0) _exit(111);
      p[1] = d;
    }
    lookup_user(c, &u, p[1]);
    step = prepare_child(c, instance, o, &u, notif_w, is_run);
    if (step >= 0) die_child(p[1], what, step);
    execv(argv[0], (char *const *)argv);
    die_child(p[1], what, STEP_EXEC);
  }
  close(p[1]);
  ndelay_on(p[0]);
  *reportfd = p[0];
  return pid;
}

pid_t spawn_run(sv_conf const *c, char const *svpath, int instance, outfds const *o, int *notiffd, int *reportfd,
                char *err)
{
  static char cmd[SV_CONF_MAX + 8]; /* command= only: off the stack, untouched otherwise */
  char runpath[SV_PATH_MAX + 8];
  char const *argv[4];
  int np[2] = {-1, -1};
  pid_t pid;
  if (c->has_run) {
    sv_strjoin(runpath, sizeof runpath, svpath, "/run", (char *)0);
    argv[0] = runpath;
    argv[1] = 0;
  } else {
    sv_strjoin(cmd, sizeof cmd, "exec ", c->command, (char *)0);
    argv[0] = "/bin/sh", argv[1] = "-c", argv[2] = cmd, argv[3] = 0;
  }
  if (c->notification_fd >= 0 && pipecoe(np) < 0) {
    snprintf(err, SV_ERR_MAX, "unable to create pipe: %s", strerror(errno));
    return 0;
  }
  pid = spawn(c, instance, o, argv, c->has_run ? runpath : "command", np[1], 1, reportfd, err);
  cgroup_spawned(); /* finish is not joined: it must not keep the cgroup populated */
  if (np[1] >= 0) close(np[1]);
  if (np[0] >= 0) {
    if (pid) {
      ndelay_on(np[0]);
      *notiffd = np[0];
    } else
      close(np[0]);
  }
  return pid;
}

pid_t spawn_finish(sv_conf const *c, char const *svpath, char const *name, int instance, outfds const *o, int known,
                   int wstat, int *reportfd, char *err)
{
  char path[SV_PATH_MAX + 8], code[22], sig[22];
  char const *argv[5] = {path, code, sig, name, 0};
  sv_strjoin(path, sizeof path, svpath, "/finish", (char *)0);
  if (known && WIFEXITED(wstat)) {
    sv_i64(code, WEXITSTATUS(wstat));
    strcpy(sig, "0");
  } else {
    strcpy(code, "-1");
    sv_i64(sig, known ? WTERMSIG(wstat) : 0);
  }
  /* finish runs like run, without the readiness pipe */
  return spawn(c, instance, o, argv, path, -1, 0, reportfd, err);
}

pid_t spawn_hook(sv_conf const *c, char const *svpath, char const *hook, int instance, outfds const *o, int *reportfd,
                 char *err)
{
  char path[SV_PATH_MAX + 16];
  char const *argv[2] = {path, 0};
  sv_strjoin(path, sizeof path, svpath, "/", hook, (char *)0);
  /* like run: env/, env=, user=, limits, workingdir; not in run's cgroup */
  return spawn(c, instance, o, argv, path, -1, 0, reportfd, err);
}

pid_t spawn_check(sv_conf const *c, char const *svpath, int instance, int outfd, int *reportfd, char *err)
{
  static char cmd[SV_CONF_MAX + 8];
  char path[SV_PATH_MAX + 8];
  char const *argv[4] = {path, 0, 0, 0};
  outfds o = {outfd, outfd};
  sv_conf cc = *c;
  sv_strjoin(path, sizeof path, svpath, "/check", (char *)0);
  if (access(path, F_OK) < 0 && c->healthcheck) {
    sv_strjoin(cmd, sizeof cmd, c->healthcheck, (char *)0);
    argv[0] = "/bin/sh", argv[1] = "-c", argv[2] = cmd;
  }
  /* the check's output goes to supervise's pipe, whatever stdout= says */
  cc.stdout_dest = cc.stderr_dest = 0;
  return spawn(&cc, instance, &o, argv, argv[0] == path ? path : "healthcheck", -1, 0, reportfd, err);
}

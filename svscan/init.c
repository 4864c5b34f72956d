/* svscan as a machine's init (SPEC §11).

   As PID 1, init_start() runs DIR/.svscan/boot once (bounded) or, on a
   machine without one, mounts /proc, /sys, /dev and /run.  On a machine
   (a PID 1 that can reboot) PID 1 then stays a small keeper that never
   exits: it forks the scanner, reaps every orphan, turns SIGPWR into
   poweroff and SIGINT (ctrl-alt-del) into reboot through the control FIFO,
   and starts the scanner again if it dies.  In a container (a PID 1 that
   cannot reboot) svscan stays PID 1 as before.

   The scanner, once every service is down after svc poweroff|reboot|halt,
   calls init_finish(): DIR/.svscan/shutdown ARG (bounded), closes every
   file but the console and leaves the scan directory, SIGTERM to every
   process, SIGKILL after 5 s, and on a machine sync, unmount (or remount
   read-only) and reboot(2).  In a container it returns and svscan exits 0. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/reboot.h>

#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>

#include "sv_clock.h"
#include "sv_control.h"
#include "sv_daemon.h"
#include "init.h"
#include "sv_proc.h"

#define DEFAULT_SCRIPT_SECS 30 /* .svscan/boot, .svscan/shutdown */
#define KILL_AFTER_MS 5000     /* SIGTERM, then SIGKILL (SPEC §11) */

int init_mode;    /* INIT_NONE, INIT_CONTAINER, INIT_MACHINE */
static char kind; /* 0, or 'P' 'R' 'H' once asked */
static char const *scandir_path;

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, 0);
}

static unsigned secs_from_env(char const *var)
{
  char const *s = getenv(var);
  char *end;
  unsigned long v;
  if (!s || !*s) return DEFAULT_SCRIPT_SECS;
  v = strtoul(s, &end, 10);
  if (*end || *s < '0' || *s > '9' || v > 86400) {
    strerr_warnw("ignoring ", var, "=", s, ": not a number of seconds up to 86400");
    return DEFAULT_SCRIPT_SECS;
  }
  return (unsigned)v;
}

/* in a child: no signal blocked, every disposition the default */
static void plain_signals(void) { sv_daemon_child_signals(0); }

/* reaps any child; 1 if pid was among them (its wait status in *w) */
static int reap_all(pid_t pid, int *w)
{
  int found = 0;
  for (;;) {
    int wstat;
    pid_t r = waitpid(-1, &wstat, WNOHANG);
    if (r <= 0) return found;
    if (r == pid) {
      found = 1;
      *w = wstat;
    }
  }
}

/* runs PATH ARG with a bound: 1 ran (finished or left running), 0 none */
static int run_script(char const *path, char const *arg, char const *envvar)
{
  unsigned secs = secs_from_env(envvar);
  char num[24];
  uint64_t deadline;
  pid_t pid;
  int wstat = 0;
  if (access(path, X_OK) < 0) {
    if (errno != ENOENT) strerr_warnwusys("run ", path);
    return 0;
  }
  strerr_warni("running ", path, arg ? " " : "", arg ? arg : "");
  pid = fork();
  if (pid < 0) {
    strerr_warnwusys("fork for ", path);
    return 1;
  }
  if (!pid) {
    char const *argv[3] = {path, arg, 0};
    plain_signals();
    setsid();
    execv(path, (char *const *)argv);
    strerr_warnwusys("exec ", path);
    _exit(127);
  }
  deadline = sv_now_ms() + (uint64_t)secs * 1000;
  for (;;) {
    if (reap_all(pid, &wstat)) break;
    if (sv_now_ms() >= deadline) {
      snprintf(num, sizeof num, "%u", secs);
      strerr_warnw(path, " still running after ", num, " s: going on without it");
      return 1;
    }
    sleep_ms(20);
  }
  if (WIFSIGNALED(wstat)) {
    snprintf(num, sizeof num, "%d", WTERMSIG(wstat));
    strerr_warnw(path, " killed by signal ", num, ": going on");
  } else if (WEXITSTATUS(wstat)) {
    snprintf(num, sizeof num, "%d", WEXITSTATUS(wstat));
    strerr_warnw(path, " exited ", num, ": going on");
  }
  return 1;
}

/* ---- stage 1 ---- */

static int mounted(char const *dir)
{
  struct stat d, p;
  char parent[64];
  /* a mount point is on another device than its parent */
  snprintf(parent, sizeof parent, "%s/..", dir);
  if (stat(dir, &d) < 0 || stat(parent, &p) < 0) return 0;
  return d.st_dev != p.st_dev;
}

static void mount_one(char const *src, char const *dir, char const *type, unsigned long flags, char const *data)
{
  if (mounted(dir)) return;
  mkdir(dir, 0755);
  if (mount(src, dir, type, flags, data) < 0) strerr_warnwusys("mount ", type, " on ", dir);
}

static void default_mounts(void)
{
  mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  mount_one("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
}

static void stage1(char const *dir)
{
  char path[1100];
  snprintf(path, sizeof path, "%s/.svscan/boot", dir);
  if (!run_script(path, 0, "SVSCAN_BOOT_TIMEOUT") && init_mode == INIT_MACHINE) default_mounts();
}

/* ---- the keeper: PID 1 of a machine ---- */

static pid_t fork_scanner(void)
{
  pid_t pid = fork();
  if (pid < 0) strerr_warnwusys("fork the scanner");
  if (!pid) plain_signals();
  return pid;
}

/* the scanner is gone: the keeper shuts down alone */
static void keeper_finish(char k)
{
  kind = k;
  if (chdir(scandir_path) < 0) strerr_warnwusys("chdir to ", scandir_path);
  init_finish();
}

static void keeper_order(char k)
{
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/.svscan", scandir_path);
  if (sv_control_send(dir, &k, 1) <= 0) {
    strerr_warnw("the scanner does not listen: shutting down without it");
    keeper_finish(k);
  }
}

/* never returns in PID 1; returns in the scanner child */
static void keeper(void)
{
  sigset_t set;
  unsigned delay = 1000;
  uint64_t t_restart = 0, started = 0;
  pid_t scanner;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGPWR);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, 0);
  scanner = fork_scanner();
  if (!scanner) return;
  started = sv_now_ms();
  for (;;) {
    struct timespec ts = {1, 0};
    siginfo_t si;
    int sig, wstat = 0;
    if (scanner <= 0 && sv_now_ms() >= t_restart) {
      strerr_warni("starting the scanner again");
      scanner = fork_scanner();
      if (!scanner) return;
      started = sv_now_ms();
      if (scanner < 0) t_restart = sv_now_ms() + delay;
    }
    sig = sigtimedwait(&set, &si, &ts);
    if (sig == SIGINT) {
      strerr_warni("SIGINT: reboot");
      keeper_order('R');
    } else if (sig == SIGPWR) {
      strerr_warni("SIGPWR: poweroff");
      keeper_order('P');
    } else if (sig == SIGTERM)
      strerr_warnw("SIGTERM ignored: PID 1 does not exit (svc poweroff, reboot or halt)");
    if (scanner > 0 && reap_all(scanner, &wstat)) {
      char num[16];
      snprintf(num, sizeof num, "%d", WIFSIGNALED(wstat) ? WTERMSIG(wstat) : WEXITSTATUS(wstat));
      strerr_warnw("the scanner ", WIFSIGNALED(wstat) ? "was killed by signal " : "exited ", num,
                   ": PID 1 starts it again");
      if (sv_now_ms() - started > 60000)
        delay = 1000;
      else if (delay < 30000)
        delay *= 2;
      t_restart = sv_now_ms() + delay;
      scanner = 0;
    } else if (scanner <= 0)
      reap_all(0, &wstat);
  }
}

void init_start(char const *dir)
{
  scandir_path = dir;
  if (getpid() != 1) return;
  /* ctrl-alt-del sends SIGINT to PID 1; only the init namespace's PID 1
     may do that: elsewhere reboot(2) says EINVAL (or EPERM without
     CAP_SYS_BOOT), and this PID 1 is a container's */
  init_mode = reboot(LINUX_REBOOT_CMD_CAD_OFF) == 0 ? INIT_MACHINE : INIT_CONTAINER;
  if (init_mode == INIT_MACHINE) {
    /* the kernel gives init no stdin/stdout when /dev/console is missing */
    if (chdir("/") < 0) strerr_warnwusys("chdir to /");
    umask(022);
  }
  stage1(dir);
  if (init_mode == INIT_MACHINE) keeper();
}

void init_mark(void)
{
  char const *what = init_mode == INIT_MACHINE ? "machine\n" : "container\n";
  if (init_mode == INIT_NONE) {
    if (unlink(".svscan/init") < 0 && errno != ENOENT) strerr_warnwusys("remove .svscan/init");
    return;
  }
  if (!openwritenclose_suffix(".svscan/init", what, strlen(what), ".new")) strerr_warnwusys("write .svscan/init");
}

int init_request(char k)
{
  if (init_mode == INIT_NONE) {
    strerr_warnw("ignoring a ",
                 k == 'P'   ? "poweroff"
                 : k == 'R' ? "reboot"
                            : "halt",
                 " order: svscan is not PID 1 (svc quit stops the tree)");
    return 0;
  }
  if (!kind) kind = k;
  return 1;
}

char init_kind(void) { return kind; }

static char const *kind_name(void) { return kind == 'P' ? "poweroff" : kind == 'R' ? "reboot" : "halt"; }

/* a process is left that is neither us, nor PID 1, nor a kernel thread,
   nor a zombie (kill(-1, 0) counts kernel threads on a machine) */
static int any_left(void)
{
  DIR *d = opendir("/proc");
  struct dirent *e;
  pid_t self = getpid();
  int found = 0;
  if (!d) return kill(-1, 0) == 0;
  while (!found && (e = readdir(d))) {
    sv_procstat ps;
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end || pid <= 1 || pid == self) continue;
    if (!sv_procstat_read(e->d_name, &ps) || ps.state == 'Z') continue;
    if (ps.flags & 0x00200000UL) continue; /* PF_KTHREAD */
    found = 1;
  }
  closedir(d);
  return found;
}

/* waits until no process is left but us (and PID 1), reaping: 1 none left */
static int wait_all_gone(unsigned ms)
{
  uint64_t deadline = sv_now_ms() + ms;
  int w;
  for (;;) {
    reap_all(0, &w);
    if (!any_left()) return 1;
    if (sv_now_ms() >= deadline) return 0;
    sleep_ms(20);
  }
}

static void unmount_all(void)
{
  static char buf[65536];
  char *lines[512];
  unsigned n = 0;
  ssize_t r;
  int fd = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    strerr_warnwusys("read /proc/self/mounts");
    return;
  }
  r = read(fd, buf, sizeof buf - 1);
  fd_close(fd);
  if (r <= 0) return;
  buf[r] = 0;
  for (char *p = buf; *p && n < 512;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    lines[n++] = p;
    if (!nl) break;
    p = nl + 1;
  }
  /* innermost first */
  while (n--) {
    char *dev = lines[n], *dir, *type, *sp;
    if (!(sp = strchr(dev, ' '))) continue;
    *sp = 0, dir = sp + 1;
    if (!(sp = strchr(dir, ' '))) continue;
    *sp = 0, type = sp + 1;
    if ((sp = strchr(type, ' '))) *sp = 0;
    /* proc, sysfs, devtmpfs and the like hold no data */
    if (!strcmp(type, "proc") || !strcmp(type, "sysfs") || !strcmp(type, "devtmpfs") || !strcmp(type, "devpts") ||
        !strcmp(type, "cgroup2") || !strcmp(type, "cgroup") || !strcmp(type, "securityfs") ||
        !strcmp(type, "debugfs") || !strcmp(type, "tracefs") || !strcmp(type, "rootfs") || !strcmp(type, "tmpfs") ||
        !strcmp(type, "ramfs"))
      continue;
    if (umount2(dir, 0) == 0) {
      strerr_warni("unmounted ", dir);
      continue;
    }
    strerr_warnwusys("unmount ", dir, ": remounting it read-only");
    if (mount(dev, dir, 0, MS_REMOUNT | MS_RDONLY, 0) < 0) strerr_warnwusys("remount ", dir, " read-only");
  }
}

/* nothing of ours keeps a filesystem busy: the lock and the control FIFO,
   open read-write, make a read-only remount of the scan directory's
   filesystem EBUSY, and the working directory an unmount.  Only stdin,
   stdout and stderr (the console) stay. */
static void release_files(void)
{
  if (chdir("/") < 0) strerr_warnwusys("chdir to /");
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  for (int fd = 3; fd < 65536; fd++)
    close(fd);
}

void init_finish(void)
{
  int rb;
  uint64_t t0 = sv_now_ms();
  char num[24];
  if (!kind) kind = 'H';
  run_script(".svscan/shutdown", kind_name(), "SVSCAN_SHUTDOWN_TIMEOUT");
  release_files();
  strerr_warni(kind_name(), ": sending SIGTERM to every process");
  kill(-1, SIGTERM);
  kill(-1, SIGCONT);
  if (!wait_all_gone(KILL_AFTER_MS)) {
    strerr_warnw(kind_name(), ": processes left after 5 s: sending SIGKILL");
    kill(-1, SIGKILL);
    if (!wait_all_gone(KILL_AFTER_MS)) strerr_warnw(kind_name(), ": processes left after SIGKILL: going on");
  }
  snprintf(num, sizeof num, "%llu", (unsigned long long)(sv_now_ms() - t0));
  if (init_mode != INIT_MACHINE) {
    strerr_warni(kind_name(), ": every process is gone after ", num, " ms: exiting (a container)");
    return;
  }
  sync();
  unmount_all();
  sync();
  strerr_warni(kind_name(), ": every process is gone after ", num, " ms, filesystems synced: ", kind_name());
  rb = kind == 'P' ? RB_POWER_OFF : kind == 'R' ? RB_AUTOBOOT : RB_HALT_SYSTEM;
  for (;;) {
    int w;
    reboot(rb);
    /* PID 1 never exits: it reaps and tries again */
    strerr_warnwusys("reboot(2) for ", kind_name(), ": trying again in 10 s");
    for (int i = 0; i < 500; i++) {
      reap_all(0, &w);
      sleep_ms(20);
    }
  }
}

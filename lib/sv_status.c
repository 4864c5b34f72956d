#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/sig.h>
#include <skalibs/types.h>

#include "sv_svdir.h"
#include "sv_clock.h"
#include "sv_status.h"
#include "sv_str.h"
#include "sv_statedir.h"
#include "sv_proc.h"

static char const *const state_names[SV_NSTATES] = {"STOPPED",  "STARTING", "RUNNING", "BACKOFF",
                                                    "STOPPING", "EXITED",   "FATAL"};
static char const *const want_names[3] = {"up", "down", "once"};

char const *sv_state_name(enum sv_state s) { return (unsigned)s < SV_NSTATES ? state_names[s] : "UNKNOWN"; }

int sv_state_scan(char const *name, enum sv_state *s)
{
  for (unsigned i = 0; i < SV_NSTATES; i++)
    if (!strcmp(name, state_names[i])) {
      *s = (enum sv_state)i;
      return 1;
    }
  return 0;
}

static char const *const health_names[4] = {"none", "starting", "healthy", "unhealthy"};

char const *sv_health_name(enum sv_health h) { return (unsigned)h < 4 ? health_names[h] : "none"; }

char const *sv_want_name(enum sv_want w) { return (unsigned)w < 3 ? want_names[w] : "up"; }

char const *sv_lastexit_fmt(char *buf, sv_status const *st)
{
  char num[22];
  if (st->lastexit_kind == SV_EXIT_CODE)
    sv_strjoin(buf, 32, "exit ", sv_i64(num, st->lastexit), (char *)0);
  else if (st->lastexit_kind == SV_EXIT_SIGNAL) {
    char const *n = sig_name(st->lastexit);
    if (!n || !*n || !strcmp(n, "???")) n = sv_i64(num, st->lastexit);
    sv_strjoin(buf, 32, "signal ", n, (char *)0);
  } else
    strcpy(buf, "none");
  return buf;
}

/* a field's value as one line: a control byte (a newline in a reason
   above all) would start a forged field, so it reads as '?' */
static char const *oneline(char *dst, size_t max, char const *v)
{
  size_t i = 0;
  for (; v[i] && i + 1 < max; i++)
    dst[i] = (unsigned char)v[i] < 32 || v[i] == 127 ? '?' : v[i];
  dst[i] = 0;
  return dst;
}

size_t sv_status_fmt(char *buf, size_t max, sv_status const *st)
{
  char since[32], started[32], until[32], last[32], reason[SV_ERR_MAX], healthlog[SV_ERR_MAX], boot[40];
  char pid[22], restarts[22], starts[22], commands[22], pidstart[22], failures[22], finish[22], supervisor[22];
  size_t n;
  sv_fmt_secs(since, st->since_ms);
  sv_fmt_secs(started, st->started_ms);
  sv_fmt_secs(until, st->until_ms);
  n = sv_strjoin(buf, max, "state=", sv_state_name(st->state), "\npid=", sv_i64(pid, st->pid), "\nsince=", since,
                 "\nwant=", sv_want_name(st->want), "\nready=", st->ready ? "1" : "0",
                 "\nrestarts=", sv_u64(restarts, st->restarts), "\nstarts=", sv_u64(starts, st->starts),
                 "\ncommands=", sv_u64(commands, st->commands), "\nlastexit=", sv_lastexit_fmt(last, st),
                 "\nreason=", oneline(reason, sizeof reason, st->reason), "\nstarted=", started,
                 "\npidstart=", sv_u64(pidstart, st->pidstart), "\nfailures=", sv_u64(failures, st->failures),
                 "\nfinish=", sv_i64(finish, st->finish), "\nuntil=", until,
                 "\nsupervisor=", sv_i64(supervisor, st->supervisor), "\nboot=", oneline(boot, sizeof boot, st->boot),
                 "\nhealth=", sv_health_name(st->health),
                 "\nhealthlog=", oneline(healthlog, sizeof healthlog, st->healthlog), "\n", (char *)0);
  if (n && (st->next_ms || st->skipped)) {
    /* scheduled jobs only (SPEC §10) */
    char next[32], skipped[22];
    size_t m;
    sv_fmt_secs(next, st->next_ms);
    m = sv_strjoin(buf + n, max - n, "next=", next, "\nskipped=", sv_u64(skipped, st->skipped), "\n", (char *)0);
    n = m ? n + m : 0;
  }
  if (n && (st->notifystatus[0] || st->mainpid)) {
    /* notify=systemd only (SPEC §9): STATUS= and MAINPID= */
    char mainpid[22], notifystatus[SV_ERR_MAX];
    size_t m = sv_strjoin(buf + n, max - n, "status=", oneline(notifystatus, sizeof notifystatus, st->notifystatus),
                          "\nmainpid=", sv_i64(mainpid, st->mainpid), "\n", (char *)0);
    n = m ? n + m : 0;
  }
  return n;
}

int sv_status_store_at(int dirfd, char const *buf, size_t n) { return sv_replace_at(dirfd, "status", buf, n); }

int sv_status_writeat(int dirfd, sv_status const *st)
{
  char buf[SV_STATUS_MAX];
  size_t n = sv_status_fmt(buf, sizeof buf, st);
  if (!n) {
    errno = ENAMETOOLONG;
    return 0;
  }
  return sv_replace_at(dirfd, "status", buf, n);
}

int sv_status_write(char const *statedir, sv_status const *st)
{
  int dfd = open(statedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;
  if (dfd < 0) return 0;
  r = sv_status_writeat(dfd, st);
  fd_close(dfd);
  return r;
}

/* decimal fields of the status file: skalibs' scanners, not libc's strtol
   family (locale tables supervise would otherwise keep paged in) */
static int dec_int(char const *s)
{
  int i = 0;
  int_scan(s, &i);
  return i;
}

static uint64_t dec_u64(char const *s)
{
  uint64_t u = 0;
  uint64_scan(s, &u);
  return u;
}

static void parse_lastexit(sv_status *st, char const *v)
{
  if (!strncmp(v, "exit ", 5)) {
    st->lastexit_kind = SV_EXIT_CODE;
    st->lastexit = dec_int(v + 5);
  } else if (!strncmp(v, "signal ", 7)) {
    int s = v[7] >= '0' && v[7] <= '9' ? dec_int(v + 7) : sig_number(v + 7);
    st->lastexit_kind = SV_EXIT_SIGNAL;
    st->lastexit = s;
  } else
    st->lastexit_kind = SV_EXIT_NONE;
}

static void set_field(sv_status *st, char const *k, char const *v)
{
  if (!strcmp(k, "state")) {
    if (!sv_state_scan(v, &st->state)) st->state = SV_STOPPED;
  } else if (!strcmp(k, "pid"))
    st->pid = dec_int(v);
  else if (!strcmp(k, "since"))
    sv_scan_secs(v, &st->since_ms);
  else if (!strcmp(k, "want"))
    st->want = !strcmp(v, "down") ? SV_WANT_DOWN : !strcmp(v, "once") ? SV_WANT_ONCE : SV_WANT_UP;
  else if (!strcmp(k, "ready"))
    st->ready = dec_int(v);
  else if (!strcmp(k, "restarts"))
    st->restarts = (unsigned)dec_u64(v);
  else if (!strcmp(k, "starts"))
    st->starts = (unsigned)dec_u64(v);
  else if (!strcmp(k, "commands"))
    st->commands = (unsigned)dec_u64(v);
  else if (!strcmp(k, "lastexit"))
    parse_lastexit(st, v);
  else if (!strcmp(k, "reason"))
    sv_strjoin(st->reason, sizeof st->reason, v, (char *)0);
  else if (!strcmp(k, "started"))
    sv_scan_secs(v, &st->started_ms);
  else if (!strcmp(k, "pidstart"))
    st->pidstart = dec_u64(v);
  else if (!strcmp(k, "failures"))
    st->failures = (unsigned)dec_u64(v);
  else if (!strcmp(k, "finish"))
    st->finish = dec_int(v);
  else if (!strcmp(k, "until"))
    sv_scan_secs(v, &st->until_ms);
  else if (!strcmp(k, "supervisor"))
    st->supervisor = dec_int(v);
  else if (!strcmp(k, "boot"))
    sv_strjoin(st->boot, sizeof st->boot, v, (char *)0);
  else if (!strcmp(k, "next"))
    sv_scan_secs(v, &st->next_ms);
  else if (!strcmp(k, "skipped"))
    st->skipped = (unsigned)dec_u64(v);
  else if (!strcmp(k, "health")) {
    for (unsigned i = 0; i < 4; i++)
      if (!strcmp(v, health_names[i])) st->health = (enum sv_health)i;
  } else if (!strcmp(k, "status"))
    sv_strjoin(st->notifystatus, sizeof st->notifystatus, v, (char *)0);
  else if (!strcmp(k, "mainpid"))
    st->mainpid = dec_int(v);
  else if (!strcmp(k, "healthlog"))
    sv_strjoin(st->healthlog, sizeof st->healthlog, v, (char *)0);
}

void sv_status_parse(char *buf, sv_status *st)
{
  char *line = buf;
  sv_status zero = SV_STATUS_ZERO;
  *st = zero;
  while (*line) {
    char *nl = strchr(line, '\n'), *eq;
    if (nl) *nl = 0;
    eq = strchr(line, '=');
    if (eq) {
      *eq = 0;
      set_field(st, line, eq + 1);
    }
    if (!nl) break;
    line = nl + 1;
  }
}

int sv_status_read(char const *statedir, sv_status *st)
{
  char path[SV_PATH_MAX + 16], buf[2048];
  ssize_t r;
  sv_status zero = SV_STATUS_ZERO;
  *st = zero;
  if (!sv_strjoin(path, sizeof path, statedir, "/status", (char *)0)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  r = openreadnclose(path, buf, sizeof buf - 1);
  if (r < 0) return errno == ENOENT ? 0 : -1;
  buf[r] = 0;
  sv_status_parse(buf, st);
  return 1;
}

char *sv_boot_id(char *buf)
{
  ssize_t r = openreadnclose("/proc/sys/kernel/random/boot_id", buf, 39);
  if (r < 0) r = 0;
  buf[r] = 0;
  buf[strcspn(buf, "\n")] = 0;
  return buf;
}

uint64_t sv_pid_starttime(pid_t pid)
{
  char num[22];
  sv_procstat p;
  if (!sv_procstat_read(sv_i64(num, pid), &p)) return 0;
  /* a zombie has exited: whoever reaps it, it is nobody's run any more */
  return sv_procstat_dead(&p) ? 0 : p.starttime;
}

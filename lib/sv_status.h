/* S/supervise/status: the one record of a service's state, key=value text,
   replaced atomically.  supervise writes it, everybody else reads it. */
#ifndef SV_STATUS_H
#define SV_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sv_conf.h"

enum sv_state { SV_STOPPED, SV_STARTING, SV_RUNNING, SV_BACKOFF, SV_STOPPING, SV_EXITED, SV_FATAL, SV_NSTATES };
enum sv_want { SV_WANT_UP, SV_WANT_DOWN, SV_WANT_ONCE };
enum sv_health { SV_HEALTH_NONE, SV_HEALTH_STARTING, SV_HEALTH_HEALTHY, SV_HEALTH_UNHEALTHY };
enum sv_exitkind { SV_EXIT_NONE, SV_EXIT_CODE, SV_EXIT_SIGNAL };

typedef struct sv_status_s sv_status;
struct sv_status_s {
  enum sv_state state;
  pid_t pid;           /* the run process, 0 when none */
  uint64_t since_ms;   /* boot clock at the last state change */
  uint64_t started_ms; /* boot clock when pid started, 0 when none */
  uint64_t pidstart;   /* pid's start time in /proc/PID/stat ticks: adoption check */
  enum sv_want want;
  int ready;
  unsigned restarts; /* automatic restarts */
  unsigned starts;   /* every start, asked for or not: tells a new run apart */
  unsigned commands; /* control bytes handled: svc knows its command was seen */
  unsigned failures; /* consecutive failed starts */
  enum sv_exitkind lastexit_kind;
  int lastexit;      /* exit code or signal number */
  pid_t finish;      /* finish script running, 0 when none */
  uint64_t until_ms; /* BACKOFF: boot clock of the next try */
  pid_t supervisor;  /* pid of supervise */
  char boot[40];     /* the kernel's boot_id when written: pidstart means
                        nothing after a reboot */
  uint64_t next_ms;  /* schedule=: boot clock of the next run, 0 when none */
  unsigned skipped;  /* schedule=: runs skipped, the previous one still running */
  char reason[SV_ERR_MAX];
  enum sv_health health;         /* §9: none without a check */
  char healthlog[SV_ERR_MAX];    /* first line the last failing check printed */
  char notifystatus[SV_ERR_MAX]; /* §9 notify=systemd: the last STATUS= text */
  pid_t mainpid;                 /* §9 notify=systemd: MAINPID=, 0 when none */
};
#define SV_STATUS_ZERO                                                                                                 \
  {                                                                                                                    \
    .state = SV_STOPPED, .want = SV_WANT_UP                                                                            \
  }

extern char const *sv_state_name(enum sv_state s);
/* 1 found, 0 unknown name */
extern int sv_state_scan(char const *name, enum sv_state *s);
extern char const *sv_health_name(enum sv_health h);
extern char const *sv_want_name(enum sv_want w);
/* "exit 1", "signal TERM", "none"; buf >= 32 */
extern char const *sv_lastexit_fmt(char *buf, sv_status const *st);
/* the longest status text sv_status_fmt writes */
#define SV_STATUS_MAX 2048
/* the status file's text for st into buf (max bytes with the NUL): its
   length, 0 if it does not fit.  Control bytes in reason, boot,
   healthlog and status read as '?': no value can start a field of its own */
extern size_t sv_status_fmt(char *buf, size_t max, sv_status const *st);
/* atomically replaces DIRFD/status with the n bytes of buf (as below) */
extern int sv_status_store_at(int dirfd, char const *buf, size_t n);
/* atomically replaces STATEDIR/status (0644, never through a symlink):
   1 ok, 0 error (errno) */
extern int sv_status_write(char const *statedir, sv_status const *st);
/* the same in the state directory open as dirfd */
extern int sv_status_writeat(int dirfd, sv_status const *st);
/* parses a status file's text (NUL-terminated, changed in place): unknown
   keys and bad values are left at their zero */
extern void sv_status_parse(char *buf, sv_status *st);
/* reads STATEDIR/status: 1 ok, 0 absent, -1 error (errno) */
extern int sv_status_read(char const *statedir, sv_status *st);
/* this boot's id (/proc/sys/kernel/random/boot_id) into buf (40 bytes),
   empty if the kernel has none; returns buf */
extern char *sv_boot_id(char *buf);
/* start time of pid from /proc (clock ticks since boot), 0 if gone or a
   zombie (a non-reaping PID 1 leaves them about) */
extern uint64_t sv_pid_starttime(pid_t pid);

#endif

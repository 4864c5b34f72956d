/* supervise's shared state and its two halves: machine.c decides (the
   transition table), procs.c does the process-level work (spawning,
   reaping, readiness, the kill timers).  supervise.c owns the loop and
   the one status writer, publish(). */
#ifndef MACHINE_H
#define MACHINE_H

#include <stdint.h>
#include <sys/types.h>

#include "sv_conf.h"
#include "sv_status.h"
#include "supervise.h"

/* ---- the service (supervise.c) ---- */

extern sv_status st;         /* the record publish() writes */
extern sv_conf *const conf;  /* the conf the current run started with */
extern char svpath[];        /* absolute service directory */
extern char statedir[];      /* supervise or supervise@i */
extern char svname[];        /* NAME or NAME@i, for finish and messages */
extern int instance;
extern int statefd;          /* the state directory, open */

/* ---- the machine (machine.c) ---- */

/* the internal states: finer than the published ones (SPEC §2), and
   computed from the record and the processes alive, so they can never
   disagree with either */
enum mstate {
  M_DOWN,        /* nothing runs; published STOPPED, EXITED or FATAL */
  M_BACKOFF,     /* nothing runs, a start is due at t_start */
  M_STARTING,    /* run alive, not yet proven (startsecs, readiness, check) */
  M_RUNNING,     /* run alive and proven */
  M_STOPHOOK,    /* a stop asked for: S/stop runs, the signal waits for it */
  M_STOPPING,    /* a stop asked for: the stop signal was sent */
  M_SELFSTOP,    /* run alive, said STOPPING=1 (notify=systemd): its exit is its own */
  M_CLEANUP,     /* run gone by itself; finish or leftovers still there */
  M_STOPCLEANUP, /* run gone after a stop; finish, hook or leftovers still there */
  M_NSTATES
};

enum mevent {
  E_START,           /* u or o (want set by the caller) */
  E_STOP,            /* d */
  E_RESTART,         /* r */
  E_READY,           /* a line on the notification pipe, or READY=1 */
  E_CHECK_PASSED,    /* the run's first passing health check */
  E_UNHEALTHY,       /* healthretries failed checks in a row */
  E_STARTSECS,       /* startsecs elapsed */
  E_EXITED,          /* the run ended (machine_exited gives its status) */
  E_STOP_TIMEOUT,    /* stopwaitsecs elapsed: SIGKILL */
  E_HOOK_EXITED,     /* S/stop ended */
  E_FINISH_EXITED,   /* finish ended */
  E_LEFTOVER_GONE,   /* the last process of the old run's group is gone */
  E_BACKOFF_ELAPSED, /* t_start reached */
  E_DEPS_CHANGED,    /* a dependency's status changed */
  E_WATCHDOG,        /* §9: a missed heartbeat, or WATCHDOG=trigger */
  E_SELFSTOP,        /* §9: STOPPING=1 (notify=systemd) */
  E_NEVENTS
};

/* deadlines on the boot clock, in ms; 0 = unset */
extern uint64_t t_running, t_kill, t_start;

extern struct flags_s {
  unsigned exit : 1;      /* x: exit once down */
  unsigned autostart : 1; /* the pending start is an automatic restart */
  unsigned unhealthy : 1; /* stopping for onunhealthy=restart: a failed start */
} flag;

extern enum mstate machine_state(void);
/* runs table[machine_state()][e] */
extern void machine_dispatch(enum mevent e);
/* E_EXITED for the run: known 0 (adopted run, no wait status) or its wstat */
extern void machine_exited(int known, int wstat);
/* one control byte (u d o r x and the signal letters) */
extern void machine_command(char c);
/* the first state: autostart, schedule= or an adopted run; conf_ok as
   main loaded conf */
extern void machine_first(int conf_ok);
/* a time of schedule= came */
extern void machine_scheduled(void);
/* boot-clock ms of the next thing the machine waits for, 0 none */
extern uint64_t machine_deadline(void);
/* fires what is due at now */
extern void machine_timers(uint64_t now);
/* what a health check's end (or its timer) means: HEALTH_* of supervise.h */
extern void machine_health(int outcome);
/* FATAL with a reason (a reload that failed) */
extern void set_state(enum sv_state s);

/* ---- processes (procs.c) ---- */

extern int notiffd;     /* readiness pipe, read end */
extern int pidfd;       /* an adopted run we are not the parent of */
extern int reportfd;    /* the new run's exec report, until it exec'd or failed */
extern int finreportfd; /* the same for finish */
extern char execerr[];  /* why the new run could not exec */
extern pid_t leftover;  /* process group left behind by a run that exited */
extern pid_t hookpid;   /* S/stop running before the stop signal, 0 when none */
extern outfds outs;

/* no run, no finish, nothing left of the old run's process group */
extern int settled(void);
extern void signal_group(pid_t pgid, int sig);
/* the stop signal (and SIGCONT) to the run's group */
extern void signal_stop(void);
/* starts run as conf says (its loggers, its cgroup): pid, 0 failed (err filled) */
extern pid_t procs_spawn(char *err);
/* S/stop, if executable: 1 started */
extern int procs_start_hook(void);
extern void procs_hook_gone(void);
/* finish, if any, for the run that ended */
extern void procs_start_finish(int known, int wstat);
extern void procs_finish_gone(void);
/* the run is gone: its fds closed; its group swept if members remain */
extern void procs_run_gone(pid_t pid, int known);
/* the exec report of a run that is gone: 1 exec'd (or none), 0 it failed (execerr) */
extern int procs_run_execd(void);
/* a child that was neither run nor finish died: maybe the last of the old group */
extern void procs_check_leftover(void);
extern void procs_reap(void);
extern void procs_report(void);
extern void procs_finish_report(void);
extern void procs_notification(void);
/* datagrams on the notify socket (notify=systemd) */
extern void procs_notify(void);
/* a run left by a supervise that died: 1 adopted (pidfd open) */
extern int procs_adopt(pid_t pid);
/* the process-level deadlines (kill timers, leftover checks, §9 event hooks) */
extern uint64_t procs_deadline(void);
extern void procs_timers(uint64_t now);

#endif

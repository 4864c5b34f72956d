/* supervise's own modules: starting run and finish. */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/types.h>

#include "sv_conf.h"
#include "sv_status.h"

#include <stdint.h>

/* where run's stdout and stderr go: a held pipe fd, or -1 for conf's
   stdout=/stderr= as opened by the child (/dev/null, stdout) or inherited */
typedef struct outfds_s outfds;
struct outfds_s {
  int out, err;
};

/* starts run (or command=) as SPEC §1 says: pid, or 0 with err filled.
   *notiffd gets the readiness pipe's read end when notification-fd is set. */
extern pid_t spawn_run(sv_conf const *c, char const *svpath, int instance, outfds const *o, int *notiffd,
                       int *reportfd, char *err);
/* reads the child's report on reportfd: 1 exec'd (EOF), 0 failed (err filled),
   -1 nothing yet; reportfd is closed unless -1 */
extern int spawn_report(int reportfd, char *err);
/* starts ./finish CODE STATUS NAME: pid and its exec report in *reportfd,
   or 0 with err filled */
extern pid_t spawn_finish(sv_conf const *c, char const *svpath, char const *name, int instance, outfds const *o,
                          int known, int wstat, int *reportfd, char *err);
/* starts SVPATH/HOOK (the stop hook) with run's environment: pid and its
   exec report in *reportfd, or 0 with err filled */
extern pid_t spawn_hook(sv_conf const *c, char const *svpath, char const *hook, int instance, outfds const *o,
                        int *reportfd, char *err);

/* starts S/check, or healthcheck= with /bin/sh -c, as run is started but
   with stdout and stderr on outfd: pid (its own process group), or 0 */
extern pid_t spawn_check(sv_conf const *c, char const *svpath, int instance, int outfd, int *reportfd, char *err);

/* health.c: §9 health checks.  Outcomes of health_reaped and health_timer: */
#define HEALTH_NOTHING 0
#define HEALTH_CHANGED 1   /* status fields changed: announce */
#define HEALTH_FIRSTPASS 2 /* first passing check of this run: readiness */
#define HEALTH_UNHEALTHY 3 /* healthretries failures in a row: onunhealthy acts */
/* does this service have a check (S/check or healthcheck=) */
extern int health_configured(sv_conf const *c);
/* a run started (now, boot ms) / ended: schedule or cancel checks */
extern void health_begin(sv_conf const *c, uint64_t now);
extern void health_end(void);
extern uint64_t health_deadline(void);
extern int health_timer(sv_conf const *c, char const *svpath, int instance, uint64_t now);
extern int health_fd(void);
extern void health_read(void);
/* -1 not the check, else an outcome */
extern int health_reaped(pid_t pid, int wstat);
extern enum sv_health health_state(void);
extern char const *health_log(void);

/* watchdog.c: §9 heartbeat (watchdog=).  Before a start: takes c's
   watchdog=, makes SVPATH/STATEDIR/heartbeat afresh (statefd: that state
   directory, open) */
extern void watchdog_prepare(sv_conf const *c, int statefd, char const *svpath, char const *statedir,
                             char const *svname);
/* in run's child before user=: hands the file to uid ((uid_t)-1: none) and
   sets $SV_HEARTBEAT: 0 ok, -1 (errno) */
extern int watchdog_child(uid_t uid, gid_t gid);
/* does this run have a watchdog (newlines on notification-fd are beats) */
extern int watchdog_enabled(void);
/* the service entered state s: armed in RUNNING, off in any other */
extern void watchdog_state(enum sv_state s);
extern void watchdog_beat(void);
extern uint64_t watchdog_deadline(void);
/* 1: the heartbeat was missed (watchdog_reason() says so) */
extern int watchdog_timer(uint64_t now);
/* WATCHDOG=trigger: as if missed, now: 1 if this run has a watchdog */
extern int watchdog_trigger(void);
extern char const *watchdog_reason(void);
/* 1 once after the watchdog fired: the stop that follows is its */
extern int watchdog_take_fired(void);

/* notify.c: §9 notify=systemd.  Outcomes of notify_read, or'ed: */
#define NOTIFY_READY 1u
#define NOTIFY_BEAT 2u
#define NOTIFY_CHANGED 4u  /* STATUS= or MAINPID= changed st: announce */
#define NOTIFY_STOPPING 8u
#define NOTIFY_TRIGGER 16u /* WATCHDOG=trigger: as a missed heartbeat */
/* before a start: opens (or closes) the socket as c says, clears st's
   STATUS= text and MAINPID=; leaf: the service's cgroup (cgroup_leaf), 0
   if none, by which datagrams from the service's processes are told apart */
extern void notify_prepare(sv_conf const *c, int statefd, char const *svpath, char const *statedir, char const *leaf,
                           char const *svname, sv_status *st);
/* in run's child before user=: $NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID
   (unset without notify=systemd), the socket handed to uid: 0 ok, -1 */
extern int notify_child(uid_t uid, gid_t gid);
extern int notify_fd(void);
/* reads what is waiting: NOTIFY_* of the datagrams from st->pid's service */
extern unsigned notify_read(sv_status *st);
/* one datagram of n bytes (truncated: it was longer) from sender: the
   notify_read of it alone (make fuzz calls it) */
extern unsigned notify_datagram(sv_status *st, char const *s, size_t n, int truncated, pid_t sender);
/* MAINPID= if it is still a live process of the service, else run */
extern pid_t notify_mainpid(sv_status const *st);
/* the run said STOPPING=1: its exit is its own, not one asked for */
extern int notify_selfstop(void);
/* events.c: §9 event hooks and S/supervise/history */
/* before the first announce: where things are (pointers kept), the history
   reloaded; dirarg is supervise's DIR argument, for NAME under svscan */
extern void events_init(int statefd, sv_conf const *c, char const *svpath, char const *statedir, char const *dirarg,
                        char const *svname, int instance);
/* the status file was written: a new state (or health turning unhealthy or
   back) is recorded in the history and queued for the hooks */
extern void events_publish(sv_status const *st);
/* a child died: 1 if it was an event hook */
extern int events_reaped(pid_t pid, int wstat);
extern uint64_t events_deadline(void);
extern void events_timer(uint64_t now);
/* supervise wants to exit: 1 while hooks are still to run (at most
   timeout-event in all), then 0 */
extern int events_draining(void);

/* outputs.c: the svlog processes behind stdout=PATH and stderr=PATH */
/* makes the loggers match c: 1 ok (fds in out and err, -1 none), 0 error (errbuf) */
extern int outputs_prepare(sv_conf const *c, int *out, int *err, char *errbuf);
/* a child died: 1 if it was one of our loggers (restarted later) */
extern int outputs_reaped(pid_t pid, int wstat);
extern uint64_t outputs_deadline(void);
extern void outputs_timer(uint64_t now);
extern void outputs_close(void);

/* limits.c: in the child, SPEC §10's rlimits, nice and oom_score_adj:
   0 ok, -1 failed (errno; *what names the key) */
extern int limits_apply(sv_res const *r, char const **what);

/* cgroup.c: one cgroup v2 per service (SPEC §10) */
/* before a start: makes the service's cgroup, writes its keys, warns once
   naming the keys that could not be applied; the child joins it */
extern void cgroup_prepare(sv_conf const *c, char const *svpath, int instance, char const *svname);
/* the service's cgroup directory, 0 without a writable cgroup2 hierarchy */
extern char const *cgroup_leaf(char const *svpath, int instance);
/* in the child: joins the cgroup made by cgroup_prepare: 0 ok or none, -1 (errno) */
extern int cgroup_join(void);
/* after adopting a run: the cgroup a previous supervise made for it, if any */
extern void cgroup_adopt(char const *svpath, int instance);
/* in supervise after the fork: the child has its copy */
extern void cgroup_spawned(void);
/* does a process remain in the service's cgroup */
extern int cgroup_populated(void);
/* sig to every process of the cgroup (SIGKILL: cgroup.kill where the kernel has it) */
extern void cgroup_signal(int sig);
/* the service is down: its cgroup goes */
extern void cgroup_remove(void);
/* at the end of each loop turn: removes the leaf cgroup_remove asked to */
extern void cgroup_tidy(void);

/* depends.c: depends= (SPEC §10) */
/* 1 every dependency RUNNING and ready, 0 waiting (why: "waiting for a"),
   -1 bad configuration (why names the cycle or the unknown name) */
extern int depends_check(sv_conf const *c, char const *svpath, char *why);
/* inotify fd to wait on while waiting, else -1 */
extern int depends_fd(void);
extern void depends_drain(void);
/* no longer waiting (the service was told to go down) */
extern void depends_cancel(void);

/* schedule.c: schedule= (SPEC §10) */
#include <time.h>
/* arms the timer for the next match after now: its wall time, 0 if none */
extern time_t schedule_arm(sv_conf const *c);
/* the timerfd, -1 when never armed */
extern int schedule_fd(void);
/* reads the timer: 1 a scheduled time came, 0 not (the clock was set) */
extern int schedule_fire(void);
/* records now as the last run, for persistent= */
extern void schedule_ran(char const *statedir);
/* persistent= and a scheduled time passed since the last run */
extern int schedule_missed(sv_conf const *c, char const *statedir);

#endif

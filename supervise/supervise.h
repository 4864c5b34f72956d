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

/* outputs.c: the svlog processes behind stdout=PATH and stderr=PATH */
/* makes the loggers match c: 1 ok (fds in out and err, -1 none), 0 error (errbuf) */
extern int outputs_prepare(sv_conf const *c, int *out, int *err, char *errbuf);
/* a child died: 1 if it was one of our loggers (restarted later) */
extern int outputs_reaped(pid_t pid, int wstat);
extern uint64_t outputs_deadline(void);
extern void outputs_timer(uint64_t now);
extern void outputs_close(void);

#endif

/* A service's settings: the conf file, the s6 files beside it, and `down`. */
#ifndef SV_CONF_H
#define SV_CONF_H

#include <stdint.h>
#include <stddef.h>

#include "sv_res.h"

#define SV_CONF_MAX 4096 /* bytes of conf file */
#define SV_ENV_MAX 64
#define SV_EXITCODES_MAX 32
#define SV_ERR_MAX 256
/* the longest duration a conf may give, 100 years: every deadline
   (now + duration, doubled backoffs) then fits with room to spare */
#define SV_DURATION_MAX_MS 3155760000000ULL
/* the largest size: fits an off_t */
#define SV_SIZE_MAX (1ULL << 62)
#define SV_NEVER UINT64_MAX       /* stopwait_ms: never SIGKILL (s6 timeout-kill=0) */
#define SV_RETRIES_INFINITE (~0u) /* startretries unset or `infinite`: never FATAL */

enum sv_restart { SV_RESTART_ALWAYS, SV_RESTART_NEVER, SV_RESTART_UNEXPECTED };

/* which settings conf gave explicitly (they win over the s6 files) */
#define SV_SET_AUTOSTART 0x1u
#define SV_SET_STOPSIGNAL 0x2u
#define SV_SET_STOPWAIT 0x4u
#define SV_SET_REDIRECT 0x8u /* supervisord redirect_stderr=true */

typedef struct sv_conf_s sv_conf;
struct sv_conf_s {
  char const *command; /* NULL: none */
  unsigned numprocs;
  int autostart;
  char const *workingdir;      /* NULL: the service dir */
  char const *env[SV_ENV_MAX]; /* "K=V" */
  unsigned nenv;
  int umask;        /* -1: inherited */
  char const *user; /* NULL: none; "name" or "name:group" */
  enum sv_restart autorestart;
  int exitcodes[SV_EXITCODES_MAX];
  unsigned nexitcodes;
  uint64_t startsecs_ms;
  unsigned startretries; /* retries after a failed first start; SV_RETRIES_INFINITE */
  uint64_t backoff_ms;
  uint64_t backoffmax_ms;
  int stopsignal;
  uint64_t stopwait_ms;    /* 0: SIGKILL at once; SV_NEVER: never */
  char const *stdout_dest; /* NULL: AUTO */
  char const *stderr_dest; /* NULL: AUTO; "stdout" merges */
  uint64_t stdout_maxbytes, stderr_maxbytes;
  unsigned stdout_backups, stderr_backups;
  int priority;
  int notification_fd; /* -1: none */
  uint64_t finish_timeout_ms;
  uint64_t event_timeout_ms; /* S/timeout-event (ms, as s6's timeout-finish): §9 event hooks; 0 never */
  /* §9 health checks (man/svkit-health.5) */
  char const *healthcheck; /* NULL: none (S/check wins) */
  uint64_t healthinterval_ms, healthtimeout_ms, healthstartperiod_ms;
  unsigned healthretries;
  enum sv_onunhealthy { SV_UNHEALTHY_RESTART, SV_UNHEALTHY_STOP, SV_UNHEALTHY_NONE } onunhealthy;
  /* §9 heartbeat and systemd's notify protocol (man/svkit-health.5) */
  uint64_t watchdog_ms; /* 0: no watchdog */
  enum sv_notify { SV_NOTIFY_NONE, SV_NOTIFY_SYSTEMD } notify;
  unsigned set; /* SV_SET_* */
  int has_run;  /* S/run exists */
  sv_res res;   /* SPEC §10 limits and cgroup keys (sv_res.c) */
  char buf[SV_CONF_MAX + 1];
};

/* defaults for every setting */
extern void sv_conf_defaults(sv_conf *c);
/* parses c->buf (len bytes) in place: 1 ok, 0 bad line (err: "conf line N: ...") */
extern int sv_conf_parse(sv_conf *c, size_t len, char *err);
/* defaults + SVDIR/conf + s6 files + down: 1 ok, 0 bad configuration,
   -1 system error (errno); err says which file and why on 0 and -1 */
extern int sv_conf_load(sv_conf *c, char const *svdir, char *err);
/* "TERM", "SIGTERM", "term" or "15" -> signal number, 0 if none */
extern int sv_signal_scan(char const *s);
/* is exit code e one of exitcodes= */
extern int sv_conf_expected(sv_conf const *c, int e);

#endif

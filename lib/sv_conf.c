#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/sig.h>
#include <skalibs/djbunix.h>

#include "sv_svdir.h"
#include "sv_conf.h"
#include "sv_str.h"

void sv_conf_defaults(sv_conf *c)
{
  /* not the buffer: clearing it would touch every page of it each start */
  memset(c, 0, offsetof(sv_conf, buf));
  c->buf[0] = 0;
  c->numprocs = 1;
  c->autostart = 1;
  c->umask = -1;
  c->autorestart = SV_RESTART_ALWAYS;
  c->exitcodes[0] = 0;
  c->nexitcodes = 1;
  c->startsecs_ms = 1000;
  c->startretries = SV_RETRIES_INFINITE;
  c->backoff_ms = 1000;
  c->backoffmax_ms = 60000;
  c->stopsignal = SIGTERM;
  c->stopwait_ms = 10000;
  c->stdout_maxbytes = c->stderr_maxbytes = 10 << 20;
  c->stdout_backups = c->stderr_backups = 10;
  c->priority = 500;
  c->notification_fd = -1;
  c->healthinterval_ms = 30000;
  c->healthtimeout_ms = 10000;
  c->healthretries = 3;
  c->finish_timeout_ms = 5000;
  c->event_timeout_ms = 5000;
}

/* ASCII case-insensitive equality: libc's strcasecmp goes through the
   locale, whose pages supervise would then keep */
static int ieq(char const *a, char const *b)
{
  for (;; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
    char y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
    if (x != y) return 0;
    if (!x) return 1;
  }
}

int sv_signal_scan(char const *s)
{
  unsigned n = 0;
  if (!*s) return 0;
  if (*s >= '0' && *s <= '9') {
    for (; *s >= '0' && *s <= '9'; s++)
      n = n * 10 + (unsigned)(*s - '0');
    return *s || n == 0 || n >= NSIG ? 0 : (int)n;
  }
  if ((s[0] | 32) == 's' && (s[1] | 32) == 'i' && (s[2] | 32) == 'g') s += 3;
  {
    char up[16];
    size_t i = 0;
    for (; s[i] && i < sizeof up - 1; i++)
      up[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i];
    if (s[i]) return 0;
    up[i] = 0;
    return sig_number(up);
  }
}

int sv_conf_expected(sv_conf const *c, int e)
{
  for (unsigned i = 0; i < c->nexitcodes; i++)
    if (c->exitcodes[i] == e) return 1;
  return 0;
}

/* ---- values ---- */

static int scan_uint(char const *s, uint64_t *u, char const **end)
{
  uint64_t n = 0;
  if (*s < '0' || *s > '9') return 0;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (n > (UINT64_MAX - 9) / 10) return 0;
    n = n * 10 + (uint64_t)(*s - '0');
  }
  *u = n;
  *end = s;
  return 1;
}

static int scan_number(char const *s, uint64_t *u)
{
  char const *end;
  return scan_uint(s, u, &end) && !*end;
}

/* seconds, "1.5", or "250ms" -> ms; past SV_DURATION_MAX_MS is an error,
   never a wrapped value */
static int scan_duration(char const *s, uint64_t *ms)
{
  uint64_t whole, frac = 0, scale = 100;
  char const *p;
  if (!scan_uint(s, &whole, &p)) return 0;
  if (!strcmp(p, "ms")) {
    if (whole > SV_DURATION_MAX_MS) return 0;
    *ms = whole;
    return 1;
  }
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
      frac += scale * (uint64_t)(*p - '0');
  if (*p == 's') p++;
  if (*p || whole > SV_DURATION_MAX_MS / 1000) return 0;
  *ms = whole * 1000 + frac;
  return 1;
}

static int scan_size(char const *s, uint64_t *bytes)
{
  uint64_t n, mult = 1;
  char const *p;
  if (!scan_uint(s, &n, &p)) return 0;
  if (ieq(p, "KB") || ieq(p, "K"))
    mult = 1024;
  else if (ieq(p, "MB") || ieq(p, "M"))
    mult = 1024 * 1024;
  else if (ieq(p, "GB") || ieq(p, "G"))
    mult = 1024 * 1024 * 1024;
  else if (*p && !ieq(p, "B"))
    return 0;
  if (n > SV_SIZE_MAX / mult) return 0;
  *bytes = n * mult;
  return 1;
}

static int scan_bool(char const *s, int *b)
{
  if (ieq(s, "true") || ieq(s, "yes") || !strcmp(s, "1") || ieq(s, "on"))
    *b = 1;
  else if (ieq(s, "false") || ieq(s, "no") || !strcmp(s, "0") || ieq(s, "off"))
    *b = 0;
  else
    return 0;
  return 1;
}

/* strips one level of double quotes in place, honouring \" and \\ */
static int unquote(char *s)
{
  size_t len = strlen(s), i, j;
  if (!len || s[0] != '"') return 1;
  if (len < 2 || s[len - 1] != '"') return 0;
  for (i = 1, j = 0; i < len - 1; i++) {
    if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\') && i + 1 < len - 1) i++;
    s[j++] = s[i];
  }
  s[j] = 0;
  return 1;
}

/* env=K=V,K2="v, w": splits in place into c->env */
static int parse_env(sv_conf *c, char *v, char const **why)
{
  while (*v) {
    char *item = v, *w = v, *eq;
    int inq = 0;
    for (; *v && (inq || *v != ','); v++) {
      if (*v == '\\' && inq && (v[1] == '"' || v[1] == '\\')) {
        *w++ = *++v;
        continue;
      }
      if (*v == '"') {
        inq = !inq;
        continue;
      }
      *w++ = *v;
    }
    if (inq) {
      *why = "unterminated quote in env";
      return 0;
    }
    if (*v) v++;
    *w = 0;
    while (*item == ' ' || *item == '\t')
      item++;
    eq = strchr(item, '=');
    if (!eq || eq == item) {
      *why = "env item is not K=V";
      return 0;
    }
    if (c->nenv >= SV_ENV_MAX) {
      *why = "too many env items";
      return 0;
    }
    c->env[c->nenv++] = item;
  }
  return 1;
}

static int parse_exitcodes(sv_conf *c, char *v)
{
  c->nexitcodes = 0;
  while (*v) {
    uint64_t n;
    char const *end;
    while (*v == ' ')
      v++;
    if (!scan_uint(v, &n, &end) || n > 255 || c->nexitcodes >= SV_EXITCODES_MAX) return 0;
    c->exitcodes[c->nexitcodes++] = (int)n;
    v = (char *)end;
    while (*v == ' ')
      v++;
    if (*v == ',')
      v++;
    else if (*v)
      return 0;
  }
  return c->nexitcodes > 0;
}

static int parse_restart(char const *v, enum sv_restart *r)
{
  int b;
  if (ieq(v, "always"))
    *r = SV_RESTART_ALWAYS;
  else if (ieq(v, "never"))
    *r = SV_RESTART_NEVER;
  else if (ieq(v, "unexpected"))
    *r = SV_RESTART_UNEXPECTED;
  else if (scan_bool(v, &b))
    *r = b ? SV_RESTART_ALWAYS : SV_RESTART_NEVER;
  else
    return 0;
  return 1;
}

/* one key: 1 ok, 0 bad value, -1 unknown key */
static int set_key(sv_conf *c, char const *k, char *v, char const **why)
{
  uint64_t n;
#define IS(name) (!strcmp(k, name))
  if (IS("command") || IS("cmd"))
    c->command = *v ? v : 0;
  else if (IS("numprocs")) {
    if (!scan_number(v, &n) || !n || n > 1000) return 0;
    c->numprocs = (unsigned)n;
  } else if (IS("autostart")) {
    if (!scan_bool(v, &c->autostart)) return 0;
    c->set |= SV_SET_AUTOSTART;
  } else if (IS("workingdir") || IS("directory"))
    c->workingdir = *v ? v : 0;
  else if (IS("env") || IS("environment")) {
    c->nenv = 0;
    return parse_env(c, v, why);
  } else if (IS("umask")) {
    n = 0;
    for (char const *p = v; *p; p++) {
      if (*p < '0' || *p > '7') return 0;
      n = n * 8 + (uint64_t)(*p - '0');
    }
    if (!*v || n > 0777) return 0;
    c->umask = (int)n;
  } else if (IS("user"))
    c->user = *v ? v : 0;
  else if (IS("autorestart"))
    return parse_restart(v, &c->autorestart);
  else if (IS("exitcodes"))
    return parse_exitcodes(c, v);
  else if (IS("startsecs"))
    return scan_duration(v, &c->startsecs_ms);
  else if (IS("startretries")) {
    if (ieq(v, "infinite"))
      c->startretries = SV_RETRIES_INFINITE;
    else if (!scan_number(v, &n) || n > 1000000)
      return 0;
    else
      c->startretries = (unsigned)n;
  } else if (IS("backoff"))
    return scan_duration(v, &c->backoff_ms);
  else if (IS("backoffmax"))
    return scan_duration(v, &c->backoffmax_ms);
  else if (IS("stopsignal")) {
    if (!(c->stopsignal = sv_signal_scan(v))) return 0;
    c->set |= SV_SET_STOPSIGNAL;
  } else if (IS("stopwaitsecs")) {
    if (!scan_duration(v, &c->stopwait_ms)) return 0;
    c->set |= SV_SET_STOPWAIT;
  } else if (IS("stdout"))
    c->stdout_dest = !*v || !strcmp(v, "AUTO") ? 0 : v;
  else if (IS("stderr"))
    c->stderr_dest = !*v || !strcmp(v, "AUTO") ? 0 : v;
  else if (IS("stdout_maxbytes"))
    return scan_size(v, &c->stdout_maxbytes) && c->stdout_maxbytes;
  else if (IS("stderr_maxbytes"))
    return scan_size(v, &c->stderr_maxbytes) && c->stderr_maxbytes;
  else if (IS("stdout_backups")) {
    if (!scan_number(v, &n) || n > 1000) return 0;
    c->stdout_backups = (unsigned)n;
  } else if (IS("stderr_backups")) {
    if (!scan_number(v, &n) || n > 1000) return 0;
    c->stderr_backups = (unsigned)n;
  } else if (IS("priority")) {
    int neg = *v == '-';
    if (!scan_number(v + neg, &n) || n > 1000000) return 0;
    c->priority = neg ? -(int)n : (int)n;
  } else if (IS("healthcheck"))
    c->healthcheck = *v ? v : 0;
  else if (IS("healthinterval"))
    return scan_duration(v, &c->healthinterval_ms) && c->healthinterval_ms;
  else if (IS("healthtimeout"))
    return scan_duration(v, &c->healthtimeout_ms) && c->healthtimeout_ms;
  else if (IS("healthstartperiod"))
    return scan_duration(v, &c->healthstartperiod_ms);
  else if (IS("healthretries")) {
    if (!scan_number(v, &n) || !n || n > 1000000) return 0;
    c->healthretries = (unsigned)n;
  } else if (IS("onunhealthy")) {
    if (!strcmp(v, "restart"))
      c->onunhealthy = SV_UNHEALTHY_RESTART;
    else if (!strcmp(v, "stop"))
      c->onunhealthy = SV_UNHEALTHY_STOP;
    else if (!strcmp(v, "none"))
      c->onunhealthy = SV_UNHEALTHY_NONE;
    else
      return 0;
  } else if (IS("watchdog"))
    return scan_duration(v, &c->watchdog_ms);
  else if (IS("notify")) {
    if (!strcmp(v, "systemd"))
      c->notify = SV_NOTIFY_SYSTEMD;
    else if (!strcmp(v, "none"))
      c->notify = SV_NOTIFY_NONE;
    else
      return 0;
  } else
    return sv_res_key(&c->res, k, v, why);
#undef IS
  return 1;
}

/* supervisord's [program:x] spellings (man svkit-import.7): 1 ok, 0 bad value,
   -1 not one of them */
static int supervisord_key(sv_conf *c, char const *k, char *v, char const **why)
{
  int b;
  uint64_t n;
#define IS(name) (!strcmp(k, name))
  /* NONE: no log file (output discarded); AUTO: ours (log/ pipe or inherited) */
  if (IS("stdout_logfile"))
    c->stdout_dest = !*v || !strcmp(v, "AUTO") ? 0 : !strcmp(v, "NONE") ? "/dev/null" : v;
  else if (IS("stderr_logfile")) {
    if (c->set & SV_SET_REDIRECT) return 1; /* supervisord ignores it then */
    c->stderr_dest = !*v || !strcmp(v, "AUTO") ? 0 : !strcmp(v, "NONE") ? "/dev/null" : v;
  }
  /* 0 is supervisord's "never rotate": svlog -s 0 */
  else if (IS("stdout_logfile_maxbytes"))
    return scan_size(v, &c->stdout_maxbytes);
  else if (IS("stderr_logfile_maxbytes"))
    return scan_size(v, &c->stderr_maxbytes);
  else if (IS("stdout_logfile_backups")) {
    if (!scan_number(v, &n) || n > 1000) return 0;
    c->stdout_backups = (unsigned)n;
  } else if (IS("stderr_logfile_backups")) {
    if (!scan_number(v, &n) || n > 1000) return 0;
    c->stderr_backups = (unsigned)n;
  } else if (IS("redirect_stderr")) {
    if (!scan_bool(v, &b)) return 0;
    if (b) {
      c->stderr_dest = "stdout";
      c->set |= SV_SET_REDIRECT;
    }
  }
  /* we always signal the whole process group */
  else if (IS("stopasgroup") || IS("killasgroup"))
    return scan_bool(v, &b);
  /* instances are always NAME@i; only supervisord's naming forms are accepted */
  else if (IS("process_name")) {
    if (!strstr(v, "%(program_name)s")) {
      *why = "only %(program_name)s forms are accepted (instances are NAME@i)";
      return 0;
    }
  } else if (IS("numprocs_start")) {
    if (!scan_number(v, &n) || n) {
      *why = "instances are numbered from 0";
      return 0;
    }
  } else if (IS("serverurl")) {
    if (strcmp(v, "AUTO")) {
      *why = "only AUTO (there is no supervisorctl server)";
      return 0;
    }
  }
  /* capture mode only starts on supervisord's event-protocol tokens, which
     nothing here reads: any size is accepted and ignored */
  else if (IS("stdout_capture_maxbytes") || IS("stderr_capture_maxbytes"))
    return scan_size(v, &n);
  /* supervisord features we lack: accepted only when turned off */
  else if (IS("stdout_events_enabled") || IS("stderr_events_enabled") || IS("stdout_syslog") || IS("stderr_syslog")) {
    if (!scan_bool(v, &b) || b) {
      *why = "a supervisord feature svkit lacks";
      return 0;
    }
  } else
    return -1;
#undef IS
  return 1;
}

/* supervisord's inline comments: blank then ';' outside double quotes */
static void cut_comment(char *v)
{
  int inq = 0;
  for (char *p = v; *p; p++) {
    if (*p == '\\' && inq && p[1]) {
      p++;
      continue;
    }
    if (*p == '"')
      inq = !inq;
    else if (*p == ';' && !inq && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
      *p = 0;
      return;
    }
  }
}

static char *trim(char *s)
{
  char *e;
  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
    *--e = 0;
  return s;
}

int sv_conf_parse(sv_conf *c, size_t len, char *err)
{
  char *line = c->buf;
  unsigned lineno = 0;
  c->buf[len] = 0;
  if (memchr(c->buf, 0, len)) {
    snprintf(err, SV_ERR_MAX, "conf: contains a NUL byte");
    return 0;
  }
  while (line < c->buf + len) {
    char *nl = strchr(line, '\n'), *k, *v, *eq;
    char const *why = "bad value";
    int r;
    lineno++;
    if (nl) *nl = 0;
    k = trim(line);
    line = nl ? nl + 1 : c->buf + len;
    if (!*k || *k == '#' || *k == ';') continue;
    eq = strchr(k, '=');
    if (!eq) {
      snprintf(err, SV_ERR_MAX, "conf line %u: expected key=value: %.60s", lineno, k);
      return 0;
    }
    *eq = 0;
    k = trim(k);
    cut_comment(eq + 1);
    v = trim(eq + 1);
    if (strcmp(k, "process_name") && (eq = strstr(v, "%(")) && strstr(eq, ")")) {
      snprintf(err, SV_ERR_MAX,
               "conf line %u: supervisord expansion %%(...) not supported in conf (svc import expands it): %.60s",
               lineno, v);
      return 0;
    }
    if (!unquote(v)) {
      snprintf(err, SV_ERR_MAX, "conf line %u: unterminated quote", lineno);
      return 0;
    }
    r = set_key(c, k, v, &why);
    if (r < 0) r = supervisord_key(c, k, v, &why);
    if (r < 0) {
      snprintf(err, SV_ERR_MAX, "conf line %u: unknown key: %.60s", lineno, k);
      return 0;
    }
    if (!r) {
      snprintf(err, SV_ERR_MAX, "conf line %u: %s for %s: %.60s", lineno, why, k, v);
      return 0;
    }
  }
  if (c->backoffmax_ms < c->backoff_ms) c->backoffmax_ms = c->backoff_ms;
  return 1;
}

/* ---- files ---- */

/* reads a small s6 file's first line: 1 read, 0 absent, -1 error */
static int read_small(char const *svdir, char const *name, char *buf, size_t max)
{
  char path[SV_PATH_MAX + 16];
  ssize_t r;
  if (!sv_strjoin(path, sizeof path, svdir, "/", name, (char *)0)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  r = openreadnclose(path, buf, max - 1);
  if (r < 0) return errno == ENOENT ? 0 : -1;
  buf[r] = 0;
  buf[strcspn(buf, "\n")] = 0;
  return 1;
}

/* an s6 file that exists but cannot be read (EMFILE...): a system error,
   not a bad value, so supervise retries instead of going FATAL */
static int unreadable(char const *svdir, char const *name, char *err)
{
  int e = errno;
  snprintf(err, SV_ERR_MAX, "unable to read %.150s/%s: %s", svdir, name, strerror(e));
  errno = e;
  return -1;
}

/* 1 ok, 0 bad value, -1 system error (errno) */
static int load_s6_files(sv_conf *c, char const *svdir, char *err)
{
  char v[64];
  uint64_t n;
  int r;
  if ((r = read_small(svdir, "notification-fd", v, sizeof v))) {
    if (r < 0) return unreadable(svdir, "notification-fd", err);
    if (!scan_number(trim(v), &n) || n < 3 || n > 1023) goto bad_notif;
    c->notification_fd = (int)n;
  }
  if ((r = read_small(svdir, "timeout-kill", v, sizeof v)) && !(c->set & SV_SET_STOPWAIT)) {
    if (r < 0) return unreadable(svdir, "timeout-kill", err);
    if (!scan_number(trim(v), &c->stopwait_ms) || c->stopwait_ms > SV_DURATION_MAX_MS) {
      snprintf(err, SV_ERR_MAX, "timeout-kill: bad value");
      return 0;
    }
    if (!c->stopwait_ms) c->stopwait_ms = SV_NEVER; /* s6: 0 means never */
  }
  if ((r = read_small(svdir, "timeout-finish", v, sizeof v))) {
    if (r < 0) return unreadable(svdir, "timeout-finish", err);
    if (!scan_number(trim(v), &c->finish_timeout_ms) || c->finish_timeout_ms > SV_DURATION_MAX_MS) {
      snprintf(err, SV_ERR_MAX, "timeout-finish: bad value");
      return 0;
    }
  }
  if ((r = read_small(svdir, "timeout-event", v, sizeof v))) {
    if (r < 0 || !scan_number(trim(v), &c->event_timeout_ms) || c->event_timeout_ms > SV_DURATION_MAX_MS) {
      snprintf(err, SV_ERR_MAX, "timeout-event: bad value");
      return 0;
    }
  }
  if ((r = read_small(svdir, "down-signal", v, sizeof v)) && !(c->set & SV_SET_STOPSIGNAL)) {
    if (r < 0) return unreadable(svdir, "down-signal", err);
    if (!(c->stopsignal = sv_signal_scan(trim(v)))) {
      snprintf(err, SV_ERR_MAX, "down-signal: bad value");
      return 0;
    }
  }
  return 1;
bad_notif:
  snprintf(err, SV_ERR_MAX, "notification-fd: bad value");
  return 0;
}

static int exists(char const *svdir, char const *name)
{
  char path[SV_PATH_MAX + 16];
  return sv_strjoin(path, sizeof path, svdir, "/", name, (char *)0) && access(path, F_OK) == 0;
}

int sv_conf_load(sv_conf *c, char const *svdir, char *err)
{
  char path[SV_PATH_MAX + 16];
  ssize_t r;
  sv_conf_defaults(c);
  if (!sv_strjoin(path, sizeof path, svdir, "/conf", (char *)0)) {
    errno = ENAMETOOLONG;
    strcpy(err, "conf: path too long");
    return -1;
  }
  r = openreadnclose(path, c->buf, SV_CONF_MAX + 1);
  if (r < 0 && errno != ENOENT) {
    snprintf(err, SV_ERR_MAX, "unable to read %.150s: %s", path, strerror(errno));
    return -1;
  }
  if (r > SV_CONF_MAX) {
    snprintf(err, SV_ERR_MAX, "conf: larger than %d bytes", SV_CONF_MAX);
    return 0;
  }
  if (r >= 0 && !sv_conf_parse(c, (size_t)r, err)) return 0;
  r = load_s6_files(c, svdir, err);
  if (r <= 0) return (int)r;
  if (!(c->set & SV_SET_AUTOSTART) && exists(svdir, "down")) c->autostart = 0;
  c->has_run = exists(svdir, "run");
  return 1;
}

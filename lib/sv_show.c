#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sv_cgroup.h"
#include "sv_clock.h"
#include "sv_control.h"
#include "sv_show.h"
#include "sv_str.h"

int sv_view_load(sv_view *v, sv_target const *t)
{
  int r;
  v->name = t->name;
  r = sv_supervised(t->statedir);
  if (r < 0) return -1;
  v->supervised = r;
  r = sv_status_read(t->statedir, &v->st);
  if (r < 0) return -1;
  v->found = r;
  v->cgroup = 0;
  if (r && v->st.pid) {
    /* supervise names the cgroup after its getcwd(): the same physical path */
    static char base[SV_PATH_MAX];
    static int known; /* 0 not looked, 1 found, -1 none: mountinfo read once per svstat */
    char real[SV_PATH_MAX], cg[SV_PATH_MAX];
    if (!known) known = sv_cgroup_base(base, sizeof base) ? 1 : -1;
    if (known > 0 && realpath(t->svdir, real) && sv_cgroup_leaf(cg, sizeof cg, base, real, t->instance))
      v->cgroup = sv_cgroup_usage(cg, &v->memory_bytes, &v->cpu_usec);
  }
  return 1;
}

static uint64_t ago_secs(uint64_t then, uint64_t now) { return now > then ? (now - then) / 1000 : 0; }

static char const *exit_words(char *buf, sv_status const *st)
{
  char last[32];
  if (st->lastexit_kind == SV_EXIT_CODE)
    snprintf(buf, 64, "exited %d", st->lastexit);
  else if (st->lastexit_kind == SV_EXIT_SIGNAL)
    snprintf(buf, 64, "killed by %s", sv_lastexit_fmt(last, st));
  else
    snprintf(buf, 64, "did not start");
  return buf;
}

char const *sv_view_detail(char *buf, sv_view const *v, uint64_t now)
{
  sv_status const *st = &v->st;
  char d[40], w[64], last[32];
  size_t n;
  if (!v->supervised) {
    strcpy(buf, "supervise not running");
    return buf;
  }
  switch (st->state) {
  case SV_RUNNING:
    sv_fmt_duration(d, ago_secs(st->started_ms, now));
    snprintf(buf, 512, "pid %d, uptime %s", (int)st->pid, d);
    break;
  case SV_STARTING: snprintf(buf, 512, "pid %d, starting", (int)st->pid); break;
  case SV_STOPPING:
    if (st->pid)
      snprintf(buf, 512, "pid %d, stopping", (int)st->pid);
    else
      snprintf(buf, 512, "finish running");
    break;
  case SV_BACKOFF: {
    uint64_t left = st->until_ms > now ? (st->until_ms - now + 999) / 1000 : 0;
    if (st->lastexit_kind == SV_EXIT_NONE && st->reason[0])
      snprintf(buf, 512, "%.400s, retrying in %llus", st->reason, (unsigned long long)left);
    else
      snprintf(buf, 512, "%s, retrying in %llus", exit_words(w, st), (unsigned long long)left);
    break;
  }
  case SV_STOPPED:
    if (st->reason[0])
      snprintf(buf, 512, "%.480s", st->reason); /* waiting for a dependency */
    else if (st->lastexit_kind == SV_EXIT_NONE && !st->started_ms)
      strcpy(buf, "Not started");
    else {
      sv_fmt_duration(d, ago_secs(st->since_ms, now));
      snprintf(buf, 512, "stopped %s ago", d);
    }
    break;
  case SV_EXITED:
    sv_fmt_duration(d, ago_secs(st->since_ms, now));
    snprintf(buf, 512, "%s %s ago", sv_lastexit_fmt(last, st), d);
    break;
  case SV_FATAL:
    if (st->lastexit_kind != SV_EXIT_NONE && !strstr(st->reason, "last "))
      snprintf(buf, 512, "%.400s; last %s", st->reason, sv_lastexit_fmt(last, st));
    else
      snprintf(buf, 512, "%.480s", st->reason[0] ? st->reason : "gave up");
    break;
  default: strcpy(buf, "?"); break;
  }
  n = strlen(buf);
  if ((v->cgroup & 1) && n < 480) {
    /* mem 12.3M, as top shows it */
    double m = (double)v->memory_bytes;
    char const *u = "K";
    m /= 1024;
    if (m >= 1024) {
      m /= 1024;
      u = "M";
    }
    if (m >= 1024) {
      m /= 1024;
      u = "G";
    }
    snprintf(buf + n, 512 - n, ", mem %.1f%s", m, u);
    n = strlen(buf);
  }
  if (st->next_ms && !st->pid && n < 470) {
    /* schedule=: next run in 3h12m */
    uint64_t left = st->next_ms > now ? (st->next_ms - now) / 1000 : 0;
    if (left >= 86400)
      snprintf(buf + n, 512 - n, ", next run in %llud%lluh", (unsigned long long)(left / 86400),
               (unsigned long long)(left % 86400 / 3600));
    else if (left >= 3600)
      snprintf(buf + n, 512 - n, ", next run in %lluh%llum", (unsigned long long)(left / 3600),
               (unsigned long long)(left % 3600 / 60));
    else if (left >= 60)
      snprintf(buf + n, 512 - n, ", next run in %llum%llus", (unsigned long long)(left / 60),
               (unsigned long long)(left % 60));
    else
      snprintf(buf + n, 512 - n, ", next run in %llus", (unsigned long long)left);
    n = strlen(buf);
  }
  if (st->finish && st->state != SV_STOPPING && n < 480) snprintf(buf + n, 512 - n, ", finish running");
  n = strlen(buf);
  /* §9 notify=systemd: what the service last said of itself (STATUS=) */
  if (st->pid && st->notifystatus[0] && n < 470) {
    snprintf(buf + n, 512 - n, ", status: %.*s", (int)(470 - n), st->notifystatus);
    n = strlen(buf);
  }
  /* §9: the check's verdict ends DETAIL */
  if (st->health == SV_HEALTH_HEALTHY && n < 500)
    snprintf(buf + n, 512 - n, ", healthy");
  else if (st->health == SV_HEALTH_UNHEALTHY && n < 480)
    snprintf(buf + n, 512 - n, ", unhealthy: %.*s", (int)(500 - n), st->healthlog);
  return buf;
}

int sv_view_verdict(sv_view const *v)
{
  enum sv_state s = v->st.state;
  if (!v->supervised) return 111;
  if (v->st.want == SV_WANT_UP) return s == SV_RUNNING ? 0 : 1;
  if (v->st.want == SV_WANT_ONCE) return s == SV_RUNNING || s == SV_STARTING || s == SV_EXITED ? 0 : 1;
  return s == SV_STOPPED || s == SV_EXITED ? 0 : 1;
}

void sv_show_table(FILE *f, sv_view const *v, unsigned n) { sv_show_table_with(f, v, n, 0, 0); }

void sv_show_table_with(FILE *f, sv_view const *v, unsigned n, void (*after)(FILE *, unsigned, void *), void *arg)
{
  size_t width = 15;
  uint64_t now = sv_now_ms();
  for (unsigned i = 0; i < n; i++)
    if (strlen(v[i].name) > width) width = strlen(v[i].name);
  for (unsigned i = 0; i < n; i++) {
    char detail[512];
    char const *state = v[i].supervised ? sv_state_name(v[i].st.state) : "UNKNOWN";
    fprintf(f, "%-*s %-9s %s\n", (int)width, v[i].name, state, sv_view_detail(detail, v + i, now));
    if (after) after(f, i, arg);
  }
}

/* JSON must be UTF-8: a byte that is not part of a valid UTF-8 character
   (a service directory's name is any bytes) is written as the Latin-1
   character of the same value, \u00XX, so every line stays valid */
static void json_string(FILE *f, char const *s)
{
  fputc('"', f);
  while (*s) {
    unsigned char c = (unsigned char)*s;
    size_t n = sv_utf8_valid(s);
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20 || c == 0x7f || !n)
      fprintf(f, "\\u%04x", c);
    else {
      fwrite(s, 1, n, f);
      s += n;
      continue;
    }
    s++;
  }
  fputc('"', f);
}

static uint64_t uptime_s(sv_status const *st, uint64_t now)
{
  return st->pid && st->started_ms ? ago_secs(st->started_ms, now) : 0;
}

void sv_show_json(FILE *f, sv_view const *v, unsigned n)
{
  uint64_t now = sv_now_ms();
  for (unsigned i = 0; i < n; i++) {
    sv_status const *st = &v[i].st;
    char last[32];
    fputs("{\"name\":", f);
    json_string(f, v[i].name);
    fputs(",\"state\":", f);
    json_string(f, v[i].supervised ? sv_state_name(st->state) : "UNKNOWN");
    fprintf(f, ",\"pid\":%d,\"uptime_s\":%llu,\"want\":\"%s\",\"ready\":%s,\"restarts\":%u,\"lastexit\":", (int)st->pid,
            (unsigned long long)uptime_s(st, now), sv_want_name(st->want), st->ready ? "true" : "false", st->restarts);
    json_string(f, sv_lastexit_fmt(last, st));
    fputs(",\"reason\":", f);
    json_string(f, v[i].supervised ? st->reason : "supervise not running");
    if (v[i].cgroup & 1) fprintf(f, ",\"memory_bytes\":%llu", (unsigned long long)v[i].memory_bytes);
    if (v[i].cgroup & 2) fprintf(f, ",\"cpu_usec\":%llu", (unsigned long long)v[i].cpu_usec);
    fputs(",\"health\":", f);
    json_string(f, sv_health_name(st->health));
    fputs(",\"healthlog\":", f);
    json_string(f, st->healthlog);
    fputs(",\"status\":", f);
    json_string(f, st->pid ? st->notifystatus : "");
    fprintf(f, ",\"mainpid\":%d", st->pid ? (int)st->mainpid : 0);
    fputs("}\n", f);
  }
}

/* label values escape \ " and newline, as the exposition format says */
static void prom_label(FILE *f, char const *s)
{
  while (*s) {
    unsigned char c = (unsigned char)*s;
    size_t n = sv_utf8_valid(s);
    if (c == '\\' || c == '"')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    /* the format is UTF-8 too: a stray byte becomes its Latin-1 character */
    else if (!n) {
      fputc(0xc0 | c >> 6, f);
      fputc(0x80 | (c & 0x3f), f);
    } else {
      fwrite(s, 1, n, f);
      s += n;
      continue;
    }
    s++;
  }
}

static void prom_metric(FILE *f, sv_view const *v, unsigned n, char const *metric, char const *type, char const *help,
                        uint64_t (*value)(sv_view const *, uint64_t))
{
  uint64_t now = sv_now_ms();
  fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, type);
  for (unsigned i = 0; i < n; i++) {
    fprintf(f, "%s{service=\"", metric);
    prom_label(f, v[i].name);
    fprintf(f, "\"} %llu\n", (unsigned long long)(*value)(v + i, now));
  }
}

static uint64_t m_up(sv_view const *v, uint64_t now)
{
  (void)now;
  return v->supervised && v->st.state == SV_RUNNING;
}
static uint64_t m_ready(sv_view const *v, uint64_t now)
{
  (void)now;
  return v->supervised && v->st.ready;
}
static uint64_t m_supervised(sv_view const *v, uint64_t now)
{
  (void)now;
  return (uint64_t)v->supervised;
}
static uint64_t m_pid(sv_view const *v, uint64_t now)
{
  (void)now;
  return (uint64_t)v->st.pid;
}
static uint64_t m_uptime(sv_view const *v, uint64_t now) { return uptime_s(&v->st, now); }
static uint64_t m_restarts(sv_view const *v, uint64_t now)
{
  (void)now;
  return v->st.restarts;
}
static uint64_t m_healthy(sv_view const *v, uint64_t now)
{
  (void)now;
  return v->supervised && v->st.health == SV_HEALTH_HEALTHY;
}
static uint64_t m_unhealthy(sv_view const *v, uint64_t now)
{
  (void)now;
  return v->supervised && v->st.health == SV_HEALTH_UNHEALTHY;
}
static uint64_t m_wanted(sv_view const *v, uint64_t now)
{
  (void)now;
  return v->st.want != SV_WANT_DOWN;
}

void sv_show_prometheus(FILE *f, sv_view const *v, unsigned n)
{
  prom_metric(f, v, n, "svkit_service_up", "gauge", "1 if the service is RUNNING.", m_up);
  prom_metric(f, v, n, "svkit_service_ready", "gauge", "1 if the service is up and ready.", m_ready);
  prom_metric(f, v, n, "svkit_service_want_up", "gauge", "1 if the service is wanted up (or once).", m_wanted);
  prom_metric(f, v, n, "svkit_service_supervised", "gauge", "1 if a supervise runs the service.", m_supervised);
  prom_metric(f, v, n, "svkit_service_pid", "gauge", "pid of the service, 0 when none.", m_pid);
  prom_metric(f, v, n, "svkit_service_uptime_seconds", "gauge", "Seconds since the service's process started.",
              m_uptime);
  prom_metric(f, v, n, "svkit_service_restarts_total", "counter", "Automatic restarts since supervise started.",
              m_restarts);
  prom_metric(f, v, n, "svkit_service_healthy", "gauge", "1 if the service's health check passes.", m_healthy);
  prom_metric(f, v, n, "svkit_service_unhealthy", "gauge", "1 if the service failed healthretries checks in a row.",
              m_unhealthy);
  fputs("# HELP svkit_service_state 1 for the state the service is in.\n# TYPE svkit_service_state gauge\n", f);
  for (unsigned i = 0; i < n; i++)
    for (unsigned s = 0; s < SV_NSTATES; s++) {
      fputs("svkit_service_state{service=\"", f);
      prom_label(f, v[i].name);
      fprintf(f, "\",state=\"%s\"} %d\n", sv_state_name((enum sv_state)s),
              v[i].supervised && v[i].st.state == (enum sv_state)s);
    }
}

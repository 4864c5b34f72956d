/* Unit tests of lib/sv_status.c: what sv_status_fmt writes, sv_status_parse
   reads back, field by field; a value holding a newline or other control
   bytes stays in its own field and forges none. */

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sv_status.h"

static int failures;

static void verdict(char const *name, int good, char const *why)
{
  if (good)
    printf("ok status: %s\n", name);
  else {
    printf("FAIL status: %s: %s\n", name, why);
    failures++;
  }
}

static void expect_u64(char const *field, uint64_t got, uint64_t want)
{
  char name[80], why[80];
  snprintf(name, sizeof name, "round trip keeps %s", field);
  snprintf(why, sizeof why, "got %llu, want %llu", (unsigned long long)got, (unsigned long long)want);
  verdict(name, got == want, why);
}

static void expect_str(char const *field, char const *got, char const *want)
{
  char name[80];
  snprintf(name, sizeof name, "round trip keeps %s", field);
  verdict(name, !strcmp(got, want), got);
}

/* sv_status_fmt then sv_status_parse */
static void round_trip(sv_status const *in, sv_status *out, char *text, size_t max)
{
  char copy[SV_STATUS_MAX];
  size_t n = sv_status_fmt(text, max, in);
  verdict("fmt fits", n > 0 && n < max, "sv_status_fmt returned 0");
  memcpy(copy, text, n + 1);
  sv_status_parse(copy, out);
}

static void every_field(void)
{
  sv_status in = SV_STATUS_ZERO, out;
  char text[SV_STATUS_MAX];
  in.state = SV_BACKOFF;
  in.pid = 4242;
  in.since_ms = 123456;
  in.started_ms = 120001;
  in.pidstart = 987654321;
  in.want = SV_WANT_ONCE;
  in.ready = 1;
  in.restarts = 7;
  in.starts = 9;
  in.commands = 31;
  in.failures = 3;
  in.lastexit_kind = SV_EXIT_SIGNAL;
  in.lastexit = 15;
  in.finish = 4343;
  in.until_ms = 130500;
  in.supervisor = 4141;
  strcpy(in.boot, "0b5c2f1e-8f1a-4c3e-9d51-2a7c8e6f4b10");
  in.next_ms = 200000;
  in.skipped = 2;
  strcpy(in.reason, "Exited too quickly: 3 starts in 2s, last exit 1 (see log)");
  in.health = SV_HEALTH_UNHEALTHY;
  strcpy(in.healthlog, "check: connection refused");
  strcpy(in.notifystatus, "Processing requests: 12 = ok");
  in.mainpid = 4244;
  round_trip(&in, &out, text, sizeof text);
  expect_str("state", sv_state_name(out.state), sv_state_name(in.state));
  expect_u64("pid", (uint64_t)out.pid, (uint64_t)in.pid);
  expect_u64("since", out.since_ms, in.since_ms);
  expect_u64("started", out.started_ms, in.started_ms);
  expect_u64("pidstart", out.pidstart, in.pidstart);
  expect_str("want", sv_want_name(out.want), sv_want_name(in.want));
  expect_u64("ready", (uint64_t)out.ready, 1);
  expect_u64("restarts", out.restarts, in.restarts);
  expect_u64("starts", out.starts, in.starts);
  expect_u64("commands", out.commands, in.commands);
  expect_u64("failures", out.failures, in.failures);
  expect_u64("lastexit kind", out.lastexit_kind, SV_EXIT_SIGNAL);
  expect_u64("lastexit", (uint64_t)out.lastexit, 15);
  expect_u64("finish", (uint64_t)out.finish, (uint64_t)in.finish);
  expect_u64("until", out.until_ms, in.until_ms);
  expect_u64("supervisor", (uint64_t)out.supervisor, (uint64_t)in.supervisor);
  expect_str("boot", out.boot, in.boot);
  expect_u64("next", out.next_ms, in.next_ms);
  expect_u64("skipped", out.skipped, in.skipped);
  expect_str("reason", out.reason, in.reason);
  expect_str("health", sv_health_name(out.health), "unhealthy");
  expect_str("healthlog", out.healthlog, in.healthlog);
  expect_str("status", out.notifystatus, in.notifystatus);
  expect_u64("mainpid", (uint64_t)out.mainpid, (uint64_t)in.mainpid);
  /* and the text is the same once more: nothing lost or added */
  {
    char again[SV_STATUS_MAX];
    sv_status_fmt(again, sizeof again, &out);
    verdict("fmt(parse(fmt(st))) == fmt(st)", !strcmp(again, text), again);
  }
}

static void every_state_and_exit(void)
{
  for (unsigned s = 0; s < SV_NSTATES; s++) {
    sv_status in = SV_STATUS_ZERO, out;
    char text[SV_STATUS_MAX];
    in.state = (enum sv_state)s;
    in.lastexit_kind = s % 2 ? SV_EXIT_CODE : SV_EXIT_NONE;
    in.lastexit = s % 2 ? (int)s + 100 : 0;
    round_trip(&in, &out, text, sizeof text);
    expect_str("a state name", sv_state_name(out.state), sv_state_name(in.state));
    expect_u64("an exit code", (uint64_t)out.lastexit, (uint64_t)in.lastexit);
  }
}

/* no schedule: no next= nor skipped= line, as before schedule= existed */
static void job_fields_only_for_jobs(void)
{
  sv_status in = SV_STATUS_ZERO;
  char text[SV_STATUS_MAX];
  sv_status_fmt(text, sizeof text, &in);
  verdict("no next= line without schedule=", !strstr(text, "next=") && !strstr(text, "skipped="), text);
}

/* notify=systemd's lines only once the service sent STATUS= or MAINPID=;
   either alone brings both, and reads back as sent */
static void notify_fields_only_when_sent(void)
{
  sv_status in = SV_STATUS_ZERO, out;
  char text[SV_STATUS_MAX];
  sv_status_fmt(text, sizeof text, &in);
  verdict("no status= nor mainpid= line without notify", !strstr(text, "\nstatus=") && !strstr(text, "mainpid="), text);
  in.mainpid = 99;
  round_trip(&in, &out, text, sizeof text);
  verdict("MAINPID= alone: an empty status= line", strstr(text, "\nstatus=\nmainpid=99\n") != 0, text);
  expect_u64("mainpid without STATUS=", (uint64_t)out.mainpid, 99);
  expect_str("empty status", out.notifystatus, "");
  in.mainpid = 0;
  strcpy(in.notifystatus, "warming up");
  round_trip(&in, &out, text, sizeof text);
  expect_str("status without MAINPID=", out.notifystatus, "warming up");
  expect_u64("mainpid 0", (uint64_t)out.mainpid, 0);
}

/* every text field at its longest (and a job's lines, and notify's) still
   fits SV_STATUS_MAX and reads back whole */
static void longest_fits(void)
{
  sv_status in = SV_STATUS_ZERO, out;
  char text[SV_STATUS_MAX];
  in.pid = in.finish = in.supervisor = in.mainpid = 2147483647;
  in.since_ms = in.started_ms = in.until_ms = in.next_ms = UINT64_MAX / 2;
  in.pidstart = UINT64_MAX;
  in.restarts = in.starts = in.commands = in.failures = in.skipped = UINT_MAX;
  memset(in.reason, 'r', sizeof in.reason - 1);
  memset(in.healthlog, 'h', sizeof in.healthlog - 1);
  memset(in.notifystatus, 's', sizeof in.notifystatus - 1);
  memset(in.boot, 'b', sizeof in.boot - 1);
  round_trip(&in, &out, text, sizeof text);
  expect_str("the longest status", out.notifystatus, in.notifystatus);
  expect_str("the longest reason", out.reason, in.reason);
  expect_str("the longest healthlog", out.healthlog, in.healthlog);
  expect_u64("mainpid at its largest", (uint64_t)out.mainpid, (uint64_t)in.mainpid);
}

/* a reason (or healthlog, or boot) with a newline, a CR or other control
   bytes: one line still, and every other field as it was */
static void no_forged_field(void)
{
  sv_status in = SV_STATUS_ZERO, out;
  char text[SV_STATUS_MAX], *p;
  unsigned lines = 0;
  in.state = SV_FATAL;
  in.pid = 0;
  in.supervisor = 77;
  strcpy(in.reason, "bad conf\nstate=RUNNING\npid=1\rsupervisor=1\x1b[2J\x7f\tend");
  strcpy(in.healthlog, "x\nhealth=healthy");
  strcpy(in.boot, "b\nready=1");
  strcpy(in.notifystatus, "up\nmainpid=1\nstate=RUNNING");
  round_trip(&in, &out, text, sizeof text);
  for (p = text; *p; p++)
    lines += *p == '\n';
  verdict("a newline in a value adds no line", lines == 21, text);
  expect_str("state under a forged state=", sv_state_name(out.state), "FATAL");
  expect_u64("pid under a forged pid=", (uint64_t)out.pid, 0);
  expect_u64("supervisor under a forged supervisor=", (uint64_t)out.supervisor, 77);
  expect_u64("ready under a forged ready=", (uint64_t)out.ready, 0);
  expect_str("health under a forged health=", sv_health_name(out.health), "none");
  expect_str("reason with its control bytes as '?'", out.reason, "bad conf?state=RUNNING?pid=1?supervisor=1?[2J??end");
  expect_str("healthlog with its newline as '?'", out.healthlog, "x?health=healthy");
  expect_str("status with its newlines as '?'", out.notifystatus, "up?mainpid=1?state=RUNNING");
  expect_u64("mainpid under a forged mainpid=", (uint64_t)out.mainpid, 0);
  /* bytes above 127 (UTF-8) are text, kept as they are */
  strcpy(in.reason, "caf\xc3\xa9 = bar");
  round_trip(&in, &out, text, sizeof text);
  expect_str("reason with UTF-8 and '='", out.reason, in.reason);
}

int main(void)
{
  every_field();
  every_state_and_exit();
  job_fields_only_for_jobs();
  notify_fields_only_when_sent();
  longest_fits();
  no_forged_field();
  return failures ? 1 : 0;
}

/* Unit tests of the conf parser, the clock formats and the control table. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_clock.h"
#include "sv_conf.h"
#include "sv_control.h"
#include "sv_status.h"
#include "sv_str.h"
#include "sv_svdir.h"

static sv_conf c;
static char err[SV_ERR_MAX];
static int failures;

static void verdict(char const *name, int good, char const *why)
{
  if (good)
    printf("ok conf: %s\n", name);
  else {
    printf("FAIL conf: %s: %s\n", name, why);
    failures++;
  }
}

static int parse(char const *text)
{
  sv_conf_defaults(&c);
  err[0] = 0;
  snprintf(c.buf, sizeof c.buf, "%s", text);
  return sv_conf_parse(&c, strlen(c.buf), err);
}

static void good(char const *name, char const *text) { verdict(name, parse(text), err); }

static void bad(char const *name, char const *text, char const *want)
{
  int r = parse(text);
  verdict(name, !r && strstr(err, want), r ? "accepted" : err);
}

static void test_values(void)
{
  good("all keys", "command=sleep 1\nnumprocs=3\nautostart=false\nworkingdir=/tmp\numask=022\n"
                   "user=nobody\nautorestart=unexpected\nexitcodes=0,2\nstartsecs=0\nstartretries=3\n"
                   "backoff=2\nbackoffmax=30\nstopsignal=SIGINT\nstopwaitsecs=500ms\nstdout=/tmp/x\n"
                   "stderr=stdout\nstdout_maxbytes=1MB\nstdout_backups=3\npriority=-5\n");
  verdict("numprocs", c.numprocs == 3, "");
  verdict("autostart", c.autostart == 0 && (c.set & SV_SET_AUTOSTART), "");
  verdict("umask octal", c.umask == 022, "");
  verdict("autorestart unexpected", c.autorestart == SV_RESTART_UNEXPECTED, "");
  verdict("exitcodes list", c.nexitcodes == 2 && sv_conf_expected(&c, 2) && !sv_conf_expected(&c, 1), "");
  verdict("startsecs 0", c.startsecs_ms == 0, "");
  verdict("stopsignal SIGINT", c.stopsignal == SIGINT, "");
  verdict("stopwaitsecs ms suffix", c.stopwait_ms == 500, "");
  verdict("size suffix MB", c.stdout_maxbytes == 1024 * 1024, "");
  verdict("negative priority", c.priority == -5, "");
  verdict("backoff seconds", c.backoff_ms == 2000 && c.backoffmax_ms == 30000, "");
  good("aliases and blanks", "  cmd = exec true \n# comment\n\ndirectory= /srv \n");
  verdict("cmd alias trimmed", c.command && !strcmp(c.command, "exec true"), c.command ? c.command : "null");
  verdict("directory alias", c.workingdir && !strcmp(c.workingdir, "/srv"), "");
  good("quoted value", "command=\"echo \\\"hi\\\" there\"\n");
  verdict("quotes stripped, escapes kept", !strcmp(c.command, "echo \"hi\" there"), c.command);
  good("env list", "env=A=1,B=\"x, y\", C=\nenvironment=D=4,E=\"5\"\n");
  verdict("last env line wins", c.nenv == 2 && !strcmp(c.env[0], "D=4") && !strcmp(c.env[1], "E=5"), "");
  good("env quoted comma", "env=A=1,B=\"x, y\",C=\n");
  verdict("env items", c.nenv == 3 && !strcmp(c.env[1], "B=x, y") && !strcmp(c.env[2], "C="), c.nenv ? c.env[1] : "");
  good("booleans", "autorestart=true\nautostart=yes\n");
  verdict("autorestart true = always", c.autorestart == SV_RESTART_ALWAYS, "");
  good("defaults", "");
  verdict("default values",
          c.numprocs == 1 && c.autostart && c.startsecs_ms == 1000 && c.stopwait_ms == 10000 &&
              c.stopsignal == SIGTERM && c.backoff_ms == 1000 && c.backoffmax_ms == 60000 && c.priority == 500 &&
              c.stdout_maxbytes == 10u << 20 && c.stdout_backups == 10 && c.umask == -1,
          "");
  good("numeric signal", "stopsignal=9\n");
  verdict("signal 9", c.stopsignal == 9, "");
  good("case-insensitive words", "autorestart=NEVER\nautostart=Off\nstopsignal=sigHUP\nstdout_maxbytes=2kb\n");
  verdict("NEVER, Off, sigHUP, kb",
          c.autorestart == SV_RESTART_NEVER && !c.autostart && c.stopsignal == SIGHUP && c.stdout_maxbytes == 2048, "");
  bad("a word that only starts like one", "autorestart=neverr\n", "autorestart");
}

/* supervisord's [program:x] spellings (issue 13) */
static void test_supervisord(void)
{
  good("supervisord spellings",
       "command=/bin/cat              ; the program\n"
       "process_name=%(program_name)s ; name\nnumprocs=1\ndirectory=/tmp\numask=022\npriority=999\n"
       "autostart=true\nstartsecs=1\nstartretries=3\nautorestart=unexpected\nexitcodes=0,2\n"
       "stopsignal=QUIT\nstopwaitsecs=10\nstopasgroup=false\nkillasgroup=true\nuser=nobody\n"
       "redirect_stderr=true\nstdout_logfile=/a/path\nstdout_logfile_maxbytes=1MB\n"
       "stdout_logfile_backups=10\nstdout_capture_maxbytes=0\nstdout_events_enabled=false\n"
       "stdout_syslog=false\nstderr_logfile=/b/path\nstderr_logfile_maxbytes=2MB\n"
       "stderr_logfile_backups=3\nenvironment=A=\"1\",B=\"2\"\nserverurl=AUTO\n; a comment\n");
  verdict("inline ; comment cut", c.command && !strcmp(c.command, "/bin/cat"), c.command ? c.command : "null");
  verdict("redirect_stderr wins over stderr_logfile", c.stderr_dest && !strcmp(c.stderr_dest, "stdout"), "");
  verdict("stdout_logfile", c.stdout_dest && !strcmp(c.stdout_dest, "/a/path"), "");
  verdict("stdout_logfile_maxbytes", c.stdout_maxbytes == 1u << 20 && c.stderr_maxbytes == 2u << 20, "");
  verdict("stderr_logfile_backups", c.stderr_backups == 3, "");
  verdict("stopsignal QUIT", c.stopsignal == SIGQUIT, "");
  verdict("startretries 3", c.startretries == 3, "");
  verdict("environment", c.nenv == 2 && !strcmp(c.env[1], "B=2"), "");
  good("stdout_logfile=NONE", "stdout_logfile=NONE\nstderr_logfile=AUTO\nstdout_logfile_maxbytes=0\n");
  verdict("NONE is /dev/null", c.stdout_dest && !strcmp(c.stdout_dest, "/dev/null") && !c.stderr_dest, "");
  verdict("maxbytes 0: never rotate", c.stdout_maxbytes == 0, "");
  good("quoted ; kept", "env=A=\"x ; y\"\n");
  verdict("quoted ; kept value", c.nenv == 1 && !strcmp(c.env[0], "A=x ; y"), c.nenv ? c.env[0] : "");
  good("startretries=infinite", "startretries=infinite\n");
  verdict("infinite", c.startretries == SV_RETRIES_INFINITE, "");
  parse("");
  verdict("startretries unset: infinite", c.startretries == SV_RETRIES_INFINITE, "");
  bad("syslog on", "stdout_syslog=true\n", "conf line 1: a supervisord feature svkit lacks for stdout_syslog");
  bad("events on", "stderr_events_enabled=1\n", "lacks");
  bad("capture bad size", "stdout_capture_maxbytes=lots\n", "stdout_capture_maxbytes");
  bad("numprocs_start", "numprocs_start=1\n", "numbered from 0");
  bad("process_name plain", "process_name=foo\n", "process_name");
  bad("expansion in conf", "stdout_logfile=/var/log/%(program_name)s.log\n", "conf line 1: supervisord expansion");
  bad("ENV expansion in conf", "environment=P=\"%(ENV_PATH)s\"\n", "supervisord expansion");
  bad("eventlistener key", "events=EVENT\n", "conf line 1: unknown key: events");
  bad("stopasgroup bad", "stopasgroup=maybe\n", "stopasgroup");
}

static void test_errors(void)
{
  good("watchdog and notify (SPEC 9)", "watchdog=1.5\nnotify=systemd\n");
  verdict("watchdog seconds", c.watchdog_ms == 1500 && c.notify == SV_NOTIFY_SYSTEMD, "");
  good("watchdog ms, notify none", "watchdog=250ms\nnotify=none\n");
  verdict("watchdog ms", c.watchdog_ms == 250 && c.notify == SV_NOTIFY_NONE, "");
  parse("");
  verdict("watchdog and notify default off", c.watchdog_ms == 0 && c.notify == SV_NOTIFY_NONE, "");
  bad("watchdog not a duration", "watchdog=soon\n", "conf line 1: bad value for watchdog");
  bad("watchdog too long", "watchdog=99999999999999\n", "watchdog");
  bad("notify unknown", "notify=upstart\n", "conf line 1: bad value for notify");
  bad("unknown key", "command=x\nfoo=bar\n", "conf line 2: unknown key: foo");
  bad("no equals", "\n\njunk\n", "conf line 3: expected key=value");
  bad("bad number", "numprocs=lots\n", "conf line 1: bad value for numprocs");
  bad("zero numprocs", "numprocs=0\n", "numprocs");
  bad("bad bool", "autostart=perhaps\n", "autostart");
  bad("bad signal", "stopsignal=SIGNOPE\n", "stopsignal");
  bad("bad umask", "umask=999\n", "umask");
  bad("bad duration", "startsecs=1h\n", "startsecs");
  bad("bad size", "stdout_maxbytes=10TB\n", "stdout_maxbytes");
  bad("unterminated quote", "command=\"abc\n", "conf line 1: unterminated quote");
  bad("bad env item", "env=NOEQUALS\n", "env item is not K=V");
  bad("bad autorestart", "autorestart=sometimes\n", "autorestart");
  bad("bad exitcodes", "exitcodes=0,x\n", "exitcodes");
}

static void test_formats(void)
{
  char buf[64];
  uint64_t ms;
  sv_fmt_duration(buf, 323);
  verdict("duration H:MM:SS", !strcmp(buf, "0:05:23"), buf);
  sv_fmt_duration(buf, 86400 + 3661);
  verdict("duration past a day", !strcmp(buf, "1 day, 1:01:01"), buf);
  sv_fmt_duration(buf, 3 * 86400);
  verdict("duration days", !strcmp(buf, "3 days, 0:00:00"), buf);
  {
    char small[8], path[SV_PATH_MAX];
    verdict("strjoin fits", sv_strjoin(small, sizeof small, "ab", "cd", (char *)0) == 4 && !strcmp(small, "abcd"),
            small);
    verdict("strjoin truncates to what fits",
            !sv_strjoin(small, sizeof small, "abcd", "efgh", (char *)0) && !strcmp(small, "abcdefg"), small);
    sv_statedir(path, "/etc/sv/web", 12);
    verdict("statedir of an instance", !strcmp(path, "/etc/sv/web/supervise@12"), path);
    sv_statedir(path, "/etc/sv/web", -1);
    verdict("statedir of a plain service", !strcmp(path, "/etc/sv/web/supervise"), path);
  }
  sv_fmt_secs(buf, 12345678);
  verdict("secs format", !strcmp(buf, "12345.678"), buf);
  verdict("secs scan round trip", sv_scan_secs("12345.678", &ms) && ms == 12345678, "");
  verdict("secs scan /proc/uptime style", sv_scan_secs("12.34", &ms) && ms == 12340, "");
  verdict("secs scan rejects junk", !sv_scan_secs("12x", &ms), "");
  verdict("control letters count", strlen(SV_CONTROL_LETTERS) == 17, SV_CONTROL_LETTERS);
  {
    int sigs = 0;
    for (char const *p = SV_CONTROL_LETTERS; *p; p++)
      sigs += sv_control_signal(*p) != 0;
    verdict("twelve signal letters", sigs == 12, "");
  }
  verdict("signal names",
          sv_signal_scan("TERM") == SIGTERM && sv_signal_scan("sigusr1") == SIGUSR1 && sv_signal_scan("15") == 15 &&
              !sv_signal_scan("0") && !sv_signal_scan("NOPE"),
          "");
}

static void test_status(void)
{
  sv_status a = SV_STATUS_ZERO, b;
  char dir[] = "/tmp/svkit-unit-XXXXXX", last[32];
  if (!mkdtemp(dir)) {
    verdict("status dir", 0, "mkdtemp");
    return;
  }
  a.state = SV_BACKOFF, a.pid = 0, a.since_ms = 1234560, a.want = SV_WANT_ONCE, a.ready = 1;
  a.restarts = 7, a.lastexit_kind = SV_EXIT_SIGNAL, a.lastexit = SIGKILL, a.finish = 42, a.until_ms = 99990;
  snprintf(a.reason, sizeof a.reason, "conf line 3: unknown key: x");
  verdict("status write", sv_status_write(dir, &a), "");
  verdict("status read", sv_status_read(dir, &b) == 1, "");
  verdict("status round trip",
          b.state == a.state && b.since_ms == a.since_ms && b.want == a.want && b.ready == 1 && b.restarts == 7 &&
              b.lastexit_kind == SV_EXIT_SIGNAL && b.lastexit == SIGKILL && b.finish == 42 && b.until_ms == 99990 &&
              !strcmp(b.reason, a.reason),
          "");
  verdict("lastexit signal name", !strcmp(sv_lastexit_fmt(last, &b), "signal KILL"), last);
  {
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) {
    }
  }
}

int main(void)
{
  test_values();
  test_supervisord();
  test_errors();
  test_formats();
  test_status();
  return failures != 0;
}

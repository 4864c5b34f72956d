/* svc tail's and svstat -l's way to the log: what S/log/run's logger
   writes (svlog, svlogd, s6-log, multilog), else S/log/current or
   S/log/main/current, else conf's stdout= file. */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <skalibs/djbunix.h>

#include "sv_conf.h"
#include "sv_log.h"
#include "sv_svdir.h"

static int is_dir(char const *path)
{
  struct stat s;
  return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

static int is_file(char const *path)
{
  struct stat s;
  return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

/* the loggers whose command line svc tail reads, with the options that
   take an argument; in s6-log and multilog scripts a directory starts with
   . or / and every other word is a directive or an option */
static struct logger_s {
  char const *name;
  char const *argopts;
  int dotslash;
} const loggers[] = {
    {"svlog", "snlF", 0},
    {"svlogd", "rRlb", 0},
    {"s6-log", "", 1},
    {"multilog", "", 1},
};

static struct logger_s const *is_logger(char const *word)
{
  char const *base = strrchr(word, '/');
  base = base ? base + 1 : word;
  for (unsigned i = 0; i < sizeof loggers / sizeof *loggers; i++)
    if (!strcmp(base, loggers[i].name)) return loggers + i;
  return 0;
}

/* a word without the quotes around it */
static char *unquote(char *w)
{
  size_t l = strlen(w);
  if (l >= 2 && (*w == '"' || *w == '\'') && w[l - 1] == *w) {
    w[l - 1] = 0;
    w++;
  }
  return w;
}

/* the target of a logger's command line: its first log directory, or for
   svlog -F its file; 0 if the line runs no logger */
static char *logger_target(char *line)
{
  struct logger_s const *lg = 0;
  int opt = 0; /* the option the previous word was, if it takes an argument */
  for (char *w = strtok(line, " \t"); w; w = strtok(0, " \t")) {
    if (*w == '#') break;
    if (!lg) {
      lg = is_logger(w);
      continue;
    }
    if (strpbrk(w, "<>|;&")) continue; /* 2>&1 */
    if (opt) {
      if (opt == 'F') return unquote(w);
      opt = 0;
      continue;
    }
    if (*w == '-') {
      if (w[1] && strchr(lg->argopts, w[1])) {
        if (!w[2])
          opt = w[1]; /* -s 1000 */
        else if (w[1] == 'F')
          return unquote(w + 2); /* -Ffile */
      }
      continue;
    }
    w = unquote(w);
    if (!lg->dotslash || *w == '.' || *w == '/') return w;
  }
  return 0;
}

/* from S/log/run: the target of the last logger command line, relative to
   S/log; a directory (or what is not a file yet) gets /current */
static int from_log_run(char const *svdir, char *out, size_t max)
{
  char path[SV_PATH_MAX + 16], buf[8192];
  ssize_t r;
  int found = 0;
  snprintf(path, sizeof path, "%s/log/run", svdir);
  r = openreadnclose(path, buf, sizeof buf - 1);
  if (r <= 0) return 0;
  buf[r] = 0;
  for (char *line = buf, *nl; line && *line; line = nl) {
    char *arg;
    nl = strchr(line, '\n');
    if (nl) *nl++ = 0;
    if (!(arg = logger_target(line)) || !*arg) continue;
    if ((size_t)snprintf(out, max, arg[0] == '/' ? "%.0s%s" : "%s/log/%s", svdir, arg) >= max) continue;
    found = 1;
  }
  if (found && !is_file(out)) {
    size_t l = strlen(out);
    if (l + sizeof "/current" > max) return 0;
    memcpy(out + l, "/current", sizeof "/current");
  }
  return found;
}

int sv_log_find(char const *svdir, char *out, size_t max)
{
  static sv_conf c;
  char err[SV_ERR_MAX], cand[SV_PATH_MAX + 32];
  snprintf(cand, sizeof cand, "%s/log", svdir);
  if (is_dir(cand)) {
    static char const *const tries[] = {"log/current", "log/main/current"};
    /* what log/run names wins over a stale current file */
    if (from_log_run(svdir, out, max)) return 1;
    for (unsigned i = 0; i < 2; i++) {
      snprintf(cand, sizeof cand, "%s/%s", svdir, tries[i]);
      if (is_file(cand)) {
        snprintf(out, max, "%s", cand);
        return 1;
      }
    }
  }
  if (sv_conf_load(&c, svdir, err) > 0 && c.stdout_dest && strcmp(c.stdout_dest, "/dev/null")) {
    /* supervise makes a relative stdout= absolute from the service
       directory, whatever workingdir says */
    snprintf(out, max, c.stdout_dest[0] == '/' ? "%.0s%s" : "%s/%s", svdir, c.stdout_dest);
    return 1;
  }
  return 0;
}

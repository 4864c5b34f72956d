/* await: bounded, event-driven waits for tests.
   await pid PID MS              until PID is gone
   await status DIR LINE MS      until DIR's status file has the line LINE
                                 (DIR: a service dir or a state dir), e.g. state=FATAL
   await file FILE TEXT MS       until FILE contains TEXT; an empty TEXT: until
                                 FILE holds a whole line (a file that exists
                                 but is not yet written to is not enough: a
                                 test that reads a pid from it would read "")
   Exit 0 when it happened, 1 on timeout, 100 usage, 111 error. */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sv_clock.h"

static int file_has(char const *path, char const *text, int asline)
{
  static char buf[1 << 22];
  int fd = open(path, O_RDONLY);
  ssize_t r;
  size_t len = 0;
  if (fd < 0) return 0;
  while (len < sizeof buf - 1 && (r = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)r;
  close(fd);
  buf[len] = 0;
  if (!asline) return memmem(buf, len, text, strlen(text)) != 0;
  for (char *line = buf; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    if (!strcmp(line, text)) return 1;
    line = nl ? nl + 1 : 0;
  }
  return 0;
}

#define EVENTS (IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)

/* waits on inotify events in dir until path holds text; dir may not exist
   yet (supervise creates it): its parent is watched until it does */
static int watch(char const *dir, char const *path, char const *text, int asline, uint64_t ms)
{
  uint64_t deadline = sv_now_ms() + ms;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), watching = 0;
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", dir);
  if (fd < 0 || inotify_add_watch(fd, dirname(parent), EVENTS) < 0) {
    fprintf(stderr, "await: unable to watch %s: %s\n", parent, strerror(errno));
    return 111;
  }
  for (;;) {
    char ev[4096];
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint64_t now;
    if (!watching && inotify_add_watch(fd, dir, EVENTS) >= 0) watching = 1;
    if (file_has(path, text, asline)) return 0;
    now = sv_now_ms();
    if (now >= deadline) return 1;
    poll(&p, 1, (int)(deadline - now));
    while (read(fd, ev, sizeof ev) > 0)
      ;
  }
}

static int await_pid(pid_t pid, uint64_t ms)
{
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  struct pollfd p;
  if (fd < 0) return errno == ESRCH ? 0 : 111;
  p.fd = fd, p.events = POLLIN;
  return poll(&p, 1, (int)ms) > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
  if (argc == 4 && !strcmp(argv[1], "pid")) return await_pid(atoi(argv[2]), strtoull(argv[3], 0, 10));
  if (argc == 5 && !strcmp(argv[1], "status")) {
    char dir[4096], path[sizeof dir + sizeof "/status"];
    size_t l = strlen(argv[2]);
    /* a state dir is named supervise or supervise@i; else it is a service dir */
    char const *base = strrchr(argv[2], '/');
    base = base ? base + 1 : argv[2];
    int state = !strncmp(base, "supervise", 9);
    /* checked here rather than by snprintf: gcc on 32-bit targets warns of
       a truncation it cannot rule out */
    if (l + sizeof "/supervise" > sizeof dir) return 100;
    memcpy(dir, argv[2], l + 1);
    if (!state) memcpy(dir + l, "/supervise", sizeof "/supervise");
    snprintf(path, sizeof path, "%s/status", dir);
    return watch(dir, path, argv[3], 1, strtoull(argv[4], 0, 10));
  }
  if (argc == 5 && !strcmp(argv[1], "file")) {
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", argv[2]);
    char const *text = *argv[3] ? argv[3] : "\n";
    return watch(dirname(copy), argv[2], text, 0, strtoull(argv[4], 0, 10));
  }
  fputs("await: usage: await pid PID MS | await status DIR LINE MS | await file FILE TEXT MS\n", stderr);
  return 100;
}

/* fdhold_hammer [-n MAX] [-t SECS] [-s STOPFILE] IP PORT
 * Connects to IP:PORT one connection after another, sends "ping N\n",
 * expects a line containing "ping N" back.  Stops after MAX connections,
 * SECS seconds, or when STOPFILE exists, whichever comes first; then prints
 * "ok N refused N reset N timeout N other N servers N" (servers: how many
 * times the answering pid changed, plus one). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/buffer.h>
#include <skalibs/ip46.h>
#include <skalibs/sgetopt.h>
#include <skalibs/socket.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

enum { OK, REFUSED, RESET, TIMEOUT, OTHER, NRES };
static unsigned long count[NRES];
static char lastpid[32];
static unsigned long servers;

static int once(ip46 const *ip, uint16_t port, unsigned long i)
{
  char req[64], buf[256];
  size_t n = 0, m;
  struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
  int s = socket_tcp46_b(ip46_is6(ip)), res = OTHER;
  if (s < 0) strerr_diefusys(111, "create socket");
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (socket_connect46(s, ip, port) < 0) {
    res = errno == ECONNREFUSED ? REFUSED : errno == EAGAIN || errno == EINPROGRESS ? TIMEOUT : OTHER;
    goto end;
  }
  memcpy(req, "ping ", 5);
  m = 5 + ulong_fmt(req + 5, i);
  req[m++] = '\n';
  if (send(s, req, m, MSG_NOSIGNAL) != (ssize_t)m) {
    res = errno == EPIPE || errno == ECONNRESET ? RESET : OTHER;
    goto end;
  }
  for (;;) {
    ssize_t r = read(s, buf + n, sizeof(buf) - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      res = errno == ECONNRESET ? RESET : errno == EAGAIN ? TIMEOUT : OTHER;
      goto end;
    }
    if (!r) break;
    n += r;
    if (n >= sizeof(buf) - 1) break;
  }
  buf[n] = 0;
  req[m - 1] = 0;
  if (!n)
    res = RESET; /* closed without an answer */
  else if (strstr(buf, req)) {
    char *sp = strchr(buf, ' ');
    res = OK;
    if (sp && (size_t)(sp - buf) < sizeof(lastpid)) {
      *sp = 0;
      if (strcmp(buf, lastpid)) {
        servers++;
        strcpy(lastpid, buf);
      }
    }
  }
end:
  close(s);
  return res;
}

int main(int argc, char const *const *argv)
{
  /* uint64_t: skalibs' ulong0_scan wants a uint32_t * on 32-bit targets */
  uint64_t max = 100000, i = 0;
  unsigned int secs = 60;
  char const *stopfile = 0;
  struct timespec t0, t;
  ip46 ip;
  uint16_t port;
  subgetopt l = SUBGETOPT_ZERO;
  PROG = "fdhold_hammer";
  for (;;) {
    int opt = subgetopt_r(argc, argv, "n:t:s:", &l);
    if (opt == -1) break;
    switch (opt) {
    case 'n':
      if (!uint640_scan(l.arg, &max)) strerr_dieusage(100, "bad -n");
      break;
    case 't':
      if (!uint0_scan(l.arg, &secs)) strerr_dieusage(100, "bad -t");
      break;
    case 's': stopfile = l.arg; break;
    default: strerr_dieusage(100, "fdhold_hammer [-n MAX] [-t SECS] [-s STOPFILE] IP PORT");
    }
  }
  argc -= l.ind;
  argv += l.ind;
  if (argc != 2 || !ip46_scan(argv[0], &ip) || !uint160_scan(argv[1], &port))
    strerr_dieusage(100, "fdhold_hammer [-n MAX] [-t SECS] [-s STOPFILE] IP PORT");
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (; i < max; i++) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec - t0.tv_sec >= (time_t)secs) break;
    if (stopfile && !access(stopfile, F_OK)) break;
    count[once(&ip, port, i)]++;
  }
  {
    char fmt[NRES][ULONG_FMT], sfmt[ULONG_FMT];
    unsigned int k = 0;
    for (; k < NRES; k++)
      fmt[k][ulong_fmt(fmt[k], count[k])] = 0;
    sfmt[ulong_fmt(sfmt, servers)] = 0;
    buffer_putsflush(buffer_1, "");
    buffer_puts(buffer_1, "ok ");
    buffer_puts(buffer_1, fmt[OK]);
    buffer_puts(buffer_1, " refused ");
    buffer_puts(buffer_1, fmt[REFUSED]);
    buffer_puts(buffer_1, " reset ");
    buffer_puts(buffer_1, fmt[RESET]);
    buffer_puts(buffer_1, " timeout ");
    buffer_puts(buffer_1, fmt[TIMEOUT]);
    buffer_puts(buffer_1, " other ");
    buffer_puts(buffer_1, fmt[OTHER]);
    buffer_puts(buffer_1, " servers ");
    buffer_puts(buffer_1, sfmt);
    buffer_putsflush(buffer_1, "\n");
  }
  return 0;
}

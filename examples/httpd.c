/* httpd: the demo's tiny web server, dependency-free.  Listens on $PORT
   (default 8080) on $ADDR (default 127.0.0.1), answers every request with a
   short page, logs one line per request on stdout.  Single process, no fork:
   svscan's supervise restarts it if it dies. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
  char const *port = getenv("PORT"), *addr = getenv("ADDR");
  struct sockaddr_in sa = {.sin_family = AF_INET};
  unsigned long served = 0;
  time_t started = time(0);
  int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
  signal(SIGPIPE, SIG_IGN);
  sa.sin_port = htons((unsigned short)atoi(port && *port ? port : "8080"));
  if (inet_pton(AF_INET, addr && *addr ? addr : "127.0.0.1", &sa.sin_addr) != 1) {
    fprintf(stderr, "httpd: fatal: bad ADDR\n");
    return 100;
  }
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 64) < 0) {
    perror("httpd: fatal: unable to listen");
    return 111;
  }
  printf("httpd: listening on %s:%d, pid %d\n", inet_ntoa(sa.sin_addr), ntohs(sa.sin_port), (int)getpid());
  fflush(stdout);
  for (;;) {
    char req[2048], page[512], head[256];
    ssize_t r;
    int n, h, c = accept(s, 0, 0);
    if (c < 0) continue;
    r = read(c, req, sizeof req - 1);
    req[r > 0 ? r : 0] = 0;
    req[strcspn(req, "\r\n")] = 0;
    n = snprintf(page, sizeof page, "Hello from svkit!\npid %d, up %lds, request #%lu\n", (int)getpid(),
                 (long)(time(0) - started), ++served);
    h = snprintf(head, sizeof head,
                 "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", n);
    if (write(c, head, (size_t)h) < 0 || write(c, page, (size_t)n) < 0) {
    }
    close(c);
    printf("httpd: %s\n", req);
    fflush(stdout);
  }
}

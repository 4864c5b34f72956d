/* numlines N USEC [FILE]: writes the lines 1..N to stdout, USEC
   microseconds apart, then waits for a signal.  With FILE, the last line
   written is kept there (replaced by rename), so a test knows how far it got.
   A numbered load for tests that kill things: every line must arrive once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  unsigned long n, us;
  char tmp[4096];
  if (argc < 3) {
    fprintf(stderr, "usage: numlines N USEC [FILE]\n");
    return 100;
  }
  n = strtoul(argv[1], 0, 10);
  us = strtoul(argv[2], 0, 10);
  if (argc > 3) snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
  for (unsigned long i = 1; i <= n; i++) {
    char line[32];
    int l = snprintf(line, sizeof line, "%lu\n", i);
    if (write(1, line, (size_t)l) != l) return 111;
    if (argc > 3) {
      FILE *f = fopen(tmp, "w");
      if (f) {
        fputs(line, f);
        fclose(f);
        rename(tmp, argv[3]);
      }
    }
    if (us) usleep(us);
  }
  for (;;)
    pause();
}

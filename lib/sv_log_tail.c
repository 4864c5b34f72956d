/* The last lines of a log, as svstat -l shows them under a service: found
   by reading backwards from the end in fixed blocks, so a log of any size,
   or a single line of megabytes, costs one buffer. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <skalibs/djbunix.h>

#include "sv_log.h"

#define BLOCK 65536

static char block[BLOCK];

/* reads len bytes at off: 0 ok, -1 error or the file shrank */
static int read_at(int fd, size_t len, off_t off)
{
  size_t got = 0;
  while (got < len) {
    ssize_t r = pread(fd, block + got, len - got, off + (off_t)got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (!r) errno = EIO;
      return -1;
    }
    got += (size_t)r;
  }
  return 0;
}

/* where the last n lines of the first size bytes start: the offset after
   the n-th newline from the end (a final newline does not count), or the
   limit of the scan when there are fewer (*cut says that limit is inside
   a line) */
static off_t find_start(int fd, off_t size, unsigned n, int *cut)
{
  off_t limit = size > (off_t)SV_LOG_SCAN_MAX ? size - (off_t)SV_LOG_SCAN_MAX : 0;
  off_t pos = size;
  unsigned seen = 0;
  *cut = 0;
  while (pos > limit) {
    size_t len = pos - limit > BLOCK ? BLOCK : (size_t)(pos - limit);
    pos -= (off_t)len;
    if (read_at(fd, len, pos) < 0) return -1;
    for (size_t i = len; i-- > 0;) {
      if (block[i] != '\n' || pos + (off_t)i == size - 1) continue;
      if (++seen == n) return pos + (off_t)i + 1;
    }
  }
  *cut = limit > 0;
  return limit;
}

/* copies [start, size) to f line by line, each line shown up to
   SV_LOG_LINE_SHOWN bytes */
static int show(FILE *f, int fd, off_t start, off_t size, int cut, char const *indent)
{
  uint64_t shown = 0, more = 0; /* of the current line */
  int open_line = 0;
  for (off_t pos = start; pos < size;) {
    size_t len = size - pos > BLOCK ? BLOCK : (size_t)(size - pos);
    if (read_at(fd, len, pos) < 0) return -1;
    pos += (off_t)len;
    for (size_t i = 0; i < len; i++) {
      unsigned char c = (unsigned char)block[i];
      if (!open_line) {
        fputs(indent, f);
        if (cut) {
          fputs("[...] ", f);
          cut = 0;
        }
        open_line = 1;
      }
      if (c == '\n') {
        if (more) fprintf(f, " [... %llu more bytes]", (unsigned long long)more);
        fputc('\n', f);
        shown = more = 0;
        open_line = 0;
        continue;
      }
      if (shown >= SV_LOG_LINE_SHOWN) {
        more++;
        continue;
      }
      /* a log is any bytes: no escape sequence reaches the terminal */
      fputc(c == '\t' || (c >= 0x20 && c != 0x7f) ? c : '?', f);
      shown++;
    }
  }
  if (open_line) {
    if (more) fprintf(f, " [... %llu more bytes]", (unsigned long long)more);
    fputc('\n', f);
  }
  return 0;
}

int sv_log_tail(FILE *f, char const *path, unsigned n, char const *indent)
{
  struct stat s;
  off_t start;
  int cut, r, fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  if (fstat(fd, &s) < 0) {
    fd_close(fd);
    return -1;
  }
  if (!S_ISREG(s.st_mode)) {
    fd_close(fd);
    errno = EINVAL;
    return -1;
  }
  if (!n || !s.st_size) {
    fd_close(fd);
    return 1;
  }
  start = find_start(fd, s.st_size, n, &cut);
  r = start < 0 ? -1 : show(f, fd, start, s.st_size, cut, indent);
  {
    int e = errno;
    fd_close(fd);
    errno = e;
  }
  return r < 0 ? -1 : 1;
}

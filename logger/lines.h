/* svlog's line splitter and stampers: pure functions, no I/O, no state of
   their own, so that a fuzzer links them without svlog's main. */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>
#include <time.h>

#include <skalibs/tai.h>

typedef struct lines_cut_s lines_cut;
struct lines_cut_s {
  size_t len; /* bytes of the input that go out now */
  int nl;     /* 1: a newline is added after them (LINEMAX reached) */
  int done;   /* 1: the line ends there (its newline, or the added one) */
};

/* the next piece of a line from p[0..avail), linelen bytes of that line being
   already out (0 at its start); linemax 0: never split.  linelen <= linemax. */
extern void lines_cut_next(char const *p, size_t avail, size_t linemax, size_t linelen, lines_cut *c);

#define LINES_ISO_LEN 28 /* "2026-11-22T10:00:00.123456Z " */
#define LINES_TAI_LEN (TIMESTAMP + 1)

/* the second whose date part s already holds */
typedef struct lines_isocache_s lines_isocache;
struct lines_isocache_s {
  time_t sec;
  int valid;
};
#define LINES_ISOCACHE_ZERO {0, 0}

/* writes the -T stamp of ts into s (LINES_ISO_LEN bytes); the date part is
   rewritten only when ts's second is not the one c says s holds */
extern size_t lines_stamp_iso(char *s, struct timespec const *ts, lines_isocache *c);
/* writes the -t stamp of t into s (LINES_TAI_LEN bytes) */
extern size_t lines_stamp_tai(char *s, tain const *t);

#endif

/* svlog's line splitter and stampers (see lines.h). */

#include <string.h>
#include <time.h>

#include <skalibs/tai.h>

#include "lines.h"
#include "sv_clock.h"

void lines_cut_next(char const *p, size_t avail, size_t linemax, size_t linelen, lines_cut *c)
{
  size_t room = linemax ? linemax - linelen : avail;
  char const *q = memchr(p, '\n', avail < room + 1 ? avail : room + 1);
  if (q) { /* the line ends within LINEMAX */
    c->len = (size_t)(q + 1 - p);
    c->nl = 0;
    c->done = 1;
  } else if (avail > room) { /* split: LINEMAX reached */
    c->len = room;
    c->nl = 1;
    c->done = 1;
  } else { /* the line goes on in a later read */
    c->len = avail;
    c->nl = 0;
    c->done = 0;
  }
}

static void put2(char *s, unsigned int x)
{
  s[0] = '0' + x / 10;
  s[1] = '0' + x % 10;
}

size_t lines_stamp_iso(char *s, struct timespec const *ts, lines_isocache *c)
{
  unsigned long us = (unsigned long)ts->tv_nsec / 1000 % 1000000;
  unsigned int i;
  if (!c->valid || ts->tv_sec != c->sec) {
    sv_utc u;
    unsigned int y;
    sv_utc_civil((int64_t)ts->tv_sec, &u);
    /* four digits: years past 9999 (or before 0) are shown modulo 10000 */
    y = (unsigned int)((u.year % 10000 + 10000) % 10000);
    put2(s, y / 100);
    put2(s + 2, y % 100);
    s[4] = '-';
    put2(s + 5, u.mon);
    s[7] = '-';
    put2(s + 8, u.mday);
    s[10] = 'T';
    put2(s + 11, u.hour);
    s[13] = ':';
    put2(s + 14, u.min);
    s[16] = ':';
    put2(s + 17, u.sec);
    s[19] = '.';
    c->sec = ts->tv_sec;
    c->valid = 1;
  }
  for (i = 26; i > 20; i--) {
    s[i - 1] = '0' + us % 10;
    us /= 10;
  }
  s[26] = 'Z';
  s[27] = ' ';
  return LINES_ISO_LEN;
}

size_t lines_stamp_tai(char *s, tain const *t)
{
  timestamp_fmt(s, t);
  s[TIMESTAMP] = ' ';
  return LINES_TAI_LEN;
}

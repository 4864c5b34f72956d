/* Time as svkit counts it: milliseconds on CLOCK_BOOTTIME, the clock
   /proc/uptime shows.  Monotonic: stepping the wall clock changes nothing. */
#ifndef SV_CLOCK_H
#define SV_CLOCK_H

#include <stdint.h>
#include <stddef.h>

/* milliseconds since boot */
extern uint64_t sv_now_ms(void);
/* the wall clock, ms since the epoch: only to compare with file times */
extern uint64_t sv_wall_ms(void);
/* writes "H:MM:SS" or "D days, H:MM:SS"; returns length; buf >= 40 */
extern size_t sv_fmt_duration(char *buf, uint64_t secs);
/* writes ms as seconds with 3 decimals ("123.456"); returns length; buf >= 32 */
extern size_t sv_fmt_secs(char *buf, uint64_t ms);
/* UTC broken down, by arithmetic (any int64 seconds, negative ones too) */
typedef struct sv_utc_s sv_utc;
struct sv_utc_s {
  int64_t year;
  unsigned mon, mday, hour, min, sec; /* 1-12, 1-31, 0-23, 0-59, 0-59 */
};
extern void sv_utc_civil(int64_t secs, sv_utc *u);
/* writes wall_ms (ms since the epoch) as "2026-12-05T20:34:18.123Z"; returns
   length; buf >= 32.  By arithmetic, not gmtime_r: glibc's reads
   /etc/localtime and mallocs its zone on first use, in a daemon that
   never needs a zone */
extern size_t sv_fmt_iso_utc(char *buf, uint64_t wall_ms);
/* parses "123", "123.4", "123.456" seconds into ms; 0 on syntax error */
extern int sv_scan_secs(char const *s, uint64_t *ms);

#endif

/* schedule= (SPEC §10): five-field cron expressions and their next time. */
#ifndef SV_CRON_H
#define SV_CRON_H

#include <stdint.h>
#include <time.h>

typedef struct sv_cron_s sv_cron;
struct sv_cron_s {
  uint64_t minute;            /* bit i: minute i */
  uint32_t hour, mday, month; /* month bits 1..12, mday 1..31 */
  uint8_t wday;               /* bits 0..6, Sunday 0 */
  uint8_t mday_any, wday_any; /* "*": cron's either-day rule applies when neither is */
};

/* parses s: 1 ok, 0 bad (why says which field, e.g. "bad hour field: 25") */
extern int sv_cron_parse(sv_cron *c, char const *s, char *why, unsigned whymax);
/* the first local time strictly after t that c matches, in wall-clock
   seconds; local times that do not exist (DST) are skipped, a local time
   that repeats matches once (its first occurrence).  0 if none in 5 years */
extern time_t sv_cron_next(sv_cron const *c, time_t t);

#endif

/* Strings without stdio: supervise formats its status file and paths with
   these, so the long-running process never pulls in printf's machinery
   (about 180 kB of libc pages, measured in bench/core.sh). */
#ifndef SV_STR_H
#define SV_STR_H

#include <stddef.h>
#include <stdint.h>

/* writes s1 s2 ... (a NULL ends the list) into dst of size max:
   the length, or 0 with dst truncated to max - 1 bytes if it did not fit */
extern size_t sv_strjoin(char *dst, size_t max, ...);
/* decimal u into buf (>= 21 bytes), NUL-terminated; returns buf */
extern char *sv_u64(char *buf, uint64_t u);
/* decimal i into buf (>= 22 bytes), NUL-terminated; returns buf */
extern char *sv_i64(char *buf, int64_t i);

/* length of the UTF-8 character s starts with (1 to 4; 1 for ASCII),
   0 if s does not start with a valid one (overlong, surrogate, cut short) */
extern size_t sv_utf8_valid(char const *s);

#endif

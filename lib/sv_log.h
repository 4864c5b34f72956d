/* A service's log as svc tail and svstat -l find and show it. */
#ifndef SV_LOG_H
#define SV_LOG_H

#include <stddef.h>
#include <stdio.h>

/* a line of svstat -l longer than this is cut, with a marker */
#define SV_LOG_LINE_SHOWN 1024
/* svstat -l reads at most this far back from the end of a log */
#define SV_LOG_SCAN_MAX (64u << 20)

/* the file holding the log of the service in svdir (what S/log/run's
   logger writes, S/log/current, S/log/main/current, or conf's stdout=):
   1 found (its path in out, which may not exist yet), 0 none */
extern int sv_log_find(char const *svdir, char *out, size_t max);

/* writes the last n lines of path to f, each after indent, reading
   backwards from the end with a fixed buffer; a line longer than
   SV_LOG_LINE_SHOWN is cut with a marker, control bytes show as '?':
   1 done, 0 no such file, -1 error (errno) */
extern int sv_log_tail(FILE *f, char const *path, unsigned n, char const *indent);

#endif

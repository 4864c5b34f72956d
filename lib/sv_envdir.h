/* env/: each file K sets K to its whole first line (SPEC §1). */
#ifndef SV_ENVDIR_H
#define SV_ENVDIR_H

#include <stddef.h>

#include <skalibs/stralloc.h>

/* turns a file's first bytes (up to and maybe past its first newline) into
   the value in place: cut at the newline, NUL -> newline, trailing blanks
   cut; the value's length (buf[len] is set to 0: buf has len + 1 bytes) */
extern size_t sv_envdir_value(char *buf, size_t len);

/* reads fd up to its first newline or EOF, however long, into sa (not
   NUL-terminated): 1 ok, 0 error (errno) */
extern int sv_envdir_readline(int fd, stralloc *sa);

#endif

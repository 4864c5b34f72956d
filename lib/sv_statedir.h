/* A state directory (S/supervise, DIR/.svscan) and the files in it, made
   without ever following a symlink that someone else planted (SPEC §13):
   root writes here while a service's user may own the directory around it. */
#ifndef SV_STATEDIR_H
#define SV_STATEDIR_H

#include <stddef.h>

/* makes DIR (mode) if missing and opens it: the directory fd, or -1 (errno).
   DIR itself may be a symlink (s6 and runit allow supervise/ -> /run/...)
   only if root or we own the link: ELOOP for any other */
extern int sv_statedir_open(char const *dir, unsigned mode);

/* takes the fcntl write lock on DIRFD/lock (0600, so no other user can
   open it to hold a read lock), for the life of the process: 1 taken,
   0 another process of ours holds it, -1 error (errno).  A lock file that
   is not ours or not 0600 is replaced, never chmodded */
extern int sv_lock_take_at(int dirfd);

/* makes DIRFD/control a FIFO of mode 0600 and opens it to read, keeping a
   write end open so the read end never sees EOF: the read fd, or -1
   (errno; EEXIST: it is not a FIFO) */
extern int sv_control_listen_at(int dirfd);

/* creates DIRFD/NAME afresh (an old one is removed first) with exactly
   mode, whatever the umask, never through a symlink: fd, or -1 (errno) */
extern int sv_create_at(int dirfd, char const *name, unsigned mode);

/* replaces DIRFD/NAME with BUF through NAME.new and a rename, so a reader
   sees the old file or the new one; 0644 whatever the umask, never
   written through a symlink (SPEC §13): 1 ok, 0 error (errno; NAME.new
   removed) */
extern int sv_replace_at(int dirfd, char const *name, char const *buf, size_t n);

#endif

/* The control FIFO: one byte per command, s6-svc letters. */
#ifndef SV_CONTROL_H
#define SV_CONTROL_H

#include <stddef.h>

/* every byte supervise acts on; anything else is ignored */
#define SV_CONTROL_LETTERS "udorxpchaitkq12yb"

/* signal for a signal letter (p c h a i t k q 1 2 y b), 0 for others */
extern int sv_control_signal(char c);
/* writes s to STATEDIR/control: 1 sent, 0 no supervise listening, -1 error (errno) */
extern int sv_control_send(char const *statedir, char const *s, size_t n);

/* the listening side, for supervise and svscan: makes DIR/control a FIFO of
   mode 0600 and opens it to read, keeping a write end open so the read end
   never sees EOF: the read fd, or -1 (errno; EEXIST: it is not a FIFO) */
extern int sv_control_listen(char const *dir);
/* makes DIR (mode) and takes the fcntl write lock on DIR/lock, for the life
   of the process: 1 taken, 0 another process holds it, -1 error (errno) */
extern int sv_lock_take(char const *dir, unsigned mode);

/* is a supervise holding STATEDIR/lock: 1 yes, 0 no, -1 error (errno) */
extern int sv_supervised(char const *statedir);

#endif

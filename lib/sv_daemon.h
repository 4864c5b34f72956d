/* The skeleton every svkit daemon shares (supervise, svscan, and where
   they fit svlog and fdhold): the lock and control FIFO of its state
   directory, the control drain loop, the sibling program it starts, the
   signal state a child gets before exec.  Nothing here exits: each
   function says what failed and the daemon dies with its own message.
   Signals go through lib/sv_signals, deadlines through sv_deadline_g
   (lib/sv_clock: boot-clock ms to a tain, clamped to iopause's range). */
#ifndef SV_DAEMON_H
#define SV_DAEMON_H

#include <signal.h>
#include <stddef.h>

/* takes DIRFD/lock (held for the life of the process), then listens on
   DIRFD/control (sv_control_listen_at): 1 ok (*ctlfd set), 0 another
   process holds the lock, -1 error (errno; *what is "lock" or "control";
   EEXIST on "control": it exists and is not a FIFO) */
extern int sv_daemon_claim_at(int dirfd, int *ctlfd, char const **what);
/* the same for DIR, made with mode when absent */
extern int sv_daemon_claim(char const *dir, unsigned mode, int *ctlfd, char const **what);

/* reads the control FIFO fd until it is empty, handing each chunk read to
   handle: 0 drained, -1 read error (errno) */
extern int sv_daemon_drain(int fd, void (*handle)(char const *buf, size_t n));

/* BUF = the program NAME in the folder of the running binary (never one
   found in PATH), executable: 1 ok, 0 no such path (errno: ENAMETOOLONG,
   or EINVAL for an odd /proc/self/exe), -1 error (errno) */
extern int sv_daemon_sibling(char *buf, size_t len, char const *name);

/* in a child before exec: the signal mask becomes *blocked (empty when
   null) and every disposition the default, whatever whoever started the
   daemon ignored (a shell's & ignores INT and QUIT) */
extern void sv_daemon_child_signals(sigset_t const *blocked);

#endif

/* The skeleton every svkit daemon shares (supervise, svscan, and where
   they fit svlog and fdhold): the lock and control FIFO of its state
   directory, the control drain loop, the sibling program it starts, the
   signal state a child gets before exec.  Nothing here exits: each
   function says what failed and the daemon dies with its own message.
   Signals go through lib/sv_signals. */
#ifndef SV_DAEMON_H
#define SV_DAEMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

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
   or EINVAL for an odd path to self), -1 error (errno; BUF empty when the
   binary itself was not found).  The binary is /proc/self/exe, or without
   /proc argv0 (may be null) through realpath(3) when it has a slash */
extern int sv_daemon_sibling(char *buf, size_t len, char const *name, char const *argv0);

/* the longest single wait: iopause takes an int of ms (24.8 days); a
   later deadline is waited for in steps, each waking to look again */
#define SV_WAIT_STEP_MS 86400000u
/* sets *deadline (a skalibs tain on the stopwatch of tain_now_g) to
   boot-clock ms e, at most SV_WAIT_STEP_MS away; e = 0: no deadline */
struct tain_s;
extern void sv_deadline_g(struct tain_s *deadline, uint64_t e);

/* in a child before exec: the signal mask becomes *blocked (empty when
   null) and every disposition the default, whatever whoever started the
   daemon ignored (a shell's & ignores INT and QUIT) */
extern void sv_daemon_child_signals(sigset_t const *blocked);
/* in the parent, once its dispositions are final (it catches signals only
   through a signalfd, or resets them before exec itself): notes the ignored
   ones, so that sv_daemon_child_signals resets only those */
extern void sv_daemon_note_signals(void);

#endif

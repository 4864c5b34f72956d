/* svscan taking over a tree whose supervise processes outlived the svscan
   that started them (kill -9): finding them, watching them, and the log
   pipes they still hold.  See takeover.c and man/svscan.8. */
#ifndef SVSCAN_TAKEOVER_H
#define SVSCAN_TAKEOVER_H

#include <stdint.h>
#include <sys/types.h>

/* who holds STATEDIR/lock: its pid (a live process running as us), 0 when
   nobody does, -1 when someone we cannot name or trust does, -2 when the
   lock cannot be looked at now (EMFILE...: errno) */
extern pid_t tk_holder(char const *statedir);
/* a pollable fd that turns readable when pid exits, -1 if the kernel has
   none (then *start is its /proc start time, to recognise it later) */
extern int tk_watch(pid_t pid, uint64_t *start);
/* 1 when pid (start time start) has exited */
extern int tk_gone(pid_t pid, uint64_t start);
/* sig to pid through pidfd when there is one */
extern void tk_kill(pid_t pid, int pidfd, int sig);
/* reopens the log pipe of service NAME (NPROCS instances) that its live
   supervise processes still hold: the read end of NAME/log's supervise
   (stdin), else the write end of one of NAME's (stdout).  ours(pid) says
   which supervise processes are our own children: their pipe is not taken.
   1 found (*pr, *pw new close-on-exec blocking ends of that pipe), 0 none
   held, -1 error (errno) */
extern int tk_pipe(char const *name, unsigned nprocs, int (*ours)(pid_t), int *pr, int *pw);

#endif

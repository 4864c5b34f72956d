/* svscan as a machine's init (SPEC §11): see init.c */
#ifndef SVSCAN_INIT_H
#define SVSCAN_INIT_H

#define INIT_NONE 0
#define INIT_CONTAINER 1
#define INIT_MACHINE 2

extern int init_mode;
/* as PID 1: stage 1, and on a machine the keeper (returns in the scanner) */
extern void init_start(char const *dir);
/* in DIR: .svscan/init says machine or container, or is removed */
extern void init_mark(void);
/* 'P' 'R' 'H' from the control FIFO: 1 stop the tree for it, 0 refused */
extern int init_request(char k);
/* the order taken, or 0 */
extern char init_kind(void);
/* after the tree is down: returns only in a container */
extern void init_finish(void);

#endif

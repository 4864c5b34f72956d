/* svc's modules: core commands (svc.c), the tree verbs (tree.c), the shell. */
#ifndef SVC_H
#define SVC_H

#include <stdint.h>
#include <stdio.h>

typedef struct verb_s verb;
struct verb_s {
  char const *name;
  int minargs;
  char const *usage;
  int (*run)(int argc, char const *const *argv); /* args after the verb; exit code */
};

/* verbs that talk to svscan or read logs; ends with a zeroed entry */
extern verb const svc_tree_verbs[];

/* sends cmds to the named services, then waits for mode (0: none) at most timeout_ms */
extern int svc_command(char const *const *names, unsigned count, char const *cmds, char mode, uint64_t timeout_ms);
/* runs one verb line (argv[0] the verb); the exit code */
extern int svc_run_verb(int argc, char const *const *argv);
extern void svc_help(FILE *f);
/* the interactive shell: verbs from stdin until exit or end of input */
extern int svc_shell(void);
/* svc history [-n N] NAME... (history.c) */
extern int svc_history(int argc, char const *const *argv);
/* svc import [-n] [-d DIR] FILE... (import.c) */
extern int svc_import(int argc, char const *const *argv);

#endif

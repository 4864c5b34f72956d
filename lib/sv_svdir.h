/* Finding services: the scan directory, names, instances, state dirs. */
#ifndef SV_SVDIR_H
#define SV_SVDIR_H

#define SV_PATH_MAX 1024

typedef struct sv_target_s sv_target;
struct sv_target_s {
  char name[256];             /* as the user sees it: web, web@1, ./x, web/log */
  char svdir[SV_PATH_MAX];    /* the service directory */
  char statedir[SV_PATH_MAX]; /* svdir/supervise or svdir/supervise@i */
  int instance;               /* -1: not an instance */
};

/* $SVDIR, else the build's default (/etc/sv unless SVDIR_DEFAULT) */
extern char const *sv_scandir(void);
/* writes SVDIR/supervise or SVDIR/supervise@i into buf (SV_PATH_MAX) */
extern void sv_statedir(char *buf, char const *svdir, int instance);
/* number of instances conf asks for (1 when none or unreadable) */
extern unsigned sv_numprocs(char const *svdir);
/* expands ARG (path, NAME, NAME@i) into up to max targets: count, or -1
   with errno (ENAMETOOLONG, ENOENT for a missing directory, ERANGE for a bad @i) */
extern int sv_targets(char const *arg, sv_target *t, unsigned max);

#endif

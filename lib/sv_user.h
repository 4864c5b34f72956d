/* Users and groups for user= (supervise, its loggers) and fdhold -u.
   glibc's getpwnam and initgroups go through NSS, which a static binary
   cannot load: like the static tools of the daemontools family, svkit reads
   /etc/passwd and /etc/group itself.  Built with -DSV_USER_NSS (make
   DYNAMIC=1), sv_user_lookup and sv_user_become use NSS instead (LDAP,
   systemd-homed, ...); the file readers stay, for the unit tests. */
#ifndef SV_USER_H
#define SV_USER_H

#include <stddef.h>
#include <sys/types.h>

#define SV_PASSWD_FILE "/etc/passwd"
#define SV_GROUP_FILE "/etc/group"
/* a line longer than this is skipped whole, never cut into two */
#define SV_USER_LINE_MAX 65536
/* supplementary groups at most (more: sv_user_become fails with E2BIG) */
#define SV_USER_NGROUPS 1024

typedef struct sv_user_s sv_user;
struct sv_user_s {
  char name[256];
  uid_t uid;
  gid_t gid;
};

enum { SV_USER_OK, SV_USER_NOUSER, SV_USER_NOGROUP, SV_USER_ERROR };

/* NAME's uid and gid from a passwd-format file: 1 found, 0 not there,
   -1 error (errno); malformed lines are skipped, the first match wins */
extern int sv_passwd_find(char const *file, char const *name, uid_t *uid, gid_t *gid);
/* NAME's gid from a group-format file: 1 found, 0 not there, -1 error */
extern int sv_group_find(char const *file, char const *name, gid_t *gid);
/* getgrouplist from a group-format file: gid first, then each group that
   lists NAME as a member, once each; *n is the room in list, then the
   count.  0 ok, -1 error (errno; E2BIG: more groups than room) */
extern int sv_group_list(char const *file, char const *name, gid_t gid, gid_t *list, size_t *n);

/* "name" or "name:group" (user=): SV_USER_OK with u filled, SV_USER_NOUSER,
   SV_USER_NOGROUP (u->name holds the user), SV_USER_ERROR (errno) */
extern int sv_user_lookup(char const *spec, sv_user *u);
/* becomes u: gid, supplementary groups, uid.  0 ok, -1 error (errno) */
extern int sv_user_become(sv_user const *u);

#endif

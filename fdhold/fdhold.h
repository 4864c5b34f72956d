/* fdhold: private header shared by the files of the fdhold program only. */
#ifndef FDHOLD_H
#define FDHOLD_H

#include <stddef.h>

/*
 * Wire protocol (UNIX stream socket, one request per connection).
 *
 *   request  := CMD ID "\n" [ "F" ]
 *     CMD 'S' store   ID, the fd rides on the trailing "F" byte (SCM_RIGHTS)
 *         'R' retrieve ID
 *         'T' take: retrieve ID and delete it once it has been sent
 *         'D' delete ID
 *         'L' list (ID empty)
 *   response := "+\n" [ "F" with the fd | ID "\n" ... ]  then EOF
 *             | "-" CODE "\n"  then EOF
 *     CODE is one of the FDHOLD_E* words below.
 */
#define FDHOLD_IDMAX 255
/* the longest valid request: 'S' + 255 bytes + '\n' + 'F' */
#define FDHOLD_REQMAX (FDHOLD_IDMAX + 3)

#define FDHOLD_ENOENT "noent"     /* no such identifier */
#define FDHOLD_EEXIST "exist"     /* store over an existing identifier */
#define FDHOLD_EFULL "full"       /* the holder holds its maximum of fds */
#define FDHOLD_EPERM "perm"       /* peer uid not allowed */
#define FDHOLD_EBADID "badid"     /* empty id or a control character */
#define FDHOLD_ETOOLONG "toolong" /* id longer than FDHOLD_IDMAX */
#define FDHOLD_EPROTO "proto"     /* malformed or truncated request */
#define FDHOLD_ETIMEOUT "timeout" /* request not complete in time */

/* proto.c: 1 if s (len bytes) is a valid identifier, else 0 */
extern int fdhold_idcheck(char const *s, size_t len);

typedef struct fdhold_req_s fdhold_req;
struct fdhold_req_s {
  char cmd;          /* S R T D L */
  char const *id;    /* inside the decoded buffer, idlen bytes (0 for L) */
  size_t idlen;
  char const *code;  /* refused: the FDHOLD_E* word to answer */
  char const *why;   /* refused: what to log */
};
/* proto.c: decodes the len bytes a client sent (passed: an fd came with
 * them): 0 incomplete, wait for more; 1 a valid request in r; -1 refused,
 * r->code and r->why say why.  Reads buf only, never past len. */
extern int fdhold_decode(char const *buf, size_t len, int passed, fdhold_req *r);

extern int fdhold_daemon(int argc, char const *const *argv);
extern int fdhold_store(int argc, char const *const *argv);
extern int fdhold_retrieve(int argc, char const *const *argv);
extern int fdhold_list(int argc, char const *const *argv);
extern int fdhold_delete(int argc, char const *const *argv);
extern int fdhold_listen(int argc, char const *const *argv);

#define FDHOLD_USAGE                                                          \
  "fdhold daemon [-u UID,...] [-n MAXFDS] [-c MAXCLIENTS] [-t MS] SOCKET"     \
  " | store SOCKET ID | retrieve [-D] SOCKET ID PROG..."                       \
  " | list SOCKET | delete SOCKET ID | listen SOCKET ID ADDRESS PROG..."

#endif

/* Unit tests of lib/sv_user.c: passwd and group files read without NSS,
   from temporary files: the first match, malformed lines skipped, lines
   longer than SV_USER_LINE_MAX skipped whole, numeric ids checked,
   supplementary groups as initgroups lists them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sv_user.h"

static int failures;
static char dir[] = "/tmp/svkit-unit-user.XXXXXX";
static char passwd[64], group[64];

static void verdict(char const *name, int good, char const *why)
{
  if (good)
    printf("ok user: %s\n", name);
  else {
    printf("FAIL user: %s: %s\n", name, why);
    failures++;
  }
}

/* NAME's lookup in passwd gives want ("UID GID", or "absent") */
static void pw(char const *name, char const *want, char const *why)
{
  uid_t u;
  gid_t g;
  char got[64], title[200];
  int r = sv_passwd_find(passwd, name, &u, &g);
  if (r > 0)
    snprintf(got, sizeof got, "%u %u", (unsigned)u, (unsigned)g);
  else
    snprintf(got, sizeof got, "%s", r ? strerror(errno) : "absent");
  snprintf(title, sizeof title, "passwd: %s", why);
  verdict(title, !strcmp(got, want), got);
}

static void gr(char const *name, char const *want, char const *why)
{
  gid_t g;
  char got[64], title[200];
  int r = sv_group_find(group, name, &g);
  if (r > 0)
    snprintf(got, sizeof got, "%u", (unsigned)g);
  else
    snprintf(got, sizeof got, "%s", r ? strerror(errno) : "absent");
  snprintf(title, sizeof title, "group: %s", why);
  verdict(title, !strcmp(got, want), got);
}

/* NAME's groups with base gid, room for max: want "g1 g2 ..." or the error */
static void list(char const *name, gid_t base, size_t max, char const *want, char const *why)
{
  gid_t l[16];
  size_t n = max;
  char got[200] = "", title[200];
  if (sv_group_list(group, name, base, l, &n) < 0)
    snprintf(got, sizeof got, "%s", strerror(errno));
  else
    for (size_t i = 0; i < n; i++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? " " : "", (unsigned)l[i]);
  snprintf(title, sizeof title, "grouplist: %s", why);
  verdict(title, !strcmp(got, want), got);
}

int main(void)
{
  static char longline[SV_USER_LINE_MAX + 200];
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 111;
  }
  snprintf(passwd, sizeof passwd, "%s/passwd", dir);
  snprintf(group, sizeof group, "%s/group", dir);

  /* a line over the limit whose tail is a valid entry for bob */
  memset(longline, 'y', SV_USER_LINE_MAX);
  strcpy(longline + SV_USER_LINE_MAX, "bob:x:666:666::/:/bin/sh\n");
  {
    FILE *f = fopen(passwd, "w");
    fputs("root:x:0:0:root:/root:/bin/bash\n\nshort:x:5\ntoomany:x:6:6:::/bin/sh:extra\n"
          "letters:x:1a:7::/:/bin/sh\nnegative:x:-1:7::/:/bin/sh\nhuge:x:4294967296:7::/:/bin/sh\n"
          "none:x:4294967295:7::/:/bin/sh\nmax:x:4294967294:7::/:/bin/sh\nbadgid:x:8::::\n"
          ":x:9:9::/:/bin/sh\n+nis::::::\nbo:x:11:11::/:/bin/sh\n",
          f);
    fputs(longline, f);
    fputs("bob:x:1000:100:Bob:/home/bob:/bin/sh\nbob:x:2000:200::/:/bin/sh\nlast:x:12:13::/:/bin/sh", f);
    if (fclose(f)) {
      perror(passwd);
      return 111;
    }
  }
  pw("root", "0 0", "root");
  pw("bob", "1000 100", "after a too-long line, whose tail is not taken for a line; the first of two");
  pw("bo", "11 11", "a name that is a prefix of another");
  pw("b", "absent", "a prefix of a name is not that name");
  pw("short", "absent", "too few fields: skipped");
  pw("toomany", "absent", "too many fields: skipped");
  pw("letters", "absent", "uid 1a: skipped");
  pw("negative", "absent", "uid -1: skipped");
  pw("huge", "absent", "uid over 32 bits: skipped");
  pw("none", "absent", "uid 4294967295 ((uid_t)-1): skipped");
  pw("max", "4294967294 7", "uid 4294967294");
  pw("badgid", "absent", "empty gid: skipped");
  pw("", "absent", "an empty name matches nothing");
  pw("+nis", "absent", "NIS compat line: skipped");
  pw("last", "12 13", "a last line without newline");
  {
    char missing[80];
    uid_t u;
    gid_t g;
    snprintf(missing, sizeof missing, "%s/nothere", dir);
    errno = 0;
    verdict("passwd: a missing file is an error (ENOENT)",
            sv_passwd_find(missing, "root", &u, &g) < 0 && errno == ENOENT, strerror(errno));
  }

  {
    /* bob in a group whose member list is long (but within the limit) */
    static char members[20000];
    FILE *f = fopen(group, "w");
    strcpy(longline + SV_USER_LINE_MAX, "ghost:x:666:bob\n");
    for (size_t i = 0; i + 8 < sizeof members - 10; i += 8)
      memcpy(members + i, "user000,", 8);
    strcpy(members + strlen(members), "bob");
    fprintf(f,
            "root:x:0:\nwheel:x:10:alice,bob,carol\nbobby:x:20:bobby\nnotbob:x:21:bo,bobb,xbob\n"
            "bad:x:zz:bob\nshort:x:22\nstaff:x:50:bob\nagain:x:10:bob\nbig:x:30:%s\nusers:x:100:\n%s"
            "late:x:40:bob",
            members, longline);
    if (fclose(f)) {
      perror(group);
      return 111;
    }
  }
  gr("wheel", "10", "wheel");
  gr("users", "100", "a group with no members");
  gr("bad", "absent", "gid zz: skipped");
  gr("short", "absent", "three fields: skipped");
  gr("ghost", "absent", "a too-long line's tail is not taken for a group");
  list("bob", 100, 16, "100 10 50 30 40", "base gid first, each member group once, a long member list, the last line");
  list("bob", 10, 16, "10 50 30 40", "base gid not repeated when bob is listed in it");
  list("alice", 1000, 16, "1000 10", "alice");
  list("nobody", 65534, 16, "65534", "no member groups: the base gid alone");
  list("bob", 100, 3, "Argument list too long", "more groups than room: E2BIG");

  {
    sv_user u;
    int r = sv_user_lookup("root", &u);
    verdict("lookup: root from the system's files is uid 0", r == SV_USER_OK && !u.uid && !strcmp(u.name, "root"),
            u.name);
    r = sv_user_lookup("root:root", &u);
    verdict("lookup: root:root gives gid 0", r == SV_USER_OK && !u.gid, u.name);
    r = sv_user_lookup("svkit-no-such-user-xyz", &u);
    verdict("lookup: an unknown user", r == SV_USER_NOUSER, u.name);
    r = sv_user_lookup("root:svkit-no-such-group", &u);
    verdict("lookup: an unknown group", r == SV_USER_NOGROUP, u.name);
  }

  unlink(passwd);
  unlink(group);
  rmdir(dir);
  return failures ? 1 : 0;
}

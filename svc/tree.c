/* Verbs that speak to svscan through SCANDIR/.svscan/control:
   'a' rescan (reload), 'q' stop every service and exit (quit). */

#include <stdio.h>

#include <skalibs/strerr.h>

#include "sv_control.h"
#include "sv_svdir.h"
#include "svc.h"

static int tell_svscan(char const *cmd, char const *done)
{
  char dir[SV_PATH_MAX];
  int r;
  snprintf(dir, sizeof dir, "%s/.svscan", sv_scandir());
  r = sv_control_send(dir, cmd, 1);
  if (r < 0) strerr_diefusys(111, "control svscan in ", sv_scandir());
  if (!r) {
    strerr_warnwu("control svscan in ", sv_scandir(), ": svscan not running");
    return 111;
  }
  printf("%s\n", done);
  return fflush(stdout) ? 111 : 0;
}

static int v_reload(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_svscan("a", "svscan: rescanning");
}

static int v_quit(int argc, char const *const *argv)
{
  (void)argc, (void)argv;
  return tell_svscan("q", "svscan: stopping every service");
}

verb const svc_tree_verbs[] = {
  { "reload", 0, "reload", &v_reload },
  { "quit", 0, "quit", &v_quit },
  { 0, 0, 0, 0 }
};

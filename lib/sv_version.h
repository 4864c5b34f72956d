/* The release every program reports: -V or --version. */
#ifndef SV_VERSION_H
#define SV_VERSION_H

/* "0.11.0": the VERSION file, given by the Makefile */
extern char const sv_version[];
/* argv[1] is -V or --version: prints "PROG (svkit) VERSION" on stdout,
   exits 0 (111 if stdout fails); otherwise returns */
extern void sv_version_option(int argc, char const *const *argv);

#endif

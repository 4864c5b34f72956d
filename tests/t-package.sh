#!/usr/bin/env bash
# The build as a packager uses it: install into a DESTDIR, uninstall,
# install-strip, --version, CFLAGS/CPPFLAGS/LDFLAGS from the command line and
# the environment, and no apt-get run by make or make install.
. "$(dirname "$0")/lib.sh"

# a make of our tree, with nothing of an outer make (make check) leaking in
B=${SVBIN%/bin}
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$SVTOP" "$@"; }
version=$(cat "$SVTOP/VERSION")
progs="supervise svc svstat svscan svlog fdhold"

# an apt-get (and apt) on PATH that only records that it was called
mkdir -p "$T/stub"
for a in apt-get apt; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/apt-calls"\nexit 0\n' "$a" "$T" > "$T/stub/$a"
  chmod +x "$T/stub/$a"
done
stubpath="$T/stub:$PATH"

# --- --version and -V
for p in $progs; do
  out=$("$SVBIN/$p" --version 2>&1); rc=$?
  expect_eq "version-$p" "$rc:$out" "0:$p (svkit) $version"
done
out=$("$SVBIN/svlog" -V 2>&1)
expect_eq version-short-option "$out" "svlog (svkit) $version"

# --- make install DESTDIR= PREFIX=: exactly the binaries and man pages
root=$T/root
PATH=$stubpath mk B="$B" install DESTDIR="$root" PREFIX=/usr > "$T/install.log" 2>&1
check install-exit [ $? = 0 ]
want=$( { for p in $progs; do echo "/usr/bin/$p 755"; done
          for m in "$SVTOP"/man/*.[1-8]; do echo "/usr/share/man/man${m##*.}/${m##*/} 644"; done; } | sort)
got=$(cd "$root" && find . -type f -printf '/%P %m\n' | sort)
expect_eq install-tree "$got" "$want"
out=$("$root/usr/bin/svstat" --version)
expect_eq installed-version "$out" "svstat (svkit) $version"

# --- uninstall removes every file install put there
PATH=$stubpath mk B="$B" uninstall DESTDIR="$root" PREFIX=/usr > "$T/uninstall.log" 2>&1
check uninstall-exit [ $? = 0 ]
left=$(cd "$root" && find . ! -type d)
expect_eq uninstall-leaves-nothing "$left" ""

# --- install-strip: no symbol table left, and the program still runs
PATH=$stubpath mk B="$B" install-strip DESTDIR="$T/sroot" PREFIX=/usr > "$T/strip.log" 2>&1
check install-strip-exit [ $? = 0 ]
if have readelf; then
  syms=$(readelf -S "$T/sroot/usr/bin/supervise" | grep -c '\.symtab')
  expect_eq install-strip-no-symtab "$syms" 0
else
  skip install-strip-no-symtab: readelf not installed \(apt-get install binutils\)
fi
out=$("$T/sroot/usr/bin/supervise" -V)
expect_eq install-strip-runs "$out" "supervise (svkit) $version"

# --- user flags add to svkit's own: a -D in CPPFLAGS and CFLAGS reaches the
# compile beside -Wall and -D_GNU_SOURCE; LDFLAGS/LDLIBS reach the link
nb=$T/nb
out=$(mk -n -B B="$nb" CPPFLAGS=-DPKG_CPP_MARK CFLAGS='-O1 -DPKG_C_MARK' "$nb/obj/lib/sv_str.o" 2>&1)
expect_match flags-cmdline-compile "$out" '-D_GNU_SOURCE .*-DPKG_CPP_MARK .*-Wall .*-DPKG_C_MARK'
out=$(CPPFLAGS=-DPKG_ENV_MARK CFLAGS=-DPKG_ENVC_MARK mk -n -B B="$nb" "$nb/obj/lib/sv_str.o" 2>&1)
expect_match flags-environment-compile "$out" '-Wall .*-DPKG_ENVC_MARK'
expect_match flags-environment-cppflags "$out" '-DPKG_ENV_MARK'
out=$(mk -n -B B="$nb" LDFLAGS=-Wl,-z,pkgmark LDLIBS=-lpkgmark "$nb/bin/svstat" 2>&1 | grep -- '-o [^ ]*/bin/svstat')
expect_match flags-cmdline-link "$out" '-Wl,-z,pkgmark .*-lskarnet -lpkgmark'
out=$(mk -n -B B="$nb" SKALIBS_INCLUDE=/opt/sk/include SKALIBS_LIB=/opt/sk/lib "$nb/bin/svstat" 2>&1)
expect_match skalibs-include-dir "$out" '-I/opt/sk/include'
expect_match skalibs-lib-dir "$out" '-L/opt/sk/lib .*-o [^ ]*/bin/svstat'
out=$(mk -n -B B="$nb" CROSS=pkgmark-linux-gnu- "$nb/obj/lib/sv_str.o" 2>&1)
expect_match cross-compiler "$out" '^pkgmark-linux-gnu-gcc '
out=$(mk -n -B B="$nb" SVDIR_DEFAULT=/etc/pkgmark "$nb/obj/lib/sv_svdir.o" 2>&1)
expect_match svdir-default "$out" "-DSV_SVDIR_DEFAULT='\"/etc/pkgmark\"'"

# --- no apt-get from make: skalibs "missing" (a compiler that finds nothing)
# is a one-line error with the command to run, as root too
# (it answers -dumpmachine as an arm64 cross compiler would)
printf '#!/bin/sh\n[ "$1" = -dumpmachine ] && echo aarch64-linux-gnu\nexit 1\n' > "$T/stub/nocc"
chmod +x "$T/stub/nocc"
out=$(PATH=$stubpath mk B="$nb" CC="$T/stub/nocc" all 2>&1); rc=$?
check deps-missing-fails [ "$rc" != 0 ]
expect_match deps-missing-says-how "$out" "svkit: fatal: skalibs headers not found by .*nocc: run 'apt-get install -y skalibs-dev'"
out=$(PATH=$stubpath mk B="$nb" CC="$T/stub/nocc" CROSS=aarch64-linux-gnu- deps 2>&1)
expect_match deps-missing-cross-names-arch "$out" "apt-get install -y skalibs-dev:arm64"
out=$(PATH=$stubpath mk B="$nb" CC="$T/stub/nocc" MUSL=1 deps 2>&1)
expect_match deps-missing-musl-says-how "$out" "svkit: fatal: no skalibs built for musl: run 'package/musl-build'"
calls=$(cat "$T/apt-calls" 2>/dev/null)
expect_eq make-never-runs-apt "$calls" ""

# the stub itself works: without it this test could not fail
PATH=$stubpath apt-get probe
expect_eq apt-stub-records "$(cat "$T/apt-calls" 2>/dev/null)" "apt-get probe"

# svkit — build, test, install.  `make`, `make check`, `make demo`, `make install`.
# Every program folder's *.c files link into one binary; lib/ is shared by all.
#
# Packagers (Buildroot, Yocto, Debian): CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS
# given on the command line or in the environment add to svkit's own flags
# (SV_*), they never replace them.  SKALIBS_INCLUDE / SKALIBS_LIB point at a
# skalibs that is not in the compiler's default paths.  `make` and
# `make install` never install anything with apt (only demo and check offer to).

VERSION := $(shell cat VERSION)

# CROSS=aarch64-linux-gnu- picks that toolchain and its own build directory
# (build-aarch64); MUSL=1 a static build with musl-gcc against the skalibs
# that package/musl-build makes in build-musl/skalibs.
CROSS   ?=
ifeq ($(MUSL),1)
ifeq ($(origin CC),default)
CC      := musl-gcc
endif
B       ?= build-musl
SKALIBS_INCLUDE ?= $(B)/skalibs/include
SKALIBS_LIB     ?= $(B)/skalibs/lib
# musl-gcc sees no kernel headers: package/musl-build links them here
SV_CPPFLAGS_MUSL := -isystem $(B)/kernel-headers
SV_LDFLAGS_MUSL  := -static
else ifneq ($(CROSS),)
ifeq ($(origin CC),default)
CC      := $(CROSS)gcc
endif
B       ?= build-$(firstword $(subst -, ,$(CROSS)))
endif
ifeq ($(origin AR),default)
AR      := $(CROSS)ar
endif
STRIP   ?= $(CROSS)strip

# (-O1 under SAN=1, as sanitizer builds usually are)
CFLAGS  ?= $(if $(filter 1,$(SAN)),-O1 -g,-O2 -g)
CPPFLAGS ?=
LDFLAGS ?=
LDLIBS  ?=
SKALIBS_INCLUDE ?=
SKALIBS_LIB ?=
# the scan directory svscan and svc use when neither an argument nor $SVDIR says
SVDIR_DEFAULT ?= /etc/sv

# svkit's own flags: whatever the user gives comes after them
SV_CPPFLAGS := -D_GNU_SOURCE -Ilib $(if $(SKALIBS_INCLUDE),-I$(SKALIBS_INCLUDE)) $(SV_CPPFLAGS_MUSL)
SV_CFLAGS   := -std=c99 -Wall -Wextra -MMD -MP
SV_LDFLAGS  := $(if $(SKALIBS_LIB),-L$(SKALIBS_LIB)) $(SV_LDFLAGS_MUSL)
SV_LDLIBS   := -lskarnet

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

# `make SAN=1 check` builds and tests with ASan+UBSan in a separate tree.
ifeq ($(SAN),1)
B       ?= build-san
SV_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SV_LDFLAGS += -fsanitize=address,undefined
else
B       ?= build
endif
ifeq ($(STATIC),1)
SV_LDFLAGS += -static
endif
# The six programs link statically: an idle supervise then carries no private
# pages of the dynamic link (issue 14).  `make DYNAMIC=1` links them
# dynamically and looks users up through NSS (getpwnam, initgroups); SAN=1
# links dynamically and keeps the /etc/passwd reader.  Test helpers always
# link dynamically; so do the copies in $(B)/tests/dyn/ (SVDYN), for tests
# that run our binaries under an LD_PRELOAD (faketime).
PROG_LDFLAGS ?= -static
ifeq ($(SAN),1)
PROG_LDFLAGS :=
endif
ifeq ($(DYNAMIC),1)
PROG_LDFLAGS :=
SV_CPPFLAGS += -DSV_USER_NSS
endif

# program name:folder
PROGS_ALL := supervise:supervise svc:svc svstat:svstat svscan:svscan svlog:logger fdhold:fdhold
progdir    = $(word 2,$(subst :, ,$(1)))
progname   = $(word 1,$(subst :, ,$(1)))
# only folders that already hold code
PROGS     := $(foreach p,$(PROGS_ALL),$(if $(wildcard $(call progdir,$(p))/*.c),$(p)))
BINS      := $(foreach p,$(PROGS),$(B)/bin/$(call progname,$(p)))
# (none with MUSL=1: its skalibs is static only)
DYNBINS   := $(if $(filter 1,$(MUSL)),,$(foreach p,$(PROGS),$(B)/tests/dyn/$(call progname,$(p))))

LIB_SRC   := $(wildcard lib/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
HELPERS   := $(patsubst tests/helpers/%.c,$(B)/tests/%,$(wildcard tests/helpers/*.c))
UNITS     := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/*.c))

all: deps $(BINS)

# never installs: prints the apt-get command (demo and check pass --install)
deps:
	@CC="$(CC)" CROSS="$(CROSS)" MUSL="$(MUSL)" sh package/check-deps $(SV_CPPFLAGS) $(CPPFLAGS)

COMPILE = $(CC) $(SV_CPPFLAGS) $(CPPFLAGS) $(SV_CFLAGS) $(CFLAGS)
LINK    = $(CC) $(CFLAGS) $(SV_LDFLAGS) $(LDFLAGS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(COMPILE) -c -o $@ $<

# the version and the default scan directory are compiled into two objects:
# $(B)/config changes (and they are rebuilt) when either value does
BUILD_CONFIG := $(VERSION) $(SVDIR_DEFAULT)
$(shell mkdir -p $(B) && [ "$$(cat $(B)/config 2>/dev/null)" = '$(BUILD_CONFIG)' ] || echo '$(BUILD_CONFIG)' > $(B)/config)
$(B)/obj/lib/sv_version.o: $(B)/config
$(B)/obj/lib/sv_version.o: SV_CPPFLAGS += -DSV_VERSION='"$(VERSION)"'
$(B)/obj/lib/sv_svdir.o: $(B)/config
$(B)/obj/lib/sv_svdir.o: SV_CPPFLAGS += -DSV_SVDIR_DEFAULT='"$(SVDIR_DEFAULT)"'

$(B)/libsv.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# a program's objects in link order: the ones named in HOT_<prog> first.
# Link order is the order of the zero-initialised data (.bss): the state a
# quiet supervise writes (its names, status record, conf, timers) then
# shares a few pages instead of sitting one per page between the big
# buffers that only some services use (depends=, notify=, command=, stdout=)
HOT_supervise := machine cgroup health watchdog schedule supervise
prog_objs = $(patsubst %.c,$(B)/obj/%.o,$(foreach h,$(HOT_$(call progname,$(1))),$(call progdir,$(1))/$(h).c) \
  $(filter-out $(foreach h,$(HOT_$(call progname,$(1))),$(call progdir,$(1))/$(h).c),$(sort $(wildcard $(call progdir,$(1))/*.c))))

define prog_rule
$(B)/bin/$(call progname,$(1)): $(call prog_objs,$(1)) $(B)/libsv.a
	@mkdir -p $$(dir $$@)
	$$(LINK) $$(PROG_LDFLAGS) -o $$@ $$^ $$(SV_LDLIBS) $$(LDLIBS)
$(B)/tests/dyn/$(call progname,$(1)): $(call prog_objs,$(1)) $(B)/libsv.a
	@mkdir -p $$(dir $$@)
	$$(filter-out -static,$$(LINK)) -o $$@ $$^ $$(SV_LDLIBS) $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(B)/tests/%: $(B)/obj/tests/helpers/%.o $(B)/libsv.a
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(SV_LDLIBS) $(LDLIBS)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(B)/libsv.a
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(SV_LDLIBS) $(LDLIBS)

tests: all $(HELPERS) $(UNITS) $(DYNBINS)

# demo and check may install what is missing (as root, with apt-get); the
# build itself runs in a second make so that it sees what was installed
check:
	@CC="$(CC)" CROSS="$(CROSS)" MUSL="$(MUSL)" sh package/check-deps --install $(SV_CPPFLAGS) $(CPPFLAGS)
	@$(MAKE) --no-print-directory tests
	@sh package/check-test-deps --install
	@bash tests/run $(B)

demo:
	@CC="$(CC)" CROSS="$(CROSS)" MUSL="$(MUSL)" sh package/check-deps --install $(SV_CPPFLAGS) $(CPPFLAGS)
	@$(MAKE) --no-print-directory all
	@bash examples/demo.sh $(B)/bin

MANS := $(wildcard man/*.[1-8])
INSTALLED := $(foreach p,$(PROGS),$(DESTDIR)$(BINDIR)/$(call progname,$(p))) \
  $(foreach m,$(MANS),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))

install: all
	@for m in $(MANS); do d=$(DESTDIR)$(MANDIR)/man$${m##*.}; mkdir -p $$d || exit 1; \
	  echo "install -m 644 $$m $$d/"; install -m 644 $$m $$d/ || exit 1; done
	mkdir -p $(DESTDIR)$(BINDIR)
	for b in $(BINS); do install -m 755 $$b $(DESTDIR)$(BINDIR)/ || exit 1; done

# as install, with the symbols stripped by the target's strip ($(CROSS)strip)
install-strip: install
	for p in $(foreach p,$(PROGS),$(DESTDIR)$(BINDIR)/$(call progname,$(p))); do $(STRIP) $$p || exit 1; done

# removes exactly what install put there (the directories stay: they may be shared)
uninstall:
	rm -f $(INSTALLED)

# a Debian package of this tree, built in build-deb/ (dpkg-buildpackage,
# debhelper): build-deb/svkit_$(VERSION)_ARCH.deb
deb:
	@sh package/deb-build

format:
	clang-format -i lib/*.[ch] */*.c tests/*/*.c

# lists the files `make format` would change, and lines over the column
# limit; changes nothing.  Exit 1 if there is anything to list.
format-check:
	@lim=$$(sed -n 's/^ColumnLimit: *//p' .clang-format); lim=$${lim:-80}; bad=0; \
	for f in lib/*.[ch] */*.c tests/*/*.c; do \
	  clang-format "$$f" | cmp -s - "$$f" || { echo "$$f: clang-format would change it"; bad=1; }; \
	  awk -v l=$$lim -v f="$$f" 'length($$0) > l { print f ":" FNR ": " length($$0) " columns"; b=1 } END { exit b }' "$$f" || bad=1; \
	done; exit $$bad

# `make boot-test`: svscan as PID 1 of Debian's kernel in qemu (tests/boot/run),
# with static binaries built apart in build/static
boot-test:
	@$(MAKE) --no-print-directory STATIC=1 B=build/static all
	@bash tests/boot/run build/static/bin

# `make fuzz`: every tests/fuzz/fuzz_*.c under libFuzzer, FUZZ_SECONDS each
FUZZ_SECONDS ?= 30
fuzz:
	@bash tests/fuzz/run $(FUZZ_SECONDS)

# `make soak`: 10,000 restarts of a crash loop with a logger under svscan
# (about 4 min; not in `make check`): fds, RSS and zombies stay flat
soak: tests
	@bash tests/soak/run $(B)

# `make valgrind`: start/stop/restart, a log rotation and rescans with
# supervise, svscan and svlog under memcheck, at N and 10N iterations
valgrind: tests
	@sh package/check-valgrind --install
	@bash tests/valgrind/run $(B)

# every build tree: build, build-san, build-fuzz, build-aarch64, build-musl, build-deb...
clean:
	rm -rf build build-*

.PHONY: soak valgrind boot-test fuzz all deps tests check demo install install-strip uninstall deb format format-check clean
.SECONDARY:
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

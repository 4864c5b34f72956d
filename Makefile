# svkit — build, test, install.  `make`, `make check`, `make demo`, `make install`.
# Every program folder's *.c files link into one binary; lib/ is shared by all.

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c99 -D_GNU_SOURCE -Wall -Wextra -Ilib -MMD -MP
LDLIBS  += -lskarnet
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

# `make SAN=1 check` builds and tests with ASan+UBSan in a separate tree.
ifeq ($(SAN),1)
B       ?= build-san
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
B       ?= build
endif
ifeq ($(STATIC),1)
LDFLAGS += -static
endif

# program name:folder
PROGS_ALL := supervise:supervise svc:svc svstat:svstat svscan:svscan svlog:logger fdhold:fdhold
progdir    = $(word 2,$(subst :, ,$(1)))
progname   = $(word 1,$(subst :, ,$(1)))
# only folders that already hold code
PROGS     := $(foreach p,$(PROGS_ALL),$(if $(wildcard $(call progdir,$(p))/*.c),$(p)))
BINS      := $(foreach p,$(PROGS),$(B)/bin/$(call progname,$(p)))

LIB_SRC   := $(wildcard lib/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
HELPERS   := $(patsubst tests/helpers/%.c,$(B)/tests/%,$(wildcard tests/helpers/*.c))
UNITS     := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/*.c))

all: deps $(BINS)

deps:
	@sh package/check-deps

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libsv.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

define prog_rule
$(B)/bin/$(call progname,$(1)): $(patsubst %.c,$(B)/obj/%.o,$(wildcard $(call progdir,$(1))/*.c)) $(B)/libsv.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(B)/tests/%: $(B)/obj/tests/helpers/%.o $(B)/libsv.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(B)/libsv.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: all $(HELPERS) $(UNITS)

check: tests
	@sh package/check-test-deps
	@bash tests/run $(B)

demo: all
	@bash examples/demo.sh $(B)/bin

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	for b in $(BINS); do install -m 755 $$b $(DESTDIR)$(BINDIR)/; done
	for m in man/*.5; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/ || :; done
	for m in man/*.7; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/ || :; done
	for m in man/*.8; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/ || :; done

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

# `make fuzz`: every tests/fuzz/fuzz_*.c under libFuzzer, FUZZ_SECONDS each
FUZZ_SECONDS ?= 30
fuzz:
	@bash tests/fuzz/run $(FUZZ_SECONDS)

clean:
	rm -rf build build-san build-fuzz

.PHONY: fuzz all deps tests check demo install format format-check clean
.SECONDARY:
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

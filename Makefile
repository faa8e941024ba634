# crm: customer classification management in the Unix-filter style.
# make, make check, make install (PREFIX, DESTDIR), make bench, make demo.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
WERROR ?= -Werror
# override: the standard and the warnings survive `make CFLAGS=...`.
override CFLAGS += -std=c17 -Wall -Wextra -Wpedantic $(WERROR) -D_DEFAULT_SOURCE -Ilib
LDLIBS = -lsqlite3 -lcsv -ljansson -lpcre2-8 -lxlsxwriter -lzip -lexpat -lm

# Objects and programs go to $(B); `make B=build-san SAN=1` builds with ASan and UBSan.
B ?= build
ifeq ($(SAN),1)
override CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif
# `make B=build-fuzz FUZZ=1 build-fuzz/fuzz-expr`: clang's libFuzzer, with ASan and UBSan.
ifeq ($(FUZZ),1)
CC = clang
override CFLAGS += -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

COMMANDS = crm-add crm-export crm-segment crm-tag crm-score crm-note crm-rm crm-profile
# lib/ in layers, lowest first: base records store expr domain import (lib/README).
LIB_LAYERS = base records store expr domain import
LIB_SRC = $(wildcard $(LIB_LAYERS:%=lib/%/*.c))
LIB_HDR = lib/crm.h $(wildcard $(LIB_LAYERS:%=lib/%/*.h))
LIB_OBJ = $(LIB_SRC:lib/%.c=$(B)/lib/%.o) $(B)/lib/store/migrations.o
CLI_OBJ = $(B)/cmd/cli.o $(B)/cmd/select.o
UNIT_SRC = $(wildcard tests/unit/*.c)
MIGRATIONS = $(sort $(wildcard lib/store/migrations/*.sql))
MANPAGES = $(wildcard man/*.[157])

all: $(B)/crm $(COMMANDS:%=$(B)/%) $(B)/crm-gen

$(B)/lib $(B)/cmd $(B)/tests $(B)/bench:
	mkdir -p $@

$(B)/lib/store/migrations.c: $(MIGRATIONS) lib/store/embed-sql.sh
	@mkdir -p $(@D)
	lib/store/embed-sql.sh $(MIGRATIONS) > $@

$(B)/lib/store/migrations.o: $(B)/lib/store/migrations.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/lib/%.o: lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Made anew: a member whose source went would stay in an archive updated in place.
$(B)/libcrm.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/cmd/%.o: cmd/%.c cmd/cli.h cmd/select.h lib/crm.h | $(B)/cmd
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/crm-%: $(B)/cmd/crm-%.o $(CLI_OBJ) $(B)/libcrm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# crm runs the others; it needs cli.o (options, messages), not select.o.
$(B)/crm: $(B)/cmd/crm.o $(B)/cmd/cli.o $(B)/libcrm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/crm-gen: bench/crm-gen.c | $(B)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/test-unit: $(UNIT_SRC) tests/unit/tap.h $(B)/libcrm.a | $(B)/tests
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $(UNIT_SRC) $(B)/libcrm.a $(LDLIBS)

$(B)/test-records: tests/records.c $(B)/libcrm.a | $(B)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ tests/records.c $(B)/libcrm.a $(LDLIBS)

FUZZ_TARGETS = expr records model normalize xlsx
$(B)/fuzz-%: tests/fuzz/%.c $(B)/libcrm.a | $(B)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcrm.a $(LDLIBS)

TEST_PROGRAMS = $(B)/test-unit $(B)/test-records

# Every test, on the plain build and on the ASan+UBSan build; the last line
# counts them all.
check: all $(TEST_PROGRAMS)
	$(MAKE) B=build-san SAN=1 all build-san/test-unit build-san/test-records
	$(MAKE) B=build-fuzz FUZZ=1 $(FUZZ_TARGETS:%=build-fuzz/fuzz-%)
	tests/run $(B) build-san

# A long fuzzing run: each target FUZZ_SECONDS (default 15 minutes, an hour
# and a quarter for the five), corpora kept in build-fuzz.
FUZZ_SECONDS ?= 900
fuzz:
	$(MAKE) B=build-fuzz FUZZ=1 $(FUZZ_TARGETS:%=build-fuzz/fuzz-%)
	tests/fuzz/run build-fuzz $(FUZZ_SECONDS)

# Crash safety: each of crm-add (an import), crm-tag --apply and crm-score
# killed CRASH_KILLS times (default 20: 60 kills) at random moments.
CRASH_KILLS ?= 20
crash: all
	tests/crash/run $(B) $(CRASH_KILLS) 20000 200000

# The nightly jobs and four writers at once for CONCURRENCY_SECONDS.
CONCURRENCY_SECONDS ?= 120
concurrency: all
	tests/concurrency/run $(B) $(CONCURRENCY_SECONDS) 20000

# Every test with each command under valgrind: no errors, no leaks (about
# half an hour on two cores; JOBS tests at a time).
valgrind: all $(TEST_PROGRAMS)
	tests/valgrind/run $(B)

# The plain build only: quicker while working.
check-fast: all $(TEST_PROGRAMS)
	tests/run $(B)

demo: all
	examples/demo.sh $(B)

bench: all
	bench/run.sh $(B)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	for c in crm $(COMMANDS); do install -m 755 $(B)/$$c $(DESTDIR)$(BINDIR)/$$c; done
	for m in $(MANPAGES); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -m 644 completions/crm.bash $(DESTDIR)$(BASHCOMPDIR)/crm
	for c in $(COMMANDS); do ln -sf crm $(DESTDIR)$(BASHCOMPDIR)/$$c; done
	install -m 644 completions/_crm $(DESTDIR)$(ZSHCOMPDIR)/_crm
	for c in crm $(COMMANDS); do install -m 644 completions/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; done

uninstall:
	for c in $(COMMANDS); do rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(BASHCOMPDIR)/$$c \
		$(DESTDIR)$(FISHCOMPDIR)/$$c.fish; done
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m#man/}; done
	rm -f $(DESTDIR)$(BINDIR)/crm $(DESTDIR)$(BASHCOMPDIR)/crm $(DESTDIR)$(ZSHCOMPDIR)/_crm \
		$(DESTDIR)$(FISHCOMPDIR)/crm.fish

lint-man:
	mandoc -Tlint -Wwarning $(MANPAGES)

clean:
	rm -rf build build-san build-fuzz build-vg

.PHONY: all check check-fast demo bench fuzz crash concurrency valgrind install uninstall lint-man clean
.SECONDARY:

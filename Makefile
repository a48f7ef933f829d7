# inetkit build. A plain Makefile: the tree is one library plus one command,
# sources are found by wildcard, so a new module needs no edit here.
#   make            build/inetkit (optimised)
#   make run        build and start every service on loopback (inetkit up)
#   make test       check-layers, ASan+UBSan build, unit tests (Check), e2e
#                   tests (pytest), the cluster test in namespaces (as root)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 20);
#                   make fuzz-merge, make fuzz-cov (docs/FUZZING.md)
#   make bench      side-by-side benchmarks against the peers
#   make install    binary, man pages, examples, systemd units under PREFIX
#                   (/usr/local) inside DESTDIR; make uninstall removes them
#   make man        the man pages (scdoc) in build/man
#   make deb        the Debian package in build/deb (dpkg-buildpackage)
#   make soak       every server under load and reloads, SOAK_MINUTES (60)
# Missing Debian packages are installed by scripts/deps.sh first.

SAN ?= 0
ifeq ($(SAN),1)
VARIANT := asan
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
BIN := build/asan/inetkit
else
VARIANT := rel
OPT := -O2 -g
BIN := build/inetkit
endif
OBJ := build/obj/$(VARIANT)

CC ?= cc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif
CFLAGS ?=
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Isrc -MMD -MP
LDLIBS := -lssl -lcrypto -lz -lbrotlienc -lzstd -lgumbo -lyaml -lxdp -lbpf \
	-lcrypt -lseccomp -lpthread

LIB_SRC := $(sort $(shell find src -name '*.c' -not -path 'src/cli/*'))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

# The XDP program of `serve dns --xdp` (bpf/dns_xdp.bpf.c), compiled for
# the kernel's BPF machine and embedded in the library as a byte array.
BPF_OBJ := build/bpf/dns_xdp.bpf.o
BPF_GEN := build/gen/dns_xdp_prog.c
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ)/%.o) $(OBJ)/$(BPF_GEN:.c=.o)
CLI_OBJ := $(CLI_SRC:%.c=$(OBJ)/%.o)
LIB := $(OBJ)/libinetkit.a
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/$(VARIANT)-tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=build/$(VARIANT)-tools/%)

.PHONY: all run test unit unit-bins tools e2e cluster fuzz fuzz-merge fuzz-cov bench soak clean deps deps-test \
	check-layers man install uninstall deb
# Objects built through pattern chains are kept, not deleted as temporary.
.SECONDARY:
all: deps $(BIN)

deps:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test

# The commit of `inetkit version --verbose`, rewritten only when it
# changed (a tree without git, as the Debian build's copy, reads COMMIT).
COMMIT ?= $(shell cat COMMIT 2>/dev/null || { git rev-parse --short=12 HEAD \
	2>/dev/null && git diff --quiet HEAD 2>/dev/null || echo -dirty; } | \
	tr -d '\n' || echo unknown)
VERSION_C := $(OBJ)/version.c
.PHONY: FORCE
$(VERSION_C): FORCE
	@mkdir -p $(dir $@)
	@printf 'const char inetkit_commit[] = "%s";\nconst char inetkit_variant[] = "%s";\n' \
		'$(or $(COMMIT),unknown)' '$(VARIANT)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BIN): $(CLI_OBJ) $(LIB) $(VERSION_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(VERSION_C) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BPF_OBJ): bpf/dns_xdp.bpf.c
	@mkdir -p $(dir $@)
	clang -O2 -g -target bpf -Wall -I/usr/include/$(shell $(CC) -dumpmachine) \
		-c -o $@ $<

$(BPF_GEN): $(BPF_OBJ)
	@mkdir -p $(dir $@)
	{ echo 'const unsigned char dns_xdp_prog[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const unsigned long dns_xdp_prog_len = sizeof dns_xdp_prog;'; \
	} > $@.tmp && mv $@.tmp $@

build/$(VARIANT)-tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) -lcheck -lsubunit -lm -lrt $(LDLIBS)

unit-bins: $(UNIT_BIN)

# Test drivers that e2e tests run beside the command (tests/tools/NAME.c).
build/$(VARIANT)-tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

tools: $(TOOL_BIN)

run: all
	$(BIN) up

# The one rule of dependencies (docs/ARCHITECTURE.md): no include points up.
check-layers:
	@scripts/check-layers.sh src

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test: deps-test check-layers
	@$(MAKE) --no-print-directory build/inetkit
	@$(MAKE) --no-print-directory SAN=1 build/asan/inetkit unit-bins
	@$(MAKE) --no-print-directory SAN=1 unit
	@$(MAKE) --no-print-directory SAN=1 e2e
	@$(MAKE) --no-print-directory SAN=1 cluster

export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

unit: unit-bins
	@scripts/run-unit.sh $(UNIT_BIN)

e2e: $(BIN) tools
	INETKIT=$(abspath $(BIN)) INETKIT_TOOLS=$(abspath build/$(VARIANT)-tools) \
		INETKIT_RELEASE=$(abspath build/inetkit) \
		/usr/bin/python3 -m pytest -q tests/e2e

# Hosts as network namespaces (tests/cluster/): skipped, with the reason,
# where `ip netns` is not allowed (not root, no namespaces).
cluster: $(BIN)
	INETKIT=$(abspath $(BIN)) /usr/bin/python3 -m pytest -q -rs tests/cluster

FUZZ_SECONDS ?= 20
FUZZ_OBJ := build/obj/fuzz
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_OBJ)/%.o) $(FUZZ_OBJ)/$(BPF_GEN:.c=.o)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Isrc \
	-fsanitize=fuzzer-no-link,address,undefined

# -MMD -MP: header dependencies as for the other objects (the .d files
# under build/obj are included below), the target's own in build/obj/fuzz.
$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

build/fuzz/%: fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@) $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -MMD -MP -MF $(FUZZ_OBJ)/$*.d -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

# FUZZ_TARGETS="http_parse url" picks targets; FUZZ_JOBS runs some at once.
FUZZ_TARGETS ?= $(FUZZ_SRC:fuzz/fuzz_%.c=%)
FUZZ_RUN := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS:fuzz_%=%))
fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_RUN)
	@FUZZ_JOBS=$(or $(FUZZ_JOBS),1) scripts/run-fuzz.sh $(FUZZ_SECONDS) \
		$(FUZZ_RUN)

# The committed corpora minimised with what `make fuzz` found.
fuzz-merge:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_RUN)
	@scripts/run-fuzz.sh --merge $(FUZZ_RUN)

# Line and region coverage of each target's parser files (fuzz/parsers.txt)
# over its committed corpus, with clang's source-based coverage.
COV_OBJ := build/obj/cov
COV_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O0 -Isrc -MMD -MP \
	-fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer-no-link
COV_LIB_OBJ := $(LIB_SRC:%.c=$(COV_OBJ)/%.o) $(COV_OBJ)/$(BPF_GEN:.c=.o)
COV_RUN := $(FUZZ_RUN:build/fuzz/%=build/cov/%)

$(COV_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(COV_CFLAGS) -c -o $@ $<

build/cov/%: fuzz/%.c $(COV_LIB_OBJ)
	@mkdir -p $(dir $@)
	clang $(COV_CFLAGS) -fsanitize=fuzzer -o $@ $< $(COV_LIB_OBJ) $(LDLIBS)

fuzz-cov:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(COV_RUN)
	@scripts/fuzz-cov.sh $(COV_RUN)

# Tools of the benchmarks: one C file each, libc only but for http_floor
# and dns_floor (liburing, installed by `scripts/deps.sh bench` before they
# are built) and tls_hs (libssl).
BENCH_TOOLS := $(patsubst bench/tools/%.c,build/bench/%,\
	$(wildcard bench/tools/*.c))
build/bench/http_floor build/bench/dns_floor: BENCH_LIBS := -luring
build/bench/ratelimit_race: BENCH_LIBS := -Isrc src/core/ratelimit.c -lpthread
build/bench/tls_hs: BENCH_LIBS := -lssl -lcrypto

# The AF_XDP load generator takes inetkit's XDP program from the library.
build/bench/xdp_load: BENCH_LIBS := $(LIB) -lxdp -lbpf
build/bench/xdp_load: $(LIB)

build/bench/%: bench/tools/%.c bench/tools/load.h bench/tools/floor.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -o $@ $< $(BENCH_LIBS)

bench: all
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BENCH_TOOLS)
	bench/run.sh $(BENCH)

# Man pages: one scdoc source each (docs/man/NAME.SECTION.scd).
MAN_SRC := $(sort $(wildcard docs/man/*.scd))
MAN := $(MAN_SRC:docs/man/%.scd=build/man/%)
build/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@
man: $(MAN)

# Installation. The example configuration is installed with its paths
# pointing at the installed examples; the unit with the installed paths.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/inetkit
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib,$(PREFIX)/lib)/systemd/system
INSTALL_BIN ?= $(BIN)
EXAMPLES := $(shell find examples/site examples/zones -type f)
# the service and the sockets that can start it (socket activation)
UNITS := $(notdir $(wildcard dist/systemd/*.service dist/systemd/*.socket))
D := $(DESTDIR)

install: $(INSTALL_BIN) $(MAN)
	install -d $(D)$(BINDIR) $(D)$(DATADIR) $(D)$(UNITDIR)
	install -m 755 $(INSTALL_BIN) $(D)$(BINDIR)/inetkit
	for m in $(MAN); do s=$${m##*.}; install -d $(D)$(MANDIR)/man$$s; \
		install -m 644 $$m $(D)$(MANDIR)/man$$s/; done
	for f in $(EXAMPLES); do m=644; [ -x $$f ] && m=755; \
		install -D -m $$m $$f $(D)$(DATADIR)/$$f; done
	sed 's|examples/|$(DATADIR)/examples/|' examples/inetkit.conf > \
		$(D)$(DATADIR)/examples/inetkit.conf
	for u in $(UNITS); do sed -e 's|@BINDIR@|$(BINDIR)|g' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/systemd/$$u > \
		$(D)$(UNITDIR)/$$u; done
	@# the configuration is the administrator's: never overwritten
	install -d $(D)$(SYSCONFDIR)/inetkit
	[ -e $(D)$(SYSCONFDIR)/inetkit/inetkit.conf ] || install -m 644 \
		$(D)$(DATADIR)/examples/inetkit.conf $(D)$(SYSCONFDIR)/inetkit/

uninstall:
	rm -f $(D)$(BINDIR)/inetkit $(addprefix $(D)$(UNITDIR)/,$(UNITS))
	for m in $(MAN); do s=$${m##*.}; rm -f $(D)$(MANDIR)/man$$s/$${m##*/}; done
	@# an unchanged example configuration goes; an edited one stays
	cmp -s $(D)$(SYSCONFDIR)/inetkit/inetkit.conf \
		$(D)$(DATADIR)/examples/inetkit.conf 2>/dev/null && \
		rm -f $(D)$(SYSCONFDIR)/inetkit/inetkit.conf; \
		rmdir $(D)$(SYSCONFDIR)/inetkit 2>/dev/null; true
	rm -rf $(D)$(DATADIR)

# The Debian package, built from a copy of the tree (the Makefile and
# every folder but build, tests, fuzz and bench) in build/deb, so that
# dpkg-buildpackage leaves the tree alone; the .deb lands in build/deb.
DEB_TREE := Makefile $(filter-out build tests fuzz bench,\
	$(patsubst %/,%,$(wildcard */)))
deb:
	rm -rf build/deb && mkdir -p build/deb/inetkit
	cp -r $(DEB_TREE) build/deb/inetkit/
	printf '%s' '$(COMMIT)' > build/deb/inetkit/COMMIT
	cd build/deb/inetkit && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 \
		|| { tail -30 ../build.log; exit 1; }
	@ls build/deb/*.deb

# Every server of `inetkit up` under mixed load and reloads for
# SOAK_MINUTES, in a network namespace of its own (tests/soak/soak.py).
SOAK_MINUTES ?= 60
soak: all
	scripts/soak.sh $(SOAK_MINUTES)

clean:
	rm -rf build

-include $(shell find build/obj build/cov -name '*.d' 2>/dev/null)

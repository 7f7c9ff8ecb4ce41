# ocigate: OCI runtime hook for container admission.
#   make            build build/ocigate
#   make check      install missing test dependencies, run unit and end-to-end tests
#   make demo       keys, a signed image, a Trivy report, a signed bundle delivered; four runc starts
#   make install    DESTDIR=... PREFIX=...
# CFLAGS/LDFLAGS from the environment are appended last, so distribution
# build flags still apply.

PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
LOCALSTATEDIR ?= /var
VERSION  := 0.1.0

CC       ?= cc
PKG_CONFIG ?= pkg-config
B        ?= build

DEPS_PC  := jansson libcrypto libseccomp libcap libnghttp2
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS_PC) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(DEPS_PC) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wconversion -Wno-sign-conversion \
            -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wundef
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection -fPIE
OPT      ?= -O2 -g
INCLUDES := -I.
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(INCLUDES) \
               -DOCIGATE_VERSION='"$(VERSION)"' -MMD -MP
BASE_LDFLAGS := -Wl,-z,relro,-z,now -Wl,--as-needed
# The hook runs at every container start: a static PIE starts in a fraction of
# the time a dynamically linked one needs to load libcrypto and friends
# (docs/benchmarks.md).  LINK=dynamic builds the usual distribution binary.
LINK     ?= static
ifeq ($(LINK),static)
BIN_LDFLAGS := -static-pie
BIN_LIBS     = $(shell $(PKG_CONFIG) --static --libs $(DEPS_PC))
else
BIN_LDFLAGS := -pie
BIN_LIBS     = $(PKG_LIBS)
endif
SAN      ?=
ALL_CFLAGS  = $(BASE_CFLAGS) $(SAN) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(BASE_LDFLAGS) $(SAN) $(LDFLAGS)

# The source folders, lowest layer first (make layering checks the order).
SRC_DIRS := hook/base hook/oci verify/common verify/identity verify/image verify/sig verify/scan verify/trust \
            policy policy/rules hook hook/delivery hook/cmd
SRC      := $(wildcard $(addsuffix /*.c,$(SRC_DIRS)))
LIB_SRC  := $(filter-out hook/cmd/main.c,$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all layering check check-unit check-e2e check-valgrind check-asan check-packages demo install uninstall clean deps

all: $(B)/ocigate

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The seccomp filter is compiled from hook/seccomp_allowlist.h with
# libseccomp at build time (hook/gen/seccomp_bpf_gen.c), not at every start.
$(B)/gen/seccomp_bpf_gen: hook/gen/seccomp_bpf_gen.c hook/seccomp_allowlist.h
	@mkdir -p $(dir $@)
	$(CC) -O2 $(if $(SAN),-DOG_SECCOMP_SANITIZER) $(PKG_CFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs libseccomp)

$(B)/generated/seccomp_bpf.h: $(B)/gen/seccomp_bpf_gen
	@mkdir -p $(dir $@)
	$(B)/gen/seccomp_bpf_gen $@

$(B)/hook/confine.o: $(B)/generated/seccomp_bpf.h
$(B)/hook/confine.o: ALL_CFLAGS += -I$(B)/generated

$(B)/libocigate.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/ocigate: $(B)/hook/cmd/main.o $(B)/libocigate.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(BIN_LDFLAGS) $(ALL_LDFLAGS) $(BIN_LIBS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libocigate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -o $@ $< $(B)/libocigate.a \
	  -pie $(ALL_LDFLAGS) $(PKG_LIBS) $(CHECK_LIBS)

# Test dependencies (compilers, libraries, runc, crun, busybox) are installed
# with apt-get when missing, so `make check` works on a fresh Debian 12.
deps:
	@sh packaging/install-deps.sh

# `make check` is what CI runs: every suite.  The quicker subsets are
# layering, check-unit, check-e2e, check-valgrind, check-asan, fuzz-smoke, check-packages.
check: deps
	$(MAKE) layering check-unit check-e2e check-valgrind fuzz-smoke fuzz-replay check-packages
	$(MAKE) check-asan

# The folders are layers (README.md, Layout): no layer includes a higher one
# or a sibling, no include cycle, commands only in hook/cmd.  The selftest
# plants each kind of violation in a copy of the tree and expects a failure.
layering:
	@python3 tests/layering/check.py
	@sh tests/layering/selftest.sh

check-unit: $(TEST_BIN) $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) OCIGATE_SRC=$(CURDIR) sh tests/run-unit.sh $(TEST_BIN)

# The unit suite under valgrind memcheck: no leak, no error (Check's fork
# mode off, so valgrind sees each test's own memory).
check-valgrind: $(TEST_BIN) $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) OCIGATE_SRC=$(CURDIR) OCIGATE_UNIT_WRAPPER=valgrind \
	  sh tests/run-unit.sh $(TEST_BIN)

# The .deb builds, installs, passes its checks and purges cleanly.
check-packages:
	@B=$(B) sh packaging/test-packages.sh

check-e2e: $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) sh tests/e2e/run.sh

check-asan:
	$(MAKE) B=build-asan LINK=dynamic OPT='-O1 -g -fno-omit-frame-pointer' \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' check-unit check-e2e

# The build runs in a sub-make, after the packages are in place (the
# pkg-config flags above are read when make starts).
demo:
	@OCIGATE_DEPS_GROUPS="build e2e" sh packaging/install-deps.sh
	@$(MAKE) --no-print-directory $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) sh tests/e2e/demo.sh

install: $(B)/ocigate
	install -D -m 0755 $(B)/ocigate $(DESTDIR)$(SBINDIR)/ocigate
	$(PKG_INSTALL)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ocigate
	$(PKG_UNINSTALL)

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(B)/hook/cmd/main.d

# Fuzzing and static analysis (tests/fuzz/README.md)
#   make fuzz [FUZZ_SECONDS=60]  every libFuzzer target (clang, ASan+UBSan) for N s each;
#                                findings in $(B)/fuzz/crashes/<target>/, fails on any
#   make fuzz-smoke              the same, 10 s per target (CI)
#   make fuzz-replay [SAN=...]   each target built with $(CC) + tests/fuzz/replay_main.c,
#                                run over its seeds, corpus and regression inputs
#   make analyze                 cppcheck and clang --analyze over hook/ policy/ verify/
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
FZ           := $(B)/fuzz
FZ_REPLAY    := $(FZ)/replay$(if $(SAN),-san)
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HDRS    := $(wildcard tests/fuzz/*.h)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer $(INCLUDES) \
                -Itests/fuzz -DOCIGATE_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP $(FUZZ_SAN)
FUZZ_OBJ     := $(LIB_SRC:%.c=$(FZ)/obj/%.o)
FZ_REPLAY_OBJ := $(LIB_SRC:%.c=$(FZ_REPLAY)/obj/%.o)
# Build sub-steps in parallel unless make already runs with -j.
FUZZ_SUBMAKE = $(MAKE) -k --no-print-directory $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(FUZZ_JOBS))

# Library objects for the fuzz builds.  A source that does not compile (work in
# progress elsewhere) is reported and left out; only targets needing it fail.
define fuzz_try_cc
	@mkdir -p $(dir $@); rm -f $@
	@if $(1) -c -o $@ $< 2>$@.err; then cat $@.err >&2; rm -f $@.err; \
	else echo "fuzz: skipped $< (does not compile, see $@.err)" >&2; head -n 5 $@.err >&2; fi
endef

$(FZ)/obj/%.o: %.c
	$(call fuzz_try_cc,$(FUZZ_CC) $(FUZZ_CFLAGS) -w -fsanitize=fuzzer-no-link)

$(FZ_REPLAY)/obj/%.o: %.c
	$(call fuzz_try_cc,$(CC) $(ALL_CFLAGS))

$(FZ)/libocigate-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	$(AR) rcsD $@ $(wildcard $(FUZZ_OBJ))

$(FZ_REPLAY)/libocigate.a: $(FZ_REPLAY_OBJ)
	@rm -f $@
	$(AR) rcsD $@ $(wildcard $(FZ_REPLAY_OBJ))

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDRS) $(FZ)/libocigate-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Werror -fsanitize=fuzzer -o $@ $< \
	  $(FZ)/libocigate-fuzz.a $(PKG_LIBS)

$(FZ_REPLAY)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_HDRS) $(FZ_REPLAY)/libocigate.a
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/replay_main.c $(FZ_REPLAY)/libocigate.a \
	  $(ALL_LDFLAGS) $(PKG_LIBS)

.PHONY: fuzz fuzz-smoke fuzz-replay fuzz-corpus analyze
fuzz-corpus:
	@sh tests/fuzz/make-corpus.sh

fuzz: fuzz-corpus
	@$(FUZZ_SUBMAKE) $(FUZZ_TARGETS:%=$(FZ)/fuzz_%) || true
	@FUZZ_JOBS=$(FUZZ_JOBS) bash tests/fuzz/run-fuzz.sh $(FZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

fuzz-replay: fuzz-corpus
	@$(FUZZ_SUBMAKE) $(FUZZ_TARGETS:%=$(FZ_REPLAY)/fuzz_%) || true
	@sh tests/fuzz/run-replay.sh $(FZ_REPLAY) $(FUZZ_TARGETS)

ANALYZE_SRC := $(SRC)
# cppcheck: tests/fuzz/cppcheck.cfg teaches it the jansson foreach macros.
# Suppressed false positive: cppcheck does not model __attribute__((cleanup))
# on the second declarator of `og_cleanup_free char *a = NULL, *b = NULL;`
# (verify/trust/trust_policy.c og_trust_evaluate fp_after; checked with ASan).
CPPCHECK_FLAGS := --enable=warning,portability,performance --error-exitcode=1 --inline-suppr -q \
                  --std=c11 -D_GNU_SOURCE --library=tests/fuzz/cppcheck.cfg $(INCLUDES) \
                  --suppress=memleak:verify/trust/trust_policy.c
# clang --analyze, one file at a time.  The analyzer does not inline variadic
# functions, so it took og_fail()/og_fail_errno()/og_wrap() (always -1) as able
# to return 0 and then read out-parameters the failing path never set; every
# file but hook/base/error.c is analyzed with $(ANALYZE_MODEL) force-included, which
# spells that -1 out.  (A unity build does not help: the analyzer skips bodies
# from #included files, and would still not inline a variadic og_fail.)
# Every checker is on; filtered, for a pattern clang 14 cannot see:
#  - leak reports of unix.Malloc (double free, use after free stay on):
#    __attribute__((cleanup)) (og_cleanup_free ...) is not modelled; leaks are
#    caught by the unit tests under valgrind and ASan instead.
ANALYZE_OFF :=
ANALYZE_IGNORE := Potential (leak of memory|memory leak)
ANALYZE_MODEL := $(B)/analyze/og_fail_model.h
ANALYZE_FLAGS := --analyze -std=gnu11 -D_GNU_SOURCE $(INCLUDES) -DOCIGATE_VERSION='"$(VERSION)"' \
                 $(PKG_CFLAGS) -Xanalyzer -analyzer-output=text \
                 $(if $(ANALYZE_OFF),-Xanalyzer -analyzer-disable-checker=$(ANALYZE_OFF))

analyze:
	@mkdir -p $(B)/analyze
	cppcheck $(CPPCHECK_FLAGS) $(ANALYZE_SRC)
	@printf '%s\n' '/* Generated by make analyze: these always return -1. */' '#include "hook/base/error.h"' \
	  '#define og_fail(e, ...) (og_fail((e), __VA_ARGS__), -1)' \
	  '#define og_fail_errno(e, n, ...) (og_fail_errno((e), (n), __VA_ARGS__), -1)' \
	  '#define og_wrap(e, ...) (og_wrap((e), __VA_ARGS__), -1)' >$(ANALYZE_MODEL)
	@echo "clang --analyze over $(words $(ANALYZE_SRC)) files"
	@{ printf '%s\n' $(filter-out hook/base/error.c,$(ANALYZE_SRC)) | xargs -P $(FUZZ_JOBS) -I{} \
	  $(FUZZ_CC) $(ANALYZE_FLAGS) -include $(ANALYZE_MODEL) -o /dev/null {}; \
	  $(FUZZ_CC) $(ANALYZE_FLAGS) -o /dev/null hook/base/error.c; } >$(B)/analyze.log 2>&1; \
	  grep -E 'warning:|error:' $(B)/analyze.log | grep -vE '$(ANALYZE_IGNORE)' | sort -u >$(B)/analyze/findings; \
	  cat $(B)/analyze/findings; \
	  if [ -s $(B)/analyze/findings ]; then echo "analyze: findings (full paths in $(B)/analyze.log)"; exit 1; fi
	@echo "analyze: clean"

-include $(FUZZ_OBJ:.o=.d) $(FZ_REPLAY_OBJ:.o=.d)

# Packages
#   make install/uninstall also handle the man pages, the oci-hooks(5) file, the
#   default policy (never overwritten; removed only while unmodified) and the
#   state directory (0700; removed only while empty: it holds admin data).
#   make deb   dpkg-buildpackage + lintian (fails on errors) -> $(B)/deb/
#   make rpm   rpmbuild -bb from a tarball of the tree     -> $(B)/rpm/RPMS/
#   Both package a copy of the files git tracks plus untracked, unignored ones.
# oci-hooks(5) reads this fixed directory whatever PREFIX is; the hook's path in
# the installed file follows SBINDIR.
HOOKSDIR ?= /usr/share/containers/oci/hooks.d
PKG_MAN  := $(B)/man/ocigate.8.gz $(B)/man/ocigate-policy.5.gz
PKG_POLICY = $(DESTDIR)$(SYSCONFDIR)/ocigate/policy.json
PKG_STATE  = $(DESTDIR)$(LOCALSTATEDIR)/lib/ocigate
# The bundle sync units (systemd) and their settings (a conffile, kept like the policy).
SYSTEMDUNITDIR ?= /lib/systemd/system
PKG_UNITS   = ocigate-sync.service ocigate-sync.timer
PKG_SYNCENV = $(DESTDIR)$(SYSCONFDIR)/default/ocigate-sync

.PHONY: deb rpm

$(B)/man/%.gz: packaging/%
	@mkdir -p $(dir $@)
	gzip -9n < $< > $@

install: $(PKG_MAN)

define PKG_INSTALL
install -D -m 0644 $(B)/man/ocigate.8.gz $(DESTDIR)$(MANDIR)/man8/ocigate.8.gz
install -D -m 0644 $(B)/man/ocigate-policy.5.gz $(DESTDIR)$(MANDIR)/man5/ocigate-policy.5.gz
install -d -m 0755 $(DESTDIR)$(HOOKSDIR)
sed 's|"/usr/sbin/ocigate"|"$(SBINDIR)/ocigate"|' packaging/ocigate-hooks.json > $(DESTDIR)$(HOOKSDIR)/ocigate.json
chmod 0644 $(DESTDIR)$(HOOKSDIR)/ocigate.json
@if [ -e $(PKG_POLICY) ]; then echo "keeping the existing $(PKG_POLICY)"; \
else echo "install -D -m 0644 packaging/policy.json $(PKG_POLICY)"; \
install -D -m 0644 packaging/policy.json $(PKG_POLICY); fi
install -d -m 0700 $(PKG_STATE)
install -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR)
sed 's|/usr/sbin/ocigate |$(SBINDIR)/ocigate |' packaging/ocigate-sync.service > $(DESTDIR)$(SYSTEMDUNITDIR)/ocigate-sync.service
install -m 0644 packaging/ocigate-sync.timer $(DESTDIR)$(SYSTEMDUNITDIR)/ocigate-sync.timer
chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/ocigate-sync.service
@if [ -e $(PKG_SYNCENV) ]; then echo "keeping the existing $(PKG_SYNCENV)"; \
else echo "install -D -m 0644 packaging/ocigate-sync.default $(PKG_SYNCENV)"; \
install -D -m 0644 packaging/ocigate-sync.default $(PKG_SYNCENV); fi
endef

define PKG_UNINSTALL
rm -f $(DESTDIR)$(MANDIR)/man8/ocigate.8.gz $(DESTDIR)$(MANDIR)/man5/ocigate-policy.5.gz
rm -f $(DESTDIR)$(HOOKSDIR)/ocigate.json
@rmdir $(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(dir $(HOOKSDIR)) $(DESTDIR)$(dir $(patsubst %/,%,$(dir $(HOOKSDIR)))) 2>/dev/null || true
@if cmp -s packaging/policy.json $(PKG_POLICY); then echo "rm -f $(PKG_POLICY)"; rm -f $(PKG_POLICY); \
elif [ -e $(PKG_POLICY) ]; then echo "keeping $(PKG_POLICY): it differs from the shipped policy"; fi
@rmdir $(DESTDIR)$(SYSCONFDIR)/ocigate 2>/dev/null || true
@if [ -d $(PKG_STATE) ] && ! rmdir $(PKG_STATE) 2>/dev/null; then \
echo "keeping $(PKG_STATE): not empty (trust state, signatures, verdicts)"; fi
rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(PKG_UNITS))
@rmdir -p $(DESTDIR)$(SYSTEMDUNITDIR) 2>/dev/null || true
@if cmp -s packaging/ocigate-sync.default $(PKG_SYNCENV); then echo "rm -f $(PKG_SYNCENV)"; rm -f $(PKG_SYNCENV); \
elif [ -e $(PKG_SYNCENV) ]; then echo "keeping $(PKG_SYNCENV): it differs from the shipped one"; fi
@rmdir $(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(SYSCONFDIR) 2>/dev/null || true
endef

deb:
	sh packaging/build-package.sh deb $(VERSION) $(B)

rpm:
	sh packaging/build-package.sh rpm $(VERSION) $(B)

# Benchmarks (tests/bench/run.sh, docs/benchmarks.md): never part of `make check`.
#   make bench    rebuild, then time the hook, runc and containerd CRI starts, store sizes and
#                 peers side by side; table in $(B)/bench/results.md, plot in
#                 $(B)/bench/latency.png (needs root).  The packages' link (LINK=dynamic) is
#                 built into $(B)-dynamic and measured beside the static binary.
.PHONY: bench
bench: $(B)/ocigate
	$(MAKE) --no-print-directory B=$(B)-dynamic LINK=dynamic $(B)-dynamic/ocigate
	OCIGATE_BIN=$(abspath $(B)/ocigate) OCIGATE_DYN_BIN=$(abspath $(B)-dynamic/ocigate) \
	  BENCH_DIR=$(abspath $(B)/bench) bash tests/bench/run.sh

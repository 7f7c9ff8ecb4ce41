# ocigate: OCI runtime hook for container admission.
#   make            build build/ocigate
#   make check      install missing test dependencies, run unit and end-to-end tests
#   make demo       start an allowed and a refused container through real runc
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
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -Ihook -Ipolicy -Iverify \
               -DOCIGATE_VERSION='"$(VERSION)"' -MMD -MP
BASE_LDFLAGS := -pie -Wl,-z,relro,-z,now -Wl,--as-needed
SAN      ?=
ALL_CFLAGS  = $(BASE_CFLAGS) $(SAN) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(BASE_LDFLAGS) $(SAN) $(LDFLAGS)

LIB_SRC  := $(filter-out hook/main.c,$(wildcard hook/*.c policy/*.c verify/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all check check-unit check-e2e check-asan demo install uninstall clean deps

all: $(B)/ocigate

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libocigate.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/ocigate: $(B)/hook/main.o $(B)/libocigate.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libocigate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -o $@ $< $(B)/libocigate.a \
	  $(ALL_LDFLAGS) $(PKG_LIBS) $(CHECK_LIBS)

# Test dependencies (compilers, libraries, runc, crun, busybox) are installed
# with apt-get when missing, so `make check` works on a fresh Debian 12.
deps:
	@sh packaging/install-deps.sh

check: deps
	$(MAKE) check-unit check-e2e

check-unit: $(TEST_BIN) $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) OCIGATE_SRC=$(CURDIR) sh tests/run-unit.sh $(TEST_BIN)

check-e2e: $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) sh tests/e2e/run.sh

check-asan:
	$(MAKE) B=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' check-unit check-e2e

demo: deps $(B)/ocigate
	@OCIGATE_BIN=$(abspath $(B)/ocigate) sh tests/e2e/demo.sh

install: $(B)/ocigate
	install -D -m 0755 $(B)/ocigate $(DESTDIR)$(SBINDIR)/ocigate
	install -D -m 0644 packaging/policy.json $(DESTDIR)$(SYSCONFDIR)/ocigate/policy.json
	install -d -m 0700 $(DESTDIR)$(LOCALSTATEDIR)/lib/ocigate

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ocigate
	-rmdir $(DESTDIR)$(LOCALSTATEDIR)/lib/ocigate 2>/dev/null

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(B)/hook/main.d

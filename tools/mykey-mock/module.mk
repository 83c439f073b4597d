# mykey-mock: mock MyKey Platform + J-LIS simulator
# (/work/shared/docs/mykey-mock-api.md, docs/mykey-mock.md).

MOCK_SRCS	:= tools/mykey-mock/main.c tools/mykey-mock/config.c \
		   tools/mykey-mock/util.c tools/mykey-mock/store.c \
		   tools/mykey-mock/store_sqlite.c tools/mykey-mock/store_pg.c \
		   tools/mykey-mock/http.c tools/mykey-mock/dispatch.c \
		   tools/mykey-mock/req.c tools/mykey-mock/idem.c \
		   tools/mykey-mock/x509.c \
		   tools/mykey-mock/jlis.c tools/mykey-mock/platform.c \
		   tools/mykey-mock/mykey.c tools/mykey-mock/services.c \
		   tools/mykey-mock/authority.c tools/mykey-mock/admin.c \
		   tools/mykey-mock/login.c tools/mykey-mock/reqcheck.c \
		   tools/mykey-mock/limits.c tools/mykey-mock/purge.c \
		   $(MKPROFILE_SRCS)
MOCK_OBJS	:= $(MOCK_SRCS:%.c=$(BUILD)/%.o)
MOCK_BIN	:= $(BUILD)/bin/mykey-mock
MOCK_PKGS	:= libmicrohttpd jansson sqlite3 libcrypto gnutls libpq
MOCK_CFLAGS	:= $(shell pkg-config --cflags $(MOCK_PKGS) 2>/dev/null) \
		   -Itools/common -Itools/mykey-mock
MOCK_LIBS	:= $(shell pkg-config --libs $(MOCK_PKGS) 2>/dev/null) -lpthread

EXTRA_CFLAGS_tools/mykey-mock := $(MOCK_CFLAGS)

$(MOCK_BIN): $(MOCK_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $(MOCK_OBJS) $(ALL_LDFLAGS) $(MOCK_LIBS)

ALL_TARGETS	+= $(MOCK_BIN)

# Tests: libcurl scenario client against a server started by the scripts
# in tests/e2e/mock_*.sh, each under tests/lib/isolated.sh (own netns).
MOCKTEST_BIN	:= $(BUILD)/tests/mock/mock_api
EXTRA_CFLAGS_tests/mock := $(shell pkg-config --cflags jansson sqlite3 \
		   libcurl libcrypto 2>/dev/null)

# One file per concern (tests/mock/mock_api.h); ok() in mock_tap.c is
# shared with mock_abuse.
MOCKTAP_OBJ	:= $(BUILD)/tests/mock/mock_tap.o
MOCKTEST_OBJS	:= $(addprefix $(BUILD)/tests/mock/,mock_api.o mock_http.o \
		   mock_fixture.o mock_proof.o mock_scenarios.o \
		   mock_bad_input.o mock_cluster.o) $(MOCKTAP_OBJ)

$(MOCKTEST_BIN): $(MOCKTEST_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $(MOCKTEST_OBJS) $(ALL_LDFLAGS) \
		$(shell pkg-config --libs jansson sqlite3 libcurl libcrypto \
		2>/dev/null) -lpthread

ALL_TARGETS	+= $(MOCKTEST_BIN)

check-mock: $(MOCK_BIN) $(MOCKTEST_BIN)
	@BUILD=$(BUILD) tests/lib/tap-count.sh mock_api \
		tests/lib/isolated.sh sh tests/e2e/mock_api.sh
	@BUILD=$(BUILD) tests/lib/tap-count.sh mock_durability \
		tests/lib/isolated.sh sh tests/e2e/mock_durability.sh

CHECK_TARGETS	+= check-mock

# make check-mock-abuse: the server under abuse (tests/e2e/mock_abuse.sh,
# about 10 s; raw-socket client tests/mock/mock_abuse.c).
MOCKABUSE_BIN	:= $(BUILD)/tests/mock/mock_abuse

$(MOCKABUSE_BIN): $(BUILD)/tests/mock/mock_abuse.o $(MOCKTAP_OBJ)
	@mkdir -p $(@D)
	$(CC) -o $@ $(BUILD)/tests/mock/mock_abuse.o $(MOCKTAP_OBJ) \
		$(ALL_LDFLAGS) -lpthread

ALL_TARGETS	+= $(MOCKABUSE_BIN)

check-mock-abuse: $(MOCK_BIN) $(MOCKABUSE_BIN)
	@BUILD=$(BUILD) tests/lib/tap-count.sh mock_abuse \
		tests/lib/isolated.sh sh tests/e2e/mock_abuse.sh

CHECK_TARGETS	+= check-mock-abuse
# about 10 s under ASan too; its RSS bound knows the ASan quarantine
ASAN_TARGETS	+= check-mock-abuse
ASAN_TARGETS	+= check-mock

# The same API suite on the PostgreSQL engine: a private PostgreSQL 15
# started by the test on a unix socket in its namespace (tests/lib/pg.sh).
check-mock-pg: $(MOCK_BIN) $(MOCKTEST_BIN)
	@BUILD=$(BUILD) tests/lib/tap-count.sh mock_api_pg \
		tests/lib/isolated.sh sh tests/e2e/mock_api_pg.sh

CHECK_TARGETS	+= check-mock-pg

# Three instances on one PostgreSQL behind HAProxy (mode tcp): races,
# an instance SIGKILLed, PostgreSQL restarted (tests/e2e/mock_cluster.sh).
check-mock-cluster: $(MOCK_BIN) $(MOCKTEST_BIN)
	@BUILD=$(BUILD) tests/lib/tap-count.sh mock_cluster \
		tests/lib/isolated.sh sh tests/e2e/mock_cluster.sh

CHECK_TARGETS	+= check-mock-cluster

# make bench-platform (in make bench): tests/e2e/mock_bench.sh, :verify load on a
# 1,000,000-ID database (bench-tap is the client's tap-to-MyKey-ID bench).
MOCKBENCH_BIN	:= $(BUILD)/tests/mock/mock_bench

$(MOCKBENCH_BIN): $(BUILD)/tests/mock/mock_bench.o
	@mkdir -p $(@D)
	$(CC) -o $@ $< $(ALL_LDFLAGS) $(shell pkg-config --libs jansson \
		libcurl libcrypto 2>/dev/null) -lpthread

ALL_TARGETS	+= $(MOCKBENCH_BIN)

bench-platform: $(MOCK_BIN) $(MOCKBENCH_BIN)
	@BUILD=$(BUILD) tests/lib/isolated.sh sh tests/e2e/mock_bench.sh
BENCH_TARGETS	+= bench-platform

install-mock: $(MOCK_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(MOCK_BIN) $(DESTDIR)$(BINDIR)/mykey-mock
	install -m 0644 man/mykey-mock.1 $(DESTDIR)$(MANDIR)/man1/

INSTALLED_FILES	+= $(BINDIR)/mykey-mock $(MANDIR)/man1/mykey-mock.1

INSTALL_TARGETS	+= install-mock

# headroom build. `make` builds build/headroom; `make test` runs every test;
# `make test-asan` does the same under AddressSanitizer + UBSan in build/asan.
# Dependencies come from scripts/install-deps.sh (Debian packages, plus
# civetweb's Debian source package unpacked into .deps/).

CC       ?= gcc
BUILD    ?= build
SAN      ?= 0
OPT      ?= -O2
PYTHON   ?= python3

CSTD     := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
CFLAGS   := $(CSTD) $(WARN) $(OPT) -g -fno-strict-aliasing
LDLIBS   :=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CFLAGS   += $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
endif

CIVETWEB_DIR   := .deps/civetweb
CIVETWEB_FLAGS := -DOPENSSL_API_3_0 -DNO_SSL_DL -DUSE_IPV6 -DNO_CGI -DNO_FILES -DNO_CACHING \
                  -DSOCKET_TIMEOUT_QUANTUM=200 \
                  -I$(CIVETWEB_DIR)/include

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PRED_SRC := $(wildcard predicates/*.c)
PRED_OBJ := $(PRED_SRC:%.c=$(BUILD)/%.o)
XT_SRC   := $(filter-out extender/main.c,$(wildcard extender/*.c))
XT_OBJ   := $(XT_SRC:%.c=$(BUILD)/%.o)
XT_LIBS  := -lcjson -lyaml -lcurl -lssl -lcrypto -lpthread -lm

UNIT_PRED_SRC := $(wildcard tests/predicates/test_*.c)
UNIT_XT_SRC   := $(wildcard tests/extender/test_*.c)
UNIT_PRED_BIN := $(UNIT_PRED_SRC:tests/predicates/%.c=$(BUILD)/tests/%)
UNIT_XT_BIN   := $(UNIT_XT_SRC:tests/extender/%.c=$(BUILD)/tests/%)
TEST_SUPPORT  := $(BUILD)/tests/support.o

.PHONY: all deps run test test-asan test-valgrind unit lint format clean certs bench fuzz install
all: $(BUILD)/headroom

# A fresh clone installs what it needs on first build (Debian packages and
# civetweb's source); the stamp is written by install-deps.sh.
DEPS_STAMP := .deps/installed.stamp
deps $(DEPS_STAMP):
	scripts/install-deps.sh

$(CIVETWEB_DIR)/src/civetweb.c: | $(DEPS_STAMP)

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -Ipredicates -Iextender -I$(CIVETWEB_DIR)/include \
		-DHR_VERSION='"$(VERSION)"' -DHR_GIT_REV='"$(GIT_REV)"' -c $< -o $@

# civetweb is third-party code compiled as-is: its own flags, no -Werror-worthy warnings.
$(BUILD)/civetweb.o: $(CIVETWEB_DIR)/src/civetweb.c
	@mkdir -p $(dir $@)
	$(CC) $(OPT) -g $(if $(filter 1,$(SAN)),$(SANFLAGS)) $(CIVETWEB_FLAGS) -w -c $< -o $@

$(BUILD)/libhrpred.a: $(PRED_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libxt.a: $(XT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/headroom: $(BUILD)/extender/main.o $(BUILD)/libxt.a $(BUILD)/libhrpred.a $(BUILD)/civetweb.o
	$(CC) $(LDFLAGS) $^ $(XT_LIBS) -o $@

# predicates/ tests link only the pure library, cJSON and cmocka: that proves it is pure.
$(BUILD)/tests/test_%: tests/predicates/test_%.c $(TEST_SUPPORT) $(BUILD)/libhrpred.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipredicates -Itests $^ -lcjson -lcmocka -lm -o $@

$(BUILD)/tests/test_%: tests/extender/test_%.c $(TEST_SUPPORT) $(BUILD)/libxt.a $(BUILD)/libhrpred.a $(BUILD)/civetweb.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipredicates -Iextender -Itests -I$(CIVETWEB_DIR)/include $^ \
		$(XT_LIBS) -lcmocka -o $@

# test helper programs (not tests themselves)
$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libxt.a $(BUILD)/libhrpred.a $(BUILD)/civetweb.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipredicates -Iextender $^ $(XT_LIBS) -o $@

TOOLS := $(BUILD)/tools/yaml2json

$(TEST_SUPPORT): tests/support.c tests/support.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipredicates -Itests -c $< -o $@

unit: $(UNIT_PRED_BIN) $(UNIT_XT_BIN) $(TOOLS)

test: $(BUILD)/headroom unit $(BUILD)/bench/headroom-bench
	$(PYTHON) tests/run.py --build $(BUILD)

test-asan:
	$(MAKE) test SAN=1 BUILD=build/asan OPT=-O1

# `headroom serve` under valgrind memcheck (tests/integration/harness.py,
# HR_VALGRIND=1): errors or definite leaks at exit fail the test that stopped
# the server. A representative subset: every route and bad input, mTLS and the
# allow-list, the filter verb with coupled pods, admission, certificate
# rotation, and the live cache through faults and the API server's loss.
VALGRIND_TESTS := test_serve.py,test_filter_coupled.py,test_mtls.py,test_admission.py,test_rotation.py,test_live.py
VALGRIND_LIVE  := test_live.py:test_first_list_matches_the_server_and_answers,$\
                  test_live.py:test_events_reach_capacity,test_live.py:test_stream_cut_mid_event,$\
                  test_live.py:test_watch_request_answered_410_relists,$\
                  test_live.py:test_server_errors_back_off_and_resume,$\
                  test_live.py:test_client_certificate_and_inline_data,$\
                  test_live.py:test_readiness_follows_the_api_server
test-valgrind: $(BUILD)/headroom
	HR_VALGRIND=1 HR_ONLY_TESTS="$(VALGRIND_LIVE)" $(PYTHON) tests/run.py --build $(BUILD) \
		--only $(VALGRIND_TESTS)

certs:
	certs/make-certs.sh

run: $(BUILD)/headroom
	scripts/run-dev.sh $(BUILD)/headroom

format:
	clang-format -i predicates/*.[ch] extender/*.[ch] tests/*.[ch] tests/*/*.c fuzz/*.[ch]

lint: $(BUILD)/libhrpred.a
	scripts/lint.sh $(BUILD)/libhrpred.a

clean:
	rm -rf build

# `make install`: the binary and the kubectl plugin onto PATH.
PREFIX ?= /usr/local
install: $(BUILD)/headroom
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/headroom $(DESTDIR)$(PREFIX)/bin/headroom
	install -m 755 scripts/kubectl-headroom $(DESTDIR)$(PREFIX)/bin/kubectl-headroom

include fuzz/fuzz.mk

-include $(PRED_OBJ:.o=.d) $(XT_OBJ:.o=.d) $(BUILD)/extender/main.d

# Benchmarks (not tests): bench/run.sh generates clusters, times the hot
# paths in-process with headroom-bench and end to end over TLS with wrk.
$(BUILD)/bench/headroom-bench: bench/bench.c $(BUILD)/libxt.a $(BUILD)/libhrpred.a $(BUILD)/civetweb.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ipredicates -Iextender $^ $(XT_LIBS) -o $@

bench: $(BUILD)/headroom $(BUILD)/bench/headroom-bench
	bench/run.sh $(BUILD)

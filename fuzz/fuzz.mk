# fuzz.mk: libFuzzer harnesses for every parser (included by the top Makefile).
#
#   make fuzz-build    build/fuzz/fuzz_<target> for every fuzz/fuzz_<target>.c
#   make fuzz          run each target FUZZ_SECONDS (60) on a scratch copy of
#                      fuzz/corpus/<target> and tests/fuzz/regressions/<target>;
#                      prints executions, exec/s, coverage; fails on any crash
#   make fuzz-smoke    the same, FUZZ_SMOKE_SECONDS (8) each (make test runs it)
#   FUZZ_TARGETS="quantity yaml" limits the run; FUZZ_JOBS targets run at once.
#
# clang with libFuzzer (Debian: clang, libclang-rt-14-dev). Everything here is
# built with ASan + UBSan and the fuzzer's coverage instrumentation, into its
# own folder: the project's objects in $(BUILD) are not touched. civetweb is
# not linked: no target reaches the HTTP layer (archives pull in only what
# the harnesses reference).

FUZZ_CC            ?= clang
FUZZ_BUILD         ?= build/fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_JOBS          ?= 2
FUZZ_TIMEOUT       ?= 1
FUZZ_TARGETS       ?=

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-strict-aliasing $(FUZZ_SAN) \
               -fsanitize=fuzzer-no-link
FUZZ_INC    := -Ipredicates -Iextender -I$(CIVETWEB_DIR)/include -Ifuzz

FUZZ_LIB_SRC  := $(PRED_SRC) $(XT_SRC)
FUZZ_LIB_OBJ  := $(FUZZ_LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_SRC      := $(wildcard fuzz/fuzz_*.c)
FUZZ_NAMES    := $(FUZZ_SRC:fuzz/fuzz_%.c=%)
FUZZ_BINS     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_COMMON   := $(FUZZ_BUILD)/fuzz/common.o

.PHONY: fuzz-build fuzz-smoke

$(FUZZ_LIB_OBJ) $(FUZZ_COMMON) $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o): $(FUZZ_BUILD)/%.o: %.c \
		| $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(FUZZ_INC) \
		-DHR_VERSION='"$(VERSION)"' -DHR_GIT_REV='"$(GIT_REV)"' -c $< -o $@

$(FUZZ_BUILD)/libfuzzhr.a: $(FUZZ_LIB_OBJ) $(FUZZ_COMMON)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_BUILD)/libfuzzhr.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(XT_LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(PYTHON) fuzz/run.py --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) \
		--jobs $(FUZZ_JOBS) --timeout $(FUZZ_TIMEOUT) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	$(PYTHON) fuzz/run.py --build $(FUZZ_BUILD) --seconds $(FUZZ_SMOKE_SECONDS) \
		--jobs $(FUZZ_JOBS) --timeout $(FUZZ_TIMEOUT) $(FUZZ_TARGETS)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_COMMON:.o=.d) $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.d)

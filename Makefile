# evojax - build, run, test, bench.
#
#   make            build ./evojax
#   make run        install missing Debian packages, build, train the default config
#   make test       install missing Debian packages, build, run the whole test suite
#   make bench      throughput figures (environment steps/s, GFLOP/s, iterations/s)
#   make deps       install missing Debian packages only
#   make SANITIZE=address,undefined test
#   make fuzz       libFuzzer harnesses (tests/fuzz/), FUZZ_SECONDS each (60)
#   make V=1        show full commands
#   make MPI=1      with MPI (Open MPI; the default when pkg-config finds it), MPI=0 without

CC      ?= cc
PKGS    := yaml-0.1 OpenCL clblast zlib lapacke openblas cairo fontconfig libgif json-c
DEB_PKGS := build-essential pkg-config libyaml-dev ocl-icd-opencl-dev opencl-headers \
            pocl-opencl-icd libclblast-dev libcmocka-dev zlib1g-dev clinfo \
            dataset-fashion-mnist python3-numpy liblapacke-dev libopenblas-dev \
            libcairo2-dev libgif-dev libjson-c-dev
RUN_CONFIG ?= configs/cartpole_easy.yaml
RUN_ARGS   ?=

OPT     ?= -O2
CFLAGS  := -std=c11 -Wall -Wextra -Werror $(OPT) -g -D_POSIX_C_SOURCE=200809L -pthread \
           -DCL_TARGET_OPENCL_VERSION=120 -I. -Ibuild/gen \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2)
endif

# Sanitizer builds live apart so flags never mix in one object directory.
B := build$(if $(SANITIZE),-san)
BIN := $(if $(SANITIZE),$(B)/evojax,evojax)
# FUZZ=1 (set by 'make fuzz'): clang, libFuzzer instrumentation and
# ASan/UBSan on every object, in build-fuzz/.
ifeq ($(FUZZ),1)
CC      := clang
B       := build-fuzz
BIN     := $(B)/evojax
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
endif
# MPI (only core/ranks.c includes mpi.h): on when pkg-config finds Open
# MPI, or MPI=1 (make deps then installs it); MPI=0 builds without.
MPI ?= $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1 || echo 0)
ifeq ($(MPI),1)
DEB_PKGS += libopenmpi-dev openmpi-bin
LDLIBS   += $(shell pkg-config --libs ompi-c 2>/dev/null)
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null) -DEJ_MPI
endif

LIB_SRC  := $(wildcard core/*.c opencl/*.c algos/*.c policies/*.c tasks/*.c)
# Device code: every .cl of the product, and philox.h (C and OpenCL C).
CL_SRC   := $(sort opencl/philox.h $(wildcard opencl/*.cl core/*.cl algos/*.cl policies/*.cl tasks/*.cl))
# Test-only device code (tests/*.cl: contract tasks and policies) is
# embedded into a second table linked into the test binaries only.
CL_TEST_SRC := $(sort $(wildcard tests/*.cl))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/cl_embed.o
CMD_OBJ  := $(B)/cmd/main.o $(B)/cmd/cli.o $(B)/cmd/pictures.o
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
BENCH_SRC := $(wildcard tests/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/%.c=$(B)/tests/%)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all run test bench clean deps fuzz fuzz-run FORCE
all: $(BIN)

$(BIN): $(CMD_OBJ) $(B)/libevojax.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libevojax.a: $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# The list of embedded sources, rewritten only when it changes, so adding,
# moving or removing a .cl file re-embeds (its mtime alone would not).
$(B)/gen/cl_list: FORCE
	$(Q)mkdir -p $(dir $@)
	$(Q)echo '$(CL_SRC) | $(CL_TEST_SRC)' | cmp -s - $@ || \
		echo '$(CL_SRC) | $(CL_TEST_SRC)' > $@

# core/ranks.c alone includes mpi.h; it is rebuilt when MPI is switched
# on or off.
$(B)/core/ranks.o: CFLAGS += $(MPI_CFLAGS)
$(B)/core/ranks.o: $(B)/gen/mpi_flag
$(B)/gen/mpi_flag: FORCE
	$(Q)mkdir -p $(dir $@)
	$(Q)echo '$(MPI)' | cmp -s - $@ || echo '$(MPI)' > $@

# OpenCL sources are embedded: one C string line per source line.
$(B)/gen/cl_embed.c: opencl/embed.sh $(CL_SRC) $(B)/gen/cl_list
	$(call say,EMBED,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sh opencl/embed.sh $(CL_SRC) > $@.tmp && mv $@.tmp $@

# The same table (clsrc_table) plus tests/*.cl.  Test binaries link this
# object before libevojax.a, so the archive's cl_embed.o is never pulled in
# and the product binary never carries test kernels.
$(B)/gen/cl_embed_test.c: opencl/embed.sh $(CL_SRC) $(CL_TEST_SRC) $(B)/gen/cl_list
	$(call say,EMBED,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sh opencl/embed.sh $(CL_SRC) $(CL_TEST_SRC) > $@.tmp && mv $@.tmp $@

$(B)/gen/cl_embed.o $(B)/gen/cl_embed_test.o: %.o: %.c
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/%.c $(B)/gen/cl_embed_test.o $(B)/libevojax.a
	$(call say,CCLD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(B)/gen/cl_embed_test.o $(B)/libevojax.a $(TEST_LDLIBS) $(LDLIBS)

deps:
	@sh tests/deps.sh $(DEB_PKGS)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	./evojax train $(RUN_CONFIG) $(RUN_ARGS)

# Sanitized runs: LeakSanitizer reads the dynamic TLS of PoCL's dlopen'd
# kernel libraries through glibc's DTV and crashes at exit on Debian 12's
# gcc ("Tracer caught signal 11", "DTLS ... at 0x...813"); not intercepting
# __tls_get_addr avoids it.  A caller's ASAN_OPTIONS wins.
SAN_ENV := $(if $(SANITIZE),ASAN_OPTIONS=$${ASAN_OPTIONS:-intercept_tls_get_addr=0})

test: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BIN)
	@$(SAN_ENV) EVOJAX=./$(BIN) sh tests/run.sh $(B)/tests

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done

# Each harness runs FUZZ_SECONDS on its committed seeds
# (tests/fuzz/corpus/NAME) plus what earlier runs found
# (build-fuzz/corpus/NAME); any crash, leak or sanitizer report stops make
# with the reproducer saved as build-fuzz/NAME-crash-* (log:
# build-fuzz/NAME.log).
fuzz:
	@sh tests/deps.sh clang
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzz-run

fuzz-run: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus/$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/$$n- build-fuzz/corpus/$$n \
			tests/fuzz/corpus/$$n >build-fuzz/$$n.log 2>&1; rc=$$?; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' build-fuzz/$$n.log); \
		echo "fuzz $$n: $${runs:-?} executions in $(FUZZ_SECONDS) s, exit $$rc"; \
		if [ $$rc -ne 0 ]; then \
			grep -E '^==[0-9]+==|^SUMMARY|Test unit written|^[a-z].*: runtime error' build-fuzz/$$n.log; \
			exit 1; \
		fi; \
	done

build-fuzz/fuzz/%: tests/fuzz/%.c build-fuzz/gen/cl_embed.o build-fuzz/libevojax.a
	$(call say,CCLD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -fsanitize=fuzzer -o $@ $< build-fuzz/gen/cl_embed.o build-fuzz/libevojax.a $(LDLIBS)

clean:
	rm -rf build build-san build-fuzz evojax

-include $(shell find $(B) -name '*.d' 2>/dev/null)

#!/bin/sh
# A device out of memory gives exit 3 and names the buffer or kernel and
# its size, at allocation (PoCL with POCL_MEMORY_LIMIT=1, in GiB: at most
# 256 MiB per buffer) and at enqueue time, where lazily allocating drivers
# (NVIDIA, AMD) report it and PoCL never does: tests/clfail.c, preloaded,
# makes one kind of command fail with an out-of-memory code.  A run that
# fails so keeps its last checkpoint, and resuming from it ends as the
# uninterrupted run.
. tests/cli_lib.sh
C=configs/cartpole_easy.yaml
DEV="on device 'pthread-"

# 1000 members x 100000 repeats: the rollout returns, 381.5 MiB.
expect "allocation beyond the device: exit 3" 3 \
	"device out of memory: allocating the 'rollout returns' buffer (381.5 MiB) $DEV" -- \
	env POCL_MEMORY_LIMIT=1 $EVOJAX train $C --smoke --quiet \
	--set algo.pop_size=1000 --set trainer.n_repeats=100000 --out "$T/big"
if grep -qF "device out of memory: allocating the 'rollout returns' buffer (381.5 MiB) on device '" "$T/err" &&
	grep -qF "(1.0 GiB global memory, 256.0 MiB per buffer): CL_INVALID_BUFFER_SIZE (clCreateBuffer, opencl/clrt.c:" "$T/err"; then
	pass "allocation failure names the buffer, its size, the device's limits and the CL error"
else
	fail "allocation failure names the buffer, its size, the device's limits and the CL error" "$(cat "$T/err")"
fi

# The fault injector, built here with ${CC:-cc}.
if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -shared -fPIC \
	-o "$T/clfail.so" tests/clfail.c -ldl 2>"$T/cc"; then
	fail "build tests/clfail.c" "$(cat "$T/cc")"
fi
# A sanitized evojax must let the injector come first.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
inject() { env LD_PRELOAD="$T/clfail.so" "$@"; }
RUN="$C --smoke --quiet --set trainer.max_iter=6"

# The uninterrupted run, counting its launches.
# shellcheck disable=SC2086
inject EJ_CLFAIL_COUNT="$T/launches" $EVOJAX train $RUN --out "$T/full" >/dev/null 2>"$T/err"
launches=$(cat "$T/launches" 2>/dev/null)
if [ -s "$T/full/final.npz" ] && [ "${launches:-0}" -ge 6 ]; then
	pass "injector forwards the calls ($launches launches in 6 iterations)"
else
	fail "injector forwards the calls" "launches: '$launches'" "$(cat "$T/err")"
fi

# Each command that may need memory, one code each: exit 3, the command
# with its size and the kernel launched last, the CL error and the call.
# oom NAME CALL AFTER CODE WANT CODE_NAME
oom() {
	# shellcheck disable=SC2086
	expect "$1 out of memory: exit 3" 3 "device out of memory: $5 $DEV" -- \
		inject EJ_CLFAIL_CALL=$2 EJ_CLFAIL_AFTER=$3 EJ_CLFAIL_CODE=$4 \
		$EVOJAX train $RUN --out "$T/$2"
	if grep -qF "): $6 ($2, opencl/clrt.c:" "$T/err"; then
		pass "$1 out of memory: $6 and the call"
	else
		fail "$1 out of memory: $6 and the call" "$(cat "$T/err")"
	fi
}
oom launch clEnqueueNDRangeKernel 0 -4 \
	"launching kernel 'rollout' (global 8, local 1)" CL_MEM_OBJECT_ALLOCATION_FAILURE
oom write clEnqueueWriteBuffer 3 -6 \
	"writing 18.0 KiB to a buffer of 144.0 KiB (last kernel 'rollout', global 8)" CL_OUT_OF_HOST_MEMORY
oom read clEnqueueReadBuffer 0 -5 \
	"reading 64 bytes from a buffer of 64 bytes (last kernel 'rollout', global 8)" CL_OUT_OF_RESOURCES
oom finish clFinish 0 -5 \
	"finishing the queue (last kernel 'rollout', global 8)" CL_OUT_OF_RESOURCES
# Other CL errors stay exit 3 with their own name.
# shellcheck disable=SC2086
expect "other CL error at launch: exit 3" 3 \
	"launching kernel 'rollout' (global 8, local 1): clEnqueueNDRangeKernel failed: CL_INVALID_KERNEL_ARGS (opencl/clrt.c:" -- \
	inject EJ_CLFAIL_AFTER=0 EJ_CLFAIL_CODE=-52 $EVOJAX train $RUN --out "$T/o"

# Out of memory in the middle of the run (iteration 4 of 6 here, after
# the checkpoint of iteration 2): the checkpoint stays, and resuming
# from it gives the uninterrupted run's files.
mid=$((${launches:-9} * 3 / 5))
# shellcheck disable=SC2086
expect "out of memory mid-run: exit 3" 3 "device out of memory: launching kernel" -- \
	inject EJ_CLFAIL_AFTER=$mid $EVOJAX train $RUN --out "$T/m"
if [ -s "$T/m/checkpoint.npz" ] && [ ! -e "$T/m/final.npz" ]; then
	pass "the run keeps its last checkpoint"
else
	fail "the run keeps its last checkpoint" "$(ls "$T/m")"
fi
expect "resume after out of memory" 0 "" -- $EVOJAX train --resume "$T/m" --quiet
same "resume after out of memory ends as the uninterrupted run" "$T/full" "$T/m" \
	metrics.jsonl final.npz best.npz checkpoint.npz

done_testing

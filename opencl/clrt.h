/* clrt.h - the OpenCL runtime: device discovery and selection, one context
 * object passed explicitly (no globals), program build + cache, checked
 * calls with CL error names, buffers and launches.
 *
 * Nothing here is PoCL-specific: the same code must run on NVIDIA, AMD and
 * Intel drivers.  Every CL failure becomes an ej_err with EJ_EXIT_DEVICE and
 * a message naming the call, the CL error name and the source location, e.g.
 *   "clCreateKernel failed: CL_INVALID_KERNEL_NAME (opencl/clrt.c:210)"
 * and a device out of memory, wherever the driver reports it, what needed
 * the memory (clrt_fail_on):
 *   "device out of memory: launching kernel 'rollout' (global 8192,
 *    local 1) on device '...' (...): CL_OUT_OF_RESOURCES (...)"
 */
#ifndef EJ_CLRT_H
#define EJ_CLRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <CL/cl.h>

#include "core/err.h"

typedef struct clrt clrt;

/* CL error code -> "CL_OUT_OF_RESOURCES" etc.: every OpenCL 1.2 code, the
 * 2.x codes -69..-72 and -1001 CL_PLATFORM_NOT_FOUND_KHR; any other code
 * gives "CL_UNKNOWN_ERROR".  Never NULL; static storage. */
const char *clrt_errstr(cl_int code);

/* Record a CL failure with EJ_EXIT_DEVICE: returns -1.  The message is
 * "<fn> failed: <NAME> (<file>:<line>)" where <fn> is 'call' up to its
 * first '(' ("clFinish(q)" -> "clFinish"); unknown codes read
 * "CL_UNKNOWN_ERROR(<code>)". */
int clrt_fail(ej_err *err, cl_int code, const char *call, const char *file,
	      int line);
/* Evaluate a CL call returning cl_int; on failure fill err and `return -1`
 * from the enclosing function. */
#define CLRT_TRY(err, call)                                                  \
	do {                                                                 \
		cl_int clrt_rc_ = (call);                                    \
		if (clrt_rc_ != CL_SUCCESS)                                  \
			return clrt_fail((err), clrt_rc_, #call, __FILE__,   \
					 __LINE__);                          \
	} while (0)

/* The codes with which a device out of memory surfaces, at clCreateBuffer
 * or, on drivers that allocate lazily (NVIDIA, AMD), at the first
 * transfer, launch or clFinish that needs the memory:
 * CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES,
 * CL_OUT_OF_HOST_MEMORY. */
bool clrt_is_oom(cl_int code);
/* Record the failure of 'call' (a CL function, or a library enqueueing
 * on rt's queue such as CLBlast) while doing 'what' on rt, with
 * EJ_EXIT_DEVICE; returns -1.  'what' names the buffer or kernel and its
 * size ("launching kernel 'k' (global 4096, local 0)").  An
 * out-of-memory code (clrt_is_oom) reads
 *   "device out of memory: <what> on device '<name>' (<G> global memory,
 *    <M> per buffer): <NAME> (<call>, <file>:<line>)"
 * any other code "<what>: " + clrt_fail's message.  clrt_alloc,
 * clrt_write, clrt_read, clrt_launch and clrt_finish report through it. */
int clrt_fail_on(ej_err *err, const clrt *rt, cl_int code, const char *call,
		 const char *what, const char *file, int line);

/* `evojax devices`: print every platform and device with its index
 * ("0:1"), type, compute units, global/local memory, OpenCL C version.
 * Returns -1 with EJ_EXIT_DEVICE if no platform exists. */
int clrt_list(FILE *out, ej_err *err);

/* Open a device.  spec:
 *   ""/NULL/"auto"  first GPU if any, else first device of any type
 *   "N"             N-th device counting over all platforms (as listed)
 *   "P:D"           device D of platform P
 *   other text      first device whose "<platform name> <device name>"
 *                   contains it (case-insensitive)
 * No platform/device, or a spec that matches nothing, gives EJ_EXIT_DEVICE
 * with a message listing what exists. */
clrt *clrt_create(const char *spec, ej_err *err);
void clrt_free(clrt *rt);

/* Open every device 'spec' names (a population split over them:
 * core/split.h): a comma-separated list of items, each one of the forms
 * above or
 *   "all"               every device, in listing order
 *   "gpu:*" / "cpu:*"   every GPU / every CPU device, in listing order
 * ("auto" and "N" give one device, as clrt_create; a name substring
 * cannot contain ',').  An item that matches nothing, or a device named
 * twice, gives EJ_EXIT_DEVICE with the list of devices.  *rts (*n of
 * them, one context and queue each) belongs to the caller:
 * clrt_free_set. */
int clrt_create_set(const char *spec, clrt ***rts, size_t *n, ej_err *err);
void clrt_free_set(clrt **rts, size_t n);

cl_context clrt_context(const clrt *rt);
cl_command_queue clrt_queue(const clrt *rt);
cl_device_id clrt_device(const clrt *rt);
const char *clrt_device_name(const clrt *rt); /* "pthread-haswell-AMD EPYC" */
cl_device_type clrt_device_type(const clrt *rt);
unsigned clrt_compute_units(const clrt *rt);
/* Environments (or queries) per work-item for lane kernels (core/lanes.cl):
 * lanes 0 = auto: 16 on CPU devices (float16 SIMD lanes), 1 elsewhere;
 * 1, 2, 4, 8, 16 as given; anything else is an EJ_EXIT_USAGE error (-1). */
int clrt_pick_lanes(const clrt *rt, int lanes, ej_err *err);

/* Build (or fetch from the in-memory cache) a program from source strings
 * concatenated in order, with build options "-cl-std=CL1.2 <options>"
 * (options may be NULL).  The cache key is a hash of all sources + options
 * + device + driver version (the full text is compared on a hit); the
 * cache owns the program (released by clrt_free): do not release it.
 * On build failure (nothing is cached) the message is
 *   "building OpenCL program '<name>' failed: CL_BUILD_PROGRAM_FAILURE\n"
 * followed by the first 1500 bytes of the build log.  'name' is used in
 * messages only. */
cl_program clrt_program(clrt *rt, const char *name, const char *const *srcs,
			size_t n_srcs, const char *options, ej_err *err);

/* Create a kernel; the caller releases it with clReleaseKernel. */
cl_kernel clrt_kernel(clrt *rt, cl_program prog, const char *kname,
		      ej_err *err);

/* Set kernel arguments from a format string, one char per argument:
 *   'm' cl_mem   'i' int (cl_int)   'u' unsigned (cl_uint)
 *   'f' double passed as cl_float  'l' local memory: size_t bytes
 * e.g. clrt_args(k, err, "mmif", buf_a, buf_b, 3, 0.5).
 * Any other char fails (EJ_EXIT_RUN) before an argument is set; a CL
 * failure names the argument index and the kernel. */
int clrt_args(cl_kernel k, ej_err *err, const char *fmt, ...);

/* Buffers.  'name' says what the buffer holds ("rollout returns"), or
 * NULL.  clrt_alloc reports CL_MEM_OBJECT_ALLOCATION_FAILURE,
 * CL_OUT_OF_RESOURCES, CL_OUT_OF_HOST_MEMORY and CL_INVALID_BUFFER_SIZE
 * (more than the device allows in one buffer) as
 *   "device out of memory: allocating the 'rollout returns' buffer
 *    (351.6 MiB) on device
 *    '<name>' (1.0 GiB global memory, 256.0 MiB per buffer):
 *    CL_INVALID_BUFFER_SIZE (clCreateBuffer, opencl/clrt.c:<line>)"
 * (EJ_EXIT_DEVICE, clrt_fail_on).  bytes == 0 is an error ("zero-size
 * buffer ...").  Many drivers allocate lazily: a device out of memory may
 * surface only at the first write or launch, as the same "device out of
 * memory: ..." message naming the transfer or the kernel (see
 * clrt_write).  The caller releases the buffer with clReleaseMemObject. */
cl_mem clrt_alloc(clrt *rt, const char *name, size_t bytes,
		  cl_mem_flags flags, ej_err *err);
/* Grow *buf to hold 'need' elements of 'elem' bytes; *cap is its size in
 * elements (0 with *buf NULL at first).  A buffer already large enough is
 * kept as is (never shrinks, contents kept); otherwise the old one is
 * released and a new one of exactly need * elem bytes made (contents
 * undefined).  On failure (clrt_alloc's errors, or need * elem overflowing
 * size_t: EJ_EXIT_RUN) *buf is NULL and *cap 0.  The caller releases *buf
 * with clReleaseMemObject. */
int clrt_reserve(clrt *rt, const char *name, cl_mem *buf, size_t *cap,
		 size_t need, size_t elem, cl_mem_flags flags, ej_err *err);
/* Blocking transfers.  A failure (clrt_fail_on) says what moved where,
 * and the kernel launched last, which may be the one that failed:
 *   "writing 4.0 KiB to a buffer of 351.6 MiB (last kernel 'k', global
 *    4096)"; an out-of-memory code as "device out of memory: writing ...". */
int clrt_write(clrt *rt, cl_mem buf, size_t offset, size_t bytes,
	       const void *src, ej_err *err);
int clrt_read(clrt *rt, cl_mem buf, size_t offset, size_t bytes, void *dst,
	      ej_err *err);

/* Launch a 1-D kernel; local may be 0 (driver chooses).  When local > 0,
 * global must be a multiple of local (callers round up and guard the tail
 * in the kernel); otherwise it is an error.  global == 0 does nothing.
 * Non-blocking; clrt_finish waits for the queue.  Failures name the
 * kernel and its sizes: "launching kernel 'k' (global 4096, local 0)";
 * clrt_finish names the kernel launched last: "finishing the queue (last
 * kernel 'k', global 4096)" (clrt_fail_on). */
int clrt_launch(clrt *rt, cl_kernel k, size_t global, size_t local,
		ej_err *err);
int clrt_finish(clrt *rt, ej_err *err);

#endif

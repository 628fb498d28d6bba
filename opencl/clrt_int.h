/* clrt_int.h - what the files of the OpenCL runtime (clrt.c,
 * clrt_prog.c, clrt_err.c) share; not part of the interface (clrt.h). */
#ifndef EJ_CLRT_INT_H
#define EJ_CLRT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opencl/clrt.h"

#define CLRT_NAME_MAX 256
#define CLRT_PLATFORM_NOT_FOUND_KHR (-1001)

/* Record a failure of the CL function 'fn' that returned rc. */
#define CLRT_FAILED(err, rc, fn)                                             \
	clrt_fail((err), (rc), (fn), __FILE__, __LINE__)

struct clrt_prog {
	uint64_t hash;
	char *key; /* all sources + options, compared on hash hits */
	size_t key_len;
	cl_program prog;
};

struct clrt {
	cl_platform_id platform;
	cl_device_id device;
	cl_context ctx;
	cl_command_queue queue;
	cl_device_type type;
	cl_uint compute_units;
	char name[CLRT_NAME_MAX];
	char driver[CLRT_NAME_MAX];
	struct clrt_prog *progs; /* the program cache, n_progs entries */
	size_t n_progs, cap_progs;
	/* The kernel launched last ("" before any) and its global size:
	 * named when a later transfer or clFinish fails. */
	char last_kernel[CLRT_NAME_MAX];
	size_t last_global;
};

/* Copy src[0..n) into dst (size cap) without leading/trailing blanks. */
void clrt_copy_trimmed(char *dst, size_t cap, const char *src, size_t n);

/* "512 bytes", "4.0 KiB", "351.6 MiB", "21.5 GiB". */
void clrt_fmt_bytes(char *buf, size_t cap, double bytes);

/* " (last kernel 'k', global 4096)", or "" before the first launch. */
void clrt_last_kernel(const clrt *rt, char *buf, size_t cap);
/* What a failed transfer did: "writing 4.0 KiB to a buffer of 1.0 MiB
 * (last kernel 'k', global 4096)" ('write' false: "reading ... from"). */
void clrt_transfer_what(const clrt *rt, cl_mem buf, size_t bytes,
			bool write, char *what, size_t cap);

/* clrt_fail_on with the choice of the out-of-memory message made by the
 * caller (clrt_alloc counts CL_INVALID_BUFFER_SIZE in). */
int clrt_fail_mem(ej_err *err, const clrt *rt, cl_int code, bool oom,
		  const char *call, const char *what, const char *file,
		  int line);

#endif

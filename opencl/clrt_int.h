/* clrt_int.h - what the files of the OpenCL runtime (clrt.c,
 * clrt_prog.c, clrt_err.c) share; not part of the interface (clrt.h). */
#ifndef EJ_CLRT_INT_H
#define EJ_CLRT_INT_H

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
};

/* Copy src[0..n) into dst (size cap) without leading/trailing blanks. */
void clrt_copy_trimmed(char *dst, size_t cap, const char *src, size_t n);

#endif

/* clrt_err.c - OpenCL error names and the message of a failed CL call.
 * See clrt.h. */
#include "opencl/clrt.h"

#include <ctype.h>
#include <string.h>

#include "opencl/clrt_int.h"

/* ---- error names ------------------------------------------------------ */

struct clrt_errname {
	cl_int code;
	const char *name;
};

/* Every OpenCL 1.2 error code, the 2.x ones a newer driver may return, and
 * the ICD loader's "no platform". */
#define CLRT_E(x) { x, #x }
static const struct clrt_errname clrt_errnames[] = {
	CLRT_E(CL_SUCCESS),
	CLRT_E(CL_DEVICE_NOT_FOUND),
	CLRT_E(CL_DEVICE_NOT_AVAILABLE),
	CLRT_E(CL_COMPILER_NOT_AVAILABLE),
	CLRT_E(CL_MEM_OBJECT_ALLOCATION_FAILURE),
	CLRT_E(CL_OUT_OF_RESOURCES),
	CLRT_E(CL_OUT_OF_HOST_MEMORY),
	CLRT_E(CL_PROFILING_INFO_NOT_AVAILABLE),
	CLRT_E(CL_MEM_COPY_OVERLAP),
	CLRT_E(CL_IMAGE_FORMAT_MISMATCH),
	CLRT_E(CL_IMAGE_FORMAT_NOT_SUPPORTED),
	CLRT_E(CL_BUILD_PROGRAM_FAILURE),
	CLRT_E(CL_MAP_FAILURE),
	CLRT_E(CL_MISALIGNED_SUB_BUFFER_OFFSET),
	CLRT_E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST),
	CLRT_E(CL_COMPILE_PROGRAM_FAILURE),
	CLRT_E(CL_LINKER_NOT_AVAILABLE),
	CLRT_E(CL_LINK_PROGRAM_FAILURE),
	CLRT_E(CL_DEVICE_PARTITION_FAILED),
	CLRT_E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE),
	CLRT_E(CL_INVALID_VALUE),
	CLRT_E(CL_INVALID_DEVICE_TYPE),
	CLRT_E(CL_INVALID_PLATFORM),
	CLRT_E(CL_INVALID_DEVICE),
	CLRT_E(CL_INVALID_CONTEXT),
	CLRT_E(CL_INVALID_QUEUE_PROPERTIES),
	CLRT_E(CL_INVALID_COMMAND_QUEUE),
	CLRT_E(CL_INVALID_HOST_PTR),
	CLRT_E(CL_INVALID_MEM_OBJECT),
	CLRT_E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR),
	CLRT_E(CL_INVALID_IMAGE_SIZE),
	CLRT_E(CL_INVALID_SAMPLER),
	CLRT_E(CL_INVALID_BINARY),
	CLRT_E(CL_INVALID_BUILD_OPTIONS),
	CLRT_E(CL_INVALID_PROGRAM),
	CLRT_E(CL_INVALID_PROGRAM_EXECUTABLE),
	CLRT_E(CL_INVALID_KERNEL_NAME),
	CLRT_E(CL_INVALID_KERNEL_DEFINITION),
	CLRT_E(CL_INVALID_KERNEL),
	CLRT_E(CL_INVALID_ARG_INDEX),
	CLRT_E(CL_INVALID_ARG_VALUE),
	CLRT_E(CL_INVALID_ARG_SIZE),
	CLRT_E(CL_INVALID_KERNEL_ARGS),
	CLRT_E(CL_INVALID_WORK_DIMENSION),
	CLRT_E(CL_INVALID_WORK_GROUP_SIZE),
	CLRT_E(CL_INVALID_WORK_ITEM_SIZE),
	CLRT_E(CL_INVALID_GLOBAL_OFFSET),
	CLRT_E(CL_INVALID_EVENT_WAIT_LIST),
	CLRT_E(CL_INVALID_EVENT),
	CLRT_E(CL_INVALID_OPERATION),
	CLRT_E(CL_INVALID_GL_OBJECT),
	CLRT_E(CL_INVALID_BUFFER_SIZE),
	CLRT_E(CL_INVALID_MIP_LEVEL),
	CLRT_E(CL_INVALID_GLOBAL_WORK_SIZE),
	CLRT_E(CL_INVALID_PROPERTY),
	CLRT_E(CL_INVALID_IMAGE_DESCRIPTOR),
	CLRT_E(CL_INVALID_COMPILER_OPTIONS),
	CLRT_E(CL_INVALID_LINKER_OPTIONS),
	CLRT_E(CL_INVALID_DEVICE_PARTITION_COUNT),
	{ -69, "CL_INVALID_PIPE_SIZE" },
	{ -70, "CL_INVALID_DEVICE_QUEUE" },
	{ -71, "CL_INVALID_SPEC_ID" },
	{ -72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED" },
	{ CLRT_PLATFORM_NOT_FOUND_KHR, "CL_PLATFORM_NOT_FOUND_KHR" },
};
#undef CLRT_E

const char *clrt_errstr(cl_int code)
{
	size_t i;

	for (i = 0; i < sizeof(clrt_errnames) / sizeof(clrt_errnames[0]); i++)
		if (clrt_errnames[i].code == code)
			return clrt_errnames[i].name;
	return "CL_UNKNOWN_ERROR";
}

int clrt_fail(ej_err *err, cl_int code, const char *call, const char *file,
	      int line)
{
	const char *name = clrt_errstr(code);
	const char *paren;
	int len;

	/* "clFinish(rt->queue)" -> "clFinish" */
	while (isspace((unsigned char)*call))
		call++;
	paren = strchr(call, '(');
	len = (int)(paren ? (size_t)(paren - call) : strlen(call));
	while (len > 0 && isspace((unsigned char)call[len - 1]))
		len--;
	if (strcmp(name, "CL_UNKNOWN_ERROR") == 0)
		return ej_fail(err, EJ_EXIT_DEVICE,
			       "%.*s failed: CL_UNKNOWN_ERROR(%d) (%s:%d)", len,
			       call, (int)code, file, line);
	return ej_fail(err, EJ_EXIT_DEVICE, "%.*s failed: %s (%s:%d)", len,
		       call, name, file, line);
}

/* ---- commands that need device memory ---------------------------------- */

bool clrt_is_oom(cl_int code)
{
	return code == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
	       code == CL_OUT_OF_RESOURCES || code == CL_OUT_OF_HOST_MEMORY;
}

void clrt_fmt_bytes(char *buf, size_t cap, double bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	if (bytes < 1024.0) {
		snprintf(buf, cap, "%.0f bytes", bytes);
		return;
	}
	while (bytes >= 1024.0 && u < 3) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, cap, "%.1f %s", bytes, unit[u]);
}

/* " (21.5 GiB global memory, 5.4 GiB per buffer)", or "" if the device
 * does not say. */
static void clrt_mem_note(const clrt *rt, char *buf, size_t cap)
{
	cl_ulong gmem = 0, amax = 0;
	char g[32], a[32];

	buf[0] = '\0';
	if (clGetDeviceInfo(rt->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(gmem),
			    &gmem, NULL) != CL_SUCCESS ||
	    clGetDeviceInfo(rt->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE,
			    sizeof(amax), &amax, NULL) != CL_SUCCESS)
		return;
	clrt_fmt_bytes(g, sizeof(g), (double)gmem);
	clrt_fmt_bytes(a, sizeof(a), (double)amax);
	snprintf(buf, cap, " (%s global memory, %s per buffer)", g, a);
}

/* " (last kernel 'k', global 4096)", or "" before the first launch. */
void clrt_last_kernel(const clrt *rt, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (rt->last_kernel[0])
		snprintf(buf, cap, " (last kernel '%s', global %zu)",
			 rt->last_kernel, rt->last_global);
}

/* What a failed transfer did: "writing 4.0 KiB to a buffer of 1.0 MiB
 * (last kernel 'k', global 4096)". */
void clrt_transfer_what(const clrt *rt, cl_mem buf, size_t bytes,
			bool write, char *what, size_t cap)
{
	char b[32], total[32] = "?", last[CLRT_NAME_MAX + 48];
	size_t size = 0;

	clrt_fmt_bytes(b, sizeof(b), (double)bytes);
	if (clGetMemObjectInfo(buf, CL_MEM_SIZE, sizeof(size), &size, NULL) ==
	    CL_SUCCESS)
		clrt_fmt_bytes(total, sizeof(total), (double)size);
	clrt_last_kernel(rt, last, sizeof(last));
	snprintf(what, cap, "%s %s %s a buffer of %s%s",
		 write ? "writing" : "reading", b, write ? "to" : "from", total,
		 last);
}

int clrt_fail_mem(ej_err *err, const clrt *rt, cl_int code, bool oom,
		  const char *call, const char *what, const char *file,
		  int line)
{
	char note[96];

	if (!oom) {
		clrt_fail(err, code, call, file, line);
		return ej_prefix(err, "%s: ", what);
	}
	clrt_mem_note(rt, note, sizeof(note));
	return ej_fail(err, EJ_EXIT_DEVICE,
		       "device out of memory: %s on device '%s'%s: %s (%s, "
		       "%s:%d)",
		       what, rt->name, note, clrt_errstr(code), call, file,
		       line);
}

int clrt_fail_on(ej_err *err, const clrt *rt, cl_int code, const char *call,
		 const char *what, const char *file, int line)
{
	return clrt_fail_mem(err, rt, code, clrt_is_oom(code), call, what, file,
			     line);
}

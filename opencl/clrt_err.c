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

#include "err.h"

#include <stdio.h>
#include <string.h>

int ej_vfail(ej_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int ej_fail(ej_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ej_vfail(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int ej_prefix(ej_err *err, const char *fmt, ...)
{
	char head[EJ_ERR_MSG_MAX], old[EJ_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		size_t n = strlen(head);

		if (n >= sizeof(err->msg))
			n = sizeof(err->msg) - 1;
		memcpy(err->msg, head, n);
		memcpy(err->msg + n, old,
		       strnlen(old, sizeof(err->msg) - 1 - n));
		err->msg[n + strnlen(old, sizeof(err->msg) - 1 - n)] = '\0';
	}
	return -1;
}

void ej_err_clear(ej_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

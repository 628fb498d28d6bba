#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How far ej_fit looks for a '/' to cut a path at. */
#define EJ_FIT_SLASH 64

void ej_fit(char *dst, size_t cap, const char *src, size_t len)
{
	static const char dots[] = "...";
	size_t head, tail;

	if (cap == 0)
		return;
	if (len < cap || cap < sizeof(dots) + 2) { /* fits, or no middle */
		if (len >= cap)
			len = cap - 1;
		memmove(dst, src, len);
		dst[len] = '\0';
		return;
	}
	head = (cap - sizeof(dots)) / 2;
	tail = cap - sizeof(dots) - head;
	/* a path loses whole names ("/a/.../z") when a '/' is near */
	for (size_t i = 1; i <= EJ_FIT_SLASH && i < head; i++)
		if (src[head - i] == '/') {
			head -= i - 1;
			break;
		}
	for (size_t i = 0; i <= EJ_FIT_SLASH && i < tail; i++)
		if (src[len - tail + i] == '/') {
			tail -= i;
			break;
		}
	/* no half characters: UTF-8 continuation bytes are 10xxxxxx */
	while (head > 0 && (src[head] & 0xC0) == 0x80)
		head--;
	while (tail > 0 && (src[len - tail] & 0xC0) == 0x80)
		tail--;
	memmove(dst, src, head);
	memcpy(dst + head, dots, sizeof(dots) - 1);
	memmove(dst + head + sizeof(dots) - 1, src + len - tail, tail);
	dst[head + sizeof(dots) - 1 + tail] = '\0';
}

int ej_vfail(ej_err *err, int code, const char *fmt, va_list ap)
{
	va_list again;
	char *buf;
	int n;

	if (!err)
		return -1;
	err->code = code;
	va_copy(again, ap);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/* too long: once more on the heap, then its middle goes (out of
	 * memory: vsnprintf's cut at the end stays) */
	if (n >= (int)sizeof(err->msg) && (buf = malloc((size_t)n + 1))) {
		vsnprintf(buf, (size_t)n + 1, fmt, again);
		ej_fit(err->msg, sizeof(err->msg), buf, (size_t)n);
		free(buf);
	}
	va_end(again);
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
	size_t old;
	char *buf;
	va_list ap;
	int n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	old = strnlen(err->msg, sizeof(err->msg) - 1);
	/* out of memory: the message stays, without the context */
	if (n < 0 || !(buf = malloc((size_t)n + old + 1)))
		return -1;
	va_start(ap, fmt);
	vsnprintf(buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	memcpy(buf + n, err->msg, old);
	ej_fit(err->msg, sizeof(err->msg), buf, (size_t)n + old);
	free(buf);
	return -1;
}

void ej_err_clear(ej_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

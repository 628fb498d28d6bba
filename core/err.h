/* err.h - error status shared by every library module.
 *
 * Library code never prints and never exits: it returns -1 (or NULL) and
 * fills an ej_err with an exit code class and a message.  Only cmd/ prints
 * the message and exits with err.code.
 *
 * Message style (git): lowercase, what is wrong first, the subject in
 * quotes, no full stop; config problems start with "file:line:col: ".
 */
#ifndef EJ_ERR_H
#define EJ_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Process exit codes (DESIGN.md). */
enum ej_exit {
	EJ_EXIT_OK = 0,
	EJ_EXIT_RUN = 1,     /* the run failed (NaN fitness, I/O, ...) */
	EJ_EXIT_USAGE = 2,   /* bad command line or config */
	EJ_EXIT_DEVICE = 3,  /* no OpenCL device, CL error, device OOM */
	EJ_EXIT_INTERRUPT = 130,
};

#define EJ_ERR_MSG_MAX 2048

typedef struct ej_err {
	int code;                 /* enum ej_exit; 0 while no error */
	char msg[EJ_ERR_MSG_MAX];
} ej_err;

/* Record an error and return -1.  err may be NULL (error discarded).
 * A message longer than EJ_ERR_MSG_MAX - 1 bytes (a very long path in
 * it) loses its middle, not its end, where the cause is ("...: No such
 * file or directory"): see ej_fit. */
int ej_fail(ej_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ej_vfail(ej_err *err, int code, const char *fmt, va_list ap);

/* Prepend context ("loading 'x': ") to an existing message; returns -1.
 * Too long, the whole loses its middle as in ej_fail. */
int ej_prefix(ej_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy src[0..len) into dst (cap > 0 bytes, NUL-terminated).  A text that
 * does not fit keeps its start and its end, each about half of dst,
 * around "...", cut between UTF-8 characters:
 * "/very/long/path/.../tail/x.yaml': No such file or directory". */
void ej_fit(char *dst, size_t cap, const char *src, size_t len);

void ej_err_clear(ej_err *err);

#endif

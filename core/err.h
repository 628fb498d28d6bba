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

/* Record an error and return -1.  err may be NULL (error discarded). */
int ej_fail(ej_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ej_vfail(ej_err *err, int code, const char *fmt, va_list ap);

/* Prepend context ("loading 'x': ") to an existing message; returns -1. */
int ej_prefix(ej_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void ej_err_clear(ej_err *err);

#endif

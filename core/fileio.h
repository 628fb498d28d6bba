/* fileio.h - small file helpers: atomic writes, whole-file reads, mkdir -p.
 *
 * Errors are EJ_EXIT_RUN with git-style messages:
 *   "cannot write 'path': <strerror>", "cannot read 'path': <strerror>",
 *   "cannot create directory 'path': <strerror>".
 */
#ifndef EJ_FILEIO_H
#define EJ_FILEIO_H

#include <stddef.h>

#include "core/err.h"

/* Write buf to path via "path.tmp.PID" (same directory), fsync, rename,
 * fsync(dir).  On failure the temp file is removed and a file already at
 * 'path' is left untouched (a failure of the final directory fsync is
 * reported, though the new content is then in place; filesystems that
 * cannot fsync directories (EINVAL) are accepted). */
int fio_write_atomic(const char *path, const void *buf, size_t len,
		     ej_err *err);
/* Refuse what cannot be read as data: 'path' must be a regular file (not
 * a FIFO, a device such as /dev/zero, a directory; symlinks are followed)
 * of at most max_bytes.  Errors with 'code', 'what' ("config" or "")
 * naming the kind of file: "cannot read config 'path': not a regular
 * file", "cannot read 'path': Is a directory", "cannot read 'path': 9.0
 * GiB, more than the 8.0 GiB allowed".  A missing file passes (the
 * caller's open reports it). */
int fio_check_regular(const char *path, const char *what, double max_bytes,
		      int code, ej_err *err);
#define FIO_MAX_READ 8589934592.0 /* 8 GiB: fio_read_all's limit */
/* Read a whole regular file of at most FIO_MAX_READ bytes; *out is
 * malloc'd (caller frees) and NUL-terminated after *len bytes (the content
 * may hold NULs).  len may be NULL.  On error *out is NULL. */
int fio_read_all(const char *path, char **out, size_t *len, ej_err *err);
/* mkdir -p (mode 0755): existing directories are fine; a component that
 * exists but is not a directory is an error ("cannot create directory
 * 'a/f/b': 'a/f' exists and is not a directory"). */
int fio_mkdirs(const char *path, ej_err *err);

#endif

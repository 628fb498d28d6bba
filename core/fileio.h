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
/* Read a whole file; *out is malloc'd (caller frees) and NUL-terminated
 * after *len bytes (the content may hold NULs).  len may be NULL.  On error
 * *out is NULL. */
int fio_read_all(const char *path, char **out, size_t *len, ej_err *err);
/* mkdir -p (mode 0755): existing directories are fine; a component that
 * exists but is not a directory is an error ("cannot create directory
 * 'a/f/b': 'a/f' exists and is not a directory"). */
int fio_mkdirs(const char *path, ej_err *err);

#endif

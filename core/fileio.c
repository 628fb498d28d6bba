/* fileio.c - atomic writes, whole-file reads, mkdir -p (see fileio.h). */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define FIO_CHUNK ((size_t)1 << 30) /* largest single read()/write() */

/* ---- fio_write_atomic --------------------------------------------------- */

static int fio_write_fd(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		size_t n = len < FIO_CHUNK ? len : FIO_CHUNK;
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* "dir/name" -> "dir", "name" -> ".", "/name" -> "/" (malloc'd). */
static char *fio_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;
	char *dir;

	if (!slash)
		return strdup(".");
	n = slash == path ? 1 : (size_t)(slash - path);
	dir = malloc(n + 1);
	if (!dir)
		return NULL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return dir;
}

/* Make the rename durable.  Filesystems that cannot fsync a directory
 * (EINVAL) are accepted. */
static int fio_sync_dir(const char *path)
{
	char *dir = fio_dirname(path);
	int fd, rc, saved;

	if (!dir) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	if (rc < 0 && saved == EINVAL)
		rc = 0;
	errno = saved;
	return rc;
}

/* Write, fsync and close the temp file; on failure errno is set and the
 * file is closed. */
static int fio_fill_tmp(int fd, const void *buf, size_t len)
{
	int saved;

	if (fio_write_fd(fd, buf, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

int fio_write_atomic(const char *path, const void *buf, size_t len,
		     ej_err *err)
{
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	int fd, saved;

	if (!tmp)
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			       strerror(ENOMEM));
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			       strerror(saved));
	}
	if (fio_fill_tmp(fd, buf, len) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		free(tmp);
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			       strerror(saved));
	}
	free(tmp);
	if (fio_sync_dir(path) < 0)
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': %s", path,
			       strerror(errno));
	return 0;
}

/* ---- fio_read_all ------------------------------------------------------- */

/* 'hint' (the file size, when known) + 2 bytes: the NUL and one spare byte,
 * so a file of the expected size is read without growing the buffer. */
static int fio_read_fd(int fd, size_t hint, char **out, size_t *len)
{
	size_t cap = hint + 2, n = 0;
	char *buf = malloc(cap);

	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		size_t room;
		ssize_t r;

		if (n + 1 == cap) {
			char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		room = cap - 1 - n;
		r = read(fd, buf + n, room < FIO_CHUNK ? room : FIO_CHUNK);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int fio_check_stat(const char *path, const char *what,
			  const struct stat *st, double max_bytes, int code,
			  ej_err *err)
{
	const char *sp = what[0] ? " " : "";

	if (S_ISDIR(st->st_mode))
		return ej_fail(err, code, "cannot read %s%s'%s': %s", what, sp,
			       path, strerror(EISDIR));
	if (!S_ISREG(st->st_mode))
		return ej_fail(err, code,
			       "cannot read %s%s'%s': not a regular file", what,
			       sp, path);
	if ((double)st->st_size > max_bytes)
		return ej_fail(err, code,
			       "cannot read %s%s'%s': %.1f GiB, more than the %.1f GiB allowed",
			       what, sp, path,
			       (double)st->st_size / 1073741824.0,
			       max_bytes / 1073741824.0);
	return 0;
}

int fio_check_regular(const char *path, const char *what, double max_bytes,
		      int code, ej_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return fio_check_stat(path, what, &st, max_bytes, code, err);
}

int fio_read_all(const char *path, char **out, size_t *len, ej_err *err)
{
	struct stat st;
	size_t hint = 4096, got = 0;
	int fd, rc, saved;

	*out = NULL;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ej_fail(err, EJ_EXIT_RUN, "cannot read '%s': %s", path,
			       strerror(errno));
	if (fstat(fd, &st) < 0 ||
	    fio_check_stat(path, "", &st, FIO_MAX_READ, EJ_EXIT_RUN, err) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		if (!err->msg[0])
			ej_fail(err, EJ_EXIT_RUN, "cannot read '%s': %s", path,
				strerror(errno));
		close(fd);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX - 2)
		hint = (size_t)st.st_size;
	rc = fio_read_fd(fd, hint, out, &got);
	saved = errno;
	close(fd);
	if (rc < 0)
		return ej_fail(err, EJ_EXIT_RUN, "cannot read '%s': %s", path,
			       strerror(saved));
	if (len)
		*len = got;
	return 0;
}

/* ---- fio_mkdirs --------------------------------------------------------- */

/* mkdir one prefix 'dir' of 'path'; an existing directory is fine. */
static int fio_mkdir_one(const char *path, const char *dir, ej_err *err)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot create directory '%s': %s", dir,
			       strerror(errno));
	if (stat(dir, &st) < 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot create directory '%s': %s", dir,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot create directory '%s': '%s' exists and "
			       "is not a directory", path, dir);
	return 0;
}

int fio_mkdirs(const char *path, ej_err *err)
{
	size_t n = strlen(path);
	char *dir;
	int rc = 0;

	if (n == 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot create directory '': empty path");
	dir = strdup(path);
	if (!dir)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot create directory '%s': %s", path,
			       strerror(ENOMEM));
	for (size_t i = 1; i <= n && rc == 0; i++) {
		if (i < n && dir[i] != '/')
			continue;
		if (dir[i - 1] == '/')
			continue; /* "a//b", trailing '/' */
		dir[i] = '\0';
		rc = fio_mkdir_one(path, dir, err);
		if (i < n)
			dir[i] = '/';
	}
	free(dir);
	return rc;
}

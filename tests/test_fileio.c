/* test_fileio.c - file helpers (core/fileio.c): fio_write_atomic
 * (replaces the file whole or leaves it as it was, no temp file left),
 * fio_read_all (length, not strlen; NUL-terminated) and fio_mkdirs, with
 * their exact messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/npztest.h"
#include "tests/testutil.h"

#include "core/fileio.h"

static void test_write_atomic_replaces(void **state)
{
	tu_tmp *f = *state;
	char path[256], list[512], *got;
	size_t len;
	ej_err err = { 0 };

	nt_path(f, "out.txt", path, sizeof(path));
	assert_int_equal(fio_write_atomic(path, "old contents", 12, &err), 0);
	assert_int_equal(fio_write_atomic(path, "new", 3, &err), 0);
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, 3);
	assert_string_equal(got, "new");
	free(got);
	nt_listing(f, list, sizeof(list));
	assert_string_equal(list, "out.txt"); /* no temp file left */

	assert_int_equal(fio_write_atomic(path, "", 0, &err), 0);
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(got, "");
	free(got);
}

static void test_write_atomic_failures(void **state)
{
	tu_tmp *f = *state;
	char path[256], tmp[300], dir[256], msg[1024], list[512], *got;
	size_t len;
	ej_err err = { 0 };

	/* the temp name is taken by a directory: open fails, old file kept */
	nt_path(f, "keep.txt", path, sizeof(path));
	assert_int_equal(fio_write_atomic(path, "precious", 8, &err), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(mkdir(tmp, 0755), 0);
	assert_int_equal(fio_write_atomic(path, "junk", 4, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "cannot write '%s': Is a directory", path);
	assert_string_equal(err.msg, msg);
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_string_equal(got, "precious");
	free(got);
	assert_int_equal(rmdir(tmp), 0);

	/* rename onto a non-empty directory fails: temp file removed */
	nt_path(f, "d", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	nt_path(f, "d/x", path, sizeof(path));
	assert_int_equal(fio_write_atomic(path, "x", 1, &err), 0);
	assert_int_equal(fio_write_atomic(dir, "y", 1, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': Is a directory", dir);
	assert_string_equal(err.msg, msg);
	nt_listing(f, list, sizeof(list));
	assert_string_equal(list, "d keep.txt");

	/* missing directory */
	nt_path(f, "nodir/x", path, sizeof(path));
	assert_int_equal(fio_write_atomic(path, "x", 1, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': No such file or "
		 "directory", path);
	assert_string_equal(err.msg, msg);
}

static void test_read_all(void **state)
{
	tu_tmp *f = *state;
	char path[256], msg[1024], *got;
	unsigned char big[10000];
	size_t len = 99;
	ej_err err = { 0 };

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 31 + 7);
	big[100] = 0; /* embedded NUL: length, not strlen */
	nt_put_file(nt_path(f, "big", path, sizeof(path)), big, sizeof(big));
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	assert_int_equal(got[len], '\0');
	free(got);

	nt_put_file(nt_path(f, "empty", path, sizeof(path)), "", 0);
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_non_null(got);
	assert_int_equal(got[0], '\0');
	free(got);

	got = (char *)path;
	assert_int_equal(fio_read_all(nt_path(f, "none", path, sizeof(path)),
				      &got, &len, &err), -1);
	assert_null(got);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "cannot read '%s': No such file or "
		 "directory", path);
	assert_string_equal(err.msg, msg);

	assert_int_equal(fio_read_all(f->dir, &got, &len, &err), -1);
	snprintf(msg, sizeof(msg), "cannot read '%s': Is a directory", f->dir);
	assert_string_equal(err.msg, msg);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_mkdirs(void **state)
{
	tu_tmp *f = *state;
	char path[256], file[256], msg[1024];
	ej_err err = { 0 };

	assert_int_equal(fio_mkdirs(nt_path(f, "a/b/c", path, sizeof(path)),
				    &err), 0);
	assert_true(is_dir(path));
	assert_int_equal(fio_mkdirs(path, &err), 0); /* exists: fine */
	assert_int_equal(fio_mkdirs(nt_path(f, "a//b/d/", path, sizeof(path)),
				    &err), 0);
	assert_true(is_dir(nt_path(f, "a/b/d", path, sizeof(path))));
	assert_int_equal(fio_mkdirs(f->dir, &err), 0);
	assert_int_equal(fio_mkdirs("/", &err), 0);

	nt_put_file(nt_path(f, "a/file", file, sizeof(file)), "x", 1);
	assert_int_equal(fio_mkdirs(nt_path(f, "a/file/sub", path,
					    sizeof(path)), &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "cannot create directory '%s': '%s' exists "
		 "and is not a directory", path, file);
	assert_string_equal(err.msg, msg);
	assert_int_equal(fio_mkdirs(file, &err), -1);
	snprintf(msg, sizeof(msg), "cannot create directory '%s': '%s' exists "
		 "and is not a directory", file, file);
	assert_string_equal(err.msg, msg);

	assert_int_equal(fio_mkdirs("", &err), -1);
	assert_string_equal(err.msg, "cannot create directory '': empty path");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_tmp_setup, tu_tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_write_atomic_replaces),
		T(test_write_atomic_failures),
		T(test_read_all),
		T(test_mkdirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

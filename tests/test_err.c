/* test_err.c - error status (core/err.c): a message longer than the
 * EJ_ERR_MSG_MAX cap loses its middle, never its end, where the cause is
 * (strerror's text after a very long path); paths lose whole names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"

#define assert_ends_with(s, tail)                                            \
	do {                                                                 \
		size_t ls_ = strlen(s), lt_ = strlen(tail);                  \
		if (ls_ < lt_ || strcmp((s) + ls_ - lt_, (tail)) != 0)      \
			fail_msg("'%s' does not end with '%s'", (s), (tail)); \
	} while (0)

/* "/tmp/dir1-xxxx/dir2-xxxx/.../none.yaml", about 'len' bytes. */
static char *long_path(size_t len)
{
	char *p = malloc(len + 64);
	size_t n = 0;

	assert_non_null(p);
	n += (size_t)sprintf(p, "/tmp");
	for (int i = 1; n < len; i++)
		n += (size_t)sprintf(p + n, "/dir%d-xxxxxxxxxxxxxxxxxxxx", i);
	sprintf(p + n, "/none.yaml");
	return p;
}

static void test_short_unchanged(void **state)
{
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(ej_fail(&err, EJ_EXIT_USAGE, "bad '%s': %d", "x", 7),
			 -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "bad 'x': 7");
	assert_int_equal(ej_prefix(&err, "loading '%s': ", "y"), -1);
	assert_string_equal(err.msg, "loading 'y': bad 'x': 7");
	assert_int_equal(ej_fail(NULL, 1, "x"), -1);
	assert_int_equal(ej_prefix(NULL, "x"), -1);
}

/* A 4000-byte path: the message keeps its start and the strerror text,
 * the path loses names in its middle ("/dirN-.../.../dirM-..."). */
static void test_long_path_keeps_cause(void **state)
{
	char *path = long_path(4000);
	const char *cause = strerror(ENOENT);
	char tail[128];
	ej_err err = { 0 };
	const char *dots;

	(void)state;
	ej_fail(&err, EJ_EXIT_USAGE, "cannot open config '%s': %s", path,
		cause);
	assert_true(strlen(err.msg) < EJ_ERR_MSG_MAX);
	assert_true(strlen(err.msg) > EJ_ERR_MSG_MAX - 80);
	assert_int_equal(strncmp(err.msg, "cannot open config '/tmp/dir1-", 30),
			 0);
	snprintf(tail, sizeof(tail), "/none.yaml': %s", cause);
	assert_ends_with(err.msg, tail);
	dots = strstr(err.msg, "/.../");
	assert_non_null(dots);
	assert_null(strstr(dots + 4, "..."));
	/* both sides of the cut are whole names of the path */
	assert_memory_equal(dots + 5, "dir", 3);
	/* context prepended to a full message: the end stays too */
	ej_prefix(&err, "run '%s': ", path);
	assert_true(strlen(err.msg) < EJ_ERR_MSG_MAX);
	assert_int_equal(strncmp(err.msg, "run '/tmp/dir1-", 15), 0);
	assert_ends_with(err.msg, tail);
	free(path);
}

/* No '/' near the cut: cut anywhere, but never inside a UTF-8 character
 * ("é" is 2 bytes: the kept halves hold whole ones). */
static void test_cut_utf8(void **state)
{
	size_t n = 3000;
	char *s = malloc(2 * n + 1);
	ej_err err = { 0 };
	const char *dots;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[2 * n] = '\0';
	ej_fail(&err, EJ_EXIT_RUN, "x%sy", s);
	dots = strstr(err.msg, "...");
	assert_non_null(dots);
	assert_int_equal((dots - err.msg - 1) % 2, 0);
	assert_int_equal(strlen(dots + 3 + 0) % 2, 1); /* "é"s then "y" */
	assert_int_equal((unsigned char)dots[3], 0xc3);
	assert_int_equal(err.msg[0], 'x');
	assert_ends_with(err.msg, "\xc3\xa9y");
	free(s);
}

static void test_fit(void **state)
{
	char buf[16];

	(void)state;
	ej_fit(buf, sizeof(buf), "short", 5);
	assert_string_equal(buf, "short");
	ej_fit(buf, sizeof(buf), "abcdefghijklmnopqrstuvwxyz", 26);
	assert_string_equal(buf, "abcdef...uvwxyz");
	ej_fit(buf, sizeof(buf), "/aa/bb/cc/dd/ee/ff/gg", 21);
	assert_string_equal(buf, "/aa/.../ff/gg");
	ej_fit(buf, 4, "abcdef", 6); /* no room for a middle: the start */
	assert_string_equal(buf, "abc");
	ej_fit(buf, 1, "abc", 3);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_unchanged),
		cmocka_unit_test(test_long_path_keeps_cause),
		cmocka_unit_test(test_cut_utf8),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

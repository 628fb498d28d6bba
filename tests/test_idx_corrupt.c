/* test_idx_corrupt.c - IDX dataset reader (core/idx.c): broken files.
 *
 * One broken file per failure mode, built byte by byte in a fresh temp
 * directory (idxtest.h), plain and gzipped: bad magic, wrong type or
 * dimension count, truncated header or data, trailing bytes, corrupt
 * gzip streams (every cut point and flipped byte), zero and huge sizes,
 * files that cannot be opened and broken image/label pairs.  Each failure
 * must give its exact message.  Good files are in test_idx.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/idxtest.h"
#include "tests/testutil.h"

#include "core/idx.h"

/* Load one file, expect failure with message "'<path>': <tail>". */
static void expect_file_err(const char *path, int type, int ndim,
			    const char *tail)
{
	ej_err err = { 0 };
	char want[1024];
	idx_array a;

	assert_int_equal(idx_load_file(path, type, ndim, &a, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_null(a.data);
	snprintf(want, sizeof(want), "'%s': %s", path, tail);
	assert_string_equal(err.msg, want);
}

/* Write bytes plain to <dir>/file and expect the error. */
static void expect_bytes_err(const tu_tmp *t, const it_fbuf *f, int type,
			     int ndim, const char *tail)
{
	it_put_file(t->path, f->b, f->n);
	expect_file_err(t->path, type, ndim, tail);
}

/* ---- broken files ------------------------------------------------------- */

static void test_bad_magic(void **state)
{
	tu_tmp *t = *state;
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	f.b[1] = 0x01;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "bad magic number 0x00010803 (expected 0x00000803 "
			 "for 3-D unsigned bytes)");
	memset(f.b, 0, 4); /* a zero-filled file */
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "bad magic number 0x00000000 (expected 0x00000803 "
			 "for 3-D unsigned bytes)");
	f.b[2] = 0x0a; /* not an IDX type code */
	f.b[3] = 0x01;
	expect_bytes_err(t, &f, IDX_U8, 1,
			 "bad magic number 0x00000a01 (expected 0x00000801 "
			 "for 1-D unsigned bytes)");
	expect_bytes_err(t, &f, IDX_ANY, 0,
			 "bad magic number 0x00000a01 (expected 0x0000TTNN, "
			 "NN >= 1)");
	expect_bytes_err(t, &f, IDX_ANY, 2,
			 "bad magic number 0x00000a01 (expected 0x0000TT02 "
			 "for 2-D data)");
	memcpy(f.b, "\x1f\x8a\x08\x03", 4); /* almost gzip: plain IDX read */
	expect_bytes_err(t, &f, IDX_U8, 0,
			 "bad magic number 0x1f8a0803 (expected 0x000008NN "
			 "for unsigned bytes)");
}

static void test_wrong_type_and_ndim(void **state)
{
	tu_tmp *t = *state;
	char p[256];
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	f.b[2] = 0x0d;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "wrong type code 0x0d (32-bit floats) in magic "
			 "number 0x00000d03 (expected 0x00000803 for 3-D "
			 "unsigned bytes)");
	/* a label file where images are expected, gzipped */
	it_fb_labels(&f, IT_N_IMG, it_labels5);
	it_put_gz(it_path(t, "l.gz", p, sizeof(p)), f.b, f.n);
	expect_file_err(p, IDX_U8, 3,
			"wrong dimension count 1 in magic number 0x00000801 "
			"(expected 0x00000803 for 3-D unsigned bytes)");
	/* zero dimensions is never valid */
	it_fb_header(&f, 0x08, 0, NULL);
	expect_bytes_err(t, &f, IDX_ANY, 0,
			 "wrong dimension count 0 in magic number 0x00000800 "
			 "(expected 0x0000TTNN, NN >= 1)");
}

static void test_truncated_header(void **state)
{
	tu_tmp *t = *state;
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	f.n = 0;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "truncated header: file has 0 bytes, an IDX header "
			 "has at least 4");
	f.n = 3;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "truncated header: file has 3 bytes, an IDX header "
			 "has at least 4");
	f.n = 10;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "truncated header: file has 10 bytes, the header of "
			 "a 3-D IDX file has 16");
	it_put_gz(t->path, f.b, 15);
	expect_file_err(t->path, IDX_U8, 3,
			"truncated header: file has 15 bytes, the header of "
			"a 3-D IDX file has 16");
}

static void test_truncated_data(void **state)
{
	tu_tmp *t = *state;
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	f.n--;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "truncated: header says 5 x 3 x 4 = 60 bytes of "
			 "data, file has 59");
	it_put_gz(t->path, f.b, 16);
	expect_file_err(t->path, IDX_U8, 3,
			"truncated: header says 5 x 3 x 4 = 60 bytes of "
			"data, file has 0");
	it_fb_labels(&f, IT_N_IMG, it_labels5);
	it_put_gz(t->path, f.b, f.n - 2);
	expect_file_err(t->path, IDX_U8, 1,
			"truncated: header says 5 bytes of data, file has 3");
	/* the header claims the 2^31-byte maximum: refused once the file
	 * ends, without having allocated 2 GiB first (ASan would say) */
	{
		const uint32_t d[2] = { 2, 1u << 30 };

		it_fb_header(&f, 0x08, 2, d);
		it_fb_put(&f, "abc", 3);
		expect_bytes_err(t, &f, IDX_ANY, 0,
				 "truncated: header says 2 x 1073741824 = "
				 "2147483648 bytes of data, file has 3");
	}
	{
		const uint32_t d[1] = { 3 };

		it_fb_header(&f, 0x0C, 1, d);
		it_fb_put(&f, "abcdefgh", 8);
		expect_bytes_err(t, &f, IDX_ANY, 1,
				 "truncated: header says 3 32-bit integers = "
				 "12 bytes of data, file has 8");
	}
}

static void test_trailing(void **state)
{
	tu_tmp *t = *state;
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	it_fb_put(&f, "xyz", 3);
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "trailing garbage: 3 bytes after 5 x 3 x 4 = 60 "
			 "bytes of data");
	it_put_gz(t->path, f.b, f.n);
	expect_file_err(t->path, IDX_U8, 3,
			"trailing garbage: 3 bytes after 5 x 3 x 4 = 60 "
			"bytes of data");
	it_fb_labels(&f, IT_N_IMG, it_labels5);
	it_fb_put(&f, "\0", 1);
	expect_bytes_err(t, &f, IDX_U8, 1,
			 "trailing garbage: 1 byte after 5 bytes of data");
	{
		static unsigned char big[16 + (1 << 20) + 100];

		memcpy(big, f.b, 8); /* header of 5 labels */
		it_put_file(t->path, big, sizeof(big));
		expect_file_err(t->path, IDX_U8, 1,
				"trailing garbage: more than 1048576 bytes "
				"after 5 bytes of data");
	}
}

static void test_trailing_after_gzip(void **state)
{
	tu_tmp *t = *state;
	unsigned char b[4096];
	size_t n;
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	it_put_gz(t->path, f.b, f.n);
	n = it_get_file(t->path, b, sizeof(b) - 4);
	memcpy(b + n, "\0\0\0\0", 4);
	it_put_file(t->path, b, n + 4);
	expect_file_err(t->path, IDX_U8, 3,
			"trailing garbage after the gzip stream");
	b[n] = 0x1f; /* one byte that might start a member */
	it_put_file(t->path, b, n + 1);
	expect_file_err(t->path, IDX_U8, 3,
			"trailing garbage after the gzip stream");
}

/* Corrupt gzip streams: zlib's own messages. */
static void test_corrupt_gzip(void **state)
{
	tu_tmp *t = *state;
	unsigned char b[4096], c[4096];
	size_t n;
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	it_put_gz(t->path, f.b, f.n);
	n = it_get_file(t->path, b, sizeof(b));
	assert_int_equal(b[3] & 0x08, 0); /* no file name: deflate at 10 */

	memcpy(c, b, n);
	c[n - 8] ^= 0x01; /* CRC-32 */
	it_put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: incorrect data check");
	memcpy(c, b, n);
	c[n - 4] ^= 0x01; /* ISIZE */
	it_put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: incorrect length "
			"check");
	memcpy(c, b, n);
	c[10] = 0x07; /* BFINAL 1, BTYPE 11: reserved */
	it_put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: invalid block type");
	memcpy(c, b, n);
	c[2] = 0x07; /* CM must be 8 (deflate) */
	it_put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unknown compression "
			"method");
	it_put_file(t->path, b, n / 2); /* cut in the middle */
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unexpected end of "
			"file");
	it_put_file(t->path, b, n - 1); /* cut in the trailer */
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unexpected end of "
			"file");
	it_put_file(t->path, b, 2); /* only the gzip magic */
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unexpected end of "
			"file");
}

/* Every cut point and every flipped byte of a gzipped file: an error
 * naming the file, never a crash; only the gzip header fields nobody checks
 * (MTIME, XFL, OS: bytes 4..9) may change and still load, then with the
 * exact data.  Every cut of the plain file is an error too. */
static void test_every_cut_and_flip(void **state)
{
	tu_tmp *t = *state;
	unsigned char b[4096], c[4096];
	ej_err err = { 0 };
	char head[256];
	size_t n, ok = 0;
	idx_array a;
	it_fbuf f;

	snprintf(head, sizeof(head), "'%s': ", t->path);
	it_fb_images(&f, IT_N_IMG);
	for (size_t k = 0; k < f.n; k++) {
		it_put_file(t->path, f.b, k);
		assert_int_equal(idx_load_file(t->path, IDX_U8, 3, &a, &err),
				 -1);
		assert_int_equal(strncmp(err.msg, head, strlen(head)), 0);
	}
	it_put_gz(t->path, f.b, f.n);
	n = it_get_file(t->path, b, sizeof(b));
	for (size_t k = 0; k < n; k++) {
		it_put_file(t->path, b, k);
		assert_int_equal(idx_load_file(t->path, IDX_U8, 3, &a, &err),
				 -1);
		assert_int_equal(err.code, EJ_EXIT_RUN);
		assert_int_equal(strncmp(err.msg, head, strlen(head)), 0);
	}
	for (size_t k = 0; k < n; k++) {
		memcpy(c, b, n);
		c[k] ^= 0xff;
		it_put_file(t->path, c, n);
		if (idx_load_file(t->path, IDX_U8, 3, &a, &err) == 0) {
			assert_true(k >= 4 && k <= 9);
			assert_memory_equal(a.data, f.b + 16,
					    IT_N_IMG * IT_PIX);
			idx_array_free(&a);
			ok++;
			continue;
		}
		assert_int_equal(err.code, EJ_EXIT_RUN);
		assert_int_equal(strncmp(err.msg, head, strlen(head)), 0);
	}
	assert_int_equal(ok, 6);
}

static void test_zero_and_huge_dims(void **state)
{
	tu_tmp *t = *state;
	const uint32_t z[3] = { 5, 0, 4 }, z1[1] = { 0 };
	const uint32_t h[3] = { 65536, 65536, 65536 };
	const uint32_t m[3] = { 0xffffffffu, 0xffffffffu, 0xffffffffu };
	const uint32_t over[2] = { 2, (1u << 30) + 1 };
	const uint32_t f4[2] = { 2, 1u << 28 };
	it_fbuf f;

	it_fb_header(&f, 0x08, 3, z);
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "zero-size dimension: header says 5 x 0 x 4");
	it_fb_header(&f, 0x08, 1, z1);
	expect_bytes_err(t, &f, IDX_U8, 1,
			 "zero-size dimension: header says 0");
	it_fb_header(&f, 0x08, 3, h);
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "too large: header says 65536 x 65536 x 65536 "
			 "unsigned bytes, more than the limit of 2147483648 "
			 "bytes");
	it_fb_header(&f, 0x08, 3, m); /* the product overflows 64 bits */
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "too large: header says 4294967295 x 4294967295 x "
			 "4294967295 unsigned bytes, more than the limit of "
			 "2147483648 bytes");
	it_fb_header(&f, 0x08, 2, over);
	expect_bytes_err(t, &f, IDX_U8, 2,
			 "too large: header says 2 x 1073741825 unsigned "
			 "bytes, more than the limit of 2147483648 bytes");
	it_fb_header(&f, 0x0E, 2, f4); /* 2^29 values, but 8 bytes each */
	expect_bytes_err(t, &f, IDX_ANY, 2,
			 "too large: header says 2 x 268435456 64-bit floats, "
			 "more than the limit of 2147483648 bytes");
}

static void test_open_errors(void **state)
{
	tu_tmp *t = *state;
	ej_err err = { 0 };
	char p[256], want[1024];
	idx_array a;

	it_path(t, "nope", p, sizeof(p));
	assert_int_equal(idx_load_file(p, IDX_U8, 3, &a, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(want, sizeof(want),
		 "cannot open '%s': No such file or directory", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(idx_load_file(t->dir, IDX_U8, 3, &a, &err), -1);
	snprintf(want, sizeof(want), "cannot read '%s': Is a directory",
		 t->dir);
	assert_string_equal(err.msg, want);
	assert_null(a.data);
}

static void test_pair_errors(void **state)
{
	tu_tmp *t = *state;
	ej_err err = { 0 };
	char want[2048], p[256], q[256];
	idx_set s;
	it_fbuf f;

	/* nothing there */
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(want, sizeof(want),
		 "no 'train' images in '%s': looked for "
		 "'%s/train-images-idx3-ubyte' and "
		 "'%s/train-images-idx3-ubyte.gz'", t->dir, t->dir, t->dir);
	assert_string_equal(err.msg, want);
	assert_null(s.images_path);
	/* images but no labels */
	it_fb_images(&f, IT_N_IMG);
	it_put_file(it_path(t, "train-images-idx3-ubyte", p, sizeof(p)), f.b,
		    f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "no 'train' labels in '%s': looked for "
		 "'%s/train-labels-idx1-ubyte' and "
		 "'%s/train-labels-idx1-ubyte.gz'", t->dir, t->dir, t->dir);
	assert_string_equal(err.msg, want);
	assert_null(s.images_path);
	/* count mismatch */
	it_fb_labels(&f, IT_N_IMG - 1, it_labels5);
	it_put_gz(it_path(t, "train-labels-idx1-ubyte.gz", q, sizeof(q)), f.b,
		  f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "'%s' has 4 labels but '%s' has 5 images", q, p);
	assert_string_equal(err.msg, want);
	assert_null(s.images);
	/* all labels 0 */
	it_fb_labels(&f, IT_N_IMG, (const uint8_t[IT_N_IMG]){ 0 });
	it_put_gz(q, f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "'%s': all 5 labels are 0, a classification set needs at "
		 "least 2 classes", q);
	assert_string_equal(err.msg, want);
	assert_null(s.labels);
	/* a bad labels file: its own message comes through */
	it_fb_labels(&f, IT_N_IMG, it_labels5);
	f.b[2] = 0x0b;
	it_put_gz(q, f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "'%s': wrong type code 0x0b (16-bit integers) in magic "
		 "number 0x00000b01 (expected 0x00000801 for 1-D unsigned "
		 "bytes)", q);
	assert_string_equal(err.msg, want);
	/* directory problems */
	it_path(t, "missing", p, sizeof(p));
	assert_int_equal(idx_load_pair(p, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "cannot open dataset directory '%s': No such file or "
		 "directory", p);
	assert_string_equal(err.msg, want);
	assert_int_equal(idx_load_pair(q, "train", &s, &err), -1);
	snprintf(want, sizeof(want), "'%s' is not a directory", q);
	assert_string_equal(err.msg, want);
	assert_int_equal(idx_load_pair(t->dir, "", &s, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg,
			    "empty IDX dataset directory or split name");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_tmp_setup, tu_tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bad_magic),
		T(test_wrong_type_and_ndim),
		T(test_truncated_header),
		T(test_truncated_data),
		T(test_trailing),
		T(test_trailing_after_gzip),
		T(test_corrupt_gzip),
		T(test_every_cut_and_flip),
		T(test_zero_and_huge_dims),
		T(test_open_errors),
		T(test_pair_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

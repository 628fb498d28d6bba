/* test_idx.c - IDX dataset reader (core/idx.c).
 *
 * Fixtures are built here, byte by byte, in a fresh temp directory: a pair
 * of 5 images of 3 x 4 pixels and their labels, plain and gzipped (zlib's
 * gzwrite), plus one broken file per failure mode; each failure must give
 * its exact message.  The real Fashion-MNIST files (Debian package
 * dataset-fashion-mnist) are checked against facts computed independently
 * with Python's gzip + numpy: 6000 images per class in train, 1000 in t10k,
 * the first ten labels, pixel range 0..255 and the pixel sum (train mean
 * 72.94 = 0.2860 * 255, the normalization constant commonly quoted for
 * Fashion-MNIST).  That test fails when the directory is absent (make deps
 * installs it).
 */
#define ZLIB_CONST
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "core/idx.h"

#ifndef FMNIST_DIR /* -D to check the skip path */
#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif

#define N_IMG 5
#define ROWS 3
#define COLS 4
#define PIX (ROWS * COLS)

/* ---- fixture builders --------------------------------------------------- */

static uint8_t pixel(size_t i, size_t j)
{
	return (uint8_t)(i * 53 + j * 17 + 1);
}

static const uint8_t labels5[N_IMG] = { 2, 0, 1, 2, 1 };

/* Bytes of an IDX file being assembled. */
typedef struct fbuf {
	unsigned char b[4096];
	size_t n;
} fbuf;

static void fb_put(fbuf *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void fb_be32(fbuf *f, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	fb_put(f, b, 4);
}

/* Header: magic 0x0000TTNN then the sizes. */
static void fb_header(fbuf *f, int type, int ndim, const uint32_t *dims)
{
	f->n = 0;
	fb_be32(f, (uint32_t)type << 8 | (uint32_t)ndim);
	for (int i = 0; i < ndim; i++)
		fb_be32(f, dims[i]);
}

static void fb_images(fbuf *f, uint32_t n)
{
	const uint32_t dims[3] = { n, ROWS, COLS };

	fb_header(f, 0x08, 3, dims);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < PIX; j++) {
			uint8_t v = pixel(i, j);

			fb_put(f, &v, 1);
		}
}

static void fb_labels(fbuf *f, uint32_t n, const uint8_t *lab)
{
	const uint32_t dims[1] = { n };

	fb_header(f, 0x08, 1, dims);
	fb_put(f, lab, n);
}

static char *at(const tu_tmp *t, const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", t->dir, name);
	return buf;
}

static void put_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void put_gz(const char *path, const void *p, size_t n)
{
	gzFile g = gzopen(path, "wb");

	assert_non_null(g);
	assert_int_equal(gzwrite(g, p, (unsigned)n), (int)n);
	assert_int_equal(gzclose(g), Z_OK);
}

/* Whole file into buf; returns its length. */
static size_t get_file(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	assert_true(n < cap);
	fclose(f);
	return n;
}

/* Write the standard pair under <dir>/<split>-... (gz or plain). */
static void put_pair(const tu_tmp *t, const char *split, int gz)
{
	char p[256], name[64];
	fbuf f;

	fb_images(&f, N_IMG);
	snprintf(name, sizeof(name), "%s-images-idx3-ubyte%s", split,
		 gz ? ".gz" : "");
	(gz ? put_gz : put_file)(at(t, name, p, sizeof(p)), f.b, f.n);
	fb_labels(&f, N_IMG, labels5);
	snprintf(name, sizeof(name), "%s-labels-idx1-ubyte%s", split,
		 gz ? ".gz" : "");
	(gz ? put_gz : put_file)(at(t, name, p, sizeof(p)), f.b, f.n);
}

static void check_set(const idx_set *s)
{
	assert_int_equal(s->n, N_IMG);
	assert_int_equal(s->rows, ROWS);
	assert_int_equal(s->cols, COLS);
	assert_int_equal(s->n_classes, 3);
	for (size_t i = 0; i < N_IMG; i++) {
		assert_int_equal(s->labels[i], labels5[i]);
		for (size_t j = 0; j < PIX; j++)
			assert_int_equal(s->images[i * PIX + j], pixel(i, j));
	}
}

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
static void expect_bytes_err(const tu_tmp *t, const fbuf *f, int type,
			     int ndim, const char *tail)
{
	put_file(t->path, f->b, f->n);
	expect_file_err(t->path, type, ndim, tail);
}

/* ---- good files --------------------------------------------------------- */

static void test_pair_plain(void **state)
{
	tu_tmp *t = *state;
	ej_err err = { 0 };
	char p[256];
	idx_set s;

	put_pair(t, "train", 0);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), 0);
	check_set(&s);
	assert_string_equal(s.images_path,
			    at(t, "train-images-idx3-ubyte", p, sizeof(p)));
	assert_string_equal(s.labels_path,
			    at(t, "train-labels-idx1-ubyte", p, sizeof(p)));
	idx_free(&s);
	assert_null(s.images);
	idx_free(&s); /* zeroed: safe again */
}

static void test_pair_gz(void **state)
{
	tu_tmp *t = *state;
	ej_err err = { 0 };
	char p[256], dir[128];
	idx_set s;

	put_pair(t, "t10k", 1);
	/* a trailing '/' on the directory is not doubled */
	snprintf(dir, sizeof(dir), "%s/", t->dir);
	assert_int_equal(idx_load_pair(dir, "t10k", &s, &err), 0);
	check_set(&s);
	assert_string_equal(s.images_path,
			    at(t, "t10k-images-idx3-ubyte.gz", p, sizeof(p)));
	assert_string_equal(s.labels_path,
			    at(t, "t10k-labels-idx1-ubyte.gz", p, sizeof(p)));
	idx_free(&s);
}

/* Plain and .gz both present: the plain file wins; mixed pairs work;
 * compression is sniffed, not taken from the name. */
static void test_pair_choice(void **state)
{
	tu_tmp *t = *state;
	const uint8_t other[N_IMG] = { 4, 4, 4, 4, 4 };
	ej_err err = { 0 };
	char p[256], q[256];
	idx_set s;
	fbuf f;

	put_pair(t, "train", 1);
	fb_labels(&f, N_IMG, other);
	put_file(at(t, "train-labels-idx1-ubyte", p, sizeof(p)), f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), 0);
	assert_int_equal(s.n_classes, 5);
	assert_int_equal(s.labels[0], 4);
	assert_string_equal(s.labels_path, p);
	assert_non_null(strstr(s.images_path, ".gz"));
	idx_free(&s);
	/* a gzip file without .gz, a plain file with .gz */
	rename(at(t, "train-images-idx3-ubyte.gz", p, sizeof(p)),
	       at(t, "x-images-idx3-ubyte", q, sizeof(q)));
	put_file(at(t, "x-labels-idx1-ubyte.gz", p, sizeof(p)), f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "x", &s, &err), 0);
	assert_int_equal(s.images[PIX + 2], pixel(1, 2));
	assert_int_equal(s.labels[4], 4);
	idx_free(&s);
}

/* Every type code, big-endian to host order, any dimension count. */
static void test_types(void **state)
{
	tu_tmp *t = *state;
	const uint32_t d1[1] = { 2 }, d2[2] = { 2, 3 };
	ej_err err = { 0 };
	idx_array a;
	fbuf f;

	fb_header(&f, 0x09, 1, d1);
	fb_put(&f, "\xfe\x7f", 2);
	put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_ANY, 0, &a, &err), 0);
	assert_int_equal(a.type, IDX_I8);
	assert_int_equal(a.elem_size, 1);
	assert_int_equal(((int8_t *)a.data)[0], -2);
	assert_int_equal(((int8_t *)a.data)[1], 127);
	idx_array_free(&a);

	fb_header(&f, 0x0B, 1, d1);
	fb_put(&f, "\xff\xfe\x01\x02", 4);
	put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_I16, 1, &a, &err), 0);
	assert_int_equal(((int16_t *)a.data)[0], -2);
	assert_int_equal(((int16_t *)a.data)[1], 258);
	idx_array_free(&a);

	fb_header(&f, 0x0C, 1, d1);
	fb_put(&f, "\x80\x00\x00\x00\x01\x02\x03\x04", 8);
	put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_I32, 0, &a, &err), 0);
	assert_int_equal(((int32_t *)a.data)[0], INT32_MIN);
	assert_int_equal(((int32_t *)a.data)[1], 0x01020304);
	idx_array_free(&a);

	fb_header(&f, 0x0D, 1, d1);
	fb_put(&f, "\x3f\xc0\x00\x00\xc1\x20\x00\x00", 8); /* 1.5, -10 */
	put_gz(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_F32, 1, &a, &err), 0);
	assert_true(((float *)a.data)[0] == 1.5f);
	assert_true(((float *)a.data)[1] == -10.0f);
	idx_array_free(&a);

	fb_header(&f, 0x0E, 2, d2);
	fb_put(&f, "\x3f\xd0\0\0\0\0\0\0" "\x3f\xe0\0\0\0\0\0\0"
		   "\x3f\xf0\0\0\0\0\0\0" "\x40\x00\0\0\0\0\0\0"
		   "\xc0\x08\0\0\0\0\0\0"
		   "\x3f\xb9\x99\x99\x99\x99\x99\x9a", 48);
	put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_F64, 2, &a, &err), 0);
	assert_int_equal(a.ndim, 2);
	assert_int_equal(a.dims[0], 2);
	assert_int_equal(a.dims[1], 3);
	assert_int_equal(a.count, 6);
	{
		const double want[6] = { 0.25, 0.5, 1.0, 2.0, -3.0, 0.1 };

		assert_memory_equal(a.data, want, sizeof(want));
	}
	idx_array_free(&a);
	assert_null(a.data);
	idx_array_free(&a);
}

/* gzip(1) concatenation: members read back to back as one stream. */
static void test_gz_members(void **state)
{
	tu_tmp *t = *state;
	unsigned char all[8192], part[4096];
	ej_err err = { 0 };
	char p[256];
	size_t n, k;
	idx_array a;
	fbuf f;

	fb_images(&f, N_IMG);
	at(t, "a.gz", p, sizeof(p));
	put_gz(p, f.b, 20); /* cut inside the data: 4 pixels */
	n = get_file(p, all, sizeof(all));
	put_gz(p, f.b + 20, f.n - 20);
	k = get_file(p, part, sizeof(part));
	memcpy(all + n, part, k);
	put_file(t->path, all, n + k);
	assert_int_equal(idx_load_file(t->path, IDX_U8, 3, &a, &err), 0);
	assert_int_equal(a.count, N_IMG * PIX);
	assert_memory_equal(a.data, f.b + 16, N_IMG * PIX);
	idx_array_free(&a);
}

/* ---- broken files ------------------------------------------------------- */

static void test_bad_magic(void **state)
{
	tu_tmp *t = *state;
	fbuf f;

	fb_images(&f, N_IMG);
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
	fbuf f;

	fb_images(&f, N_IMG);
	f.b[2] = 0x0d;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "wrong type code 0x0d (32-bit floats) in magic "
			 "number 0x00000d03 (expected 0x00000803 for 3-D "
			 "unsigned bytes)");
	/* a label file where images are expected, gzipped */
	fb_labels(&f, N_IMG, labels5);
	put_gz(at(t, "l.gz", p, sizeof(p)), f.b, f.n);
	expect_file_err(p, IDX_U8, 3,
			"wrong dimension count 1 in magic number 0x00000801 "
			"(expected 0x00000803 for 3-D unsigned bytes)");
	/* zero dimensions is never valid */
	fb_header(&f, 0x08, 0, NULL);
	expect_bytes_err(t, &f, IDX_ANY, 0,
			 "wrong dimension count 0 in magic number 0x00000800 "
			 "(expected 0x0000TTNN, NN >= 1)");
}

static void test_truncated_header(void **state)
{
	tu_tmp *t = *state;
	fbuf f;

	fb_images(&f, N_IMG);
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
	put_gz(t->path, f.b, 15);
	expect_file_err(t->path, IDX_U8, 3,
			"truncated header: file has 15 bytes, the header of "
			"a 3-D IDX file has 16");
}

static void test_truncated_data(void **state)
{
	tu_tmp *t = *state;
	fbuf f;

	fb_images(&f, N_IMG);
	f.n--;
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "truncated: header says 5 x 3 x 4 = 60 bytes of "
			 "data, file has 59");
	put_gz(t->path, f.b, 16);
	expect_file_err(t->path, IDX_U8, 3,
			"truncated: header says 5 x 3 x 4 = 60 bytes of "
			"data, file has 0");
	fb_labels(&f, N_IMG, labels5);
	put_gz(t->path, f.b, f.n - 2);
	expect_file_err(t->path, IDX_U8, 1,
			"truncated: header says 5 bytes of data, file has 3");
	/* the header claims the 2^31-byte maximum: refused once the file
	 * ends, without having allocated 2 GiB first (ASan would say) */
	{
		const uint32_t d[2] = { 2, 1u << 30 };

		fb_header(&f, 0x08, 2, d);
		fb_put(&f, "abc", 3);
		expect_bytes_err(t, &f, IDX_ANY, 0,
				 "truncated: header says 2 x 1073741824 = "
				 "2147483648 bytes of data, file has 3");
	}
	{
		const uint32_t d[1] = { 3 };

		fb_header(&f, 0x0C, 1, d);
		fb_put(&f, "abcdefgh", 8);
		expect_bytes_err(t, &f, IDX_ANY, 1,
				 "truncated: header says 3 32-bit integers = "
				 "12 bytes of data, file has 8");
	}
}

static void test_trailing(void **state)
{
	tu_tmp *t = *state;
	fbuf f;

	fb_images(&f, N_IMG);
	fb_put(&f, "xyz", 3);
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "trailing garbage: 3 bytes after 5 x 3 x 4 = 60 "
			 "bytes of data");
	put_gz(t->path, f.b, f.n);
	expect_file_err(t->path, IDX_U8, 3,
			"trailing garbage: 3 bytes after 5 x 3 x 4 = 60 "
			"bytes of data");
	fb_labels(&f, N_IMG, labels5);
	fb_put(&f, "\0", 1);
	expect_bytes_err(t, &f, IDX_U8, 1,
			 "trailing garbage: 1 byte after 5 bytes of data");
	{
		static unsigned char big[16 + (1 << 20) + 100];

		memcpy(big, f.b, 8); /* header of 5 labels */
		put_file(t->path, big, sizeof(big));
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
	fbuf f;

	fb_images(&f, N_IMG);
	put_gz(t->path, f.b, f.n);
	n = get_file(t->path, b, sizeof(b) - 4);
	memcpy(b + n, "\0\0\0\0", 4);
	put_file(t->path, b, n + 4);
	expect_file_err(t->path, IDX_U8, 3,
			"trailing garbage after the gzip stream");
	b[n] = 0x1f; /* one byte that might start a member */
	put_file(t->path, b, n + 1);
	expect_file_err(t->path, IDX_U8, 3,
			"trailing garbage after the gzip stream");
}

/* Corrupt gzip streams: zlib's own messages. */
static void test_corrupt_gzip(void **state)
{
	tu_tmp *t = *state;
	unsigned char b[4096], c[4096];
	size_t n;
	fbuf f;

	fb_images(&f, N_IMG);
	put_gz(t->path, f.b, f.n);
	n = get_file(t->path, b, sizeof(b));
	assert_int_equal(b[3] & 0x08, 0); /* no file name: deflate at 10 */

	memcpy(c, b, n);
	c[n - 8] ^= 0x01; /* CRC-32 */
	put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: incorrect data check");
	memcpy(c, b, n);
	c[n - 4] ^= 0x01; /* ISIZE */
	put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: incorrect length "
			"check");
	memcpy(c, b, n);
	c[10] = 0x07; /* BFINAL 1, BTYPE 11: reserved */
	put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: invalid block type");
	memcpy(c, b, n);
	c[2] = 0x07; /* CM must be 8 (deflate) */
	put_file(t->path, c, n);
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unknown compression "
			"method");
	put_file(t->path, b, n / 2); /* cut in the middle */
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unexpected end of "
			"file");
	put_file(t->path, b, n - 1); /* cut in the trailer */
	expect_file_err(t->path, IDX_U8, 3,
			"not gzip-compressed correctly: unexpected end of "
			"file");
	put_file(t->path, b, 2); /* only the gzip magic */
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
	fbuf f;

	snprintf(head, sizeof(head), "'%s': ", t->path);
	fb_images(&f, N_IMG);
	for (size_t k = 0; k < f.n; k++) {
		put_file(t->path, f.b, k);
		assert_int_equal(idx_load_file(t->path, IDX_U8, 3, &a, &err),
				 -1);
		assert_int_equal(strncmp(err.msg, head, strlen(head)), 0);
	}
	put_gz(t->path, f.b, f.n);
	n = get_file(t->path, b, sizeof(b));
	for (size_t k = 0; k < n; k++) {
		put_file(t->path, b, k);
		assert_int_equal(idx_load_file(t->path, IDX_U8, 3, &a, &err),
				 -1);
		assert_int_equal(err.code, EJ_EXIT_RUN);
		assert_int_equal(strncmp(err.msg, head, strlen(head)), 0);
	}
	for (size_t k = 0; k < n; k++) {
		memcpy(c, b, n);
		c[k] ^= 0xff;
		put_file(t->path, c, n);
		if (idx_load_file(t->path, IDX_U8, 3, &a, &err) == 0) {
			assert_true(k >= 4 && k <= 9);
			assert_memory_equal(a.data, f.b + 16, N_IMG * PIX);
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
	fbuf f;

	fb_header(&f, 0x08, 3, z);
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "zero-size dimension: header says 5 x 0 x 4");
	fb_header(&f, 0x08, 1, z1);
	expect_bytes_err(t, &f, IDX_U8, 1,
			 "zero-size dimension: header says 0");
	fb_header(&f, 0x08, 3, h);
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "too large: header says 65536 x 65536 x 65536 "
			 "unsigned bytes, more than the limit of 2147483648 "
			 "bytes");
	fb_header(&f, 0x08, 3, m); /* the product overflows 64 bits */
	expect_bytes_err(t, &f, IDX_U8, 3,
			 "too large: header says 4294967295 x 4294967295 x "
			 "4294967295 unsigned bytes, more than the limit of "
			 "2147483648 bytes");
	fb_header(&f, 0x08, 2, over);
	expect_bytes_err(t, &f, IDX_U8, 2,
			 "too large: header says 2 x 1073741825 unsigned "
			 "bytes, more than the limit of 2147483648 bytes");
	fb_header(&f, 0x0E, 2, f4); /* 2^29 values, but 8 bytes each */
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

	at(t, "nope", p, sizeof(p));
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
	fbuf f;

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
	fb_images(&f, N_IMG);
	put_file(at(t, "train-images-idx3-ubyte", p, sizeof(p)), f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "no 'train' labels in '%s': looked for "
		 "'%s/train-labels-idx1-ubyte' and "
		 "'%s/train-labels-idx1-ubyte.gz'", t->dir, t->dir, t->dir);
	assert_string_equal(err.msg, want);
	assert_null(s.images_path);
	/* count mismatch */
	fb_labels(&f, N_IMG - 1, labels5);
	put_gz(at(t, "train-labels-idx1-ubyte.gz", q, sizeof(q)), f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "'%s' has 4 labels but '%s' has 5 images", q, p);
	assert_string_equal(err.msg, want);
	assert_null(s.images);
	/* all labels 0 */
	fb_labels(&f, N_IMG, (const uint8_t[N_IMG]){ 0 });
	put_gz(q, f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "'%s': all 5 labels are 0, a classification set needs at "
		 "least 2 classes", q);
	assert_string_equal(err.msg, want);
	assert_null(s.labels);
	/* a bad labels file: its own message comes through */
	fb_labels(&f, N_IMG, labels5);
	f.b[2] = 0x0b;
	put_gz(q, f.b, f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), -1);
	snprintf(want, sizeof(want),
		 "'%s': wrong type code 0x0b (16-bit integers) in magic "
		 "number 0x00000b01 (expected 0x00000801 for 1-D unsigned "
		 "bytes)", q);
	assert_string_equal(err.msg, want);
	/* directory problems */
	at(t, "missing", p, sizeof(p));
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

/* ---- the real Fashion-MNIST files ---------------------------------------- */

static void check_fmnist(const char *split, size_t n, const uint8_t *first,
			 uint64_t pixel_sum)
{
	size_t hist[256] = { 0 };
	ej_err err = { 0 };
	uint64_t sum = 0;
	int lo = 255, hi = 0;
	idx_set s;

	if (idx_load_pair(FMNIST_DIR, split, &s, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(s.n, n);
	assert_int_equal(s.rows, 28);
	assert_int_equal(s.cols, 28);
	assert_int_equal(s.n_classes, 10);
	for (size_t i = 0; i < n; i++)
		hist[s.labels[i]]++;
	for (int c = 0; c < 10; c++)
		assert_int_equal(hist[c], n / 10);
	assert_memory_equal(s.labels, first, 10);
	for (size_t i = 0; i < n * 28 * 28; i++) {
		sum += s.images[i];
		lo = s.images[i] < lo ? s.images[i] : lo;
		hi = s.images[i] > hi ? s.images[i] : hi;
	}
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 255);
	assert_int_equal(sum, pixel_sum);
	idx_free(&s);
}

static void test_fashion_mnist(void **unused)
{
	static const uint8_t train10[10] = { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 };
	static const uint8_t test10[10] = { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 };
	struct stat st;

	(void)unused;
	/* make deps installs the dataset: its absence is a failure */
	if (stat(FMNIST_DIR, &st) < 0)
		fail_msg("%s absent (make deps installs dataset-fashion-mnist)",
			 FMNIST_DIR);
	/* train mean 3431114169 / 47040000 = 72.94 = 0.2860 * 255 */
	check_fmnist("train", 60000, train10, 3431114169u);
	check_fmnist("t10k", 10000, test10, 573469082u);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_tmp_setup, tu_tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pair_plain),
		T(test_pair_gz),
		T(test_pair_choice),
		T(test_types),
		T(test_gz_members),
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
		cmocka_unit_test(test_fashion_mnist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

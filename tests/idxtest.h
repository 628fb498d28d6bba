/* idxtest.h - fixture builders shared by the IDX reader tests
 * (test_idx.c, test_idx_corrupt.c).  Each test runs in the fresh temp
 * directory of testutil.h's tu_tmp fixture:
 *   the standard set: IT_N_IMG images of IT_ROWS x IT_COLS (IT_PIX)
 *            pixels, it_pixel(i, j) each, labelled it_labels5
 *   IDX bytes: it_fbuf, built by it_fb_put, it_fb_be32, it_fb_header
 *            (magic and sizes), it_fb_images, it_fb_labels
 *   files:   it_path ("<dir>/<name>"), it_put_file, it_put_gz (zlib's
 *            gzwrite), it_get_file
 *
 * Everything is static inline: each test binary is one translation unit.
 * Helpers fail the running cmocka test (assert_*) instead of returning
 * errors.
 */
#ifndef EJ_IDXTEST_H
#define EJ_IDXTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "tests/testutil.h"

#define IT_N_IMG 5
#define IT_ROWS 3
#define IT_COLS 4
#define IT_PIX (IT_ROWS * IT_COLS)

/* ---- fixture builders --------------------------------------------------- */

static inline uint8_t it_pixel(size_t i, size_t j)
{
	return (uint8_t)(i * 53 + j * 17 + 1);
}

static const uint8_t it_labels5[IT_N_IMG] = { 2, 0, 1, 2, 1 };

/* Bytes of an IDX file being assembled. */
typedef struct it_fbuf {
	unsigned char b[4096];
	size_t n;
} it_fbuf;

static inline void it_fb_put(it_fbuf *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static inline void it_fb_be32(it_fbuf *f, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	it_fb_put(f, b, 4);
}

/* Header: magic 0x0000TTNN then the sizes. */
static inline void it_fb_header(it_fbuf *f, int type, int ndim,
				const uint32_t *dims)
{
	f->n = 0;
	it_fb_be32(f, (uint32_t)type << 8 | (uint32_t)ndim);
	for (int i = 0; i < ndim; i++)
		it_fb_be32(f, dims[i]);
}

static inline void it_fb_images(it_fbuf *f, uint32_t n)
{
	const uint32_t dims[3] = { n, IT_ROWS, IT_COLS };

	it_fb_header(f, 0x08, 3, dims);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < IT_PIX; j++) {
			uint8_t v = it_pixel(i, j);

			it_fb_put(f, &v, 1);
		}
}

static inline void it_fb_labels(it_fbuf *f, uint32_t n, const uint8_t *lab)
{
	const uint32_t dims[1] = { n };

	it_fb_header(f, 0x08, 1, dims);
	it_fb_put(f, lab, n);
}

static inline char *it_path(const tu_tmp *t, const char *name, char *buf,
			    size_t cap)
{
	snprintf(buf, cap, "%s/%s", t->dir, name);
	return buf;
}

static inline void it_put_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static inline void it_put_gz(const char *path, const void *p, size_t n)
{
	gzFile g = gzopen(path, "wb");

	assert_non_null(g);
	assert_int_equal(gzwrite(g, p, (unsigned)n), (int)n);
	assert_int_equal(gzclose(g), Z_OK);
}

/* Whole file into buf; returns its length. */
static inline size_t it_get_file(const char *path, unsigned char *buf,
				 size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	assert_true(n < cap);
	fclose(f);
	return n;
}

#endif

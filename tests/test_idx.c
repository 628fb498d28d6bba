/* test_idx.c - IDX dataset reader (core/idx.c): good files.
 *
 * Fixtures are built here, byte by byte (idxtest.h), in a fresh temp
 * directory: a pair of 5 images of 3 x 4 pixels and their labels, plain
 * and gzipped (zlib's gzwrite), mixed pairs, every type code and gzip
 * members read back to back.  The real Fashion-MNIST files (Debian package
 * dataset-fashion-mnist) are checked against facts computed independently
 * with Python's gzip + numpy: 6000 images per class in train, 1000 in t10k,
 * the first ten labels, pixel range 0..255 and the pixel sum (train mean
 * 72.94 = 0.2860 * 255, the normalization constant commonly quoted for
 * Fashion-MNIST).  That test fails when the directory is absent (make deps
 * installs it).  Broken files are in test_idx_corrupt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tests/idxtest.h"
#include "tests/testutil.h"

#include "core/idx.h"

#ifndef FMNIST_DIR /* -D to check the skip path */
#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif

/* Write the standard pair under <dir>/<split>-... (gz or plain). */
static void put_pair(const tu_tmp *t, const char *split, int gz)
{
	char p[256], name[64];
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	snprintf(name, sizeof(name), "%s-images-idx3-ubyte%s", split,
		 gz ? ".gz" : "");
	(gz ? it_put_gz : it_put_file)(it_path(t, name, p, sizeof(p)), f.b,
				       f.n);
	it_fb_labels(&f, IT_N_IMG, it_labels5);
	snprintf(name, sizeof(name), "%s-labels-idx1-ubyte%s", split,
		 gz ? ".gz" : "");
	(gz ? it_put_gz : it_put_file)(it_path(t, name, p, sizeof(p)), f.b,
				       f.n);
}

static void check_set(const idx_set *s)
{
	assert_int_equal(s->n, IT_N_IMG);
	assert_int_equal(s->rows, IT_ROWS);
	assert_int_equal(s->cols, IT_COLS);
	assert_int_equal(s->n_classes, 3);
	for (size_t i = 0; i < IT_N_IMG; i++) {
		assert_int_equal(s->labels[i], it_labels5[i]);
		for (size_t j = 0; j < IT_PIX; j++)
			assert_int_equal(s->images[i * IT_PIX + j],
					 it_pixel(i, j));
	}
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
			    it_path(t, "train-images-idx3-ubyte", p,
				    sizeof(p)));
	assert_string_equal(s.labels_path,
			    it_path(t, "train-labels-idx1-ubyte", p,
				    sizeof(p)));
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
			    it_path(t, "t10k-images-idx3-ubyte.gz", p,
				    sizeof(p)));
	assert_string_equal(s.labels_path,
			    it_path(t, "t10k-labels-idx1-ubyte.gz", p,
				    sizeof(p)));
	idx_free(&s);
}

/* Plain and .gz both present: the plain file wins; mixed pairs work;
 * compression is sniffed, not taken from the name. */
static void test_pair_choice(void **state)
{
	tu_tmp *t = *state;
	const uint8_t other[IT_N_IMG] = { 4, 4, 4, 4, 4 };
	ej_err err = { 0 };
	char p[256], q[256];
	idx_set s;
	it_fbuf f;

	put_pair(t, "train", 1);
	it_fb_labels(&f, IT_N_IMG, other);
	it_put_file(it_path(t, "train-labels-idx1-ubyte", p, sizeof(p)), f.b,
		    f.n);
	assert_int_equal(idx_load_pair(t->dir, "train", &s, &err), 0);
	assert_int_equal(s.n_classes, 5);
	assert_int_equal(s.labels[0], 4);
	assert_string_equal(s.labels_path, p);
	assert_non_null(strstr(s.images_path, ".gz"));
	idx_free(&s);
	/* a gzip file without .gz, a plain file with .gz */
	rename(it_path(t, "train-images-idx3-ubyte.gz", p, sizeof(p)),
	       it_path(t, "x-images-idx3-ubyte", q, sizeof(q)));
	it_put_file(it_path(t, "x-labels-idx1-ubyte.gz", p, sizeof(p)), f.b,
		    f.n);
	assert_int_equal(idx_load_pair(t->dir, "x", &s, &err), 0);
	assert_int_equal(s.images[IT_PIX + 2], it_pixel(1, 2));
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
	it_fbuf f;

	it_fb_header(&f, 0x09, 1, d1);
	it_fb_put(&f, "\xfe\x7f", 2);
	it_put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_ANY, 0, &a, &err), 0);
	assert_int_equal(a.type, IDX_I8);
	assert_int_equal(a.elem_size, 1);
	assert_int_equal(((int8_t *)a.data)[0], -2);
	assert_int_equal(((int8_t *)a.data)[1], 127);
	idx_array_free(&a);

	it_fb_header(&f, 0x0B, 1, d1);
	it_fb_put(&f, "\xff\xfe\x01\x02", 4);
	it_put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_I16, 1, &a, &err), 0);
	assert_int_equal(((int16_t *)a.data)[0], -2);
	assert_int_equal(((int16_t *)a.data)[1], 258);
	idx_array_free(&a);

	it_fb_header(&f, 0x0C, 1, d1);
	it_fb_put(&f, "\x80\x00\x00\x00\x01\x02\x03\x04", 8);
	it_put_file(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_I32, 0, &a, &err), 0);
	assert_int_equal(((int32_t *)a.data)[0], INT32_MIN);
	assert_int_equal(((int32_t *)a.data)[1], 0x01020304);
	idx_array_free(&a);

	it_fb_header(&f, 0x0D, 1, d1);
	it_fb_put(&f, "\x3f\xc0\x00\x00\xc1\x20\x00\x00", 8); /* 1.5, -10 */
	it_put_gz(t->path, f.b, f.n);
	assert_int_equal(idx_load_file(t->path, IDX_F32, 1, &a, &err), 0);
	assert_true(((float *)a.data)[0] == 1.5f);
	assert_true(((float *)a.data)[1] == -10.0f);
	idx_array_free(&a);

	it_fb_header(&f, 0x0E, 2, d2);
	it_fb_put(&f, "\x3f\xd0\0\0\0\0\0\0" "\x3f\xe0\0\0\0\0\0\0"
		      "\x3f\xf0\0\0\0\0\0\0" "\x40\x00\0\0\0\0\0\0"
		      "\xc0\x08\0\0\0\0\0\0"
		      "\x3f\xb9\x99\x99\x99\x99\x99\x9a", 48);
	it_put_file(t->path, f.b, f.n);
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
	it_fbuf f;

	it_fb_images(&f, IT_N_IMG);
	it_path(t, "a.gz", p, sizeof(p));
	it_put_gz(p, f.b, 20); /* cut inside the data: 4 pixels */
	n = it_get_file(p, all, sizeof(all));
	it_put_gz(p, f.b + 20, f.n - 20);
	k = it_get_file(p, part, sizeof(part));
	memcpy(all + n, part, k);
	it_put_file(t->path, all, n + k);
	assert_int_equal(idx_load_file(t->path, IDX_U8, 3, &a, &err), 0);
	assert_int_equal(a.count, IT_N_IMG * IT_PIX);
	assert_memory_equal(a.data, f.b + 16, IT_N_IMG * IT_PIX);
	idx_array_free(&a);
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
		cmocka_unit_test(test_fashion_mnist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

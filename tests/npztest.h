/* npztest.h - helpers shared by the .npz and file-helper tests
 * (test_npz.c, test_npz_corrupt.c, test_fileio.c).  Each test runs in the
 * fresh temp directory of testutil.h's tu_tmp fixture:
 *   paths:   nt_path ("<dir>/<name>"), nt_listing (the directory's
 *            entries, sorted)
 *   files:   nt_put_file (bytes into a file), nt_get_file (a whole file)
 *   arrays:  nt_sample / nt_sample_init (eight arrays: every dtype;
 *            scalar, 1-D, 2-D, 3-D and empty shapes)
 *
 * Everything is static inline: each test binary is one translation unit.
 * Helpers fail the running cmocka test (assert_*) instead of returning
 * errors.
 */
#ifndef EJ_NPZTEST_H
#define EJ_NPZTEST_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "core/npz.h"

/* ---- paths in the fixture directory ------------------------------------- */

/* "<dir>/<name>" into a static-size buffer owned by the caller. */
static inline char *nt_path(const tu_tmp *f, const char *name, char *buf,
			    size_t cap)
{
	snprintf(buf, cap, "%s/%s", f->dir, name);
	return buf;
}

/* Entries of the fixture directory, sorted names joined by ' '. */
static inline void nt_listing(const tu_tmp *f, char *out, size_t cap)
{
	struct dirent **names;
	int n = scandir(f->dir, &names, NULL, alphasort);
	size_t k = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, ".."))
			k += (size_t)snprintf(out + k, cap - k, "%s%s",
					      k ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/* ---- whole files -------------------------------------------------------- */

static inline void nt_put_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static inline unsigned char *nt_get_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* ---- a standard set of arrays ------------------------------------------- */

typedef struct nt_sample {
	float f32[3][5];
	double f64;
	int64_t i64[4];
	uint8_t u8[2][2];
	int32_t i32[3];
	uint32_t u32[2];
	uint64_t u64[1];
	npz_array arr[8];
} nt_sample;

static inline void nt_sample_init(nt_sample *s)
{
	static const int64_t i64[4] = { -3, 0, (int64_t)1 << 40, INT64_MIN };
	static const uint8_t u8[2][2] = { { 0, 1 }, { 254, 255 } };
	static const int32_t i32[3] = { INT32_MIN, -1, INT32_MAX };
	static const uint32_t u32[2] = { 0, UINT32_MAX };

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 5; j++)
			s->f32[i][j] = (float)(i * 5 + j) * 0.25f - 1.0f;
	s->f64 = 3.141592653589793;
	memcpy(s->i64, i64, sizeof(i64));
	memcpy(s->u8, u8, sizeof(u8));
	memcpy(s->i32, i32, sizeof(i32));
	memcpy(s->u32, u32, sizeof(u32));
	s->u64[0] = UINT64_MAX;
	memset(s->arr, 0, sizeof(s->arr));
	s->arr[0] = (npz_array){ "params", NPZ_F32, 2, { 3, 5 }, s->f32 };
	s->arr[1] = (npz_array){ "scale", NPZ_F64, 0, { 0 }, &s->f64 };
	s->arr[2] = (npz_array){ "steps", NPZ_I64, 1, { 4 }, s->i64 };
	s->arr[3] = (npz_array){ "img", NPZ_U8, 2, { 2, 2 }, s->u8 };
	s->arr[4] = (npz_array){ "i", NPZ_I32, 1, { 3 }, s->i32 };
	s->arr[5] = (npz_array){ "u", NPZ_U32, 1, { 2 }, s->u32 };
	s->arr[6] = (npz_array){ "big", NPZ_U64, 3, { 1, 1, 1 }, s->u64 };
	s->arr[7] = (npz_array){ "empty", NPZ_F32, 2, { 0, 4 }, NULL };
}

#endif

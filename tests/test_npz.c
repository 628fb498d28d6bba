/* test_npz.c - numpy .npz I/O (core/npz.c): write and read back, numpy
 * interoperability, npz_get_f32 and npz_write's errors.
 *
 * Archives are checked three ways: read back by our reader, byte layout
 * against hand-written ZIP/.npy bytes, and loaded by numpy itself
 * (python3-numpy, installed by make deps: a missing numpy fails those
 * tests rather than skipping them); archives numpy writes (np.savez,
 * np.savez_compressed) are read back.  Hand-built and corrupt archives
 * are in test_npz_corrupt.c, the file helpers (core/fileio.c) in
 * test_fileio.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "tests/npztest.h"
#include "tests/testutil.h"

#include "core/npz.h"

/* ---- small helpers ------------------------------------------------------ */

/* The Python that has numpy: the one on PATH, else Debian's (a PATH may
 * lead to a virtualenv or pyenv without it); NULL when neither has it. */
static const char *numpy_python(void)
{
	static const char *const pys[] = { "python3", "/usr/bin/python3" };

	for (size_t i = 0; i < sizeof(pys) / sizeof(pys[0]); i++) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "%s -c 'import numpy' >/dev/null 2>&1",
			 pys[i]);
		if (system(cmd) == 0)
			return pys[i];
	}
	return NULL;
}

static int has_numpy(void)
{
	return numpy_python() != NULL;
}

/* Run the numpy Python on a script (written to the fixture dir) with one argument;
 * stdout into out.  Asserts that python exits 0. */
static void run_python(const tu_tmp *f, const char *script, const char *arg,
		       char *out, size_t cap)
{
	char spath[256], cmd[768];
	FILE *p;
	size_t n;

	nt_put_file(nt_path(f, "script.py", spath, sizeof(spath)), script,
		    strlen(script));
	snprintf(cmd, sizeof(cmd), "%s '%s' '%s'", numpy_python(), spath, arg);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(spath);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- npz: write, read back ---------------------------------------------- */

static void test_roundtrip(void **state)
{
	tu_tmp *f = *state;
	nt_sample s;
	char path[256];
	ej_err err = { 0 };
	npz_file *rf;

	nt_sample_init(&s);
	nt_path(f, "a.npz", path, sizeof(path));
	assert_int_equal(npz_write(path, s.arr, 8, &err), 0);
	rf = npz_read(path, &err);
	assert_non_null(rf);
	assert_int_equal(npz_size(rf), 8);
	for (size_t i = 0; i < 8; i++) {
		const npz_array *a = npz_at(rf, i), *w = &s.arr[i];
		size_t bytes = npz_count(w) * npz_dtype_size(w->dtype);

		assert_string_equal(a->name, w->name);
		assert_int_equal(a->dtype, w->dtype);
		assert_int_equal(a->ndim, w->ndim);
		for (int d = 0; d < w->ndim; d++)
			assert_int_equal(a->shape[d], w->shape[d]);
		assert_int_equal(npz_count(a), npz_count(w));
		assert_non_null(a->data);
		assert_int_equal((uintptr_t)a->data % 8, 0);
		if (bytes)
			assert_memory_equal(a->data, w->data, bytes);
		assert_ptr_equal(npz_find(rf, w->name), a);
	}
	assert_int_equal(npz_count(npz_at(rf, 1)), 1); /* scalar */
	assert_int_equal(npz_count(npz_at(rf, 7)), 0);
	assert_null(npz_at(rf, 8));
	assert_null(npz_find(rf, "nope"));
	assert_null(npz_find(rf, "params.npy"));
	npz_free(rf);

	/* zero arrays: a valid, empty archive (just the end record) */
	assert_int_equal(npz_write(path, NULL, 0, &err), 0);
	rf = npz_read(path, &err);
	assert_non_null(rf);
	assert_int_equal(npz_size(rf), 0);
	npz_free(rf);
}

static void test_dtype_size(void **state)
{
	(void)state;
	assert_int_equal(npz_dtype_size(NPZ_F32), 4);
	assert_int_equal(npz_dtype_size(NPZ_F64), 8);
	assert_int_equal(npz_dtype_size(NPZ_I32), 4);
	assert_int_equal(npz_dtype_size(NPZ_I64), 8);
	assert_int_equal(npz_dtype_size(NPZ_U32), 4);
	assert_int_equal(npz_dtype_size(NPZ_U64), 8);
	assert_int_equal(npz_dtype_size(NPZ_U8), 1);
	assert_int_equal(npz_dtype_size((enum npz_dtype)99), 0);
}

/* The exact bytes: ZIP local header, .npy header, end record. */
static void test_write_layout(void **state)
{
	static const char want_hdr[] =
		"\x93NUMPY\x01\x00" "v\x00"
		"{'descr': '<f4', 'fortran_order': False, 'shape': (64, 4609), }"
		"                                                  " /* 50 */
		"    \n";
	static const unsigned char want_local[] = {
		'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0, /* sig, version, flags, stored */
		0, 0, 0x21, 0,                      /* 00:00, 1980-01-01 */
	};
	tu_tmp *f = *state;
	size_t n = 64 * 4609, len, len2, entry = 128 + n * 4;
	float *data = malloc(n * sizeof(float));
	npz_array a = { "params", NPZ_F32, 2, { 64, 4609 }, data };
	char path[256], path2[256];
	unsigned char *b, *b2, *eocd;
	uint32_t crc;
	ej_err err = { 0 };

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (float)i * 0.5f;
	assert_int_equal(sizeof(want_hdr) - 1, 128);
	assert_int_equal(npz_write(nt_path(f, "p.npz", path, sizeof(path)), &a,
				   1, &err), 0);
	b = nt_get_file(path, &len);
	assert_int_equal(len, 30 + 10 + entry + 46 + 10 + 22);
	assert_memory_equal(b, want_local, sizeof(want_local));
	crc = (uint32_t)crc32(0, (const Bytef *)want_hdr, 128);
	crc = (uint32_t)crc32(crc, (const Bytef *)data, (uInt)(n * 4));
	assert_int_equal(rd32(b + 14), crc);
	assert_int_equal(rd32(b + 18), entry);
	assert_int_equal(rd32(b + 22), entry);
	assert_memory_equal(b + 26, "\x0a\x00\x00\x00params.npy", 14);
	assert_memory_equal(b + 40, want_hdr, 128);
	assert_memory_equal(b + 168, data, n * 4);
	/* central directory record */
	assert_memory_equal(b + 40 + entry, "PK\x01\x02", 4);
	assert_int_equal(rd32(b + 40 + entry + 16), crc);
	assert_int_equal(rd32(b + 40 + entry + 42), 0); /* local header at 0 */
	assert_memory_equal(b + 40 + entry + 46, "params.npy", 10);
	/* end of central directory: 1 entry, cd size 56 at offset 40+entry */
	eocd = b + len - 22;
	assert_memory_equal(eocd, "PK\x05\x06\0\0\0\0\x01\0\x01\0", 12);
	assert_int_equal(rd32(eocd + 12), 56);
	assert_int_equal(rd32(eocd + 16), 40 + entry);
	assert_memory_equal(eocd + 20, "\0\0", 2);

	/* byte-reproducible */
	assert_int_equal(npz_write(nt_path(f, "q.npz", path2, sizeof(path2)),
				   &a, 1, &err), 0);
	b2 = nt_get_file(path2, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(b, b2, len);
	free(b);
	free(b2);
	free(data);
}

/* Scalar and 1-D shapes are written as numpy writes them: () and (N,). */
static void test_write_shapes(void **state)
{
	tu_tmp *f = *state;
	double v = 1.5;
	int64_t w[3] = { 1, 2, 3 };
	npz_array a[2] = { { "s", NPZ_F64, 0, { 0 }, &v },
			   { "w", NPZ_I64, 1, { 3 }, w } };
	char path[256];
	unsigned char *b;
	size_t len;
	ej_err err = { 0 };
	static const char s_dict[] =
		"{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
	static const char w_dict[] =
		"{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";

	assert_int_equal(npz_write(nt_path(f, "s.npz", path, sizeof(path)), a,
				   2, &err), 0);
	b = nt_get_file(path, &len);
	/* entry 0 at 30 + 5 ("s.npy"); 10 + 55 + 1 header bytes padded to
	 * 128; 8 data bytes */
	assert_memory_equal(b + 35, "\x93NUMPY\x01\x00\x76\x00", 10);
	assert_memory_equal(b + 35 + 10, s_dict, sizeof(s_dict) - 1);
	assert_int_equal(b[35 + 10 + 55], ' ');
	assert_int_equal(b[35 + 126], ' ');
	assert_int_equal(b[35 + 127], '\n');
	assert_memory_equal(b + 35 + 128, &v, 8);
	/* entry 1 at 35 + 136 */
	assert_memory_equal(b + 171, "PK\x03\x04", 4);
	assert_memory_equal(b + 171 + 35 + 10, w_dict, sizeof(w_dict) - 1);
	free(b);
}

/* ---- npz: numpy interoperability ---------------------------------------- */

static const char py_dump[] =
	"import sys, zlib, numpy as np\n"
	"d = np.load(sys.argv[1])\n"
	"for k in d.files:\n"
	"    a = d[k]\n"
	"    print(k, a.dtype.str, a.shape, a.flags.c_contiguous,\n"
	"          zlib.crc32(a.tobytes()))\n";

static void test_numpy_loads_ours(void **state)
{
	tu_tmp *f = *state;
	nt_sample s;
	char path[256], out[4096], want[4096];
	size_t k = 0;
	ej_err err = { 0 };
	static const char *const shape_str[8] = {
		"(3, 5)", "()", "(4,)", "(2, 2)", "(3,)", "(2,)", "(1, 1, 1)",
		"(0, 4)",
	};
	static const char *const descr[8] = {
		"<f4", "<f8", "<i8", "|u1", "<i4", "<u4", "<u8", "<f4",
	};

	if (!has_numpy()) /* make deps installs python3-numpy: never skip */
		fail_msg("numpy is missing: install python3-numpy (make deps)");
	nt_sample_init(&s);
	assert_int_equal(npz_write(nt_path(f, "a.npz", path, sizeof(path)),
				   s.arr, 8, &err), 0);
	run_python(f, py_dump, path, out, sizeof(out));
	for (int i = 0; i < 8; i++) {
		size_t bytes = npz_count(&s.arr[i]) *
			       npz_dtype_size(s.arr[i].dtype);
		uLong crc = crc32(0, s.arr[i].data, (uInt)bytes);

		k += (size_t)snprintf(want + k, sizeof(want) - k,
				      "%s %s %s True %lu\n", s.arr[i].name,
				      descr[i], shape_str[i], (unsigned long)crc);
	}
	assert_string_equal(out, want);
}

static const char py_make[] =
	"import sys, numpy as np\n"
	"d = dict(a=np.arange(12, dtype='<f4').reshape(3, 4) / np.float32(4),\n"
	"         b=np.arange(1000, dtype='<i8') * 3 - 7,\n"
	"         c=np.float64(-2.5),\n"
	"         flags=np.array([True, False, True]),\n"
	"         u=np.arange(256, dtype=np.uint8),\n"
	"         w=np.arange(6, dtype='<u4').reshape(1, 2, 3),\n"
	"         q=np.array([-5, 7], dtype='<i4'),\n"
	"         r=np.array([2**64 - 1], dtype='<u8'))\n"
	"np.savez(sys.argv[1] + '/plain.npz', **d)\n"
	"np.savez_compressed(sys.argv[1] + '/packed.npz', **d)\n"
	"np.savez(sys.argv[1] + '/fortran.npz',\n"
	"         m=np.asfortranarray(np.ones((2, 3), dtype='<f4')))\n"
	"np.savez(sys.argv[1] + '/bigend.npz', m=np.ones(3, dtype='>f4'))\n"
	"np.savez(sys.argv[1] + '/complex.npz', m=np.ones(3, dtype='<c8'))\n";

static void check_numpy_file(const char *path)
{
	ej_err err = { 0 };
	npz_file *rf = npz_read(path, &err);
	const npz_array *a;

	assert_non_null(rf);
	assert_int_equal(npz_size(rf), 8);
	a = npz_find(rf, "a");
	assert_non_null(a);
	assert_int_equal(a->dtype, NPZ_F32);
	assert_int_equal(a->ndim, 2);
	assert_int_equal(a->shape[0], 3);
	assert_int_equal(a->shape[1], 4);
	for (int i = 0; i < 12; i++)
		assert_true(((const float *)a->data)[i] == (float)i / 4.0f);
	a = npz_find(rf, "b");
	assert_int_equal(a->dtype, NPZ_I64);
	assert_int_equal(a->ndim, 1);
	assert_int_equal(a->shape[0], 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(((const int64_t *)a->data)[i], i * 3 - 7);
	a = npz_find(rf, "c");
	assert_int_equal(a->dtype, NPZ_F64);
	assert_int_equal(a->ndim, 0);
	assert_true(*(const double *)a->data == -2.5);
	a = npz_find(rf, "flags");
	assert_int_equal(a->dtype, NPZ_U8);
	assert_memory_equal(a->data, "\x01\x00\x01", 3);
	a = npz_find(rf, "u");
	assert_int_equal(a->dtype, NPZ_U8);
	for (int i = 0; i < 256; i++)
		assert_int_equal(((const uint8_t *)a->data)[i], i);
	a = npz_find(rf, "w");
	assert_int_equal(a->dtype, NPZ_U32);
	assert_int_equal(a->ndim, 3);
	assert_int_equal(a->shape[2], 3);
	assert_int_equal(((const uint32_t *)a->data)[5], 5);
	a = npz_find(rf, "q");
	assert_int_equal(a->dtype, NPZ_I32);
	assert_int_equal(((const int32_t *)a->data)[0], -5);
	a = npz_find(rf, "r");
	assert_int_equal(a->dtype, NPZ_U64);
	assert_true(((const uint64_t *)a->data)[0] == UINT64_MAX);
	npz_free(rf);
}

static void test_read_numpy_files(void **state)
{
	tu_tmp *f = *state;
	char out[256], path[256], msg[1024];
	ej_err err = { 0 };
	size_t len;
	unsigned char *b;

	if (!has_numpy()) /* make deps installs python3-numpy: never skip */
		fail_msg("numpy is missing: install python3-numpy (make deps)");
	run_python(f, py_make, f->dir, out, sizeof(out));
	check_numpy_file(nt_path(f, "plain.npz", path, sizeof(path)));
	check_numpy_file(nt_path(f, "packed.npz", path, sizeof(path)));
	/* savez_compressed really deflated (method 8 in the first header) */
	b = nt_get_file(path, &len);
	assert_int_equal(b[8], 8);
	free(b);

	assert_null(npz_read(nt_path(f, "fortran.npz", path, sizeof(path)),
			     &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'm.npy': fortran_order True is not supported",
		 path);
	assert_string_equal(err.msg, msg);
	assert_null(npz_read(nt_path(f, "bigend.npz", path, sizeof(path)),
			     &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'm.npy': big-endian dtype '>f4' is not supported",
		 path);
	assert_string_equal(err.msg, msg);
	assert_null(npz_read(nt_path(f, "complex.npz", path, sizeof(path)),
			     &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'm.npy': unsupported dtype '<c8'", path);
	assert_string_equal(err.msg, msg);
}

/* ---- npz_get_f32 -------------------------------------------------------- */

static void test_get_f32(void **state)
{
	tu_tmp *f = *state;
	float p[4] = { 0.1f, -2, 3.5f, 1e-30f }, out[4];
	double d[3] = { 0.1, -1e30, 123456789.0 }, huge[2] = { 1, -1e300 };
	double nan2[1] = { 0 };
	int64_t k[2] = { 1, 2 };
	npz_array arr[5] = {
		{ "params", NPZ_F32, 1, { 4 }, p },
		{ "obs", NPZ_F64, 2, { 1, 3 }, d },
		{ "k", NPZ_I64, 1, { 2 }, k },
		{ "huge", NPZ_F64, 1, { 2 }, huge },
		{ "nan", NPZ_F64, 0, { 0 }, nan2 },
	};
	char path[256], msg[1024];
	ej_err err = { 0 };
	npz_file *rf;

	nan2[0] = NAN;
	assert_int_equal(npz_write(nt_path(f, "best.npz", path, sizeof(path)),
				   arr, 5, &err), 0);
	rf = npz_read(path, &err);
	assert_non_null(rf);

	assert_int_equal(npz_get_f32(rf, "params", out, 4, &err), 0);
	assert_memory_equal(out, p, sizeof(p));
	assert_int_equal(npz_get_f32(rf, "obs", out, 3, &err), 0);
	assert_true(out[0] == (float)0.1);
	assert_true(out[1] == (float)-1e30);
	assert_true(out[2] == 123456792.0f);
	assert_int_equal(npz_get_f32(rf, "nan", out, 1, &err), 0);
	assert_true(out[0] != out[0]);

	out[0] = 42;
	assert_int_equal(npz_get_f32(rf, "params", out, 5, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "'%s': 'params' has 4 elements, expected 5",
		 path);
	assert_string_equal(err.msg, msg);
	assert_true(out[0] == 42);
	assert_int_equal(npz_get_f32(rf, "opt", out, 4, &err), -1);
	snprintf(msg, sizeof(msg), "'%s': missing array 'opt'", path);
	assert_string_equal(err.msg, msg);
	assert_int_equal(npz_get_f32(rf, "k", out, 2, &err), -1);
	snprintf(msg, sizeof(msg),
		 "'%s': 'k' has dtype '<i8', expected '<f4' or '<f8'", path);
	assert_string_equal(err.msg, msg);
	assert_int_equal(npz_get_f32(rf, "huge", out, 2, &err), -1);
	snprintf(msg, sizeof(msg),
		 "'%s': 'huge' element 1 (-1e+300) is out of float32 range",
		 path);
	assert_string_equal(err.msg, msg);
	assert_true(out[0] == 42); /* dst untouched on error */
	npz_free(rf);
}

/* The message from the brief, with a realistic parameter count. */
static void test_get_f32_count_message(void **state)
{
	tu_tmp *f = *state;
	float *p = calloc(4608, sizeof(float)), *out = calloc(4609,
							      sizeof(float));
	npz_array a = { "params", NPZ_F32, 1, { 4608 }, p };
	char path[256], msg[1024];
	ej_err err = { 0 };
	npz_file *rf;

	assert_non_null(p);
	assert_non_null(out);
	assert_int_equal(npz_write(nt_path(f, "best.npz", path, sizeof(path)),
				   &a, 1, &err), 0);
	rf = npz_read(path, &err);
	assert_non_null(rf);
	assert_int_equal(npz_get_f32(rf, "params", out, 4609, &err), -1);
	snprintf(msg, sizeof(msg),
		 "'%s': 'params' has 4608 elements, expected 4609", path);
	assert_string_equal(err.msg, msg);
	npz_free(rf);
	free(p);
	free(out);
}

/* ---- npz_write errors --------------------------------------------------- */

static void test_write_errors(void **state)
{
	tu_tmp *f = *state;
	float v[2] = { 1, 2 };
	npz_array a[2] = { { "a", NPZ_F32, 1, { 2 }, v },
			   { "a", NPZ_F32, 1, { 2 }, v } };
	char path[256], msg[1024], list[512];
	ej_err err = { 0 };

	nt_path(f, "w.npz", path, sizeof(path));
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': duplicate array name "
		 "'a'", path);
	assert_string_equal(err.msg, msg);

	a[1].name = "";
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': array 1 has no name",
		 path);
	assert_string_equal(err.msg, msg);

	a[1].name = "b";
	a[1].ndim = 9;
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': array 'b' has 9 "
		 "dimensions, expected 0 to 8", path);
	assert_string_equal(err.msg, msg);

	a[1].ndim = 1;
	a[1].dtype = (enum npz_dtype)42;
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': array 'b' has an "
		 "unknown dtype (42)", path);
	assert_string_equal(err.msg, msg);

	a[1].dtype = NPZ_F32;
	a[1].data = NULL;
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': array 'b' has no data",
		 path);
	assert_string_equal(err.msg, msg);
	nt_listing(f, list, sizeof(list));
	assert_string_equal(list, ""); /* nothing written */

	a[1].data = v;
	nt_path(f, "nodir/w.npz", path, sizeof(path));
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "cannot write '%s': No such file or "
		 "directory", path);
	assert_string_equal(err.msg, msg);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_tmp_setup, tu_tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_roundtrip),
		cmocka_unit_test(test_dtype_size),
		T(test_write_layout),
		T(test_write_shapes),
		T(test_numpy_loads_ours),
		T(test_read_numpy_files),
		T(test_get_f32),
		T(test_get_f32_count_message),
		T(test_write_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_npz.c - numpy .npz I/O (core/npz.c) and file helpers (core/fileio.c).
 *
 * Archives are checked three ways: read back by our reader, byte layout
 * against hand-written ZIP/.npy bytes, and loaded by numpy itself
 * (python3-numpy, installed by make deps: a missing numpy fails those
 * tests rather than skipping them).  Deflated entries are built here with
 * zlib, and by numpy.savez_compressed.  Corrupt inputs (every
 * truncation point, bad CRC, bad headers, zip64, ...) must give the exact
 * message, never a crash.
 */
#define ZLIB_CONST
#include <dirent.h>
#include <errno.h>
#include <math.h>
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

#include "core/fileio.h"
#include "core/npz.h"

/* ---- fixture: a fresh temp directory per test --------------------------- */


/* "<dir>/<name>" into a static-size buffer owned by the caller. */
static char *fx_path(const tu_tmp *f, const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", f->dir, name);
	return buf;
}

/* Entries of the fixture directory, sorted names joined by ' '. */
static void fx_listing(const tu_tmp *f, char *out, size_t cap)
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

/* ---- small helpers ------------------------------------------------------ */

static void put_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static unsigned char *get_file(const char *path, size_t *len)
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

	put_file(fx_path(f, "script.py", spath, sizeof(spath)), script,
		 strlen(script));
	snprintf(cmd, sizeof(cmd), "%s '%s' '%s'", numpy_python(), spath, arg);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(spath);
}

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A .npy file: magic, version major.0, header length (u16 for v1, u32
 * otherwise), dict padded with spaces + '\n' to 64 bytes, data. */
static unsigned char *mk_npy(const char *dict, int major, const void *data,
			     size_t dlen, size_t *len)
{
	size_t hoff = major == 1 ? 10 : 12, dl = strlen(dict);
	size_t pad = (64 - (hoff + dl + 1) % 64) % 64, hlen = dl + pad + 1;
	unsigned char *b = malloc(hoff + hlen + dlen + 1);

	assert_non_null(b);
	memcpy(b, "\x93NUMPY", 6);
	b[6] = (unsigned char)major;
	b[7] = 0;
	if (major == 1)
		le16(b + 8, (unsigned)hlen);
	else
		le32(b + 8, (uint32_t)hlen);
	memcpy(b + hoff, dict, dl);
	memset(b + hoff + dl, ' ', pad);
	b[hoff + dl + pad] = '\n';
	if (dlen)
		memcpy(b + hoff + hlen, data, dlen);
	*len = hoff + hlen + dlen;
	return b;
}

/* Raw deflate (no zlib header), as ZIP method 8 stores it. */
static unsigned char *mk_deflate(const void *src, size_t n, size_t *out_len)
{
	z_stream zs;
	uLong cap = compressBound((uLong)n) + 64;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = src;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* One entry of a hand-built zip: 'raw' is the uncompressed content; with
 * 'deflate' it is stored deflated.  'stored' overrides what goes into the
 * file (for corrupt compressed streams). */
typedef struct tz_entry {
	const char *name;
	const unsigned char *raw;
	size_t raw_len;
	int deflate;
	const unsigned char *stored;
	size_t stored_len;
} tz_entry;

/* Offsets into a hand-built zip, for patching fields. */
typedef struct tz_layout {
	size_t local[8], central[8], eocd;
} tz_layout;

/* A complete zip of n (<= 8) entries, independent of core/npz.c. */
static unsigned char *tz_build(const tz_entry *e, size_t n, size_t *len,
			       tz_layout *lay)
{
	unsigned char *b = calloc(1, 1 << 16), *dfl[8] = { NULL };
	size_t pos = 0, cd, sizes[8];
	uint32_t crc[8];

	assert_non_null(b);
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *body = e[i].raw;
		size_t nl = strlen(e[i].name);

		sizes[i] = e[i].raw_len;
		if (e[i].deflate)
			body = dfl[i] = mk_deflate(e[i].raw, e[i].raw_len,
						   &sizes[i]);
		if (e[i].stored) {
			body = e[i].stored;
			sizes[i] = e[i].stored_len;
		}
		crc[i] = (uint32_t)crc32(0, e[i].raw, (uInt)e[i].raw_len);
		lay->local[i] = pos;
		le32(b + pos, 0x04034b50);
		le16(b + pos + 4, 20);
		le16(b + pos + 8, e[i].deflate ? 8 : 0);
		le32(b + pos + 14, crc[i]);
		le32(b + pos + 18, (uint32_t)sizes[i]);
		le32(b + pos + 22, (uint32_t)e[i].raw_len);
		le16(b + pos + 26, (unsigned)nl);
		memcpy(b + pos + 30, e[i].name, nl);
		memcpy(b + pos + 30 + nl, body, sizes[i]);
		pos += 30 + nl + sizes[i];
		assert_true(pos < (1 << 15));
	}
	cd = pos;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);

		lay->central[i] = pos;
		le32(b + pos, 0x02014b50);
		le16(b + pos + 4, 20);
		le16(b + pos + 6, 20);
		le16(b + pos + 10, e[i].deflate ? 8 : 0);
		le32(b + pos + 16, crc[i]);
		le32(b + pos + 20, (uint32_t)sizes[i]);
		le32(b + pos + 24, (uint32_t)e[i].raw_len);
		le16(b + pos + 28, (unsigned)nl);
		le32(b + pos + 42, (uint32_t)lay->local[i]);
		memcpy(b + pos + 46, e[i].name, nl);
		pos += 46 + nl;
		free(dfl[i]);
	}
	lay->eocd = pos;
	le32(b + pos, 0x06054b50);
	le16(b + pos + 8, (unsigned)n);
	le16(b + pos + 10, (unsigned)n);
	le32(b + pos + 12, (uint32_t)(pos - cd));
	le32(b + pos + 16, (uint32_t)cd);
	*len = pos + 22;
	return b;
}

/* Write a one-entry zip "x.npy" with the given .npy content; read it and
 * expect failure with "'<path>': entry 'x.npy': <want>". */
static void expect_entry_error(const tu_tmp *f, const unsigned char *npy,
			       size_t npy_len, const char *want)
{
	tz_entry e = { "x.npy", npy, npy_len, 0, NULL, 0 };
	tz_layout lay;
	size_t len;
	unsigned char *zip = tz_build(&e, 1, &len, &lay);
	char path[256], msg[1024];
	ej_err err = { 0 };

	put_file(fx_path(f, "bad.npz", path, sizeof(path)), zip, len);
	free(zip);
	assert_null(npz_read(path, &err));
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "'%s': entry 'x.npy': %s", path, want);
	assert_string_equal(err.msg, msg);
}

/* Read 'zip' from a file and expect "'<path>': <want>". */
static void expect_zip_error(const tu_tmp *f, const unsigned char *zip,
			     size_t len, const char *want)
{
	char path[256], msg[1024];
	ej_err err = { 0 };

	put_file(fx_path(f, "bad.npz", path, sizeof(path)), zip, len);
	assert_null(npz_read(path, &err));
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "'%s': %s", path, want);
	assert_string_equal(err.msg, msg);
}

/* ---- a standard set of arrays ------------------------------------------- */

typedef struct sample {
	float f32[3][5];
	double f64;
	int64_t i64[4];
	uint8_t u8[2][2];
	int32_t i32[3];
	uint32_t u32[2];
	uint64_t u64[1];
	npz_array arr[8];
} sample;

static void sample_init(sample *s)
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

/* ---- npz: write, read back ---------------------------------------------- */

static void test_roundtrip(void **state)
{
	tu_tmp *f = *state;
	sample s;
	char path[256];
	ej_err err = { 0 };
	npz_file *rf;

	sample_init(&s);
	fx_path(f, "a.npz", path, sizeof(path));
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
	assert_int_equal(npz_write(fx_path(f, "p.npz", path, sizeof(path)), &a,
				   1, &err), 0);
	b = get_file(path, &len);
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
	assert_int_equal(npz_write(fx_path(f, "q.npz", path2, sizeof(path2)),
				   &a, 1, &err), 0);
	b2 = get_file(path2, &len2);
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

	assert_int_equal(npz_write(fx_path(f, "s.npz", path, sizeof(path)), a,
				   2, &err), 0);
	b = get_file(path, &len);
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
	sample s;
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
	sample_init(&s);
	assert_int_equal(npz_write(fx_path(f, "a.npz", path, sizeof(path)),
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
	check_numpy_file(fx_path(f, "plain.npz", path, sizeof(path)));
	check_numpy_file(fx_path(f, "packed.npz", path, sizeof(path)));
	/* savez_compressed really deflated (method 8 in the first header) */
	b = get_file(path, &len);
	assert_int_equal(b[8], 8);
	free(b);

	assert_null(npz_read(fx_path(f, "fortran.npz", path, sizeof(path)),
			     &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'm.npy': fortran_order True is not supported",
		 path);
	assert_string_equal(err.msg, msg);
	assert_null(npz_read(fx_path(f, "bigend.npz", path, sizeof(path)),
			     &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'm.npy': big-endian dtype '>f4' is not supported",
		 path);
	assert_string_equal(err.msg, msg);
	assert_null(npz_read(fx_path(f, "complex.npz", path, sizeof(path)),
			     &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'm.npy': unsupported dtype '<c8'", path);
	assert_string_equal(err.msg, msg);
}

/* ---- npz: hand-built archives (no numpy needed) ------------------------- */

static void test_read_deflated(void **state)
{
	tu_tmp *f = *state;
	double vals[2][3] = { { 1, -2, 0.5 }, { 1e300, -0.0, 7 } };
	int32_t ramp[500];
	size_t l1, l2, len;
	unsigned char *n1, *n2, *zip;
	char path[256];
	tz_layout lay;
	ej_err err = { 0 };
	npz_file *rf;
	const npz_array *a;

	for (int i = 0; i < 500; i++)
		ramp[i] = i % 7;
	n1 = mk_npy("{'descr': '<f8', 'fortran_order': False, "
		    "'shape': (2, 3), }", 1, vals, sizeof(vals), &l1);
	n2 = mk_npy("{'descr': '<i4', 'fortran_order': False, "
		    "'shape': (500,), }", 1, ramp, sizeof(ramp), &l2);
	tz_entry e[2] = { { "v.npy", n1, l1, 1, NULL, 0 },
			  { "ramp.npy", n2, l2, 1, NULL, 0 } };
	zip = tz_build(e, 2, &len, &lay);
	assert_true(len < l1 + l2); /* really compressed */
	put_file(fx_path(f, "d.npz", path, sizeof(path)), zip, len);
	rf = npz_read(path, &err);
	assert_non_null(rf);
	a = npz_find(rf, "v");
	assert_int_equal(a->dtype, NPZ_F64);
	assert_int_equal(a->shape[0], 2);
	assert_int_equal(a->shape[1], 3);
	assert_memory_equal(a->data, vals, sizeof(vals));
	a = npz_find(rf, "ramp");
	assert_int_equal(a->shape[0], 500);
	assert_memory_equal(a->data, ramp, sizeof(ramp));
	npz_free(rf);
	free(zip);
	free(n1);
	free(n2);
}

static void test_read_header_variants(void **state)
{
	tu_tmp *f = *state;
	float v[2] = { 1.5f, -3.0f };
	static const char *const dicts[] = {
		/* numpy's own order */
		"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
		/* other key order, double quotes, no trailing comma */
		"{ \"shape\" : ( 2 , ) ,\"fortran_order\":False,"
		"\"descr\":\"<f4\"}",
		/* Python 2 long, 2-D with trailing comma */
		"{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L,), }",
	};
	const int ndims[] = { 1, 1, 2 };

	for (int major = 1; major <= 3; major++) {
		for (size_t i = 0; i < 3; i++) {
			size_t nl, len;
			unsigned char *npy = mk_npy(dicts[i], major, v,
						    sizeof(v), &nl);
			tz_entry e = { "h.npy", npy, nl, 0, NULL, 0 };
			tz_layout lay;
			unsigned char *zip = tz_build(&e, 1, &len, &lay);
			char path[256];
			ej_err err = { 0 };
			npz_file *rf;
			const npz_array *a;

			put_file(fx_path(f, "h.npz", path, sizeof(path)), zip,
				 len);
			rf = npz_read(path, &err);
			assert_non_null(rf);
			a = npz_at(rf, 0);
			assert_string_equal(a->name, "h");
			assert_int_equal(a->dtype, NPZ_F32);
			assert_int_equal(a->ndim, ndims[i]);
			assert_int_equal(a->shape[a->ndim - 1], 2);
			assert_memory_equal(a->data, v, sizeof(v));
			npz_free(rf);
			free(zip);
			free(npy);
		}
	}
}

static void test_bad_npy(void **state)
{
	static const struct {
		const char *dict;
		size_t data_len;
		const char *want;
	} cases[] = {
		{ "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
		  24, "fortran_order True is not supported" },
		{ "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }",
		  24, "big-endian dtype '>f8' is not supported" },
		{ "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }",
		  24, "unsupported dtype '<c8'" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
		  20, "shape (2, 3) of '<f4' does not match the 20 bytes of data" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
		  12, "shape (2,) of '<f4' does not match the 12 bytes of data" },
		{ "{'descr': '<f4', 'fortran_order': False, }",
		  4, "bad npy header: missing key 'shape'" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (), "
		  "'foo': 1}", 4, "bad npy header: unknown key 'foo'" },
		{ "{'descr': '<f4', 'descr': '<f4'}",
		  4, "bad npy header: duplicate key 'descr'" },
		{ "{'descr' '<f4', 'fortran_order': False, 'shape': (), }",
		  4, "bad npy header: expected ':' at byte 9" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (3), }",
		  12, "bad npy header: 'shape' is not a tuple" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }",
		  12, "bad npy header: expected a dimension at byte 51" },
		{ "{'descr': [('a', '<f4')], 'fortran_order': False, "
		  "'shape': (), }", 4,
		  "bad npy header: structured dtypes are not supported" },
		{ "{'descr': '<f4', 'fortran_order': False, "
		  "'shape': (1,1,1,1,1,1,1,1,1), }", 4,
		  "bad npy header: more than 8 dimensions" },
		{ "{'descr': '<f4', 'fortran_order': False, 'shape': (), } x",
		  4, "bad npy header: unexpected text after the dict at byte 56" },
		{ "{'descr': '<f4', 'fortran_order': 0, 'shape': (), }",
		  4, "bad npy header: expected True or False at byte 34" },
		{ "{'descr': '<f4, 'fortran_order': False, 'shape': (), }",
		  4, "bad npy header: expected ',' or '}' at byte 17" },
		{ "{'descr': '<f4', 'fortran_order': False, "
		  "'shape': (99999999999999999999999,), }", 4,
		  "bad npy header: dimension too large at byte 51" },
		{ "{'descr': '<f4', 'fortran_order': False, "
		  "'shape': (4294967296, 4294967296, 4294967296,), }", 4,
		  "shape (4294967296, 4294967296, 4294967296) of '<f4' does not "
		  "match the 4 bytes of data" },
	};
	tu_tmp *f = *state;
	unsigned char data[24] = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t nl;
		unsigned char *npy = mk_npy(cases[i].dict, 1, data,
					    cases[i].data_len, &nl);

		expect_entry_error(f, npy, nl, cases[i].want);
		free(npy);
	}
}

static void test_bad_npy_preamble(void **state)
{
	tu_tmp *f = *state;
	float v = 1;
	size_t nl;
	unsigned char *npy = mk_npy("{'descr': '<f4', 'fortran_order': False, "
				    "'shape': (), }", 1, &v, 4, &nl);

	npy[5] = 'Z'; /* "\x93NUMPZ" */
	expect_entry_error(f, npy, nl, "not a .npy array (bad magic)");
	npy[5] = 'Y';
	npy[6] = 4;
	expect_entry_error(f, npy, nl, "unsupported npy version 4.0");
	npy[6] = 1;
	npy[7] = 1;
	expect_entry_error(f, npy, nl, "unsupported npy version 1.1");
	npy[7] = 0;
	expect_entry_error(f, npy, 5, "not a .npy array (bad magic)");
	expect_entry_error(f, npy, 7, "truncated npy header");
	expect_entry_error(f, npy, 9, "truncated npy header");
	expect_entry_error(f, npy, 60, "truncated npy header");
	le16(npy + 8, 0xffff); /* header length past the end */
	expect_entry_error(f, npy, nl, "truncated npy header");
	free(npy);
}

static void test_bad_zip(void **state)
{
	tu_tmp *f = *state;
	float v = 1;
	size_t nl, len;
	unsigned char *npy = mk_npy("{'descr': '<f4', 'fortran_order': False, "
				    "'shape': (), }", 1, &v, 4, &nl);
	tz_entry e[2] = { { "x.npy", npy, nl, 0, NULL, 0 },
			  { "x.npy", npy, nl, 0, NULL, 0 } };
	tz_layout lay;
	unsigned char *zip = tz_build(e, 1, &len, &lay), *z2;
	size_t c = lay.central[0];
	char msg[256];

	/* sanity: the unmodified archive reads */
	{
		char path[256];
		ej_err err = { 0 };
		npz_file *rf;

		put_file(fx_path(f, "ok.npz", path, sizeof(path)), zip, len);
		rf = npz_read(path, &err);
		assert_non_null(rf);
		npz_free(rf);
	}
	expect_zip_error(f, zip, 0, "not a zip file or truncated (no end of "
			 "central directory record)");
	expect_zip_error(f, (const unsigned char *)"hello, world, not a zip "
			 "file at all", 36, "not a zip file or truncated (no "
			 "end of central directory record)");

	/* CRC in the central directory (what the reader trusts) */
	zip[c + 16] ^= 1;
	expect_zip_error(f, zip, len, "entry 'x.npy': CRC-32 mismatch "
			 "(corrupt data)");
	zip[c + 16] ^= 1;
	/* sizes beyond the central directory start */
	le32(zip + c + 20, (uint32_t)nl + 100);
	le32(zip + c + 24, (uint32_t)nl + 100);
	expect_zip_error(f, zip, len, "entry 'x.npy': truncated data");
	le32(zip + c + 24, (uint32_t)nl);
	snprintf(msg, sizeof(msg), "entry 'x.npy': stored entry has sizes %zu "
		 "and %zu", nl + 100, nl);
	expect_zip_error(f, zip, len, msg);
	le32(zip + c + 20, (uint32_t)nl);
	/* zip64 markers */
	le32(zip + c + 20, 0xffffffff);
	expect_zip_error(f, zip, len, "entry 'x.npy': zip64 is not supported");
	le32(zip + c + 20, (uint32_t)nl);
	le16(zip + lay.eocd + 10, 0xffff);
	expect_zip_error(f, zip, len, "zip64 is not supported");
	le16(zip + lay.eocd + 10, 1);
	/* other methods, encryption, multi-disk */
	le16(zip + c + 10, 12);
	expect_zip_error(f, zip, len, "entry 'x.npy': unsupported compression "
			 "method 12");
	le16(zip + c + 10, 0);
	le16(zip + c + 8, 1);
	expect_zip_error(f, zip, len, "entry 'x.npy': encrypted entries are "
			 "not supported");
	le16(zip + c + 8, 0);
	le16(zip + lay.eocd + 4, 1);
	expect_zip_error(f, zip, len, "multi-disk zip files are not supported");
	le16(zip + lay.eocd + 4, 0);
	/* central directory pointing past the end record */
	le32(zip + lay.eocd + 16, (uint32_t)lay.eocd + 1);
	expect_zip_error(f, zip, len, "central directory out of bounds "
			 "(truncated file?)");
	le32(zip + lay.eocd + 16, (uint32_t)c);
	zip[c] = 'X';
	expect_zip_error(f, zip, len, "corrupt central directory (record 0)");
	zip[c] = 'P';
	zip[lay.local[0]] = 'X';
	expect_zip_error(f, zip, len, "entry 'x.npy': bad local header "
			 "signature");
	zip[lay.local[0]] = 'P';
	le32(zip + c + 42, (uint32_t)c);
	expect_zip_error(f, zip, len, "entry 'x.npy': local header out of "
			 "bounds");
	le32(zip + c + 42, 0);
	zip[lay.local[0] + 30] = 'y';
	expect_zip_error(f, zip, len, "entry 'x.npy': local header names "
			 "another entry");
	free(zip);

	/* names: not .npy, duplicates */
	e[0].name = "notes.txt";
	zip = tz_build(e, 1, &len, &lay);
	expect_zip_error(f, zip, len, "entry 'notes.txt': not a .npy entry");
	free(zip);
	e[0].name = "x.npy";
	z2 = tz_build(e, 2, &len, &lay);
	snprintf(msg, sizeof(msg), "duplicate array 'x'");
	expect_zip_error(f, z2, len, msg);
	free(z2);
	free(npy);
}

static void test_bad_deflate(void **state)
{
	tu_tmp *f = *state;
	double v[64];
	size_t nl, dl, len;
	unsigned char *npy, *dfl, *zip;
	tz_layout lay;

	for (int i = 0; i < 64; i++)
		v[i] = i;
	npy = mk_npy("{'descr': '<f8', 'fortran_order': False, "
		     "'shape': (64,), }", 1, v, sizeof(v), &nl);
	dfl = mk_deflate(npy, nl, &dl);
	{
		/* the stream cut short */
		tz_entry e = { "x.npy", npy, nl, 1, dfl, dl / 2 };

		zip = tz_build(&e, 1, &len, &lay);
		expect_zip_error(f, zip, len, "entry 'x.npy': truncated "
				 "deflate data");
		free(zip);
	}
	{
		/* block type 3 (reserved) */
		static const unsigned char junk[4] = { 0xff, 0, 0, 0 };
		tz_entry e = { "x.npy", npy, nl, 1, junk, 4 };

		zip = tz_build(&e, 1, &len, &lay);
		expect_zip_error(f, zip, len, "entry 'x.npy': corrupt deflate "
				 "data (invalid block type)");
		free(zip);
	}
	{
		/* declared size smaller than the stream's output */
		tz_entry e = { "x.npy", npy, nl, 1, NULL, 0 };

		zip = tz_build(&e, 1, &len, &lay);
		le32(zip + lay.central[0] + 24, (uint32_t)nl - 8);
		expect_zip_error(f, zip, len, "entry 'x.npy': deflated data "
				 "larger than its declared size 632");
		free(zip);
	}
	free(dfl);
	free(npy);
}

/* Every prefix of a valid archive is an error, never a crash. */
static void test_truncated(void **state)
{
	tu_tmp *f = *state;
	sample s;
	char path[256], cut[256], prefix[300];
	unsigned char *b;
	size_t len;
	ej_err err = { 0 };

	sample_init(&s);
	assert_int_equal(npz_write(fx_path(f, "a.npz", path, sizeof(path)),
				   s.arr, 4, &err), 0);
	b = get_file(path, &len);
	fx_path(f, "cut.npz", cut, sizeof(cut));
	snprintf(prefix, sizeof(prefix), "'%s': ", cut);
	for (size_t n = 0; n < len; n++) {
		ej_err e2 = { 0 };

		put_file(cut, b, n);
		assert_null(npz_read(cut, &e2));
		assert_int_equal(e2.code, EJ_EXIT_RUN);
		assert_memory_equal(e2.msg, prefix, strlen(prefix));
	}
	/* the full file still reads */
	put_file(cut, b, len);
	{
		npz_file *rf = npz_read(cut, &err);

		assert_non_null(rf);
		npz_free(rf);
	}
	free(b);
}

/* A flipped data byte is caught by the CRC. */
static void test_bad_crc(void **state)
{
	tu_tmp *f = *state;
	sample s;
	char path[256], msg[1024];
	unsigned char *b;
	size_t len;
	ej_err err = { 0 };

	sample_init(&s);
	assert_int_equal(npz_write(fx_path(f, "a.npz", path, sizeof(path)),
				   s.arr, 2, &err), 0);
	b = get_file(path, &len);
	b[30 + 10 + 128 + 7] ^= 0x10; /* params[1] */
	put_file(path, b, len);
	assert_null(npz_read(path, &err));
	snprintf(msg, sizeof(msg),
		 "'%s': entry 'params.npy': CRC-32 mismatch (corrupt data)",
		 path);
	assert_string_equal(err.msg, msg);
	free(b);
}

static void test_read_missing_file(void **state)
{
	tu_tmp *f = *state;
	char path[256], msg[1024];
	ej_err err = { 0 };

	assert_null(npz_read(fx_path(f, "none.npz", path, sizeof(path)), &err));
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg),
		 "cannot read '%s': No such file or directory", path);
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
	assert_int_equal(npz_write(fx_path(f, "best.npz", path, sizeof(path)),
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
	assert_int_equal(npz_write(fx_path(f, "best.npz", path, sizeof(path)),
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

	fx_path(f, "w.npz", path, sizeof(path));
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
	fx_listing(f, list, sizeof(list));
	assert_string_equal(list, ""); /* nothing written */

	a[1].data = v;
	fx_path(f, "nodir/w.npz", path, sizeof(path));
	assert_int_equal(npz_write(path, a, 2, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "cannot write '%s': No such file or "
		 "directory", path);
	assert_string_equal(err.msg, msg);
}

/* ---- fileio ------------------------------------------------------------- */

static void test_write_atomic_replaces(void **state)
{
	tu_tmp *f = *state;
	char path[256], list[512], *got;
	size_t len;
	ej_err err = { 0 };

	fx_path(f, "out.txt", path, sizeof(path));
	assert_int_equal(fio_write_atomic(path, "old contents", 12, &err), 0);
	assert_int_equal(fio_write_atomic(path, "new", 3, &err), 0);
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, 3);
	assert_string_equal(got, "new");
	free(got);
	fx_listing(f, list, sizeof(list));
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
	fx_path(f, "keep.txt", path, sizeof(path));
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
	fx_path(f, "d", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	fx_path(f, "d/x", path, sizeof(path));
	assert_int_equal(fio_write_atomic(path, "x", 1, &err), 0);
	assert_int_equal(fio_write_atomic(dir, "y", 1, &err), -1);
	snprintf(msg, sizeof(msg), "cannot write '%s': Is a directory", dir);
	assert_string_equal(err.msg, msg);
	fx_listing(f, list, sizeof(list));
	assert_string_equal(list, "d keep.txt");

	/* missing directory */
	fx_path(f, "nodir/x", path, sizeof(path));
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
	put_file(fx_path(f, "big", path, sizeof(path)), big, sizeof(big));
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	assert_int_equal(got[len], '\0');
	free(got);

	put_file(fx_path(f, "empty", path, sizeof(path)), "", 0);
	assert_int_equal(fio_read_all(path, &got, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_non_null(got);
	assert_int_equal(got[0], '\0');
	free(got);

	got = (char *)path;
	assert_int_equal(fio_read_all(fx_path(f, "none", path, sizeof(path)),
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

	assert_int_equal(fio_mkdirs(fx_path(f, "a/b/c", path, sizeof(path)),
				    &err), 0);
	assert_true(is_dir(path));
	assert_int_equal(fio_mkdirs(path, &err), 0); /* exists: fine */
	assert_int_equal(fio_mkdirs(fx_path(f, "a//b/d/", path, sizeof(path)),
				    &err), 0);
	assert_true(is_dir(fx_path(f, "a/b/d", path, sizeof(path))));
	assert_int_equal(fio_mkdirs(f->dir, &err), 0);
	assert_int_equal(fio_mkdirs("/", &err), 0);

	put_file(fx_path(f, "a/file", file, sizeof(file)), "x", 1);
	assert_int_equal(fio_mkdirs(fx_path(f, "a/file/sub", path,
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
		T(test_roundtrip),
		cmocka_unit_test(test_dtype_size),
		T(test_write_layout),
		T(test_write_shapes),
		T(test_numpy_loads_ours),
		T(test_read_numpy_files),
		T(test_read_deflated),
		T(test_read_header_variants),
		T(test_bad_npy),
		T(test_bad_npy_preamble),
		T(test_bad_zip),
		T(test_bad_deflate),
		T(test_truncated),
		T(test_bad_crc),
		T(test_read_missing_file),
		T(test_get_f32),
		T(test_get_f32_count_message),
		T(test_write_errors),
		T(test_write_atomic_replaces),
		T(test_write_atomic_failures),
		T(test_read_all),
		T(test_mkdirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_npz_corrupt.c - .npz archives built by hand (core/npz.c): a
 * complete ZIP writer here, independent of core/npz.c, with deflated
 * entries (zlib) and .npy header variants, then corrupt inputs: bad .npy
 * headers and preambles, bad ZIP records (zip64, ...), bad deflate
 * streams, every truncation point, a bad CRC and a missing file.  Each
 * must give its exact message, never a crash.  No numpy needed.  Writing
 * and numpy interoperability are in test_npz.c.
 */
#define ZLIB_CONST
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "tests/npztest.h"
#include "tests/testutil.h"

#include "core/npz.h"

/* ---- ZIP and .npy bytes, written here ----------------------------------- */

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

	nt_put_file(nt_path(f, "bad.npz", path, sizeof(path)), zip, len);
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

	nt_put_file(nt_path(f, "bad.npz", path, sizeof(path)), zip, len);
	assert_null(npz_read(path, &err));
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg), "'%s': %s", path, want);
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
	nt_put_file(nt_path(f, "d.npz", path, sizeof(path)), zip, len);
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

			nt_put_file(nt_path(f, "h.npz", path, sizeof(path)),
				    zip, len);
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

		nt_put_file(nt_path(f, "ok.npz", path, sizeof(path)), zip, len);
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
	nt_sample s;
	char path[256], cut[256], prefix[300];
	unsigned char *b;
	size_t len;
	ej_err err = { 0 };

	nt_sample_init(&s);
	assert_int_equal(npz_write(nt_path(f, "a.npz", path, sizeof(path)),
				   s.arr, 4, &err), 0);
	b = nt_get_file(path, &len);
	nt_path(f, "cut.npz", cut, sizeof(cut));
	snprintf(prefix, sizeof(prefix), "'%s': ", cut);
	for (size_t n = 0; n < len; n++) {
		ej_err e2 = { 0 };

		nt_put_file(cut, b, n);
		assert_null(npz_read(cut, &e2));
		assert_int_equal(e2.code, EJ_EXIT_RUN);
		assert_memory_equal(e2.msg, prefix, strlen(prefix));
	}
	/* the full file still reads */
	nt_put_file(cut, b, len);
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
	nt_sample s;
	char path[256], msg[1024];
	unsigned char *b;
	size_t len;
	ej_err err = { 0 };

	nt_sample_init(&s);
	assert_int_equal(npz_write(nt_path(f, "a.npz", path, sizeof(path)),
				   s.arr, 2, &err), 0);
	b = nt_get_file(path, &len);
	b[30 + 10 + 128 + 7] ^= 0x10; /* params[1] */
	nt_put_file(path, b, len);
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

	assert_null(npz_read(nt_path(f, "none.npz", path, sizeof(path)), &err));
	assert_int_equal(err.code, EJ_EXIT_RUN);
	snprintf(msg, sizeof(msg),
		 "cannot read '%s': No such file or directory", path);
	assert_string_equal(err.msg, msg);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_tmp_setup, tu_tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read_deflated),
		T(test_read_header_variants),
		T(test_bad_npy),
		T(test_bad_npy_preamble),
		T(test_bad_zip),
		T(test_bad_deflate),
		T(test_truncated),
		T(test_bad_crc),
		T(test_read_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

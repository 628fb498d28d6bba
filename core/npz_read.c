/* npz_read.c - reading and checking .npz files (see npz.h): the ZIP
 * directory, stored and deflated entries, .npy headers, lookups. */
#define ZLIB_CONST
#include "core/npz.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/fileio.h"
#include "core/npz_int.h"

/* ---- reading ------------------------------------------------------------ */

typedef struct npz_entry {
	npz_array a;  /* a.name = name, a.data = data */
	char *name;   /* key without ".npy" */
	void *data;   /* malloc'd: aligned for any dtype */
} npz_entry;

struct npz_file {
	char *path;
	size_t n;
	npz_entry *e; /* (n) */
};

/* The archive being read, for bounds checks and messages. */
typedef struct npz_rd {
	const char *path;
	const unsigned char *buf;
	size_t len;
	ej_err *err;
} npz_rd;

/* One central directory record. */
typedef struct npz_cent {
	const unsigned char *name; /* not NUL-terminated */
	size_t name_len;
	unsigned flags, method;
	uint32_t crc;
	uint32_t csize, usize, offset;
} npz_cent;

static unsigned npz_get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t npz_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

__attribute__((format(printf, 2, 3)))
static int npz_rd_fail(const npz_rd *rd, const char *fmt, ...)
{
	char msg[EJ_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ej_fail(rd->err, EJ_EXIT_RUN, "'%s': %s", rd->path, msg);
	return -1;
}

/* ename: the entry's name as stored ("params.npy"). */
__attribute__((format(printf, 3, 4)))
static int npz_ent_fail(const npz_rd *rd, const char *ename,
			const char *fmt, ...)
{
	char msg[EJ_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ej_fail(rd->err, EJ_EXIT_RUN, "'%s': entry '%.256s': %s", rd->path,
		ename, msg);
	return -1;
}

/* ---- .npy header: a Python dict literal --------------------------------- */

typedef struct npy_lex {
	const char *s;
	size_t pos, len;
	char why[128]; /* what is wrong, on error */
} npy_lex;

typedef struct npy_hdr {
	char descr[NPY_DESCR_MAX];
	int fortran;
	int ndim;
	size_t shape[NPZ_MAX_DIM];
	unsigned seen; /* bit per key: 1 descr, 2 fortran_order, 4 shape */
} npy_hdr;

__attribute__((format(printf, 2, 3)))
static int npy_err(npy_lex *lx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->why, sizeof(lx->why), fmt, ap);
	va_end(ap);
	return -1;
}

static void npy_ws(npy_lex *lx)
{
	while (lx->pos < lx->len && strchr(" \t\r\n", lx->s[lx->pos]) &&
	       lx->s[lx->pos])
		lx->pos++;
}

/* Skip blanks; the next character, or '\0' at the end. */
static char npy_peek(npy_lex *lx)
{
	npy_ws(lx);
	return lx->pos < lx->len ? lx->s[lx->pos] : '\0';
}

static int npy_expect(npy_lex *lx, char c)
{
	if (npy_peek(lx) != c)
		return npy_err(lx, "expected '%c' at byte %zu", c, lx->pos);
	lx->pos++;
	return 0;
}

/* A '...' or "..." string without escapes. */
static int npy_string(npy_lex *lx, char *out, size_t cap)
{
	char q = npy_peek(lx);
	size_t start, n;

	if (q != '\'' && q != '"')
		return npy_err(lx, "expected a string at byte %zu", lx->pos);
	start = ++lx->pos;
	while (lx->pos < lx->len && lx->s[lx->pos] != q) {
		if (lx->s[lx->pos] == '\\' || lx->s[lx->pos] == '\n')
			return npy_err(lx, "unsupported string at byte %zu",
				       start - 1);
		lx->pos++;
	}
	if (lx->pos >= lx->len)
		return npy_err(lx, "unterminated string at byte %zu",
			       start - 1);
	n = lx->pos - start;
	lx->pos++;
	if (n >= cap)
		return npy_err(lx, "string too long at byte %zu", start - 1);
	memcpy(out, lx->s + start, n);
	out[n] = '\0';
	return 0;
}

static int npy_word(npy_lex *lx, const char *w)
{
	size_t n = strlen(w);

	npy_ws(lx);
	if (lx->len - lx->pos < n || memcmp(lx->s + lx->pos, w, n) != 0)
		return 0;
	lx->pos += n;
	return 1;
}

static int npy_bool(npy_lex *lx, int *v)
{
	if (npy_word(lx, "True"))
		*v = 1;
	else if (npy_word(lx, "False"))
		*v = 0;
	else
		return npy_err(lx, "expected True or False at byte %zu",
			       lx->pos);
	return 0;
}

/* A non-negative integer, with Python 2's optional 'L' suffix. */
static int npy_dim(npy_lex *lx, size_t *v)
{
	size_t start, n = 0;

	npy_ws(lx);
	start = lx->pos;
	while (lx->pos < lx->len && lx->s[lx->pos] >= '0' &&
	       lx->s[lx->pos] <= '9') {
		size_t d = (size_t)(lx->s[lx->pos] - '0');

		if (n > (SIZE_MAX - d) / 10)
			return npy_err(lx, "dimension too large at byte %zu",
				       start);
		n = n * 10 + d;
		lx->pos++;
	}
	if (lx->pos == start)
		return npy_err(lx, "expected a dimension at byte %zu", start);
	if (lx->pos < lx->len && lx->s[lx->pos] == 'L')
		lx->pos++;
	*v = n;
	return 0;
}

/* "()", "(N,)", "(N, M)", "(N, M,)", ... */
static int npy_shape(npy_lex *lx, npy_hdr *h)
{
	int comma = 0;

	if (npy_expect(lx, '(') < 0)
		return -1;
	h->ndim = 0;
	while (npy_peek(lx) != ')') {
		if (h->ndim == NPZ_MAX_DIM)
			return npy_err(lx, "more than %d dimensions",
				       NPZ_MAX_DIM);
		if (npy_dim(lx, &h->shape[h->ndim]) < 0)
			return -1;
		h->ndim++;
		comma = npy_peek(lx) == ',';
		if (comma)
			lx->pos++;
		else if (npy_peek(lx) != ')')
			return npy_err(lx, "expected ',' or ')' at byte %zu",
				       lx->pos);
	}
	lx->pos++;
	if (h->ndim == 1 && !comma)
		return npy_err(lx, "'shape' is not a tuple");
	return 0;
}

static int npy_value(npy_lex *lx, const char *key, npy_hdr *h)
{
	static const char *const keys[] = { "descr", "fortran_order",
					    "shape" };
	unsigned bit = 0;

	for (unsigned i = 0; i < 3; i++)
		if (strcmp(key, keys[i]) == 0)
			bit = 1u << i;
	if (!bit)
		return npy_err(lx, "unknown key '%.40s'", key);
	if (h->seen & bit)
		return npy_err(lx, "duplicate key '%s'", key);
	h->seen |= bit;
	if (bit == 1u && npy_peek(lx) == '[')
		return npy_err(lx, "structured dtypes are not supported");
	if (bit == 1u)
		return npy_string(lx, h->descr, sizeof(h->descr));
	if (bit == 2u)
		return npy_bool(lx, &h->fortran);
	return npy_shape(lx, h);
}

static int npy_dict(npy_lex *lx, npy_hdr *h)
{
	char key[32];

	if (npy_expect(lx, '{') < 0)
		return -1;
	while (npy_peek(lx) != '}') {
		if (npy_string(lx, key, sizeof(key)) < 0 ||
		    npy_expect(lx, ':') < 0 || npy_value(lx, key, h) < 0)
			return -1;
		if (npy_peek(lx) == ',')
			lx->pos++;
		else if (npy_peek(lx) != '}')
			return npy_err(lx, "expected ',' or '}' at byte %zu",
				       lx->pos);
	}
	lx->pos++;
	if (npy_peek(lx) != '\0' || lx->pos != lx->len)
		return npy_err(lx, "unexpected text after the dict at byte %zu",
			       lx->pos);
	if (!(h->seen & 1u))
		return npy_err(lx, "missing key 'descr'");
	if (!(h->seen & 2u))
		return npy_err(lx, "missing key 'fortran_order'");
	if (!(h->seen & 4u))
		return npy_err(lx, "missing key 'shape'");
	return 0;
}

/* "(3, 4)" for messages. */
static void npy_shape_str(const npy_hdr *h, char *out, size_t cap)
{
	size_t k = (size_t)snprintf(out, cap, "(");

	for (int i = 0; i < h->ndim && k < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, "%zu%s", h->shape[i],
				      h->ndim == 1 ? "," :
				      i + 1 < h->ndim ? ", " : "");
	if (k < cap)
		snprintf(out + k, cap - k, ")");
}

/* ---- .npy entries ------------------------------------------------------- */

/* Parse the header of the .npy bytes p[0..n) into h; *data_off: where the
 * array data begins. */
static int npz_npy_head(const npz_rd *rd, const char *ename,
			const unsigned char *p, size_t n, npy_hdr *h,
			size_t *data_off)
{
	npy_lex lx = { 0 };
	size_t hoff, hlen;
	unsigned major, minor;

	*data_off = 0;
	if (n < NPY_MAGIC_LEN || memcmp(p, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
		return npz_ent_fail(rd, ename, "not a .npy array (bad magic)");
	if (n < NPY_MAGIC_LEN + 2)
		return npz_ent_fail(rd, ename, "truncated npy header");
	major = p[6];
	minor = p[7];
	if (major < 1 || major > 3 || minor != 0)
		return npz_ent_fail(rd, ename, "unsupported npy version %u.%u",
				    major, minor);
	hoff = major == 1 ? 10 : 12;
	if (n < hoff)
		return npz_ent_fail(rd, ename, "truncated npy header");
	hlen = major == 1 ? npz_get16(p + 8) : npz_get32(p + 8);
	if (hlen > n - hoff)
		return npz_ent_fail(rd, ename, "truncated npy header");
	lx.s = (const char *)p + hoff;
	lx.len = hlen;
	memset(h, 0, sizeof(*h));
	if (npy_dict(&lx, h) < 0)
		return npz_ent_fail(rd, ename, "bad npy header: %s", lx.why);
	*data_off = hoff + hlen;
	return 0;
}

/* Check the header of an entry and copy its data into e. */
static int npz_npy_parse(const npz_rd *rd, const char *ename,
			 const unsigned char *p, size_t n, npz_entry *e)
{
	const struct npz_descr *d;
	npy_hdr h;
	size_t off, count;
	char shape[NPZ_MAX_DIM * 22 + 4];

	if (npz_npy_head(rd, ename, p, n, &h, &off) < 0)
		return -1;
	d = npz_descr_find(h.descr);
	if (!d && (h.descr[0] == '>' || h.descr[0] == '!'))
		return npz_ent_fail(rd, ename,
				    "big-endian dtype '%s' is not supported",
				    h.descr);
	if (!d)
		return npz_ent_fail(rd, ename, "unsupported dtype '%s'",
				    h.descr);
	if (h.fortran)
		return npz_ent_fail(rd, ename,
				    "fortran_order True is not supported");
	npy_shape_str(&h, shape, sizeof(shape));
	if (npz_shape_count(h.shape, h.ndim, &count) < 0 ||
	    count > SIZE_MAX / d->size || count * d->size != n - off)
		return npz_ent_fail(rd, ename,
				    "shape %s of '%s' does not match the %zu "
				    "bytes of data", shape, h.descr, n - off);
	e->data = malloc(n - off ? n - off : 1);
	if (!e->data)
		return npz_ent_fail(rd, ename, "out of memory");
	memcpy(e->data, p + off, n - off);
	e->a.dtype = d->type;
	e->a.ndim = h.ndim;
	memcpy(e->a.shape, h.shape, sizeof(h.shape));
	e->a.data = e->data;
	return 0;
}

/* ---- ZIP ---------------------------------------------------------------- */

/* The end of central directory record: the last signature whose comment
 * fits in the file. */
static int npz_find_eocd(const npz_rd *rd, size_t *at)
{
	size_t lo, i;

	*at = 0;
	if (rd->len >= ZIP_EOCD_LEN) {
		i = rd->len - ZIP_EOCD_LEN + 1;
		lo = i > ZIP_MAX16 + 1 ? i - ZIP_MAX16 - 1 : 0;
		while (i-- > lo) {
			const unsigned char *p = rd->buf + i;

			if (npz_get32(p) == ZIP_EOCD_SIG &&
			    npz_get16(p + 20) <= rd->len - i - ZIP_EOCD_LEN) {
				*at = i;
				return 0;
			}
		}
	}
	return npz_rd_fail(rd, "not a zip file or truncated (no end of central "
			   "directory record)");
}

static int npz_zip64_eocd(const npz_rd *rd, size_t at)
{
	const unsigned char *p = rd->buf + at;

	if (at >= ZIP64_LOCATOR_LEN &&
	    npz_get32(p - ZIP64_LOCATOR_LEN) == ZIP64_LOCATOR_SIG)
		return 1;
	return npz_get16(p + 8) == ZIP_MAX16 || npz_get16(p + 10) == ZIP_MAX16 ||
	       npz_get32(p + 12) == ZIP_MAX32 || npz_get32(p + 16) == ZIP_MAX32;
}

/* The central directory record at *pos (< end), advancing *pos. */
static int npz_central(const npz_rd *rd, size_t *pos, size_t end, size_t idx,
		       npz_cent *c)
{
	const unsigned char *p = rd->buf + *pos;
	size_t var;

	memset(c, 0, sizeof(*c));
	if (end - *pos < ZIP_CENTRAL_LEN || npz_get32(p) != ZIP_CENTRAL_SIG)
		return npz_rd_fail(rd, "corrupt central directory (record %zu)",
				   idx);
	c->flags = npz_get16(p + 8);
	c->method = npz_get16(p + 10);
	c->crc = npz_get32(p + 16);
	c->csize = npz_get32(p + 20);
	c->usize = npz_get32(p + 24);
	c->name_len = npz_get16(p + 28);
	var = c->name_len + npz_get16(p + 30) + npz_get16(p + 32);
	c->offset = npz_get32(p + 42);
	c->name = p + ZIP_CENTRAL_LEN;
	if (end - *pos - ZIP_CENTRAL_LEN < var)
		return npz_rd_fail(rd, "corrupt central directory (record %zu)",
				   idx);
	*pos += ZIP_CENTRAL_LEN + var;
	return 0;
}

/* Entry-level checks that need no data; ename is the NUL-terminated name. */
static int npz_check_cent(const npz_rd *rd, const npz_cent *c,
			  const char *ename)
{
	if (c->name_len == 0 || memchr(c->name, '\0', c->name_len))
		return npz_rd_fail(rd, "corrupt central directory (bad entry "
				   "name)");
	if (c->name_len <= NPY_SUFFIX_LEN ||
	    strcmp(ename + c->name_len - NPY_SUFFIX_LEN, NPY_SUFFIX) != 0)
		return npz_ent_fail(rd, ename, "not a .npy entry");
	if (c->csize == ZIP_MAX32 || c->usize == ZIP_MAX32 ||
	    c->offset == ZIP_MAX32)
		return npz_ent_fail(rd, ename, "zip64 is not supported");
	if (c->flags & ZIP_FLAG_ENCRYPTED)
		return npz_ent_fail(rd, ename, "encrypted entries are not "
				    "supported");
	if (c->method != ZIP_STORED && c->method != ZIP_DEFLATED)
		return npz_ent_fail(rd, ename, "unsupported compression "
				    "method %u", c->method);
	if (c->method == ZIP_STORED && c->csize != c->usize)
		return npz_ent_fail(rd, ename, "stored entry has sizes %lu and "
				    "%lu", (unsigned long)c->csize,
				    (unsigned long)c->usize);
	if (c->method == ZIP_DEFLATED &&
	    (uint64_t)c->usize > (uint64_t)c->csize * ZIP_MAX_RATIO + 64)
		return npz_ent_fail(rd, ename, "impossible sizes (%lu bytes "
				    "deflated to %lu)", (unsigned long)c->usize,
				    (unsigned long)c->csize);
	return 0;
}

/* Where the entry's (compressed) bytes start, via its local header; the
 * data must end before the central directory at cd_off. */
static int npz_local(const npz_rd *rd, const npz_cent *c, const char *ename,
		     size_t cd_off, size_t *data)
{
	const unsigned char *p;
	size_t at;

	*data = 0;
	if (c->offset > cd_off || cd_off - c->offset < ZIP_LOCAL_LEN)
		return npz_ent_fail(rd, ename, "local header out of bounds");
	p = rd->buf + c->offset;
	if (npz_get32(p) != ZIP_LOCAL_SIG)
		return npz_ent_fail(rd, ename, "bad local header signature");
	if (npz_get16(p + 26) != c->name_len ||
	    memcmp(p + ZIP_LOCAL_LEN, c->name, c->name_len) != 0)
		return npz_ent_fail(rd, ename, "local header names another "
				    "entry");
	at = c->offset + ZIP_LOCAL_LEN + npz_get16(p + 26) + npz_get16(p + 28);
	if (at > cd_off || cd_off - at < c->csize)
		return npz_ent_fail(rd, ename, "truncated data");
	*data = at;
	return 0;
}

/* Raw deflate (method 8) of src into exactly usize bytes at dst. */
static int npz_inflate(const npz_rd *rd, const char *ename,
		       const unsigned char *src, size_t csize,
		       unsigned char *dst, size_t usize)
{
	z_stream zs;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		return npz_ent_fail(rd, ename, "cannot start zlib inflate");
	zs.next_in = src;
	zs.avail_in = (uInt)csize;
	zs.next_out = dst;
	zs.avail_out = (uInt)usize;
	zr = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (zr == Z_STREAM_END && zs.total_out == usize)
		return 0;
	if (zr == Z_DATA_ERROR)
		return npz_ent_fail(rd, ename, "corrupt deflate data (%s)",
				    zs.msg ? zs.msg : "no detail");
	if (zr == Z_MEM_ERROR)
		return npz_ent_fail(rd, ename, "out of memory");
	if (zs.avail_out == 0)
		return npz_ent_fail(rd, ename, "deflated data larger than its "
				    "declared size %zu", usize);
	return npz_ent_fail(rd, ename, "truncated deflate data");
}

static int npz_dup_name(const npz_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->e[i].name, name) == 0)
			return 1;
	return 0;
}

/* The entry's bytes, uncompressed and CRC-checked: either inside the file
 * or in *raw (malloc'd, freed by the caller). */
static int npz_entry_bytes(const npz_rd *rd, const npz_cent *c,
			   const char *ename, size_t cd_off,
			   const unsigned char **bytes, unsigned char **raw)
{
	size_t data;

	if (npz_check_cent(rd, c, ename) < 0 ||
	    npz_local(rd, c, ename, cd_off, &data) < 0)
		return -1;
	*bytes = rd->buf + data;
	if (c->method == ZIP_DEFLATED) {
		*raw = malloc(c->usize ? c->usize : 1);
		if (!*raw)
			return npz_ent_fail(rd, ename, "out of memory");
		if (npz_inflate(rd, ename, *bytes, c->csize, *raw,
				c->usize) < 0)
			return -1;
		*bytes = *raw;
	}
	if (npz_crc(0, *bytes, c->usize) != c->crc)
		return npz_ent_fail(rd, ename, "CRC-32 mismatch (corrupt data)");
	return 0;
}

/* Load the entry described by c into e (left empty on failure). */
static int npz_load_entry(const npz_rd *rd, const npz_file *f,
			  const npz_cent *c, size_t cd_off, npz_entry *e)
{
	char *ename = malloc(c->name_len + 1), *key = NULL;
	unsigned char *raw = NULL;
	const unsigned char *bytes;
	int rc = -1;

	if (!ename)
		return npz_rd_fail(rd, "out of memory");
	memcpy(ename, c->name, c->name_len);
	ename[c->name_len] = '\0';
	if (npz_entry_bytes(rd, c, ename, cd_off, &bytes, &raw) < 0)
		goto out;
	key = strdup(ename);
	if (!key) {
		npz_rd_fail(rd, "out of memory");
		goto out;
	}
	key[c->name_len - NPY_SUFFIX_LEN] = '\0';
	if (npz_dup_name(f, key)) {
		npz_rd_fail(rd, "duplicate array '%s'", key);
		goto out;
	}
	if (npz_npy_parse(rd, ename, bytes, c->usize, e) < 0)
		goto out;
	e->name = key;
	e->a.name = key;
	key = NULL;
	rc = 0;
out:
	free(key);
	free(raw);
	free(ename);
	return rc;
}

static int npz_parse(const npz_rd *rd, npz_file *f)
{
	size_t at, n, cd_off, cd_end, pos;
	const unsigned char *p;

	if (npz_find_eocd(rd, &at) < 0)
		return -1;
	p = rd->buf + at;
	if (npz_zip64_eocd(rd, at))
		return npz_rd_fail(rd, "zip64 is not supported");
	n = npz_get16(p + 10);
	if (npz_get16(p + 4) != 0 || npz_get16(p + 6) != 0 ||
	    npz_get16(p + 8) != n)
		return npz_rd_fail(rd, "multi-disk zip files are not supported");
	cd_off = npz_get32(p + 16);
	if (cd_off > at || at - cd_off < npz_get32(p + 12))
		return npz_rd_fail(rd, "central directory out of bounds "
				   "(truncated file?)");
	cd_end = cd_off + npz_get32(p + 12);
	f->e = calloc(n ? n : 1, sizeof(*f->e));
	if (!f->e)
		return npz_rd_fail(rd, "out of memory");
	pos = cd_off;
	for (size_t i = 0; i < n; i++) {
		npz_cent c;

		if (npz_central(rd, &pos, cd_end, i, &c) < 0 ||
		    npz_load_entry(rd, f, &c, cd_off, &f->e[i]) < 0)
			return -1;
		f->n++;
	}
	return 0;
}

npz_file *npz_parse_mem(const void *buf, size_t len, const char *name,
			ej_err *err)
{
	npz_file *f = calloc(1, sizeof(*f));
	npz_rd rd = { name, buf, len, err };

	if (!f || !(f->path = strdup(name))) {
		free(f);
		ej_fail(err, EJ_EXIT_RUN, "cannot read '%s': out of memory",
			name);
		return NULL;
	}
	if (npz_parse(&rd, f) < 0) {
		npz_free(f);
		return NULL;
	}
	return f;
}

npz_file *npz_read(const char *path, ej_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	npz_file *f;

	if (fio_read_all(path, &buf, &len, err) < 0)
		return NULL;
	f = npz_parse_mem(buf, len, path, err);
	free(buf);
	return f;
}

void npz_free(npz_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].name);
		free(f->e[i].data);
	}
	free(f->e);
	free(f->path);
	free(f);
}

npz_file *npz_from_arrays(const npz_array *arrays, size_t n, ej_err *err)
{
	npz_file *f = calloc(1, sizeof(*f));

	if (!f || !(f->e = calloc(n ? n : 1, sizeof(*f->e))) ||
	    !(f->path = strdup("(memory)")))
		goto oom;
	for (size_t i = 0; i < n; i++, f->n++) {
		size_t bytes = npz_count(&arrays[i]) *
			       npz_dtype_size(arrays[i].dtype);
		npz_entry *e = &f->e[i];

		e->a = arrays[i];
		if (!(e->name = strdup(arrays[i].name)) ||
		    !(e->data = malloc(bytes ? bytes : 1))) {
			f->n++; /* free what this entry holds */
			goto oom;
		}
		if (bytes)
			memcpy(e->data, arrays[i].data, bytes);
		e->a.name = e->name;
		e->a.data = e->data;
	}
	return f;
oom:
	npz_free(f);
	ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return NULL;
}

size_t npz_size(const npz_file *f)
{
	return f->n;
}

const npz_array *npz_at(const npz_file *f, size_t i)
{
	return i < f->n ? &f->e[i].a : NULL;
}

const npz_array *npz_find(const npz_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->e[i].name, name) == 0)
			return &f->e[i].a;
	return NULL;
}

int npz_get_f32(const npz_file *f, const char *name, float *dst,
		size_t count, ej_err *err)
{
	const npz_array *a = npz_find(f, name);
	const double *src;
	size_t have;

	if (!a)
		return ej_fail(err, EJ_EXIT_RUN, "'%s': missing array '%s'",
			       f->path, name);
	have = npz_count(a);
	if (have != count)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': '%s' has %zu elements, expected %zu",
			       f->path, name, have, count);
	if (a->dtype == NPZ_F32) {
		if (count)
			memcpy(dst, a->data, count * sizeof(float));
		return 0;
	}
	if (a->dtype != NPZ_F64)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': '%s' has dtype '%s', expected '<f4' or "
			       "'<f8'", f->path, name,
			       npz_descr_of(a->dtype)->descr);
	src = a->data;
	for (size_t i = 0; i < count; i++)
		if (isfinite(src[i]) && fabs(src[i]) > FLT_MAX)
			return ej_fail(err, EJ_EXIT_RUN,
				       "'%s': '%s' element %zu (%g) is out of "
				       "float32 range", f->path, name, i,
				       src[i]);
	for (size_t i = 0; i < count; i++)
		dst[i] = (float)src[i];
	return 0;
}

/* idx.c - IDX dataset files, plain or gzip-compressed (see idx.h).
 *
 * Format: Y. LeCun's MNIST page (http://yann.lecun.com/exdb/mnist/, "FILE
 * FORMATS FOR THE MNIST DATABASE"): magic 0x0000TTNN, type codes 0x08
 * unsigned byte, 0x09 signed byte, 0x0B short (2 bytes), 0x0C int (4),
 * 0x0D float (4), 0x0E double (8), then NN big-endian uint32 sizes and the
 * data, big-endian, last index changing fastest.  Fashion-MNIST and KMNIST
 * ship the same layout under the same file names.
 *
 * Reading: the first two bytes decide the codec (gzip magic 1f 8b, RFC
 * 1952); gzip goes through zlib's inflate with the gzip wrapper
 * (windowBits 16 + MAX_WBITS), so header, CRC-32 and ISIZE of every member
 * are checked; after a member ends, further input must be another gzip
 * member (gzip(1) concatenation) or the file is refused.  The file is read
 * as a stream; nothing is allocated from the header's word
 * alone beyond IDX_GROW_START: the data buffer doubles as data arrives, up
 * to the header's size (at most IDX_MAX_BYTES = 2^31).  After the data the
 * reader drains the stream to its end (that is where gzip's CRC sits) and
 * refuses any extra byte.
 *
 * Pairs (idx_load_pair): "<split>-images-idx3-ubyte" and
 * "<split>-labels-idx1-ubyte", each plain or with ".gz"; the plain file wins
 * when both exist.  n_classes = max label + 1; a label file whose labels are
 * all 0 (n_classes 1: typically a zero-filled file) is refused.
 */
#define ZLIB_CONST
#include "idx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/fileio.h"

#define IDX_CHUNK (64 * 1024)          /* compressed input buffer */
#define IDX_GROW_START (1024 * 1024)   /* first data allocation, bytes */
#define IDX_TRAIL_COUNT_MAX (1 << 20)  /* count trailing bytes up to this */
#define IDX_DESC_MAX 768               /* "5 x 3 x 4 = 60 bytes of data" */
#define IDX_GZ_WBITS (16 + MAX_WBITS)  /* gzip wrapper only */

static const struct idx_type_info {
	int code;
	size_t size;
	const char *name;
} idx_types[] = {
	{ IDX_U8, 1, "unsigned bytes" },   { IDX_I8, 1, "signed bytes" },
	{ IDX_I16, 2, "16-bit integers" }, { IDX_I32, 4, "32-bit integers" },
	{ IDX_F32, 4, "32-bit floats" },   { IDX_F64, 8, "64-bit floats" },
};
#define IDX_NTYPES (sizeof(idx_types) / sizeof(idx_types[0]))

static const struct idx_type_info *idx_type_find(int code)
{
	for (size_t i = 0; i < IDX_NTYPES; i++)
		if (idx_types[i].code == code)
			return &idx_types[i];
	return NULL;
}

/* ---- byte source: plain file or gzip stream ---------------------------- */

struct idx_src {
	const char *path;
	FILE *f;
	unsigned char *in; /* (IDX_CHUNK) read-ahead / compressed input */
	size_t in_pos, in_len; /* plain: peeked bytes not yet delivered */
	int gz;                /* 1: inflate through zs */
	int zs_live;           /* inflateInit2 succeeded */
	int gz_eof;            /* last member ended at end of file */
	z_stream zs;
};

static int idx_read_fail(const struct idx_src *s, ej_err *err)
{
	return ej_fail(err, EJ_EXIT_RUN, "cannot read '%s': %s", s->path,
		       strerror(errno));
}

static int idx_gz_fail(const struct idx_src *s, int ret, ej_err *err)
{
	if (ret == Z_MEM_ERROR)
		return ej_fail(err, EJ_EXIT_RUN,
			       "out of memory decompressing '%s'", s->path);
	return ej_fail(err, EJ_EXIT_RUN,
		       "'%s': not gzip-compressed correctly: %s", s->path,
		       s->zs.msg ? s->zs.msg : zError(ret));
}

/* fread that reports errors: *got < n only at end of file. */
static int idx_fread(struct idx_src *s, void *dst, size_t n, size_t *got,
		     ej_err *err)
{
	errno = 0;
	*got = fread(dst, 1, n, s->f);
	if (*got < n && ferror(s->f))
		return idx_read_fail(s, err);
	return 0;
}

/* gzip: make at least 'need' (<= IDX_CHUNK) compressed bytes available if
 * the file has them; the unread rest moves to the buffer's start. */
static int idx_gz_avail(struct idx_src *s, size_t need, ej_err *err)
{
	size_t have = s->zs.avail_in, got;

	if (have >= need)
		return 0;
	if (have)
		memmove(s->in, s->zs.next_in, have);
	if (idx_fread(s, s->in + have, IDX_CHUNK - have, &got, err))
		return -1;
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)(have + got);
	return 0;
}

/* A gzip member ended: the file must end here or go on with a member. */
static int idx_gz_next_member(struct idx_src *s, ej_err *err)
{
	int ret;

	if (idx_gz_avail(s, 2, err))
		return -1;
	if (s->zs.avail_in == 0) {
		s->gz_eof = 1;
		return 0;
	}
	if (s->zs.avail_in < 2 || s->zs.next_in[0] != 0x1f ||
	    s->zs.next_in[1] != 0x8b)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': trailing garbage after the gzip stream",
			       s->path);
	ret = inflateReset(&s->zs);
	return ret == Z_OK ? 0 : idx_gz_fail(s, ret, err);
}

static int idx_gz_read(struct idx_src *s, unsigned char *dst, size_t n,
		       size_t *got, ej_err *err)
{
	z_stream *zs = &s->zs;

	*got = 0;
	while (*got < n && !s->gz_eof) {
		size_t want = n - *got;
		int ret;

		if (want > (1u << 30))
			want = 1u << 30;
		if (zs->avail_in == 0) {
			if (idx_gz_avail(s, 1, err))
				return -1;
			if (zs->avail_in == 0)
				return ej_fail(err, EJ_EXIT_RUN,
					       "'%s': not gzip-compressed "
					       "correctly: unexpected end of "
					       "file", s->path);
		}
		zs->next_out = dst + *got;
		zs->avail_out = (uInt)want;
		ret = inflate(zs, Z_NO_FLUSH);
		*got += want - zs->avail_out;
		if (ret == Z_STREAM_END) {
			if (idx_gz_next_member(s, err))
				return -1;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			return idx_gz_fail(s, ret, err);
		}
	}
	return 0;
}

/* Read up to n bytes; *got < n only at end of data. */
static int idx_src_read(struct idx_src *s, void *dst, size_t n, size_t *got,
			ej_err *err)
{
	size_t k, more;

	if (s->gz)
		return idx_gz_read(s, dst, n, got, err);
	k = s->in_len - s->in_pos;
	if (k > n)
		k = n;
	if (k)
		memcpy(dst, s->in + s->in_pos, k);
	s->in_pos += k;
	*got = k;
	if (k == n)
		return 0;
	if (idx_fread(s, (unsigned char *)dst + k, n - k, &more, err))
		return -1;
	*got += more;
	return 0;
}

static void idx_src_close(struct idx_src *s)
{
	if (s->zs_live)
		inflateEnd(&s->zs);
	if (s->f)
		fclose(s->f);
	free(s->in);
	memset(s, 0, sizeof(*s));
}

static int idx_src_open(struct idx_src *s, const char *path, ej_err *err)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->path = path;
	if (fio_check_regular(path, "", 64.0 * 1073741824.0, EJ_EXIT_RUN,
			      err) < 0)
		return -1;
	s->f = fopen(path, "rb");
	if (!s->f)
		return ej_fail(err, EJ_EXIT_RUN, "cannot open '%s': %s", path,
			       strerror(errno));
	s->in = malloc(IDX_CHUNK);
	if (!s->in) {
		idx_src_close(s);
		return ej_fail(err, EJ_EXIT_RUN, "out of memory reading '%s'",
			       path);
	}
	if (idx_fread(s, s->in, 2, &s->in_len, err)) {
		idx_src_close(s);
		return -1;
	}
	s->gz = s->in_len == 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
	if (!s->gz)
		return 0;
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)s->in_len;
	ret = inflateInit2(&s->zs, IDX_GZ_WBITS);
	if (ret != Z_OK) {
		idx_gz_fail(s, ret, err);
		idx_src_close(s);
		return -1;
	}
	s->zs_live = 1;
	return 0;
}

/* ---- header ------------------------------------------------------------ */

static uint32_t idx_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* "0x00000803 for 3-D unsigned bytes" and its partial forms. */
static void idx_expect(char *buf, size_t cap, int want_type, int want_ndim)
{
	const struct idx_type_info *t = idx_type_find(want_type);
	const char *tn = t ? t->name : "values";

	if (want_type && want_ndim)
		snprintf(buf, cap, "0x0000%02x%02x for %d-D %s",
			 (unsigned)want_type & 0xffu,
			 (unsigned)want_ndim & 0xffu, want_ndim, tn);
	else if (want_type)
		snprintf(buf, cap, "0x0000%02xNN for %s",
			 (unsigned)want_type & 0xffu, tn);
	else if (want_ndim)
		snprintf(buf, cap, "0x0000TT%02x for %d-D data",
			 (unsigned)want_ndim & 0xffu, want_ndim);
	else
		snprintf(buf, cap, "0x0000TTNN, NN >= 1");
}

/* "5 x 3 x 4" (cut with "..." if it does not fit). */
static void idx_shape(char *buf, size_t cap, const idx_array *a)
{
	size_t k = 0;

	buf[0] = '\0';
	for (int i = 0; i < a->ndim; i++) {
		int w = snprintf(buf + k, cap - k, "%s%zu", i ? " x " : "",
				 a->dims[i]);

		if (w < 0 || (size_t)w >= cap - k) {
			snprintf(buf + (cap > 4 ? cap - 4 : 0),
				 cap > 4 ? 4 : cap, "...");
			return;
		}
		k += (size_t)w;
	}
}

/* "5 x 3 x 4 = 60 bytes of data", "5 bytes of data",
 * "5 x 2 32-bit floats = 40 bytes of data". */
static void idx_describe(char *buf, size_t cap, const idx_array *a)
{
	char shape[IDX_DESC_MAX / 2];
	size_t bytes = a->count * a->elem_size;

	idx_shape(shape, sizeof(shape), a);
	if (a->type == IDX_U8 && a->ndim == 1)
		snprintf(buf, cap, "%s bytes of data", shape);
	else if (a->type == IDX_U8)
		snprintf(buf, cap, "%s = %zu bytes of data", shape, bytes);
	else
		snprintf(buf, cap, "%s %s = %zu bytes of data", shape,
			 idx_type_find(a->type)->name, bytes);
}

static int idx_check_magic(const struct idx_src *s, const unsigned char *m,
			   int want_type, int want_ndim, ej_err *err)
{
	const struct idx_type_info *t = idx_type_find(m[2]);
	uint32_t magic = idx_be32(m);
	char exp[128];

	idx_expect(exp, sizeof(exp), want_type, want_ndim);
	if (m[0] || m[1] || !t)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': bad magic number 0x%08x (expected %s)",
			       s->path, (unsigned)magic, exp);
	if (want_type && m[2] != want_type)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': wrong type code 0x%02x (%s) in magic "
			       "number 0x%08x (expected %s)", s->path, m[2],
			       t->name, (unsigned)magic, exp);
	if (m[3] == 0 || (want_ndim && m[3] != want_ndim))
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': wrong dimension count %d in magic number "
			       "0x%08x (expected %s)", s->path, m[3],
			       (unsigned)magic, exp);
	return 0;
}

/* Sizes: no zero, product * elem_size <= IDX_MAX_BYTES (no overflow). */
static int idx_check_sizes(const struct idx_src *s, idx_array *a,
			   ej_err *err)
{
	char shape[IDX_DESC_MAX];
	size_t count = 1;
	int big = 0;

	for (int i = 0; i < a->ndim; i++) {
		if (a->dims[i] == 0) {
			idx_shape(shape, sizeof(shape), a);
			return ej_fail(err, EJ_EXIT_RUN,
				       "'%s': zero-size dimension: header "
				       "says %s", s->path, shape);
		}
		if (!big && count > IDX_MAX_BYTES / a->elem_size / a->dims[i])
			big = 1;
		count *= big ? 1 : a->dims[i];
	}
	if (big) {
		idx_shape(shape, sizeof(shape), a);
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': too large: header says %s %s, more than "
			       "the limit of %zu bytes", s->path, shape,
			       idx_type_find(a->type)->name, IDX_MAX_BYTES);
	}
	a->count = count;
	return 0;
}

static int idx_read_header(struct idx_src *s, int want_type, int want_ndim,
			   idx_array *a, ej_err *err)
{
	unsigned char m[4], d[4 * IDX_MAX_DIMS];
	size_t got, need;

	if (idx_src_read(s, m, 4, &got, err))
		return -1;
	if (got < 4)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': truncated header: file has %zu bytes, an "
			       "IDX header has at least 4", s->path, got);
	if (idx_check_magic(s, m, want_type, want_ndim, err))
		return -1;
	a->type = m[2];
	a->ndim = m[3];
	a->elem_size = idx_type_find(a->type)->size;
	need = 4 * (size_t)a->ndim;
	if (idx_src_read(s, d, need, &got, err))
		return -1;
	if (got < need)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': truncated header: file has %zu bytes, the "
			       "header of a %d-D IDX file has %zu", s->path,
			       4 + got, a->ndim, 4 + need);
	for (int i = 0; i < a->ndim; i++)
		a->dims[i] = idx_be32(d + 4 * i);
	return idx_check_sizes(s, a, err);
}

/* ---- data -------------------------------------------------------------- */

/* Read exactly count * elem_size bytes, growing the buffer as they come. */
static int idx_read_data(struct idx_src *s, idx_array *a, ej_err *err)
{
	size_t total = a->count * a->elem_size, have = 0, cap, got;
	char desc[IDX_DESC_MAX];
	unsigned char *buf;

	cap = total < IDX_GROW_START ? total : IDX_GROW_START;
	buf = malloc(cap);
	for (;;) {
		if (!buf)
			return ej_fail(err, EJ_EXIT_RUN,
				       "out of memory reading '%s' (%zu bytes)",
				       s->path, cap);
		a->data = buf;
		if (idx_src_read(s, buf + have, cap - have, &got, err))
			return -1;
		have += got;
		if (have < cap || have == total)
			break;
		cap = cap > total / 2 ? total : 2 * cap;
		buf = realloc(a->data, cap);
	}
	if (have == total)
		return 0;
	idx_describe(desc, sizeof(desc), a);
	return ej_fail(err, EJ_EXIT_RUN,
		       "'%s': truncated: header says %s, file has %zu", s->path,
		       desc, have);
}

/* Drain the stream (gzip checks its CRC there); any byte left is wrong. */
static int idx_check_end(struct idx_src *s, const idx_array *a, ej_err *err)
{
	unsigned char scratch[4096];
	char desc[IDX_DESC_MAX];
	size_t extra = 0, got;

	do {
		if (idx_src_read(s, scratch, sizeof(scratch), &got, err))
			return -1;
		extra += got;
	} while (got == sizeof(scratch) && extra <= IDX_TRAIL_COUNT_MAX);
	if (!extra)
		return 0;
	idx_describe(desc, sizeof(desc), a);
	return ej_fail(err, EJ_EXIT_RUN,
		       "'%s': trailing garbage: %s%zu byte%s after %s",
		       s->path, extra > IDX_TRAIL_COUNT_MAX ? "more than " : "",
		       extra > IDX_TRAIL_COUNT_MAX ? (size_t)IDX_TRAIL_COUNT_MAX
						   : extra,
		       extra == 1 ? "" : "s", desc);
}

/* Big-endian values to host order, whatever the host. */
static void idx_to_host(idx_array *a)
{
	unsigned char *p = a->data;

	for (size_t i = 0; a->elem_size > 1 && i < a->count; i++) {
		unsigned char *q = p + i * a->elem_size;
		uint64_t v = 0;

		for (size_t b = 0; b < a->elem_size; b++)
			v = v << 8 | q[b];
		if (a->elem_size == 2) {
			uint16_t w = (uint16_t)v;
			memcpy(q, &w, 2);
		} else if (a->elem_size == 4) {
			uint32_t w = (uint32_t)v;
			memcpy(q, &w, 4);
		} else {
			memcpy(q, &v, 8);
		}
	}
}

int idx_load_file(const char *path, int want_type, int want_ndim,
		  idx_array *out, ej_err *err)
{
	struct idx_src s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (idx_src_open(&s, path, err))
		return -1;
	rc = idx_read_header(&s, want_type, want_ndim, out, err);
	if (!rc)
		rc = idx_read_data(&s, out, err);
	if (!rc)
		rc = idx_check_end(&s, out, err);
	idx_src_close(&s);
	if (rc) {
		idx_array_free(out);
		return -1;
	}
	idx_to_host(out);
	return 0;
}

void idx_array_free(idx_array *a)
{
	if (!a)
		return;
	free(a->data);
	memset(a, 0, sizeof(*a));
}

/* ---- image/label pairs ------------------------------------------------- */

/* malloc'd "<dir>/<split><suffix>", without doubling a trailing '/'. */
static char *idx_join(const char *dir, const char *split, const char *suffix)
{
	size_t dl = strlen(dir), len;
	char *p;

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	len = dl + 1 + strlen(split) + strlen(suffix) + 1;
	p = malloc(len);
	if (p)
		snprintf(p, len, "%.*s%s%s%s", (int)dl, dir,
			 dir[dl - 1] == '/' ? "" : "/", split, suffix);
	return p;
}

/* *path = the plain file if it exists, else the .gz one (malloc'd). */
static int idx_find(const char *dir, const char *split, const char *what,
		    const char *base, char **path, ej_err *err)
{
	char *plain = idx_join(dir, split, base), *gz = NULL;
	char gzs[32];
	struct stat st;

	snprintf(gzs, sizeof(gzs), "%s.gz", base);
	gz = idx_join(dir, split, gzs);
	*path = NULL;
	if (!plain || !gz) {
		free(plain);
		free(gz);
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	}
	if (stat(plain, &st) == 0 || errno != ENOENT) {
		*path = plain;
		free(gz);
	} else if (stat(gz, &st) == 0 || errno != ENOENT) {
		*path = gz;
		free(plain);
	} else {
		ej_fail(err, EJ_EXIT_RUN,
			"no '%s' %s in '%s': looked for '%s' and '%s'", split,
			what, dir, plain, gz);
		free(plain);
		free(gz);
		return -1;
	}
	return 0;
}

static int idx_check_dir(const char *dir, ej_err *err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot open dataset directory '%s': %s", dir,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ej_fail(err, EJ_EXIT_RUN, "'%s' is not a directory",
			       dir);
	return 0;
}

/* Counts agree; n_classes = max label + 1 >= 2. */
static int idx_check_pair(idx_set *s, ej_err *err)
{
	int max = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->labels[i] > max)
			max = s->labels[i];
	if (max == 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s': all %zu labels are 0, a classification "
			       "set needs at least 2 classes", s->labels_path,
			       s->n);
	s->n_classes = max + 1;
	return 0;
}

int idx_load_pair(const char *dir, const char *split, idx_set *out,
		  ej_err *err)
{
	idx_array im, lb;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&im, 0, sizeof(im));
	memset(&lb, 0, sizeof(lb));
	if (!split || !*split || !dir || !*dir)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "empty IDX dataset directory or split name");
	if (idx_check_dir(dir, err) ||
	    idx_find(dir, split, "images", "-images-idx3-ubyte",
		     &out->images_path, err) ||
	    idx_find(dir, split, "labels", "-labels-idx1-ubyte",
		     &out->labels_path, err) ||
	    idx_load_file(out->images_path, IDX_U8, 3, &im, err) ||
	    idx_load_file(out->labels_path, IDX_U8, 1, &lb, err))
		goto done;
	if (lb.dims[0] != im.dims[0]) {
		ej_fail(err, EJ_EXIT_RUN,
			"'%s' has %zu labels but '%s' has %zu images",
			out->labels_path, lb.dims[0], out->images_path,
			im.dims[0]);
		goto done;
	}
	out->n = im.dims[0];
	out->rows = im.dims[1];
	out->cols = im.dims[2];
	out->images = im.data;
	out->labels = lb.data;
	im.data = lb.data = NULL;
	rc = idx_check_pair(out, err);
done:
	idx_array_free(&im);
	idx_array_free(&lb);
	if (rc)
		idx_free(out);
	return rc;
}

void idx_free(idx_set *s)
{
	if (!s)
		return;
	free(s->images);
	free(s->labels);
	free(s->images_path);
	free(s->labels_path);
	memset(s, 0, sizeof(*s));
}

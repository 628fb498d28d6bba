/* npz.c - numpy .npy/.npz: dtypes and writing (see npz.h); reading is in
 * npz_read.c.
 *
 * Formats: PKWARE APPNOTE.TXT (ZIP: local file headers, central directory,
 * end of central directory record) and numpy's NEP 1 / format.py (.npy:
 * magic, version, header length, a Python dict literal, raw data).
 */
#define ZLIB_CONST
#include "npz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/fileio.h"
#include "core/npz_int.h"

/* dtype descriptors: the first row of each type is what we write. */
static const struct npz_descr npz_descrs[] = {
	{ "<f4", NPZ_F32, 4 }, { "<f8", NPZ_F64, 8 }, { "<i4", NPZ_I32, 4 },
	{ "<i8", NPZ_I64, 8 }, { "<u4", NPZ_U32, 4 }, { "<u8", NPZ_U64, 8 },
	{ "|u1", NPZ_U8, 1 },  { "|b1", NPZ_U8, 1 }, /* bool as uint8 */
};
#define NPZ_NDESCRS (sizeof(npz_descrs) / sizeof(npz_descrs[0]))

const struct npz_descr *npz_descr_of(enum npz_dtype t)
{
	for (size_t i = 0; i < NPZ_NDESCRS; i++)
		if (npz_descrs[i].type == t)
			return &npz_descrs[i];
	return NULL;
}

const struct npz_descr *npz_descr_find(const char *descr)
{
	for (size_t i = 0; i < NPZ_NDESCRS; i++)
		if (strcmp(npz_descrs[i].descr, descr) == 0)
			return &npz_descrs[i];
	return NULL;
}

size_t npz_dtype_size(enum npz_dtype t)
{
	const struct npz_descr *d = npz_descr_of(t);

	return d ? d->size : 0;
}

size_t npz_count(const npz_array *a)
{
	size_t n = 1;

	for (int i = 0; i < a->ndim; i++)
		n *= a->shape[i];
	return n;
}

int npz_shape_count(const size_t *shape, int ndim, size_t *count)
{
	size_t n = 1;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] != 0 && n > SIZE_MAX / shape[i])
			return -1;
		n *= shape[i];
	}
	*count = n;
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

/* Cursor over a buffer sized beforehand. */
typedef struct npz_out {
	unsigned char *p;
	size_t pos;
} npz_out;

static void npz_put(npz_out *o, const void *src, size_t n)
{
	if (n)
		memcpy(o->p + o->pos, src, n);
	o->pos += n;
}

static void npz_put16(npz_out *o, unsigned v)
{
	o->p[o->pos++] = (unsigned char)(v & 0xff);
	o->p[o->pos++] = (unsigned char)((v >> 8) & 0xff);
}

static void npz_put32(npz_out *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		o->p[o->pos++] = (unsigned char)((v >> (8 * i)) & 0xff);
}

/* What the writer knows about one entry before laying out the file. */
typedef struct npz_went {
	unsigned char hdr[NPY_HEADER_MAX]; /* magic .. '\n' */
	size_t hdr_len;
	size_t name_len; /* with ".npy" */
	size_t data_len;
	size_t offset;   /* of the local file header */
	uint32_t crc;
	unsigned flags;
} npz_went;

/* The .npy v1.0 header of 'a' into out; returns its length, a multiple of
 * NPY_ALIGN. */
static size_t npz_npy_header(const npz_array *a, unsigned char *out)
{
	char dict[NPY_HEADER_MAX];
	size_t k, total, pad, hlen;

	k = (size_t)snprintf(dict, sizeof(dict),
			     "{'descr': '%s', 'fortran_order': False, "
			     "'shape': (", npz_descr_of(a->dtype)->descr);
	for (int i = 0; i < a->ndim; i++)
		k += (size_t)snprintf(dict + k, sizeof(dict) - k, "%zu%s",
				      a->shape[i],
				      a->ndim == 1 ? "," :
				      i + 1 < a->ndim ? ", " : "");
	k += (size_t)snprintf(dict + k, sizeof(dict) - k, "), }");
	total = NPY_MAGIC_LEN + 2 + 2 + k + 1;
	pad = (NPY_ALIGN - total % NPY_ALIGN) % NPY_ALIGN;
	hlen = k + pad + 1;
	memcpy(out, NPY_MAGIC, NPY_MAGIC_LEN);
	out[6] = 1;
	out[7] = 0;
	out[8] = (unsigned char)(hlen & 0xff);
	out[9] = (unsigned char)(hlen >> 8);
	memcpy(out + 10, dict, k);
	memset(out + 10 + k, ' ', pad);
	out[10 + k + pad] = '\n';
	return 10 + hlen;
}

uint32_t npz_crc(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;

		crc = (uint32_t)crc32(crc, b, chunk);
		b += chunk;
		n -= chunk;
	}
	return crc;
}

static int npz_check_array(const char *path, const npz_array *arrays,
			   size_t i, ej_err *err)
{
	const npz_array *a = &arrays[i];
	size_t count;

	if (!a->name || !a->name[0])
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': array %zu has no name", path,
			       i);
	if (strlen(a->name) > ZIP_MAX16 - NPY_SUFFIX_LEN)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': array name '%.40s...' is too "
			       "long", path, a->name);
	if (!npz_descr_of(a->dtype))
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': array '%s' has an unknown "
			       "dtype (%d)", path, a->name, (int)a->dtype);
	if (a->ndim < 0 || a->ndim > NPZ_MAX_DIM)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': array '%s' has %d "
			       "dimensions, expected 0 to %d", path, a->name,
			       a->ndim, NPZ_MAX_DIM);
	if (npz_shape_count(a->shape, a->ndim, &count) < 0 ||
	    count > SIZE_MAX / npz_dtype_size(a->dtype))
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': array '%s' is too large",
			       path, a->name);
	if (count > 0 && !a->data)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': array '%s' has no data", path,
			       a->name);
	for (size_t j = 0; j < i; j++)
		if (strcmp(arrays[j].name, a->name) == 0)
			return ej_fail(err, EJ_EXIT_RUN,
				       "cannot write '%s': duplicate array name "
				       "'%s'", path, a->name);
	return 0;
}

/* Header, CRC and sizes of each entry; the file size into *total.  The
 * archive must fit the 32-bit ZIP fields (no zip64). */
static int npz_plan(const char *path, const npz_array *arrays, size_t n,
		    npz_went *w, size_t *total, ej_err *err)
{
	size_t pos = 0, cd = 0;

	if (n >= ZIP_MAX16)
		return ej_fail(err, EJ_EXIT_RUN,
			       "cannot write '%s': too many arrays (%zu)", path,
			       n);
	for (size_t i = 0; i < n; i++) {
		const npz_array *a = &arrays[i];
		size_t entry;

		if (npz_check_array(path, arrays, i, err) < 0)
			return -1;
		w[i].hdr_len = npz_npy_header(a, w[i].hdr);
		w[i].name_len = strlen(a->name) + NPY_SUFFIX_LEN;
		w[i].data_len = npz_count(a) * npz_dtype_size(a->dtype);
		w[i].offset = pos;
		w[i].flags = 0;
		for (const char *c = a->name; *c; c++)
			if ((unsigned char)*c >= 0x80)
				w[i].flags = ZIP_FLAG_UTF8;
		if (w[i].data_len >= ZIP_MAX32 - w[i].hdr_len)
			goto too_large;
		w[i].crc = npz_crc(npz_crc(0, w[i].hdr, w[i].hdr_len), a->data,
				   w[i].data_len);
		entry = ZIP_LOCAL_LEN + w[i].name_len + w[i].hdr_len +
			w[i].data_len;
		if (entry >= ZIP_MAX32 - pos)
			goto too_large;
		pos += entry;
		cd += ZIP_CENTRAL_LEN + w[i].name_len;
	}
	if (cd >= ZIP_MAX32 - pos)
		goto too_large;
	*total = pos + cd + ZIP_EOCD_LEN;
	return 0;
too_large:
	return ej_fail(err, EJ_EXIT_RUN,
		       "cannot write '%s': arrays too large for a zip file "
		       "without zip64 (4 GiB)", path);
}

static void npz_put_name(npz_out *o, const char *name)
{
	npz_put(o, name, strlen(name));
	npz_put(o, NPY_SUFFIX, NPY_SUFFIX_LEN);
}

static void npz_put_local(npz_out *o, const npz_array *a, const npz_went *w)
{
	npz_put32(o, ZIP_LOCAL_SIG);
	npz_put16(o, ZIP_VERSION);      /* version needed to extract */
	npz_put16(o, w->flags);
	npz_put16(o, ZIP_STORED);
	npz_put16(o, ZIP_DOS_TIME);
	npz_put16(o, ZIP_DOS_DATE);
	npz_put32(o, w->crc);
	npz_put32(o, (uint32_t)(w->hdr_len + w->data_len)); /* compressed */
	npz_put32(o, (uint32_t)(w->hdr_len + w->data_len)); /* uncompressed */
	npz_put16(o, (unsigned)w->name_len);
	npz_put16(o, 0);                /* extra field length */
	npz_put_name(o, a->name);
	npz_put(o, w->hdr, w->hdr_len);
	npz_put(o, a->data, w->data_len);
}

static void npz_put_central(npz_out *o, const npz_array *a, const npz_went *w)
{
	npz_put32(o, ZIP_CENTRAL_SIG);
	npz_put16(o, ZIP_VERSION);      /* version made by (MS-DOS) */
	npz_put16(o, ZIP_VERSION);      /* version needed to extract */
	npz_put16(o, w->flags);
	npz_put16(o, ZIP_STORED);
	npz_put16(o, ZIP_DOS_TIME);
	npz_put16(o, ZIP_DOS_DATE);
	npz_put32(o, w->crc);
	npz_put32(o, (uint32_t)(w->hdr_len + w->data_len));
	npz_put32(o, (uint32_t)(w->hdr_len + w->data_len));
	npz_put16(o, (unsigned)w->name_len);
	npz_put16(o, 0);                /* extra field length */
	npz_put16(o, 0);                /* comment length */
	npz_put16(o, 0);                /* disk number start */
	npz_put16(o, 0);                /* internal attributes */
	npz_put32(o, 0);                /* external attributes */
	npz_put32(o, (uint32_t)w->offset);
	npz_put_name(o, a->name);
}

static void npz_put_eocd(npz_out *o, size_t n, size_t cd_off, size_t cd_len)
{
	npz_put32(o, ZIP_EOCD_SIG);
	npz_put16(o, 0);                /* this disk */
	npz_put16(o, 0);                /* disk with the central directory */
	npz_put16(o, (unsigned)n);      /* entries on this disk */
	npz_put16(o, (unsigned)n);      /* entries in total */
	npz_put32(o, (uint32_t)cd_len);
	npz_put32(o, (uint32_t)cd_off);
	npz_put16(o, 0);                /* comment length */
}

int npz_write(const char *path, const npz_array *arrays, size_t n,
	      ej_err *err)
{
	npz_went *w = calloc(n ? n : 1, sizeof(*w));
	npz_out o = { NULL, 0 };
	size_t total = 0, cd_off;
	int rc = -1;

	if (!w) {
		ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': out of memory",
			path);
		goto out;
	}
	if (npz_plan(path, arrays, n, w, &total, err) < 0)
		goto out;
	o.p = malloc(total);
	if (!o.p) {
		ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': out of memory",
			path);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		npz_put_local(&o, &arrays[i], &w[i]);
	cd_off = o.pos;
	for (size_t i = 0; i < n; i++)
		npz_put_central(&o, &arrays[i], &w[i]);
	npz_put_eocd(&o, n, cd_off, o.pos - cd_off);
	rc = fio_write_atomic(path, o.p, o.pos, err);
out:
	free(o.p);
	free(w);
	return rc;
}

void npz_describe(npz_array *a, char *name, const char *prefix,
		  const char *key, enum npz_dtype dtype, size_t len,
		  const void *data)
{
	snprintf(name, 64, "%s%s", prefix, key);
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->dtype = dtype;
	a->ndim = len ? 1 : 0;
	a->shape[0] = len;
	a->data = data;
}

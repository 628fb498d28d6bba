/* npz.h - numpy .npy/.npz reading and writing (numpy.load compatible).
 *
 * Writing: an uncompressed ZIP ("stored", CRC-32 from zlib) of .npy v1.0
 * entries, little-endian, C order; written atomically (temp file in the same
 * directory, fsync, rename, fsync of the directory), so a crash never leaves
 * a half-written file under the final name.
 * Reading: stored and deflated entries (numpy.savez_compressed), npy v1/v2/v3
 * headers; dtypes <f4 <f8 <i4 <i8 <u4 <u8 |u1 (and '|b1'); C order only.
 * Corrupt or truncated files are errors (EJ_EXIT_RUN) naming the file and
 * the problem ("'x.npz': entry 'params.npy': truncated data").
 *
 * Details:
 * - Each entry is "<name>.npy"; its .npy header dict is numpy's
 *   "{'descr': '<f4', 'fortran_order': False, 'shape': (64, 4609), }"
 *   (scalars "()", 1-D "(N,)") padded with spaces and '\n' so that the data
 *   starts at a multiple of 64 bytes into the entry.  Every ZIP date is
 *   1980-01-01 00:00, so the same arrays give the same bytes.
 * - No zip64: writing more than 4 GiB (or 65534 arrays) is an error, and
 *   reading a zip64 archive or entry is "zip64 is not supported".  numpy's
 *   own files (zip64 extra fields in the local headers only) are read: the
 *   reader trusts the central directory.
 * - The reader rejects: entries not named "*.npy", duplicate names,
 *   encrypted entries, methods other than stored/deflate, CRC-32 mismatch,
 *   bad npy magic or version, unparsable headers, unknown keys, structured
 *   or big-endian or unknown dtypes, fortran_order True, more than
 *   NPZ_MAX_DIM dimensions, and data sizes that differ from the shape.
 * - The host must be little-endian (checked at compile time).
 */
#ifndef EJ_NPZ_H
#define EJ_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum npz_dtype { NPZ_F32, NPZ_F64, NPZ_I32, NPZ_I64, NPZ_U32, NPZ_U64, NPZ_U8 };

#define NPZ_MAX_DIM 8

typedef struct npz_array {
	const char *name;     /* key without ".npy" */
	enum npz_dtype dtype;
	int ndim;             /* 0 = scalar */
	size_t shape[NPZ_MAX_DIM];
	const void *data;     /* little-endian, C order */
} npz_array;

size_t npz_dtype_size(enum npz_dtype t);
size_t npz_count(const npz_array *a); /* product of shape (1 for scalars) */

/* Describe a state array for npz_write: name = prefix + key, written into
 * 'name' (64 bytes, owned by the caller); len 0 means a scalar, otherwise a
 * 1-D array of len elements. */
void npz_describe(npz_array *a, char *name, const char *prefix,
		  const char *key, enum npz_dtype dtype, size_t len,
		  const void *data);

/* Write arrays to 'path' atomically.  Names must be non-empty and unique,
 * ndim 0..NPZ_MAX_DIM; data may be NULL only for zero elements.  Errors
 * (EJ_EXIT_RUN, "cannot write 'path': ...") leave an existing file as it
 * was. */
int npz_write(const char *path, const npz_array *arrays, size_t n,
	      ej_err *err);

typedef struct npz_file npz_file;

/* Read a whole .npz.  Arrays keep the archive's order; names and data are
 * owned by the npz_file (data malloc'd, so aligned for any dtype) and valid
 * until npz_free.  '|b1' (bool) arrays come back as NPZ_U8. */
npz_file *npz_read(const char *path, ej_err *err);
/* The same from the bytes of an .npz in memory ('name' for messages and
 * npz_file's path; the bytes need not outlive the call). */
npz_file *npz_parse_mem(const void *buf, size_t len, const char *name,
			ej_err *err);
void npz_free(npz_file *f); /* NULL is fine */
/* An in-memory npz_file holding copies of 'arrays' (as npz_read would
 * return after npz_write of them): hands one object's saved state to
 * another's load without a file.  NULL on out of memory (EJ_EXIT_RUN). */
npz_file *npz_from_arrays(const npz_array *arrays, size_t n, ej_err *err);
size_t npz_size(const npz_file *f);
const npz_array *npz_at(const npz_file *f, size_t i); /* NULL if i >= size */
const npz_array *npz_find(const npz_file *f, const char *name); /* or NULL */

/* Fetch 'name' as float32 with exactly 'count' elements (converting from
 * f64 if needed) into dst.  Errors (EJ_EXIT_RUN; dst untouched):
 *   "'best.npz': missing array 'params'"
 *   "'best.npz': 'params' has 4608 elements, expected 4609"
 *   "'best.npz': 'params' has dtype '<i8', expected '<f4' or '<f8'"
 *   "'best.npz': 'params' element 3 (1e+300) is out of float32 range"
 * (NaN and infinities convert as they are.) */
int npz_get_f32(const npz_file *f, const char *name, float *dst,
		size_t count, ej_err *err);

#endif

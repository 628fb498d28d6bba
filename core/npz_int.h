/* npz_int.h - what npz.c (writing) and npz_read.c (reading) share; not
 * part of the interface (npz.h). */
#ifndef EJ_NPZ_INT_H
#define EJ_NPZ_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/npz.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npz.c stores array data as is: it needs a little-endian host"
#endif

/* ZIP records (APPNOTE.TXT 4.3). */
#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_EOCD_SIG 0x06054b50u
#define ZIP64_LOCATOR_SIG 0x07064b50u
#define ZIP_LOCAL_LEN 30
#define ZIP_CENTRAL_LEN 46
#define ZIP_EOCD_LEN 22
#define ZIP64_LOCATOR_LEN 20
#define ZIP_VERSION 20 /* 2.0: enough for stored and deflated entries */
#define ZIP_DOS_TIME 0x0000u /* 00:00:00 */
#define ZIP_DOS_DATE 0x0021u /* 1980-01-01: files are byte-reproducible */
#define ZIP_FLAG_ENCRYPTED 0x0001u
#define ZIP_FLAG_UTF8 0x0800u
#define ZIP_STORED 0u
#define ZIP_DEFLATED 8u
#define ZIP_MAX16 0xffffu
#define ZIP_MAX32 0xffffffffu
#define ZIP_MAX_RATIO 1032u /* deflate cannot expand data more than this */

/* .npy (numpy/lib/format.py). */
#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64       /* magic + version + length + dict, numpy >= 1.9 */
#define NPY_HEADER_MAX 512 /* our own headers stay below 330 bytes */
#define NPY_DESCR_MAX 32
#define NPY_SUFFIX ".npy"
#define NPY_SUFFIX_LEN 4

/* A dtype descriptor ("<f4"); npz_descrs in npz.c lists them, the first
 * row of each type being what we write. */
struct npz_descr {
	const char *descr;
	enum npz_dtype type;
	size_t size;
};

const struct npz_descr *npz_descr_of(enum npz_dtype t);   /* NULL: none */
const struct npz_descr *npz_descr_find(const char *descr); /* NULL: none */
/* Element count of a shape, or -1 when it does not fit in size_t. */
int npz_shape_count(const size_t *shape, int ndim, size_t *count);
/* zlib's CRC-32 over any length, continued from crc. */
uint32_t npz_crc(uint32_t crc, const void *p, size_t n);

#endif

/* idx.h - IDX dataset files (MNIST, Fashion-MNIST, KMNIST, ...).
 *
 * IDX format (Y. LeCun, http://yann.lecun.com/exdb/mnist/): a big-endian
 * magic number 0x0000TTNN (two zero bytes, a type code TT, a dimension
 * count NN >= 1), NN big-endian uint32 sizes, then the values in C order,
 * big-endian.  Files may be gzip-compressed; compression is detected by the
 * gzip magic bytes 1f 8b, never by the file name.
 *
 * Errors are EJ_EXIT_RUN and name the file first (git style), e.g.
 *   cannot open '<p>': No such file or directory
 *   cannot read '<p>': Is a directory
 *   '<p>': truncated header: file has 9 bytes, the header of a 3-D IDX file has 16
 *   '<p>': bad magic number 0x00000000 (expected 0x00000803 for 3-D unsigned bytes)
 *          (first two bytes not zero, or a type code IDX does not define)
 *   '<p>': wrong type code 0x0d (32-bit floats) in magic number 0x00000d03 (expected ...)
 *   '<p>': wrong dimension count 2 in magic number 0x00000802 (expected ...)
 *   '<p>': zero-size dimension: header says 5 x 0 x 4
 *   '<p>': too large: header says 65536 x 65536 x 65536 unsigned bytes, more than the limit of 2147483648 bytes
 *   '<p>': truncated: header says 5 x 3 x 4 = 60 bytes of data, file has 59
 *   '<p>': trailing garbage: 3 bytes after 5 x 3 x 4 = 60 bytes of data
 *   '<p>': not gzip-compressed correctly: <zlib message>    (corrupt stream,
 *          bad CRC "incorrect data check", cut file "unexpected end of file")
 *   '<p>': trailing garbage after the gzip stream
 *   out of memory reading '<p>' (<n> bytes)
 * For gzip files, sizes in "truncated"/"trailing garbage" count the
 * decompressed bytes.  Sizes are checked before anything is allocated, and
 * the data buffer grows with what the file actually holds, so a lying
 * header cannot make the reader allocate much more than the file delivers.
 */
#ifndef EJ_IDX_H
#define EJ_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* IDX type codes (the third magic byte). */
enum idx_type {
	IDX_ANY = 0x00, /* idx_load_file: accept any type code */
	IDX_U8 = 0x08,  /* unsigned byte: what datasets use */
	IDX_I8 = 0x09,
	IDX_I16 = 0x0B,
	IDX_I32 = 0x0C,
	IDX_F32 = 0x0D,
	IDX_F64 = 0x0E,
};

#define IDX_MAX_DIMS 255              /* the dimension count is one byte */
#define IDX_MAX_BYTES ((size_t)1 << 31) /* larger data is refused */

/* One IDX file.  data holds count values of elem_size bytes in C order, in
 * HOST byte order (multi-byte types are converted from big-endian). */
typedef struct idx_array {
	int type;                  /* enum idx_type */
	int ndim;                  /* 1 .. IDX_MAX_DIMS */
	size_t dims[IDX_MAX_DIMS]; /* dims[0 .. ndim-1], each >= 1 */
	size_t count;              /* product of dims */
	size_t elem_size;          /* 1, 2, 4 or 8 */
	void *data;                /* (dims[0], ..., dims[ndim-1]); owned */
} idx_array;

/* Read one IDX file, gzip-compressed or not.  want_type is an enum idx_type
 * (IDX_ANY: any) and want_ndim the dimension count (0: any).  The whole
 * file is validated: magic, sizes, exact data length (no trailing bytes),
 * and for gzip the CRC and length of every member (concatenated gzip
 * members are read as one stream, as gzip(1) does).  On success *out owns
 * its data (free with idx_array_free); on error *out is zeroed and nothing
 * is left allocated. */
int idx_load_file(const char *path, int want_type, int want_ndim,
		  idx_array *out, ej_err *err);
/* Free out->data and zero *out; safe on a zeroed array. */
void idx_array_free(idx_array *a);

/* An image classification set: n images of rows x cols unsigned bytes and
 * their labels.  Everything is owned by the set (free with idx_free). */
typedef struct idx_set {
	size_t n;           /* number of images = number of labels */
	size_t rows, cols;
	uint8_t *images;    /* (n, rows*cols), row-major pixels 0..255 */
	uint8_t *labels;    /* (n) */
	int n_classes;      /* max label + 1, 2 .. 256 */
	char *images_path;  /* the files actually read, for messages */
	char *labels_path;
} idx_set;

/* Load the pair <dir>/<split>-images-idx3-ubyte[.gz] and
 * <dir>/<split>-labels-idx1-ubyte[.gz].  split is the file-name prefix:
 * "train" or "t10k" for MNIST-style sets (any non-empty prefix works).
 * When both the plain and the .gz file exist, the plain one is read.
 * Images must be 3-D unsigned bytes, labels 1-D unsigned bytes; errors
 * beyond idx_load_file's:
 *   cannot open dataset directory '<dir>': <strerror>
 *   '<dir>' is not a directory
 *   no 'train' images in '<dir>': looked for '<dir>/train-images-idx3-ubyte' and '<dir>/train-images-idx3-ubyte.gz'
 *   (and the same with "labels")
 *   '<labels>' has 59999 labels but '<images>' has 60000 images
 *   '<labels>': all 5 labels are 0, a classification set needs at least 2 classes
 * all EJ_EXIT_RUN; an empty or NULL split is EJ_EXIT_USAGE.  On error *out
 * is zeroed and nothing is left allocated. */
int idx_load_pair(const char *dir, const char *split, idx_set *out,
		  ej_err *err);
/* Free everything in s and zero it; safe on a zeroed set. */
void idx_free(idx_set *s);

#endif

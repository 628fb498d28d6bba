/* clsrc.h - OpenCL sources embedded in the binary at build time.
 *
 * Every .cl file of the tree (and opencl/philox.h, which compiles both as C
 * and as OpenCL C) is embedded by opencl/embed.sh, keyed by its path
 * relative to the project root, e.g. "tasks/cartpole.cl".
 *
 * For kernel development, EVOJAX_CL_DIR=/path/to/checkout makes clsrc_load()
 * read the files from disk instead, so a .cl edit needs no rebuild.
 */
#ifndef EJ_CLSRC_H
#define EJ_CLSRC_H

#include <stddef.h>

#include "core/err.h"
#include "opencl/clrt.h"

struct clsrc_entry {
	const char *path;
	const char *text;
};

extern const struct clsrc_entry clsrc_table[]; /* ends with { 0, 0 } */

/* Return the text of source 'path'.  The caller frees the result. */
char *clsrc_load(const char *path, ej_err *err);

/* Build (through clrt's cache) the program made of 'defs' (a string of
 * #defines, may be NULL) followed by the sources 'files' in order, each
 * preceded by '#line 1 "<file>"' so build-log locations name the real
 * file and line. */
cl_program clsrc_build(clrt *rt, const char *name, const char *defs,
		       const char *const *files, size_t n_files,
		       const char *options, ej_err *err);

#endif

#include "opencl/clsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *clsrc_read_file(const char *path, ej_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		ej_fail(err, EJ_EXIT_RUN, "cannot open OpenCL source '%s'", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			fclose(f);
			return buf;
		}
	}
	free(buf);
	fclose(f);
	ej_fail(err, EJ_EXIT_RUN, "cannot read OpenCL source '%s'", path);
	return NULL;
}

char *clsrc_load(const char *path, ej_err *err)
{
	const char *dir = getenv("EVOJAX_CL_DIR");
	const struct clsrc_entry *e;

	if (dir && *dir) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", dir, path);
		return clsrc_read_file(full, err);
	}
	for (e = clsrc_table; e->path; e++) {
		if (strcmp(e->path, path) == 0) {
			char *copy = strdup(e->text);

			if (!copy)
				ej_fail(err, EJ_EXIT_RUN, "out of memory");
			return copy;
		}
	}
	ej_fail(err, EJ_EXIT_RUN, "no embedded OpenCL source '%s'", path);
	return NULL;
}

#define CLSRC_MAX_FILES 16

cl_program clsrc_build(clrt *rt, const char *name, const char *defs,
		       const char *const *files, size_t n_files,
		       const char *options, ej_err *err)
{
	char *texts[CLSRC_MAX_FILES] = { 0 };
	char lines[CLSRC_MAX_FILES][320];
	const char *srcs[1 + 2 * CLSRC_MAX_FILES];
	cl_program prog = NULL;
	size_t n = 0;

	if (n_files > CLSRC_MAX_FILES) {
		ej_fail(err, EJ_EXIT_RUN, "program '%s': too many sources",
			name);
		return NULL;
	}
	srcs[n++] = defs ? defs : "";
	for (size_t i = 0; i < n_files; i++) {
		if (!(texts[i] = clsrc_load(files[i], err)))
			goto out;
		snprintf(lines[i], sizeof(lines[i]), "#line 1 \"%s\"\n",
			 files[i]);
		srcs[n++] = lines[i];
		srcs[n++] = texts[i];
	}
	prog = clrt_program(rt, name, srcs, n, options, err);
out:
	for (size_t i = 0; i < n_files; i++)
		free(texts[i]);
	return prog;
}

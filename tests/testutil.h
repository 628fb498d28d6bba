/* testutil.h - shared cmocka fixture: a fresh temporary directory per test
 * (or group), removed with everything in it by the teardown even when the
 * test fails.  tu_tmp.path is "<dir>/file" for tests that need one file. */
#ifndef EJ_TESTUTIL_H
#define EJ_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct tu_tmp {
	char dir[64];
	char path[128]; /* dir/file */
} tu_tmp;

static inline void tu_rm_tree(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char sub[1024];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) <
		    (int)sizeof(sub))
			tu_rm_tree(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static inline int tu_tmp_setup(void **state)
{
	tu_tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/evojax-test.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/file", t->dir);
	*state = t;
	return 0;
}

static inline int tu_tmp_teardown(void **state)
{
	tu_tmp *t = *state;

	tu_rm_tree(t->dir);
	free(t);
	return 0;
}

/* OpenCL test helpers: need <cmocka.h> and opencl/clrt.h included first
 * (define TU_OPENCL). */
#ifdef TU_OPENCL
#include <stdint.h>

#include "opencl/philox.h"

/* n floats uniform in [-scale, scale), from philox (purpose INIT, seed). */
static inline float *tu_random_params(size_t n, float scale, uint32_t seed)
{
	float *p = malloc(n * sizeof(float));

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		ph_out w = ph_draw(seed, PH_PURPOSE_INIT, 0, 0, 0, (uint32_t)i);

		p[i] = (ph_uniform(w.v[0]) * 2.0f - 1.0f) * scale;
	}
	return p;
}

/* The default OpenCL device, or a test failure naming why not. */
static inline clrt *tu_rt_open(void)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);

	if (!rt)
		fail_msg("%s", err.msg);
	return rt;
}
#endif

#endif

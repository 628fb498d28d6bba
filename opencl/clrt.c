/* clrt.c - OpenCL runtime: discovery, selection, the runtime object,
 * arguments, buffers and launches.  See clrt.h; programs are in
 * clrt_prog.c, error names in clrt_err.c. */
#include "opencl/clrt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/clrt_int.h"

/* ---- small helpers ---------------------------------------------------- */

void clrt_copy_trimmed(char *dst, size_t cap, const char *src, size_t n)
{
	while (n > 0 && (isspace((unsigned char)*src) || *src == '\0')) {
		src++;
		n--;
	}
	while (n > 0 && (isspace((unsigned char)src[n - 1]) ||
			 src[n - 1] == '\0'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A string-valued device or platform query, truncated to fit buf. */
static int clrt_info_str(cl_device_id dev, cl_platform_id plat,
			 cl_uint param, char *buf, size_t cap, ej_err *err)
{
	size_t n = 0;
	char *tmp;
	cl_int rc;

	rc = dev ? clGetDeviceInfo(dev, param, 0, NULL, &n)
		 : clGetPlatformInfo(plat, param, 0, NULL, &n);
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, dev ? "clGetDeviceInfo"
						: "clGetPlatformInfo");
	tmp = malloc(n + 1);
	if (!tmp)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	rc = dev ? clGetDeviceInfo(dev, param, n, tmp, NULL)
		 : clGetPlatformInfo(plat, param, n, tmp, NULL);
	if (rc != CL_SUCCESS) {
		free(tmp);
		return CLRT_FAILED(err, rc, dev ? "clGetDeviceInfo"
						: "clGetPlatformInfo");
	}
	clrt_copy_trimmed(buf, cap, tmp, n);
	free(tmp);
	return 0;
}

static int clrt_contains_nocase(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle);

	for (; *hay; hay++) {
		for (i = 0; i < n; i++)
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* Parse a whole string of decimal digits; -1 if it is not one. */
static long clrt_parse_index(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static const char *clrt_type_name(cl_device_type t)
{
	if (t & CL_DEVICE_TYPE_GPU)
		return "GPU";
	if (t & CL_DEVICE_TYPE_CPU)
		return "CPU";
	if (t & CL_DEVICE_TYPE_ACCELERATOR)
		return "ACCEL";
	if (t & CL_DEVICE_TYPE_CUSTOM)
		return "CUSTOM";
	return "OTHER";
}

/* ---- discovery -------------------------------------------------------- */

struct clrt_dev {
	cl_platform_id plat;
	cl_device_id dev;
	unsigned p, d; /* platform index, device index within it */
	cl_device_type type;
	char pname[CLRT_NAME_MAX];
	char dname[CLRT_NAME_MAX];
};

struct clrt_devs {
	struct clrt_dev *v;
	size_t n;
	cl_uint n_plat;
};

static void clrt_devs_free(struct clrt_devs *ds)
{
	free(ds->v);
	ds->v = NULL;
	ds->n = 0;
}

static int clrt_no_platform(ej_err *err)
{
	return ej_fail(err, EJ_EXIT_DEVICE,
		       "no OpenCL platform found; install an OpenCL driver, "
		       "e.g. the Debian package pocl-opencl-icd");
}

/* Append the devices of platform p (index pi) to ds. */
static int clrt_discover_platform(struct clrt_devs *ds, cl_platform_id p,
				  unsigned pi, ej_err *err)
{
	cl_device_id *ids;
	cl_uint nd = 0, i;
	struct clrt_dev *grown;
	char pname[CLRT_NAME_MAX];
	cl_int rc;

	rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, NULL, &nd);
	if (rc == CL_DEVICE_NOT_FOUND || (rc == CL_SUCCESS && nd == 0))
		return 0;
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, "clGetDeviceIDs");
	if (clrt_info_str(NULL, p, CL_PLATFORM_NAME, pname, sizeof(pname),
			  err))
		return -1;
	ids = calloc(nd, sizeof(*ids));
	grown = realloc(ds->v, (ds->n + nd) * sizeof(*ds->v));
	if (grown)
		ds->v = grown;
	if (!ids || !grown) {
		free(ids);
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	}
	rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, ids, NULL);
	if (rc != CL_SUCCESS) {
		free(ids);
		return CLRT_FAILED(err, rc, "clGetDeviceIDs");
	}
	for (i = 0; i < nd; i++) {
		struct clrt_dev *d = &ds->v[ds->n];

		memset(d, 0, sizeof(*d));
		d->plat = p;
		d->dev = ids[i];
		d->p = pi;
		d->d = i;
		memcpy(d->pname, pname, sizeof(pname));
		rc = clGetDeviceInfo(ids[i], CL_DEVICE_TYPE, sizeof(d->type),
				     &d->type, NULL);
		if (rc != CL_SUCCESS) {
			free(ids);
			return CLRT_FAILED(err, rc, "clGetDeviceInfo");
		}
		if (clrt_info_str(ids[i], NULL, CL_DEVICE_NAME, d->dname,
				  sizeof(d->dname), err)) {
			free(ids);
			return -1;
		}
		ds->n++;
	}
	free(ids);
	return 0;
}

/* All devices of all platforms, in listing order. */
static int clrt_discover(struct clrt_devs *ds, ej_err *err)
{
	cl_platform_id *plats;
	cl_uint np = 0, i;
	cl_int rc;

	memset(ds, 0, sizeof(*ds));
	rc = clGetPlatformIDs(0, NULL, &np);
	if (rc == CLRT_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && np == 0))
		return clrt_no_platform(err);
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, "clGetPlatformIDs");
	plats = calloc(np, sizeof(*plats));
	if (!plats)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	rc = clGetPlatformIDs(np, plats, NULL);
	if (rc != CL_SUCCESS) {
		free(plats);
		return CLRT_FAILED(err, rc, "clGetPlatformIDs");
	}
	ds->n_plat = np;
	for (i = 0; i < np; i++) {
		if (clrt_discover_platform(ds, plats[i], i, err)) {
			free(plats);
			clrt_devs_free(ds);
			return -1;
		}
	}
	free(plats);
	return 0;
}

/* "0  0:0  CPU  Portable Computing Language / pthread-..." lines. */
static void clrt_append_devices(char *buf, size_t cap,
				const struct clrt_devs *ds)
{
	size_t i, len = strlen(buf);

	for (i = 0; i < ds->n && len + 1 < cap; i++) {
		const struct clrt_dev *d = &ds->v[i];

		snprintf(buf + len, cap - len, "\n  %zu  %u:%u  %s  %s / %s", i,
			 d->p, d->d, clrt_type_name(d->type), d->pname,
			 d->dname);
		len += strlen(buf + len);
	}
}

/* Fail with "<what>" followed by the list of existing devices. */
static int clrt_no_match(ej_err *err, const struct clrt_devs *ds,
			 const char *fmt, const char *spec)
{
	char msg[EJ_ERR_MSG_MAX];

	snprintf(msg, sizeof(msg), fmt, spec);
	if (ds->n == 0) {
		size_t len = strlen(msg);

		snprintf(msg + len, sizeof(msg) - len,
			 "; %u OpenCL platform(s) but no device; install an "
			 "OpenCL driver, e.g. the Debian package "
			 "pocl-opencl-icd",
			 (unsigned)ds->n_plat);
	} else {
		strncat(msg, "; available devices (index  platform:device  "
			     "type  name):",
			sizeof(msg) - strlen(msg) - 1);
		clrt_append_devices(msg, sizeof(msg), ds);
	}
	return ej_fail(err, EJ_EXIT_DEVICE, "%s", msg);
}

/* Pick the device 'spec' names; index into ds->v, or -1 with err set. */
static long clrt_select(const struct clrt_devs *ds, const char *spec,
			ej_err *err)
{
	const char *colon;
	long n, p, d;
	size_t i;

	if (!spec || !*spec || strcmp(spec, "auto") == 0) {
		for (i = 0; i < ds->n; i++)
			if (ds->v[i].type & CL_DEVICE_TYPE_GPU)
				return (long)i;
		if (ds->n > 0)
			return 0;
		return clrt_no_match(err, ds, "no OpenCL device for '%s'",
				     spec ? spec : "");
	}
	n = clrt_parse_index(spec, strlen(spec));
	if (n >= 0) {
		if ((size_t)n < ds->n)
			return n;
		return clrt_no_match(err, ds,
				     "no OpenCL device with index '%s'", spec);
	}
	colon = strchr(spec, ':');
	if (colon) {
		p = clrt_parse_index(spec, (size_t)(colon - spec));
		d = clrt_parse_index(colon + 1, strlen(colon + 1));
		if (p >= 0 && d >= 0) {
			for (i = 0; i < ds->n; i++)
				if (ds->v[i].p == (unsigned long)p &&
				    ds->v[i].d == (unsigned long)d)
					return (long)i;
			return clrt_no_match(
				err, ds,
				"no OpenCL device 'platform:device' = '%s'",
				spec);
		}
	}
	for (i = 0; i < ds->n; i++) {
		char full[2 * CLRT_NAME_MAX + 2];

		snprintf(full, sizeof(full), "%s %s", ds->v[i].pname,
			 ds->v[i].dname);
		if (clrt_contains_nocase(full, spec))
			return (long)i;
	}
	return clrt_no_match(err, ds, "no OpenCL device matches '%s'", spec);
}

/* ---- listing ---------------------------------------------------------- */

static int clrt_list_one(FILE *out, size_t idx, const struct clrt_dev *d,
			 ej_err *err)
{
	char clc[64], pd[32];
	cl_ulong gmem = 0, lmem = 0;
	cl_uint cu = 0;
	cl_int rc;

	rc = clGetDeviceInfo(d->dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(cu),
			     &cu, NULL);
	if (rc == CL_SUCCESS)
		rc = clGetDeviceInfo(d->dev, CL_DEVICE_GLOBAL_MEM_SIZE,
				     sizeof(gmem), &gmem, NULL);
	if (rc == CL_SUCCESS)
		rc = clGetDeviceInfo(d->dev, CL_DEVICE_LOCAL_MEM_SIZE,
				     sizeof(lmem), &lmem, NULL);
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, "clGetDeviceInfo");
	if (clrt_info_str(d->dev, NULL, CL_DEVICE_OPENCL_C_VERSION, clc,
			  sizeof(clc), err))
		return -1;
	snprintf(pd, sizeof(pd), "%u:%u", d->p, d->d);
	fprintf(out, "%-5zu %-5s %-6s %5u %10llu %9llu  %-20s %s / %s\n", idx,
		pd, clrt_type_name(d->type), cu,
		(unsigned long long)(gmem >> 20),
		(unsigned long long)(lmem >> 10), clc, d->pname, d->dname);
	return 0;
}

int clrt_list(FILE *out, ej_err *err)
{
	struct clrt_devs ds;
	size_t i;

	if (clrt_discover(&ds, err))
		return -1;
	fprintf(out, "%-5s %-5s %-6s %5s %10s %9s  %-20s %s\n", "index",
		"P:D", "type", "CUs", "globalMiB", "localKiB", "OpenCL C",
		"platform / device");
	for (i = 0; i < ds.n; i++) {
		if (clrt_list_one(out, i, &ds.v[i], err)) {
			clrt_devs_free(&ds);
			return -1;
		}
	}
	if (ds.n == 0)
		fprintf(out, "(%u platform(s), no device)\n",
			(unsigned)ds.n_plat);
	clrt_devs_free(&ds);
	return 0;
}

/* ---- the runtime object ----------------------------------------------- */

static int clrt_open(clrt *rt, const struct clrt_dev *d, ej_err *err)
{
	cl_context_properties props[3];
	cl_int rc;

	rt->platform = d->plat;
	rt->device = d->dev;
	rt->type = d->type;
	memcpy(rt->name, d->dname, sizeof(rt->name));
	rc = clGetDeviceInfo(d->dev, CL_DEVICE_MAX_COMPUTE_UNITS,
			     sizeof(rt->compute_units), &rt->compute_units,
			     NULL);
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, "clGetDeviceInfo");
	if (clrt_info_str(d->dev, NULL, CL_DRIVER_VERSION, rt->driver,
			  sizeof(rt->driver), err))
		return -1;
	props[0] = CL_CONTEXT_PLATFORM;
	props[1] = (cl_context_properties)d->plat;
	props[2] = 0;
	rt->ctx = clCreateContext(props, 1, &d->dev, NULL, NULL, &rc);
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, "clCreateContext");
	rt->queue = clCreateCommandQueue(rt->ctx, d->dev, 0, &rc);
	if (rc != CL_SUCCESS)
		return CLRT_FAILED(err, rc, "clCreateCommandQueue");
	return 0;
}

static clrt *clrt_open_index(const struct clrt_devs *ds, long i,
			     ej_err *err);

clrt *clrt_create(const char *spec, ej_err *err)
{
	struct clrt_devs ds;
	clrt *rt;
	long i;

	if (clrt_discover(&ds, err))
		return NULL;
	i = clrt_select(&ds, spec, err);
	rt = i < 0 ? NULL : clrt_open_index(&ds, i, err);
	clrt_devs_free(&ds);
	return rt;
}

/* Open device ds->v[i] as a new runtime object. */
static clrt *clrt_open_index(const struct clrt_devs *ds, long i, ej_err *err)
{
	clrt *rt = calloc(1, sizeof(*rt));

	if (!rt) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	if (clrt_open(rt, &ds->v[i], err)) {
		ej_prefix(err, "opening OpenCL device '%s': ", ds->v[i].dname);
		clrt_free(rt);
		return NULL;
	}
	return rt;
}

/* Append to idx (the devices picked so far, *k of them) the devices of
 * one item of a set spec; -1 with err when it names none or repeats one. */
static int clrt_select_item(const struct clrt_devs *ds, const char *item,
			    long *idx, size_t *k, ej_err *err)
{
	cl_device_type want = 0;
	size_t before = *k;
	long one;

	if (!strcmp(item, "all"))
		want = CL_DEVICE_TYPE_ALL;
	else if (!strcmp(item, "gpu:*"))
		want = CL_DEVICE_TYPE_GPU;
	else if (!strcmp(item, "cpu:*"))
		want = CL_DEVICE_TYPE_CPU;
	for (size_t i = 0; want && i < ds->n; i++)
		if (ds->v[i].type & want)
			idx[(*k)++] = (long)i;
	if (want && *k == before)
		return clrt_no_match(err, ds, "no OpenCL device matches '%s'",
				     item);
	if (!want) {
		if ((one = clrt_select(ds, item, err)) < 0)
			return -1;
		idx[(*k)++] = one;
	}
	for (size_t j = before; j < *k; j++)
		for (size_t i = 0; i < j; i++)
			if (idx[i] == idx[j]) {
				char what[64];

				snprintf(what, sizeof(what), "%ld", idx[j]);
				return clrt_no_match(err, ds,
						     "the device spec names device %s twice",
						     what);
			}
	return 0;
}

void clrt_free_set(clrt **rts, size_t n)
{
	if (!rts)
		return;
	for (size_t i = 0; i < n; i++)
		clrt_free(rts[i]);
	free(rts);
}

int clrt_create_set(const char *spec, clrt ***rts, size_t *n, ej_err *err)
{
	struct clrt_devs ds;
	char item[CLRT_NAME_MAX];
	const char *p = spec ? spec : "";
	long *idx = NULL;
	size_t k = 0, cap;
	int rc = -1;

	*rts = NULL;
	*n = 0;
	if (clrt_discover(&ds, err))
		return -1;
	/* every item adds at most all devices */
	cap = (ds.n + 1) * (strlen(p) / 2 + 2);
	if (!(idx = malloc(cap * sizeof(long)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto out;
	}
	do {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		clrt_copy_trimmed(item, sizeof(item), p, len);
		if (!item[0] && (end || k > 0)) {
			ej_fail(err, EJ_EXIT_DEVICE,
				"empty item in the device spec '%s'", spec);
			goto out;
		}
		if (clrt_select_item(&ds, item, idx, &k, err) < 0)
			goto out;
		p = end ? end + 1 : NULL;
	} while (p);
	if (!(*rts = calloc(k, sizeof(**rts)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		goto out;
	}
	for (*n = 0; *n < k; (*n)++)
		if (!((*rts)[*n] = clrt_open_index(&ds, idx[*n], err)))
			goto out;
	rc = 0;
out:
	if (rc < 0) {
		clrt_free_set(*rts, *n);
		*rts = NULL;
		*n = 0;
	}
	free(idx);
	clrt_devs_free(&ds);
	return rc;
}

void clrt_free(clrt *rt)
{
	size_t i;

	if (!rt)
		return;
	for (i = 0; i < rt->n_progs; i++) {
		clReleaseProgram(rt->progs[i].prog);
		free(rt->progs[i].key);
	}
	free(rt->progs);
	if (rt->queue)
		clReleaseCommandQueue(rt->queue);
	if (rt->ctx)
		clReleaseContext(rt->ctx);
	free(rt);
}

cl_context clrt_context(const clrt *rt) { return rt->ctx; }
cl_command_queue clrt_queue(const clrt *rt) { return rt->queue; }
cl_device_id clrt_device(const clrt *rt) { return rt->device; }
const char *clrt_device_name(const clrt *rt) { return rt->name; }
cl_device_type clrt_device_type(const clrt *rt) { return rt->type; }
unsigned clrt_compute_units(const clrt *rt) { return rt->compute_units; }

/* ---- arguments, buffers, launches ------------------------------------- */

/* Function name of k for messages ("?" if the query fails). */
static void clrt_kernel_name(cl_kernel k, char *buf, size_t cap)
{
	size_t n = 0;

	if (clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, cap, buf, &n) !=
	    CL_SUCCESS)
		snprintf(buf, cap, "?");
}

static int clrt_args_check(const char *fmt, ej_err *err)
{
	size_t i;

	for (i = 0; fmt[i]; i++)
		if (!strchr("miufl", fmt[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "bad clrt_args format char '%c' at "
				       "position %zu in '%s'",
				       fmt[i], i, fmt);
	return 0;
}

static cl_int clrt_arg_set(cl_kernel k, cl_uint i, char c, va_list *ap)
{
	cl_mem m;
	cl_int iv;
	cl_uint uv;
	cl_float fv;

	switch (c) {
	case 'm':
		m = va_arg(*ap, cl_mem);
		return clSetKernelArg(k, i, sizeof(m), &m);
	case 'i':
		iv = (cl_int)va_arg(*ap, int);
		return clSetKernelArg(k, i, sizeof(iv), &iv);
	case 'u':
		uv = (cl_uint)va_arg(*ap, unsigned);
		return clSetKernelArg(k, i, sizeof(uv), &uv);
	case 'f':
		fv = (cl_float)va_arg(*ap, double);
		return clSetKernelArg(k, i, sizeof(fv), &fv);
	default: /* 'l' */
		return clSetKernelArg(k, i, va_arg(*ap, size_t), NULL);
	}
}

int clrt_args(cl_kernel k, ej_err *err, const char *fmt, ...)
{
	va_list ap;
	cl_uint i;
	cl_int rc = CL_SUCCESS;

	if (clrt_args_check(fmt, err))
		return -1;
	va_start(ap, fmt);
	for (i = 0; fmt[i]; i++) {
		rc = clrt_arg_set(k, i, fmt[i], &ap);
		if (rc != CL_SUCCESS)
			break;
	}
	va_end(ap);
	if (rc != CL_SUCCESS) {
		char kname[CLRT_NAME_MAX];

		clrt_kernel_name(k, kname, sizeof(kname));
		CLRT_FAILED(err, rc, "clSetKernelArg");
		return ej_prefix(err, "setting argument %u ('%c') of kernel "
				      "'%s': ",
				 (unsigned)i, fmt[i], kname);
	}
	return 0;
}

cl_mem clrt_alloc(clrt *rt, const char *name, size_t bytes,
		  cl_mem_flags flags, ej_err *err)
{
	char what[160], size[32];
	cl_mem m;
	cl_int rc;

	if (bytes == 0) {
		ej_fail(err, EJ_EXIT_RUN, "zero-size buffer%s%s%s requested on "
					  "device '%s'", name ? " '" : "",
			name ? name : "", name ? "'" : "", rt->name);
		return NULL;
	}
	m = clCreateBuffer(rt->ctx, flags, bytes, NULL, &rc);
	if (rc == CL_SUCCESS)
		return m;
	clrt_fmt_bytes(size, sizeof(size), (double)bytes);
	if (name)
		snprintf(what, sizeof(what), "allocating the '%.100s' buffer (%s)",
			 name, size);
	else
		snprintf(what, sizeof(what), "allocating a buffer of %s", size);
	clrt_fail_mem(err, rt, rc,
		      clrt_is_oom(rc) || rc == CL_INVALID_BUFFER_SIZE,
		      "clCreateBuffer", what, __FILE__, __LINE__);
	return NULL;
}

int clrt_reserve(clrt *rt, const char *name, cl_mem *buf, size_t *cap,
		 size_t need, size_t elem, cl_mem_flags flags, ej_err *err)
{
	if (*buf && *cap >= need)
		return 0;
	if (*buf)
		clReleaseMemObject(*buf);
	*buf = NULL;
	*cap = 0;
	if (elem && need > SIZE_MAX / elem)
		return ej_fail(err, EJ_EXIT_RUN, "buffer%s%s%s of %zu elements "
			       "of %zu bytes is too large", name ? " '" : "",
			       name ? name : "", name ? "'" : "", need, elem);
	if (!(*buf = clrt_alloc(rt, name, need * elem, flags, err)))
		return -1;
	*cap = need;
	return 0;
}

/* A blocking write (from src) or read (into dst) of bytes at offset. */
static int clrt_transfer(clrt *rt, cl_mem buf, size_t offset, size_t bytes,
			 bool write, const void *src, void *dst, ej_err *err)
{
	char what[CLRT_NAME_MAX + 128];
	cl_int rc;

	rc = write ? clEnqueueWriteBuffer(rt->queue, buf, CL_TRUE, offset,
					  bytes, src, 0, NULL, NULL)
		   : clEnqueueReadBuffer(rt->queue, buf, CL_TRUE, offset, bytes,
					 dst, 0, NULL, NULL);
	if (rc == CL_SUCCESS)
		return 0;
	clrt_transfer_what(rt, buf, bytes, write, what, sizeof(what));
	return clrt_fail_on(err, rt, rc,
			    write ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer",
			    what, __FILE__, __LINE__);
}

int clrt_write(clrt *rt, cl_mem buf, size_t offset, size_t bytes,
	       const void *src, ej_err *err)
{
	return clrt_transfer(rt, buf, offset, bytes, true, src, NULL, err);
}

int clrt_read(clrt *rt, cl_mem buf, size_t offset, size_t bytes, void *dst,
	      ej_err *err)
{
	return clrt_transfer(rt, buf, offset, bytes, false, NULL, dst, err);
}

int clrt_launch(clrt *rt, cl_kernel k, size_t global, size_t local,
		ej_err *err)
{
	char what[CLRT_NAME_MAX + 96];
	cl_int rc;

	if (global == 0)
		return 0;
	clrt_kernel_name(k, rt->last_kernel, sizeof(rt->last_kernel));
	rt->last_global = global;
	if (local > 0 && global % local != 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "launching kernel '%s': global size %zu is not "
			       "a multiple of local size %zu",
			       rt->last_kernel, global, local);
	rc = clEnqueueNDRangeKernel(rt->queue, k, 1, NULL, &global,
				    local ? &local : NULL, 0, NULL, NULL);
	if (rc == CL_SUCCESS)
		return 0;
	snprintf(what, sizeof(what), "launching kernel '%s' (global %zu, "
		 "local %zu)", rt->last_kernel, global, local);
	return clrt_fail_on(err, rt, rc, "clEnqueueNDRangeKernel", what,
			    __FILE__, __LINE__);
}

int clrt_finish(clrt *rt, ej_err *err)
{
	char last[CLRT_NAME_MAX + 48], what[CLRT_NAME_MAX + 96];
	cl_int rc = clFinish(rt->queue);

	if (rc == CL_SUCCESS)
		return 0;
	clrt_last_kernel(rt, last, sizeof(last));
	snprintf(what, sizeof(what), "finishing the queue%s", last);
	return clrt_fail_on(err, rt, rc, "clFinish", what, __FILE__,
			    __LINE__);
}

int clrt_pick_lanes(const clrt *rt, int lanes, ej_err *err)
{
	if (lanes == 0)
		return (clrt_device_type(rt) & CL_DEVICE_TYPE_CPU) ? 16 : 1;
	if (lanes == 1 || lanes == 2 || lanes == 4 || lanes == 8 ||
	    lanes == 16)
		return lanes;
	return ej_fail(err, EJ_EXIT_USAGE,
		       "lanes must be 0 (auto), 1, 2, 4, 8 or 16, got %d",
		       lanes);
}

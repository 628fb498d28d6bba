/* ranks.c - the MPI ranks of a job (core/ranks.h): joining and leaving,
 * agreement, and the evaluator over the ranks.  Without EJ_MPI the MPI
 * calls are left out: one rank. */
#include "core/ranks.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/split.h"

#ifdef EJ_MPI
#include <mpi.h>
#endif

struct ranks {
	int rank, size;
	bool mpi;                 /* MPI_Init was called */
	bool local_error;
	const volatile sig_atomic_t *raw;
	volatile sig_atomic_t agreed;
#ifdef EJ_MPI
	MPI_Comm comm;            /* evaluations and agreement */
	MPI_Comm fin;             /* the end of the job */
#endif
};

/* ---- MPI or not ---------------------------------------------------------- */

#ifdef EJ_MPI
/* An MPI call that failed on this rank. */
static int rk_fail(ranks *r, int rc, const char *call, ej_err *err)
{
	char msg[MPI_MAX_ERROR_STRING] = "";
	int len = 0;

	MPI_Error_string(rc, msg, &len);
	r->local_error = true;
	return ej_fail(err, EJ_EXIT_RUN, "MPI rank %d of %d: %s failed: %s",
		       r->rank, r->size, call, msg);
}

#define RK_TRY(r, err, call)                                                  \
	do {                                                                  \
		int rk_rc_ = (call);                                          \
		if (rk_rc_ != MPI_SUCCESS)                                    \
			return rk_fail((r), rk_rc_, #call, (err));            \
	} while (0)

bool ranks_built(char *name, size_t size)
{
	char lib[MPI_MAX_LIBRARY_VERSION_STRING];
	int len = 0;

	MPI_Get_library_version(lib, &len);
	snprintf(name, size, "%.*s", (int)strcspn(lib, ",\n"), lib);
	return true;
}

static bool rk_launched(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") ||
	       getenv("PMI_SIZE");
}

static int rk_init(ranks *r, ej_err *err)
{
	int provided;

	if (!rk_launched())
		return 0;
	/* only the main thread calls MPI (device threads never do) */
	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) !=
	    MPI_SUCCESS)
		return ej_fail(err, EJ_EXIT_RUN, "MPI_Init_thread failed");
	r->mpi = true;
	r->comm = r->fin = MPI_COMM_NULL;
	RK_TRY(r, err, MPI_Comm_dup(MPI_COMM_WORLD, &r->comm));
	RK_TRY(r, err, MPI_Comm_dup(MPI_COMM_WORLD, &r->fin));
	RK_TRY(r, err, MPI_Comm_set_errhandler(r->comm, MPI_ERRORS_RETURN));
	RK_TRY(r, err, MPI_Comm_set_errhandler(r->fin, MPI_ERRORS_RETURN));
	RK_TRY(r, err, MPI_Comm_rank(r->comm, &r->rank));
	RK_TRY(r, err, MPI_Comm_size(r->comm, &r->size));
	return 0;
}

static int rk_allgather_int(ranks *r, int v, int *all, ej_err *err)
{
	RK_TRY(r, err, MPI_Allgather(&v, 1, MPI_INT, all, 1, MPI_INT, r->comm));
	return 0;
}

/* Every rank's packet into recv, back to back (counts, displs: size). */
static int rk_allgatherv(ranks *r, const void *send, int len, void *recv,
			 const int *counts, const int *displs, ej_err *err)
{
	RK_TRY(r, err, MPI_Allgatherv(send, len, MPI_BYTE, recv, counts,
				      displs, MPI_BYTE, r->comm));
	return 0;
}

int ranks_wait_all(ranks *r, double timeout_s)
{
	MPI_Request req;
	double t0 = eval_now();
	int done = 0;

	if (!r->mpi || r->size == 1)
		return 0;
	if (MPI_Ibarrier(r->fin, &req) != MPI_SUCCESS)
		return -1;
	while (!done) {
		struct timespec ms = { 0, 1000000 };

		if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
			return -1;
		if (!done && eval_now() - t0 > timeout_s)
			return -1;
		if (!done)
			nanosleep(&ms, NULL);
	}
	return 0;
}

static void rk_finalize(ranks *r)
{
	if (!r->mpi)
		return;
	if (r->comm != MPI_COMM_NULL)
		MPI_Comm_free(&r->comm);
	if (r->fin != MPI_COMM_NULL)
		MPI_Comm_free(&r->fin);
	MPI_Finalize();
}

void ranks_abort(ranks *r, int code)
{
	if (r->mpi)
		MPI_Abort(MPI_COMM_WORLD, code ? code : EJ_EXIT_RUN);
}
#else
bool ranks_built(char *name, size_t size)
{
	snprintf(name, size, "%s", "");
	return false;
}

static int rk_init(ranks *r, ej_err *err)
{
	(void)r;
	(void)err;
	return 0;
}

static int rk_allgather_int(ranks *r, int v, int *all, ej_err *err)
{
	(void)r;
	(void)err;
	all[0] = v;
	return 0;
}

static int rk_allgatherv(ranks *r, const void *send, int len, void *recv,
			 const int *counts, const int *displs, ej_err *err)
{
	(void)r;
	(void)counts;
	(void)displs;
	(void)err;
	memcpy(recv, send, (size_t)len);
	return 0;
}

int ranks_wait_all(ranks *r, double timeout_s)
{
	(void)r;
	(void)timeout_s;
	return 0;
}

static void rk_finalize(ranks *r)
{
	(void)r;
}

void ranks_abort(ranks *r, int code)
{
	(void)r;
	(void)code;
}
#endif

/* ---- the job ------------------------------------------------------------- */

ranks *ranks_open(ej_err *err)
{
	ranks *r = calloc(1, sizeof(*r));

	if (!r) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	r->size = 1;
	if (rk_init(r, err) < 0) {
		ranks_close(r);
		return NULL;
	}
	return r;
}

void ranks_close(ranks *r)
{
	if (!r)
		return;
	rk_finalize(r);
	free(r);
}

int ranks_rank(const ranks *r) { return r->rank; }
int ranks_size(const ranks *r) { return r->size; }
bool ranks_local_error(const ranks *r) { return r->local_error; }

int ranks_agree(ranks *r, int code, int *who, ej_err *err)
{
	int *all;

	*who = r->rank;
	if (r->size == 1)
		return code;
	if (!(all = malloc((size_t)r->size * sizeof(int)))) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return EJ_EXIT_RUN;
	}
	if (rk_allgather_int(r, code, all, err) < 0) {
		free(all);
		return EJ_EXIT_RUN;
	}
	for (int q = 0; q < r->size; q++)
		if (all[q]) {
			*who = q;
			code = all[q];
			break;
		}
	free(all);
	return code;
}

int ranks_check_members(const ranks *r, size_t members, size_t granule,
			ej_err *err)
{
	size_t units = members / (granule ? granule : 1);

	if (units >= (size_t)r->size)
		return 0;
	if (granule > 1)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%d MPI ranks but the population has %zu members in %zu worlds of %zu: every rank needs a world (use -np %zu or fewer)",
			       r->size, members, units, granule, units);
	return ej_fail(err, EJ_EXIT_USAGE,
		       "%d MPI ranks but the population has %zu members: every rank needs one (use -np %zu or fewer)",
		       r->size, members, units);
}

void ranks_watch_interrupt(ranks *r, const volatile sig_atomic_t *raw)
{
	r->raw = raw;
}

const volatile sig_atomic_t *ranks_interrupted(const ranks *r)
{
	return r->size == 1 ? r->raw : &r->agreed;
}

/* ---- the evaluator over the ranks ----------------------------------------- */

/* What a rank sends after evaluating its slice, followed by:
 * int64 rows[n_groups] (statistics rows per clipped group), float
 * fitness[n], float bd[n * n_bd], float stats[n_rows * n_obs], char
 * msg[msg_len]; the whole padded to 8 bytes. */
typedef struct rk_head {
	int64_t code;         /* 0, or the exit code of this rank's failure */
	int64_t interrupted;  /* this rank's signal flag */
	int64_t n, n_groups, n_rows, msg_len;
	double env_steps, kernel_s, wall_s;
} rk_head;

typedef struct rk_eval {
	split_base b;         /* first: the shared ops; b.first = local */
	ranks *r;             /* borrowed */
	evaluator *local;     /* owned: this rank's evaluator */
	double *rate, *w, *secs;   /* (size) */
	size_t *first;        /* (size + 1) the plan of the last call */
	size_t *g0, *ng;      /* (size) each rank's first group and count */
	eval_norm *clip;      /* (cap_norms) this rank's clipped groups */
	eval_norm *other;     /* (cap_norms) another rank's (scratch) */
	size_t cap_norms;
	float *fit, *bd;      /* this rank's slice: (n), (n, n_bd) */
	size_t cap_fit, cap_bd; /* bytes */
	unsigned char *send, *recv;
	size_t cap_send, cap_recv;
	int *counts, *displs; /* (size) */
	const unsigned char **pk; /* (size) each rank's packet */
} rk_eval;

static void rk_eval_free(void *state)
{
	rk_eval *k = state;

	eval_free(k->local);
	free(k->rate);
	free(k->w);
	free(k->secs);
	free(k->first);
	free(k->g0);
	free(k->ng);
	free(k->clip);
	free(k->other);
	free(k->fit);
	free(k->bd);
	free(k->send);
	free(k->recv);
	free(k->counts);
	free(k->displs);
	free(k->pk);
	split_base_release(&k->b);
	free(k);
}

/* Grow a byte or float buffer to 'need' bytes. */
static int rk_grow(void *pbuf, size_t *cap, size_t need, ej_err *err)
{
	void **buf = pbuf, *g;

	if (*buf && *cap >= need)
		return 0;
	if (!(g = realloc(*buf, need ? need : 1)))
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	*buf = g;
	*cap = need;
	return 0;
}

static size_t rk_pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Evaluate this rank's slice and pack the packet (a failure is packed,
 * not returned: every rank must reach the gather). */
static int rk_local(rk_eval *k, const float *params, uint32_t iter,
		    const eval_norm *norms, size_t *len, ej_err *err)
{
	int me = k->r->rank;
	size_t lo = k->first[me], n = k->first[me + 1] - lo, nrows = 0, off;
	size_t nb = (size_t)k->b.n_bd, ng = k->ng[me];
	eval_stats st = { 0 };
	ej_err lerr = { 0 };
	rk_head h = { 0 };
	int64_t *gr;
	int rc;

	if (rk_grow(&k->fit, &k->cap_fit, n * sizeof(float), err) < 0 ||
	    rk_grow(&k->bd, &k->cap_bd, n * nb * sizeof(float), err) < 0)
		return -1;
	rc = eval_population(k->local, params + lo * k->b.P, n, iter,
			     norms ? k->clip : NULL, ng, k->fit, k->bd, &st,
			     &lerr);
	for (size_t g = 0; rc == 0 && g < ng; g++) {
		const float *rows;

		nrows += eval_obs_rows(k->local, g, &rows);
	}
	*len = sizeof(h) + ng * sizeof(int64_t) +
	       (n + n * nb + nrows * k->b.n_obs) * sizeof(float);
	if (rc == 0 && *len > INT32_MAX / 2) /* every packet must fit too */
		rc = ej_fail(&lerr, EJ_EXIT_RUN,
			     "this rank's results (%zu bytes) exceed what one MPI message carries",
			     *len);
	h.code = rc < 0 ? (lerr.code ? lerr.code : EJ_EXIT_RUN) : 0;
	h.interrupted = k->r->raw ? *k->r->raw : 0;
	h.n = (int64_t)n;
	h.n_groups = (int64_t)ng;
	h.n_rows = (int64_t)(rc == 0 ? nrows : 0);
	h.msg_len = rc < 0 ? (int64_t)strlen(lerr.msg) + 1 : 0;
	h.env_steps = st.env_steps;
	h.kernel_s = st.kernel_s;
	h.wall_s = st.wall_s;
	*len = rk_pad8(sizeof(h) + ng * sizeof(int64_t) +
		       (n + n * nb + (size_t)h.n_rows * k->b.n_obs) * sizeof(float) +
		       (size_t)h.msg_len);
	if (rk_grow(&k->send, &k->cap_send, *len, err) < 0)
		return -1;
	memset(k->send, 0, *len);
	memcpy(k->send, &h, sizeof(h));
	gr = (int64_t *)(k->send + sizeof(h));
	off = sizeof(h) + ng * sizeof(int64_t);
	if (rc == 0) {
		memcpy(k->send + off, k->fit, n * sizeof(float));
		off += n * sizeof(float);
		if (nb)
			memcpy(k->send + off, k->bd, n * nb * sizeof(float));
		off += n * nb * sizeof(float);
		for (size_t g = 0; g < ng; g++) {
			const float *rows;
			size_t c = eval_obs_rows(k->local, g, &rows);

			gr[g] = (int64_t)c;
			if (c)
				memcpy(k->send + off, rows, c * k->b.n_obs * sizeof(float));
			off += c * k->b.n_obs * sizeof(float);
		}
	} else {
		off += (n + n * nb) * sizeof(float);
		memcpy(k->send + off, lerr.msg, (size_t)h.msg_len);
	}
	return 0;
}

/* Gather every rank's packet; k->pk[q] points at rank q's. */
static int rk_exchange(rk_eval *k, size_t len, eval_stats *st, ej_err *err)
{
	int size = k->r->size;
	size_t total = 0;
	double t0 = eval_now();

	if (rk_allgather_int(k->r, (int)len, k->counts, err) < 0)
		return -1;
	for (int q = 0; q < size; q++) {
		k->displs[q] = (int)total;
		total += (size_t)k->counts[q];
		if (total > INT32_MAX)
			return ej_fail(err, EJ_EXIT_RUN,
				       "the ranks' results (%zu bytes) exceed what one MPI call carries",
				       total);
	}
	if (rk_grow(&k->recv, &k->cap_recv, total, err) < 0 ||
	    rk_allgatherv(k->r, k->send, (int)len, k->recv, k->counts,
			  k->displs, err) < 0)
		return -1;
	st->comm_s = eval_now() - t0;
	st->comm_bytes = (double)total + (double)size * sizeof(int);
	for (int q = 0; q < size; q++)
		k->pk[q] = k->recv + k->displs[q];
	return 0;
}

/* A packet's head, checked against the plan. */
static int rk_head_of(const rk_eval *k, int q, rk_head *h, ej_err *err)
{
	memcpy(h, k->pk[q], sizeof(*h));
	if (h->code)
		return 0;
	if (h->n != (int64_t)(k->first[q + 1] - k->first[q]) ||
	    h->n_groups != (int64_t)k->ng[q] || h->n_rows < 0)
		return ej_fail(err, EJ_EXIT_RUN,
			       "MPI rank %d sent results for another slice (%lld members, %lld groups; expected %zu, %zu): are all ranks the same build and config?",
			       q, (long long)h->n, (long long)h->n_groups,
			       k->first[q + 1] - k->first[q], k->ng[q]);
	return 0;
}

/* Unpack: fitness and bd in member order, rows folded per caller group,
 * the figures; the first failing rank's error. */
static int rk_unpack(rk_eval *k, const eval_norm *norms, size_t n_norms,
		     float *fitness, float *bd, eval_stats *st, ej_err *err)
{
	int size = k->r->size;
	size_t nb = (size_t)k->b.n_bd;
	sig_atomic_t any = 0;
	rk_head h;

	for (int q = 0; q < size; q++) {
		if (rk_head_of(k, q, &h, err) < 0)
			return -1;
		if (h.code) {
			const char *msg = (const char *)k->pk[q] + sizeof(h) +
					  (size_t)h.n_groups * sizeof(int64_t) +
					  (size_t)h.n * (1 + nb) * sizeof(float);

			return ej_fail(err, (int)h.code, "MPI rank %d of %d: %.*s",
				       q, size, (int)h.msg_len, msg);
		}
	}
	for (int q = 0; q < size; q++) {
		const unsigned char *p = k->pk[q];
		size_t lo = k->first[q], n = k->first[q + 1] - lo;

		memcpy(&h, p, sizeof(h));
		p += sizeof(h) + (size_t)h.n_groups * sizeof(int64_t);
		memcpy(fitness + lo, p, n * sizeof(float));
		if (bd && nb)
			memcpy(bd + lo * nb, p + n * sizeof(float),
			       n * nb * sizeof(float));
		st->env_steps += h.env_steps;
		st->kernel_s = fmax(st->kernel_s, h.kernel_s);
		k->secs[q] = h.wall_s;
		any |= h.interrupted != 0;
	}
	if (any)
		k->r->agreed = 1;
	split_rates(k->rate, (size_t)size, k->first, k->secs);
	if (!norms || k->b.n_obs == 0)
		return 0;
	if (split_rows_begin(&k->b.rows, n_norms, k->b.n_obs, err) < 0)
		return -1;
	for (size_t g = 0; g < n_norms; g++)
		for (int q = 0; q < size; q++) {
			const unsigned char *p = k->pk[q];
			const int64_t *gr = (const int64_t *)(p + sizeof(h));
			size_t skip = 0;

			memcpy(&h, p, sizeof(h));
			if (g < k->g0[q] || g >= k->g0[q] + k->ng[q])
				continue;
			for (size_t j = 0; j < g - k->g0[q]; j++)
				skip += (size_t)gr[j];
			p += sizeof(h) + (size_t)h.n_groups * sizeof(int64_t) +
			     (size_t)h.n * (1 + nb) * sizeof(float) +
			     skip * k->b.n_obs * sizeof(float);
			if (split_rows_add(&k->b.rows, g, (const float *)p,
					   (size_t)gr[g - k->g0[q]], err) < 0)
				return -1;
		}
	split_rows_fold(&k->b.rows, norms, n_norms);
	return 0;
}

/* The plan of a call and every rank's clipped groups (this rank's kept). */
static int rk_plan(rk_eval *k, size_t n, const eval_norm *norms,
		   size_t n_norms, ej_err *err)
{
	int size = k->r->size;

	if (ranks_check_members(k->r, n, k->b.granule, err) < 0)
		return -1;
	if (norms && k->cap_norms < n_norms) {
		eval_norm *c = realloc(k->clip, n_norms * sizeof(*c));
		eval_norm *o = c ? realloc(k->other, n_norms * sizeof(*o)) : NULL;

		if (c)
			k->clip = c;
		if (o)
			k->other = o;
		if (!c || !o)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		k->cap_norms = n_norms;
	}
	split_weights(k->rate, (size_t)size, k->w);
	split_plan(n, k->b.granule, k->w, (size_t)size, true, k->first);
	for (int q = 0; q < size; q++) {
		k->ng[q] = k->g0[q] = 0;
		if (norms)
			k->ng[q] = split_clip(norms, n_norms, k->first[q],
					      k->first[q + 1],
					      q == k->r->rank ? k->clip : k->other,
					      &k->g0[q]);
	}
	return 0;
}

static int rk_evaluate(void *state, const float *params, size_t n,
		       uint32_t iter, const eval_norm *norms, size_t n_norms,
		       float *fitness, float *bd, eval_stats *st, ej_err *err)
{
	rk_eval *k = state;
	eval_norm own;
	size_t len;

	split_base_norms(&k->b, n, &norms, &n_norms, &own);
	if (rk_plan(k, n, norms, n_norms, err) < 0 ||
	    rk_local(k, params, iter, norms, &len, err) < 0 ||
	    rk_exchange(k, len, st, err) < 0)
		return -1;
	return rk_unpack(k, norms, n_norms, fitness, bd, st, err);
}

static void rk_describe(const void *state, char *buf, size_t size)
{
	const rk_eval *k = state;
	size_t len;

	eval_describe(k->local, buf, size);
	len = strlen(buf);
	snprintf(buf + len, size - len, ", split over %d MPI ranks",
		 k->r->size);
}

/* Tests run on every rank (the same parameters, the same result): no
 * traffic (split_base_test). */
static const eval_ops rk_ops = {
	.name = "ranks",
	.create = NULL, /* ranks_eval */
	.evaluate = rk_evaluate,
	.describe = rk_describe,
	.free = rk_eval_free,
	SPLIT_BASE_OPS,
};

evaluator *ranks_eval(ranks *r, evaluator *local, ej_err *err)
{
	size_t size = (size_t)r->size;
	rk_eval *k;

	if (r->size == 1)
		return local;
	if (!(k = calloc(1, sizeof(*k)))) {
		eval_free(local);
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	k->r = r;
	k->local = local;
	k->rate = calloc(size, sizeof(double));
	k->w = calloc(size, sizeof(double));
	k->secs = calloc(size, sizeof(double));
	k->first = calloc(size + 1, sizeof(size_t));
	k->g0 = calloc(size, sizeof(size_t));
	k->ng = calloc(size, sizeof(size_t));
	k->counts = calloc(size, sizeof(int));
	k->displs = calloc(size, sizeof(int));
	k->pk = calloc(size, sizeof(*k->pk));
	if (split_base_init(&k->b, local, size, "MPI ranks", err) < 0 || !k->rate || !k->w ||
	    !k->secs || !k->first || !k->g0 || !k->ng || !k->counts ||
	    !k->displs || !k->pk) {
		rk_eval_free(k);
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	snprintf(k->b.name, sizeof(k->b.name), "%s x %d MPI ranks",
		 eval_device_name(local), r->size);
	return eval_wrap(&rk_ops, k, eval_rt(local), k->b.n_bd, err);
}

/* algo.h - the algorithm interface: an ops table + opaque state per
 * algorithm (ggml backend style).  Adding an algorithm = one file in algos/
 * and one line in algos/registry.c.
 *
 * Fitness is always maximized.  An algorithm tracks its best on raw fitness.
 */
#ifndef EJ_ALGO_H
#define EJ_ALGO_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "core/err.h"
#include "core/noisedev.h"
#include "core/npz.h"
#include "core/optim.h"

typedef struct algo_env {
	size_t param_size;      /* P */
	uint32_t seed;
	const optim_cfg *optim; /* resolved 'optimizer' section */
	int n_bd;               /* behaviour descriptor dims (0: none) */
	const float *bd_lo;     /* (n_bd) descriptor bounds, NULL if n_bd 0 */
	const float *bd_hi;     /* (n_bd) */
	noisedev *noise_dev;    /* device noise (core/noisedev.h); NULL: host */
} algo_env;

#define ALGO_STATE_MAX 32 /* most npz arrays an algorithm's state may use */

typedef struct algo_ops {
	const char *name;
	const char *summary;
	const cfg_field *fields; /* schema of the 'algo' section, minus "name" */
	size_t n_fields;
	size_t cfg_size;         /* sizeof the struct 'fields' fill */

	/* cfg: the struct filled from 'fields'.  *state is owned by the
	 * caller and released with free(). */
	int (*create)(void **state, const void *cfg, const algo_env *env,
		      ej_err *err);
	size_t (*pop_size)(const void *state);
	/* Fill params (pop_size x P, row-major) with the population. */
	int (*ask)(void *state, float *params, ej_err *err);
	/* fitness: (pop_size), raw, maximized.  Non-finite values are an
	 * error (EJ_EXIT_RUN) naming the member. */
	int (*tell)(void *state, const float *fitness, ej_err *err);
	/* Parameters to test (PGPE: the center).  (P) */
	const float *(*best_params)(const void *state);
	/* Full state (incl. optimizer moments, RNG counters, iteration) as
	 * arrays that stay valid until the next ask/tell; 'names' is scratch
	 * space for generated names.  Returns the number of arrays. */
	size_t (*state)(const void *state, npz_array *out, size_t max,
			char names[][64]);
	int (*load)(void *state, const npz_file *f, ej_err *err);
	void (*free)(void *state);

	/* ---- optional slots (NULL when not supported) ---------------- */

	/* Learning-rate-like hyperparameters a schedule may drive, by their
	 * key in 'fields' (NULL-terminated, e.g. {"center_lr", NULL}).
	 * set_hparam sets the value in use; the trainer passes the
	 * configured value times the schedule's factor.  The name
	 * "momentum" sets the optimizer's momentum / beta1 (the onecycle
	 * profile cycles it).  Returns -1 for an unknown name. */
	const char *const *hparams;
	int (*set_hparam)(void *state, const char *name, double value);
	/* tell with behaviour descriptors bd (pop_size x env->n_bd); the
	 * trainer calls it instead of tell when the task has descriptors. */
	int (*tell_bd)(void *state, const float *fitness, const float *bd,
		       ej_err *err);
	/* Extra metrics as a JSON fragment without braces
	 * ("\"coverage\": 0.25, \"qd_score\": 12.5"), appended to each
	 * train metrics line. */
	void (*report)(const void *state, char *buf, size_t size);
	/* Extra artefacts written at each test and at the end of a run into
	 * the run directory 'dir' (MAP-Elites: archive.npz), atomically. */
	int (*save_extra)(const void *state, const char *dir, ej_err *err);
	/* The key of the resolved 'algo' section (cfg) whose value needs
	 * trainer.normalize_obs: true (ARS 'version: v2'), or NULL when
	 * this configuration does not.  Checked by config validation. */
	const char *(*needs_obs_norm)(const void *cfg);
} algo_ops;

extern const algo_ops *const algo_registry[]; /* NULL-terminated */
const algo_ops *algo_find(const char *name);    /* NULL if unknown */

/* The algorithms (one per file in algos/, listed in algos/registry.c). */
extern const algo_ops pgpe_ops;
extern const algo_ops open_es_ops;
extern const algo_ops ars_ops;
extern const algo_ops snes_ops;
extern const algo_ops simple_ga_ops;
extern const algo_ops cma_es_ops;
extern const algo_ops sep_cma_es_ops;
extern const algo_ops cr_fm_nes_ops;
extern const algo_ops map_elites_ops;
extern const algo_ops iamalgam_ops;

#endif

/* slimevolley_pat.h - host side of the SlimeVolley test policies
 * (tests/test_slimevolley.c, tests/test_slimevolley_selfplay.c): the
 * button-pattern policy of tests/slimevolley_pat.cl (its policy_ops and
 * host reference) and the host MLP step for contract_ref.h.  Needs
 * policies/mlp.h and opencl/philox.h included first. */
#ifndef EJ_SLIMEVOLLEY_PAT_H
#define EJ_SLIMEVOLLEY_PAT_H

#include <math.h>
#include <stddef.h>

/* The button-pattern test policy (tests/slimevolley_pat.cl): offsets (3),
 * periods (3), lengths (3); state: the step count. */
static inline size_t pat_param_count(const void *cfg, int obs_dim, int act_dim)
{
	(void)cfg;
	(void)obs_dim;
	return 3 * (size_t)act_dim;
}

static inline int pat_state_dim(const void *cfg, int obs_dim, int act_dim)
{
	(void)cfg;
	(void)obs_dim;
	(void)act_dim;
	return 1;
}

static inline void pat_defines(const void *cfg, int obs_dim, int act_dim, char *buf,
			size_t size)
{
	(void)cfg;
	(void)obs_dim;
	(void)act_dim;
	if (size)
		buf[0] = '\0';
}

static const policy_ops pat_ops = {
	.name = "slimevolley_pat", .summary = "test", .cfg_size = sizeof(int),
	.cl_file = "tests/slimevolley_pat.cl", .param_count = pat_param_count,
	.defines = pat_defines, .caps = POLICY_CAP_STEP,
	.state_dim = pat_state_dim,
};

static inline void pat_ref_reset(const void *cfg, float *ps)
{
	(void)cfg;
	ps[0] = 0.0f;
}

static inline void pat_ref_forward(const void *cfg, const float *w, float *ps,
			    const float *obs, float *act)
{
	(void)cfg;
	(void)obs;
	for (int j = 0; j < 3; j++)
		act[j] = fmodf(ps[0] + w[j], w[3 + j]) < w[6 + j] ? 1.0f : -1.0f;
	ps[0] += 1.0f;
}

/* n members' patterns: offsets 0..31, periods 2..41, lengths 0..period. */
static inline void pat_params(float *w, size_t n)
{
	for (size_t m = 0; m < n; m++)
		for (int j = 0; j < 3; j++) {
			ph_out d = ph_draw(5, PH_PURPOSE_INIT, 0, (unsigned)m,
					   0, (unsigned)j);
			float period = (float)(2 + d.v[1] % 40);

			w[9 * m + j] = (float)(d.v[0] % 32);
			w[9 * m + 3 + j] = period;
			w[9 * m + 6 + j] = (float)(d.v[2] % ((unsigned)period + 1));
		}
}

static inline void mlp_ref_reset(const void *cfg, float *ps)
{
	(void)cfg;
	(void)ps;
}

static inline void mlp_ref_step(const void *cfg, const float *w, float *ps,
			 const float *obs, float *act)
{
	(void)ps;
	mlp_ref_forward(cfg, 12, 3, w, obs, act);
}

#endif

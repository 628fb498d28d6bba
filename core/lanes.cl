/* lanes.cl - lane types shared by task, policy and rollout device code.
 * VL environments run in the lanes of one work-item: VF is float for
 * VL == 1, floatVL otherwise.  Prepended before task and policy code. */
#define EJ_CAT_(a, b) a##b
#define EJ_CAT(a, b) EJ_CAT_(a, b)
#if VL == 1
#define VF float
#define EJ_VLOAD(p) (*(p))
#define EJ_VSTORE(v, p) (*(p) = (v))
#define EJ_ALL_ZERO(v) ((v) == 0.0f)
#else
#define VF EJ_CAT(float, VL)
#define EJ_VLOAD(p) EJ_CAT(vload, VL)(0, (p))
#define EJ_VSTORE(v, p) EJ_CAT(vstore, VL)((v), 0, (p))
#define EJ_ALL_ZERO(v) all((v) == (VF)0.0f)
#endif

/* Per-step draws for VL lanes (contract item b, opencl/philox.h): draw k
 * of this step for each lane, lane l being repeat ctr->repeat + l.  Each
 * call costs one Philox block per lane.  Needs opencl/philox.h before this
 * file (the rollout composition has it; other lane programs may not). */
#ifdef EJ_PHILOX_H
/* Uniform in [0, 1): word 0 of draw k (bit-identical to the host). */
static inline VF ej_step_uniform(const ph_step_ctr *ctr, uint k)
{
	float u[VL];

	for (int l = 0; l < VL; l++)
		u[l] = ph_uniform(ph_step_draw(ctr, (uint)l, k).v[0]);
	return EJ_VLOAD(u);
}

/* Standard normal: z0 of ph_normal2 on words 0 and 1 of draw k. */
static inline VF ej_step_normal(const ph_step_ctr *ctr, uint k)
{
	float z[VL], z1;

	for (int l = 0; l < VL; l++) {
		ph_out w = ph_step_draw(ctr, (uint)l, k);

		ph_normal2(w.v[0], w.v[1], &z[l], &z1);
	}
	return EJ_VLOAD(z);
}
#endif

/* contract_walk.cl - test task (tests/test_contract.c): a noisy random
 * walk driven by the per-step draws (contract item b).  One agent, state
 * [x], obs [x, 0.5], one action.  Per step: u = uniform draw 0, v =
 * uniform draw 1, z = normal draw 2,
 *   x' = x + 0.1 act + 0.5 (u - 0.5) + 0.1 z.
 * WALK_EXACT 0: reward x', done |x'| > 2.
 * WALK_EXACT 1: reward u + v, done v < 1/32: a function of the draws
 * alone, exact in float, so host and device agree bit for bit. */
void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);

	s[0] = ph_uniform(w.v[0]) - 0.5f;
}

void task_obs(const VF *s, VF *obs)
{
	obs[0] = s[0];
	obs[1] = (VF)0.5f;
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	VF u = ej_step_uniform(ctr, 0), v = ej_step_uniform(ctr, 1);
	VF z = ej_step_normal(ctr, 2);

	s[0] = s[0] + 0.1f * act[0] + 0.5f * (u - 0.5f) + 0.1f * z;
#if WALK_EXACT
	reward[0] = u + v;
	*done = v < 0.03125f ? (VF)1.0f : (VF)0.0f;
#else
	reward[0] = s[0];
	*done = fabs(s[0]) > 2.0f ? (VF)1.0f : (VF)0.0f;
#endif
}

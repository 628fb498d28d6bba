/* contract_redef.cl - test task (tests/test_contract.c) that breaks
 * contract item d: it defines a size that only the task's dims() may
 * give.  Otherwise a valid task (obs = state, reward = action). */
#define TASK_OBS_DIM 1

void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	(void)seed, (void)purpose, (void)iter, (void)member, (void)repeat;
	s[0] = 0.0f;
}

void task_obs(const VF *s, VF *obs) { obs[0] = s[0]; }

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	(void)ctr;
	s[0] += act[0];
	*reward = act[0];
	*done = (VF)0.0f;
}

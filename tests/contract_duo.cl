/* contract_duo.cl - test task (tests/test_contract.c): two agents on a
 * line (contract item c), in whichever agent map its dims() gives.
 * State [p0, p1]; agent a observes [p_a, p_other, a] and takes one action.
 * Per step, with u = uniform draw 0:
 *   reward_0 = act_0 + 0.01 p1,  reward_1 = 2 act_1 + 0.01 p0
 *   p_a += 0.1 act_a,  p0 += 0.05 (u - 0.5);  done |p0 - p1| > 1.5.
 * DUO_PLAIN 1: reward_a = (a + 1) act_a and never done, so with constant
 * actions a member's return names the agent it drove.
 * Opponent (TASK_AGENTS_OPPONENT, agent 1): state c, reset to 0.25 agent,
 * act = c + 0.5 obs[1] (its view of p0), then c += 0.125. */
void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);

	s[0] = ph_uniform(w.v[0]) - 0.5f;
	s[1] = ph_uniform(w.v[1]) - 0.5f;
}

void task_obs(const VF *s, VF *obs)
{
	for (int a = 0; a < 2; a++) {
		obs[a * TASK_OBS_DIM] = s[a];
		obs[a * TASK_OBS_DIM + 1] = s[1 - a];
		obs[a * TASK_OBS_DIM + 2] = (VF)(float)a;
	}
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
#if DUO_PLAIN
	reward[0] = act[0];
	reward[1] = 2.0f * act[1];
	*done = (VF)0.0f;
	(void)ctr;
#else
	VF u = ej_step_uniform(ctr, 0);

	reward[0] = act[0] + 0.01f * s[1];
	reward[1] = 2.0f * act[1] + 0.01f * s[0];
	s[0] += 0.1f * act[0] + 0.05f * (u - 0.5f);
	s[1] += 0.1f * act[1];
	*done = fabs(s[0] - s[1]) > 1.5f ? (VF)1.0f : (VF)0.0f;
#endif
}

void task_opponent_reset(VF *os, int agent) { os[0] = (VF)(0.25f * agent); }

void task_opponent(VF *os, const VF *obs, VF *act, int agent,
		   const ph_step_ctr *ctr)
{
	act[0] = os[0] + 0.5f * obs[1];
	os[0] += 0.125f;
	(void)agent;
	(void)ctr;
}

/* slimevolley_pat.cl - test policy (tests/test_slimevolley*.c): buttons
 * pressed in a fixed pattern of the step count, blind to the observation.
 * State: the step count t (POLICY_STATE_DIM 1), 0 at reset.  Parameters
 * (integer-valued floats): offset o_j, period p_j > 0, length l_j for
 * each action j; act_j = 1 when fmod(t + o_j, p_j) < l_j, else -1.
 * Exact in float on host and device, so episodes match to the bit. */
void policy_reset(VF *ps) { ps[0] = (VF)0.0f; }

void policy_forward(const __global float *w, VF *ps, const VF *obs, VF *act)
{
	for (int j = 0; j < TASK_ACT_DIM; j++)
		act[j] = fmod(ps[0] + w[j], (VF)w[TASK_ACT_DIM + j]) <
				 w[2 * TASK_ACT_DIM + j]
			 ? (VF)1.0f : (VF)-1.0f;
	ps[0] += 1.0f;
	(void)obs;
}

/* contract_lin.cl - test policy without state: act_j = b_j + sum_k
 * K[k][j] obs_k (Flax layout: b (TASK_ACT_DIM), K (TASK_OBS_DIM,
 * TASK_ACT_DIM)).  Members with distinct biases and zero K output
 * distinguishable constants. */
void policy_reset(VF *ps) { (void)ps; }

void policy_forward(const __global float *w, VF *ps, const VF *obs, VF *act)
{
	const __global float *K = w + TASK_ACT_DIM;

	for (int j = 0; j < TASK_ACT_DIM; j++) {
		VF x = w[j];

		for (int k = 0; k < TASK_OBS_DIM; k++)
			x += K[k * TASK_ACT_DIM + j] * obs[k];
		act[j] = x;
	}
	(void)ps;
}

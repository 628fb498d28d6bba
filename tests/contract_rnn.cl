/* contract_rnn.cl - test policy with recurrent state (contract item a),
 * H = POLICY_STATE_DIM units h, reset to 0.5 each episode:
 *   h'_i = tanh(a_i h_{(i+1) mod H} + sum_k W[i][k] obs_k),  act_j = h'_j
 * (TASK_ACT_DIM <= H).  Parameters: a (H), then W (H, TASK_OBS_DIM). */
void policy_reset(VF *ps)
{
	for (int i = 0; i < POLICY_STATE_DIM; i++)
		ps[i] = (VF)0.5f;
}

void policy_forward(const __global float *w, VF *ps, const VF *obs, VF *act)
{
	const __global float *W = w + POLICY_STATE_DIM;
	VF h[POLICY_STATE_DIM];

	for (int i = 0; i < POLICY_STATE_DIM; i++) {
		VF x = w[i] * ps[(i + 1) % POLICY_STATE_DIM];

		for (int k = 0; k < TASK_OBS_DIM; k++)
			x += W[i * TASK_OBS_DIM + k] * obs[k];
		h[i] = tanh(x);
	}
	for (int i = 0; i < POLICY_STATE_DIM; i++)
		ps[i] = h[i];
	for (int j = 0; j < TASK_ACT_DIM; j++)
		act[j] = h[j];
}

/* cartpole.cl - CartPoleSwingUp device code (EvoJAX semantics, DESIGN.md).
 *
 * Task device contract: core/rollout.cl.  One agent, deterministic
 * dynamics (the step counter is unused); sizes from cartpole_dims():
 * state [x, x_dot, theta, theta_dot], obs [x, x_dot, cos, sin, theta_dot],
 * one action.  Options: CARTPOLE_HARD (0/1), CARTPOLE_SHUFFLE (0/1).
 *
 * Shuffled (shuffle_obs): the state carries the episode's observation
 * order perm (5 indices as floats, s[4..8]), drawn at reset from the
 * episode's second reset draw (index 1) by Fisher-Yates (j = mul_hi(v,
 * i + 1), i = 4..1), so every member meets the same orders (common
 * random numbers) and each episode a new one; task_obs shows
 * obs_shuffled[i] = obs[perm[i]].  EvoJAX has no shuffled cartpole; this
 * follows the AttentionNeuron paper (Tang & Ha 2021), which permutes the
 * observation at the start of each episode.
 */
#define CP_GRAVITY 9.82f
#define CP_CART_MASS 0.5f
#define CP_POLE_MASS 0.5f
#define CP_POLE_LEN 0.6f
#define CP_FRICTION 0.1f
#define CP_FORCE 10.0f
#define CP_DT 0.01f
#define CP_X_LIMIT 2.4f
#define CP_PI 3.14159265358979f

void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);
#if CARTPOLE_HARD
	s[0] = (ph_uniform(w.v[0]) * 2.0f - 1.0f) * CP_X_LIMIT;
	s[1] = (ph_uniform(w.v[1]) * 2.0f - 1.0f) * 10.0f;
	s[2] = (ph_uniform(w.v[2]) * 2.0f - 1.0f) * (CP_PI / 2.0f) + CP_PI;
	s[3] = (ph_uniform(w.v[3]) * 2.0f - 1.0f) * 10.0f;
#else
	float z0, z1, z2, z3;

	ph_normal2(w.v[0], w.v[1], &z0, &z1);
	ph_normal2(w.v[2], w.v[3], &z2, &z3);
	s[0] = z0 * 0.2f;
	s[1] = z1 * 0.2f;
	s[2] = z2 * 0.2f + CP_PI;
	s[3] = z3 * 0.2f;
#endif
#if CARTPOLE_SHUFFLE
	{
		ph_out v = ph_draw(seed, purpose, iter, member, repeat, 1);
		int perm[5] = { 0, 1, 2, 3, 4 };

		for (int i = 4; i > 0; i--) {
			int j = (int)ph_mulhi(v.v[4 - i], (ph_u32)i + 1);
			int k = perm[i];

			perm[i] = perm[j];
			perm[j] = k;
		}
		for (int i = 0; i < 5; i++)
			s[4 + i] = (float)perm[i];
	}
#endif
}

void task_obs(const VF *s, VF *obs)
{
#if CARTPOLE_SHUFFLE
	VF raw[5];

	raw[0] = s[0];
	raw[1] = s[1];
	raw[2] = cos(s[2]);
	raw[3] = sin(s[2]);
	raw[4] = s[3];
	/* obs[i] = raw[perm[i]], perm per lane */
	for (int i = 0; i < 5; i++) {
		VF o = raw[0];

		for (int k = 1; k < 5; k++)
			o = (s[4 + i] == (float)k) ? raw[k] : o;
		obs[i] = o;
	}
#else
	obs[0] = s[0];
	obs[1] = s[1];
	obs[2] = cos(s[2]);
	obs[3] = sin(s[2]);
	obs[4] = s[3];
#endif
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	const float total_m = CP_CART_MASS + CP_POLE_MASS;
	const float m_p_l = CP_POLE_MASS * CP_POLE_LEN;
	VF a = clamp(act[0], -1.0f, 1.0f) * CP_FORCE;
	VF x = s[0], x_dot = s[1], th = s[2], th_dot = s[3];
	VF sn = sin(th), c = cos(th);
	VF x_acc = (-2.0f * m_p_l * (th_dot * th_dot) * sn +
		    3.0f * CP_POLE_MASS * CP_GRAVITY * sn * c + 4.0f * a -
		    4.0f * CP_FRICTION * x_dot) /
		   (4.0f * total_m - 3.0f * CP_POLE_MASS * c * c);
	VF th_acc = (-3.0f * m_p_l * (th_dot * th_dot) * sn * c +
		     6.0f * total_m * CP_GRAVITY * sn +
		     6.0f * (a - CP_FRICTION * x_dot) * c) /
		    (4.0f * CP_POLE_LEN * total_m - 3.0f * m_p_l * c * c);

	x = x + x_dot * CP_DT;
	th = th + th_dot * CP_DT;
	x_dot = x_dot + x_acc * CP_DT;
	th_dot = th_dot + th_acc * CP_DT;
	s[0] = x;
	s[1] = x_dot;
	s[2] = th;
	s[3] = th_dot;
	*reward = (cos(th) + 1.0f) / 2.0f *
		  cos((x / CP_X_LIMIT) * (CP_PI / 2.0f));
	*done = (fabs(x) > CP_X_LIMIT) ? (VF)1.0f : (VF)0.0f;
	(void)ctr; /* deterministic dynamics */
}

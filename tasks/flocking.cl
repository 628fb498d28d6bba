/* flocking.cl - Flocking (EvoJAX 0.2.17 evojax/task/flocking.py, after
 * JAX-MD's flocking notebook): the device contract (core/rollout.cl).
 *
 * A world is TASK_N_AGENTS (30) boids on the unit torus, moving at speed
 * 0.12 with time step 0.2; one member steers them all (agent map
 * TASK_AGENTS_SHARED), the policy running once per boid on the boid's own
 * observation row.  Sizes from flocking_dims(): obs 15 and act 1 (2 with
 * FLOCK_ACTION_TYPE 1) per boid, state 90 = (x, y, theta) per boid.
 * Options: FLOCK_NEIGHBORS (5), FLOCK_MAX_STEPS, FLOCK_REWARD_TYPE,
 * FLOCK_ACTION_TYPE.
 *
 * EvoJAX's rules, kept as they are:
 *  - displacement on the torus: d(i -> j) = mod(p_j - p_i + 0.5, 1) -
 *    0.5 per coordinate (computed as t - floor(t) - 0.5, t = d + 0.5,
 *    which is jnp.mod's value for |t| < 2), distance sqrt(dx^2 + dy^2);
 *  - observation of boid i: the absolute (x, y, theta) of its 5 nearest
 *    boids, itself first (distance 0), nearest first, ties to the lower
 *    index (jnp.argsort is stable); theta is never wrapped;
 *  - reward of a step: -E of the state BEFORE the move (so an episode
 *    counts the energy of its reset state and never that of its last
 *    state), times (t / max_steps)^2 for FLOCK_REWARD_TYPE 1 (t the step
 *    index, 0-based); every boid's reward row is the world's reward, so
 *    the rollout's mean over the agents is EvoJAX's number;
 *  - E = 0.5 sum_ij (align_ij + avoid_ij) + sum_i cohesion_i over ordered
 *    pairs, the pair (i, i) included:
 *      align_ij  = J_al / 3 (1 - r / D_al)^3 (1 - n_i . n_j)^2, r < D_al
 *      avoid_ij  = J_av / 3 (1 - r / D_av)^3, r < D_av (avoid_ii =
 *                  J_av / 3: a constant 0.5 in E for 30 boids)
 *      cohesion_i = 0.5 J_co (1 - u_i . n_i)^2, u_i the direction of the
 *                  mean displacement to the boids j with r < D_co seen in
 *                  the field of view cos(pi/3) < (d / r) . n_i < cos(0)
 *                  (a boid straight ahead, cos = 1, is not seen), with
 *                  EvoJAX's eps: mean = sum / (count + 1e-7), u = mean /
 *                  |mean + 1e-7|; a boid that sees none has u = 0 and
 *                  cohesion 0.5 J_co;
 *    J_al 0.2, D_al 0.15, J_av 0.1, D_av 0.12, J_co 0.3, D_co 0.3;
 *    r / D as r times the float reciprocal of D (XLA's rewrite under
 *    jit), cos(pi/3) as XLA's float32 value 0.49999997;
 *  - move: p += 0.024 n(theta) speed, wrapped into [0, 1); theta += 0.2
 *    dtheta as one fma (XLA contracts it so on CPUs: bit-exact with
 *    EvoJAX), with dtheta the first action (no clipping); speed 1, or
 *    0.8 + 0.4 (a + 1) / 2 from the second action a (FLOCK_ACTION_TYPE
 *    1); n(theta) = (cos, sin) of the theta before the move;
 *  - done when t + 1 >= max_steps.
 * Float operations in EvoJAX's order, contraction off, so the host
 * reference (tasks/flocking.c) agrees to the bit on devices with doubles
 * and correctly rounded sqrt and division (PoCL).
 */
#pragma OPENCL FP_CONTRACT OFF

/* cos and sin of the headings in double, rounded to float (correctly
 * rounded but for ~1e-8 of the arguments), the host's way: device and
 * host then move the boids to the bit.  Devices without doubles use the
 * float built-ins (a few ulps). */
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#if VL == 1
#define FL_COS(x) ((float)cos((double)(x)))
#define FL_SIN(x) ((float)sin((double)(x)))
#else
#define FL_COS(x) EJ_CAT(convert_float, VL)(cos(EJ_CAT(convert_double, VL)(x)))
#define FL_SIN(x) EJ_CAT(convert_float, VL)(sin(EJ_CAT(convert_double, VL)(x)))
#endif
#else
#define FL_COS(x) cos(x)
#define FL_SIN(x) sin(x)
#endif

#define FL_N TASK_N_AGENTS
#define FL_DT 0.2f
#define FL_STEP 0.024f          /* float32(DT * SPEED), 0.2 * 0.12 */
#define FL_TWO_PI 6.2831855f    /* float32(2 pi) */
#define FL_J_ALIGN_A 0.06666667f /* float32(J_ALIGN / ALPHA) */
#define FL_J_AVOID_A 0.033333335f /* float32(J_AVOID / ALPHA) */
#define FL_INV_D_ALIGN (1.0f / 0.15f)
#define FL_INV_D_AVOID (1.0f / 0.12f)
#define FL_D_COHESION 0.3f
#define FL_HALF_J_COHESION 0.15f /* float32(0.5 * J_COHESION) */
#define FL_COS_FOV 0.49999997f  /* XLA's float32 cos(pi / 3) */
#define FL_EPS 1e-7f

void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	for (int b = 0; b < FL_N; b++) {
		ph_out w = ph_draw(seed, purpose, iter, member, repeat, (uint)b);

		s[3 * b] = ph_uniform(w.v[0]);
		s[3 * b + 1] = ph_uniform(w.v[1]);
		s[3 * b + 2] = ph_uniform(w.v[2]) * FL_TWO_PI;
	}
}

/* jnp.mod(d + 0.5, 1) - 0.5 */
static inline VF fl_wrap(VF d)
{
	VF t = d + 0.5f;

	return (t - floor(t)) - 0.5f;
}

/* Displacement i -> j (dx, dy) and the distance. */
static inline VF fl_disp(const VF *s, int i, int j, VF *dx, VF *dy)
{
	*dx = fl_wrap(s[3 * j] - s[3 * i]);
	*dy = fl_wrap(s[3 * j + 1] - s[3 * i + 1]);
	return sqrt(*dx * *dx + *dy * *dy);
}

void task_obs(const VF *s, VF *obs)
{
	for (int i = 0; i < FL_N; i++) {
		/* the nearest so far, sorted: distance and the boid's row */
		VF bd[FLOCK_NEIGHBORS], bx[FLOCK_NEIGHBORS];
		VF by[FLOCK_NEIGHBORS], bt[FLOCK_NEIGHBORS];

		for (int k = 0; k < FLOCK_NEIGHBORS; k++) {
			bd[k] = INFINITY;
			bx[k] = by[k] = bt[k] = 0.0f;
		}
		for (int j = 0; j < FL_N; j++) {
			VF dx, dy, d = fl_disp(s, i, j, &dx, &dy);

			/* insert j after every equal distance (stable): from
			 * the last slot down, slot k takes the old slot k-1
			 * when d < bd[k-1], else j when d < bd[k] */
			for (int k = FLOCK_NEIGHBORS - 1; k >= 0; k--) {
				const int u = k > 0 ? k - 1 : 0;
				VF lo = k > 0 ? bd[u] : (VF)(-INFINITY);
				VF up = (d < lo) ? (VF)1.0f : (VF)0.0f;
				VF here = (d < bd[k]) ? (VF)1.0f : (VF)0.0f;

				bd[k] = (up > 0.0f) ? bd[u] : (here > 0.0f) ? d : bd[k];
				bx[k] = (up > 0.0f) ? bx[u] : (here > 0.0f) ? s[3 * j] : bx[k];
				by[k] = (up > 0.0f) ? by[u] : (here > 0.0f) ? s[3 * j + 1] : by[k];
				bt[k] = (up > 0.0f) ? bt[u] : (here > 0.0f) ? s[3 * j + 2] : bt[k];
			}
		}
		for (int k = 0; k < FLOCK_NEIGHBORS; k++) {
			obs[i * TASK_OBS_DIM + 3 * k] = bx[k];
			obs[i * TASK_OBS_DIM + 3 * k + 1] = by[k];
			obs[i * TASK_OBS_DIM + 3 * k + 2] = bt[k];
		}
	}
}

/* EvoJAX's calc_energy of state s, with n = (cos, sin) of each theta. */
static VF fl_energy(const VF *s, const VF *nx, const VF *ny)
{
	VF pair = 0.0f, coh = 0.0f;

	for (int i = 0; i < FL_N; i++) {
		VF cx = 0.0f, cy = 0.0f, cnt = 0.0f;

		for (int j = 0; j < FL_N; j++) {
			VF dx, dy, r = fl_disp(s, i, j, &dx, &dy);
			VF ra = r * FL_INV_D_ALIGN, rv = r * FL_INV_D_AVOID;
			VF ua = 1.0f - ra, uv = 1.0f - rv;
			VF v = 1.0f - (nx[i] * nx[j] + ny[i] * ny[j]);
			VF ea = (FL_J_ALIGN_A * (ua * (ua * ua))) * (v * v);
			VF ev = FL_J_AVOID_A * (uv * (uv * uv));
			/* field of view: 0/0 (r = 0) is NaN in EvoJAX, never
			 * seen; r > 0 says the same without relying on NaN */
			VF ct = (dx / r) * nx[i] + (dy / r) * ny[i];
			VF seen = (r > 0.0f && ct > FL_COS_FOV && ct < 1.0f &&
				   r < FL_D_COHESION) ? (VF)1.0f : (VF)0.0f;

			pair += ((ra < 1.0f) ? ea : (VF)0.0f) +
				((rv < 1.0f) ? ev : (VF)0.0f);
			cx += (seen > 0.0f) ? dx : (VF)0.0f;
			cy += (seen > 0.0f) ? dy : (VF)0.0f;
			cnt += seen;
		}
		{
			VF mx = cx / (cnt + FL_EPS), my = cy / (cnt + FL_EPS);
			VF ex = mx + FL_EPS, ey = my + FL_EPS;
			VF len = sqrt(ex * ex + ey * ey);
			VF w = 1.0f - ((mx / len) * nx[i] + (my / len) * ny[i]);

			coh += FL_HALF_J_COHESION * (w * w);
		}
	}
	return 0.5f * pair + coh;
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	VF nx[FL_N], ny[FL_N], r;

	for (int b = 0; b < FL_N; b++) {
		nx[b] = FL_COS(s[3 * b + 2]);
		ny[b] = FL_SIN(s[3 * b + 2]);
	}
	r = -fl_energy(s, nx, ny);
#if FLOCK_REWARD_TYPE == 1
	{
		float q = (float)ctr->step * (1.0f / (float)FLOCK_MAX_STEPS);

		r = r * (q * q);
	}
#endif
	for (int b = 0; b < FL_N; b++) {
		const VF *a = act + b * TASK_ACT_DIM;
#if FLOCK_ACTION_TYPE == 1
		VF speed = ((a[1] + 1.0f) * 0.5f) * 0.4f + 0.8f;
		VF x = s[3 * b] + (FL_STEP * nx[b]) * speed;
		VF y = s[3 * b + 1] + (FL_STEP * ny[b]) * speed;
#else
		VF x = s[3 * b] + FL_STEP * nx[b];
		VF y = s[3 * b + 1] + FL_STEP * ny[b];
#endif

		s[3 * b] = x - floor(x);
		s[3 * b + 1] = y - floor(y);
		s[3 * b + 2] = fma((VF)FL_DT, a[0], s[3 * b + 2]);
		reward[b] = r;
	}
	*done = (ctr->step + 1u >= (uint)FLOCK_MAX_STEPS) ? (VF)1.0f : (VF)0.0f;
}

#pragma OPENCL FP_CONTRACT ON

/* slimevolley.cl - SlimeVolley (EvoJAX 0.2.17 evojax/task/slimevolley.py,
 * a port of hardmaru's slimevolleygym): the game and the device contract.
 *
 * Task device contract: core/rollout.cl, two agents per world, agent map
 * TASK_AGENTS_OPPONENT: the member drives agent 0, the right player (the
 * agent EvoJAX trains), and the built-in baseline (a 7-unit recurrent net
 * with fixed weights, task_opponent) drives agent 1, the left player.
 * Self-play (SV_SELFPLAY 1, task option opponent: selfplay; not in
 * EvoJAX): agent map TASK_AGENTS_DISTINCT, two members per world; agent
 * ("slot") 0 is the right player in even repeats and the left player in
 * odd ones (SV_SWAP), so the contract functions swap the rows of obs, act
 * and reward there; the game itself does not change.
 * Sizes from slimevolley_dims(): obs 12, act 3 per agent, state
 * SV_STATE_DIM, opponent state 7.
 *
 * This file is compiled twice: as OpenCL C in the rollout program, on
 * VL lanes (SV_F = VF, masks SV_M = intVL), and as C by tasks/slimevolley.c
 * (SV_F = float), whose host reference is therefore the same arithmetic
 * statement by statement.  Only the sv_* functions are shared; the
 * contract functions at the end are device-only.  Every branch on lane
 * data is a select, except two tests over all of a work-item's lanes that
 * skip rare work (a ball touching a circle, a new serve).
 *
 * World state (floats):
 *   SV_BALL   ball x, y, vx, vy, prev_x, prev_y (radius 0.5)
 *   SV_AGENT  agent a (0 right, 1 left) at SV_AGENT + 4a: x, y, vx, vy
 *             (radius 1.5)
 *   SV_LIFE   lives of agent a at SV_LIFE + a (5 at reset; in training
 *             they fall below 0 and the game goes on)
 *   SV_SEEN   the ball x, y, vx, vy in agent 0's observation: EvoJAX's
 *             task returns the observation made before a new serve, so
 *             after a point the trained agent sees the ball where it
 *             landed for one step (the baseline sees the new serve)
 *   SV_TEST   1 in test episodes (reset purpose PH_PURPOSE_TEST_RESET):
 *             the episode ends when a side has no lives left
 *   SV_SWAP   self-play only: 1 when slot 0 plays the left side (odd
 *             repeats), else 0
 * Coordinates: x in [-24, 24] (fence at 0), y up from 0, ground at 1.5.
 */
#define SV_BALL 0
#define SV_AGENT 6
#define SV_LIFE 14
#define SV_SEEN 16
#define SV_TEST 20
#define SV_SWAP 21
#define SV_STATE_DIM 22
#define SV_OPP_DIM 7

#ifdef __OPENCL_VERSION__
/* No contraction of a * b + c into fma here (restored at the end of the
 * file): on PoCL host and device then agree to the bit but for tanh (GPUs
 * may also round sqrt and division a few ulp differently). */
#pragma OPENCL FP_CONTRACT OFF
#define SV_F VF
#if VL == 1
#define SV_M int
#define SV_ANY(m) (m)
#else
#define SV_M EJ_CAT(int, VL)
#define SV_ANY(m) any(m)
#endif
#define SV_SQRT(x) sqrt(x)
#define SV_TANH(x) tanh(x)
#define SV_TABLE __constant float
#define SV_UNIFORM(ctr, k) ej_step_uniform((ctr), (k))
#else
#define SV_F float
#define SV_M int
#define SV_ANY(m) (m)
#define SV_SQRT(x) sqrtf(x)
#define SV_TANH(x) tanhf(x)
#define SV_TABLE static const float
#define SV_UNIFORM(ctr, k) ph_uniform(ph_step_draw((ctr), 0, (k)).v[0])
#endif

/* slimevolleygym's constants, as float32 (EvoJAX computes in float32;
 * products of Python constants are formed in double first). */
#define SV_HALF_W 24.0f       /* REF_W / 2 */
#define SV_REF_H 48.0f
#define SV_GROUND 1.5f        /* REF_U */
#define SV_FENCE_HALF 0.5f    /* REF_WALL_WIDTH / 2 */
#define SV_FENCE_H 3.5f       /* REF_WALL_HEIGHT */
#define SV_SPEED_X 17.5f      /* PLAYER_SPEED_X */
#define SV_SPEED_Y 13.5f      /* PLAYER_SPEED_Y */
#define SV_MAX_SPEED 22.5f    /* MAX_BALL_SPEED */
#define SV_DT (1.0f / 30.0f)  /* TIMESTEP, float32(1/30) */
#define SV_NUDGE 0.1f
#define SV_NUDGE_DT (0.1f / 30.0f) /* float32(NUDGE * TIMESTEP) */
#define SV_G_DT (-0.98f)      /* float32(GRAVITY * TIMESTEP), GRAVITY -29.4 */
#define SV_BALL_R 0.5f
#define SV_AGENT_R 1.5f
#define SV_LIVES 5.0f
#define SV_SERVE_Y 12.0f      /* REF_W / 4 */
#define SV_OBS_SCALE 10.0f

/* A serve's ball velocity from one uniform u in [0, 1).  EvoJAX draws
 * r = 2 U(0,1)^2 - 1 and takes vx = 20 r[1], vy = 7.5 r[2] + 17.5; JAX
 * clamps the out-of-range index 2 to 1, so both come from one number. */
#define SV_SERVE_VX(u) (((u) * 2.0f - 1.0f) * 20.0f)
#define SV_SERVE_VY(u) (((u) * 2.0f - 1.0f) * 7.5f + 17.5f)

/* slimevolleygym's baseline policy (EvoJAX initBaselinePolicyParams):
 * out = tanh(W [obs[0..7], h] + b), W 7 x 15 row-major, h the previous
 * out; buttons out[0..2] > 0.75. */
SV_TABLE sv_base_w[7 * 15] = {
	7.5719f, 4.4285f, 2.2716f, -0.3598f, -7.8189f, -2.5422f, -3.2034f,
	0.3935f, 1.2202f, -0.49f, -0.0316f, 0.5221f, 0.7026f, 0.4179f,
	-2.1689f, 1.646f, -13.3639f, 1.5151f, 1.1175f, -5.3561f, 5.0442f,
	0.8451f, 0.3987f, -2.9501f, -3.7811f, -5.8994f, 6.4167f, 2.5014f,
	7.338f, -2.9887f, 2.4586f, 13.4191f, 2.7395f, -3.9708f, 1.6548f,
	-2.7554f, -1.5345f, -6.4708f, 9.2426f, -0.7392f, 0.4452f, 1.8828f,
	-2.6277f, -10.851f, -3.2353f, -4.4653f, -3.1153f, -1.3707f, 7.318f,
	16.0902f, 1.4686f, 7.0391f, 1.7765f, -1.155f, 2.6697f, -8.8877f,
	1.1958f, -3.2839f, -5.4425f, 1.6809f, 7.6812f, -2.4732f, 1.738f,
	0.3781f, 0.8718f, 2.5886f, 1.6911f, 1.2953f, -9.0052f, -4.6038f,
	-6.7447f, -2.5528f, 0.4391f, -4.9278f, -3.6695f, -4.8673f, -1.6035f,
	1.5011f, -5.6124f, 4.9747f, 1.8998f, 3.0359f, 6.2983f, -4.8568f,
	-2.1888f, -4.1143f, -3.9874f, -0.0459f, 4.7134f, 2.8952f, -9.3627f,
	-4.685f, 0.3601f, -1.3699f, 9.7294f, 11.5596f, 0.1918f, 3.0783f,
	0.0329f, -0.1362f, -0.1188f, -0.7579f, 0.3278f, -0.977f, -0.9377f,
};
SV_TABLE sv_base_b[7] = {
	2.2935f, -2.0353f, -1.7786f, 5.4567f, -3.6368f, 3.4996f, -0.0685f,
};

/* A new game: ball served from (0, 12) with velocity (vx, vy), agents at
 * x = +-12 on the ground, 5 lives each. */
static inline void sv_init(float *s, float vx, float vy, float test)
{
	for (int i = 0; i < SV_STATE_DIM; i++)
		s[i] = 0.0f;
	s[SV_BALL + 1] = s[SV_BALL + 5] = SV_SERVE_Y;
	s[SV_BALL + 2] = vx;
	s[SV_BALL + 3] = vy;
	for (int a = 0; a < 2; a++) {
		s[SV_AGENT + 4 * a] = a == 0 ? SV_HALF_W / 2.0f
					     : -SV_HALF_W / 2.0f;
		s[SV_AGENT + 4 * a + 1] = SV_GROUND;
		s[SV_LIFE + a] = SV_LIVES;
	}
	for (int k = 0; k < 4; k++)
		s[SV_SEEN + k] = s[SV_BALL + k];
	s[SV_TEST] = test;
}

/* A reset (device task_reset and the host reference): the serve from
 * ph_draw(seed, purpose, iter, member, repeat, 0), test episodes by the
 * purpose; in self-play, slot 0 plays the left side in odd repeats. */
static inline void sv_reset(float *s, ph_u32 seed, ph_u32 purpose,
			    ph_u32 iter, ph_u32 member, ph_u32 repeat,
			    int selfplay)
{
	float u = ph_uniform(ph_draw(seed, purpose, iter, member, repeat, 0).v[0]);

	sv_init(s, SV_SERVE_VX(u), SV_SERVE_VY(u),
		purpose == PH_PURPOSE_TEST_RESET ? 1.0f : 0.0f);
	s[SV_SWAP] = (selfplay && (repeat & 1u)) ? 1.0f : 0.0f;
}

/* Rows (2, width) by side (right, left) <-> by slot: swapped where
 * SV_SWAP is set (its own inverse). */
static inline void sv_swap_rows(const SV_F *s, SV_F *x, int width)
{
	const SV_M swap = s[SV_SWAP] > 0.0f;

	for (int k = 0; k < width; k++) {
		const SV_F a = x[k], b = x[width + k];

		x[k] = swap ? b : a;
		x[width + k] = swap ? a : b;
	}
}

/* Observations (2, 12), each from its agent's side (x and vx mirrored for
 * the left player): self x, y, vx, vy, ball x, y, vx, vy, opponent x, y,
 * vx, vy, all / 10.  Agent 0 sees the ball of SV_SEEN. */
static inline void sv_obs(const SV_F *s, SV_F *obs)
{
	for (int a = 0; a < 2; a++) {
		const float dir = a == 0 ? 1.0f : -1.0f;
		const SV_F *me = s + SV_AGENT + 4 * a;
		const SV_F *op = s + SV_AGENT + 4 * (1 - a);
		const SV_F *ball = a == 0 ? s + SV_SEEN : s + SV_BALL;
		SV_F *o = obs + 12 * a;

		o[0] = me[0] * dir / SV_OBS_SCALE;
		o[1] = me[1] / SV_OBS_SCALE;
		o[2] = me[2] * dir / SV_OBS_SCALE;
		o[3] = me[3] / SV_OBS_SCALE;
		o[4] = ball[0] * dir / SV_OBS_SCALE;
		o[5] = ball[1] / SV_OBS_SCALE;
		o[6] = ball[2] * dir / SV_OBS_SCALE;
		o[7] = ball[3] / SV_OBS_SCALE;
		o[8] = op[0] * -dir / SV_OBS_SCALE;
		o[9] = op[1] / SV_OBS_SCALE;
		o[10] = op[2] * -dir / SV_OBS_SCALE;
		o[11] = op[3] / SV_OBS_SCALE;
	}
}

/* Agent.setAction + Agent.update: buttons act[0..2] (forward, backward,
 * jump when > 0; forward is towards the fence), dir -1 left, +1 right;
 * jumps start from the ground; the agent stays on its half. */
static inline void sv_agent(SV_F *p, const SV_F *act, float dir)
{
	const SV_M fwd = act[0] > 0.0f, back = act[1] > 0.0f;
	SV_F want_vx = (fwd & !back) ? (SV_F)(-SV_SPEED_X) : (SV_F)0.0f;
	SV_F want_vy = (act[2] > 0.0f) ? (SV_F)SV_SPEED_Y : (SV_F)0.0f;
	SV_F vx, vy = p[3] + SV_G_DT, x, y;
	SV_M landed, fence, wall;

	want_vx = (back & !fwd) ? (SV_F)SV_SPEED_X : want_vx;
	vy = (p[1] <= SV_GROUND + SV_NUDGE_DT) ? want_vy : vy;
	vx = want_vx * dir;
	x = p[0] + vx * SV_DT;
	y = p[1] + vy * SV_DT;
	landed = y <= SV_GROUND;
	y = landed ? (SV_F)SV_GROUND : y;
	vy = landed ? (SV_F)0.0f : vy;
	fence = x * dir <= SV_FENCE_HALF + SV_AGENT_R;
	wall = x * dir >= SV_HALF_W - SV_AGENT_R;
	vx = (fence | wall) ? (SV_F)0.0f : vx;
	x = fence ? (SV_F)(dir * (SV_FENCE_HALF + SV_AGENT_R)) : x;
	x = wall ? (SV_F)(dir * (SV_HALF_W - SV_AGENT_R)) : x;
	p[0] = x;
	p[1] = y;
	p[2] = vx;
	p[3] = vy;
}

/* Particle.applyAcceleration(0, GRAVITY), limitSpeed, move. */
static inline void sv_ball_fly(SV_F *b)
{
	SV_F vx = b[2], vy = b[3] + SV_G_DT;
	SV_F mag2 = vx * vx + vy * vy, mag = SV_SQRT(mag2);
	SV_M fast = mag2 > SV_MAX_SPEED * SV_MAX_SPEED;

	vx = fast ? vx / mag * SV_MAX_SPEED : vx;
	vy = fast ? vy / mag * SV_MAX_SPEED : vy;
	b[4] = b[0];
	b[5] = b[1];
	b[0] = b[0] + vx * SV_DT;
	b[1] = b[1] + vy * SV_DT;
	b[2] = vx;
	b[3] = vy;
}

/* Particle.bounceIfColliding with a circle at (px, py), velocity (pvx,
 * pvy), radius pr, as EvoJAX writes it: the ball is pushed out along the
 * line of centres in NUDGE steps, at most 15 (slimevolleygym: a while
 * loop), and the first overlap test reads the centres crosswise (ball y
 * - circle x, ball x - circle y); the velocity relative to the circle is
 * reflected with factor 2 on the normal. */
static inline void sv_ball_bounce(SV_F *b, SV_F px, SV_F py, SV_F pvx,
				  SV_F pvy, float pr)
{
	const float r2 = (SV_BALL_R + pr) * (SV_BALL_R + pr);
	SV_F dx = px - b[0], dy = py - b[1];
	const SV_M hit = dx * dx + dy * dy < r2;
	SV_F nx, ny, abd, x = b[0], y = b[1], stepx, stepy, ux, uy, un;

	if (!SV_ANY(hit))
		return;
	nx = b[0] - px;
	ny = b[1] - py;
	abd = SV_SQRT(nx * nx + ny * ny);
	nx = nx / abd;
	ny = ny / abd;
	stepx = nx * SV_NUDGE;
	stepy = ny * SV_NUDGE;
	dy = y - px;
	dx = x - py;
	for (int i = 0; i < 15; i++) {
		SV_M in = dy * dy + dx * dx < r2;

		x = in ? x + stepx : x;
		y = in ? y + stepy : y;
		dy = py - y;
		dx = px - x;
	}
	ux = b[2] - pvx;
	uy = b[3] - pvy;
	un = ux * nx + uy * ny;
	ux = ux - nx * (un * 2.0f);
	uy = uy - ny * (un * 2.0f);
	b[0] = hit ? x : b[0];
	b[1] = hit ? y : b[1];
	b[2] = hit ? ux + pvx : b[2];
	b[3] = hit ? uy + pvy : b[3];
}

/* Particle.checkEdges: walls, ceiling, ground and the fence's sides, all
 * tested on the ball before this call; returns the right player's
 * reward: +1 when the ball touches the ground at x <= 0, -1 at x > 0. */
static inline SV_F sv_ball_edges(SV_F *b)
{
	const SV_F x = b[0], y = b[1], vx = b[2], vy = b[3], px = b[4];
	SV_F nx = x, ny = y, nvx = vx, nvy = vy;
	SV_M m, ground;

	m = x <= SV_BALL_R - SV_HALF_W;
	nx = m ? (SV_F)(SV_BALL_R - SV_HALF_W + SV_NUDGE_DT) : nx;
	nvx = m ? -vx : nvx;
	m = x >= SV_HALF_W - SV_BALL_R;
	nx = m ? (SV_F)(SV_HALF_W - SV_BALL_R - SV_NUDGE_DT) : nx;
	nvx = m ? -vx : nvx;
	ground = y <= SV_BALL_R + SV_GROUND;
	ny = ground ? (SV_F)(SV_BALL_R + SV_GROUND + SV_NUDGE_DT) : ny;
	nvy = ground ? -vy : nvy;
	m = y >= SV_REF_H - SV_BALL_R;
	ny = m ? (SV_F)(SV_REF_H - SV_BALL_R - SV_NUDGE_DT) : ny;
	nvy = m ? -vy : nvy;
	m = (x <= SV_FENCE_HALF + SV_BALL_R) &
	    (px > SV_FENCE_HALF + SV_BALL_R) & (y <= SV_FENCE_H);
	nx = m ? (SV_F)(SV_FENCE_HALF + SV_BALL_R + SV_NUDGE_DT) : nx;
	nvx = m ? -vx : nvx;
	m = (x >= -SV_FENCE_HALF - SV_BALL_R) &
	    (px < -SV_FENCE_HALF - SV_BALL_R) & (y <= SV_FENCE_H);
	nx = m ? (SV_F)(-SV_FENCE_HALF - SV_BALL_R - SV_NUDGE_DT) : nx;
	nvx = m ? -vx : nvx;
	b[0] = nx;
	b[1] = ny;
	b[2] = nvx;
	b[3] = nvy;
	return ground ? ((x <= 0.0f) ? (SV_F)1.0f : (SV_F)-1.0f) : (SV_F)0.0f;
}

/* One step (EvoJAX update_state): act (2, 3) buttons of the right and
 * the left player; reward (2) of each (+-1 per point); done in test
 * episodes when a side has no lives left.  After a point the ball is
 * served anew with draw 0 of this step. */
static inline void sv_step(SV_F *s, const SV_F *act, SV_F *reward,
			   SV_F *done, const ph_step_ctr *ctr)
{
	SV_F *b = s + SV_BALL, *right = s + SV_AGENT, *left = right + 4;
	SV_F r;
	SV_M point;

	sv_agent(left, act + 3, -1.0f);
	sv_agent(right, act, 1.0f);
	sv_ball_fly(b);
	sv_ball_bounce(b, left[0], left[1], left[2], left[3], SV_AGENT_R);
	sv_ball_bounce(b, right[0], right[1], right[2], right[3], SV_AGENT_R);
	sv_ball_bounce(b, (SV_F)0.0f, (SV_F)SV_FENCE_H, (SV_F)0.0f,
		       (SV_F)0.0f, SV_FENCE_HALF);
	r = sv_ball_edges(b);
	s[SV_LIFE] = (r < 0.0f) ? s[SV_LIFE] - 1.0f : s[SV_LIFE];
	s[SV_LIFE + 1] = (r > 0.0f) ? s[SV_LIFE + 1] - 1.0f : s[SV_LIFE + 1];
	for (int k = 0; k < 4; k++)
		s[SV_SEEN + k] = b[k];
	point = r != 0.0f;
	if (SV_ANY(point)) {
		SV_F u = SV_UNIFORM(ctr, 0);

		b[0] = point ? (SV_F)0.0f : b[0];
		b[1] = point ? (SV_F)SV_SERVE_Y : b[1];
		b[2] = point ? SV_SERVE_VX(u) : b[2];
		b[3] = point ? SV_SERVE_VY(u) : b[3];
		b[4] = point ? (SV_F)0.0f : b[4];
		b[5] = point ? (SV_F)SV_SERVE_Y : b[5];
	}
	reward[0] = r;
	reward[1] = -r;
	*done = ((s[SV_TEST] > 0.0f) &
		 ((s[SV_LIFE] <= 0.0f) | (s[SV_LIFE + 1] <= 0.0f)))
		? (SV_F)1.0f : (SV_F)0.0f;
}

/* The baseline policy on its agent's observation obs (12, as sv_obs
 * gives it) with recurrent state h (7): buttons act (3), 1 or 0. */
static inline void sv_baseline(SV_F *h, const SV_F *obs, SV_F *act)
{
	SV_F out[SV_OPP_DIM];

	for (int i = 0; i < SV_OPP_DIM; i++) {
		SV_F a = obs[0] * sv_base_w[15 * i];

		for (int j = 1; j < 8; j++)
			a = a + obs[j] * sv_base_w[15 * i + j];
		for (int j = 0; j < SV_OPP_DIM; j++)
			a = a + h[j] * sv_base_w[15 * i + 8 + j];
		out[i] = SV_TANH(a + sv_base_b[i]);
	}
	for (int i = 0; i < SV_OPP_DIM; i++)
		h[i] = out[i];
	for (int k = 0; k < 3; k++)
		act[k] = (out[k] > 0.75f) ? (SV_F)1.0f : (SV_F)0.0f;
}

#ifdef __OPENCL_VERSION__
/* ---- the device contract (core/rollout.cl) ---------------------------- */

void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	sv_reset(s, seed, purpose, iter, member, repeat, SV_SELFPLAY);
}

void task_obs(const VF *s, VF *obs)
{
	sv_obs(s, obs);
#if SV_SELFPLAY
	sv_swap_rows(s, obs, 12);
#endif
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
#if SV_SELFPLAY
	VF side[6];

	for (int k = 0; k < 6; k++)
		side[k] = act[k];
	sv_swap_rows(s, side, 3);
	sv_step(s, side, reward, done, ctr);
	sv_swap_rows(s, reward, 1);
#else
	sv_step(s, act, reward, done, ctr);
#endif
}

void task_opponent_reset(VF *os, int agent)
{
	for (int i = 0; i < SV_OPP_DIM; i++)
		os[i] = 0.0f;
	(void)agent;
}

void task_opponent(VF *os, const VF *obs, VF *act, int agent,
		   const ph_step_ctr *ctr)
{
	sv_baseline(os, obs, act);
	(void)agent;
	(void)ctr;
}

#pragma OPENCL FP_CONTRACT ON
#endif

/* waterworld_ma.cl - multi-agent WaterWorld device code (EvoJAX semantics
 * and deviations: tasks/waterworld_ma.c; host reference
 * waterworld_ma_ref_* there, the same float arithmetic).
 *
 * Task device contract: core/rollout.cl, TASK_N_AGENTS agents per world
 * (TASK_AGENTS_DISTINCT).  State: per agent x, y, vx, vy, then per item
 * x, y, vx, vy, type (+1 food, -1 poison), valid (1, 0 eaten); the item
 * count follows from TASK_STATE_DIM.  Options: WW_RAY_BITS (the rays'
 * (cos, sin) bits, tasks/waterworld.c), WWM_FIXED (1: agents read in the
 * agent channel; 0: EvoJAX's lookup, clamped to the last item).  The
 * motion is tasks/waterworld_lib.cl's, loaded before this file (cl_lib).
 *
 * Lanes: VL worlds in SIMD lanes throughout.  Sensing skips, per agent, a
 * bubble that is beyond WWM_NEAR of it in every lane: it reads 60 with no
 * hit on every ray (see WWM_NEAR2), which the skip applies directly.
 *
 * No contraction into fused multiply-adds in this file (the host
 * reference rounds the same way).
 */
#pragma OPENCL FP_CONTRACT OFF

#define WWM_RANGE 60.0f
#define WWM_RANGE2 3600.0f
#define WWM_RADIUS 5.0f
#define WWM_TOUCH 10.0f
#define WWM_RAYS 30
#define WWM_OBS (6 * WWM_RAYS + 2)
#define WWM_A TASK_N_AGENTS
#define WWM_N ((TASK_STATE_DIM - 4 * WWM_A) / 6)
#define WWM_AG(a, f) (4 * (a) + (f))              /* field f of agent a */
#define WWM_IT(k, f) (4 * WWM_A + 6 * (k) + (f))  /* field f of item k */
/* A ray hits a bubble only when its centre is within ~75.2 of the agent:
 * EvoJAX's point (centre + normal x d, d <= 5) must project inside the ray
 * on its larger axis, so the centre is at most 60 + 10 along the ray and
 * 5 across it, plus 5.  Beyond 80 every ray reads 60 with no hit. */
#define WWM_NEAR2 6400.0f

__constant uint wwm_ray_bits[2 * WWM_RAYS] = { WW_RAY_BITS };

/* The walls (x3, y3, x4, y4) in EvoJAX's order: W, S, E, N. */
__constant float wwm_walls[4][4] = {
	{ 0.0f, 0.0f, 0.0f, 600.0f },
	{ 0.0f, 600.0f, 600.0f, 600.0f },
	{ 600.0f, 600.0f, 600.0f, 0.0f },
	{ 600.0f, 0.0f, 0.0f, 0.0f },
};

void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	const float two_pi = 6.2831855f;

	for (int a = 0; a < WWM_A; a++) {
		ph_out w = ph_draw(seed, purpose, iter, member, repeat, (uint)a);
		const float th = ph_uniform(w.v[0]) * two_pi;

		s[WWM_AG(a, 0)] = 270.0f * cos(th) + 300.0f;
		s[WWM_AG(a, 1)] = 270.0f * sin(th) + 300.0f;
		s[WWM_AG(a, 2)] = 0.0f;
		s[WWM_AG(a, 3)] = 0.0f;
	}
	for (int k = 0; k < WWM_N; k++) {
		const uint i = (uint)WWM_A + 2u * (uint)k;
		ph_out p = ph_draw(seed, purpose, iter, member, repeat, i);
		ph_out t = ph_draw(seed, purpose, iter, member, repeat, i + 1u);
		const float r = ph_uniform(p.v[0]) * 200.0f;
		const float th = ph_uniform(p.v[1]) * two_pi;

		s[WWM_IT(k, 0)] = r * cos(th) + 300.0f;
		s[WWM_IT(k, 1)] = r * sin(th) + 300.0f;
		s[WWM_IT(k, 2)] = ph_uniform(p.v[2]) * 5.0f - 2.5f;
		s[WWM_IT(k, 3)] = ph_uniform(p.v[3]) * 5.0f - 2.5f;
		s[WWM_IT(k, 4)] = ph_uniform(t.v[0]) > 0.5f ? 1.0f : -1.0f;
		s[WWM_IT(k, 5)] = 1.0f;
	}
}

/* One ray's constants (scalars: every lane casts the same ray). */
typedef struct wwm_ray {
	float dx, dy, nx, ny, inv_len, inv_dom, inv_den[4];
	int dom;
} wwm_ray;

inline void wwm_ray_consts(wwm_ray *R, int r)
{
	const float dx = WWM_RANGE * as_float(wwm_ray_bits[2 * r]);
	const float dy = WWM_RANGE * as_float(wwm_ray_bits[2 * r + 1]);
	const float len = sqrt(dy * dy + dx * dx);

	R->dx = dx;
	R->dy = dy;
	R->inv_len = 1.0f / len;
	R->nx = dy / len;
	R->ny = -dx / len;
	R->dom = fabs(dx) > fabs(dy);
	R->inv_dom = 1.0f / (R->dom ? dx : dy);
	for (int w = 0; w < 4; w++) {
		const float ex4 = wwm_walls[w][2] - wwm_walls[w][0];
		const float ey4 = wwm_walls[w][3] - wwm_walls[w][1];
		const float den = ey4 * dx - ex4 * dy;

		R->inv_den[w] = fabs(den) <= 1e-8f ? 0.0f : 1.0f / den;
	}
}

/* The nearest wall of ray R from (ax, ay): squared distance, hit. */
inline void wwm_walls_hit(const wwm_ray *R, VF ax, VF ay, VF *wq, WW_VM *wh)
{
	for (int w = 0; w < 4; w++) {
		__constant const float *W = wwm_walls[w];
		const float ex4 = W[2] - W[0], ey4 = W[3] - W[1];
		const float inv = R->inv_den[w];
		VF ua = (ex4 * (ay - W[1]) - ey4 * (ax - W[0])) * inv;
		VF ub = (R->dx * (ay - W[1]) - R->dy * (ax - W[0])) * inv;
		WW_VM hit = (ua > 0.0f) & (ua < 1.0f) & (ub > 0.0f) & (ub < 1.0f);
		VF ix = ax + ua * R->dx, iy = ay + ua * R->dy;
		VF q = hit ? (iy - ay) * (iy - ay) + (ix - ax) * (ix - ax)
			   : (VF)WWM_RANGE2;
		WW_VM better = w == 0 ? (WW_VM)(-1) : (q < *wq);

		*wq = better ? q : *wq;
		*wh = better ? hit : *wh;
	}
}

/* Agent i's 30 rays: per ray the nearest bubble (items, then agents, the
 * first on ties) and wall; obs row o (182). */
inline void wwm_agent_obs(const VF *s, int i, const wwm_ray *R, VF *o)
{
	const VF ax = s[WWM_AG(i, 0)], ay = s[WWM_AG(i, 1)];
	VF bq[WWM_RAYS], bvx[WWM_RAYS], bvy[WWM_RAYS], bt[WWM_RAYS];
	WW_VM bh[WWM_RAYS];

	for (int r = 0; r < WWM_RAYS; r++) {
		bq[r] = INFINITY;
		bvx[r] = bvy[r] = bt[r] = 0.0f;
		bh[r] = 0;
	}
	for (int b = 0; b < WWM_N + WWM_A; b++) {
		const int item = b < WWM_N;
		/* EvoJAX reads type and velocity at index b clamped to the
		 * items (an agent reads as the last item); fixed: its own */
		const int src = item ? WWM_IT(b, 0)
			: WWM_FIXED ? WWM_AG(b - WWM_N, 0) : WWM_IT(WWM_N - 1, 0);
		const VF cx = s[item ? WWM_IT(b, 0) : WWM_AG(b - WWM_N, 0)];
		const VF cy = s[item ? WWM_IT(b, 1) : WWM_AG(b - WWM_N, 1)];
		const VF rx = ax - cx, ry = ay - cy;
		const VF valid = item ? s[WWM_IT(b, 5)] : (VF)1.0f;
		const VF type = item || !WWM_FIXED ? s[src + 4] : (VF)2.0f;

		if (EJ_ALL_ZERO((rx * rx + ry * ry <= WWM_NEAR2) ? (VF)1.0f
								 : (VF)0.0f)) {
			for (int r = 0; r < WWM_RAYS; r++) {
				WW_VM better = WWM_RANGE2 < bq[r];

				bq[r] = better ? (VF)WWM_RANGE2 : bq[r];
				bh[r] = better ? (WW_VM)0 : bh[r];
			}
			continue;
		}
		for (int r = 0; r < WWM_RAYS; r++) {
			{
				const wwm_ray *Q = R + r;
				VF d = fabs(Q->dx * ry - rx * Q->dy) * Q->inv_len;
				VF ex = Q->nx * d - rx, ey = Q->ny * d - ry;
				VF ua = (Q->dom ? ex : ey) * Q->inv_dom;
				WW_VM hit = (ua > 0.0f) & (ua < 1.0f) &
					    (d <= WWM_RADIUS);
				VF q = ey * ey + ex * ex;
				WW_VM live = hit & (valid > 0.0f) & (q != 0.0f);
				WW_VM better;

				q = live ? q : (VF)WWM_RANGE2;
				better = q < bq[r];
				bq[r] = better ? q : bq[r];
				bvx[r] = better ? s[src + 2] : bvx[r];
				bvy[r] = better ? s[src + 3] : bvy[r];
				bt[r] = better ? type : bt[r];
				bh[r] = better ? hit : bh[r];
			}
		}
	}
	for (int r = 0; r < WWM_RAYS; r++) {
		VF wq = 0.0f, wd, id;
		WW_VM wh = 0, wall, hit;

		wwm_walls_hit(R + r, ax, ay, &wq, &wh);
		wd = sqrt(wq);
		id = sqrt(bq[r]);
		wall = wd < id;
		hit = (wd >= id) & bh[r];
		o[6 * r] = (wall & wh ? wd : (VF)WWM_RANGE) / WWM_RANGE;
		o[6 * r + 1] = (hit & (bt[r] == 1.0f) ? id : (VF)WWM_RANGE) / WWM_RANGE;
		o[6 * r + 2] = (hit & (bt[r] == -1.0f) ? id : (VF)WWM_RANGE) / WWM_RANGE;
		o[6 * r + 3] = (hit & (bt[r] == 2.0f) ? id : (VF)WWM_RANGE) / WWM_RANGE;
		o[6 * r + 4] = hit ? bvx[r] : (VF)0.0f;
		o[6 * r + 5] = hit ? bvy[r] : (VF)0.0f;
	}
	o[6 * WWM_RAYS] = s[WWM_AG(i, 2)];
	o[6 * WWM_RAYS + 1] = s[WWM_AG(i, 3)];
}

void task_obs(const VF *s, VF *obs)
{
	wwm_ray R[WWM_RAYS];

	for (int r = 0; r < WWM_RAYS; r++)
		wwm_ray_consts(R + r, r);
	for (int i = 0; i < WWM_A; i++)
		wwm_agent_obs(s, i, R, obs + i * WWM_OBS);
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	for (int a = 0; a < WWM_A; a++) {
		ww_agent_move(s + WWM_AG(a, 0),
			      ww_direction(act + 4 * a,
					   ej_step_uniform(ctr, (uint)a)));
		reward[a] = 0.0f;
	}
	for (int k = 0; k < WWM_N; k++) {
		const VF type = s[WWM_IT(k, 4)];
		const WW_VM valid = s[WWM_IT(k, 5)] > 0.0f;
		WW_VM eaten = 0;

		ww_item_move(s + WWM_IT(k, 0));
		for (int a = 0; a < WWM_A; a++) {
			WW_VM t = ww_touch(s[WWM_AG(a, 0)], s[WWM_AG(a, 1)],
					   s[WWM_IT(k, 0)], s[WWM_IT(k, 1)],
					   WWM_TOUCH);

			reward[a] += t & valid ? type : (VF)0.0f;
			eaten |= t;
		}
		s[WWM_IT(k, 5)] = eaten ? (VF)0.0f : s[WWM_IT(k, 5)];
	}
	*done = 0.0f;
}

#pragma OPENCL FP_CONTRACT ON

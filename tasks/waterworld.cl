/* waterworld.cl - WaterWorld device code (EvoJAX semantics and deviations:
 * tasks/waterworld.c; host reference waterworld_ref_* there, the same
 * float arithmetic).
 *
 * Task device contract: core/rollout.cl.  One agent; the items follow
 * from TASK_STATE_DIM = 4 + 5 items (waterworld_dims()): state agent x, y,
 * vx, vy, then per item x, y, vx, vy, kind (+1 food, -1 poison, 0 eaten).
 * Option: WW_RAY_BITS, the float bits of the 30 rays' (cos, sin).
 * The motion (agent, items, the sampled direction) is
 * tasks/waterworld_lib.cl's, loaded before this file (cl_lib).
 *
 * Lanes: reset and step keep the VL worlds of a work-item in SIMD lanes
 * (VF values, WW_VM masks: the integer vectors VF comparisons give,
 * choices by select, no branches).  The sensing turns the vectors the
 * other way: each world casts its 30 rays as two 16-wide vectors (WW_RV)
 * against the walls and only against its items within 150 of the agent
 * (a bit mask per world, built in lanes), then a transpose puts the
 * readings back into the lanes of obs.  About 20% of the items are that
 * near, so this does a third of the work of testing every item on every
 * ray, and the result is the same (see WW_NEAR2).
 *
 * No contraction into fused multiply-adds in this file, so the device
 * rounds as the host reference does (restored at the end).
 */
#pragma OPENCL FP_CONTRACT OFF

#define WW_RANGE 120.0f
#define WW_RANGE2 14400.0f
#define WW_RAYS 30
#define WW_ITEMS ((TASK_STATE_DIM - 4) / 5)
#define WW_IT(k, f) (4 + 5 * (k) + (f)) /* field f of item k */
#define WW_WORDS ((WW_ITEMS + 63) / 64)
#if VL == 1
#define WW_VBITS ulong
#define WW_BITS(m) ((m) ? ~0ul : 0ul)
#define WW_VSTORE_BITS(v, p) (*(p) = (v))
#else
#define WW_VBITS EJ_CAT(ulong, VL)
#define WW_BITS(m) EJ_CAT(as_ulong, VL)(EJ_CAT(convert_long, VL)(m))
#define WW_VSTORE_BITS(v, p) EJ_CAT(vstore, VL)((v), 0, (p))
#endif
/* Rays of one world cast together: 16 (two chunks) when the lanes are
 * SIMD lanes, 1 (30 chunks) on GPUs (VL 1). */
#if VL == 1
#define WW_RW 1
#define WW_RV float
#define WW_RM int
#define WW_RLOAD(p) (*(p))
#define WW_RSTORE(v, p) (*(p) = (v))
#else
#define WW_RW 16
#define WW_RV float16
#define WW_RM int16
#define WW_RLOAD(p) vload16(0, (p))
#define WW_RSTORE(v, p) vstore16((v), 0, (p))
#endif
#define WW_CHUNKS ((WW_RAYS + WW_RW - 1) / WW_RW)
/* A ray hits an item only when its centre is within ~138 of the agent:
 * EvoJAX's point (up to 2 x 10 across the ray when mirrored) must project
 * inside the ray on its larger axis, so the centre is at most
 * 120 + 20 |n_axis| / |u_axis| <= 138 along the ray and 10 across it.
 * Items beyond 150 read 120 with no hit on every ray, so skipping them
 * (but the first, which may win EvoJAX's argmin) changes nothing. */
#define WW_NEAR2 22500.0f

__constant uint ww_ray_bits[2 * WW_RAYS] = { WW_RAY_BITS };

void task_reset(float *s, uint seed, uint purpose, uint iter, uint member,
		uint repeat)
{
	ph_out w = ph_draw(seed, purpose, iter, member, repeat, 0);

	s[0] = ph_uniform(w.v[0]) * 560.0f + 20.0f;
	s[1] = ph_uniform(w.v[1]) * 560.0f + 20.0f;
	s[2] = 0.0f;
	s[3] = 0.0f;
	for (int k = 0; k < WW_ITEMS; k++) {
		uint i = 1u + 2u * (uint)k;
		ph_out p = ph_draw(seed, purpose, iter, member, repeat, i);
		ph_out t = ph_draw(seed, purpose, iter, member, repeat, i + 1u);

		s[WW_IT(k, 0)] = ph_uniform(p.v[0]) * 560.0f + 20.0f;
		s[WW_IT(k, 1)] = ph_uniform(p.v[1]) * 560.0f + 20.0f;
		s[WW_IT(k, 2)] = ph_uniform(p.v[2]) * 5.0f - 2.5f;
		s[WW_IT(k, 3)] = ph_uniform(p.v[3]) * 5.0f - 2.5f;
		s[WW_IT(k, 4)] = ph_uniform(t.v[0]) > 0.5f ? 1.0f : -1.0f;
	}
}

/* The constants of rays WW_RW c .. WW_RW c + WW_RW - 1 (chunk c; rays
 * past 29 repeat ray 0 and their readings are dropped). */
typedef struct ww_rays {
	WW_RV dx, dy;         /* 120 (cos, sin) */
	WW_RV nx, ny;         /* unit normal (dy, -dx) / |.| */
	WW_RV inv_len;        /* 1 / |(dx, dy)| */
	WW_RV inv_dom;        /* 1 / the larger component */
	WW_RM dom;            /* |dx| > |dy| */
	WW_RV inv_den[4];     /* per wall: 1 / its denominator, 0 if ~0 */
} ww_rays;

/* The walls (x3, y3, x4, y4) in EvoJAX's order: W, S, E, N. */
__constant float ww_walls[4][4] = {
	{ 0.0f, 0.0f, 0.0f, 600.0f },
	{ 0.0f, 600.0f, 600.0f, 600.0f },
	{ 600.0f, 600.0f, 600.0f, 0.0f },
	{ 600.0f, 0.0f, 0.0f, 0.0f },
};

/* Trailing zeros of x != 0 (OpenCL 1.2 has clz only). */
inline int ww_ctz(ulong x)
{
	return 63 - (int)clz(x & (0ul - x));
}

inline void ww_ray_consts(ww_rays *R, int c)
{
	float v[11][WW_RW];

	for (int j = 0; j < WW_RW; j++) {
		const int b = WW_RW * c + j < WW_RAYS ? WW_RW * c + j : 0;
		const float dx = WW_RANGE * as_float(ww_ray_bits[2 * b]);
		const float dy = WW_RANGE * as_float(ww_ray_bits[2 * b + 1]);
		const float len = sqrt(dy * dy + dx * dx);
		const int dom = fabs(dx) > fabs(dy);

		v[0][j] = dx;
		v[1][j] = dy;
		v[2][j] = dy / len;
		v[3][j] = -dx / len;
		v[4][j] = 1.0f / len;
		v[5][j] = 1.0f / (dom ? dx : dy);
		v[6][j] = dom ? 1.0f : 0.0f;
		for (int w = 0; w < 4; w++) {
			const float ex4 = ww_walls[w][2] - ww_walls[w][0];
			const float ey4 = ww_walls[w][3] - ww_walls[w][1];
			const float den = ey4 * dx - ex4 * dy;

			v[7 + w][j] = fabs(den) <= 1e-8f ? 0.0f : 1.0f / den;
		}
	}
	R->dx = WW_RLOAD(v[0]);
	R->dy = WW_RLOAD(v[1]);
	R->nx = WW_RLOAD(v[2]);
	R->ny = WW_RLOAD(v[3]);
	R->inv_len = WW_RLOAD(v[4]);
	R->inv_dom = WW_RLOAD(v[5]);
	R->dom = WW_RLOAD(v[6]) > 0.0f;
	for (int w = 0; w < 4; w++)
		R->inv_den[w] = WW_RLOAD(v[7 + w]);
}

/* The rays R of one world.  st: its state, value k at st[k * VL];
 * list[0..n): its items within WW_NEAR of the agent in order, -1 in place
 * of the first item beyond; o: the rays' readings [wall, food, poison,
 * vx, vy] (before the division by 120). */
inline void ww_rays_obs(const float *st, const int *list, int n,
			const ww_rays *R, float o[5][WW_RW])
{
	const float ax = st[0], ay = st[VL];
	WW_RV wq = 0.0f, bq = INFINITY, bvx = 0.0f, bvy = 0.0f, bk = 0.0f;
	WW_RM wh = 0, bh = 0;

	/* walls: the nearest hit, the first wall on ties */
	for (int w = 0; w < 4; w++) {
		__constant const float *W = ww_walls[w];
		const float ex4 = W[2] - W[0], ey4 = W[3] - W[1];
		const WW_RV inv = R->inv_den[w];
		WW_RV ua = (ex4 * (ay - W[1]) - ey4 * (ax - W[0])) * inv;
		WW_RV ub = (R->dx * (ay - W[1]) - R->dy * (ax - W[0])) * inv;
		WW_RM hit = (ua > 0.0f) & (ua < 1.0f) & (ub > 0.0f) & (ub < 1.0f);
		WW_RV ix = ax + ua * R->dx, iy = ay + ua * R->dy;
		WW_RV q = select((WW_RV)WW_RANGE2,
				 (iy - ay) * (iy - ay) + (ix - ax) * (ix - ax),
				 hit);
		WW_RM better = w == 0 ? (WW_RM)(-1) : (q < wq);

		wq = select(wq, q, better);
		wh = select(wh, hit, better);
	}
	/* items in order, the first nearest winning (EvoJAX's argmin) */
	for (int i = 0; i < n; i++) {
		const int k = list[i];

		if (k < 0) {
			/* the first far item: 120 and no hit on every ray;
			 * it wins where nothing before read <= 120 (and the
			 * later far items never win) */
			WW_RM better = WW_RANGE2 < bq;

			bq = select(bq, (WW_RV)WW_RANGE2, better);
			bh = select(bh, (WW_RM)0, better);
			continue;
		}
		const float rx = ax - st[WW_IT(k, 0) * VL];
		const float ry = ay - st[WW_IT(k, 1) * VL];
		const float kind = st[WW_IT(k, 4) * VL];
		WW_RV d = fabs(R->dx * ry - rx * R->dy) * R->inv_len;
		WW_RV ex = R->nx * d - rx, ey = R->ny * d - ry;
		WW_RV ua = select(ey, ex, R->dom) * R->inv_dom;
		WW_RM hit = (ua > 0.0f) & (ua < 1.0f) & (d <= 10.0f);
		WW_RM live = kind != 0.0f ? hit : (WW_RM)0;
		WW_RV q = select((WW_RV)WW_RANGE2, ey * ey + ex * ex, live);
		WW_RM better = q < bq;

		bq = select(bq, q, better);
		bvx = select(bvx, (WW_RV)st[WW_IT(k, 2) * VL], better);
		bvy = select(bvy, (WW_RV)st[WW_IT(k, 3) * VL], better);
		bk = select(bk, (WW_RV)kind, better);
		bh = select(bh, hit, better);
	}
	{
		WW_RV wd = sqrt(wq), id = sqrt(bq);
		WW_RM wall = wd < id;
		WW_RM item = (wd >= id) & bh;

		WW_RSTORE(select((WW_RV)WW_RANGE, wd, wall & wh), o[0]);
		WW_RSTORE(select((WW_RV)WW_RANGE, id, item & (bk > 0.0f)), o[1]);
		WW_RSTORE(select((WW_RV)WW_RANGE, id, item & (bk <= 0.0f)), o[2]);
		WW_RSTORE(select((WW_RV)0.0f, bvx, item), o[3]);
		WW_RSTORE(select((WW_RV)0.0f, bvy, item), o[4]);
	}
}

/* World l's items within WW_NEAR of its agent, in order, with -1 in
 * place of the first item beyond (near: bit k % 64 of word k / 64 at
 * near[(k / 64) * VL]).  Returns the count. */
inline int ww_near_list(const ulong *near, int *list)
{
	int n = 0, first_far = WW_ITEMS;

	for (int w = WW_WORDS - 1; w >= 0; w--) {
		ulong all = w < WW_WORDS - 1 || WW_ITEMS % 64 == 0
			    ? ~0ul : (1ul << (WW_ITEMS % 64)) - 1ul;
		ulong far = ~near[w * VL] & all;

		if (far)
			first_far = 64 * w + ww_ctz(far);
	}
	for (int w = 0; w < WW_WORDS; w++)
		for (ulong b = near[w * VL]; b; b &= b - 1ul) {
			const int k = 64 * w + ww_ctz(b);

			if (first_far < k) {
				list[n++] = -1;
				first_far = WW_ITEMS;
			}
			list[n++] = k;
		}
	if (first_far < WW_ITEMS)
		list[n++] = -1;
	return n;
}

#if VL == 16
/* One step of the 16 x 16 transpose: rows i and i + b (i & b == 0)
 * swap their blocks of b elements. */
inline void ww_butterfly(float16 *m, int b, uint16 lo, uint16 hi)
{
	for (int i = 0; i < 16; i++)
		if (!(i & b)) {
			float16 x = m[i], y = m[i + b];

			m[i] = shuffle2(x, y, lo);
			m[i + b] = shuffle2(x, y, hi);
		}
}

/* m[i][j] <-> m[j][i] */
inline void ww_transpose16(float16 *m)
{
	ww_butterfly(m, 1,
		     (uint16)(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30),
		     (uint16)(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31));
	ww_butterfly(m, 2,
		     (uint16)(0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29),
		     (uint16)(2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31));
	ww_butterfly(m, 4,
		     (uint16)(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27),
		     (uint16)(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31));
	ww_butterfly(m, 8,
		     (uint16)(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
		     (uint16)(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
}
#endif

/* Rays across lanes (see the top): near-item bits in lanes, one list
 * per world, each chunk of rays for every world, then the transpose. */
void task_obs(const VF *s, VF *obs)
{
	/* the lanes' values: world l's value k is st[k * VL + l] */
	const float *st = (const float *)s;
	ulong near[WW_WORDS * VL]; /* world l: bit k % 64 of word k / 64 */
	int list[VL][WW_ITEMS], n[VL];
	float out[VL][WW_CHUNKS][5][WW_RW];

	for (int w = 0; w < WW_WORDS; w++) {
		WW_VBITS acc = 0;

		for (int k = 64 * w; k < WW_ITEMS && k < 64 * w + 64; k++) {
			VF rx = s[0] - s[WW_IT(k, 0)], ry = s[1] - s[WW_IT(k, 1)];

			acc |= WW_BITS(rx * rx + ry * ry <= WW_NEAR2) &
			       (1ul << (k - 64 * w));
		}
		WW_VSTORE_BITS(acc, near + w * VL);
	}
	for (int l = 0; l < VL; l++)
		n[l] = ww_near_list(near + l, list[l]);
	for (int c = 0; c < WW_CHUNKS; c++) {
		ww_rays R;

		ww_ray_consts(&R, c);
		for (int l = 0; l < VL; l++)
			ww_rays_obs(st + l, list[l], n[l], &R, out[l][c]);
	}
	/* obs 5 r + k, lane l = out[l][r / WW_RW][k][r % WW_RW], / 120 for
	 * k < 3 */
	for (int c = 0; c < WW_CHUNKS; c++)
		for (int k = 0; k < 5; k++) {
#if VL == 16
			float16 m[16];

			for (int l = 0; l < 16; l++)
				m[l] = vload16(0, out[l][c][k]);
			ww_transpose16(m);
#endif
			for (int j = 0; j < WW_RW && WW_RW * c + j < WW_RAYS; j++) {
#if VL == 16
				VF v = m[j];
#else
				float lane[VL];
				VF v;

				for (int l = 0; l < VL; l++)
					lane[l] = out[l][c][k][j];
				v = EJ_VLOAD(lane);
#endif
				obs[5 * (WW_RW * c + j) + k] = k < 3 ? v / WW_RANGE : v;
			}
		}
	obs[5 * WW_RAYS] = s[2];
	obs[5 * WW_RAYS + 1] = s[3];
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	VF r = 0.0f;

	ww_agent_move(s, ww_direction(act, ej_step_uniform(ctr, 0)));
	for (int k = 0; k < WW_ITEMS; k++) {
		VF kind = s[WW_IT(k, 4)];
		WW_VM eat;

		ww_item_move(s + WW_IT(k, 0));
		eat = ww_touch(s[0], s[1], s[WW_IT(k, 0)], s[WW_IT(k, 1)], 20.0f);
		r += eat ? kind : (VF)0.0f;
		s[WW_IT(k, 4)] = eat ? (VF)0.0f : kind;
	}
	*reward = r;
	*done = 0.0f;
}

#pragma OPENCL FP_CONTRACT ON

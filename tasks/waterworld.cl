/* waterworld.cl - WaterWorld device code (EvoJAX semantics and deviations:
 * tasks/waterworld.c; host reference waterworld_ref_* there, the same
 * float arithmetic).
 *
 * Task device contract: core/rollout.cl.  One agent; the items follow
 * from TASK_STATE_DIM = 4 + 5 items (waterworld_dims()): state agent x, y,
 * vx, vy, then per item x, y, vx, vy, kind (+1 food, -1 poison, 0 eaten).
 * Option: WW_RAY_BITS, the float bits of the 30 rays' (cos, sin).
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

#define WW_LO 1.0f
#define WW_HI 599.0f
#define WW_RANGE 120.0f
#define WW_RANGE2 14400.0f
#define WW_RAYS 30
#define WW_ITEMS ((TASK_STATE_DIM - 4) / 5)
#define WW_IT(k, f) (4 + 5 * (k) + (f)) /* field f of item k */
#if VL == 1
#define WW_VM int
#else
#define WW_VM EJ_CAT(int, VL)
#endif
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
#define WW_RV float16 /* 16 rays of one world */
#define WW_RM int16
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

/* The rays' constants, rays 16 h .. 16 h + 15 in half h as vectors
 * (rays 30 and 31 repeat ray 0; their readings are dropped). */
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

inline void ww_ray_consts(ww_rays *R)
{
	float v[11][32];

	for (int r = 0; r < 32; r++) {
		const int b = r < WW_RAYS ? r : 0;
		const float dx = WW_RANGE * as_float(ww_ray_bits[2 * b]);
		const float dy = WW_RANGE * as_float(ww_ray_bits[2 * b + 1]);
		const float len = sqrt(dy * dy + dx * dx);
		const int dom = fabs(dx) > fabs(dy);

		v[0][r] = dx;
		v[1][r] = dy;
		v[2][r] = dy / len;
		v[3][r] = -dx / len;
		v[4][r] = 1.0f / len;
		v[5][r] = 1.0f / (dom ? dx : dy);
		v[6][r] = dom ? 1.0f : 0.0f;
		for (int w = 0; w < 4; w++) {
			const float ex4 = ww_walls[w][2] - ww_walls[w][0];
			const float ey4 = ww_walls[w][3] - ww_walls[w][1];
			const float den = ey4 * dx - ex4 * dy;

			v[7 + w][r] = fabs(den) <= 1e-8f ? 0.0f : 1.0f / den;
		}
	}
	for (int h = 0; h < 2; h++) {
		R[h].dx = vload16(h, v[0]);
		R[h].dy = vload16(h, v[1]);
		R[h].nx = vload16(h, v[2]);
		R[h].ny = vload16(h, v[3]);
		R[h].inv_len = vload16(h, v[4]);
		R[h].inv_dom = vload16(h, v[5]);
		R[h].dom = vload16(h, v[6]) > 0.0f;
		for (int w = 0; w < 4; w++)
			R[h].inv_den[w] = vload16(h, v[7 + w]);
	}
}

/* 16 rays (R) of one world.  st: its state, value k at st[k * VL];
 * list[0..n): its items within WW_NEAR of the agent in order, -1 in place
 * of the first item beyond; o: the rays' readings [wall, food, poison,
 * vx, vy] (before the division by 120). */
inline void ww_half_obs(const float *st, const int *list, int n,
			const ww_rays *R, float o[5][16])
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

		vstore16(select((WW_RV)WW_RANGE, wd, wall & wh), 0, o[0]);
		vstore16(select((WW_RV)WW_RANGE, id, item & (bk > 0.0f)), 0, o[1]);
		vstore16(select((WW_RV)WW_RANGE, id, item & (bk <= 0.0f)), 0, o[2]);
		vstore16(select((WW_RV)0.0f, bvx, item), 0, o[3]);
		vstore16(select((WW_RV)0.0f, bvy, item), 0, o[4]);
	}
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

/* Rays across lanes: each world casts its 30 rays as two 16-wide vectors
 * against the walls and only its items within WW_NEAR (~20% of them),
 * then the readings are transposed into the lanes of obs. */
void task_obs(const VF *s, VF *obs)
{
	/* the lanes' values: world l's value k is st[k * VL + l] */
	const float *st = (const float *)s;
	ww_rays R[2];
	ulong near[WW_WORDS * VL]; /* world l: bit k % 64 of word k / 64 */
	float out[VL][2][5][16];   /* per world and ray half */

	ww_ray_consts(R);
	for (int w = 0; w < WW_WORDS; w++) {
		WW_VBITS acc = 0;

		for (int k = 64 * w; k < WW_ITEMS && k < 64 * w + 64; k++) {
			VF rx = s[0] - s[WW_IT(k, 0)], ry = s[1] - s[WW_IT(k, 1)];

			acc |= WW_BITS(rx * rx + ry * ry <= WW_NEAR2) &
			       (1ul << (k - 64 * w));
		}
		WW_VSTORE_BITS(acc, near + w * VL);
	}
	for (int l = 0; l < VL; l++) {
		/* the near items in order, -1 in place of the first far one */
		int list[WW_ITEMS], n = 0, first_far = WW_ITEMS;

		for (int w = WW_WORDS - 1; w >= 0; w--) {
			ulong all = w < WW_WORDS - 1 || WW_ITEMS % 64 == 0
				    ? ~0ul : (1ul << (WW_ITEMS % 64)) - 1ul;
			ulong far = ~near[w * VL + l] & all;

			if (far)
				first_far = 64 * w + ww_ctz(far);
		}
		for (int w = 0; w < WW_WORDS; w++)
			for (ulong b = near[w * VL + l]; b; b &= b - 1ul) {
				const int k = 64 * w + ww_ctz(b);

				if (first_far < k) {
					list[n++] = -1;
					first_far = WW_ITEMS;
				}
				list[n++] = k;
			}
		if (first_far < WW_ITEMS)
			list[n++] = -1;
		for (int h = 0; h < 2; h++)
			ww_half_obs(st + l, list, n, R + h, out[l][h]);
	}
	/* obs 5 r + c, lane l = out[l][r / 16][c][r % 16], / 120 for c < 3 */
	for (int h = 0; h < 2; h++)
		for (int c = 0; c < 5; c++) {
#if VL == 16
			float16 m[16];

			for (int l = 0; l < 16; l++)
				m[l] = vload16(0, out[l][h][c]);
			ww_transpose16(m);
			for (int j = 0; j < 16 && 16 * h + j < WW_RAYS; j++)
				obs[5 * (16 * h + j) + c] = c < 3 ? m[j] / WW_RANGE : m[j];
#else
			for (int j = 0; j < 16 && 16 * h + j < WW_RAYS; j++) {
				float v[VL];

				for (int l = 0; l < VL; l++)
					v[l] = out[l][h][c][j];
				obs[5 * (16 * h + j) + c] = c < 3 ? EJ_VLOAD(v) / WW_RANGE
								  : EJ_VLOAD(v);
			}
#endif
		}
	obs[5 * WW_RAYS] = s[2];
	obs[5 * WW_RAYS + 1] = s[3];
}

void task_step(VF *s, const VF *act, VF *reward, VF *done,
	       const ph_step_ctr *ctr)
{
	const VF u = ej_step_uniform(ctr, 0);
	const VF c0 = act[0], c1 = c0 + act[1], c2 = c1 + act[2];
	const VF c3 = c2 + act[3], cut = c3 * (1.0f - u);
	/* 0 UP, 1 DOWN, 2 LEFT, 3 RIGHT: searchsorted(cumsum, cut) */
	const VF a = ((c0 < cut) ? (VF)1.0f : (VF)0.0f) +
		     ((c1 < cut) ? (VF)1.0f : (VF)0.0f) +
		     ((c2 < cut) ? (VF)1.0f : (VF)0.0f);
	VF vx = s[2], vy = s[3], x, y, r = 0.0f;
	WW_VM stop;

	vx = (a == 3.0f) ? vx + 1.0f : vx;
	vx = (a == 2.0f) ? vx - 1.0f : vx;
	vx = vx * 0.95f;
	vy = (a == 0.0f) ? vy - 1.0f : vy;
	vy = (a == 1.0f) ? vy + 1.0f : vy;
	vy = vy * 0.95f;
	x = s[0] + vx;
	y = s[1] + vy;
	stop = (x < WW_LO) | (x > WW_HI) | (y < WW_LO) | (y > WW_HI);
	x = clamp(x, WW_LO, WW_HI);
	y = clamp(y, WW_LO, WW_HI);
	s[0] = x;
	s[1] = y;
	s[2] = stop ? (VF)0.0f : vx;
	s[3] = stop ? (VF)0.0f : vy;
	for (int k = 0; k < WW_ITEMS; k++) {
		VF ix = s[WW_IT(k, 0)] + s[WW_IT(k, 2)];
		VF iy = s[WW_IT(k, 1)] + s[WW_IT(k, 3)];
		VF kind = s[WW_IT(k, 4)], dxa, dya;
		WW_VM eat;

		s[WW_IT(k, 2)] = ((ix < WW_LO) | (ix > WW_HI))
				 ? -s[WW_IT(k, 2)] : s[WW_IT(k, 2)];
		s[WW_IT(k, 3)] = ((iy < WW_LO) | (iy > WW_HI))
				 ? -s[WW_IT(k, 3)] : s[WW_IT(k, 3)];
		ix = clamp(ix, WW_LO, WW_HI);
		iy = clamp(iy, WW_LO, WW_HI);
		s[WW_IT(k, 0)] = ix;
		s[WW_IT(k, 1)] = iy;
		dxa = x - ix;
		dya = y - iy;
		eat = sqrt(dxa * dxa + dya * dya) < 20.0f;
		r += eat ? kind : (VF)0.0f;
		s[WW_IT(k, 4)] = eat ? (VF)0.0f : kind;
	}
	*reward = r;
	*done = 0.0f;
}

#pragma OPENCL FP_CONTRACT ON

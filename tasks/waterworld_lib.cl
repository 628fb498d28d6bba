/* waterworld_lib.cl - the WaterWorld physics both WaterWorld tasks share
 * (tasks/waterworld.cl, tasks/waterworld_ma.cl load it first: task_ops
 * cl_lib), over VL worlds in SIMD lanes.  Host twins in tasks/waterworld.c
 * (waterworld_ref_action, waterworld_agent_move, waterworld_item_move),
 * the same float arithmetic; semantics atop tasks/waterworld.c.
 * No contraction into fused multiply-adds, like the tasks' own files. */
#pragma OPENCL FP_CONTRACT OFF

#define WW_LO 1.0f
#define WW_HI 599.0f
#if VL == 1
#define WW_VM int
#else
#define WW_VM EJ_CAT(int, VL)
#endif

/* The direction 0 UP, 1 DOWN, 2 LEFT, 3 RIGHT sampled from the
 * probabilities act[0..3] with the uniform u: searchsorted(cumsum, cut). */
inline VF ww_direction(const VF *act, VF u)
{
	const VF c0 = act[0], c1 = c0 + act[1], c2 = c1 + act[2];
	const VF c3 = c2 + act[3], cut = c3 * (1.0f - u);

	return ((c0 < cut) ? (VF)1.0f : (VF)0.0f) +
	       ((c1 < cut) ? (VF)1.0f : (VF)0.0f) +
	       ((c2 < cut) ? (VF)1.0f : (VF)0.0f);
}

/* An agent (x, y, vx, vy at ag[0..3]) takes direction a: that velocity
 * component -1 / +1, both x 0.95, moves; at a wall it stops there. */
inline void ww_agent_move(VF *ag, VF a)
{
	VF vx = ag[2], vy = ag[3], x, y;
	WW_VM stop;

	vx = (a == 3.0f) ? vx + 1.0f : vx;
	vx = (a == 2.0f) ? vx - 1.0f : vx;
	vx = vx * 0.95f;
	vy = (a == 0.0f) ? vy - 1.0f : vy;
	vy = (a == 1.0f) ? vy + 1.0f : vy;
	vy = vy * 0.95f;
	x = ag[0] + vx;
	y = ag[1] + vy;
	stop = (x < WW_LO) | (x > WW_HI) | (y < WW_LO) | (y > WW_HI);
	ag[0] = clamp(x, WW_LO, WW_HI);
	ag[1] = clamp(y, WW_LO, WW_HI);
	ag[2] = stop ? (VF)0.0f : vx;
	ag[3] = stop ? (VF)0.0f : vy;
}

/* An item (x, y, vx, vy at it[0..3]) moves and reflects off the walls. */
inline void ww_item_move(VF *it)
{
	VF ix = it[0] + it[2], iy = it[1] + it[3];

	it[2] = ((ix < WW_LO) | (ix > WW_HI)) ? -it[2] : it[2];
	it[3] = ((iy < WW_LO) | (iy > WW_HI)) ? -it[3] : it[3];
	it[0] = clamp(ix, WW_LO, WW_HI);
	it[1] = clamp(iy, WW_LO, WW_HI);
}

/* Whether the centres (x, y) and (ix, iy) are closer than 'touch'. */
inline WW_VM ww_touch(VF x, VF y, VF ix, VF iy, float touch)
{
	VF dxa = x - ix, dya = y - iy;

	return sqrt(dxa * dxa + dya * dya) < touch;
}

#pragma OPENCL FP_CONTRACT ON

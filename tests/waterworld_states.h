/* waterworld_states.h - WaterWorld states for tests/test_waterworld.c and
 * tests/test_waterworld_device.c: 50 items, an agent at rest with every
 * item eaten and parked out of every ray's reach, single items placed by
 * hand. */
#ifndef EJ_WATERWORLD_STATES_H
#define EJ_WATERWORLD_STATES_H

#include "tasks/waterworld.h"

enum { N = 50, S = WATERWORLD_STATE(N), OBS = WATERWORLD_OBS };

/* Agent at (x, y) at rest; every item eaten, parked in the far corner
 * (beyond any ray's reach). */
static inline void ww_empty(float *s, float x, float y)
{
	s[0] = x;
	s[1] = y;
	s[2] = 0.0f;
	s[3] = 0.0f;
	for (int k = 0; k < N; k++) {
		float *it = s + 4 + 5 * k;

		it[0] = x < 300.0f ? 580.0f : 20.0f;
		it[1] = y < 300.0f ? 580.0f : 20.0f;
		it[2] = 0.25f;
		it[3] = -0.75f;
		it[4] = 0.0f;
	}
}

static inline void ww_item(float *s, int k, float x, float y, float vx, float vy,
		    float kind)
{
	float *it = s + 4 + 5 * k;

	it[0] = x;
	it[1] = y;
	it[2] = vx;
	it[3] = vy;
	it[4] = kind;
}

/* Item 0 eaten, 135 along ray 4 (48 degrees) and 9 to the side of its
 * normal: EvoJAX's mirrored point still lies on the ray, so the eaten item
 * shows its velocity with distances 120 (checked in EvoJAX); the centre is
 * 135.3 from the agent (the device must not skip it). */
static inline void ww_far_mirror(float *s)
{
	float cs[2 * WATERWORLD_RAYS];
	double c, sn;

	waterworld_ray_dirs(cs);
	c = cs[8];
	sn = cs[9];
	ww_empty(s, 300, 300);
	ww_item(s, 0, (float)(300 + 135 * c + 9 * sn),
		(float)(300 + 135 * sn - 9 * c), 0.5f, 0.25f, 0);
}

#endif

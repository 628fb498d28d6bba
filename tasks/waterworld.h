/* waterworld.h - WaterWorld (EvoJAX): one agent among moving food and
 * poison items, 30 range sensors; host side and host reference.
 * Semantics and deviations atop tasks/waterworld.c. */
#ifndef EJ_WATERWORLD_H
#define EJ_WATERWORLD_H

#include "opencl/philox.h"
#include "tasks/task.h"

typedef struct waterworld_cfg {
	int num_items;
	int max_steps;
} waterworld_cfg;

extern const task_ops waterworld_ops;

#define WATERWORLD_RAYS 30
#define WATERWORLD_OBS (WATERWORLD_RAYS * 5 + 2)
#define WATERWORLD_ACT 4 /* probabilities of UP, DOWN, LEFT, RIGHT */
/* State of one world: agent x, y, vx, vy, then per item x, y, vx, vy,
 * kind (+1 food, -1 poison, 0 eaten). */
#define WATERWORLD_STATE(n_items) (4 + 5 * (n_items))

/* The rays' unit directions (cos, sin) of angle i * 2 * 3.14 / 30 (EvoJAX's
 * 3.14), as floats; the device gets the same bits through defines(). */
void waterworld_ray_dirs(float cs[2 * WATERWORLD_RAYS]);
/* "#define WW_RAY_BITS ..." (their bits, ~700 bytes) for device code. */
void waterworld_ray_defines(char *buf, size_t size);

/* Host reference, the same float arithmetic as tasks/waterworld.cl. */
void waterworld_ref_reset(float *s, int n_items, unsigned seed,
			  unsigned purpose, unsigned iter, unsigned member,
			  unsigned repeat);
void waterworld_ref_obs(const float *s, int n_items,
			float obs[WATERWORLD_OBS]);
/* The direction (0 UP, 1 DOWN, 2 LEFT, 3 RIGHT) sampled from the policy's
 * output p with the uniform u in [0, 1): searchsorted(cumsum(p),
 * sum(p) * (1 - u)). */
int waterworld_ref_action(const float p[WATERWORLD_ACT], float u);
/* One step: the action sampled with step draw 0 of ctr, agent, items,
 * reward (done is always 0: episodes end at max_steps). */
void waterworld_ref_step(float *s, int n_items,
			 const float p[WATERWORLD_ACT], float *reward,
			 const ph_step_ctr *ctr);

/* Physics shared with tasks/waterworld_ma.c (device twins in
 * tasks/waterworld_lib.cl). */
/* Agent (x, y, vx, vy at ag[0..3]) takes direction a (0 UP .. 3 RIGHT). */
void waterworld_agent_move(float *ag, int a);
/* Item (x, y, vx, vy at it[0..3]) moves and reflects off the walls. */
void waterworld_item_move(float *it);
/* Whether two centres are closer than touch. */
int waterworld_touch(float x, float y, float ix, float iy, float touch);

/* A ray from (ax, ay) of length range along (c, sin): EvoJAX's sensing
 * (tasks/waterworld.c) against walls and bubbles. */
typedef struct waterworld_ray {
	float ax, ay, dx, dy, nx, ny, inv_len, inv_dom, range2;
	int dom;
} waterworld_ray;

void waterworld_ray_init(waterworld_ray *R, float ax, float ay, float range,
			 float c, float sn);
/* The nearest wall, first on ties: squared distance (range^2 when not
 * hit) and whether it is hit. */
void waterworld_ray_walls(const waterworld_ray *R, float *wq, int *wh);
/* Whether the bubble of centre (cx, cy) is hit (EvoJAX's rule, its
 * mirrored point included); *q: the squared distance to that point. */
int waterworld_ray_bubble(const waterworld_ray *R, float cx, float cy,
			  float radius, float *q);

#endif

/* flocking.h - Flocking (EvoJAX 0.2.17 evojax/task/flocking.py, after
 * JAX-MD's flocking notebook): host side and host reference.
 *
 * A world is FLOCK_BOIDS boids on the unit torus, all steered by the same
 * member (agent map TASK_AGENTS_SHARED: one obs row, one act row and one
 * reward row per boid).  Rules and quirks: tasks/flocking.cl. */
#ifndef EJ_FLOCKING_H
#define EJ_FLOCKING_H

#include "opencl/philox.h"
#include "tasks/task.h"

#define FLOCK_BOIDS 30     /* EvoJAX's BOIDS_NUM */
#define FLOCK_NEIGHBORS 5  /* EvoJAX's NEIGHBOR_NUM (the boid itself included) */
#define FLOCK_OBS_DIM (3 * FLOCK_NEIGHBORS)
#define FLOCK_STATE_DIM (3 * FLOCK_BOIDS) /* x, y, theta per boid */

typedef struct flocking_cfg {
	int max_steps;
	int reward_type; /* 0: -energy; 1: -energy (t / max_steps)^2 */
	int action_type; /* 0: turn only; 1: turn and speed */
} flocking_cfg;

extern const task_ops flocking_ops;

/* ---- host reference: scalar C, written apart from tasks/flocking.cl
 * (same float operations in the same order, a plain stable insertion
 * sort instead of the device's lane selects).  A state holds n boids as
 * (x, y, theta) rows; the task's worlds have n = FLOCK_BOIDS, the
 * functions taking n also serve hand-made 2- and 3-boid cases. */

/* Reset: boid b from draw b of the episode, ph_draw(seed, purpose, iter,
 * member, repeat, b): x = u(word 0), y = u(word 1), theta = 2 pi u(word 2). */
void flocking_ref_reset(float *s, unsigned seed, unsigned purpose,
			unsigned iter, unsigned member, unsigned repeat);
/* EvoJAX's displacement on the torus, jnp.mod(d + 0.5, 1) - 0.5: d
 * wrapped to [-0.5, 0.5) (both +0.5 and -0.5 give -0.5). */
float flocking_ref_wrap(float d);
/* The torus distance from boid i to boid j of state s. */
float flocking_ref_dist(const float *s, int i, int j);
/* The FLOCK_NEIGHBORS boids nearest to boid i among n, nearest first,
 * ties to the lower index (EvoJAX: a stable argsort); i itself is first
 * unless another boid lies at distance 0 with a lower index. */
void flocking_ref_neighbors(const float *s, int n, int i,
			    int idx[FLOCK_NEIGHBORS]);
/* Observations (FLOCK_BOIDS, FLOCK_OBS_DIM): row i is the absolute
 * (x, y, theta) of boid i's neighbours in flocking_ref_neighbors order. */
void flocking_ref_obs(const float *s, float *obs);
/* The energy of n boids; parts (may be NULL) gets EvoJAX's three sums:
 * [0] alignment and [1] avoidance over all ordered pairs (i, j) (i == j
 * included: a boid avoids itself by J_avoid / alpha), [2] cohesion over
 * the boids; energy = 0.5 (parts[0] + parts[1]) + parts[2], summed as
 * 0.5 sum_ij (align_ij + avoid_ij) + sum_i cohesion_i. */
float flocking_ref_energy(const float *s, int n, float parts[3]);
/* One step at step index t (0-based): reward (FLOCK_BOIDS, all the
 * world's reward: the energy of s BEFORE the move, negated, times
 * (t / max_steps)^2 for reward_type 1), then the move; act
 * (FLOCK_BOIDS, action_type + 1); done when t + 1 >= max_steps. */
void flocking_ref_step(const flocking_cfg *c, float *s, const float *act,
		       unsigned t, float *reward, float *done);

#endif

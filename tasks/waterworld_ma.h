/* waterworld_ma.h - multi-agent WaterWorld (EvoJAX's ma_waterworld.py):
 * 16 agents, each driven by its own population member, among food and
 * poison items; host side and host reference.  Semantics and deviations
 * atop tasks/waterworld_ma.c. */
#ifndef EJ_WATERWORLD_MA_H
#define EJ_WATERWORLD_MA_H

#include "core/cfg.h"
#include "opencl/philox.h"
#include "tasks/task.h"

typedef struct waterworld_ma_cfg {
	int num_agents;
	int num_items;
	int max_steps;
	char agent_sensing[CFG_STR_MAX]; /* "evojax" | "fixed" */
} waterworld_ma_cfg;

extern const task_ops waterworld_ma_ops;

#define WWMA_RAYS 30
#define WWMA_OBS (WWMA_RAYS * 6 + 2) /* per agent */
#define WWMA_ACT 4                   /* probabilities of UP, DOWN, LEFT, RIGHT */
/* State of one world: per agent x, y, vx, vy; then per item x, y, vx, vy,
 * type (+1 food, -1 poison), valid (1; 0 eaten). */
#define WWMA_STATE(n_agents, n_items) (4 * (n_agents) + 6 * (n_items))

/* Host reference, the same float arithmetic as tasks/waterworld_ma.cl
 * (but cos/sin in the reset: the C library's against the device's).
 * cfg: a waterworld_ma_cfg; obs (num_agents, 182), act (num_agents, 4),
 * reward (num_agents). */
void waterworld_ma_ref_reset(const void *cfg, float *s, unsigned seed,
			     unsigned purpose, unsigned iter, unsigned member,
			     unsigned repeat);
void waterworld_ma_ref_obs(const void *cfg, const float *s, float *obs);
/* Agent a's direction from step draw a of ctr; done is always 0. */
void waterworld_ma_ref_step(const void *cfg, float *s, const float *act,
			    float *reward, float *done,
			    const ph_step_ctr *ctr);

#endif

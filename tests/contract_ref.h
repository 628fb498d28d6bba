/* contract_ref.h - host reference of the episodic rollout contract
 * (core/rollout.cl) that test tasks and policies written in C plug into:
 * resets keyed by the reset member, policy state reset per episode, one
 * step counter per (step, environment), done-masking, the member ->
 * (environment, agent) maps and the returns sim_rollout gives (per member
 * and repeat; the mean over repeats is the trainer's).  Float arithmetic
 * in the device's order, so exact draws give bit-identical returns.
 * Observation normalization is not modelled (tests run without it). */
#ifndef EJ_CONTRACT_REF_H
#define EJ_CONTRACT_REF_H

#include <stdlib.h>
#include <string.h>

#include "opencl/philox.h"
#include "tasks/task.h"

typedef struct cref_task {
	const void *cfg;
	task_dims d; /* with n_agents, agent_map, opp_state_dim filled */
	void (*reset)(const void *cfg, float *s, unsigned seed,
		      unsigned purpose, unsigned iter, unsigned member,
		      unsigned repeat);
	void (*obs)(const void *cfg, const float *s, float *obs /* (A, OBS) */);
	void (*step)(const void *cfg, float *s, const float *act /* (A, ACT) */,
		     float *reward /* (A) */, float *done,
		     const ph_step_ctr *ctr);
	/* TASK_AGENTS_OPPONENT only */
	void (*opp_reset)(const void *cfg, float *os, int agent);
	void (*opponent)(const void *cfg, float *os, const float *obs,
			 float *act, int agent, const ph_step_ctr *ctr);
} cref_task;

typedef struct cref_policy {
	const void *cfg;
	size_t P;
	int state_dim;
	void (*reset)(const void *cfg, float *ps);
	void (*forward)(const void *cfg, const float *w, float *ps,
			const float *obs, float *act);
} cref_policy;

/* The host side of ej_step_uniform / ej_step_normal for one environment
 * (ctr->repeat is its repeat). */
static inline float cref_uniform(const ph_step_ctr *c, unsigned k)
{
	return ph_uniform(ph_step_draw(c, 0, k).v[0]);
}

static inline float cref_normal(const ph_step_ctr *c, unsigned k)
{
	ph_out w = ph_step_draw(c, 0, k);
	float z0, z1;

	ph_normal2(w.v[0], w.v[1], &z0, &z1);
	return z0;
}

/* One episode of world 'world' (members per the task's agent map), repeat
 * r; writes the agents' reward sums to total (A). */
static inline void cref_episode(const cref_task *t, const cref_policy *p,
				const float *params, size_t world,
				unsigned seed, unsigned purpose, unsigned iter,
				unsigned reset_member, unsigned r, float *total)
{
	const task_dims *d = &t->d;
	const int A = d->n_agents, opp = d->agent_map == TASK_AGENTS_OPPONENT;
	const size_t m0 = d->agent_map == TASK_AGENTS_DISTINCT ? world * (size_t)A
							       : world;
	const int driven = opp ? 1 : A; /* agents the policy drives */
	float *s = calloc((size_t)d->state_dim + 1, sizeof(float));
	float *obs = calloc((size_t)(A * d->obs_dim) + 1, sizeof(float));
	float *act = calloc((size_t)(A * d->act_dim) + 1, sizeof(float));
	float *rew = calloc((size_t)A, sizeof(float));
	float *ps = calloc((size_t)(A * p->state_dim) + 1, sizeof(float));
	float *os = calloc((size_t)(A * d->opp_state_dim) + 1, sizeof(float));
	ph_step_ctr ctr = { seed, purpose, iter,
			    reset_member == 0xffffffffu ? (unsigned)m0
							: reset_member,
			    r, 0 };
	float done = 0.0f;

	t->reset(t->cfg, s, seed, purpose, iter, ctr.member, r);
	for (int a = 0; a < A; a++) {
		total[a] = 0.0f;
		if (a < driven)
			p->reset(p->cfg, ps + a * p->state_dim);
		else
			t->opp_reset(t->cfg, os + a * d->opp_state_dim, a);
	}
	for (int step = 0; step < d->max_steps && done == 0.0f; step++) {
		ctr.step = (unsigned)step;
		t->obs(t->cfg, s, obs);
		for (int a = 0; a < A; a++) {
			const float *w = params +
				(d->agent_map == TASK_AGENTS_DISTINCT ? m0 + (size_t)a
								      : m0) * p->P;

			if (a < driven)
				p->forward(p->cfg, w, ps + a * p->state_dim,
					   obs + a * d->obs_dim,
					   act + a * d->act_dim);
			else
				t->opponent(t->cfg, os + a * d->opp_state_dim,
					    obs + a * d->obs_dim,
					    act + a * d->act_dim, a, &ctr);
		}
		t->step(t->cfg, s, act, rew, &done, &ctr);
		for (int a = 0; a < A; a++)
			total[a] += rew[a];
	}
	free(s);
	free(obs);
	free(act);
	free(rew);
	free(ps);
	free(os);
}

/* sim_rollout's returns (n, n_repeats) for n members. */
static inline void cref_rollout(const cref_task *t, const cref_policy *p,
				const float *params, size_t n, unsigned seed,
				unsigned purpose, unsigned iter,
				unsigned reset_member, size_t n_repeats,
				float *returns)
{
	const int A = t->d.n_agents;
	const int distinct = t->d.agent_map == TASK_AGENTS_DISTINCT;
	size_t worlds = distinct ? n / (size_t)A : n;
	float *total = calloc((size_t)A, sizeof(float));

	for (size_t g = 0; g < worlds; g++)
		for (size_t r = 0; r < n_repeats; r++) {
			cref_episode(t, p, params, g, seed, purpose, iter,
				     reset_member, (unsigned)r, total);
			if (distinct) {
				for (int a = 0; a < A; a++)
					returns[(g * (size_t)A + (size_t)a) * n_repeats + r] = total[a];
			} else if (t->d.agent_map == TASK_AGENTS_SHARED) {
				float sum = total[0];

				for (int a = 1; a < A; a++)
					sum += total[a];
				returns[g * n_repeats + r] = sum / (float)A;
			} else {
				returns[g * n_repeats + r] = total[0];
			}
		}
	free(total);
}

#endif

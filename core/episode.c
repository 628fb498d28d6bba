#include "core/episode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/obsnorm.h"
#include "opencl/philox.h"

struct episode {
	const exp_cfg *e;       /* borrowed */
	const void *tc;         /* the test episodes' task config: e's, or
				   tcfg (task_ops.test_cfg) */
	void *tcfg;             /* owned copy, or NULL */
	const task_host_ops *th;
	const policy_host_ops *ph;
	task_dims d;
	int driven;             /* agents the policy drives: 0..driven-1 */
	int ps_dim;             /* policy state per agent (>= 1 as stored) */
	float *params;          /* (P) */
	float *norm;            /* (2 obs): mean, 1/std (obsnorm_device) */
	float *s;               /* (state_dim) */
	float *obs;             /* (n_agents, obs_dim) */
	float *act;             /* (n_agents, act_dim) */
	float *reward;          /* (n_agents) */
	float *total;           /* (n_agents) reward sums */
	float *ps;              /* (driven, ps_dim) */
	float *os;              /* (n_agents, opp_state_dim) */
	ph_step_ctr ctr;
	int steps;
	bool over;
};

/* The tasks that can be drawn ("cartpole, slimevolley"), or the
 * policies with a host forward pass. */
static void episode_names(char *buf, size_t size, bool policies)
{
	size_t n = 0;

	buf[0] = '\0';
	if (policies) {
		for (const policy_ops *const *p = policy_registry; *p && n < size; p++)
			if ((*p)->host)
				n += (size_t)snprintf(buf + n, size - n, "%s%s",
						      n ? ", " : "", (*p)->name);
		return;
	}
	for (const task_ops *const *t = task_registry; *t && n < size; t++)
		if ((*t)->host && (*t)->host->draw)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      n ? ", " : "", (*t)->name);
}

int episode_check(const exp_cfg *e, bool draw, ej_err *err)
{
	const task_host_ops *th = e->task->host;
	const char *what = NULL;
	char names[256];

	if (!th || !th->reset || !th->obs || !th->step)
		what = "no host reference of its episodes";
	else if (draw && !th->draw)
		what = "no draw function";
	if (what) {
		episode_names(names, sizeof(names), false);
		return ej_fail(err, EJ_EXIT_USAGE,
			       "task '%s' cannot be rendered: it has %s (tasks that can: %s)",
			       e->task->name, what, names);
	}
	if (!e->policy || !e->policy->host) {
		episode_names(names, sizeof(names), true);
		return ej_fail(err, EJ_EXIT_USAGE,
			       "policy '%s' cannot be rendered: it has no host forward pass (policies that can: %s)",
			       e->policy ? e->policy->name : "(none)", names);
	}
	return 0;
}

void episode_sizes(const exp_cfg *e, size_t *n_params, size_t *n_obs_params)
{
	task_dims d;

	task_get_dims(e->task, e->task_cfg, &d);
	*n_params = e->policy ? e->policy->param_count(e->policy_cfg, d.obs_dim,
						       d.act_dim) : 0;
	*n_obs_params = obsnorm_size(d.obs_dim);
}

void episode_free(episode *ep)
{
	if (!ep)
		return;
	free(ep->tcfg);
	free(ep->params);
	free(ep->norm);
	free(ep->s);
	free(ep->obs);
	free(ep->act);
	free(ep->reward);
	free(ep->total);
	free(ep->ps);
	free(ep->os);
	free(ep);
}

episode *episode_create(const exp_cfg *e, const float *params,
			const double *obs_params, ej_err *err)
{
	episode *ep;
	size_t P, A, osz;
	double *zeros = NULL;

	if (episode_check(e, false, err) < 0)
		return NULL;
	if (!(ep = calloc(1, sizeof(*ep))))
		goto oom;
	ep->e = e;
	ep->tc = e->task_cfg;
	if (e->task->test_cfg) {
		if (!(ep->tcfg = calloc(1, e->task->cfg_size)))
			goto oom;
		e->task->test_cfg(e->task_cfg, ep->tcfg);
		ep->tc = ep->tcfg;
	}
	ep->th = e->task->host;
	ep->ph = e->policy->host;
	task_get_dims(e->task, ep->tc, &ep->d);
	A = (size_t)ep->d.n_agents;
	ep->driven = ep->d.agent_map == TASK_AGENTS_OPPONENT ? 1 : (int)A;
	ep->ps_dim = e->policy->state_dim
		? e->policy->state_dim(e->policy_cfg, ep->d.obs_dim,
				       ep->d.act_dim) : 0;
	if (ep->ps_dim < 1)
		ep->ps_dim = 1;
	episode_sizes(e, &P, &osz);
	ep->params = malloc(P * sizeof(float));
	ep->norm = malloc(2 * (size_t)ep->d.obs_dim * sizeof(float));
	ep->s = calloc((size_t)ep->d.state_dim + 1, sizeof(float));
	ep->obs = calloc(A * (size_t)ep->d.obs_dim + 1, sizeof(float));
	ep->act = calloc(A * (size_t)ep->d.act_dim + 1, sizeof(float));
	ep->reward = calloc(A, sizeof(float));
	ep->total = calloc(A, sizeof(float));
	ep->ps = calloc((size_t)ep->driven * (size_t)ep->ps_dim, sizeof(float));
	ep->os = calloc(A * (size_t)ep->d.opp_state_dim + 1, sizeof(float));
	if (!obs_params)
		obs_params = zeros = calloc(osz, sizeof(double));
	if (!ep->params || !ep->norm || !ep->s || !ep->obs || !ep->act ||
	    !ep->reward || !ep->total || !ep->ps || !ep->os || !obs_params)
		goto oom;
	memcpy(ep->params, params, P * sizeof(float));
	obsnorm_device(obs_params, ep->d.obs_dim, ep->norm);
	free(zeros);
	ep->over = true;
	return ep;
oom:
	free(zeros);
	episode_free(ep);
	ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return NULL;
}

void episode_reset(episode *ep, unsigned seed, unsigned iter, unsigned k)
{
	const void *tc = ep->tc;
	const void *pc = ep->e->policy_cfg;

	ep->ctr = (ph_step_ctr){ seed, PH_PURPOSE_TEST_RESET, iter, 0, k, 0 };
	ep->th->reset(tc, ep->s, seed, PH_PURPOSE_TEST_RESET, iter, 0, k);
	for (int a = 0; a < ep->d.n_agents; a++) {
		ep->total[a] = 0.0f;
		if (a < ep->driven)
			ep->ph->reset(pc, ep->d.obs_dim, ep->d.act_dim,
				      ep->ps + (size_t)a * (size_t)ep->ps_dim);
		else
			ep->th->opp_reset(tc, ep->os + (size_t)a * (size_t)ep->d.opp_state_dim, a);
	}
	ep->steps = 0;
	ep->over = false;
}

/* A driven agent's observation row as the device normalizes it
 * (core/rollout.cl: clamp((o - mean) * (1/std), -5, 5)). */
static void episode_normalize(const episode *ep, float *o)
{
	const int D = ep->d.obs_dim;

	for (int k = 0; k < D; k++)
		o[k] = fminf(fmaxf((o[k] - ep->norm[k]) * ep->norm[D + k],
				   -5.0f), 5.0f);
}

int episode_step(episode *ep, ej_err *err)
{
	const void *tc = ep->tc;
	const void *pc = ep->e->policy_cfg;
	const int A = ep->d.n_agents, O = ep->d.obs_dim, Ac = ep->d.act_dim;
	float done = 0.0f;

	if (ep->over)
		return 1;
	ep->ctr.step = (unsigned)ep->steps;
	ep->th->obs(tc, ep->s, ep->obs);
	for (int a = ep->driven; a < A; a++)
		ep->th->opponent(tc, ep->os + (size_t)a * (size_t)ep->d.opp_state_dim,
				 ep->obs + a * O, ep->act + a * Ac, a, &ep->ctr);
	for (int a = 0; a < ep->driven; a++) {
		if (ep->e->trainer.normalize_obs)
			episode_normalize(ep, ep->obs + a * O);
		if (ep->ph->forward(pc, O, Ac, ep->params,
				    ep->ps + (size_t)a * (size_t)ep->ps_dim,
				    ep->obs + a * O, ep->act + a * Ac) < 0)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	}
	ep->th->step(tc, ep->s, ep->act, ep->reward, &done, &ep->ctr);
	for (int a = 0; a < A; a++)
		ep->total[a] += ep->reward[a];
	ep->steps++;
	ep->over = done > 0.0f || ep->steps >= ep->d.max_steps;
	return ep->over ? 1 : 0;
}

const float *episode_state(const episode *ep) { return ep->s; }
int episode_steps(const episode *ep) { return ep->steps; }
bool episode_over(const episode *ep) { return ep->over; }
const task_dims *episode_dims(const episode *ep) { return &ep->d; }

double episode_return(const episode *ep)
{
	const int A = ep->d.n_agents;
	double sum = 0.0;
	float fsum;

	if (A == 1 || ep->d.agent_map == TASK_AGENTS_OPPONENT)
		return ep->total[0];
	if (ep->d.agent_map == TASK_AGENTS_DISTINCT) {
		/* sim_eval_test: the agents' returns summed in double */
		for (int a = 0; a < A; a++)
			sum += ep->total[a];
		return (float)(sum / A);
	}
	/* core/rollout.cl, TASK_AGENTS_SHARED: float sum / A */
	fsum = ep->total[0];
	for (int a = 1; a < A; a++)
		fsum += ep->total[a];
	return fsum / (float)A;
}

#include "policies/mlp.h"

#include "policies/mlp_img.h"
#include "tasks/task.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const cfg_field mlp_fields[] = {
	{ .key = "hidden", .type = CFG_INT_LIST,
	  .offset = offsetof(mlp_cfg, hidden), .def = "[64, 64]", .min = 1,
	  .max = 4096, .help = "hidden layer widths (at most 4 layers), tanh" },
	{ .key = "output", .type = CFG_ENUM,
	  .offset = offsetof(mlp_cfg, output), .def = "tanh",
	  .choices = "tanh|softmax|linear", .help = "output activation" },
};

static int mlp_width(const mlp_cfg *c, int layer, int obs_dim, int act_dim)
{
	if (layer == 0)
		return obs_dim;
	if (layer <= c->hidden.n)
		return c->hidden.v[layer - 1];
	return act_dim;
}

static size_t mlp_param_count(const void *cfg, int obs_dim, int act_dim)
{
	const mlp_cfg *c = cfg;
	size_t n = 0;

	for (int l = 0; l <= c->hidden.n; l++) {
		size_t in = (size_t)mlp_width(c, l, obs_dim, act_dim);
		size_t out = (size_t)mlp_width(c, l + 1, obs_dim, act_dim);

		n += out + in * out;
	}
	return n;
}

static void mlp_defines(const void *cfg, int obs_dim, int act_dim, char *buf,
			size_t size)
{
	const mlp_cfg *c = cfg;
	int act = strcmp(c->output, "tanh") == 0	? 0
		  : strcmp(c->output, "softmax") == 0 ? 1
						      : 2;
	int maxw = 1, n;

	for (int i = 0; i < c->hidden.n; i++)
		if (c->hidden.v[i] > maxw)
			maxw = c->hidden.v[i];
	n = snprintf(buf, size,
		     "#define MLP_IN %d\n#define MLP_OUT %d\n"
		     "#define MLP_N_HIDDEN %d\n#define MLP_MAXW %d\n"
		     "#define MLP_OUT_ACT %d\n",
		     obs_dim, act_dim, c->hidden.n, maxw, act);
	for (int i = 0; i < c->hidden.n && n > 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "#define MLP_H%d %d\n",
			      i, c->hidden.v[i]);
}

static void mlp_host_reset(const void *cfg, int obs_dim, int act_dim,
			   float *ps)
{
	(void)cfg;
	(void)obs_dim;
	(void)act_dim;
	(void)ps;
}

static int mlp_host_forward(const void *cfg, int obs_dim, int act_dim,
			    const float *w, float *ps, const float *obs,
			    float *act)
{
	(void)ps;
	mlp_ref_forward(cfg, obs_dim, act_dim, w, obs, act);
	return 0;
}

static const policy_host_ops mlp_host = {
	.reset = mlp_host_reset,
	.forward = mlp_host_forward,
};

const policy_ops mlp_ops = {
	.name = "mlp",
	.summary = "multi-layer perceptron, tanh hidden layers (EvoJAX MLPPolicy)",
	.fields = mlp_fields,
	.n_fields = sizeof(mlp_fields) / sizeof(mlp_fields[0]),
	.cfg_size = sizeof(mlp_cfg),
	.cl_file = "policies/mlp.cl",
	.param_count = mlp_param_count,
	.defines = mlp_defines,
	.caps = POLICY_CAP_STEP | POLICY_CAP_IMAGES,
	.images = &mlp_img_ops,
	.host = &mlp_host,
};

void mlp_ref_forward(const mlp_cfg *cfg, int obs_dim, int act_dim,
		     const float *w, const float *obs, float *act)
{
	float buf[2][4096];
	const float *in = obs;
	int last = cfg->hidden.n;

	for (int l = 0; l <= last; l++) {
		int n_in = mlp_width(cfg, l, obs_dim, act_dim);
		int n_out = mlp_width(cfg, l + 1, obs_dim, act_dim);
		float *out = l == last ? act : buf[l & 1];
		const float *kern = w + n_out;

		for (int j = 0; j < n_out; j++) {
			float a = w[j];

			for (int i = 0; i < n_in; i++)
				a = fmaf(in[i], kern[i * n_out + j], a);
			if (l < last || strcmp(cfg->output, "tanh") == 0)
				a = tanhf(a);
			out[j] = a;
		}
		w = kern + (size_t)n_in * n_out;
		in = out;
	}
	if (strcmp(cfg->output, "softmax") == 0) {
		float m = act[0], sum = 0.0f;

		for (int j = 1; j < act_dim; j++)
			m = fmaxf(m, act[j]);
		for (int j = 0; j < act_dim; j++) {
			act[j] = expf(act[j] - m);
			sum += act[j];
		}
		for (int j = 0; j < act_dim; j++)
			act[j] /= sum;
	}
}

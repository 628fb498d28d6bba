/* test_render - `evojax render`'s pieces: host episodes (core/episode.c)
 * against the evaluator's test episodes, the GIF writer (core/gif.c) and
 * the animation (core/render.c) read back with giflib.
 *
 * a. Returns.  Episode k of seed S on the host (task and policy host
 *    references, task_ops.host / policy_ops.host) against test episode k
 *    of the evaluator itself (sim_eval_ops.test, what `evojax test`
 *    runs: PH_PURPOSE_TEST_RESET, iteration 0, member 0, repeat k):
 *    - cartpole easy, the trained fixture (tests/fixtures/
 *      cartpole_easy_trained.npz, the regime that swings up and
 *      balances, where the chaos of the swing-up turns last-bit
 *      differences of the device's sin/cos/tanh into different
 *      timings, as tests/test_rollout.c measures for the device against
 *      the same host reference): 16 episodes of 1000 steps, each within
 *      5%, the mean within 1% (measured on PoCL: largest 1.9%, mean
 *      0.11%);
 *    - cartpole hard with observation normalization (a saved normalizer,
 *      the device's clamp((o - mean) / std, -5, 5)), random weights: 16
 *      episodes, some leaving the track early, each within 1e-2 + 1e-3
 *      |x| (measured 8e-7 relative at most);
 *    - mlp_pi on shuffled cartpole, random weights: 8 episodes within
 *      1e-2 + 1e-3 |x| (measured 2.7e-7 relative);
 *    - slimevolley against the baseline (TASK_AGENTS_OPPONENT, the test
 *      game to 5 lives), a random MLP: integer returns, at most 1 in 16
 *      may differ (a button flips when an output is within ulps of its
 *      threshold), by at most 2 points (measured: none differs).
 * b. The tasks and policies that cannot be rendered: exit code 2 and the
 *    message.
 * c. GIF: the palette (every colour maps to itself), a rendered episode
 *    read back by giflib: size, frame count (1 + floor(T / K) + 1 when
 *    K does not divide T), the first frame whole, the frame delays (K
 *    steps of the task's time, 1 s on the last), the loop extension; an
 *    unchanged frame is 1 x 1.
 */
#include <gif_lib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg.h"
#include "core/episode.h"
#include "core/eval.h"
#include "core/exp.h"
#include "core/gif.h"
#include "core/npz.h"
#include "core/render.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "tasks/cartpole.h"

#define TU_OPENCL
#include "tests/testutil.h"

typedef struct rt_exp {
	cfg_doc *doc;
	exp_cfg e;
} rt_exp;

static void rt_load(rt_exp *x, const char *yaml)
{
	ej_err err = { 0 };

	x->doc = cfg_load_string(yaml, "t.yaml", &err);
	if (!x->doc || exp_load(x->doc, &x->e, &err) < 0)
		fail_msg("%s", err.msg);
}

static void rt_release(rt_exp *x)
{
	exp_release(&x->e);
	cfg_free(x->doc);
}

/* The evaluator's test scores (n_evaluations, test_n_repeats 1). */
static void rt_device(const exp_cfg *e, const float *w, const double *obs,
		      float *scores)
{
	clrt *rt = tu_rt_open();
	ej_err err = { 0 };
	void *st = NULL;
	size_t n = 0;

	if (e->task->eval->create(&st, e, rt, &err) < 0 ||
	    e->task->eval->test(st, w, obs, 0, scores, &n, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, (size_t)e->trainer.n_evaluations);
	e->task->eval->free(st);
	clrt_free(rt);
}

/* Host returns and steps of episodes 0 .. n_evaluations-1. */
static void rt_host(const exp_cfg *e, const float *w, const double *obs,
		    double *ret, int *steps)
{
	ej_err err = { 0 };
	episode *ep = episode_create(e, w, obs, &err);

	if (!ep)
		fail_msg("%s", err.msg);
	for (int k = 0; k < e->trainer.n_evaluations; k++) {
		int rc;

		episode_reset(ep, (unsigned)e->seed, 0, (unsigned)k);
		while ((rc = episode_step(ep, &err)) == 0)
			;
		assert_int_equal(rc, 1);
		assert_true(episode_over(ep));
		ret[k] = episode_return(ep);
		steps[k] = episode_steps(ep);
	}
	episode_free(ep);
}

static float *rt_fixture(void)
{
	ej_err err = { 0 };
	npz_file *f = npz_read("tests/fixtures/cartpole_easy_trained.npz", &err);
	float *w = malloc(4609 * sizeof(float));

	if (!f || !w || npz_get_f32(f, "params", w, 4609, &err) < 0)
		fail_msg("%s", err.msg);
	npz_free(f);
	return w;
}

enum { N_EP = 16 };

/* Host vs device per episode: each within abs + rel |dev|, the mean
 * within mean_rel; prints the largest errors. */
static void rt_compare(const char *what, const exp_cfg *e, const float *w,
		       const double *obs, double abs_tol, double rel_tol,
		       double mean_rel, int *short_eps)
{
	float dev[64];
	double host[64], worst = 0.0, sd = 0.0, sh = 0.0;
	int steps[64], n = e->trainer.n_evaluations;

	rt_device(e, w, obs, dev);
	rt_host(e, w, obs, host, steps);
	*short_eps = 0;
	for (int k = 0; k < n; k++) {
		double d = fabs(host[k] - dev[k]);

		worst = fmax(worst, d / fmax(fabs(dev[k]), 1e-9));
		sd += dev[k];
		sh += host[k];
		*short_eps += steps[k] < 1000;
		if (d > abs_tol + rel_tol * fabs(dev[k]))
			fail_msg("%s, episode %d: host %.6f, evaluator %.6f", what,
				 k, host[k], dev[k]);
	}
	printf("%s: %d episodes, largest relative difference %.3g, means %.4f / %.4f (%.3g)\n",
	       what, n, worst, sh / n, sd / n, fabs(sh - sd) / fmax(fabs(sd), 1e-9));
	assert_true(fabs(sh - sd) <= mean_rel * fabs(sd) + abs_tol);
}

static const char cp_yaml[] =
	"seed: 42\n"
	"task: {name: cartpole}\n"
	"policy: {name: mlp, hidden: [64, 64]}\n"
	"algo: {name: pgpe, pop_size: 8}\n"
	"trainer: {n_evaluations: 16}\n";

static void test_cartpole_trained(void **state)
{
	rt_exp x;
	float *w = rt_fixture();
	int early;

	(void)state;
	rt_load(&x, cp_yaml);
	rt_compare("cartpole easy, trained", &x.e, w, NULL, 1e-2, 5e-2, 1e-2,
		   &early);
	free(w);
	rt_release(&x);
}

static void test_cartpole_hard_normalized(void **state)
{
	rt_exp x;
	float *w = tu_random_params(4609, 0.3f, 5);
	double obs[11] = { 500.0 };
	int early;

	(void)state;
	/* a normalizer: mean and sum of squared deviations per component */
	for (int k = 0; k < 5; k++) {
		obs[1 + k] = 0.1 * (k - 2);
		obs[6 + k] = 500.0 * (0.5 + 0.3 * k);
	}
	rt_load(&x, "seed: 7\n"
		    "task: {name: cartpole, hard: true}\n"
		    "policy: {name: mlp, hidden: [64, 64]}\n"
		    "algo: {name: pgpe, pop_size: 8}\n"
		    "trainer: {n_evaluations: 16, normalize_obs: true}\n");
	rt_compare("cartpole hard, normalized", &x.e, w, obs, 1e-2, 1e-3,
		   1e-3, &early);
	assert_true(early > 0);
	free(w);
	rt_release(&x);
}

static void test_cartpole_mlp_pi(void **state)
{
	rt_exp x;
	size_t P, n_obs;
	float *w;
	int early;

	(void)state;
	rt_load(&x, "seed: 3\n"
		    "task: {name: cartpole, shuffle_obs: true, hard: true}\n"
		    "policy: {name: mlp_pi, hidden_dim: 16, msg_dim: 8, pos_em_dim: 4}\n"
		    "algo: {name: pgpe, pop_size: 8}\n"
		    "trainer: {n_evaluations: 8}\n");
	episode_sizes(&x.e, &P, &n_obs);
	assert_int_equal(n_obs, 11);
	w = tu_random_params(P, 0.5f, 13);
	rt_compare("cartpole shuffled, mlp_pi", &x.e, w, NULL, 1e-2, 1e-3,
		   1e-3, &early);
	free(w);
	rt_release(&x);
}

static void test_slimevolley(void **state)
{
	rt_exp x;
	size_t P, n_obs;
	float *w, dev[N_EP];
	double host[N_EP];
	int steps[N_EP], differ = 0;

	(void)state;
	rt_load(&x, "seed: 11\n"
		    "task: {name: slimevolley}\n"
		    "policy: {name: mlp, hidden: [16], output: tanh}\n"
		    "algo: {name: pgpe, pop_size: 8}\n"
		    "trainer: {n_evaluations: 16}\n");
	episode_sizes(&x.e, &P, &n_obs);
	w = tu_random_params(P, 0.5f, 17);
	rt_device(&x.e, w, NULL, dev);
	rt_host(&x.e, w, NULL, host, steps);
	for (int k = 0; k < N_EP; k++) {
		assert_true(host[k] == round(host[k]) && host[k] >= -5 &&
			    host[k] <= 5);
		if (host[k] != dev[k]) {
			differ++;
			if (fabs(host[k] - dev[k]) > 2.0)
				fail_msg("episode %d: host %g, evaluator %g", k,
					 host[k], dev[k]);
		}
	}
	printf("slimevolley, random MLP: %d of %d returns differ (steps %d..)\n",
	       differ, N_EP, steps[0]);
	assert_true(differ <= 1);
	free(w);
	rt_release(&x);
}

/* ---- b: what cannot be rendered ----------------------------------------- */

static void test_cannot_render(void **state)
{
	static const char *const tasks[][2] = {
		{ "task: {name: function, fn: sphere, dim: 3}\nalgo: {name: snes}\n",
		  "task 'function' cannot be rendered: it has no host reference of its episodes (tasks that can: cartpole, slimevolley)" },
		{ "task: {name: mnist}\npolicy: {name: convnet}\nalgo: {name: pgpe}\n",
		  "task 'mnist' cannot be rendered: it has no host reference of its episodes (tasks that can: cartpole, slimevolley)" },
		{ "task: {name: seq2seq}\npolicy: {name: seq2seq}\nalgo: {name: pgpe}\n",
		  "task 'seq2seq' cannot be rendered: it has no host reference of its episodes (tasks that can: cartpole, slimevolley)" },
	};
	policy_ops blind;
	ej_err err = { 0 };
	rt_exp x;

	(void)state;
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++) {
		rt_load(&x, tasks[i][0]);
		assert_int_equal(episode_check(&x.e, true, &err), -1);
		assert_int_equal(err.code, EJ_EXIT_USAGE);
		assert_string_equal(err.msg, tasks[i][1]);
		assert_null(episode_create(&x.e, NULL, NULL, &err));
		rt_release(&x);
	}
	/* an episodic policy without a host forward pass */
	rt_load(&x, cp_yaml);
	assert_int_equal(episode_check(&x.e, true, &err), 0);
	blind = *x.e.policy;
	blind.host = NULL;
	x.e.policy = &blind;
	assert_int_equal(episode_check(&x.e, false, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "policy 'mlp' cannot be rendered: it has no host forward pass (policies that can: mlp, mlp_pi)");
	x.e.policy = policy_find("mlp");
	rt_release(&x);
}

/* ---- c: GIF -------------------------------------------------------------- */

static void test_palette(void **state)
{
	(void)state;
	for (int i = 0; i < 256; i++) {
		uint32_t c = gif_palette_rgb(i);

		assert_int_equal(gif_palette_rgb(gif_palette_index((int)(c >> 16), (int)(c >> 8 & 255), (int)(c & 255))), c);
	}
	assert_int_equal(gif_palette_index(255, 0, 0), 180);
	assert_int_equal(gif_palette_index(0, 0, 255), 5);
	assert_int_equal(gif_palette_index(250, 3, 2), 180);
	/* a mid grey is on the ramp, not the cube (its nearest cube grey is 25 away) */
	assert_int_equal(gif_palette_index(128, 128, 128), GIF_CUBE + 20);
	assert_int_equal(gif_palette_rgb(GIF_CUBE + 20), 0x838383);
}

static GifFileType *rt_read_gif(const char *path)
{
	int code = 0;
	GifFileType *g = DGifOpenFileName(path, &code);

	if (!g)
		fail_msg("%s: %s", path, GifErrorString(code));
	if (DGifSlurp(g) != GIF_OK)
		fail_msg("%s: %s", path, GifErrorString(g->Error));
	return g;
}

/* Frames: the first whole, an unchanged one 1 x 1, a changed block its
 * bounding box; delays as given. */
static void test_gif_frames(void **state)
{
	tu_tmp *t = *state;
	uint32_t px[6 * 8];
	ej_err err = { 0 };
	gif_writer *g = gif_create(8, 6, &err);
	GifFileType *r;
	GraphicsControlBlock gcb;
	int code;

	assert_non_null(g);
	for (int i = 0; i < 6 * 8; i++)
		px[i] = 0xffffff;
	assert_int_equal(gif_add_frame(g, px, 8, 5, &err), 0);
	assert_int_equal(gif_add_frame(g, px, 8, 6, &err), 0);
	px[2 * 8 + 3] = 0xff0000;
	px[4 * 8 + 5] = 0x0000ff;
	assert_int_equal(gif_add_frame(g, px, 8, 7, &err), 0);
	assert_int_equal(gif_frames(g), 3);
	snprintf(t->path, sizeof(t->path), "%s/f.gif", t->dir);
	assert_int_equal(gif_save(g, t->path, &err), 0);
	gif_free(g);
	r = rt_read_gif(t->path);
	assert_int_equal(r->SWidth, 8);
	assert_int_equal(r->SHeight, 6);
	assert_int_equal(r->ImageCount, 3);
	assert_int_equal(r->SColorMap->ColorCount, 256);
	{
		const GifImageDesc *d0 = &r->SavedImages[0].ImageDesc;
		const GifImageDesc *d1 = &r->SavedImages[1].ImageDesc;
		const GifImageDesc *d2 = &r->SavedImages[2].ImageDesc;

		assert_true(d0->Left == 0 && d0->Top == 0 && d0->Width == 8 && d0->Height == 6);
		assert_true(d1->Width == 1 && d1->Height == 1);
		assert_true(d2->Left == 3 && d2->Top == 2 && d2->Width == 3 && d2->Height == 3);
		assert_int_equal(r->SavedImages[2].RasterBits[0], 180);
		assert_int_equal(r->SavedImages[2].RasterBits[2 * 3 + 2], 5);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(DGifSavedExtensionToGCB(r, i, &gcb), GIF_OK);
		assert_int_equal(gcb.DelayTime, 5 + i);
		assert_int_equal(gcb.DisposalMode, DISPOSE_DO_NOT);
	}
	DGifCloseFile(r, &code);
}

/* Two rendered cartpole episodes of 50 steps, K 7: 1 + 7 + 1 frames
 * each, delays 7/100 s (7 steps of 0.01 s) and 1 s on each episode's
 * last; the red cart of the first frame where the reset put it. */
static void test_render_cartpole(void **state)
{
	tu_tmp *t = *state;
	rt_exp x;
	float *w = rt_fixture();
	render_opts o = { .episodes = 2, .seed = 42, .every = 7 };
	render_episode out[2];
	ej_err err = { 0 };
	GifFileType *r;
	GraphicsControlBlock gcb;
	float s0[4];
	int code, n = 0;

	(void)state;
	rt_load(&x, "seed: 42\n"
		    "task: {name: cartpole, max_steps: 50}\n"
		    "policy: {name: mlp, hidden: [64, 64]}\n"
		    "algo: {name: pgpe, pop_size: 8}\n");
	snprintf(t->path, sizeof(t->path), "%s/e.gif", t->dir);
	assert_int_equal(render_every(&x.e, &(render_opts){ 0 }), 4);
	assert_int_equal(render_delay_cs(&x.e, 4), 4);
	assert_int_equal(render_gif(&x.e, w, NULL, &o, t->path, out, &err), 0);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(out[k].steps, 50);
		assert_int_equal(out[k].frames, 9);
		assert_true(out[k].ret > 0.0);
	}
	r = rt_read_gif(t->path);
	assert_int_equal(r->SWidth, 480);
	assert_int_equal(r->SHeight, 240 + RENDER_CAPTION_H);
	assert_int_equal(r->ImageCount, 18);
	for (int i = 0; i < 18; i++) {
		assert_int_equal(DGifSavedExtensionToGCB(r, i, &gcb), GIF_OK);
		assert_int_equal(gcb.DelayTime, i % 9 == 8 ? 100 : 7);
	}
	for (int i = 0; i < r->SavedImages[0].ExtensionBlockCount; i++) {
		const ExtensionBlock *b = &r->SavedImages[0].ExtensionBlocks[i];

		n += b->Function == APPLICATION_EXT_FUNC_CODE &&
		     b->ByteCount == 11 && !memcmp(b->Bytes, "NETSCAPE2.0", 11);
	}
	assert_int_equal(n, 1);
	/* the cart: 80 pixels per metre from the centre, its middle 2/3
	 * down the picture under the caption, 32 pixels wide (the pole
	 * hangs from its centre) */
	cartpole_ref_reset(s0, false, 42, PH_PURPOSE_TEST_RESET, 0, 0, 0);
	{
		int cx = (int)lround(240 + s0[0] * 80.0), cy = RENDER_CAPTION_H + 160;

		assert_int_equal(r->SavedImages[0].RasterBits[cy * 480 + cx], 5);
		assert_int_equal(r->SavedImages[0].RasterBits[cy * 480 + cx - 10], 180);
		assert_int_equal(r->SavedImages[0].RasterBits[cy * 480 + cx + 10], 180);
		assert_int_equal(r->SavedImages[0].RasterBits[cy * 480 + cx - 40], 215); /* white */
	}
	DGifCloseFile(r, &code);
	/* refused: another extension, a tiny size */
	assert_int_equal(render_gif(&x.e, w, NULL, &o, "e.png", out, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'e.png': the animation's name must end in .gif");
	o.width = 10;
	assert_int_equal(render_gif(&x.e, w, NULL, &o, t->path, out, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	free(w);
	rt_release(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cartpole_trained),
		cmocka_unit_test(test_cartpole_hard_normalized),
		cmocka_unit_test(test_cartpole_mlp_pi),
		cmocka_unit_test(test_slimevolley),
		cmocka_unit_test(test_cannot_render),
		cmocka_unit_test(test_palette),
		cmocka_unit_test_setup_teardown(test_gif_frames, tu_tmp_setup, tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_render_cartpole, tu_tmp_setup, tu_tmp_teardown),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	render_release_fonts(); /* fontconfig's caches, for leak checkers */
	return rc;
}

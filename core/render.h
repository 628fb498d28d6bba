/* render.h - `evojax render`: test episodes of an episodic task, run on
 * the host (core/episode.h: the evaluator's test worlds, so each return
 * is the one `evojax test` computes for that world) and drawn with cairo
 * by the task's draw function (task_host_ops.draw) into an animated GIF
 * (core/gif.h).
 *
 * Frames: the state after the reset and after every K-th step, plus the
 * last state of each episode (shown for 1 s); timing: each frame is
 * shown for the simulated time of K steps (task_host_ops.step_seconds,
 * rounded to the GIF's 1/100 s, at least 2/100 s), so the animation runs
 * in real time.  An episode of T steps gives 1 + floor(T / K) frames,
 * plus 1 when K does not divide T.  Above the task's picture a caption
 * strip (RENDER_CAPTION_H pixels) reads "episode e/N  step t/max  return
 * r".
 */
#ifndef EJ_RENDER_H
#define EJ_RENDER_H

#include "core/err.h"
#include "core/exp.h"

#define RENDER_CAPTION_H 20
#define RENDER_FPS 25 /* default frames per simulated second, about */

typedef struct render_opts {
	int episodes;      /* >= 1: test worlds 0 .. episodes-1 */
	unsigned seed;     /* the evaluator's seed (the config's 'seed') */
	unsigned iter;     /* the test's iteration (0: evojax test's default) */
	int every;         /* K; 0: the task's step time at ~RENDER_FPS */
	int width, height; /* the GIF's size; 0: the task's default width,
			      its height + RENDER_CAPTION_H */
} render_opts;

typedef struct render_episode {
	double ret;        /* the return (episode_return) */
	int steps;         /* steps taken */
	int frames;        /* frames drawn */
} render_episode;

/* cairo and fontconfig keep font caches for the whole process: free them
 * (cairo_debug_reset_static_data, FcFini) at its end, after the last
 * drawing (plot or render), so that leak checkers report none. */
void render_release_fonts(void);

/* The K and the frame time (1/100 s) the options give for e's task. */
int render_every(const exp_cfg *e, const render_opts *o);
int render_delay_cs(const exp_cfg *e, int every);

/* Run o->episodes test episodes of params (and obs_params, see
 * episode_create) and write them to the GIF 'path'; out (o->episodes)
 * gets each episode's return, steps and frames.  Errors: EJ_EXIT_USAGE
 * for a task or policy that cannot be rendered (episode_check) or a bad
 * size, EJ_EXIT_RUN for drawing and file errors. */
int render_gif(const exp_cfg *e, const float *params,
	       const double *obs_params, const render_opts *o,
	       const char *path, render_episode *out, ej_err *err);

#endif

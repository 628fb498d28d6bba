#include "core/render.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/episode.h"
#include "core/gif.h"

void render_release_fonts(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}

int render_every(const exp_cfg *e, const render_opts *o)
{
	double dt = e->task->host ? e->task->host->step_seconds : 0.0;
	long k;

	if (o->every > 0)
		return o->every;
	if (dt <= 0.0)
		return 1;
	k = lround(1.0 / (RENDER_FPS * dt));
	return k < 1 ? 1 : (int)k;
}

int render_delay_cs(const exp_cfg *e, int every)
{
	double dt = e->task->host ? e->task->host->step_seconds : 0.0;
	double cs = 100.0 * every * (dt > 0.0 ? dt : 1.0 / RENDER_FPS);

	return cs < 2.0 ? 2 : cs > 65535.0 ? 65535 : (int)lround(cs);
}

typedef struct render_ctx {
	const exp_cfg *e;
	cairo_surface_t *surf;
	cairo_t *cr;
	gif_writer *gif;
	int w, h;
} render_ctx;

/* Draw the episode's current state under its caption and append the
 * frame. */
static int render_frame(render_ctx *r, const episode *ep, int index,
			int n, int delay_cs, ej_err *err)
{
	cairo_t *cr = r->cr;
	char text[160];
	const int max_steps = episode_dims(ep)->max_steps;

	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 12.0);
	snprintf(text, sizeof(text), "episode %d/%d   step %d/%d   return %.2f%s",
		 index + 1, n, episode_steps(ep), max_steps,
		 episode_return(ep), episode_over(ep) ? " (end)" : "");
	cairo_move_to(cr, 6.0, RENDER_CAPTION_H - 6.0);
	cairo_show_text(cr, text);
	cairo_rectangle(cr, 0, RENDER_CAPTION_H, r->w, r->h - RENDER_CAPTION_H);
	cairo_clip(cr);
	cairo_translate(cr, 0, RENDER_CAPTION_H);
	r->e->task->host->draw(r->e->task_cfg, cr, episode_state(ep), r->w,
			       r->h - RENDER_CAPTION_H);
	cairo_restore(cr);
	cairo_surface_flush(r->surf);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return ej_fail(err, EJ_EXIT_RUN, "cannot draw a frame: %s",
			       cairo_status_to_string(cairo_status(cr)));
	return gif_add_frame(r->gif,
			     (const uint32_t *)cairo_image_surface_get_data(r->surf),
			     cairo_image_surface_get_stride(r->surf) / 4,
			     delay_cs, err);
}

/* The episodes, frame by frame. */
static int render_run(render_ctx *r, episode *ep, const render_opts *o,
		      render_episode *out, ej_err *err)
{
	const int every = render_every(r->e, o);
	const int delay = render_delay_cs(r->e, every);

	for (int k = 0; k < o->episodes; k++) {
		int done;

		episode_reset(ep, o->seed, o->iter, (unsigned)k);
		if (render_frame(r, ep, k, o->episodes, delay, err) < 0)
			return -1;
		out[k].frames = 1;
		do {
			if ((done = episode_step(ep, err)) < 0)
				return -1;
			if (done || episode_steps(ep) % every == 0) {
				if (render_frame(r, ep, k, o->episodes,
						 done ? 100 : delay, err) < 0)
					return -1;
				out[k].frames++;
			}
		} while (!done);
		out[k].ret = episode_return(ep);
		out[k].steps = episode_steps(ep);
	}
	return 0;
}

int render_gif(const exp_cfg *e, const float *params,
	       const double *obs_params, const render_opts *o,
	       const char *path, render_episode *out, ej_err *err)
{
	render_ctx r = { .e = e };
	episode *ep = NULL;
	int rc = -1;

	size_t len = strlen(path);

	if (episode_check(e, true, err) < 0)
		return -1;
	if (len < 5 || strcmp(path + len - 4, ".gif") != 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'%s': the animation's name must end in .gif", path);
	r.w = o->width > 0 ? o->width : e->task->host->width;
	r.h = o->height > 0 ? o->height
			    : e->task->host->height + RENDER_CAPTION_H;
	if (o->episodes < 1)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "--episodes must be at least 1, got %d",
			       o->episodes);
	if (r.w < 16 || r.h < RENDER_CAPTION_H + 16 || r.w > 8192 ||
	    r.h > 8192)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "a picture size of %d x %d is out of range (16 to 8192 wide, %d to 8192 high)",
			       r.w, r.h, RENDER_CAPTION_H + 16);
	if (!(ep = episode_create(e, params, obs_params, err)) ||
	    !(r.gif = gif_create(r.w, r.h, err)))
		goto out;
	r.surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, r.w, r.h);
	r.cr = cairo_create(r.surf);
	if (cairo_status(r.cr) != CAIRO_STATUS_SUCCESS) {
		ej_fail(err, EJ_EXIT_RUN, "cannot draw: %s",
			cairo_status_to_string(cairo_status(r.cr)));
		goto out;
	}
	if (render_run(&r, ep, o, out, err) == 0 &&
	    gif_save(r.gif, path, err) == 0)
		rc = 0;
out:
	if (r.cr)
		cairo_destroy(r.cr);
	if (r.surf)
		cairo_surface_destroy(r.surf);
	gif_free(r.gif);
	episode_free(ep);
	return rc;
}

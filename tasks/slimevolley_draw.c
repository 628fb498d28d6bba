/* slimevolley_draw.c - a SlimeVolley world drawn with cairo
 * (task_host_ops.draw), after EvoJAX's renderer (slimevolleygym's night
 * colours in pixel mode): the view spans x in [-24, 24] and y in [0, 24]
 * (ground at 1.5; the ball may leave the view upwards, as there); the
 * ground, the fence (1 wide, from the ground to 3.5) with its round stub,
 * the two slimes (half discs of radius 1.5, eyes on the ball: blue the
 * baseline on the left, yellow the trained agent on the right), the ball
 * and the lives as coins in the top corners.  One difference: every
 * remaining life is a coin (EvoJAX shows lives - 1). */
#include <cairo.h>
#include <math.h>

#include "tasks/slimevolley.h"

#define SVD_PI 3.14159265358979

typedef struct svd_view {
	double scale, w, h; /* pixels per unit, canvas */
} svd_view;

static double svd_x(const svd_view *v, double x) { return (x + 24.0) * v->scale; }
static double svd_y(const svd_view *v, double y) { return v->h - y * v->scale; }

static void svd_rgb(cairo_t *cr, int r, int g, int b)
{
	cairo_set_source_rgb(cr, r / 255.0, g / 255.0, b / 255.0);
}

static void svd_disc(cairo_t *cr, const svd_view *v, double x, double y,
		     double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, svd_x(v, x), svd_y(v, y), r * v->scale, 0, 2 * SVD_PI);
	cairo_fill(cr);
}

/* A slime at (x, y) facing the fence (dir -1 left, +1 right), its eye
 * looking at the ball (bx, by). */
static void svd_slime(cairo_t *cr, const svd_view *v, double x, double y,
		      int dir, double bx, double by)
{
	const double r = 1.5, a = (dir < 0 ? 60.0 : 120.0) * SVD_PI / 180.0;
	const double ex = x + 0.6 * r * cos(a), ey = y + 0.6 * r * sin(a);
	double dx = bx - ex, dy = by - ey, d = sqrt(dx * dx + dy * dy);

	cairo_new_sub_path(cr);
	cairo_arc(cr, svd_x(v, x), svd_y(v, y), r * v->scale, SVD_PI, 2 * SVD_PI);
	cairo_close_path(cr);
	cairo_fill(cr);
	if (d > 0) {
		dx /= d;
		dy /= d;
	}
	svd_rgb(cr, 255, 255, 255);
	svd_disc(cr, v, ex, ey, 0.3 * r);
	svd_rgb(cr, 0, 0, 0);
	svd_disc(cr, v, ex + dx * 0.15 * r, ey + dy * 0.15 * r, 0.1 * r);
}

void slimevolley_draw(const void *cfg, cairo_t *cr, const float *s, int w,
		      int h)
{
	const float *ball = s + SV_BALL, *right = s + SV_AGENT;
	const float *left = right + 4;
	svd_view v = { fmin(w / 48.0, h / 24.0), w, h };

	(void)cfg;
	svd_rgb(cr, 11, 16, 19);
	cairo_paint(cr);
	/* fence and its stub */
	svd_rgb(cr, 102, 56, 35);
	cairo_rectangle(cr, svd_x(&v, -0.5), svd_y(&v, 3.5), v.scale,
			2.0 * v.scale);
	cairo_fill(cr);
	svd_disc(cr, &v, 0.0, 3.5, 0.5);
	/* lives: coins in the top corners, right side for the right agent */
	for (int a = 0; a < 2; a++)
		for (int i = 1; i <= (int)s[SV_LIFE + a]; i++)
			svd_disc(cr, &v, (a == 0 ? 1 : -1) * (24.5 - 2.0 * i),
				 24.0 - 1.5, 0.5);
	svd_rgb(cr, 0, 87, 184);
	svd_slime(cr, &v, left[0], left[1], -1, ball[0], ball[1]);
	svd_rgb(cr, 254, 221, 0);
	svd_slime(cr, &v, right[0], right[1], 1, ball[0], ball[1]);
	svd_rgb(cr, 217, 79, 0);
	svd_disc(cr, &v, ball[0], ball[1], 0.5);
	/* ground */
	svd_rgb(cr, 116, 114, 117);
	cairo_rectangle(cr, 0, svd_y(&v, 1.5), w, 1.5 * v.scale);
	cairo_fill(cr);
}

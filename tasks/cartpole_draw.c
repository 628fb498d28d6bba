/* cartpole_draw.c - a CartPoleSwingUp world drawn with cairo
 * (task_host_ops.draw), after EvoJAX's CartPoleSwingUp.render: white
 * background, a black horizon under the wheels, a red cart (0.4 x 0.2 m)
 * with grey wheels, a blue pole of the physical length (0.6 m) from the
 * cart's centre; here also posts at the track limits (|x| = 2.4 m, where
 * the episode ends).  The view spans x in [-3, 3] m (EvoJAX: 100 px per
 * metre on 600 px). */
#include <cairo.h>
#include <math.h>

#include "tasks/cartpole.h"

void cartpole_draw(const void *cfg, cairo_t *cr, const float *s, int w,
		   int h)
{
	const double scale = fmin(w / 6.0, h / 2.4); /* pixels per metre */
	const double cart_w = 0.4 * scale, cart_h = 0.2 * scale;
	const double wheel = 0.05 * scale;
	const double cy = h * 2.0 / 3.0;                /* cart centre */
	const double ground = cy + cart_h / 2 + wheel;  /* horizon */
	const double cx = w / 2.0 + s[0] * scale;
	const double th = s[2], pole = 0.6 * scale;

	(void)cfg;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_line_width(cr, 1.0);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_move_to(cr, 0, ground);
	cairo_line_to(cr, w, ground);
	cairo_stroke(cr);
	/* track limits */
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(cr, 2.0);
	for (int side = -1; side <= 1; side += 2) {
		double x = w / 2.0 + side * 2.4 * scale;

		cairo_move_to(cr, x, ground);
		cairo_line_to(cr, x, ground - 0.25 * scale);
	}
	cairo_stroke(cr);
	/* cart and wheels */
	cairo_rectangle(cr, cx - cart_w / 2, cy - cart_h / 2, cart_w, cart_h);
	cairo_set_source_rgb(cr, 1, 0, 0);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1.0);
	cairo_stroke(cr);
	for (int side = -1; side <= 1; side += 2) {
		cairo_new_sub_path(cr);
		cairo_arc(cr, cx + side * cart_w / 2, cy + cart_h / 2, wheel, 0,
			  2 * 3.14159265358979);
		cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_stroke(cr);
	}
	/* pole: theta 0 is upright, pi hangs down */
	cairo_set_source_rgb(cr, 0, 0, 1);
	cairo_set_line_width(cr, 0.06 * scale);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	cairo_move_to(cr, cx, cy);
	cairo_line_to(cr, cx + pole * sin(th), cy - pole * cos(th));
	cairo_stroke(cr);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

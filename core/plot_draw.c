/* plot_draw.c - `evojax plot`: the drawing (cairo), one code path for SVG
 * and PNG; what is drawn: core/plot.h. */
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/plot.h"

/* matplotlib's tab10 */
const unsigned plot_colors[PLOT_N_COLORS] = {
	0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
	0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
};

#define PD_LEGEND_W 170.0
#define PD_ROW 16.0

typedef struct pd_frame {
	double x0, x1, y0, y1;     /* plot area, pixels (y0 top) */
	double lx, hx, ly, hy;     /* data range */
	double sx, sy;             /* tick steps */
} pd_frame;

static double pd_px(const pd_frame *f, double x)
{
	return f->x0 + (x - f->lx) / (f->hx - f->lx) * (f->x1 - f->x0);
}

static double pd_py(const pd_frame *f, double y)
{
	return f->y1 - (y - f->ly) / (f->hy - f->ly) * (f->y1 - f->y0);
}

static void pd_rgb(cairo_t *cr, unsigned c, double alpha)
{
	cairo_set_source_rgba(cr, (c >> 16 & 255) / 255.0,
			      (c >> 8 & 255) / 255.0, (c & 255) / 255.0, alpha);
}

static unsigned pd_color(size_t i) { return plot_colors[i % PLOT_N_COLORS]; }

/* A round tick step giving about 'ticks' intervals over range. */
static double pd_step(double range, int ticks)
{
	double raw = range / ticks, mag = pow(10.0, floor(log10(raw)));
	double m = raw / mag;

	return (m < 1.5 ? 1.0 : m < 3.0 ? 2.0 : m < 7.0 ? 5.0 : 10.0) * mag;
}

static void pd_widen(double *lo, double *hi)
{
	if (!(*lo <= *hi)) {
		*lo = 0.0;
		*hi = 1.0;
	} else if (*hi - *lo < 1e-12 * fmax(1.0, fabs(*hi))) {
		*lo -= 1.0;
		*hi += 1.0;
	}
}

static void pd_range(const plot_data *d, pd_frame *f)
{
	double lx = INFINITY, hx = -INFINITY, ly = INFINITY, hy = -INFINITY;

	for (size_t i = 0; i < d->n; i++) {
		const plot_series *s = &d->s[i];

		for (size_t j = 0; j < s->n_train; j++) {
			const plot_train *t = &s->train[j];
			const double v[3] = { t->min, t->avg, t->max };

			lx = fmin(lx, t->iter);
			hx = fmax(hx, t->iter);
			for (int k = 0; k < 3; k++)
				if (isfinite(v[k])) {
					ly = fmin(ly, v[k]);
					hy = fmax(hy, v[k]);
				}
		}
		for (size_t j = 0; j < s->n_test; j++) {
			lx = fmin(lx, s->test[j].iter);
			hx = fmax(hx, s->test[j].iter);
			if (isfinite(s->test[j].avg)) {
				ly = fmin(ly, s->test[j].avg);
				hy = fmax(hy, s->test[j].avg);
			}
		}
	}
	pd_widen(&lx, &hx);
	pd_widen(&ly, &hy);
	f->sx = fmax(pd_step(hx - lx, 6), 1.0); /* whole iterations */
	f->sy = pd_step(hy - ly, 6);
	f->lx = floor(lx / f->sx) * f->sx;
	f->hx = ceil(hx / f->sx) * f->sx;
	f->ly = floor(ly / f->sy) * f->sy;
	f->hy = ceil(hy / f->sy) * f->sy;
}

static void pd_text(cairo_t *cr, const char *s, double x, double y,
		    double align)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * (e.width + e.x_bearing), y);
	cairo_show_text(cr, s);
}

static void pd_font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD
				    : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Grid, ticks with their labels, axis labels. */
static void pd_axes(cairo_t *cr, const pd_frame *f)
{
	char buf[32];

	cairo_set_line_width(cr, 1.0);
	pd_font(cr, 11.0, false);
	for (double x = f->lx; x <= f->hx + f->sx * 1e-6; x += f->sx) {
		double px = round(pd_px(f, x)) + 0.5;

		pd_rgb(cr, 0xe5e5e5, 1.0);
		cairo_move_to(cr, px, f->y0);
		cairo_line_to(cr, px, f->y1);
		cairo_stroke(cr);
		pd_rgb(cr, 0x333333, 1.0);
		snprintf(buf, sizeof(buf), "%g", fabs(x) < f->sx * 1e-6 ? 0.0 : x);
		pd_text(cr, buf, px, f->y1 + 15.0, 0.5);
	}
	for (double y = f->ly; y <= f->hy + f->sy * 1e-6; y += f->sy) {
		double py = round(pd_py(f, y)) + 0.5;

		pd_rgb(cr, 0xe5e5e5, 1.0);
		cairo_move_to(cr, f->x0, py);
		cairo_line_to(cr, f->x1, py);
		cairo_stroke(cr);
		pd_rgb(cr, 0x333333, 1.0);
		snprintf(buf, sizeof(buf), "%g", fabs(y) < f->sy * 1e-6 ? 0.0 : y);
		pd_text(cr, buf, f->x0 - 6.0, py + 4.0, 1.0);
	}
	cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
	cairo_stroke(cr);
	pd_font(cr, 12.0, false);
	pd_text(cr, "iteration", (f->x0 + f->x1) / 2, f->y1 + 34.0, 0.5);
	cairo_save(cr);
	cairo_translate(cr, 16.0, (f->y0 + f->y1) / 2);
	cairo_rotate(cr, -3.14159265358979 / 2);
	pd_text(cr, "score (train: population, test: best)", 0.0, 0.0, 0.5);
	cairo_restore(cr);
}

static double pd_member(const plot_train *t, size_t off)
{
	return *(const double *)((const char *)t + off);
}

/* The min-max band, one closed shape per run of finite points. */
static void pd_band(cairo_t *cr, const pd_frame *f, const plot_series *s)
{
	size_t i = 0;

	while (i < s->n_train) {
		size_t j = i;

		while (j < s->n_train && isfinite(s->train[j].min) &&
		       isfinite(s->train[j].max))
			j++;
		if (j > i) {
			for (size_t k = i; k < j; k++)
				cairo_line_to(cr, pd_px(f, s->train[k].iter),
					      pd_py(f, s->train[k].max));
			for (size_t k = j; k-- > i;)
				cairo_line_to(cr, pd_px(f, s->train[k].iter),
					      pd_py(f, s->train[k].min));
			cairo_close_path(cr);
			cairo_new_sub_path(cr);
		}
		i = j + 1;
	}
	cairo_fill(cr);
}

/* One train member (offset in plot_train) as a polyline, broken at
 * non-finite values. */
static void pd_line(cairo_t *cr, const pd_frame *f, const plot_series *s,
		    size_t off)
{
	bool pen = false;

	for (size_t k = 0; k < s->n_train; k++) {
		double v = pd_member(&s->train[k], off);

		if (!isfinite(v)) {
			pen = false;
			continue;
		}
		(pen ? cairo_line_to : cairo_move_to)(cr, pd_px(f, s->train[k].iter),
						       pd_py(f, v));
		pen = true;
	}
	cairo_stroke(cr);
}

static void pd_dot(cairo_t *cr, double x, double y, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x, y, r, 0.0, 2 * 3.14159265358979);
}

static void pd_triangle(cairo_t *cr, double x, double y, double r)
{
	cairo_move_to(cr, x - r, y - 1.6 * r);
	cairo_line_to(cr, x + r, y - 1.6 * r);
	cairo_line_to(cr, x, y - 0.2 * r);
	cairo_close_path(cr);
}

/* Where an exploit mark goes: the test score at that iteration, else the
 * train mean at the last iteration up to it. */
static double pd_exploit_y(const plot_series *s, double iter)
{
	double y = NAN;

	for (size_t k = 0; k < s->n_test; k++)
		if (s->test[k].iter == iter)
			return s->test[k].avg;
	for (size_t k = 0; k < s->n_train && s->train[k].iter <= iter; k++)
		y = s->train[k].avg;
	return y;
}

static void pd_series_lines(cairo_t *cr, const pd_frame *f,
			    const plot_series *s, unsigned c)
{
	pd_rgb(cr, c, 0.8);
	cairo_set_line_width(cr, 1.0);
	pd_line(cr, f, s, offsetof(plot_train, max));
	pd_rgb(cr, c, 1.0);
	cairo_set_line_width(cr, 2.0);
	pd_line(cr, f, s, offsetof(plot_train, avg));
}

/* Pass 0 of a series: its band; 1: its train lines; 2: its test scores
 * and exploit marks.  All series' bands go first, marks last. */
static void pd_series(cairo_t *cr, const pd_frame *f, const plot_series *s,
		      unsigned c, int pass)
{
	static const double dash[] = { 4.0, 3.0 };
	bool pen = false;

	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	if (pass == 0) {
		pd_rgb(cr, c, 0.15);
		pd_band(cr, f, s);
		return;
	}
	if (pass == 1) {
		pd_series_lines(cr, f, s, c);
		return;
	}
	/* test scores: a dashed line through dots */
	pd_rgb(cr, c, 1.0);
	cairo_set_line_width(cr, 1.25);
	cairo_set_dash(cr, dash, 2, 0.0);
	for (size_t k = 0; k < s->n_test; k++) {
		if (!isfinite(s->test[k].avg)) {
			pen = false;
			continue;
		}
		(pen ? cairo_line_to : cairo_move_to)(cr, pd_px(f, s->test[k].iter),
						       pd_py(f, s->test[k].avg));
		pen = true;
	}
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0.0);
	for (size_t k = 0; k < s->n_test; k++)
		if (isfinite(s->test[k].avg))
			pd_dot(cr, pd_px(f, s->test[k].iter),
			       pd_py(f, s->test[k].avg), 3.5);
	cairo_fill(cr);
	for (size_t k = 0; k < s->n_exploit; k++) {
		double y = pd_exploit_y(s, s->exploit[k]);

		if (isfinite(y))
			pd_triangle(cr, pd_px(f, s->exploit[k]), pd_py(f, y), 5.0);
	}
	cairo_fill_preserve(cr);
	pd_rgb(cr, 0x000000, 1.0);
	cairo_set_line_width(cr, 1.0);
	cairo_stroke(cr);
}

/* The legend, from (x, y) down to y_end: a swatch per series, then the
 * key of the styles. */
static void pd_legend(cairo_t *cr, const plot_data *d, double x, double y,
		      double y_end)
{
	bool exploits = false;
	int key_rows, fit;
	char more[32];

	for (size_t i = 0; i < d->n; i++)
		exploits |= d->s[i].n_exploit > 0;
	key_rows = exploits ? 6 : 5;
	fit = (int)((y_end - y) / PD_ROW) - key_rows;
	fit = fit < 1 ? 1 : fit;
	pd_font(cr, 11.0, false);
	for (size_t i = 0; i < d->n; i++, y += PD_ROW) {
		if ((int)i == fit - 1 && d->n > (size_t)fit) {
			snprintf(more, sizeof(more), "+%zu more", d->n - i);
			pd_rgb(cr, 0x333333, 1.0);
			pd_text(cr, more, x + 20.0, y + 4.0, 0.0);
			y += PD_ROW;
			break;
		}
		pd_rgb(cr, pd_color(i), 1.0);
		cairo_rectangle(cr, x, y - 5.0, 14.0, 10.0);
		cairo_fill(cr);
		pd_rgb(cr, 0x333333, 1.0);
		pd_text(cr, d->s[i].label, x + 20.0, y + 4.0, 0.0);
	}
	y += PD_ROW / 2;
	pd_rgb(cr, 0x555555, 1.0);
	for (int k = 0; k < 2; k++, y += PD_ROW) {
		cairo_set_line_width(cr, 2.0 - k);
		cairo_move_to(cr, x, y);
		cairo_rel_line_to(cr, 14.0, 0.0);
		cairo_stroke(cr);
		pd_text(cr, k ? "train max" : "train mean", x + 20.0, y + 4.0, 0.0);
	}
	pd_rgb(cr, 0x555555, 0.25);
	cairo_rectangle(cr, x, y - 5.0, 14.0, 10.0);
	cairo_fill(cr);
	pd_rgb(cr, 0x555555, 1.0);
	pd_text(cr, "train min-max", x + 20.0, y + 4.0, 0.0);
	y += PD_ROW;
	pd_dot(cr, x + 7.0, y, 3.5);
	cairo_fill(cr);
	pd_text(cr, "test score", x + 20.0, y + 4.0, 0.0);
	if (exploits) {
		y += PD_ROW;
		pd_triangle(cr, x + 7.0, y + 4.0, 5.0);
		cairo_stroke(cr);
		pd_text(cr, "exploit (weights copied in)", x + 20.0, y + 4.0, 0.0);
	}
}

static void pd_draw(cairo_t *cr, const plot_data *d, int w, int h)
{
	pd_frame f = { .x0 = 64.0, .x1 = w - PD_LEGEND_W - 16.0, .y0 = 40.0,
		       .y1 = h - 48.0 };

	pd_range(d, &f);
	pd_rgb(cr, 0xffffff, 1.0);
	cairo_paint(cr);
	pd_rgb(cr, 0x111111, 1.0);
	pd_font(cr, 14.0, true);
	pd_text(cr, d->title, w / 2.0, 24.0, 0.5);
	pd_axes(cr, &f);
	/* every point lies in the range: the clip (6 px around the frame,
	 * for the marks) only guards against the unforeseen */
	cairo_save(cr);
	cairo_rectangle(cr, f.x0 - 6.0, f.y0 - 6.0, f.x1 - f.x0 + 12.0,
			f.y1 - f.y0 + 12.0);
	cairo_clip(cr);
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < d->n; i++)
			pd_series(cr, &f, &d->s[i], pd_color(i), pass);
	cairo_restore(cr);
	pd_legend(cr, d, f.x1 + 16.0, f.y0 + 6.0, f.y1);
}

typedef struct pd_buf {
	unsigned char *p;
	size_t len, cap;
} pd_buf;

static cairo_status_t pd_write(void *closure, const unsigned char *data,
			       unsigned int n)
{
	pd_buf *b = closure;

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		unsigned char *g;

		while (cap < b->len + n)
			cap *= 2;
		if (!(g = realloc(b->p, cap)))
			return CAIRO_STATUS_NO_MEMORY;
		b->p = g;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return CAIRO_STATUS_SUCCESS;
}

static bool pd_ends(const char *s, const char *ext)
{
	size_t n = strlen(s), e = strlen(ext);

	return n > e && strcmp(s + n - e, ext) == 0;
}

int plot_write(const plot_data *d, const char *path, int w, int h,
	       ej_err *err)
{
	bool svg = pd_ends(path, ".svg");
	pd_buf b = { 0 };
	cairo_surface_t *surf;
	cairo_status_t st;
	cairo_t *cr;
	int rc;

	if (!svg && !pd_ends(path, ".png"))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'%s': the picture's name must end in .svg or .png",
			       path);
	if (w < 400 || h < 240 || w > 8192 || h > 8192)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "a plot size of %d x %d is out of range (400 to 8192 wide, 240 to 8192 high)",
			       w, h);
	surf = svg ? cairo_svg_surface_create_for_stream(pd_write, &b, w, h)
		   : cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cr = cairo_create(surf);
	pd_draw(cr, d, w, h);
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS) {
		if (svg) {
			cairo_surface_finish(surf);
			st = cairo_surface_status(surf);
		} else {
			st = cairo_surface_write_to_png_stream(surf, pd_write, &b);
		}
	}
	cairo_surface_destroy(surf);
	rc = st == CAIRO_STATUS_SUCCESS
		     ? fio_write_atomic(path, b.p, b.len, err)
		     : ej_fail(err, EJ_EXIT_RUN, "cannot draw '%s': %s", path,
			       cairo_status_to_string(st));
	free(b.p);
	return rc;
}

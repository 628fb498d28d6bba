#include "core/gif.h"

#include <gif_lib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

#define GIF_GREYS 40

struct gif_writer {
	GifFileType *gif;     /* NULL after gif_save */
	int w, h, frames;
	unsigned char *cur;   /* (h, w) palette indices of the new frame */
	unsigned char *prev;  /* (h, w) of the frame before */
	unsigned char *buf;   /* the file so far */
	size_t len, cap;
	bool oom;             /* the output function ran out of memory */
};

static int gif_level(int v) { return (v * 5 + 127) / 255; }     /* 0..5 */
static int gif_grey(int k) { return (k * 255 + GIF_GREYS / 2 - 1) / (GIF_GREYS - 1); }

uint32_t gif_palette_rgb(int i)
{
	if (i < GIF_CUBE) {
		uint32_t r = (uint32_t)(i / 36) * 51, g = (uint32_t)(i / 6 % 6) * 51;

		return r << 16 | g << 8 | (uint32_t)(i % 6) * 51;
	}
	return (uint32_t)gif_grey(i - GIF_CUBE) * 0x010101u;
}

static int gif_dist(uint32_t c, int r, int g, int b)
{
	int dr = (int)(c >> 16) - r, dg = (int)(c >> 8 & 255) - g;
	int db = (int)(c & 255) - b;

	return dr * dr + dg * dg + db * db;
}

int gif_palette_index(int r, int g, int b)
{
	int cube = 36 * gif_level(r) + 6 * gif_level(g) + gif_level(b);
	int k = ((r + g + b) * (GIF_GREYS - 1) + 382) / 765; /* nearest grey of the mean */
	int grey = GIF_CUBE + k;

	return gif_dist(gif_palette_rgb(grey), r, g, b) <
			       gif_dist(gif_palette_rgb(cube), r, g, b)
		       ? grey
		       : cube;
}

/* giflib's output function: append to the writer's buffer. */
static int gif_out(GifFileType *gif, const GifByteType *data, int n)
{
	gif_writer *g = gif->UserData;

	if (g->len + (size_t)n > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 65536;
		unsigned char *grown;

		while (cap < g->len + (size_t)n)
			cap *= 2;
		if (!(grown = realloc(g->buf, cap))) {
			g->oom = true;
			return 0;
		}
		g->buf = grown;
		g->cap = cap;
	}
	memcpy(g->buf + g->len, data, (size_t)n);
	g->len += (size_t)n;
	return n;
}

static int gif_fail(gif_writer *g, int code, ej_err *err)
{
	if (g->oom)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return ej_fail(err, EJ_EXIT_RUN, "cannot encode the GIF: %s",
		       GifErrorString(code));
}

void gif_free(gif_writer *g)
{
	int code;

	if (!g)
		return;
	if (g->gif)
		EGifCloseFile(g->gif, &code);
	free(g->cur);
	free(g->prev);
	free(g->buf);
	free(g);
}

gif_writer *gif_create(int w, int h, ej_err *err)
{
	gif_writer *g = calloc(1, sizeof(*g));
	GifColorType colors[256];
	ColorMapObject *map = NULL;
	/* NETSCAPE2.0 sub-block: loop forever */
	static const unsigned char loop[3] = { 1, 0, 0 };
	int code = 0;

	if (w < 1 || h < 1 || w > 65535 || h > 65535) {
		free(g);
		ej_fail(err, EJ_EXIT_USAGE,
			"a GIF is 1 to 65535 pixels wide and high, not %d x %d",
			w, h);
		return NULL;
	}
	if (!g || !(g->cur = malloc((size_t)w * (size_t)h)) ||
	    !(g->prev = malloc((size_t)w * (size_t)h)))
		goto oom;
	g->w = w;
	g->h = h;
	for (int i = 0; i < 256; i++) {
		uint32_t c = gif_palette_rgb(i);

		colors[i] = (GifColorType){ (GifByteType)(c >> 16),
					    (GifByteType)(c >> 8 & 255),
					    (GifByteType)(c & 255) };
	}
	if (!(map = GifMakeMapObject(256, colors)))
		goto oom;
	if (!(g->gif = EGifOpen(g, gif_out, &code)))
		goto fail;
	EGifSetGifVersion(g->gif, true);
	if (EGifPutScreenDesc(g->gif, w, h, 8, 0, map) == GIF_ERROR ||
	    EGifPutExtensionLeader(g->gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
	    EGifPutExtensionBlock(g->gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
	    EGifPutExtensionBlock(g->gif, 3, loop) == GIF_ERROR ||
	    EGifPutExtensionTrailer(g->gif) == GIF_ERROR) {
		code = g->gif->Error;
		goto fail;
	}
	GifFreeMapObject(map);
	return g;
oom:
	GifFreeMapObject(map);
	gif_free(g);
	ej_fail(err, EJ_EXIT_RUN, "out of memory");
	return NULL;
fail:
	gif_fail(g, code, err);
	GifFreeMapObject(map);
	gif_free(g);
	return NULL;
}

int gif_frames(const gif_writer *g) { return g->frames; }

int gif_add_frame(gif_writer *g, const uint32_t *argb, int stride_px,
		  int delay_cs, ej_err *err)
{
	GraphicsControlBlock gcb = { .DisposalMode = DISPOSE_DO_NOT,
				     .UserInputFlag = false,
				     .DelayTime = delay_cs,
				     .TransparentColor = NO_TRANSPARENT_COLOR };
	GifByteType ext[4];
	int x0 = g->w, y0 = g->h, x1 = -1, y1 = -1;
	unsigned char *swap;

	if (!g->gif)
		return ej_fail(err, EJ_EXIT_RUN, "the GIF is already saved");
	for (int y = 0; y < g->h; y++) {
		const uint32_t *row = argb + (size_t)y * (size_t)stride_px;
		unsigned char *out = g->cur + (size_t)y * (size_t)g->w;
		const unsigned char *was = g->prev + (size_t)y * (size_t)g->w;

		for (int x = 0; x < g->w; x++) {
			uint32_t p = row[x];

			out[x] = (unsigned char)gif_palette_index(
				(int)(p >> 16 & 255), (int)(p >> 8 & 255),
				(int)(p & 255));
			if (g->frames == 0 || out[x] != was[x]) {
				x0 = x < x0 ? x : x0;
				x1 = x > x1 ? x : x1;
				y0 = y < y0 ? y : y0;
				y1 = y;
			}
		}
	}
	if (x1 < 0)
		x0 = y0 = x1 = y1 = 0; /* unchanged: one pixel, as it was */
	if (EGifGCBToExtension(&gcb, ext) != 4 ||
	    EGifPutExtension(g->gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR ||
	    EGifPutImageDesc(g->gif, x0, y0, x1 - x0 + 1, y1 - y0 + 1, false,
			     NULL) == GIF_ERROR)
		return gif_fail(g, g->gif->Error, err);
	for (int y = y0; y <= y1; y++)
		if (EGifPutLine(g->gif, g->cur + (size_t)y * (size_t)g->w + x0,
				x1 - x0 + 1) == GIF_ERROR)
			return gif_fail(g, g->gif->Error, err);
	swap = g->prev;
	g->prev = g->cur;
	g->cur = swap;
	g->frames++;
	return 0;
}

int gif_save(gif_writer *g, const char *path, ej_err *err)
{
	int code = 0;

	if (!g->gif)
		return ej_fail(err, EJ_EXIT_RUN, "the GIF is already saved");
	if (EGifCloseFile(g->gif, &code) == GIF_ERROR) {
		g->gif = NULL;
		return gif_fail(g, code, err);
	}
	g->gif = NULL;
	return fio_write_atomic(path, g->buf, g->len, err);
}

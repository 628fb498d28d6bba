/* gif.h - animated GIF writing with giflib: 32-bit frames in, a looping
 * GIF89a out, written atomically (core/fileio.h).
 *
 * Palette: one fixed global palette of 256 colours, the 6 x 6 x 6 colour
 * cube (levels 0, 51, ..., 255; index 36 r + 6 g + b) and a ramp of 40
 * greys (index 216 + k, k = 0..39, grey round(255 k / 39)); each pixel
 * takes the nearest of its nearest cube colour and its nearest grey
 * (squared RGB distance), without dithering.  Flat drawings in few
 * colours survive it (pick colours on the cube when they matter);
 * photographs would not.
 * Frames: the first is the whole canvas; each later one is the smallest
 * rectangle holding every pixel that changed (1 x 1 when none did),
 * drawn over the previous frame (disposal "do not dispose"), so a GIF of
 * F frames has F image descriptors.  The NETSCAPE2.0 extension makes it
 * loop forever.
 */
#ifndef EJ_GIF_H
#define EJ_GIF_H

#include <stdint.h>

#include "core/err.h"

#define GIF_CUBE 216 /* first grey index */

typedef struct gif_writer gif_writer;

/* A w x h animation, built in memory until gif_save.  NULL on error. */
gif_writer *gif_create(int w, int h, ej_err *err);
/* Append a frame: argb (h rows of stride_px pixels, cairo's
 * CAIRO_FORMAT_ARGB32 or RGB24: 0xAARRGGBB in native order, opaque),
 * shown for delay_cs hundredths of a second (2..65535). */
int gif_add_frame(gif_writer *g, const uint32_t *argb, int stride_px,
		  int delay_cs, ej_err *err);
int gif_frames(const gif_writer *g);
/* Finish and write the file atomically ("cannot write 'path': ...").
 * The writer takes no frames after it. */
int gif_save(gif_writer *g, const char *path, ej_err *err);
void gif_free(gif_writer *g);

/* The palette index of a colour (as gif_add_frame maps pixels) and the
 * palette colour of an index, 0xRRGGBB. */
int gif_palette_index(int r, int g, int b);
uint32_t gif_palette_rgb(int index);

#endif

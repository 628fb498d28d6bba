/* fuzz_file.h - for harnesses of readers that take a path: the input
 * bytes written to a file (no fsync: fio_write_atomic's would cost a
 * hundredfold in executions per second). */
#ifndef EJ_FUZZ_FILE_H
#define EJ_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>

/* n bytes of p into path: 0, or -1 when it cannot be written. */
static inline int fuzz_put(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

#endif

/* Room in the arrays of lib/metrics/ (cgh_metrics_grow.h). */
#include <errno.h>
#include <stdlib.h>

#include "cgh_metrics_grow.h"

int cgh_metrics_grow(void **v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t want = *cap ? *cap * 2 : first;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, want * size);
	if (p == NULL)
		return -ENOMEM;
	*v = p;
	*cap = want;
	return 0;
}

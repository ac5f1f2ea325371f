/* Internal to lib/metrics/: room for one more element of an array. */
#ifndef CGH_METRICS_GROW_H
#define CGH_METRICS_GROW_H

#include <stddef.h>

/* Makes *v (n elements of size bytes, room for *cap) hold n + 1, doubling
 * from first.  0, or -ENOMEM with *v as it was. */
int cgh_metrics_grow(void **v, size_t *cap, size_t n, size_t size, size_t first);

#endif

/* The `watch` section of cgherd.conf (lib/watch/watch_config.c): the
 * loader's handler for it, its defaults, and what cgh_config_free frees. */
#ifndef CGH_WATCH_CONFIG_H
#define CGH_WATCH_CONFIG_H

#include "cgh_config_loader.h"

int cgh_watch_config_load(struct cgh_loader *ld, const config_setting_t *group,
			  const char *where);
void cgh_watch_config_defaults(struct cgh_watch_config *w);
void cgh_watch_config_free(struct cgh_watch_config *w);

#endif

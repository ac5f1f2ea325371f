/* The `penalties` section of cgherd.conf (lib/penalty/penalty_config.c):
 * read into cfg->penalties by every loader, as the watch section is, and
 * freed with the config. */
#ifndef CGH_PENALTY_CONFIG_H
#define CGH_PENALTY_CONFIG_H

#include <libconfig.h>

#include "cgh_config.h"

struct cgh_loader;

int cgh_penalties_load(struct cgh_loader *ld, const config_setting_t *s, const char *where);
void cgh_penalties_free(struct cgh_config *cfg);

#endif

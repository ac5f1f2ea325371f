/* The `notices` section of cgherd.conf (lib/notice/notice_config.c): the
 * loader's handler for it and its defaults. */
#ifndef CGH_NOTICE_CONFIG_H
#define CGH_NOTICE_CONFIG_H

#include "cgh_config_loader.h"

int cgh_notice_config_load(struct cgh_loader *ld, const config_setting_t *group,
			   const char *where);
void cgh_notice_config_defaults(struct cgh_notices_config *n);

#endif

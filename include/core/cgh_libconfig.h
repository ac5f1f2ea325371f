/* libconfig, loaded (dlopen) the first time a text is parsed: a login whose
 * config comes from the cache (lib/cache/) does not load it, with module
 * arguments or without (module_args.c builds their settings itself).  The
 * config loader (lib/core/config*.c, module_args.c, through
 * cgh_config_loader.h) includes this instead of libconfig.h: the macros
 * below send its calls through the loaded library.  When the library cannot
 * be loaded, config_read_string fails with the reason in config_error_text. */
#ifndef CGH_LIBCONFIG_H
#define CGH_LIBCONFIG_H

#include <libconfig.h>

#ifndef CGH_LIBCONFIG_SONAME
#define CGH_LIBCONFIG_SONAME "libconfig.so.9"
#endif

void cgh_lc_init(config_t *c);
void cgh_lc_destroy(config_t *c);
int cgh_lc_read_string(config_t *c, const char *text);
int cgh_lc_setting_length(const config_setting_t *s);
config_setting_t *cgh_lc_setting_get_elem(const config_setting_t *s, unsigned int i);
const char *cgh_lc_setting_get_string(const config_setting_t *s);
int cgh_lc_setting_get_bool(const config_setting_t *s);
long long cgh_lc_setting_get_int64(const config_setting_t *s);

#ifndef CGH_LIBCONFIG_IMPL
#define config_init cgh_lc_init
#define config_destroy cgh_lc_destroy
#define config_read_string cgh_lc_read_string
#define config_setting_length cgh_lc_setting_length
#define config_setting_get_elem cgh_lc_setting_get_elem
#define config_setting_get_string cgh_lc_setting_get_string
#define config_setting_get_bool cgh_lc_setting_get_bool
#define config_setting_get_int64 cgh_lc_setting_get_int64
#endif

#endif

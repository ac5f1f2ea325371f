/* libconfig through dlopen (see cgh_libconfig.h).  Loaded once per process
 * (pthread_once), never unloaded. */
#define CGH_LIBCONFIG_IMPL
#include <dlfcn.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cgh_libconfig.h"

static struct {
	void (*init)(config_t *c);
	void (*destroy)(config_t *c);
	int (*read_string)(config_t *c, const char *text);
	int (*setting_length)(const config_setting_t *s);
	config_setting_t *(*setting_get_elem)(const config_setting_t *s, unsigned int i);
	long long (*setting_get_int64)(const config_setting_t *s);
} lc;
static bool loaded;
static char why[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool resolve(void *h, const char *name, void *fn, size_t size)
{
	void *p = dlsym(h, name);

	if (p == NULL) {
		snprintf(why, sizeof(why), "%s has no %s", CGH_LIBCONFIG_SONAME, name);
		return false;
	}
	memcpy(fn, &p, size);	/* a data pointer to a function pointer, as dlsym(3) says */
	return true;
}

#define RESOLVE(h, field, name) resolve(h, name, &lc.field, sizeof(lc.field))

static void load(void)
{
	void *h = dlopen(CGH_LIBCONFIG_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(why, sizeof(why), "cannot load %s: %s", CGH_LIBCONFIG_SONAME, dlerror());
		return;
	}
	loaded = RESOLVE(h, init, "config_init") && RESOLVE(h, destroy, "config_destroy") &&
		 RESOLVE(h, read_string, "config_read_string") &&
		 RESOLVE(h, setting_length, "config_setting_length") &&
		 RESOLVE(h, setting_get_elem, "config_setting_get_elem") &&
		 RESOLVE(h, setting_get_int64, "config_setting_get_int64");
}

void cgh_lc_init(config_t *c)
{
	pthread_once(&once, load);
	if (loaded) {
		lc.init(c);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->error_text = why;
}

void cgh_lc_destroy(config_t *c)
{
	if (loaded)
		lc.destroy(c);
}

int cgh_lc_read_string(config_t *c, const char *text)
{
	return loaded ? lc.read_string(c, text) : CONFIG_FALSE;
}

int cgh_lc_setting_length(const config_setting_t *s)
{
	return lc.setting_length(s);
}

config_setting_t *cgh_lc_setting_get_elem(const config_setting_t *s, unsigned int i)
{
	return lc.setting_get_elem(s, i);
}

/* The two scalar reads are the public struct's fields, as libconfig reads
 * them: a setting built from a module argument (module_args.c) needs no
 * library loaded. */
const char *cgh_lc_setting_get_string(const config_setting_t *s)
{
	return s->type == CONFIG_TYPE_STRING ? s->value.sval : NULL;
}

int cgh_lc_setting_get_bool(const config_setting_t *s)
{
	return s->type == CONFIG_TYPE_BOOL ? s->value.ival : 0;
}

long long cgh_lc_setting_get_int64(const config_setting_t *s)
{
	return lc.setting_get_int64(s);
}

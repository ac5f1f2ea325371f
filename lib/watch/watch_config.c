/* The `watch = { ... }` section of cgherd.conf: read by `cgherd watch`,
 * validated by every loader (so that `cgherd check` and the module refuse
 * what watch would refuse), its defaults, and its one owned field. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config_loader.h"
#include "cgh_value.h"
#include "cgh_watch.h"
#include "cgh_watch_config.h"

#define WHY_MAX 160

void cgh_watch_config_defaults(struct cgh_watch_config *w)
{
	w->reclaim_interval = CGH_WATCH_INTERVAL_DEFAULT;
	w->reclaim_cooldown = CGH_WATCH_COOLDOWN_DEFAULT;
	w->pressure_stall_us = CGH_PSI_STALL_DEFAULT;
	w->pressure_window_us = CGH_PSI_WINDOW_DEFAULT;
	w->pressure_grace = CGH_PSI_GRACE_DEFAULT;
	w->metrics_interval = CGH_METRICS_INTERVAL_DEFAULT;
}

void cgh_watch_config_free(struct cgh_watch_config *w)
{
	cgh_cmd_free(w->on_oom);
	w->on_oom = NULL;
	free(w->metrics_file);
	w->metrics_file = NULL;
}

static int load_on_oom(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	const char *v = NULL;
	char why[WHY_MAX];
	char **argv = NULL;
	int r;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	r = cgh_cmd_split(v, &argv, why, sizeof(why));
	if (r < 0)
		return cgh_ld_bad(ld, s, where, "%s", why);
	cgh_cmd_free(ld->cfg->watch.on_oom);
	ld->cfg->watch.on_oom = argv;
	return 0;
}

/* "80%" of the leaf's memory.max, or a size ("400M", bytes); 0 turns it off. */
static int load_reclaim_threshold(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_watch_config *w = &ld->cfg->watch;
	const char *v = NULL;
	uint64_t n = 0;

	w->reclaim_percent = 0;
	w->reclaim_bytes = 0;
	if (cgh_ld_is_int(s)) {
		long long i = config_setting_get_int64(s);
		if (i < 0)
			return cgh_ld_bad(ld, s, where, "%lld out of range", i);
		w->reclaim_bytes = (uint64_t)i;
		return 0;
	}
	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	size_t len = strlen(v);
	if (len > 1 && v[len - 1] == '%') {
		char digits[8];
		if (len - 1 >= sizeof(digits))
			return cgh_ld_bad(ld, s, where, "invalid percentage \"%s\" (1-100%%)", v);
		memcpy(digits, v, len - 1);
		digits[len - 1] = '\0';
		if (cgh_parse_u64(digits, &n) < 0 || n < 1 || n > 100)
			return cgh_ld_bad(ld, s, where, "invalid percentage \"%s\" (1-100%%)", v);
		w->reclaim_percent = (unsigned)n;
		return 0;
	}
	if (cgh_parse_size(v, 0, &n) < 0 || n == CGH_UNLIMITED)
		return cgh_ld_bad(ld, s, where, "invalid threshold \"%s\" (N%% of memory_max, or bytes with K/M/G/T)", v);
	w->reclaim_bytes = n;
	return 0;
}

/* An absolute path, "" for none. */
static int load_metrics_file(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_watch_config *w = &ld->cfg->watch;
	const char *v = NULL;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (v[0] != '\0' && v[0] != '/')
		return cgh_ld_bad(ld, s, where, "\"%s\" is not an absolute path", v);
	free(w->metrics_file);
	w->metrics_file = v[0] != '\0' ? strdup(v) : NULL;
	return v[0] != '\0' && w->metrics_file == NULL ? cgh_ld_bad(ld, s, where, "out of memory") : 0;
}

/* "15s", "1m", or an integer of seconds. */
static int load_metrics_interval(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_watch_config *w = &ld->cfg->watch;
	const char *v = NULL;
	uint64_t n = 0;

	if (cgh_ld_is_int(s))
		return cgh_ld_get_uint(ld, s, where, 1, CGH_METRICS_INTERVAL_MAX, &w->metrics_interval);
	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (cgh_parse_seconds(v, &n) < 0 || n > CGH_METRICS_INTERVAL_MAX)
		return cgh_ld_bad(ld, s, where, "invalid interval \"%s\" (1s-%us, as \"15s\", \"1m\")", v,
				  CGH_METRICS_INTERVAL_MAX);
	w->metrics_interval = (unsigned)n;
	return 0;
}

static int load_watch_key(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_watch_config *w = &ld->cfg->watch;
	const char *name = config_setting_name(s);

	if (strcmp(name, "on_oom") == 0)
		return load_on_oom(ld, s, where);
	if (strcmp(name, "reclaim_threshold") == 0)
		return load_reclaim_threshold(ld, s, where);
	if (strcmp(name, "reclaim_interval") == 0)
		return cgh_ld_get_uint(ld, s, where, 1, CGH_WATCH_INTERVAL_MAX, &w->reclaim_interval);
	if (strcmp(name, "reclaim_cooldown") == 0)
		return cgh_ld_get_uint(ld, s, where, 0, CGH_WATCH_COOLDOWN_MAX, &w->reclaim_cooldown);
	if (strcmp(name, "pressure_guard") == 0)
		return cgh_ld_get_bool(ld, s, where, &w->pressure_guard);
	if (strcmp(name, "pressure_stall_us") == 0)
		return cgh_ld_get_uint(ld, s, where, 1, CGH_PSI_WINDOW_MAX, &w->pressure_stall_us);
	if (strcmp(name, "pressure_window_us") == 0)
		return cgh_ld_get_uint(ld, s, where, CGH_PSI_WINDOW_MIN, CGH_PSI_WINDOW_MAX,
				&w->pressure_window_us);
	if (strcmp(name, "pressure_grace") == 0)
		return cgh_ld_get_uint(ld, s, where, 0, CGH_PSI_GRACE_MAX, &w->pressure_grace);
	if (strcmp(name, "pressure_kill") == 0)
		return cgh_ld_get_bool(ld, s, where, &w->pressure_kill);
	if (strcmp(name, "metrics_file") == 0)
		return load_metrics_file(ld, s, where);
	if (strcmp(name, "metrics_interval") == 0)
		return load_metrics_interval(ld, s, where);
	return -ENOENT;
}

static int load_watch_member(struct cgh_loader *ld, const config_setting_t *s, const char *where,
			     const char *path, void *arg)
{
	int r = load_watch_key(ld, s, path);

	(void)arg;
	if (r == -ENOENT)
		r = cgh_ld_bad(ld, s, where, "unknown setting '%s' (on_oom, reclaim_threshold, reclaim_interval, reclaim_cooldown, pressure_guard, pressure_stall_us, pressure_window_us, pressure_grace, pressure_kill, metrics_file, metrics_interval)",
			       config_setting_name(s));
	return r;
}

int cgh_watch_config_load(struct cgh_loader *ld, const config_setting_t *group,
			  const char *where)
{
	const struct cgh_watch_config *w = &ld->cfg->watch;
	int r = cgh_ld_group(ld, group, where, load_watch_member, NULL);

	if (r == 0 && w->pressure_stall_us > w->pressure_window_us)
		r = cgh_ld_bad(ld, group, where, "pressure_stall_us (%u) must not exceed pressure_window_us (%u)",
			w->pressure_stall_us, w->pressure_window_us);
	return r;
}


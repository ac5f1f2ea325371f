/* cgherd.conf: load, validate, free.  The loader reads libconfig text from
 * one safely opened file, then applies module arguments through the same
 * per-key code, and either returns a complete config or none at all. */
#ifndef CGH_CONFIG_H
#define CGH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgh_limits.h"
#include "cgh_paths.h"
#include "cgh_value.h"

#define CGH_DEFAULT_CONF "/etc/security/cgherd.conf"
#define CGH_CONF_MAX_SIZE (16u << 20)
#define CGH_DIAG_MAX 100

enum cgh_action { CGH_ACTION_HERD, CGH_ACTION_IGNORE };
enum cgh_on_error { CGH_ON_ERROR_DENY, CGH_ON_ERROR_ALLOW };
/* auto: systemd when the login is already in a logind session scope */
enum cgh_backend { CGH_BACKEND_AUTO, CGH_BACKEND_CGROUPFS, CGH_BACKEND_SYSTEMD };

/* Who owns a config's rules and watch.on_oom when the loader did not make
 * them (a config built by the cache: one block, strings in the mapped
 * file); cgh_config_free calls release instead of freeing them. */
struct cgh_config_store {
	void (*release)(struct cgh_config_store *store);
};
struct cgh_penalty;

struct cgh_strlist {
	char **v;
	size_t n;
};

struct cgh_match {
	struct cgh_strlist users, groups, services;
	struct cgh_uid_range *uids;
	size_t n_uids;
};

struct cgh_rule {
	char *name;
	int line;
	unsigned index;		/* in the file's rules list */
	struct cgh_match match;
	enum cgh_action action;
	struct cgh_limits session, user;
};

/* The `watch` group: read by `cgherd watch` only (the module validates it). */
#define CGH_WATCH_INTERVAL_DEFAULT 10u	/* s */
#define CGH_WATCH_INTERVAL_MAX 3600u
#define CGH_WATCH_COOLDOWN_DEFAULT 60u	/* s */
#define CGH_WATCH_COOLDOWN_MAX 86400u
#define CGH_PSI_STALL_DEFAULT 150000u	/* µs */
#define CGH_PSI_WINDOW_DEFAULT 1000000u	/* µs */
#define CGH_PSI_WINDOW_MIN 500000u	/* the kernel's bounds */
#define CGH_PSI_WINDOW_MAX 10000000u
#define CGH_PSI_GRACE_DEFAULT 10u	/* s */
#define CGH_PSI_GRACE_MAX 3600u
#define CGH_METRICS_INTERVAL_DEFAULT 15u	/* s */
#define CGH_METRICS_INTERVAL_MAX 3600u

struct cgh_watch_config {
	char **on_oom;			/* argv with %u %U %s %r %%, NULL-terminated; NULL: none */
	unsigned reclaim_percent;	/* of the leaf's memory.max; 0: none */
	uint64_t reclaim_bytes;		/* 0: none */
	unsigned reclaim_interval;	/* s */
	unsigned reclaim_cooldown;	/* s */
	bool pressure_guard;
	unsigned pressure_stall_us, pressure_window_us;
	unsigned pressure_grace;	/* s */
	bool pressure_kill;
	/* Not cached (lib/cache/): only cgherd watch reads them, and it always
	 * parses the file. */
	char *metrics_file;		/* Prometheus text file, NULL: none */
	unsigned metrics_interval;	/* s */
};

/* The `notices` group: telling users why a session was killed (cgh_notice.h). */
#define CGH_NOTICE_HELP_MAX 256u	/* notices.help, with its NUL */

struct cgh_notices_config {
	bool at_login;		/* records shown at the next interactive login */
	bool tty;		/* the line written at once to the user's other terminals */
	char help[CGH_NOTICE_HELP_MAX];	/* appended to each line; "": none */
};

/* How close ends a leaf (module argument close=, pam_cgherd(8)): auto (the
 * reaper, but on a mount with favordynmods move the opener back and end the
 * leaf in close: measured faster there, bench/README.md), reaper (always the
 * reaper where it can start), move (never the reaper). */
enum cgh_close_path { CGH_CLOSE_AUTO, CGH_CLOSE_REAPER, CGH_CLOSE_MOVE };

struct cgh_config {
	char *path;
	char *cgroup_root;
	char *base;
	enum cgh_on_error on_error;
	bool kill_on_close;
	enum cgh_action default_action;
	enum cgh_backend backend;
	bool move_from_logind;	/* cgroupfs backend: take logins out of logind scopes */
	bool debug;
	unsigned char close_path;	/* enum cgh_close_path; module argument close= only */
	struct cgh_limits session, user;
	struct cgh_rule *rules;
	size_t n_rules;
	struct cgh_watch_config watch;
	struct cgh_notices_config notices;
	struct cgh_config_store *store;	/* NULL: the rules are the config's own */
	struct cgh_penalty *penalties;	/* `penalties` (cgh_penalty.h); never cached: only
					 * `cgherd watch` and the CLI read them */
	size_t n_penalties;
};

/* Error lines, "FILE:LINE: setting: message", at most CGH_DIAG_MAX kept. */
struct cgh_diag {
	char **lines;
	size_t n;
	size_t dropped;
};

/* Loads the file (path, or conf=PATH among args; NULL: CGH_DEFAULT_CONF),
 * then the arguments ("debug", "conf=PATH", "key=value" for each scalar
 * top-level key, which win over the file).  phys_mem is the byte count "N%" refers to
 * (0: this machine's).  Returns 0 and *out, or -errno with every problem in
 * diag (-EINVAL for a bad file, else the errno of the failed open/read). */
int cgh_config_load(const char *path, int argc, const char **argv, uint64_t phys_mem,
		    struct cgh_config **out, struct cgh_diag *diag);

/* The same from text already in memory; name stands for the file in
 * messages.  For tests and fuzzing: no file checks. */
int cgh_config_from_text(const char *name, const char *text, uint64_t phys_mem,
			 struct cgh_config **out, struct cgh_diag *diag);

void cgh_config_free(struct cgh_config *cfg);

/* on_error as the arguments alone set it (deny unless on_error=allow), for
 * when the file cannot be loaded. */
enum cgh_on_error cgh_args_on_error(int argc, const char **argv);

/* The config file the arguments name (the last conf=PATH), else path,
 * else CGH_DEFAULT_CONF. */
const char *cgh_args_conf_path(const char *path, int argc, const char **argv);

/* "debug" among the arguments. */
bool cgh_args_debug(int argc, const char **argv);

void cgh_diag_free(struct cgh_diag *diag);

const char *cgh_action_name(enum cgh_action a);

#endif

/* Session orchestration: open (decide, make the leaf, move the opener in),
 * close (move out, report, kill, remove) and collection of dead leaves.
 * Shared by the PAM module and the CLI. */
#ifndef CGH_SESSION_H
#define CGH_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_log.h"
#include "cgh_match.h"
#include "cgh_notice.h"
#include "cgh_systemd.h"

#define CGH_LOCK_TIMEOUT_MS 2000
#define CGH_CLOSE_WAIT_MS 1000
#define CGH_GC_INTERVAL_S 30	/* an open collects every user's dead leaves at most this often */

/* The systemd calls of the systemd backend (lib/systemd/systemd.c); tests swap them. */
struct cgh_bus {
	int (*set_properties)(const char *unit, const struct cgh_unit_property *props, size_t n,
			      unsigned timeout_ms, struct cgh_error *err);
	/* several units over one connection (cgh_systemd_set_units) */
	int (*set_units)(const struct cgh_unit_change *c, size_t n, unsigned timeout_ms,
			 size_t *done, struct cgh_error *err);
	int (*version)(unsigned timeout_ms, struct cgh_error *err);
	int (*get_properties)(const char *unit, const char *iface, const char *const *names,
			      uint64_t *values, size_t n, unsigned timeout_ms, struct cgh_error *err);
};

extern const struct cgh_bus cgh_bus_real;

struct cgh_env {
	const struct cgh_sys *sys;	/* &cgh_sys_real outside tests */
	const struct cgh_log *log;
	const struct cgh_bus *bus;	/* NULL: &cgh_bus_real */
	const struct cgh_login *login;	/* recorded on the leaf at open; NULL: none */
	const struct cgh_notifier *notify;	/* notices of kills; NULL: none */
};

/* What close needs, kept from open (the config is not read again). */
struct cgh_session {
	char root[CGH_CGROUP_ROOT_MAX];
	char base[CGH_BASE_BUF];
	char user_dir[CGH_USER_DIR_BUF];	/* base/user-UID */
	char leaf[CGH_LEAF_BUF];	/* base/user-UID/session-PID, or the logind scope */
	char origin[512];	/* where the opener was, relative to root */
	char user[64];		/* sanitized, for log lines */
	char rule[CGH_RULE_BUF];
	uid_t uid;
	pid_t opener;
	bool kill_on_close;
	bool systemd;		/* limits set on logind's scope through systemd */
	unsigned char close_path;	/* enum cgh_close_path, from the config */
	struct cgh_notifier notify;	/* from env at open, for close */
};

/* Where the opener of a closed session came from, recorded on its leaf
 * when the leaf is handed to the reaper (lib/core/reaper.c). */
#define CGH_ORIGIN_XATTR "trusted.cgherd.origin"

enum cgh_open_result { CGH_HERDED = 0, CGH_IGNORED = 1 };

/* Looks the user up as far as the rules can ask: by the n_wanted group
 * names the rules name when there are at most CGH_WANTED_GROUPS_MAX of
 * them (wanted holds them then), so that a user in hundreds of groups does
 * not cost a lookup per group (cgh_identity_lookup_wanted); else every
 * group of the user. */
#define CGH_WANTED_GROUPS_MAX 64
int cgh_session_lookup_user_by(const char *user, const char *const *wanted, size_t n_wanted,
				struct cgh_identity **out, struct cgh_error *err);

/* The same with the group names of cfg's rules (a parsed config: the CLI;
 * the module's loader does this itself, cgh_config_for_user). */
int cgh_session_lookup_user(const struct cgh_config *cfg, const char *user,
			    struct cgh_identity **out, struct cgh_error *err);

/* Decides (cfg as a loader returns it) and, for a herded session, builds
 * the leaf and moves opener into it.  Returns CGH_HERDED with *out, CGH_IGNORED, or -errno with err set and
 * nothing of this call left in the tree. */
int cgh_session_open(const struct cgh_config *cfg, const struct cgh_identity *id,
		     const char *service, pid_t opener, const struct cgh_env *env,
		     struct cgh_session **out, struct cgh_error *err);

/* Marks the session's leaf with last, the newest notice shown at its login
 * and kept (CGH_SHOW_KEEP: sshd), for `cgherd watch` to settle; a failure
 * is logged (the notices are shown again at the next login). */
void cgh_session_mark_shown(const struct cgh_session *s, const struct cgh_env *env,
			    const struct cgh_notice *last);

/* Logs the figures and hands the end of the leaf to a reaper (lib/core/reaper.c)
 * that does it once the opener has exited; where no reaper can start, moves
 * the opener back, kills what is left when asked, removes the leaf and the
 * user directory once unused. */
int cgh_session_close(const struct cgh_session *s, const struct cgh_env *env,
		      struct cgh_error *err);

/* Removes empty leaves under base (dead sessions) and unused user
 * directories, logging the leaves' figures and writing a notice for OOM
 * kills nobody recorded yet (nf; NULL: none); skipped when a login holds the
 * lock.  Returns how many leaves were removed. */
int cgh_gc(const struct cgh_fs *fs, const char *base, const struct cgh_notifier *nf,
	   const struct cgh_log *log, struct cgh_error *err);

/* "memory.peak=... cpu_usec=... oom_kill=..." for a log line. */
void cgh_stats_describe(const struct cgh_stats *st, char *buf, size_t len);

#endif

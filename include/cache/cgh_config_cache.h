/* The compiled cache of cgherd.conf (lib/cache/) and the loader that uses
 * it (cgh_config_load_cached).  The module and the CLI do not use this
 * header: the module's loader is cgh_config_for_user
 * (cgh_config_for_user.h), which is the only user of the lazy state below
 * (a config "pending" until cgh_config_select); the rest is for the cache's
 * own files, its tests and the fuzzer.
 *
 * The module loads its configuration at every login.  With a cache
 * directory, the file is still opened and checked as by cgh_config_load;
 * then, when CACHE_DIR/cgherd-<hash of the path>.cache was made from that
 * very file (the key below), the config is taken from the cache instead of
 * being parsed.  Otherwise the file is parsed, and a file that validated
 * with no error is written to the cache.  The cache holds only what the
 * file said: module arguments are applied afterwards in both cases.
 *
 * A config from the cache is read lazily: loading maps the file and reads
 * the header and top-level settings only; its rules stay in the file until
 * cgh_config_select picks those that can match one user (an index of the
 * user and group names the rules name), so that a login costs the same
 * with ten rules or ten thousand.
 *
 * File format, native byte order, every section 8-byte aligned:
 *   header                    struct cgh_cache_header
 *   rules[n_rules]            struct cgh_cache_rule
 *   refs[n_refs]              struct cgh_cache_str: the strings of the
 *                             match lists, then watch.on_oom (always last)
 *   uids[n_uids]              struct cgh_uid_range
 *   values[n_values]          uint64_t: limit values, see cgh_cache_limits
 *   index[n_users + n_groups] struct cgh_cache_index: the user names, then
 *                             the group names, each part sorted by strcmp
 *   postings[n_postings]      uint32_t rule numbers, zero-padded to 8 bytes
 *   pool[pool_len]            NUL-terminated strings, zero-padded
 * A rule is found by its user names when it has any, else by its group
 * names; rules with neither are in the header's `others`.  Every group name
 * of every rule has an entry (perhaps with no rules), so that the index
 * also says which groups a user must be looked up in.  The
 * checksum covers the header after the checksum field; the rest is read
 * only where a login needs it, every count, offset and length
 * bounds-checked on the way (a whole-file checksum would cost a read of
 * all of it at every login; the file is written whole and renamed into a
 * directory only root can write). */
#ifndef CGH_CONFIG_CACHE_H
#define CGH_CONFIG_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgh_config.h"
#include "cgh_config_for_user.h"
#include "cgh_identity.h"
#include "cgh_log.h"

struct stat;

#define CGH_CACHE_MAX_SIZE (64u << 20)
#define CGH_CACHE_MAGIC "CGHCACHE"	/* 8 bytes, no NUL */
#define CGH_CACHE_VERSION 3u

/* What the cache was made from: the config file, as fstat saw it on the
 * descriptor the loader read, and the memory size "N%" was resolved with. */
struct cgh_cache_key {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	uint64_t phys_mem;
	uint32_t uid, mode;
};

struct cgh_cache_str {
	uint32_t off, len;	/* pool[off + len] is the NUL */
};

struct cgh_cache_list {
	uint32_t first, n;	/* entries first .. first + n - 1 of refs or uids */
};

/* set as in struct cgh_limits; the values of its keys in key order, then
 * cpu_period when cpu_max is set, are values[first] onwards. */
struct cgh_cache_limits {
	uint32_t set, first;
};

struct cgh_cache_rule {
	struct cgh_cache_str name;
	int32_t line;
	uint32_t action;
	struct cgh_cache_list users, groups, services, uids;
	struct cgh_cache_limits session, user;
};

struct cgh_cache_top {
	struct cgh_cache_str cgroup_root, base;
	struct cgh_cache_limits session, user;
	struct cgh_cache_list on_oom;	/* refs; n = 0: none */
	uint8_t on_error, kill_on_close, default_action, backend;
	uint8_t move_from_logind, pressure_guard, pressure_kill, zero;
	uint32_t reclaim_percent, reclaim_interval, reclaim_cooldown;
	uint32_t pressure_stall_us, pressure_window_us, pressure_grace;
	uint64_t reclaim_bytes;
	struct cgh_cache_str notices_help;	/* len 0: none */
	uint8_t notices_at_login, notices_tty, zero2[6];
};

/* One name the rules match on and the rules that name it. */
struct cgh_cache_index {
	struct cgh_cache_str name;
	struct cgh_cache_list rules;	/* entries of postings */
};

struct cgh_cache_header {
	char magic[8];
	uint32_t version;
	uint32_t layout;	/* CGH_CACHE_LAYOUT: the sizes of these records */
	uint64_t checksum;	/* of the rest of the header */
	uint64_t size;		/* of the whole file */
	struct cgh_cache_key key;
	uint32_t n_rules, n_refs, n_uids, n_values;
	uint32_t n_users, n_groups;	/* index entries */
	uint32_t n_postings;
	uint32_t pool_len;	/* a multiple of 8 */
	struct cgh_cache_list others;	/* postings: the rules naming no user or group */
	struct cgh_cache_top top;
};

#define CGH_CACHE_CHECKED_FROM offsetof(struct cgh_cache_header, size)

#define CGH_CACHE_LAYOUT ((uint32_t)(sizeof(struct cgh_cache_header) << 16 | \
				     sizeof(struct cgh_cache_rule) << 8 | CGH_N_LIMITS))

/* cgh_config_load with a cache directory (NULL: none, exactly
 * cgh_config_load).  The directory is created (mode 0700) when missing and
 * the euid is 0; it must be owned by the euid and closed to group and
 * others, or no cache is used.  Every cache problem is only a reason to
 * parse; it is logged to log (may be NULL) at LOG_DEBUG. */
int cgh_config_load_cached(const char *path, int argc, const char **argv, uint64_t phys_mem,
			   const char *cache_dir, const struct cgh_log *log,
			   struct cgh_config **out, struct cgh_diag *diag);

/* One cache lookup, for the loader: begin after the config file is open
 * and checked; get (0: cfg, fresh from the loader, now holds the file's
 * settings) instead of parsing; put after a parse without error; end. */
struct cgh_cache {
	int dirfd;			/* -1: no cache */
	char name[40];
	struct cgh_cache_key key;
	bool settled;			/* the file's last change is older than its read */
	const struct cgh_log *log;
};

void cgh_cache_begin(struct cgh_cache *c, const char *dir, const struct cgh_log *log,
		     const char *conf_path, const struct stat *st, uint64_t phys_mem);
int cgh_cache_get(struct cgh_cache *c, struct cgh_config *cfg);
void cgh_cache_put(struct cgh_cache *c, const struct cgh_config *cfg);
void cgh_cache_end(struct cgh_cache *c);

/* The group names the rules match on, up to max of them in out; returns how
 * many there are in all (cgh_rule_group_names; for a config from the cache
 * not selected yet, each name once, read from its index). */
size_t cgh_config_group_names(const struct cgh_config *cfg, const char **out, size_t max);

/* Whether cfg came from the cache and its rules are not selected yet. */
bool cgh_config_pending(const struct cgh_config *cfg);

/* For a config from the cache: reads the rules that can match id (NULL:
 * every rule) into cfg->rules, in file order, each with its index in the
 * file; cgh_decide then decides as on the whole file.  Nothing to do for a
 * parsed config or a second call.  Returns 0, -ENOMEM, or -EINVAL when the
 * cache turns out damaged (cfg left pending). */
int cgh_config_select(struct cgh_config *cfg, const struct cgh_identity *id,
		      struct cgh_error *err);

/* Removes the cache file made for conf_path in dir (after it was found
 * damaged, so that the next load parses and writes it anew).  0 or -errno. */
int cgh_cache_forget(const char *dir, const char *conf_path);

/* The parts, for the tests and the fuzzer. */

/* "cgherd-<16 hex digits of a hash of conf_path>.cache". */
void cgh_cache_name(const char *conf_path, char *buf, size_t len);

void cgh_cache_key_make(struct cgh_cache_key *key, const struct stat *st, uint64_t phys_mem);

/* Whether the file's last change (ctime) is in an earlier clock tick than
 * now, so that any later change will show in the key. */
bool cgh_cache_settled(const struct stat *st);

uint64_t cgh_cache_checksum(const void *data, size_t len);

/* Where the sections of an image start, in bytes from its start. */
struct cgh_cache_sections {
	size_t rules, refs, uids, values, index, postings, pool;
};

/* The sections of an image with h's counts into *at, and the image's size
 * (any counts: the offsets are meaningful once the size is known small). */
uint64_t cgh_cache_sections(const struct cgh_cache_header *h, struct cgh_cache_sections *at);

/* Writes key and the checksum into a cache image; -EINVAL if too short. */
int cgh_cache_seal(void *buf, size_t len, const struct cgh_cache_key *key);

/* The image of cfg's file settings (not path, not debug), malloc'd.
 * Returns 0, -ENOMEM, or -EFBIG beyond CGH_CACHE_MAX_SIZE. */
int cgh_cache_encode(const struct cgh_config *cfg, const struct cgh_cache_key *key,
		     unsigned char **out, size_t *len);

/* Fills cfg, which must be fresh from the loader (no rules, no on_oom),
 * from a copy of an image made with key: the header and top-level settings,
 * the rules left pending (cgh_config_select).  Returns 0; -ESTALE when the
 * key differs; -EINVAL when the image is damaged or odd, cfg untouched;
 * -ENOMEM. */
int cgh_cache_open(const void *buf, size_t len, const struct cgh_cache_key *key,
		   struct cgh_config *cfg, struct cgh_error *err);

/* cgh_cache_open of the first len bytes of the file fd: read when len is
 * at most CGH_CACHE_READ_MAX, else mapped read-only instead of copied (cache
 * files are replaced by rename, never changed in place: the mapping keeps
 * what it saw). */
#define CGH_CACHE_READ_MAX (16u * 1024u)
int cgh_cache_map(int fd, size_t len, const struct cgh_cache_key *key, struct cgh_config *cfg,
		  struct cgh_error *err);

/* cgh_cache_open, then every rule selected: the whole image checked. */
int cgh_cache_decode(const void *buf, size_t len, const struct cgh_cache_key *key,
		     struct cgh_config *cfg, struct cgh_error *err);

#endif

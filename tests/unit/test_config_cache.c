/* Unit tests for the config cache (lib/cache/: the cached loader
 * in config_cache.c): round trips compared field by field with the parsed
 * config, invalidation, damaged and odd images, the file and directory
 * checks, module arguments over a cached config, and what is never cached. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"
#include "cgh_match.h"
#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define GIB (1024ull * 1024 * 1024)
#define PHYS (8 * GIB)
#define EXAMPLE "config/cgherd.conf"
#define HDR sizeof(struct cgh_cache_header)

static char tmpdir[64];
static char cachedir[96];
static unsigned file_seq;
static struct log_capture logged;
static const struct cgh_log test_log = { capture_log, &logged, true };

/* Every field of struct cgh_config set away from its default. */
static const char full_conf[] =
	"cgroup_root = \"/tmp/cg root\";\n"
	"base = \"herd\";\n"
	"on_error = \"allow\";\n"
	"kill_on_close = false;\n"
	"default_action = \"ignore\";\n"
	"backend = \"systemd\";\n"
	"move_from_logind = true;\n"
	"session = { memory_max = \"50%\"; memory_high = \"1G\"; memory_swap_max = 0;\n"
	"  cpu_max = \"250%\"; cpu_weight = 50; pids_max = \"max\"; oom_group = false; };\n"
	"user = { memory_max = \"max\"; cpu_max = \"max 50000\"; pids_max = 4096; };\n"
	"rules = (\n"
	"  { name = \"system\"; match = { uid = \"0-999\"; }; action = \"ignore\"; },\n"
	"  { match = { user = \"alice\"; group = [ \"students\", \"guests\" ];\n"
	"      service = [ \"sshd\", \"login\" ]; uid = ( 1000, \"2000-2999\" ); };\n"
	"    session = { cpu_max = \"30000 60000\"; memory_max = \"500M\"; };\n"
	"    user = { pids_max = 100; oom_group = true; }; },\n"
	"  { name = \"ops\"; match = { group = \"ops\"; service = \"su\"; }; action = \"herd\";\n"
	"    session = { cpu_weight = 10000; memory_swap_max = \"max\"; }; }\n"
	");\n"
	"watch = { on_oom = \"/usr/local/bin/notify --user %U 'a b' %%\";\n"
	"  reclaim_threshold = \"80%\"; reclaim_interval = 30; reclaim_cooldown = 600;\n"
	"  pressure_guard = true; pressure_stall_us = 200000; pressure_window_us = 2000000;\n"
	"  pressure_grace = 20; pressure_kill = true; };\n"
	"notices = { at_login = false; tty = true; help = \"See https://example.org/limits\"; };\n";

/* The other reclaim_threshold form, no on_oom, services only. */
static const char full2_conf[] =
	"session = { memory_max = \"2G\"; };\n"
	"rules = ( { match = { service = [ \"cron\", \"atd\" ]; }; user = { memory_high = \"3G\"; }; } );\n"
	"watch = { reclaim_threshold = \"400M\"; };\n";

/* Small, for the damaged-image tests: values[0] is rule 0's pids_max (10),
 * values[1..2] rule 0's user cpu_max (quota 20000, period 100000). */
static const char small_conf[] =
	"rules = ( { name = \"r\"; match = { user = [ \"u1\", \"u2\" ]; uid = \"10-20\"; };\n"
	"            session = { pids_max = 10; }; user = { cpu_max = \"20%\"; }; } );\n"
	"watch = { on_oom = \"/bin/true %u\"; };\n";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cgh-test-cache-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(cachedir, sizeof(cachedir), "%s/cache", tmpdir);
	logged.text[0] = '\0';
	return mkdir(cachedir, 0700);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Waits until a change of path would show in its key. */
static void settle(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	while (!cgh_cache_settled(&st))
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

static void put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* A fresh settled 0644 config file in tmpdir; its path (static, one per call). */
static const char *write_conf(const char *text)
{
	static char paths[16][128];
	char *p = paths[file_seq % 16];

	snprintf(p, sizeof(paths[0]), "%s/cgherd-%u.conf", tmpdir, file_seq++);
	put_file(p, text, 0644);
	settle(p);
	return p;
}

static const char *cache_file(const char *conf)
{
	static char path[256];
	char name[64];

	cgh_cache_name(conf, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", cachedir, name);
	return path;
}

static bool was_logged(const char *what)
{
	return strstr(logged.text, what) != NULL;
}

static void dump(const struct cgh_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		print_message("diag[%zu]: %s\n", i, diag->lines[i]);
	print_message("log: %s\n", logged.text);
}

/* Every rule of a config from the cache read (a parsed one: nothing to do). */
static void select_all(struct cgh_config *cfg)
{
	struct cgh_error err = { 0 };
	bool pending = cgh_config_pending(cfg);

	assert_true(pending == (cfg->store != NULL));
	assert_int_equal(cgh_config_select(cfg, NULL, &err), 0);
	assert_false(cgh_config_pending(cfg));
}

/* The cached loader with dir, which must succeed, every rule read; the log
 * is reset first. */
static struct cgh_config *load_args(const char *path, int argc, const char **argv,
				    uint64_t phys, const char *dir)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	int r;

	logged.text[0] = '\0';
	r = cgh_config_load_cached(path, argc, argv, phys, dir, &test_log, &cfg, &diag);
	if (r != 0 || diag.n != 0)
		dump(&diag);
	assert_int_equal(r, 0);
	assert_int_equal(diag.n, 0);
	assert_non_null(cfg);
	cgh_diag_free(&diag);
	select_all(cfg);
	return cfg;
}

static struct cgh_config *load(const char *path)
{
	return load_args(path, 0, NULL, PHYS, cachedir);
}

static struct cgh_config *parse(const char *path)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	assert_int_equal(cgh_config_load(path, 0, NULL, PHYS, &cfg, &diag), 0);
	cgh_diag_free(&diag);
	return cfg;
}

/* ---- deep compare ------------------------------------------------------ */

static void same_strlist(const struct cgh_strlist *a, const struct cgh_strlist *b)
{
	assert_int_equal(a->n, b->n);
	assert_true((a->v == NULL) == (b->v == NULL));
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void same_limits(const struct cgh_limits *a, const struct cgh_limits *b)
{
	assert_int_equal(a->set, b->set);
	for (int k = 0; k < CGH_N_LIMITS; k++)
		assert_int_equal(a->value[k], b->value[k]);
	assert_int_equal(a->cpu_period, b->cpu_period);
}

static void same_rule(const struct cgh_rule *a, const struct cgh_rule *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->index, b->index);
	assert_int_equal(a->action, b->action);
	same_strlist(&a->match.users, &b->match.users);
	same_strlist(&a->match.groups, &b->match.groups);
	same_strlist(&a->match.services, &b->match.services);
	assert_int_equal(a->match.n_uids, b->match.n_uids);
	assert_true((a->match.uids == NULL) == (b->match.uids == NULL));
	for (size_t i = 0; i < a->match.n_uids; i++) {
		assert_int_equal(a->match.uids[i].lo, b->match.uids[i].lo);
		assert_int_equal(a->match.uids[i].hi, b->match.uids[i].hi);
	}
	same_limits(&a->session, &b->session);
	same_limits(&a->user, &b->user);
}

static void same_watch(const struct cgh_watch_config *a, const struct cgh_watch_config *b)
{
	size_t i = 0;

	assert_true((a->on_oom == NULL) == (b->on_oom == NULL));
	for (; a->on_oom != NULL && a->on_oom[i] != NULL; i++) {
		assert_non_null(b->on_oom[i]);
		assert_string_equal(a->on_oom[i], b->on_oom[i]);
	}
	assert_true(a->on_oom == NULL || b->on_oom[i] == NULL);
	assert_int_equal(a->reclaim_percent, b->reclaim_percent);
	assert_int_equal(a->reclaim_bytes, b->reclaim_bytes);
	assert_int_equal(a->reclaim_interval, b->reclaim_interval);
	assert_int_equal(a->reclaim_cooldown, b->reclaim_cooldown);
	assert_int_equal(a->pressure_guard, b->pressure_guard);
	assert_int_equal(a->pressure_stall_us, b->pressure_stall_us);
	assert_int_equal(a->pressure_window_us, b->pressure_window_us);
	assert_int_equal(a->pressure_grace, b->pressure_grace);
	assert_int_equal(a->pressure_kill, b->pressure_kill);
}

/* Every field but arena. */
static void same_config(const struct cgh_config *a, const struct cgh_config *b)
{
	assert_string_equal(a->path, b->path);
	assert_string_equal(a->cgroup_root, b->cgroup_root);
	assert_string_equal(a->base, b->base);
	assert_int_equal(a->on_error, b->on_error);
	assert_int_equal(a->kill_on_close, b->kill_on_close);
	assert_int_equal(a->default_action, b->default_action);
	assert_int_equal(a->backend, b->backend);
	assert_int_equal(a->move_from_logind, b->move_from_logind);
	assert_int_equal(a->debug, b->debug);
	same_limits(&a->session, &b->session);
	same_limits(&a->user, &b->user);
	assert_int_equal(a->n_rules, b->n_rules);
	assert_true((a->rules == NULL) == (b->rules == NULL));
	for (size_t i = 0; i < a->n_rules; i++)
		same_rule(&a->rules[i], &b->rules[i]);
	same_watch(&a->watch, &b->watch);
	assert_int_equal(a->notices.at_login, b->notices.at_login);
	assert_int_equal(a->notices.tty, b->notices.tty);
	assert_string_equal(a->notices.help, b->notices.help);
}

/* ---- round trips ------------------------------------------------------- */

/* Parsed; loaded with the cache (a miss: parsed and written); loaded again
 * (a hit): all three the same. */
static void round_trip(const char *path)
{
	struct cgh_config *parsed = parse(path);
	struct cgh_config *first = load(path);
	struct cgh_config *second;

	assert_true(was_logged("written"));
	assert_null(first->store);
	same_config(parsed, first);
	second = load(path);
	assert_true(was_logged("configuration from cache"));
	assert_false(was_logged("written"));
	assert_non_null(second->store);
	same_config(parsed, second);
	cgh_config_free(parsed);
	cgh_config_free(first);
	cgh_config_free(second);
}

static void test_full_config_fields(void **state)
{
	struct cgh_config *cfg;

	(void)state;
	cfg = parse(write_conf(full_conf));
	/* the compare is only worth something if the fields are not defaults */
	assert_string_equal(cfg->cgroup_root, "/tmp/cg root");
	assert_int_equal(cfg->backend, CGH_BACKEND_SYSTEMD);
	assert_true(cfg->move_from_logind);
	assert_int_equal(cfg->n_rules, 3);
	assert_string_equal(cfg->rules[1].name, "rules[1]");
	assert_int_equal(cfg->rules[1].match.n_uids, 2);
	assert_true(cgh_limits_has(&cfg->rules[1].session, CGH_CPU_MAX));
	assert_int_equal(cfg->rules[1].session.cpu_period, 60000);
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], PHYS / 2);
	assert_non_null(cfg->watch.on_oom);
	assert_string_equal(cfg->watch.on_oom[3], "a b");
	assert_int_equal(cfg->watch.reclaim_percent, 80);
	assert_true(cfg->watch.pressure_kill);
	cgh_config_free(cfg);
	cfg = parse(write_conf(full2_conf));
	assert_int_equal(cfg->watch.reclaim_bytes, 400ull << 20);
	cgh_config_free(cfg);
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_round_trip(void **state)
{
	static char many[64 * 1024];
	const char *path;
	size_t used;

	(void)state;
	round_trip(write_conf(""));
	round_trip(write_conf(full_conf));
	round_trip(write_conf(full2_conf));
	round_trip(write_conf(small_conf));
	round_trip(EXAMPLE);
	assert_true(file_size(cache_file(EXAMPLE)) <= CGH_CACHE_READ_MAX);
	used = (size_t)snprintf(many, sizeof(many), "rules = (\n");
	for (int i = 0; i < 300; i++)
		used += (size_t)snprintf(many + used, sizeof(many) - used,
					 "{ name = \"r%d\"; match = { %s = [ \"n%d\" ]; uid = %d; };"
					 " session = { memory_max = \"%dM\"; }; },\n",
					 i, i % 2 ? "user" : "group", i, 5000 + i, i + 1);
	snprintf(many + used, sizeof(many) - used, "{ name = \"last\"; }\n);\n");
	path = write_conf(many);
	round_trip(path);
	/* both ways of cgh_cache_map were taken: the small caches read, this one mapped */
	assert_true(file_size(cache_file(path)) > CGH_CACHE_READ_MAX);
}

/* ---- invalidation ------------------------------------------------------ */

static ino_t inode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void test_changed_file_reparsed(void **state)
{
	const char *path = write_conf("session = { pids_max = 1000; };\n");
	struct cgh_config *cfg;
	ino_t ino;

	(void)state;
	cgh_config_free(load(path));
	ino = inode_of(cache_file(path));
	/* same size, new mtime and ctime */
	put_file(path, "session = { pids_max = 2000; };\n", 0644);
	settle(path);
	cfg = load(path);
	assert_true(was_logged("stale"));
	assert_true(was_logged("written"));
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 2000);
	assert_int_not_equal(inode_of(cache_file(path)), ino);
	cgh_config_free(cfg);
	/* another size */
	put_file(path, "session = { pids_max = 30000; };\n", 0644);
	settle(path);
	cfg = load(path);
	assert_true(was_logged("stale"));
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 30000);
	cgh_config_free(cfg);
	cfg = load(path);
	assert_true(was_logged("configuration from cache"));
	assert_int_equal(cfg->session.value[CGH_PIDS_MAX], 30000);
	cgh_config_free(cfg);
}

static void test_phys_mem_in_key(void **state)
{
	const char *path = write_conf("session = { memory_max = \"50%\"; };\n");
	struct cgh_config *cfg;

	(void)state;
	cgh_config_free(load_args(path, 0, NULL, 8 * GIB, cachedir));
	cfg = load_args(path, 0, NULL, 4 * GIB, cachedir);
	assert_true(was_logged("stale"));
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], 2 * GIB);
	cgh_config_free(cfg);
	cfg = load_args(path, 0, NULL, 4 * GIB, cachedir);
	assert_true(was_logged("configuration from cache"));
	assert_int_equal(cfg->session.value[CGH_MEMORY_MAX], 2 * GIB);
	cgh_config_free(cfg);
}

/* A change within the clock tick of the read is not cached. */
static void test_unsettled_not_written(void **state)
{
	const char *path = write_conf("");
	struct cgh_config *cfg = parse(path);
	struct cgh_cache c;
	struct stat st;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_true(cgh_cache_settled(&st));
	st.st_ctim.tv_sec = time(NULL) + 10;
	assert_false(cgh_cache_settled(&st));
	logged.text[0] = '\0';
	cgh_cache_begin(&c, cachedir, &test_log, path, &st, PHYS);
	cgh_cache_put(&c, cfg);
	cgh_cache_end(&c);
	assert_true(was_logged("changed just now"));
	assert_int_equal(access(cache_file(path), F_OK), -1);
	cgh_config_free(cfg);
}

/* ---- damaged caches ---------------------------------------------------- */

/* A cache damaged by damage() is refused (saying why, if not NULL), the
 * load parses, and the cache is written anew. */
static void expect_reparsed(const char *path, void (*damage)(const char *cache), const char *why)
{
	struct cgh_config *parsed = parse(path);
	struct cgh_config *cfg;

	cgh_config_free(load(path));
	damage(cache_file(path));
	cfg = load(path);
	assert_true(was_logged("not used, parsing"));
	if (why != NULL && !was_logged(why))
		fail_msg("not logged: %s; log: %s", why, logged.text);
	assert_true(was_logged("written"));
	assert_null(cfg->store);
	same_config(parsed, cfg);
	cgh_config_free(cfg);
	cfg = load(path);
	assert_true(was_logged("configuration from cache"));
	same_config(parsed, cfg);
	cgh_config_free(cfg);
	cgh_config_free(parsed);
}

static off_t truncate_to;

static void truncate_cache(const char *cache)
{
	assert_int_equal(truncate(cache, truncate_to), 0);
}

static void flip_in_file(const char *cache)
{
	int fd = open(cache, O_RDWR | O_CLOEXEC);
	unsigned char b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)offsetof(struct cgh_cache_header, n_rules)), 1);
	b ^= 0x10;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)offsetof(struct cgh_cache_header, n_rules)), 1);
	close(fd);
}

static void test_truncated_cache(void **state)
{
	const char *path = write_conf(small_conf);
	const off_t lengths[] = { 0, 1, 100, (off_t)HDR - 1, (off_t)HDR, -8, -1 };
	struct stat st;

	(void)state;
	cgh_config_free(load(path));
	assert_int_equal(stat(cache_file(path), &st), 0);
	for (size_t i = 0; i < N_ELEMS(lengths); i++) {
		truncate_to = lengths[i] < 0 ? st.st_size + lengths[i] : lengths[i];
		expect_reparsed(path, truncate_cache, NULL);
	}
	expect_reparsed(path, flip_in_file, "checksum mismatch");
}

/* The image of small_conf, and the key it was made with. */
static unsigned char *small_image(size_t *len, struct cgh_cache_key *key)
{
	struct cgh_config *cfg = parse(write_conf(small_conf));
	unsigned char *buf = NULL;

	memset(key, 0, sizeof(*key));
	key->ino = 42;
	key->phys_mem = PHYS;
	assert_int_equal(cgh_cache_encode(cfg, key, &buf, len), 0);
	cgh_config_free(cfg);
	return buf;
}

/* A config as the loader makes it before reading the file. */
static struct cgh_config *fresh(void)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	assert_int_equal(cgh_config_from_text("fresh", "", PHYS, &cfg, &diag), 0);
	return cfg;
}

static void assert_untouched(const struct cgh_config *cfg)
{
	assert_null(cfg->store);
	assert_int_equal(cfg->n_rules, 0);
	assert_null(cfg->watch.on_oom);
	assert_string_equal(cfg->cgroup_root, "/sys/fs/cgroup");
	assert_string_equal(cfg->base, "cgherd");
}

static void test_decode_small_image(void **state)
{
	struct cgh_cache_key key;
	size_t len;
	unsigned char *buf = small_image(&len, &key);
	struct cgh_config *cfg = fresh();
	struct cgh_config *again = fresh();
	struct cgh_error err = { 0 };

	(void)state;
	assert_int_equal(cgh_cache_decode(buf, len, &key, cfg, &err), 0);
	assert_int_equal(cfg->n_rules, 1);
	assert_string_equal(cfg->rules[0].match.users.v[1], "u2");
	assert_int_equal(cfg->rules[0].session.value[CGH_PIDS_MAX], 10);
	assert_string_equal(cfg->watch.on_oom[1], "%u");
	assert_null(cfg->watch.on_oom[2]);
	/* only into a fresh config */
	assert_int_equal(cgh_cache_decode(buf, len, &key, cfg, &err), -EINVAL);
	/* another key: stale */
	key.ino++;
	cgh_error_clear(&err);
	assert_int_equal(cgh_cache_decode(buf, len, &key, again, &err), -ESTALE);
	assert_untouched(again);
	cgh_config_free(cfg);
	cgh_config_free(again);
	free(buf);
}

/* A decision on what was read, touching every string it matches on. */
static void decide_on(const struct cgh_config *cfg, const struct cgh_identity *id)
{
	struct cgh_decision d;

	cgh_decide(cfg, id, "sshd", &d);
	assert_true(d.rule == NULL || d.index < 1);
}

/* Every byte of a small image, flipped in three ways: in the header,
 * always refused, the config left as it was; elsewhere (not checksummed,
 * see cgh_config_cache.h) refused or read, never read out of bounds (the
 * sanitizer runs watch that), whether every rule is read or only a user's. */
static void test_flipped_bytes(void **state)
{
	const unsigned char masks[] = { 0x01, 0x80, 0xff };
	char *groups[] = { (char[]){ "g1" }, (char[]){ "g2" } };
	const struct cgh_identity u2 = { .user = (char[]){ "u2" }, .uid = 15, .groups = groups,
					 .n_groups = 2 };
	struct cgh_cache_key key;
	size_t len;
	unsigned char *buf = small_image(&len, &key);
	unsigned char *copy = malloc(len);
	struct cgh_config *cfg = fresh();

	(void)state;
	assert_non_null(copy);
	assert_true(len < 4096);
	for (size_t off = 0; off < len; off++)
		for (size_t m = 0; m < N_ELEMS(masks); m++) {
			struct cgh_error err = { 0 };
			struct cgh_config *lazy = fresh();
			int r;

			memcpy(copy, buf, len);
			copy[off] ^= masks[m];
			r = cgh_cache_decode(copy, len, &key, cfg, &err);
			if (off < HDR || r != 0) {
				if (r == 0)
					print_message("accepted with byte %zu ^ 0x%02x\n", off, masks[m]);
				assert_true(r == -EINVAL || r == -ESTALE);
				assert_true(err.msg[0] != '\0');
				assert_untouched(cfg);
			} else {
				decide_on(cfg, &u2);
				cgh_config_free(cfg);
				cfg = fresh();
			}
			if (cgh_cache_open(copy, len, &key, lazy, &err) == 0 &&
			    cgh_config_select(lazy, &u2, &err) == 0)
				decide_on(lazy, &u2);
			cgh_config_free(lazy);
		}
	cgh_config_free(cfg);
	free(copy);
	free(buf);
}

/* ---- odd images with a valid checksum ----------------------------------- */

struct image {
	unsigned char *buf;
	size_t len;
	struct cgh_cache_header h;
	struct cgh_cache_sections at;
};

static void image_open(struct image *im, unsigned char *buf, size_t len)
{
	im->buf = buf;
	im->len = len;
	memcpy(&im->h, buf, HDR);
	assert_int_equal(cgh_cache_sections(&im->h, &im->at), len);
}

static struct cgh_cache_rule *rule0(struct image *im)
{
	return (struct cgh_cache_rule *)(void *)(im->buf + im->at.rules);
}

static uint64_t *value(struct image *im, size_t i)
{
	return (uint64_t *)(void *)(im->buf + im->at.values + i * 8);
}

enum odd_case {
	ODD_MAGIC, ODD_VERSION, ODD_LAYOUT, ODD_SIZE_FIELD, ODD_N_RULES, ODD_N_REFS, ODD_N_UIDS,
	ODD_N_VALUES, ODD_POOL_LEN, ODD_N_POSTINGS, ODD_NAME_OFF, ODD_NAME_LEN, ODD_NAME_NUL,
	ODD_USERS_FIRST, ODD_USERS_N, ODD_UIDS_N, ODD_ACTION, ODD_LIMIT_BIT, ODD_LIMIT_FIRST,
	ODD_LIMIT_COUNT, ODD_PIDS_ZERO, ODD_QUOTA, ODD_PERIOD, ODD_REF_OFF, ODD_UID_ORDER,
	ODD_UID_MAX, ODD_ON_ERROR, ODD_BOOL, ODD_BACKEND, ODD_TOP_ZERO, ODD_ON_OOM_FIRST,
	ODD_ROOT_OFF, ODD_PERCENT, ODD_INTERVAL, ODD_STALL, ODD_N_CASES
};

static void make_odd(struct image *im, enum odd_case c)
{
	struct cgh_cache_header *h = &im->h;
	struct cgh_cache_rule *r = rule0(im);
	struct cgh_cache_str ref;

	switch (c) {
	case ODD_MAGIC: h->magic[0] ^= 1; break;
	case ODD_VERSION: h->version++; break;
	case ODD_LAYOUT: h->layout++; break;
	case ODD_SIZE_FIELD: h->size--; break;
	case ODD_N_RULES: h->n_rules++; break;
	case ODD_N_REFS: h->n_refs = UINT32_MAX; break;
	case ODD_N_UIDS: h->n_uids++; break;
	case ODD_N_VALUES: h->n_values--; break;
	case ODD_POOL_LEN: h->pool_len -= 8; break;
	case ODD_N_POSTINGS: h->n_postings += 2; break;
	case ODD_NAME_OFF: r->name.off = h->pool_len; break;
	case ODD_NAME_LEN: r->name.len = UINT32_MAX; break;
	case ODD_NAME_NUL: r->name.len++; break;
	case ODD_USERS_FIRST: r->users.first = h->n_refs + 1; r->users.n = 0; break;
	case ODD_USERS_N: r->users.first = 1; r->users.n = UINT32_MAX; break;
	case ODD_UIDS_N: r->uids.n = h->n_uids + 1; break;
	case ODD_ACTION: r->action = 2; break;
	case ODD_LIMIT_BIT: r->session.set |= 1u << CGH_N_LIMITS; break;
	case ODD_LIMIT_FIRST: r->session.first = h->n_values; break;
	case ODD_LIMIT_COUNT: r->session.set = (1u << CGH_N_LIMITS) - 1; break;
	case ODD_PIDS_ZERO: *value(im, 0) = 0; break;
	case ODD_QUOTA: *value(im, 1) = 5; break;
	case ODD_PERIOD: *value(im, 2) = 0; break;
	case ODD_REF_OFF:
		ref = (struct cgh_cache_str){ h->pool_len - 1, 1 };
		memcpy(im->buf + im->at.refs, &ref, sizeof(ref));
		break;
	case ODD_UID_ORDER:
		memcpy(im->buf + im->at.uids, &(const uint32_t[2]){ 20, 10 }, 8);
		break;
	case ODD_UID_MAX:
		memcpy(im->buf + im->at.uids, &(const uint32_t[2]){ 10, UINT32_MAX }, 8);
		break;
	case ODD_ON_ERROR: h->top.on_error = 2; break;
	case ODD_BOOL: h->top.kill_on_close = 2; break;
	case ODD_BACKEND: h->top.backend = 3; break;
	case ODD_TOP_ZERO: h->top.zero = 1; break;
	case ODD_ON_OOM_FIRST: h->top.on_oom.first = 0; break;
	case ODD_ROOT_OFF: h->top.cgroup_root.off = h->pool_len + 8; break;
	case ODD_PERCENT: h->top.reclaim_percent = 101; break;
	case ODD_INTERVAL: h->top.reclaim_interval = 0; break;
	case ODD_STALL: h->top.pressure_stall_us = h->top.pressure_window_us + 1; break;
	default: fail();
	}
	memcpy(im->buf, h, HDR);
}

static void test_odd_images(void **state)
{
	struct cgh_cache_key key;
	size_t len;
	unsigned char *buf = small_image(&len, &key);
	unsigned char *copy = malloc(len);
	struct cgh_config *cfg = fresh();
	struct image im;

	(void)state;
	assert_non_null(copy);
	image_open(&im, buf, len);
	/* the layout small_conf promises */
	assert_int_equal(im.h.n_rules, 1);
	assert_int_equal(*value(&im, 0), 10);
	assert_int_equal(*value(&im, 1), 20000);
	assert_int_equal(*value(&im, 2), 100000);
	for (int c = 0; c < ODD_N_CASES; c++) {
		struct cgh_error err = { 0 };
		int r;

		memcpy(copy, buf, len);
		image_open(&im, copy, len);
		make_odd(&im, (enum odd_case)c);
		assert_int_equal(cgh_cache_seal(copy, len, &key), 0);
		r = cgh_cache_decode(copy, len, &key, cfg, &err);
		if (r != -EINVAL)
			print_message("case %d: %d %s\n", c, r, err.msg);
		assert_int_equal(r, -EINVAL);
		assert_non_null(strstr(err.msg, "refused: "));
		assert_untouched(cfg);
	}
	/* and the untouched image, resealed, still loads */
	assert_int_equal(cgh_cache_seal(buf, len, &key), 0);
	assert_int_equal(cgh_cache_decode(buf, len, &key, cfg, NULL), 0);
	assert_int_equal(cgh_cache_seal(buf, HDR - 1, &key), -EINVAL);
	cgh_config_free(cfg);
	free(copy);
	free(buf);
}

/* ---- file and directory checks ---------------------------------------- */

static void chmod_cache(const char *cache)
{
	assert_int_equal(chmod(cache, 0644), 0);
}

static void chown_cache(const char *cache)
{
	assert_int_equal(chown(cache, 65534, 65534), 0);
}

static void link_cache(const char *cache)
{
	char other[300];

	snprintf(other, sizeof(other), "%s/hardlink", tmpdir);
	unlink(other);
	assert_int_equal(link(cache, other), 0);
}

static void fifo_cache(const char *cache)
{
	assert_int_equal(unlink(cache), 0);
	assert_int_equal(mkfifo(cache, 0600), 0);
}

/* A symbolic link to a copy of a valid cache: refused, replaced by a
 * regular file, the copy untouched. */
static void symlink_cache(const char *cache)
{
	char copy[300];

	snprintf(copy, sizeof(copy), "%s/copy.cache", tmpdir);
	assert_int_equal(rename(cache, copy), 0);
	assert_int_equal(symlink(copy, cache), 0);
}

static void test_cache_file_checks(void **state)
{
	const char *path = write_conf(full_conf);
	char copy[300];
	struct stat st;

	(void)state;
	expect_reparsed(path, chmod_cache, "mode 0600");
	expect_reparsed(path, link_cache, "one link");
	expect_reparsed(path, fifo_cache, "not a regular file");
	expect_reparsed(path, symlink_cache, "symbolic links");
	assert_int_equal(lstat(cache_file(path), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(copy, sizeof(copy), "%s/copy.cache", tmpdir);
	assert_int_equal(lstat(copy, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	if (geteuid() == 0)
		expect_reparsed(path, chown_cache, "not a regular file of uid 0");
}

/* A stale temporary file of this thread's name does not stop the write. */
static void test_leftover_temp(void **state)
{
	const char *path = write_conf(small_conf);
	char tmp[300];
	struct cgh_config *cfg;

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", cache_file(path), (int)gettid());
	put_file(tmp, "leftover", 0600);
	cgh_config_free(load(path));
	assert_true(was_logged("written"));
	assert_int_equal(access(tmp, F_OK), -1);
	cfg = load(path);
	assert_true(was_logged("configuration from cache"));
	cgh_config_free(cfg);
}

/* No cache in dir: the load parses and nothing is written there. */
static void expect_no_cache(const char *dir, const char *why)
{
	const char *path = write_conf(small_conf);
	struct cgh_config *parsed = parse(path);
	struct cgh_config *cfg = load_args(path, 0, NULL, PHYS, dir);

	assert_true(was_logged("config cache not used"));
	assert_true(was_logged(why));
	same_config(parsed, cfg);
	cgh_config_free(cfg);
	cgh_config_free(parsed);
}

/* Nothing was written in dir. */
static void assert_empty_dir(const char *dir)
{
	assert_int_equal(rmdir(dir), 0);	/* fails unless empty */
	assert_int_equal(mkdir(dir, 0700), 0);
}

static void test_cache_dir_checks(void **state)
{
	char dir[200], link_path[200];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/open", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	expect_no_cache(dir, "mode 0755");
	assert_int_equal(chmod(dir, 0700), 0);
	assert_empty_dir(dir);

	snprintf(link_path, sizeof(link_path), "%s/link", tmpdir);
	assert_int_equal(symlink(dir, link_path), 0);
	expect_no_cache(link_path, "cannot open");
	assert_empty_dir(dir);

	snprintf(dir, sizeof(dir), "%s/file", tmpdir);
	put_file(dir, "", 0600);
	expect_no_cache(dir, "cannot open");

	if (geteuid() == 0) {
		snprintf(dir, sizeof(dir), "%s/theirs", tmpdir);
		assert_int_equal(mkdir(dir, 0700), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		expect_no_cache(dir, "owned by uid 65534");
	}
}

/* A missing directory is made (0700) by root only. */
static void test_cache_dir_created(void **state)
{
	const char *path = write_conf(small_conf);
	char dir[200];
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/made", tmpdir);
	if (geteuid() != 0) {
		expect_no_cache(dir, "No such file");
		assert_int_equal(access(dir, F_OK), -1);
		return;
	}
	cgh_config_free(load_args(path, 0, NULL, PHYS, dir));
	assert_true(was_logged("written"));
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	cgh_config_free(load_args(path, 0, NULL, PHYS, dir));
	assert_true(was_logged("configuration from cache"));
}

static void test_no_cache_dir(void **state)
{
	const char *path = write_conf(full_conf);
	struct cgh_config *parsed = parse(path);
	struct cgh_config *cfg = load_args(path, 0, NULL, PHYS, NULL);

	(void)state;
	assert_string_equal(logged.text, "");
	assert_null(cfg->store);
	same_config(parsed, cfg);
	assert_int_equal(access(cache_file(path), F_OK), -1);
	cgh_config_free(cfg);
	cgh_config_free(parsed);
}

/* ---- module arguments, errors ------------------------------------------ */

static void test_arguments_over_cache(void **state)
{
	const char *path = write_conf("cgroup_root = \"/file\"; base = \"filebase\";\n"
				      "rules = ( { name = \"r\"; } );\n");
	const char *args[] = { "base=argbase", "on_error=allow", "default_action=ignore",
			       "kill_on_close=false", "backend=cgroupfs", "move_from_logind=true",
			       "cgroup_root=/arg", "debug" };
	const char *bad_args[] = { "on_error=maybe" };
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	(void)state;
	cgh_config_free(load(path));
	cfg = load_args(path, (int)N_ELEMS(args), args, PHYS, cachedir);
	assert_true(was_logged("configuration from cache"));
	assert_string_equal(cfg->base, "argbase");
	assert_string_equal(cfg->cgroup_root, "/arg");
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_ALLOW);
	assert_int_equal(cfg->default_action, CGH_ACTION_IGNORE);
	assert_false(cfg->kill_on_close);
	assert_int_equal(cfg->backend, CGH_BACKEND_CGROUPFS);
	assert_true(cfg->move_from_logind);
	assert_true(cfg->debug);
	assert_string_equal(cfg->rules[0].name, "r");
	cgh_config_free(cfg);

	/* the cache still holds what the file says */
	cfg = load(path);
	assert_true(was_logged("configuration from cache"));
	assert_string_equal(cfg->base, "filebase");
	assert_int_equal(cfg->on_error, CGH_ON_ERROR_DENY);
	assert_false(cfg->debug);
	cgh_config_free(cfg);

	/* a bad argument fails the load, cache or not */
	cfg = (struct cgh_config *)(uintptr_t)1;
	assert_int_equal(cgh_config_load_cached(path, 1, bad_args, PHYS, cachedir, NULL, &cfg, &diag),
			 -EINVAL);
	assert_null(cfg);
	assert_int_equal(diag.n, 1);
	assert_non_null(strstr(diag.lines[0], "on_error=maybe"));
	cgh_diag_free(&diag);
}

static void expect_failure(const char *path, int code)
{
	struct cgh_config *cfg = (struct cgh_config *)(uintptr_t)1;
	struct cgh_diag diag = { 0 };

	logged.text[0] = '\0';
	assert_int_equal(cgh_config_load_cached(path, 0, NULL, PHYS, cachedir, &test_log, &cfg, &diag),
			 code);
	assert_null(cfg);
	assert_true(diag.n > 0);
	assert_false(was_logged("configuration from cache"));
	assert_false(was_logged("written"));
	cgh_diag_free(&diag);
}

static void test_errors_never_cached(void **state)
{
	const char *path = write_conf("session = { memroy_max = \"1G\"; };\n");
	const char *good;

	(void)state;
	expect_failure(path, -EINVAL);
	assert_int_equal(access(cache_file(path), F_OK), -1);
	path = write_conf("session = { memory_max = ; };\n");
	expect_failure(path, -EINVAL);
	assert_int_equal(access(cache_file(path), F_OK), -1);

	/* cached, then broken: the cache is not used */
	good = write_conf("session = { pids_max = 10; };\n");
	cgh_config_free(load(good));
	assert_int_equal(access(cache_file(good), F_OK), 0);
	put_file(good, "session = { pids_max = 0; };\n", 0644);
	settle(good);
	expect_failure(good, -EINVAL);
	/* the file's checks come first */
	put_file(good, "session = { pids_max = 10; };\n", 0644);
	settle(good);
	cgh_config_free(load(good));
	assert_int_equal(chmod(good, 0666), 0);
	expect_failure(good, -EPERM);
	assert_int_equal(unlink(good), 0);
	expect_failure(good, -ENOENT);
}

/* ---- parts ------------------------------------------------------------- */

static void test_name_and_key(void **state)
{
	char a[64], b[64];
	struct cgh_cache_key key;
	struct stat st = { 0 };

	(void)state;
	cgh_cache_name("/etc/security/cgherd.conf", a, sizeof(a));
	cgh_cache_name("/etc/security/cgherd.conf2", b, sizeof(b));
	assert_int_equal(strlen(a), strlen("cgherd-0123456789abcdef.cache"));
	assert_int_equal(strncmp(a, "cgherd-", 7), 0);
	assert_string_not_equal(a, b);
	st.st_dev = 1;
	st.st_ino = 2;
	st.st_size = 3;
	st.st_mtim = (struct timespec){ 4, 5 };
	st.st_ctim = (struct timespec){ 6, 7 };
	st.st_uid = 8;
	st.st_mode = 0100644;
	cgh_cache_key_make(&key, &st, 9);
	assert_int_equal(key.dev, 1);
	assert_int_equal(key.ino, 2);
	assert_int_equal(key.size, 3);
	assert_int_equal(key.mtime_sec, 4);
	assert_int_equal(key.mtime_nsec, 5);
	assert_int_equal(key.ctime_sec, 6);
	assert_int_equal(key.ctime_nsec, 7);
	assert_int_equal(key.uid, 8);
	assert_int_equal(key.mode, 0100644);
	assert_int_equal(key.phys_mem, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config_fields),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_changed_file_reparsed),
		cmocka_unit_test(test_phys_mem_in_key),
		cmocka_unit_test(test_unsettled_not_written),
		cmocka_unit_test(test_truncated_cache),
		cmocka_unit_test(test_decode_small_image),
		cmocka_unit_test(test_flipped_bytes),
		cmocka_unit_test(test_odd_images),
		cmocka_unit_test(test_cache_file_checks),
		cmocka_unit_test(test_leftover_temp),
		cmocka_unit_test(test_cache_dir_checks),
		cmocka_unit_test(test_cache_dir_created),
		cmocka_unit_test(test_no_cache_dir),
		cmocka_unit_test(test_arguments_over_cache),
		cmocka_unit_test(test_errors_never_cached),
		cmocka_unit_test(test_name_and_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

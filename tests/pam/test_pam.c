/* pam_cgherd through the real libpam: a service file in a temp directory
 * loads the built module (pam_start_confdir) and every return code is
 * asserted.  The stack maps the module's outcome to distinct codes:
 *   session [success=done ignore=ignore default=die] MODULE ...
 *   session required pam_debug.so open_session=maxtries close_session=maxtries
 * so PAM_SUCCESS means herded, PAM_MAXTRIES means PAM_IGNORE, and anything
 * else is the module's own failure code.
 * CGHERD_MODULE is build/pam_cgherd.so; CGHERD_FAKE_MODULE the same code
 * built against the emulated cgroupfs of tests/common/fakefs.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <security/pam_appl.h>

#include "cgh_config_cache.h"
#include "cgh_notice.h"
#include "fakefs.h"
#include "testutil.h"

#define IGNORED PAM_MAXTRIES

/* What the conversation was told: the PAM_TEXT_INFO messages. */
struct told {
	char text[8192];
	int infos;
};

struct fixture {
	char dir[64];		/* service files and config */
	char root[64];		/* emulated cgroup root */
	char conf[128];
	char notices[96];	/* the fake module's notice store */
	pam_handle_t *pamh;
	struct told told;
};

static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)arg;
	return PAM_CONV_ERR;
}

/* Captures info messages (as pam_motd's and pam_lastlog's reach a terminal). */
static int capture_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	struct told *t = arg;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_TEXT_INFO) {
			free(r);
			return PAM_CONV_ERR;
		}
		t->infos++;
		strncat(t->text, msg[i]->msg, sizeof(t->text) - strlen(t->text) - 2);
		strcat(t->text, "\n");
	}
	*resp = r;
	return PAM_SUCCESS;
}

static const char *module(bool fake_fs)
{
	const char *m = getenv(fake_fs ? "CGHERD_FAKE_MODULE" : "CGHERD_MODULE");

	assert_non_null(m);
	return m;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void write_conf(struct fixture *f, const char *body, mode_t mode)
{
	char text[4096];

	snprintf(text, sizeof(text), "cgroup_root = \"%s\";\n%s", f->root, body);
	write_file(f->conf, text, mode);
}

/* Starts a PAM transaction for user on a stack with the module and args. */
static void start(struct fixture *f, const char *user, bool fake_fs, const char *args)
{
	struct pam_conv conv = { no_conv, NULL };
	char path[128], stack[1024];

	snprintf(stack, sizeof(stack),
		 "session [success=done ignore=ignore default=die] %s conf=%s %s\n"
		 "session required pam_debug.so open_session=maxtries close_session=maxtries\n",
		 module(fake_fs), f->conf, args);
	snprintf(path, sizeof(path), "%s/cgherd-test", f->dir);
	write_file(path, stack, 0644);
	assert_int_equal(pam_start_confdir("cgherd-test", user, &conv, f->dir, &f->pamh), PAM_SUCCESS);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/cgherd-pam-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/cgherd.conf", f->dir);
	snprintf(f->notices, sizeof(f->notices), "%s/notices", f->dir);
	assert_int_equal(setenv("CGHERD_TEST_NOTICE_DIR", f->notices, 1), 0);
	assert_int_equal(fake_make_root(f->root, sizeof(f->root), "cpu memory pids\n"), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char name[64], path[128];

	if (f->pamh != NULL)
		pam_end(f->pamh, PAM_SUCCESS);
	/* the production module, run as root, caches f->conf in CGH_CACHE_DIR:
	 * in the private /run of tests/pam/private-run */
	cgh_cache_name(f->conf, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", CGH_CACHE_DIR, name);
	unlink(path);
	unsetenv("CGHERD_TEST_CACHE_DIR");
	unsetenv("CGHERD_TEST_NOTICE_DIR");
	fake_remove_root(f->root);
	fake_remove_root(f->dir);
	free(f);
	return 0;
}

static bool exists(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &st) == 0;
}

static void test_herd_and_close(void **state)
{
	struct fixture *f = *state;
	char leaf[128], got[64];

	write_conf(f, "session = { memory_max = \"100M\"; pids_max = 64; };\n", 0644);
	start(f, "nobody", true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), PAM_SUCCESS);
	snprintf(leaf, sizeof(leaf), "cgherd/user-65534/session-%d", (int)getpid());
	assert_true(exists(f->root, leaf));
	snprintf(leaf, sizeof(leaf), "cgherd/user-65534/session-%d/memory.max", (int)getpid());
	assert_int_equal(fake_get(f->root, leaf, got, sizeof(got)), 0);
	assert_string_equal(got, "104857600");
	snprintf(leaf, sizeof(leaf), "cgherd/user-65534/session-%d/cgroup.procs", (int)getpid());
	assert_int_equal(fake_get(f->root, leaf, got, sizeof(got)), 0);
	assert_int_equal(atoi(got), (int)getpid());

	assert_int_equal(pam_close_session(f->pamh, 0), PAM_SUCCESS);
	assert_false(exists(f->root, "cgherd/user-65534"));
	assert_true(exists(f->root, "cgherd"));
}

static void test_ignore_rule(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "rules = ( { name = \"nobody\"; match = { user = \"nobody\"; }; action = \"ignore\"; } );\n",
		   0644);
	start(f, "nobody", true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
	assert_false(exists(f->root, "cgherd"));
	assert_int_equal(pam_close_session(f->pamh, 0), IGNORED);
}

static void test_default_ignore_argument(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "rules = ( { match = { user = \"root\"; }; } );\n", 0644);
	start(f, "nobody", true, "default_action=ignore");
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
	assert_false(exists(f->root, "cgherd"));
}

/* One login of user on the fake cgroupfs, its open_session's result. */
static void expect_outcome_once(struct fixture *f, const char *user, int code)
{
	start(f, user, true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), code);
	pam_end(f->pamh, PAM_SUCCESS);
	f->pamh = NULL;
}

static void expect_outcome(struct fixture *f, const char *user, bool fake_fs, const char *args,
			   int deny_code)
{
	char allow_args[256];

	start(f, user, fake_fs, args);
	assert_int_equal(pam_open_session(f->pamh, 0), deny_code);
	pam_end(f->pamh, PAM_SUCCESS);
	f->pamh = NULL;
	assert_false(exists(f->root, "cgherd"));

	snprintf(allow_args, sizeof(allow_args), "%s on_error=allow", args);
	start(f, user, fake_fs, allow_args);
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
	assert_false(exists(f->root, "cgherd"));
}

static void test_broken_config(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memroy_max = \"1G\"; };\n", 0644);
	expect_outcome(f, "nobody", true, "", PAM_SESSION_ERR);
}

static void test_syntax_error(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memory_max = ; };\n", 0644);
	expect_outcome(f, "nobody", true, "", PAM_SESSION_ERR);
}

static void test_config_writable_by_others(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memory_max = \"1G\"; };\n", 0666);
	expect_outcome(f, "nobody", true, "", PAM_SESSION_ERR);
}

static void test_config_missing(void **state)
{
	struct fixture *f = *state;

	expect_outcome(f, "nobody", true, "", PAM_SESSION_ERR);
}

static void test_unknown_user(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memory_max = \"1G\"; };\n", 0644);
	expect_outcome(f, "no-such-user-cgherd", true, "", PAM_SESSION_ERR);
}

static void test_hostile_user_name(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memory_max = \"1G\"; };\n", 0644);
	expect_outcome(f, "../../etc", true, "", PAM_SESSION_ERR);
}

static void test_bad_argument(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memory_max = \"1G\"; };\n", 0644);
	start(f, "nobody", true, "on_error=maybe");
	assert_int_equal(pam_open_session(f->pamh, 0), PAM_SESSION_ERR);
	assert_false(exists(f->root, "cgherd"));
}

/* The production module on a directory that is not a cgroup2 mount. */
static void test_real_module_refuses_non_cgroup2(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "session = { memory_max = \"1G\"; };\n", 0644);
	expect_outcome(f, "nobody", false, "", PAM_SESSION_ERR);
}

static void test_real_module_ignores(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "default_action = \"ignore\";\n", 0644);
	start(f, "nobody", false, "");
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
}

/* write_conf, then waits until a change of the file would show in the
 * key of its config cache. */
static void write_conf_settled(struct fixture *f, const char *body)
{
	struct stat st;

	write_conf(f, body, 0644);
	assert_int_equal(stat(f->conf, &st), 0);
	while (!cgh_cache_settled(&st))
		usleep(1000);
}

/* Points the fake module's config cache at a new directory in f->dir. */
static void cache_in_tmp(struct fixture *f, char *dir, size_t len)
{
	snprintf(dir, len, "%s/cache", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(setenv("CGHERD_TEST_CACHE_DIR", dir, 1), 0);
}

static ino_t cache_inode(const char *dir, const char *conf)
{
	char name[64], path[256];
	struct stat st;

	cgh_cache_name(conf, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	return st.st_ino;
}

/* The module with its config cache in a temp dir: the first login writes
 * it, the next ones use it, module arguments still win, and an edit of the
 * file is seen at once. */
static void test_config_cache(void **state)
{
	struct fixture *f = *state;
	char dir[128];
	ino_t ino;

	cache_in_tmp(f, dir, sizeof(dir));
	write_conf_settled(f, "session = { memory_max = \"100M\"; };\n");
	start(f, "nobody", true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), PAM_SUCCESS);
	assert_int_equal(pam_close_session(f->pamh, 0), PAM_SUCCESS);
	pam_end(f->pamh, PAM_SUCCESS);
	ino = cache_inode(dir, f->conf);

	start(f, "nobody", true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), PAM_SUCCESS);
	assert_int_equal(pam_close_session(f->pamh, 0), PAM_SUCCESS);
	pam_end(f->pamh, PAM_SUCCESS);
	assert_int_equal(cache_inode(dir, f->conf), ino);	/* read, not rewritten */

	start(f, "nobody", true, "default_action=ignore");
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
	pam_end(f->pamh, PAM_SUCCESS);
	assert_int_equal(cache_inode(dir, f->conf), ino);

	write_conf_settled(f, "default_action = \"ignore\";\n");
	start(f, "nobody", true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
	assert_int_not_equal(cache_inode(dir, f->conf), ino);
}

/* A broken file is refused even where a cache of its earlier version is. */
static void test_config_cache_broken_edit(void **state)
{
	struct fixture *f = *state;
	char dir[128];

	cache_in_tmp(f, dir, sizeof(dir));
	write_conf_settled(f, "default_action = \"ignore\";\n");
	start(f, "nobody", true, "");
	assert_int_equal(pam_open_session(f->pamh, 0), IGNORED);
	pam_end(f->pamh, PAM_SUCCESS);
	f->pamh = NULL;
	cache_inode(dir, f->conf);
	write_conf_settled(f, "default_action = \"ignroe\";\n");
	expect_outcome(f, "nobody", true, "", PAM_SESSION_ERR);
}

/* The module finds the cache's index damaged when it reads the user's
 * rules: it removes the cache, parses the file, decides as the file says
 * and writes the cache anew (without that, the login would be refused). */
static void test_config_cache_damaged(void **state)
{
	struct fixture *f = *state;
	const uint32_t bad = UINT32_MAX - 1;
	struct cgh_cache_header h;
	char dir[128], name[64], path[256];
	struct cgh_cache_sections at;
	uint32_t now;
	int fd;

	cache_in_tmp(f, dir, sizeof(dir));
	write_conf_settled(f, "rules = ( { name = \"r\"; match = { user = \"root\"; }; },\n"
			      "  { name = \"n\"; match = { user = \"nobody\"; }; action = \"ignore\"; } );\n");
	expect_outcome_once(f, "nobody", IGNORED);	/* parsed, cache written */
	expect_outcome_once(f, "nobody", IGNORED);	/* from the cache */
	/* index entry 0 is "nobody": its first rule number out of range */
	cgh_cache_name(f->conf, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	cgh_cache_sections(&h, &at);
	assert_int_equal(pwrite(fd, &bad, 4, (off_t)at.postings), 4);
	close(fd);
	expect_outcome_once(f, "nobody", IGNORED);
	/* written anew (the inode number may well be the same) */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &now, 4, (off_t)at.postings), 4);
	close(fd);
	assert_int_equal(now, 1);	/* rule "n" */
	expect_outcome_once(f, "nobody", IGNORED);
}

/* A login whose config comes from the cache does not load libconfig, with
 * module arguments or without: the driver tests/pam/open_once parses in a
 * child process, then logs in from the cache and reads its own
 * /proc/self/maps (a fresh process: this one has libconfig loaded by the
 * tests before). */
static void expect_cached_login_without_libconfig(const char *args)
{
	const char *driver = getenv("CGHERD_OPEN_ONCE");
	char cmd[1024], out[512] = "";
	FILE *p;

	assert_non_null(driver);
	snprintf(cmd, sizeof(cmd), "%s -n 2 -a '%s' %s", driver, args, module(true));
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	assert_int_equal(pclose(p), 0);
	assert_non_null(strstr(out, "open_once n=2 "));
	assert_non_null(strstr(out, " libconfig_mapped=no"));
}

static void test_cached_login_does_not_load_libconfig(void **state)
{
	(void)state;
	expect_cached_login_without_libconfig("");
	expect_cached_login_without_libconfig("on_error=allow kill_on_close=FALSE base=cgherd");
}

/* ---- notices --------------------------------------------------------------------- */

#define NOBODY 65534
#define HELP "Limits on this host: https://example.org/limits"

/* One login of nobody through service (its stack the module's), PAM_TTY tty
 * (NULL: unset), flags; returns what the conversation was told. */
static void notice_stack(struct fixture *f, const char *service)
{
	char path[128], stack[1024];

	snprintf(stack, sizeof(stack),
		 "session [success=done ignore=ignore default=die] %s conf=%s\n"
		 "session required pam_debug.so open_session=maxtries close_session=maxtries\n",
		 module(true), f->conf);
	snprintf(path, sizeof(path), "%s/%s", f->dir, service);
	write_file(path, stack, 0644);
}

static const struct told *notice_login(struct fixture *f, const char *service, const char *tty,
				       int flags)
{
	struct pam_conv conv = { capture_conv, &f->told };

	memset(&f->told, 0, sizeof(f->told));
	notice_stack(f, service);
	assert_int_equal(pam_start_confdir(service, "nobody", &conv, f->dir, &f->pamh), PAM_SUCCESS);
	if (tty != NULL)
		assert_int_equal(pam_set_item(f->pamh, PAM_TTY, tty), PAM_SUCCESS);
	assert_int_equal(pam_set_item(f->pamh, PAM_RHOST, "10.0.0.5"), PAM_SUCCESS);
	assert_int_equal(pam_open_session(f->pamh, flags), PAM_SUCCESS);
	assert_int_equal(pam_close_session(f->pamh, flags), PAM_SUCCESS);
	pam_end(f->pamh, PAM_SUCCESS);
	f->pamh = NULL;
	return &f->told;
}

/* A dead leaf of nobody's whose session the kernel killed as a group. */
static void dead_leaf(struct fixture *f, const char *name)
{
	struct cgh_login l = { .service = "sshd", .tty = "ssh", .rhost = "10.0.0.5", .started = 1 };
	struct cgh_error err = { 0 };
	struct cgh_fs fs = { .rootfd = -1 };
	char leaf[128], rel[160];

	snprintf(leaf, sizeof(leaf), "cgherd/user-%d/%s", NOBODY, name);
	assert_int_equal(cgh_fs_open(&fs, f->root, cgh_test_sys(), &err), 0);
	cgh_fs_mkdir(&fs, "cgherd", NULL);
	cgh_fs_mkdir(&fs, "cgherd/user-65534", NULL);
	assert_int_equal(cgh_fs_mkdir(&fs, leaf, &err), 0);
	assert_int_equal(cgh_notice_set_login(&fs, leaf, &l, &err), 0);
	assert_int_equal(cgh_fs_set_rule(&fs, leaf, "students", &err), 0);
	cgh_fs_close(&fs);
	snprintf(rel, sizeof(rel), "%s/memory.events", leaf);
	assert_int_equal(fake_put(f->root, rel, "low 0\nhigh 0\nmax 9\noom 1\noom_kill 3\noom_group_kill 1\n"), 0);
	snprintf(rel, sizeof(rel), "%s/memory.max", leaf);
	assert_int_equal(fake_put(f->root, rel, "524288000\n"), 0);
	snprintf(rel, sizeof(rel), "%s/memory.peak", leaf);
	assert_int_equal(fake_put(f->root, rel, "524288000\n"), 0);
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

static size_t pending(struct fixture *f)
{
	struct cgh_notice_store st;
	struct cgh_notice got[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	size_t n = 0;

	if (cgh_notice_store_open(&st, f->notices, false, &err) < 0)
		return 0;
	assert_int_equal(cgh_notice_read(&st, NOBODY, got, CGH_NOTICE_KEEP, &n, &err), 0);
	cgh_notice_store_close(&st);
	return n;
}

/* The login that collects the dead leaf writes the record and, being
 * interactive, shows it once; the next login shows nothing. */
static void test_notice_shown_once(void **state)
{
	struct fixture *f = *state;
	const struct told *t;

	write_conf(f, "notices = { help = \"" HELP "\"; };\n", 0644);
	dead_leaf(f, "session-999");
	t = notice_login(f, "runuser-l", "/dev/pts/1", 0);
	assert_int_equal(t->infos, 1);
	assert_int_equal(count(t->text, "cgherd: "), 1);
	assert_non_null(strstr(t->text, "cgherd: your ssh session from 10.0.0.5 (started "));
	assert_non_null(strstr(t->text, ": it reached its memory limit of 500M (peak 500M), 3 processes "
					 "killed. Rule: students. " HELP "\n"));
	assert_false(exists(f->root, "cgherd/user-65534/session-999"));
	assert_int_equal(pending(f), 0);
	t = notice_login(f, "runuser-l", "/dev/pts/1", 0);
	assert_int_equal(t->infos, 0);
}

/* sshd cannot say at open whether it will print PAM's messages (not for
 * `ssh host cmd`).  Without `cgherd watch`, nobody could tell later: the
 * records go as at a terminal login.  With watch running (its lock held),
 * they stay, the leaf marked with the newest shown; once a login shell runs
 * in the leaf (what watch looks for) they go, and the next login shows
 * nothing. */
static void test_notice_sshd_kept_until_shell(void **state)
{
	struct fixture *f = *state;
	struct pam_conv conv = { capture_conv, &f->told };
	struct cgh_error err = { 0 };
	struct cgh_fs fs = { .rootfd = -1 };
	struct cgh_notifier nf = { .dev = "/dev", .at_login = true };
	struct cgh_notice_store st;
	struct cgh_log quiet = { 0 };
	char leaf[96], raw[CGH_NOTICE_RECORD_MAX];
	int n, watch;

	write_conf(f, "", 0644);
	dead_leaf(f, "session-997");
	assert_int_equal(notice_login(f, "sshd", "ssh", 0)->infos, 1);	/* no watch */
	assert_int_equal(pending(f), 0);
	assert_int_equal(cgh_notice_store_open(&st, f->notices, false, &err), 0);
	watch = cgh_notice_watch_present(&st, &err);
	assert_true(watch >= 0);
	dead_leaf(f, "session-996");
	assert_int_equal(notice_login(f, "sshd", "ssh", 0)->infos, 1);	/* `ssh host cmd` */
	assert_int_equal(pending(f), 1);
	memset(&f->told, 0, sizeof(f->told));
	notice_stack(f, "sshd");
	assert_int_equal(pam_start_confdir("sshd", "nobody", &conv, f->dir, &f->pamh), PAM_SUCCESS);
	assert_int_equal(pam_set_item(f->pamh, PAM_TTY, "ssh"), PAM_SUCCESS);
	assert_int_equal(pam_open_session(f->pamh, 0), PAM_SUCCESS);
	assert_int_equal(f->told.infos, 1);
	snprintf(leaf, sizeof(leaf), "cgherd/user-65534/session-%d", (int)getpid());
	assert_int_equal(cgh_fs_open(&fs, f->root, cgh_test_sys(), &err), 0);
	n = fs.sys->getxattr(fs.rootfd, leaf, CGH_SHOWN_XATTR, raw, sizeof(raw) - 1);
	assert_true(n > 0);
	raw[n] = '\0';
	assert_non_null(strstr(raw, "leaf=session-996"));
	snprintf(nf.dir, sizeof(nf.dir), "%s", f->notices);
	assert_int_equal(cgh_notice_confirm_shown(&nf, &fs, leaf, NOBODY, &quiet), 0);	/* no shell */
	assert_int_equal(pending(f), 1);
	fake.login_shells[fake.n_login_shells++] = (int)getpid();
	assert_int_equal(cgh_notice_confirm_shown(&nf, &fs, leaf, NOBODY, &quiet), 1);
	assert_int_equal(pending(f), 0);
	cgh_fs_close(&fs);
	assert_int_equal(pam_close_session(f->pamh, 0), PAM_SUCCESS);
	pam_end(f->pamh, PAM_SUCCESS);
	f->pamh = NULL;
	assert_int_equal(notice_login(f, "sshd", "ssh", 0)->infos, 0);
	close(watch);
	cgh_notice_store_close(&st);
}

/* Logins that print no PAM messages, and PAM_SILENT ones, keep it. */
static void test_notice_kept(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "", 0644);
	dead_leaf(f, "session-998");
	assert_int_equal(notice_login(f, "cron", "cron", 0)->infos, 0);
	assert_int_equal(pending(f), 1);
	assert_int_equal(notice_login(f, "runuser", "/dev/pts/1", 0)->infos, 0);	/* not -l */
	assert_int_equal(notice_login(f, "runuser-l", NULL, 0)->infos, 0);	/* no terminal */
	assert_int_equal(notice_login(f, "login", "tty1", PAM_SILENT)->infos, 0);
	assert_int_equal(pending(f), 1);
	assert_int_equal(notice_login(f, "login", "tty1", 0)->infos, 1);
	assert_int_equal(pending(f), 0);
}

static void test_notice_at_login_off(void **state)
{
	struct fixture *f = *state;

	write_conf(f, "notices = { at_login = false; tty = false; };\n", 0644);
	dead_leaf(f, "session-997");
	assert_int_equal(notice_login(f, "sshd", "ssh", 0)->infos, 0);
	assert_false(exists(f->root, "cgherd/user-65534/session-997"));	/* collected */
	assert_int_equal(pending(f), 0);					/* not recorded */
}

/* A huge file, a symlink, another owner's file: refused, nothing shown. */
static void test_notice_hostile_files(void **state)
{
	struct fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	struct cgh_notice n = { .kind = CGH_NOTICE_OOM_GROUP, .when = 5, .uid = NOBODY,
				.leaf = "session-1", .limit = CGH_UNKNOWN, .peak = CGH_UNKNOWN,
				.killed = CGH_UNKNOWN };
	char file[160], target[160], big[20000];
	struct stat sb;

	write_conf(f, "", 0644);
	assert_int_equal(cgh_notice_store_open(&st, f->notices, true, &err), 0);
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	cgh_notice_store_close(&st);
	snprintf(file, sizeof(file), "%s/user-%d", f->notices, NOBODY);
	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	assert_int_equal(rename(file, target), 0);
	assert_int_equal(symlink(target, file), 0);
	assert_int_equal(notice_login(f, "login", "tty1", 0)->infos, 0);
	assert_int_equal(lstat(file, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	unlink(file);
	assert_int_equal(rename(target, file), 0);
	assert_int_equal(chown(file, NOBODY, NOBODY), 0);
	assert_int_equal(notice_login(f, "login", "tty1", 0)->infos, 0);
	assert_int_equal(chown(file, 0, 0), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(file, big, 0600);
	assert_int_equal(notice_login(f, "login", "tty1", 0)->infos, 0);
	unlink(file);
	/* a store directory others can enter */
	assert_int_equal(cgh_notice_store_open(&st, f->notices, true, &err), 0);
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	cgh_notice_store_close(&st);
	assert_int_equal(chmod(f->notices, 0755), 0);
	assert_int_equal(notice_login(f, "login", "tty1", 0)->infos, 0);
	assert_int_equal(chmod(f->notices, 0700), 0);
	assert_int_equal(notice_login(f, "login", "tty1", 0)->infos, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_herd_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_ignore_argument, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_writable_by_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_user_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_argument, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_module_refuses_non_cgroup2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_module_ignores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_cache_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_cache_broken_edit, setup, teardown),
		cmocka_unit_test(test_cached_login_does_not_load_libconfig),
		cmocka_unit_test_setup_teardown(test_notice_shown_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_sshd_kept_until_shell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_at_login_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_hostile_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Notices: the record format and its wording, the store's bounds and its
 * refusals of hostile files, terminal delivery (a real pty), and collection
 * over the emulated cgroup tree. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_notice.h"
#include "fakefs.h"
#include "testutil.h"

#define MIB (1024ull * 1024)

/* 2026-12-01 14:02:00 and 14:31:00 UTC */
#define T_START 1796133720ull
#define T_END 1796135460ull

static struct cgh_notice example(void)
{
	struct cgh_notice n = {
		.kind = CGH_NOTICE_OOM_GROUP, .when = T_END, .uid = 1000, .leaf = "session-812",
		.event = 3, .login = { .service = "sshd", .tty = "ssh", .rhost = "10.0.0.5",
				       .started = T_START },
		.rule = "students", .limit = 500 * MIB, .peak = 500 * MIB, .killed = 3,
		.biggest = "memhog",
	};
	return n;
}

static int utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* ---- format ---------------------------------------------------------------------- */

static void test_encode_decode(void **state)
{
	(void)state;
	struct cgh_notice n = example(), back;
	char line[CGH_NOTICE_RECORD_MAX];
	int len = cgh_notice_encode(&n, line, sizeof(line));

	assert_true(len > 0);
	assert_string_equal(line, "v=1 kind=oom_group when=1796135460 uid=1000 leaf=session-812 event=3 "
				  "started=1796133720 service=sshd tty=ssh rhost=10.0.0.5 rule=students "
				  "limit=524288000 peak=524288000 killed=3 biggest=memhog\n");
	assert_int_equal(cgh_notice_decode(line, &back), 0);
	assert_true(cgh_notice_same(&n, &back));
	assert_int_equal(back.limit, 500 * MIB);
	assert_int_equal(back.killed, 3);
	assert_string_equal(back.biggest, "memhog");
	assert_string_equal(back.login.rhost, "10.0.0.5");
}

static struct cgh_notice penalty_example(enum cgh_notice_kind kind)
{
	struct cgh_notice n = {
		.kind = kind, .when = T_END, .uid = 1000, .leaf = "user-1000", .event = T_START,
		.penalty = "cpu", .tier = 2, .tiers = 3, .until = T_END + 1800,
		.effect = "cpu_max=50%", .limit = CGH_UNKNOWN, .peak = CGH_UNKNOWN,
		.killed = CGH_UNKNOWN,
	};

	snprintf(n.why, sizeof(n.why), "%s", kind == CGH_NOTICE_PENALTY_START
		 ? "your CPU use was 212.50% of one CPU over 600s, over the threshold of 200%"
		 : "its duration is over");
	return n;
}

/* The penalty kinds: their words in the record, and what the user reads. */
static void test_penalty_notices(void **state)
{
	(void)state;
	struct cgh_notice n = penalty_example(CGH_NOTICE_PENALTY_START), back;
	char line[CGH_NOTICE_RECORD_MAX];

	assert_true(cgh_notice_encode(&n, line, sizeof(line)) > 0);
	assert_string_equal(line, "v=1 kind=penalty_start when=1796135460 uid=1000 leaf=user-1000 "
				  "event=1796133720 penalty=cpu tier=2 tiers=3 until=1796137260 "
				  "effect=cpu_max%3D50%25 why=your%20CPU%20use%20was%20212.50%25%20of%20one%20CPU"
				  "%20over%20600s,%20over%20the%20threshold%20of%20200%25\n");
	assert_int_equal(cgh_notice_decode(line, &back), 0);
	assert_true(cgh_notice_same(&n, &back));
	assert_int_equal(back.kind, CGH_NOTICE_PENALTY_START);
	assert_int_equal(back.tier, 2);
	assert_int_equal(back.until, T_END + 1800);
	assert_string_equal(back.why, n.why);
	cgh_notice_describe(&back, "See https://example.org/fair", T_END, line, sizeof(line));
	assert_string_equal(line, "cgherd: penalty cpu (tier 2 of 3) on your processes until 15:01: "
				  "cpu_max=50%, because your CPU use was 212.50% of one CPU over 600s, "
				  "over the threshold of 200%. See https://example.org/fair");

	n = penalty_example(CGH_NOTICE_PENALTY_END);
	n.when = T_END + 1800;
	assert_true(cgh_notice_encode(&n, line, sizeof(line)) > 0);
	assert_int_equal(cgh_notice_decode(line, &back), 0);
	assert_int_equal(back.kind, CGH_NOTICE_PENALTY_END);
	cgh_notice_describe(&back, NULL, T_END + 1800, line, sizeof(line));
	assert_string_equal(line, "cgherd: penalty cpu (tier 2 of 3) on your processes ended at 15:01 "
				  "(its duration is over): cpu_max=50% is lifted, your limits are back.");

	/* a kill's record carries no penalty words */
	n = example();
	assert_true(cgh_notice_encode(&n, line, sizeof(line)) > 0);
	assert_null(strstr(line, "tier="));
	assert_int_equal(cgh_notice_decode(line, &back), 0);
	assert_int_equal(back.tier, CGH_UNKNOWN);
}

/* A value cannot add a word, a key or a line; control bytes come back as '?'. */
static void test_hostile_values(void **state)
{
	(void)state;
	struct cgh_notice n = example(), back;
	char line[CGH_NOTICE_RECORD_MAX];

	snprintf(n.login.rhost, sizeof(n.login.rhost), "evil kind=close_kill\nv=1 uid=0 %%41");
	snprintf(n.biggest, sizeof(n.biggest), "a\033[2Jb");
	assert_true(cgh_notice_encode(&n, line, sizeof(line)) > 0);
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	assert_int_equal(cgh_notice_decode(line, &back), 0);
	assert_int_equal(back.kind, CGH_NOTICE_OOM_GROUP);
	assert_int_equal(back.uid, 1000);
	assert_string_equal(back.login.rhost, "evil kind=close_kill?v=1 uid=0 %41");
	assert_string_equal(back.biggest, "a?[2Jb");
}

static void test_decode_refusals(void **state)
{
	(void)state;
	struct cgh_notice n;

	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group when=5 uid=1 future=x", &n), 0);
	assert_int_equal(cgh_notice_decode("v=1 kind=future_kind when=5 uid=1", &n), -ENOENT);
	assert_int_equal(cgh_notice_decode("v=2 kind=oom_group when=5 uid=1", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("kind=oom_group when=5 uid=1", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group uid=1", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group when=5", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group when=5 uid=1 rule=%4", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group when=5 uid=1 rule=%00", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group when=x uid=1", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("v=1 kind=oom_group when=5 uid=1 junk", &n), -EINVAL);
	assert_int_equal(cgh_notice_decode("", &n), -EINVAL);
}

static void test_login_roundtrip(void **state)
{
	(void)state;
	struct cgh_login l = { .service = "sshd", .tty = "/dev/pts/3", .rhost = "host a", .started = 7 }, back;
	char text[256];

	assert_true(cgh_login_encode(&l, text, sizeof(text)) > 0);
	assert_string_equal(text, "started=7 service=sshd tty=/dev/pts/3 rhost=host%20a");
	assert_int_equal(cgh_login_decode(text, &back), 0);
	assert_string_equal(back.tty, "/dev/pts/3");
	assert_string_equal(back.rhost, "host a");
	assert_int_equal(back.started, 7);
}

static void test_wording(void **state)
{
	(void)state;
	struct cgh_notice n = example();
	char line[CGH_NOTICE_LINE_MAX];

	cgh_notice_describe(&n, "Limits on this host: https://example.org/limits", T_END, line, sizeof(line));
	assert_string_equal(line, "cgherd: your ssh session from 10.0.0.5 (started 14:02) was ended at 14:31: "
				  "it reached its memory limit of 500M (peak 500M), 3 processes killed "
				  "(biggest: memhog). Rule: students. Limits on this host: https://example.org/limits");

	n.kind = CGH_NOTICE_OOM_KILL;
	n.killed = 1;
	n.login.rhost[0] = '\0';
	snprintf(n.login.tty, sizeof(n.login.tty), "/dev/pts/4");
	cgh_notice_describe(&n, NULL, T_END + 86400, line, sizeof(line));
	assert_string_equal(line, "cgherd: in your ssh session on pts/4 (started 2026-12-01 14:02), 1 process "
				  "was killed at 2026-12-01 14:31 (memhog): the session reached its memory limit "
				  "of 500M (peak 500M). Rule: students.");

	n.kind = CGH_NOTICE_CLOSE_KILL;
	n.killed = 2;
	n.login.started = 0;
	snprintf(n.login.service, sizeof(n.login.service), "su");
	n.rule[0] = '\0';
	cgh_notice_describe(&n, "", T_END, line, sizeof(line));
	assert_string_equal(line, "cgherd: when your su session on pts/4 ended at 14:31, 2 processes left "
				  "running in it were killed.");

	n = example();
	n.kind = CGH_NOTICE_PRESSURE;
	n.limit = 400 * MIB;
	n.peak = CGH_UNKNOWN;
	n.killed = CGH_UNKNOWN;
	n.biggest[0] = '\0';
	cgh_notice_describe(&n, NULL, T_END, line, sizeof(line));
	assert_string_equal(line, "cgherd: your ssh session from 10.0.0.5 (started 14:02) was ended at 14:31: it "
				  "was stalled waiting for memory for too long at its memory.high of 400M. "
				  "Rule: students.");
}

static void test_wording_truncated(void **state)
{
	(void)state;
	struct cgh_notice n = example();
	char line[40];

	memset(line, 'x', sizeof(line));
	cgh_notice_describe(&n, "help", T_END, line, sizeof(line));
	assert_int_equal(strlen(line), sizeof(line) - 1);
	assert_memory_equal(line, "cgherd: your ssh session from 10.0.0.5", 38);
}

static void test_sizes(void **state)
{
	(void)state;
	static const struct { uint64_t v; const char *s; } t[] = {
		{ 0, "0" }, { 1023, "1023" }, { 1024, "1K" }, { 1536, "1.5K" },
		{ 500 * MIB, "500M" }, { 500 * MIB - 4096, "500M" }, { 1536 * MIB, "1.5G" },
		{ 100 * MIB + 300 * 1024, "100M" }, { 3 * MIB + 700 * 1024, "3.7M" },
		{ UINT64_MAX - 1, "16E" },
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cgh_size_human(t[i].v, buf, sizeof(buf));
		assert_string_equal(buf, t[i].s);
	}
}

static void test_terminal_names(void **state)
{
	(void)state;
	assert_true(cgh_tty_is_terminal("/dev/pts/3"));
	assert_true(cgh_tty_is_terminal("pts/3"));
	assert_true(cgh_tty_is_terminal("tty1"));
	assert_true(cgh_tty_is_terminal("/dev/ttyS0"));
	assert_false(cgh_tty_is_terminal("ssh"));
	assert_false(cgh_tty_is_terminal("cron"));
	assert_false(cgh_tty_is_terminal(":0"));
	assert_false(cgh_tty_is_terminal(""));
	assert_false(cgh_tty_is_terminal("/dev/"));
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "sshd", .tty = "ssh" }), CGH_SHOW_KEEP);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "sshd", .tty = "/dev/pts/1" }), CGH_SHOW_KEEP);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "login", .tty = "tty1" }), CGH_SHOW_TAKE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "runuser-l", .tty = "/dev/pts/1" }), CGH_SHOW_TAKE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "su-l", .tty = "/dev/pts/1" }), CGH_SHOW_TAKE);
	/* su and runuser without -l print no PAM messages; cron, cgherd run, no terminal */
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "su", .tty = "/dev/pts/1" }), CGH_SHOW_NONE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "runuser", .tty = "/dev/pts/1" }), CGH_SHOW_NONE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "cron", .tty = "cron" }), CGH_SHOW_NONE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "cgherd", .tty = "" }), CGH_SHOW_NONE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "runuser-l", .tty = "" }), CGH_SHOW_NONE);
	assert_int_equal(cgh_login_shows_notices(&(struct cgh_login){ .service = "login", .tty = "ssh" }), CGH_SHOW_NONE);
}

/* ---- the store ------------------------------------------------------------------------ */

struct store_fixture {
	char top[64];
	char dir[96];
};

static int store_setup(void **state)
{
	struct store_fixture *f = calloc(1, sizeof(*f));

	utc(state);
	snprintf(f->top, sizeof(f->top), "/tmp/cgherd-notice-XXXXXX");
	assert_non_null(mkdtemp(f->top));
	snprintf(f->dir, sizeof(f->dir), "%s/cgherd", f->top);
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	struct store_fixture *f = *state;
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->top);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void path_of(const struct store_fixture *f, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", f->dir, name);
}

static void open_store(const struct store_fixture *f, struct cgh_notice_store *st)
{
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_notice_store_open(st, f->dir, true, &err), 0);
}

static void test_store_made_safely(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_notice n = example();
	struct cgh_error err = { 0 };
	char path[160];
	struct stat sb;

	assert_int_equal(cgh_notice_store_open(&st, f->dir, false, &err), -ENOENT);
	open_store(f, &st);
	assert_int_equal(stat(f->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	path_of(f, "user-1000", path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_uid, geteuid());
	cgh_notice_store_close(&st);
}

static void test_store_dedup_and_remove(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_notice n = example(), got[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	size_t count = 9;

	open_store(f, &st);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, 0);
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	n.when += 5;		/* the same event, written by the other writer a bit later */
	assert_int_equal(cgh_notice_add(&st, &n, &err), 1);
	n.event = 4;		/* another one */
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_int_equal(got[0].event, 3);
	assert_int_equal(got[1].event, 4);
	/* one more arrives between the read and the removal: it stays */
	n.event = 5;
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	assert_int_equal(cgh_notice_remove(&st, 1000, got, 2, &err), 2);
	assert_int_equal(cgh_notice_remove(&st, 1000, got, 2, &err), 0);	/* gone already */
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, 1);
	assert_int_equal(got[0].event, 5);
	assert_int_equal(cgh_notice_remove(&st, 1000, got, 1, &err), 1);
	assert_int_equal(access(f->dir, F_OK), 0);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, 0);
	cgh_notice_store_close(&st);
}

/* Records shown at an sshd login go once a shell is seen: those up to the
 * newest shown; one written since stays, and nothing goes when a login
 * took them meanwhile. */
static void test_store_remove_through(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_notice n = example(), got[CGH_NOTICE_KEEP], last;
	struct cgh_error err = { 0 };
	size_t count = 0;

	open_store(f, &st);
	for (n.event = 1; n.event <= 3; n.event++)
		assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	last = got[1];		/* shown: 1 and 2; 3 came after the login */
	assert_int_equal(cgh_notice_remove_through(&st, 1000, &last, &err), 2);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, 1);
	assert_int_equal(got[0].event, 3);
	assert_int_equal(cgh_notice_remove_through(&st, 1000, &last, &err), 0);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, 1);
	cgh_notice_store_close(&st);
}

static void test_store_bounds(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_notice n = example(), got[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	char path[160];
	struct stat sb;
	size_t count = 0;

	open_store(f, &st);
	for (unsigned i = 0; i < 20; i++) {
		n.event = i;
		assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	}
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_int_equal(count, CGH_NOTICE_KEEP);
	assert_int_equal(got[0].event, 20 - CGH_NOTICE_KEEP);
	assert_int_equal(got[CGH_NOTICE_KEEP - 1].event, 19);

	/* long records: the size cap drops the oldest before the count does */
	memset(n.login.rhost, '%', sizeof(n.login.rhost) - 1);	/* 3 bytes each encoded */
	memset(n.rule, '%', sizeof(n.rule) - 1);
	memset(n.leaf, '%', sizeof(n.leaf) - 1);
	memset(n.login.tty, '%', sizeof(n.login.tty) - 1);
	memset(n.login.service, '%', sizeof(n.login.service) - 1);
	memset(n.biggest, '%', sizeof(n.biggest) - 1);
	for (unsigned i = 100; i < 120; i++) {
		n.event = i;
		assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	}
	path_of(f, "user-1000", path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size <= (off_t)CGH_NOTICE_FILE_MAX);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err), 0);
	assert_true(count >= 1 && count < CGH_NOTICE_KEEP);
	assert_int_equal(got[count - 1].event, 119);
	cgh_notice_store_close(&st);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int expect_refused(const struct store_fixture *f, const char *why)
{
	struct cgh_notice_store st;
	struct cgh_notice got[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	size_t count = 5;
	int r;

	open_store(f, &st);
	r = cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &count, &err);
	assert_true(r < 0);
	assert_int_equal(count, 0);
	assert_non_null(strstr(err.msg, why));
	cgh_notice_store_close(&st);
	return r;
}

static void test_store_refuses_hostile_files(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_notice n = example();
	struct cgh_error err = { 0 };
	char path[160], target[160], big[CGH_NOTICE_FILE_MAX + 64];
	struct stat sb;

	open_store(f, &st);
	cgh_notice_store_close(&st);
	path_of(f, "user-1000", path, sizeof(path));
	assert_int_equal(cgh_notice_encode(&n, big, sizeof(big)) > 0, 1);

	/* a symlink in place of the file: not followed, not read */
	snprintf(target, sizeof(target), "%s/elsewhere", f->top);
	write_text(target, big, 0600);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(expect_refused(f, "symlink"), -ELOOP);
	/* a write replaces the link, the target is untouched */
	open_store(f, &st);
	n.event = 9;
	assert_int_equal(cgh_notice_add(&st, &n, &err), 2);
	assert_non_null(strstr(err.msg, "replaced it"));
	cgh_notice_store_close(&st);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_size, (off_t)strlen(big));
	unlink(path);

	/* group- or world-readable, another owner, a hard link, too big */
	write_text(path, big, 0644);
	assert_int_equal(expect_refused(f, "mode 0644"), -EPERM);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chown(path, 1000, 1000), 0);
	assert_int_equal(expect_refused(f, "owner 1000"), -EPERM);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(link(path, target) == 0 || (unlink(target) == 0 && link(path, target) == 0), 1);
	assert_int_equal(expect_refused(f, "2 links"), -EPERM);
	unlink(target);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_text(path, big, 0600);
	assert_int_equal(expect_refused(f, "more than 8192"), -EFBIG);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(expect_refused(f, "not a regular file"), -EPERM);
	unlink(path);
}

static void test_store_refuses_hostile_dir(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	char elsewhere[128];

	/* a symlink in place of the directory */
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", f->top);
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	assert_int_equal(symlink(elsewhere, f->dir), 0);
	assert_true(cgh_notice_store_open(&st, f->dir, true, &err) < 0);
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(st.dirfd, -1);
	unlink(f->dir);

	/* open to others, or someone else's */
	assert_int_equal(mkdir(f->dir, 0755), 0);
	cgh_error_clear(&err);
	assert_int_equal(cgh_notice_store_open(&st, f->dir, true, &err), -EPERM);
	assert_non_null(strstr(err.msg, "mode 0755"));
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_int_equal(chown(f->dir, 1000, 1000), 0);
	cgh_error_clear(&err);
	assert_int_equal(cgh_notice_store_open(&st, f->dir, true, &err), -EPERM);
	assert_non_null(strstr(err.msg, "owned by uid 1000"));
	assert_int_equal(chown(f->dir, 0, 0), 0);
	assert_int_equal(cgh_notice_store_open(&st, f->dir, true, &err), 0);
	cgh_notice_store_close(&st);
}

static int count_user(void *arg, unsigned uid)
{
	unsigned *seen = arg;

	seen[uid == 1000 ? 0 : uid == 1001 ? 1 : 2]++;
	return 0;
}

static void test_store_users(void **state)
{
	struct store_fixture *f = *state;
	struct cgh_notice_store st;
	struct cgh_notice n = example();
	struct cgh_error err = { 0 };
	unsigned seen[3] = { 0 };
	char path[160];

	open_store(f, &st);
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	n.uid = 1001;
	assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	path_of(f, "user-1000.tmp-5", path, sizeof(path));
	write_text(path, "x", 0600);
	path_of(f, "alice", path, sizeof(path));
	write_text(path, "x", 0600);
	assert_int_equal(cgh_notice_each_user(&st, count_user, seen, &err), 0);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 0);
	cgh_notice_store_close(&st);
}

/* ---- terminals ------------------------------------------------------------------------ */

struct pty {
	int master, slave;
	char name[64];
};

static void pty_open(struct pty *p)
{
	assert_int_equal(openpty(&p->master, &p->slave, p->name, NULL, NULL), 0);
	assert_int_equal(fcntl(p->master, F_SETFL, O_NONBLOCK), 0);
}

static void pty_close(struct pty *p)
{
	close(p->master);
	close(p->slave);
}

static ssize_t pty_read(const struct pty *p, char *buf, size_t len)
{
	ssize_t n = read(p->master, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void test_tty_written(void **state)
{
	(void)state;
	struct cgh_error err = { 0 };
	struct pty p;
	char got[256];

	pty_open(&p);
	assert_int_equal(cgh_notice_tty_write("/dev", p.name, geteuid(), 0, "cgherd: hello", &err), 0);
	assert_true(pty_read(&p, got, sizeof(got)) > 0);
	assert_non_null(strstr(got, "cgherd: hello"));
	assert_int_equal(cgh_notice_tty_write("/dev", p.name + 5, geteuid(), 0, "again", &err), 0);
	assert_true(pty_read(&p, got, sizeof(got)) > 0);
	assert_non_null(strstr(got, "again"));
	pty_close(&p);
}

static void test_tty_refused(void **state)
{
	(void)state;
	struct cgh_error err = { 0 };
	char top[64] = "/tmp/cgherd-dev-XXXXXX", path[128], got[256];
	struct pty p;

	pty_open(&p);
	assert_non_null(mkdtemp(top));
	/* someone else's terminal */
	assert_int_equal(cgh_notice_tty_write("/dev", p.name, 1000, 0, "x", &err), -EPERM);
	assert_non_null(strstr(err.msg, "not the user's 1000"));
	/* names outside /dev */
	assert_int_equal(cgh_notice_tty_write("/dev", "/etc/passwd", 0, 0, "x", &err), -EINVAL);
	assert_int_equal(cgh_notice_tty_write("/dev", "pts/../../etc/passwd", 0, 0, "x", &err), -EINVAL);
	assert_int_equal(cgh_notice_tty_write("/dev", "pts/3 x", 0, 0, "x", &err), -EINVAL);
	/* a symlink to the pty, as the last component and as a directory */
	snprintf(path, sizeof(path), "%s/mytty", top);
	assert_int_equal(symlink(p.name, path), 0);
	cgh_error_clear(&err);
	assert_int_equal(cgh_notice_tty_write(top, "mytty", geteuid(), 0, "x", &err), -ELOOP);
	snprintf(path, sizeof(path), "%s/pts", top);
	assert_int_equal(symlink("/dev/pts", path), 0);
	cgh_error_clear(&err);
	assert_int_equal(cgh_notice_tty_write(top, p.name + 5, geteuid(), 0, "x", &err), -ELOOP);
	/* a file, a character device that is no terminal */
	snprintf(path, sizeof(path), "%s/file", top);
	write_text(path, "", 0600);
	cgh_error_clear(&err);
	assert_int_equal(cgh_notice_tty_write(top, "file", geteuid(), 0, "x", &err), -EPERM);
	cgh_error_clear(&err);
	assert_int_equal(cgh_notice_tty_write("/dev", "null", 0, 0, "x", &err), -ENOTTY);
	assert_true(pty_read(&p, got, sizeof(got)) <= 0);	/* nothing reached it */
	pty_close(&p);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	assert_int_equal(system(path), 0);
}

/* Write to a terminal until it takes no more (EAGAIN). */
static void pty_fill(int fd)
{
	static char junk[4096];

	memset(junk, 'x', sizeof(junk));
	for (int i = 0; i < 10000 && write(fd, junk, sizeof(junk)) > 0; i++)
		;
}

/*
 * A terminal nobody reads: the line is dropped, the write does not block.  The
 * kernel moves a pty's data to the reader's buffer from a work queue, so a full
 * terminal can take some more a moment later (on a busy host, many times): it is
 * filled again before each try.
 */
static void test_tty_full(void **state)
{
	(void)state;
	struct cgh_error err = { 0 };
	struct pty p;
	int fd, r = 0;

	pty_open(&p);
	fd = open(p.name, O_WRONLY | O_NONBLOCK | O_NOCTTY);
	assert_true(fd >= 0);
	for (int i = 0; i < 500 && r == 0; i++) {
		pty_fill(fd);
		if (i > 0)
			usleep(2000);
		pty_fill(fd);
		r = cgh_notice_tty_write("/dev", p.name, geteuid(), 0, "dropped", &err);
	}
	close(fd);
	assert_int_equal(r, -EAGAIN);
	assert_non_null(strstr(err.msg, "line dropped"));
	pty_close(&p);
}

static uint64_t tty_nr_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (uint64_t)((minor(sb.st_rdev) & 0xff) | (major(sb.st_rdev) << 8) |
			  ((minor(sb.st_rdev) & ~0xffu) << 12));
}

static void test_tty_names(void **state)
{
	(void)state;
	char name[32];
	uint64_t nr = 0;
	struct pty p;

	assert_int_equal(cgh_tty_name((136 << 8) | 3, name, sizeof(name)), 0);
	assert_string_equal(name, "pts/3");
	assert_int_equal(cgh_tty_name((137 << 8) | 2, name, sizeof(name)), 0);
	assert_string_equal(name, "pts/258");
	assert_int_equal(cgh_tty_name((136 << 8) | 0x12 | (0x3 << 20), name, sizeof(name)), 0);
	assert_string_equal(name, "pts/786");
	assert_int_equal(cgh_tty_name((4 << 8) | 1, name, sizeof(name)), 0);
	assert_string_equal(name, "tty1");
	assert_int_equal(cgh_tty_name((4 << 8) | 64, name, sizeof(name)), 0);
	assert_string_equal(name, "ttyS0");
	assert_int_equal(cgh_tty_name((5 << 8) | 0, name, sizeof(name)), -ENOENT);	/* /dev/tty */
	assert_int_equal(cgh_tty_name((1 << 8) | 3, name, sizeof(name)), -ENOENT);	/* /dev/null */
	assert_int_equal(cgh_proc_stat_tty("42 (a) b) S 1 42 42 34816 42 4194560 0", &nr), 0);
	assert_int_equal(nr, 34816);
	assert_int_equal(cgh_proc_stat_tty("42 (sleep)", &nr), -EINVAL);
	/* the name of a real pty's device, and only that device accepted */
	pty_open(&p);
	assert_int_equal(cgh_tty_name(tty_nr_of(p.name), name, sizeof(name)), 0);
	assert_string_equal(name, p.name + 5);
	{
		struct cgh_error err = { 0 };
		assert_int_equal(cgh_notice_tty_write("/dev", name, geteuid(), tty_nr_of(p.name), "x", &err), 0);
		assert_int_equal(cgh_notice_tty_write("/dev", name, geteuid(), tty_nr_of(p.name) + 1, "x", &err),
				 -EPERM);
		assert_non_null(strstr(err.msg, "not the session's terminal"));
	}
	pty_close(&p);
}

/* ---- over the tree ------------------------------------------------------------------- */

struct tree_fixture {
	struct store_fixture store;
	char root[64];
	struct cgh_fs fs;
	struct log_capture log;
	struct cgh_log sink;
	struct cgh_notifier nf;
	struct pty pty;
};

static int tree_setup(void **state)
{
	struct tree_fixture *t = calloc(1, sizeof(*t));
	struct cgh_error err = { 0 };
	void *inner = NULL;

	store_setup(&inner);
	t->store = *(struct store_fixture *)inner;
	free(inner);
	fake_reset();
	assert_int_equal(fake_make_root(t->root, sizeof(t->root), "memory pids\n"), 0);
	assert_int_equal(cgh_fs_open(&t->fs, t->root, cgh_test_sys(), &err), 0);
	assert_int_equal(cgh_fs_mkdir(&t->fs, "cgherd", &err), 0);
	assert_int_equal(cgh_fs_mkdir(&t->fs, "cgherd/user-0", &err), 0);
	assert_int_equal(cgh_fs_mkdir(&t->fs, "cgherd/user-0/session-10", &err), 0);
	assert_int_equal(cgh_fs_mkdir(&t->fs, "cgherd/user-0/session-20", &err), 0);
	assert_int_equal(cgh_fs_mkdir(&t->fs, "cgherd/user-0/session-30", &err), 0);
	t->sink = (struct cgh_log){ .fn = capture_log, .arg = &t->log, .debug = true };
	t->nf = (struct cgh_notifier){ .dev = "/dev", .help = "See /etc/motd.", .at_login = true,
				       .tty = true };
	snprintf(t->nf.dir, sizeof(t->nf.dir), "%s", t->store.dir);
	pty_open(&t->pty);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree_fixture *t = *state;
	void *inner = malloc(sizeof(t->store));

	memcpy(inner, &t->store, sizeof(t->store));
	pty_close(&t->pty);
	cgh_fs_close(&t->fs);
	fake_remove_root(t->root);
	store_teardown(&inner);
	free(t);
	return 0;
}

static void set_login(struct tree_fixture *t, const char *leaf, const char *tty)
{
	struct cgh_login l = { .service = "sshd", .started = T_START };
	struct cgh_error err = { 0 };

	snprintf(l.tty, sizeof(l.tty), "%s", tty);
	assert_int_equal(cgh_notice_set_login(&t->fs, leaf, &l, &err), 0);
}

static size_t stored(struct tree_fixture *t, struct cgh_notice *got)
{
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	size_t n = 0;

	assert_int_equal(cgh_notice_store_open(&st, t->store.dir, false, &err), 0);
	assert_int_equal(cgh_notice_read(&st, 0, got, CGH_NOTICE_KEEP, &n, &err), 0);
	cgh_notice_store_close(&st);
	return n;
}

static void test_collect_once(void **state)
{
	struct tree_fixture *t = *state;
	struct cgh_stats st = { .memory_max = 500 * MIB, .memory_peak = 500 * MIB, .oom_kill = 3,
				.oom_group_kill = 1 };
	struct cgh_notice got[CGH_NOTICE_KEEP];
	char text[512];

	set_login(t, "cgherd/user-0/session-10", "ssh");
	set_login(t, "cgherd/user-0/session-20", t->pty.name);		/* live, a terminal */
	set_login(t, "cgherd/user-0/session-30", "/dev/null");		/* dead: not written to */
	assert_int_equal(fake_put(t->root, "cgherd/user-0/session-20/cgroup.events", "populated 1\n"), 0);
	assert_int_equal(cgh_fs_set_rule(&t->fs, "cgherd/user-0/session-10", "students", NULL), 0);

	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    "memhog", &t->sink), 1);
	assert_int_equal(stored(t, got), 1);
	assert_int_equal(got[0].kind, CGH_NOTICE_OOM_GROUP);
	assert_string_equal(got[0].leaf, "session-10");
	assert_string_equal(got[0].rule, "students");
	assert_string_equal(got[0].login.service, "sshd");
	assert_int_equal(got[0].login.started, T_START);
	assert_int_equal(got[0].killed, 3);
	assert_true(pty_read(&t->pty, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "memory limit of 500M (peak 500M), 3 processes killed (biggest: memhog). "
				     "Rule: students. See /etc/motd."));
	/* the leaf is marked: a second look records nothing */
	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    NULL, &t->sink), 0);
	assert_int_equal(stored(t, got), 1);
	assert_true(pty_read(&t->pty, text, sizeof(text)) <= 0);
	/* one more kill (oom_group = false): one more record */
	st.oom_kill = 4;
	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    NULL, &t->sink), 1);
	assert_int_equal(stored(t, got), 2);
	assert_int_equal(got[1].kind, CGH_NOTICE_OOM_KILL);
	assert_int_equal(got[1].killed, 1);
}

/* `cgherd watch` settles what an sshd login showed and kept: nothing while
 * no login shell runs in the leaf (a command's session), the records shown
 * removed once one does, and the mark settled. */
static void test_confirm_shown(void **state)
{
	struct tree_fixture *t = *state;
	const char *leaf = "cgherd/user-0/session-10";
	struct cgh_notice n = example(), got[CGH_NOTICE_KEEP];
	struct cgh_notice_store st;
	struct cgh_error err = { 0 };
	char raw[64];

	n.uid = 0;
	assert_int_equal(cgh_notice_store_open(&st, t->store.dir, true, &err), 0);
	for (n.event = 1; n.event <= 2; n.event++)
		assert_int_equal(cgh_notice_add(&st, &n, &err), 0);
	cgh_notice_store_close(&st);
	assert_int_equal(stored(t, got), 2);
	assert_int_equal(cgh_notice_confirm_shown(&t->nf, &t->fs, leaf, 0, &t->sink), -ENODATA);	/* no mark */
	assert_int_equal(cgh_notice_mark_shown(&t->fs, leaf, &got[0], &err), 0);
	assert_int_equal(fake_put(t->root, "cgherd/user-0/session-10/cgroup.procs", "41\n42\n"), 0);
	assert_int_equal(cgh_notice_confirm_shown(&t->nf, &t->fs, leaf, 0, &t->sink), 0);	/* no shell */
	assert_int_equal(stored(t, got), 2);
	fake.login_shells[fake.n_login_shells++] = 42;
	assert_int_equal(cgh_notice_confirm_shown(&t->nf, &t->fs, leaf, 0, &t->sink), 1);
	assert_int_equal(stored(t, got), 1);	/* the one shown went; the newer stays */
	assert_int_equal(got[0].event, 2);
	assert_int_equal(t->fs.sys->getxattr(t->fs.rootfd, leaf, CGH_SHOWN_XATTR, raw, sizeof(raw)), 1);
	assert_memory_equal(raw, CGH_SHOWN_SETTLED, 1);
	assert_int_equal(cgh_notice_confirm_shown(&t->nf, &t->fs, leaf, 0, &t->sink), 1);
	assert_int_equal(stored(t, got), 1);
	assert_non_null(strstr(t->log.text, "1 shown at the login of"));
}

/* A notice prepared in the host, written later with system calls only (the
 * reaper's kill at close): the same record as cgh_notice_add writes. */
static void test_pending_written(void **state)
{
	struct tree_fixture *t = *state;
	struct cgh_notice_pending p;
	struct cgh_notice got[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	char path[160], line[CGH_NOTICE_LINE_MAX];

	set_login(t, "cgherd/user-0/session-10", "ssh");
	assert_int_equal(cgh_fs_set_rule(&t->fs, "cgherd/user-0/session-10", "students", NULL), 0);
	assert_int_equal(cgh_notice_pending_prepare(&t->nf, &t->fs, "cgherd/user-0/session-10", 0,
						    CGH_NOTICE_CLOSE_KILL, &p, &err), 0);
	assert_string_equal(p.dir, t->store.dir);
	assert_null(strstr(p.line, "when="));
	assert_int_equal(cgh_notice_pending_write(&p, T_START + 60, 2), 0);
	assert_int_equal(stored(t, got), 1);
	assert_int_equal(got[0].kind, CGH_NOTICE_CLOSE_KILL);
	assert_int_equal(got[0].when, T_START + 60);
	assert_int_equal(got[0].killed, 2);
	assert_string_equal(got[0].rule, "students");
	assert_string_equal(got[0].leaf, "session-10");
	assert_string_equal(got[0].login.service, "sshd");
	cgh_notice_describe(&got[0], "", T_START + 60, line, sizeof(line));
	assert_non_null(strstr(line, ", 2 processes left running in it were killed."));

	/* bounded as cgh_notice_add bounds it: the newest CGH_NOTICE_KEEP */
	for (unsigned i = 1; i < 20; i++)
		assert_int_equal(cgh_notice_pending_write(&p, T_START + 60 + i, i), 0);
	assert_int_equal(stored(t, got), CGH_NOTICE_KEEP);
	assert_int_equal(got[0].killed, 20 - CGH_NOTICE_KEEP);
	assert_int_equal(got[CGH_NOTICE_KEEP - 1].killed, 19);

	/* a symlink in the file's place is replaced, not followed */
	path_of(&t->store, "user-0", path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(cgh_notice_pending_write(&p, T_START + 100, 1), 0);
	assert_int_equal(stored(t, got), 1);
	assert_int_equal(got[0].when, T_START + 100);

	/* nothing to write when the records are off */
	t->nf.at_login = false;
	assert_int_equal(cgh_notice_pending_prepare(&t->nf, &t->fs, "cgherd/user-0/session-10", 0,
						    CGH_NOTICE_CLOSE_KILL, &p, &err), 0);
	assert_string_equal(p.dir, "");
	assert_int_equal(cgh_notice_pending_write(&p, T_START, 1), 0);
}

/* The reaper's kill at close reaches the user's other live terminals at
 * once, in the wording for the count it learns only then; nothing when
 * nothing was killed; records off, the terminals still. */
static void test_pending_to_terminals(void **state)
{
	struct tree_fixture *t = *state;
	struct cgh_notice_pending p;
	struct cgh_error err = { 0 };
	char text[2048];

	set_login(t, "cgherd/user-0/session-10", "ssh");
	set_login(t, "cgherd/user-0/session-20", t->pty.name);		/* live, a terminal */
	assert_int_equal(fake_put(t->root, "cgherd/user-0/session-20/cgroup.events", "populated 1\n"), 0);
	assert_int_equal(cgh_notice_pending_prepare(&t->nf, &t->fs, "cgherd/user-0/session-10", 0,
						    CGH_NOTICE_CLOSE_KILL, &p, &err), 0);
	assert_int_equal(p.n_ttys, 1);
	assert_int_equal(cgh_notice_pending_write(&p, T_START + 60, 3), 0);
	assert_true(pty_read(&t->pty, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "cgherd: when your ssh session (started "));
	assert_non_null(strstr(text, ", 3 processes left running in it were killed. See /etc/motd."));
	assert_int_equal(cgh_notice_pending_write(&p, T_START + 60, 1), 0);
	assert_true(pty_read(&t->pty, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, ", 1 process left running in it was killed. See /etc/motd."));
	assert_int_equal(cgh_notice_pending_write(&p, T_START + 60, 0), 0);
	assert_true(pty_read(&t->pty, text, sizeof(text)) <= 0);
	t->nf.at_login = false;
	assert_int_equal(cgh_notice_pending_prepare(&t->nf, &t->fs, "cgherd/user-0/session-10", 0,
						    CGH_NOTICE_CLOSE_KILL, &p, &err), 0);
	assert_string_equal(p.dir, "");
	assert_int_equal(cgh_notice_pending_write(&p, T_START + 60, 2), 0);
	assert_true(pty_read(&t->pty, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, ", 2 processes left running in it were killed."));
}

/* sshd opens the PAM session before it makes the pty: the login says "ssh",
 * the session's shell has the terminal. */
static void test_deliver_to_process_terminal(void **state)
{
	struct tree_fixture *t = *state;
	struct cgh_notice n;
	char text[512];

	t->nf.at_login = false;
	set_login(t, "cgherd/user-0/session-20", "ssh");
	assert_int_equal(fake_put(t->root, "cgherd/user-0/session-20/cgroup.events", "populated 1\n"), 0);
	assert_int_equal(fake_put(t->root, "cgherd/user-0/session-20/cgroup.procs", "4242\n4243\n"), 0);
	fake.ttys[0].pid = 4242;
	fake.ttys[0].tty_nr = tty_nr_of(t->pty.name);
	fake.ttys[1].pid = 4243;	/* the same terminal twice: one line */
	fake.ttys[1].tty_nr = tty_nr_of(t->pty.name);
	fake.n_ttys = 2;
	cgh_notice_for_leaf(&t->fs, "cgherd/user-0/session-10", 0, CGH_NOTICE_CLOSE_KILL, &n);
	n.killed = 2;
	cgh_notice_deliver(&t->nf, &t->fs, "cgherd/user-0", &n, &t->sink);
	assert_true(pty_read(&t->pty, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "2 processes left running in it were killed."));
	assert_null(strstr(strstr(text, "cgherd:") + 1, "cgherd:"));
	assert_non_null(strstr(t->log.text, "written to 1 terminal(s)"));
}

/* Watch recorded it, but the mark did not make it (no trusted xattrs): the
 * store still takes it once. */
static void test_collect_after_watch(void **state)
{
	struct tree_fixture *t = *state;
	struct cgh_stats st = { .memory_max = 500 * MIB, .memory_peak = 400 * MIB, .oom_kill = 2,
				.oom_group_kill = 1 };
	struct cgh_notice got[CGH_NOTICE_KEEP];
	char mark[256];

	t->nf.tty = false;
	set_login(t, "cgherd/user-0/session-10", "ssh");
	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    NULL, &t->sink), 1);
	snprintf(mark, sizeof(mark), "%s/cgherd/user-0/session-10/.xattr-%s", t->root, CGH_NOTICED_XATTR);
	assert_int_equal(unlink(mark), 0);
	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    NULL, &t->sink), 1);
	assert_int_equal(stored(t, got), 1);
	assert_non_null(strstr(t->log.text, "already recorded"));
}

static void test_collect_nothing(void **state)
{
	struct tree_fixture *t = *state;
	struct cgh_stats st = { .memory_max = CGH_UNKNOWN, .memory_peak = CGH_UNKNOWN, .oom_kill = 0,
				.oom_group_kill = CGH_UNKNOWN };
	struct cgh_notice_store s;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    NULL, &t->sink), 0);
	st.oom_kill = 1;
	t->nf.at_login = t->nf.tty = false;
	assert_int_equal(cgh_notice_collect(&t->nf, &t->fs, "cgherd/user-0/session-10", 0, &st,
					    NULL, &t->sink), 0);
	assert_int_equal(cgh_notice_store_open(&s, t->store.dir, false, &err), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_encode_decode, utc),
		cmocka_unit_test_setup(test_hostile_values, utc),
		cmocka_unit_test_setup(test_decode_refusals, utc),
		cmocka_unit_test_setup(test_login_roundtrip, utc),
		cmocka_unit_test_setup(test_wording, utc),
		cmocka_unit_test_setup(test_penalty_notices, utc),
		cmocka_unit_test_setup(test_wording_truncated, utc),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_terminal_names),
		cmocka_unit_test_setup_teardown(test_store_made_safely, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_dedup_and_remove, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_remove_through, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_bounds, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_hostile_files, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_hostile_dir, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_users, store_setup, store_teardown),
		cmocka_unit_test(test_tty_written),
		cmocka_unit_test(test_tty_refused),
		cmocka_unit_test(test_tty_full),
		cmocka_unit_test(test_tty_names),
		cmocka_unit_test_setup_teardown(test_deliver_to_process_terminal, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_collect_once, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_pending_written, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_pending_to_terminals, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_collect_after_watch, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_collect_nothing, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_confirm_shown, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

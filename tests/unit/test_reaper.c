/* The reaper's decisions (lib/core/reaper.c) and close's hand-over to it
 * (lib/core/session.c) against the emulated cgroupfs (tests/common/fakefs). */
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_reaper.h"
#include "cgh_session.h"
#include "fakefs.h"
#include "session_fixture.h"
#include "testutil.h"

#define OPENER 4242
#define LEAF "cgherd/user-1000/session-4242"

static const char conf_text[] =
	"base = \"cgherd\";\n"
	"session = { pids_max = 512; };\n"
	"rules = ( { name = \"system\"; match = { uid = \"0-999\"; }; action = \"ignore\"; } );\n";

/* What the emulated reaper start does, and what it was given. */
static struct {
	int spawn_result;		/* returned by the fake spawn */
	int pidfd_result;		/* returned by the fake pidfd_open */
	bool spawned;
	struct cgh_reaper given;	/* a copy of what close handed over */
	bool opener_exits;		/* what opener_gone answers */
	unsigned waited_ms;
} emu;

static int fake_pidfd_open(pid_t pid)
{
	(void)pid;
	return emu.pidfd_result < 0 ? emu.pidfd_result : dup(0);
}

static int fake_spawn(int cgroupfd, void (*fn)(void *arg), void *arg)
{
	(void)fn;
	assert_true(cgroupfd >= 0);
	if (emu.spawn_result == 0) {
		emu.spawned = true;
		emu.given = *(const struct cgh_reaper *)arg;
	}
	return emu.spawn_result;
}

static struct cgh_sys sys_with_reaper;

/* The opener exits (leaves the leaf, as the kernel shows it) or lingers. */
static int opener_gone(const struct cgh_reaper *rp, unsigned ms)
{
	char procs[256] = "", kept[256] = "";
	char path[256];
	struct cgh_fs fs = { .rootfd = rp->rootfd, .sys = rp->sys };

	emu.waited_ms = ms;
	if (!emu.opener_exits)
		return 0;
	snprintf(path, sizeof(path), "%s", rp->leaf);
	cgh_fs_read(&fs, path, "cgroup.procs", procs, sizeof(procs), NULL);
	for (char *line = strtok(procs, "\n"); line != NULL; line = strtok(NULL, "\n"))
		if (atoi(line) != (int)rp->opener)
			snprintf(kept + strlen(kept), sizeof(kept) - strlen(kept), "%s\n", line);
	fake_put(rp->root, rp->leaf_procs, kept);
	fake_put(rp->root, rp->leaf_events, kept[0] ? "populated 1\n" : "populated 0\n");
	return 1;
}

struct fx {
	struct session_fixture *f;
	struct cgh_fs fs;
	struct cgh_reaper rp;
};

static bool exists(const struct fx *x, const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", x->f->root, rel);
	return stat(path, &st) == 0;
}

/* A live session of alice's, opened by the module, and a reaper for it. */
static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	x->f = session_fixture_new("cpu memory pids\n", conf_text);
	memset(&emu, 0, sizeof(emu));
	emu.opener_exits = true;
	sys_with_reaper = *cgh_test_sys();
	sys_with_reaper.pidfd_open = fake_pidfd_open;
	sys_with_reaper.spawn_detached = fake_spawn;
	assert_int_equal(cgh_session_open(x->f->cfg, x->f->alice, "sshd", OPENER, &x->f->env, &s,
					  &err), CGH_HERDED);
	free(s);
	assert_int_equal(cgh_fs_open(&x->fs, x->f->root, cgh_test_sys(), &err), 0);
	cgh_reaper_prepare(&x->rp, &x->fs, LEAF, "cgherd", "cgherd/user-1000", ".", OPENER, true,
			   "user=alice uid=1000");
	x->rp.opener_gone = opener_gone;
	x->rp.wait_ms = x->rp.lock_ms = x->rp.user_lock_ms = 20;
	fake.n_log = 0;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	cgh_fs_close(&x->fs);
	session_fixture_free(x->f);
	free(x);
	return 0;
}

static void leftover(const struct fx *x)
{
	fake_put(x->f->root, LEAF "/cgroup.procs", "4242\n999\n");
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 1\n");
}

static void test_opener_exited_alone(void **state)
{
	struct fx *x = *state;
	enum cgh_reaper_outcome out = cgh_reaper_run(&x->rp);

	if (out != CGH_REAPED_REMOVED)
		print_error("why: %s\n", x->rp.why);
	assert_int_equal(out, CGH_REAPED_REMOVED);
	assert_int_equal(emu.waited_ms, CGH_REAPER_LINGER_MS);
	assert_int_equal(fake_logged("write " LEAF "/cgroup.kill"), -1);
	assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
	assert_false(exists(x, LEAF));
	assert_false(exists(x, "cgherd/user-1000"));
	assert_string_equal(x->rp.why, "");
}

static void test_leftovers_killed(void **state)
{
	struct fx *x = *state;

	leftover(x);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_true(fake_logged("write " LEAF "/cgroup.kill") >= 0);
	assert_true(fake_logged("write " LEAF "/cgroup.kill") < fake_logged("rmdir " LEAF));
	assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
	assert_false(exists(x, LEAF));
}

/* The kill of leftovers is recorded for the user's next login, once it
 * emptied the leaf, with the processes it killed that were not ending by
 * themselves (the opener not among them); nothing is recorded when nothing
 * was left, or only processes already on their way out. */
static void test_leftovers_kill_noticed(void **state)
{
	struct fx *x = *state;
	struct cgh_notifier nf = { .at_login = true };
	struct cgh_notice_store st;
	struct cgh_notice got[CGH_NOTICE_KEEP];
	struct cgh_error err = { 0 };
	char top[] = "/tmp/cgherd-reaper-XXXXXX", cmd[64], procs[64];
	size_t n = 9;

	assert_non_null(mkdtemp(top));
	snprintf(nf.dir, sizeof(nf.dir), "%s/cgherd", top);
	assert_int_equal(cgh_notice_pending_prepare(&nf, &x->fs, LEAF, 1000, CGH_NOTICE_CLOSE_KILL,
						    &x->rp.kill_notice, &err), 0);
	/* a live process (this one: the kill is only written to the emulated
	 * cgroup.kill) and one already gone, which is not counted */
	snprintf(procs, sizeof(procs), "4242\n%d\n999999999\n", (int)getpid());
	fake_put(x->f->root, LEAF "/cgroup.procs", procs);
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 1\n");
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_string_equal(x->rp.why, "");
	assert_int_equal(cgh_notice_store_open(&st, nf.dir, false, &err), 0);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].kind, CGH_NOTICE_CLOSE_KILL);
	assert_int_equal(got[0].killed, 1);
	assert_string_equal(got[0].leaf, "session-4242");
	assert_true(got[0].when >= (uint64_t)time(NULL) - 5);
	assert_int_equal(cgh_notice_remove(&st, 1000, got, n, &err), 1);

	/* again, nothing left: nothing killed, nothing recorded */
	assert_int_equal(cgh_fs_mkdir(&x->fs, "cgherd/user-1000", &err), 0);
	assert_int_equal(cgh_fs_mkdir(&x->fs, LEAF, &err), 0);
	fake.n_log = 0;
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_int_equal(fake_logged("write " LEAF "/cgroup.kill"), -1);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &n, &err), 0);
	assert_int_equal(n, 0);
	/* again, only a process on its way out (gone by now): killed, not told */
	assert_int_equal(cgh_fs_mkdir(&x->fs, "cgherd/user-1000", &err), 0);
	assert_int_equal(cgh_fs_mkdir(&x->fs, LEAF, &err), 0);
	fake_put(x->f->root, LEAF "/cgroup.procs", "4242\n999999999\n");
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 1\n");
	fake.n_log = 0;
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_true(fake_logged("write " LEAF "/cgroup.kill") >= 0);
	assert_int_equal(cgh_notice_read(&st, 1000, got, CGH_NOTICE_KEEP, &n, &err), 0);
	assert_int_equal(n, 0);
	cgh_notice_store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
}

static void test_leftovers_kept_without_kill(void **state)
{
	struct fx *x = *state;

	leftover(x);
	x->rp.kill_on_close = false;
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_KEPT);
	assert_int_equal(fake_logged("write " LEAF "/cgroup.kill"), -1);
	assert_true(exists(x, LEAF));
	assert_true(exists(x, "cgherd/user-1000"));
	assert_string_equal(x->rp.why, "");
}

/* An opener alive after linger_ms is moved out first, as close did. */
static void test_lingering_opener_moved_out(void **state)
{
	struct fx *x = *state;

	emu.opener_exits = false;
	leftover(x);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_true(x->rp.moved_out);
	assert_string_equal(fake_where(OPENER), "/");
	assert_true(fake_logged("write ./cgroup.procs") < fake_logged("write " LEAF "/cgroup.kill"));
	assert_false(exists(x, LEAF));
}

/* The origin refuses it: to the root, as close does. */
static void test_lingering_opener_to_the_root(void **state)
{
	struct fx *x = *state;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_fs_mkdir(&x->fs, "elsewhere", &err), 0);
	cgh_reaper_prepare(&x->rp, &x->fs, LEAF, "cgherd", "cgherd/user-1000", "elsewhere", OPENER,
			   true, "user=alice uid=1000");
	x->rp.opener_gone = opener_gone;
	emu.opener_exits = false;
	fake_fail("write", "elsewhere/cgroup.procs", EBUSY, -1);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_string_equal(fake_where(OPENER), "/");
	assert_true(fake_logged("write cgroup.procs") >= 0);
}

/* No way out: nothing is killed (the opener is in there), the leaf stays,
 * and why says what failed. */
static void test_lingering_opener_stuck(void **state)
{
	struct fx *x = *state;

	emu.opener_exits = false;
	fake_fail("write", "cgroup.procs", EACCES, -1);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_FAILED);
	assert_int_equal(fake_logged("write " LEAF "/cgroup.kill"), -1);
	assert_true(exists(x, LEAF));
	assert_non_null(strstr(x->rp.why, "cannot move the opener that outlived close out of"));
	assert_non_null(strstr(x->rp.why, LEAF ": EACCES"));
}

/* The opener exits between the look and the move (ESRCH): that is what the
 * reaper waited for, so it goes on and removes the leaf. */
static void test_lingering_opener_exits_during_move(void **state)
{
	struct fx *x = *state;

	emu.opener_exits = false;
	fake_fail("write", "./cgroup.procs", ESRCH, -1);
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 0\n");
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_false(x->rp.moved_out);
	assert_int_equal(fake_logged("write cgroup.procs"), -1);
	assert_false(exists(x, LEAF));
	assert_string_equal(x->rp.why, "");
}

/* An opener that moved elsewhere itself is left there. */
static void test_lingering_opener_elsewhere(void **state)
{
	struct fx *x = *state;

	emu.opener_exits = false;
	fake_put(x->f->root, LEAF "/cgroup.procs", "");
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 0\n");
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_false(x->rp.moved_out);
	assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
}

static void test_leaf_collected_meanwhile(void **state)
{
	struct fx *x = *state;

	fake_put(x->f->root, LEAF "/cgroup.procs", "");
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 0\n");
	assert_int_equal(cgh_fs_rmdir(&x->fs, LEAF, NULL), 0);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_GONE);
	assert_string_equal(x->rp.why, "");
	assert_true(exists(x, "cgherd/user-1000"));	/* left to the collection */
}

/* The leaf was collected and a leaf of the same name made for a new session
 * (the same pid again): not the reaper's to kill or remove. */
static void test_leaf_made_anew_is_not_ours(void **state)
{
	struct fx *x = *state;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", x->f->root, LEAF);
	x->rp.leaffd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(x->rp.leaffd >= 0);
	fake_put(x->f->root, LEAF "/cgroup.procs", "");
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 0\n");
	assert_int_equal(cgh_fs_rmdir(&x->fs, LEAF, NULL), 0);
	assert_int_equal(cgh_fs_mkdir(&x->fs, LEAF, NULL), 0);
	leftover(x);
	emu.opener_exits = false;
	fake.n_log = 0;
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_GONE);
	assert_int_equal(fake_logged("write " LEAF "/cgroup.kill"), -1);
	assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
	assert_int_equal(fake_logged("rmdir " LEAF), -1);
	assert_true(exists(x, LEAF));
	close(x->rp.leaffd);
}

static void test_kill_refused(void **state)
{
	struct fx *x = *state;

	leftover(x);
	fake_fail("write", "cgroup.kill", EACCES, -1);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_FAILED);
	assert_true(exists(x, LEAF));
	assert_non_null(strstr(x->rp.why, "cannot write"));
	assert_non_null(strstr(x->rp.why, LEAF "/cgroup.kill: EACCES"));
}

static void test_rmdir_refused(void **state)
{
	struct fx *x = *state;

	fake_fail("rmdir", LEAF, EPERM, -1);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_FAILED);
	assert_non_null(strstr(x->rp.why, "cannot remove"));
	assert_non_null(strstr(x->rp.why, ": EPERM"));
	assert_true(exists(x, "cgherd/user-1000"));
}

/* Another session of the user keeps user-UID. */
static void test_user_dir_kept_for_another_session(void **state)
{
	struct fx *x = *state;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_fs_mkdir(&x->fs, "cgherd/user-1000/session-77", &err), 0);
	assert_int_equal(cgh_reaper_run(&x->rp), CGH_REAPED_REMOVED);
	assert_true(exists(x, "cgherd/user-1000/session-77"));
	assert_true(fake_logged("rmdir cgherd/user-1000") >= 0);
}

/* ---- close's hand-over ------------------------------------------------ */

static struct cgh_session *reopen(const struct fx *x)
{
	struct cgh_session *s = calloc(1, sizeof(*s));

	snprintf(s->root, sizeof(s->root), "%s", x->f->root);
	snprintf(s->base, sizeof(s->base), "cgherd");
	snprintf(s->user_dir, sizeof(s->user_dir), "cgherd/user-1000");
	snprintf(s->leaf, sizeof(s->leaf), LEAF);
	snprintf(s->origin, sizeof(s->origin), ".");
	snprintf(s->user, sizeof(s->user), "alice");
	snprintf(s->rule, sizeof(s->rule), "(default)");
	s->uid = 1000;
	s->opener = OPENER;
	s->kill_on_close = true;
	return s;
}

/* Close reads the figures and hands over: the opener is not moved back,
 * the leaf is left to the reaper; run, the reaper ends it. */
static void test_close_hands_over(void **state)
{
	struct fx *x = *state;
	struct cgh_env env = x->f->env;
	struct cgh_session *s = reopen(x);
	struct cgh_error err = { 0 };

	env.sys = &sys_with_reaper;
	leftover(x);
	fake_put(x->f->root, LEAF "/memory.peak", "777\n");
	assert_int_equal(cgh_session_close(s, &env, &err), 0);
	assert_true(emu.spawned);
	assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
	assert_int_equal(fake_logged("write " LEAF "/cgroup.kill"), -1);
	assert_true(exists(x, LEAF));
	assert_string_equal(fake_where(OPENER), "/" LEAF);
	assert_non_null(strstr(x->f->log.text, "memory.peak=777"));
	assert_non_null(strstr(x->f->log.text, "procs_left=1 leaf_to_reaper"));
	assert_string_equal(emu.given.leaf, LEAF);
	assert_string_equal(emu.given.origin_procs, "./cgroup.procs");
	assert_int_equal(emu.given.wait_ms, CGH_CLOSE_WAIT_MS);
	assert_int_equal(emu.given.lock_ms, CGH_LOCK_TIMEOUT_MS);
	assert_true(emu.given.kill_on_close);

	/* the same process opens again before it exits: it came from the root,
	 * not from the closed leaf it is still in */
	struct cgh_session *again = NULL;
	char origin[64];
	assert_int_equal(fake_get(x->f->root, LEAF "/.xattr-" CGH_ORIGIN_XATTR, origin, sizeof(origin)), 0);
	assert_string_equal(origin, ".");
	assert_int_equal(cgh_session_open(x->f->cfg, x->f->alice, "sshd", OPENER, &x->f->env, &again,
					  &err), CGH_HERDED);
	assert_string_equal(again->origin, ".");
	assert_string_equal(again->leaf, LEAF "-2");
	free(again);
	fake_put(x->f->root, LEAF "/cgroup.procs", "999\n");	/* the opener left it */

	emu.given.opener_gone = opener_gone;
	assert_true(emu.given.leaffd >= 0);	/* opened for the reaper */
	emu.given.rootfd = x->fs.rootfd;	/* the reaper's copies of close's fds, */
	emu.given.leaffd = -1;			/* closed here once it was started */
	assert_int_equal(cgh_reaper_run(&emu.given), CGH_REAPED_REMOVED);
	assert_false(exists(x, LEAF));
	assert_true(exists(x, LEAF "-2"));
	free(s);
}

/* Every way the reaper cannot start makes close do it all, as before. */
static void test_close_without_reaper(void **state)
{
	static const int errors[] = { -ENOSYS, -EINVAL, -EBUSY, -ENOENT, -EAGAIN, -ECHILD, -EPERM };
	struct fx *x = *state;

	for (size_t i = 0; i <= sizeof(errors) / sizeof(errors[0]); i++) {
		struct cgh_env env = x->f->env;
		struct cgh_session *s;
		struct cgh_error err = { 0 };

		if (i > 0)
			assert_int_equal(cgh_session_open(x->f->cfg, x->f->alice, "sshd", OPENER,
							  &x->f->env, &s, &err), CGH_HERDED);
		else
			s = reopen(x);
		if (i < sizeof(errors) / sizeof(errors[0])) {
			env.sys = &sys_with_reaper;
			emu.spawn_result = errors[i];
		}		/* last: the plain emulation, no reaper calls at all */
		fake.n_log = 0;
		x->f->log.text[0] = '\0';
		assert_int_equal(cgh_session_close(s, &env, &err), 0);
		assert_false(emu.spawned);
		assert_true(fake_logged("write ./cgroup.procs") >= 0);
		assert_false(exists(x, LEAF));
		assert_non_null(strstr(x->f->log.text, "leaf_removed"));
		if (i < sizeof(errors) / sizeof(errors[0]))
			assert_non_null(strstr(x->f->log.text, "closing without the reaper"));
		free(s);
	}
}

static void test_close_without_pidfd(void **state)
{
	struct fx *x = *state;
	struct cgh_env env = x->f->env;
	struct cgh_session *s = reopen(x);
	struct cgh_error err = { 0 };

	env.sys = &sys_with_reaper;
	emu.pidfd_result = -ENOSYS;
	assert_int_equal(cgh_session_close(s, &env, &err), 0);
	assert_false(emu.spawned);
	assert_true(fake_logged("write ./cgroup.procs") >= 0);
	assert_non_null(strstr(x->f->log.text, "closing without the reaper: pidfd_open(4242)"));
	free(s);
}

/* An opener no longer in its leaf is not handed over. */
static void test_close_opener_elsewhere(void **state)
{
	struct fx *x = *state;
	struct cgh_env env = x->f->env;
	struct cgh_session *s = reopen(x);
	struct cgh_error err = { 0 };

	env.sys = &sys_with_reaper;
	snprintf(fake.procs[0].dir, sizeof(fake.procs[0].dir), "/elsewhere");
	fake_put(x->f->root, LEAF "/cgroup.procs", "");
	fake_put(x->f->root, LEAF "/cgroup.events", "populated 0\n");
	assert_int_equal(cgh_session_close(s, &env, &err), 0);
	assert_false(emu.spawned);
	assert_non_null(strstr(x->f->log.text, "not in its leaf"));
	assert_false(exists(x, LEAF));
	free(s);
}

/* close=auto takes the reaper unless the mount has favordynmods; close=reaper
 * and close=move whatever the mount. */
static const char *mount_opts;

static int fake_mount_options(const char *mount_point, char *buf, size_t len)
{
	(void)mount_point;
	if (mount_opts == NULL)
		return -ENOENT;
	snprintf(buf, len, "%s", mount_opts);
	return 0;
}

static bool close_took_reaper(struct fx *x, const char *opts, enum cgh_close_path path)
{
	struct cgh_env env = x->f->env;
	struct cgh_session *s = reopen(x);
	struct cgh_sys sys = sys_with_reaper;
	struct cgh_error err = { 0 };

	if (!exists(x, LEAF)) {
		struct cgh_session *again = NULL;
		assert_int_equal(cgh_session_open(x->f->cfg, x->f->alice, "sshd", OPENER,
						  &x->f->env, &again, &err), CGH_HERDED);
		free(again);
	}
	mount_opts = opts;
	sys.mount_options = fake_mount_options;
	env.sys = &sys;
	s->close_path = (unsigned char)path;
	emu.spawned = false;
	fake.n_log = 0;
	x->f->log.text[0] = '\0';
	assert_int_equal(cgh_session_close(s, &env, &err), 0);
	if (!emu.spawned) {	/* close ended the leaf itself, moving the opener back */
		assert_true(fake_logged("write ./cgroup.procs") >= 0);
		assert_false(exists(x, LEAF));
	} else {
		assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
		assert_true(exists(x, LEAF));
		fake_put(x->f->root, LEAF "/cgroup.procs", "");
		fake_put(x->f->root, LEAF "/cgroup.events", "populated 0\n");
		assert_int_equal(cgh_fs_rmdir(&x->fs, LEAF, &err), 0);
	}
	free(s);
	return emu.spawned;
}

static void test_close_path_by_mount(void **state)
{
	struct fx *x = *state;

	assert_true(close_took_reaper(x, "rw,nsdelegate", CGH_CLOSE_AUTO));
	assert_true(close_took_reaper(x, NULL, CGH_CLOSE_AUTO));	/* unknown: the reaper */
	assert_false(close_took_reaper(x, "rw,nsdelegate,favordynmods", CGH_CLOSE_AUTO));
	assert_non_null(strstr(x->f->log.text, "closing without the reaper: "));
	assert_non_null(strstr(x->f->log.text, "is mounted with favordynmods"));
	assert_false(close_took_reaper(x, "rw,favordynmods,nsdelegate", CGH_CLOSE_AUTO));
	assert_true(close_took_reaper(x, "rw,favordynmodsx", CGH_CLOSE_AUTO));
	assert_true(close_took_reaper(x, "rw,nsdelegate,favordynmods", CGH_CLOSE_REAPER));
	assert_false(close_took_reaper(x, "rw,nsdelegate", CGH_CLOSE_MOVE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_opener_exited_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers_kill_noticed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers_kept_without_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lingering_opener_moved_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lingering_opener_to_the_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lingering_opener_stuck, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lingering_opener_exits_during_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lingering_opener_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_collected_meanwhile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_made_anew_is_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rmdir_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_dir_kept_for_another_session, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_hands_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_without_reaper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_without_pidfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_opener_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_path_by_mount, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

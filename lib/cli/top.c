/* cgherd top (cgh_top.h): a live view of the sessions and users of the trees cgherd
 * herds (cgh_samples_collect, as status and watch's metrics), sorted by
 * memory, CPU, pressure or tasks, with each session's rule and limits beside
 * its use.  Plain ANSI escapes and termios, no terminal library: the screen
 * is redrawn whole every interval, as systemd-cgtop does. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cgh_penalty_state.h"
#include "cgh_sample.h"
#include "cgh_top.h"
#include "cgh_value.h"

enum sort_key { SORT_MEMORY, SORT_CPU, SORT_PRESSURE, SORT_PIDS, N_SORTS };

static const struct {
	const char *name;	/* -S NAME */
	char key;		/* the key that picks it */
} sorts[N_SORTS] = {
	[SORT_MEMORY] = { "memory", 'm' },
	[SORT_CPU] = { "cpu", 'c' },
	[SORT_PRESSURE] = { "pressure", 'p' },
	[SORT_PIDS] = { "pids", 'n' },
};

/* One sample with what two samples give: CPU and memory stall, in % of
 * the interval. */
struct row {
	const struct cgh_sample *s;
	double cpu, psi;	/* NAN: not known yet */
};

struct top {
	const struct cgh_top_opts *o;
	const struct cgh_config *cfg;
	const struct cgh_fs *fs;
	struct cgh_tree trees[CGH_TREES_MAX];
	size_t n_trees;
	struct cgh_samples now, before;
	struct timespec t_now, t_before;
	struct row *rows;
	enum sort_key sort;
	bool tty;		/* interactive: escapes, raw keys */
	struct termios saved;
	int lines;		/* of the terminal, 0: no limit */
};

static volatile sig_atomic_t stopped;

static void on_signal(int sig)
{
	(void)sig;
	stopped = 1;
}

static double elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

static const struct cgh_sample *earlier(const struct top *t, const struct cgh_sample *s)
{
	for (size_t i = 0; i < t->before.n; i++)
		if (strcmp(t->before.v[i].path, s->path) == 0)
			return &t->before.v[i];
	return NULL;
}

/* The increase of a counter over the interval, in % of it. */
static double rate(uint64_t now, uint64_t then, double interval_us)
{
	if (now == CGH_UNKNOWN || then == CGH_UNKNOWN || now < then || interval_us <= 0)
		return NAN;
	return (double)(now - then) * 100.0 / interval_us;
}

static void make_rows(struct top *t)
{
	double us = elapsed_us(&t->t_before, &t->t_now);

	for (size_t i = 0; i < t->now.n; i++) {
		const struct cgh_sample *s = &t->now.v[i], *b = earlier(t, s);

		t->rows[i] = (struct row){ .s = s, .cpu = NAN, .psi = NAN };
		if (b == NULL)
			continue;
		t->rows[i].cpu = rate(s->f.cpu_usage_usec, b->f.cpu_usage_usec, us);
		t->rows[i].psi = rate(s->f.psi_some_usec[CGH_PSI_MEMORY],
				      b->f.psi_some_usec[CGH_PSI_MEMORY], us);
	}
}

static enum sort_key sort_key;	/* for qsort's comparator only */

static double sort_value(const struct row *r)
{
	double v;

	switch (sort_key) {
	case SORT_CPU:
		v = r->cpu;
		break;
	case SORT_PRESSURE:
		v = r->psi;
		break;
	case SORT_PIDS:
		v = r->s->f.pids_current == CGH_UNKNOWN ? NAN : (double)r->s->f.pids_current;
		break;
	default:
		v = r->s->f.memory_current == CGH_UNKNOWN ? NAN : (double)r->s->f.memory_current;
		break;
	}
	return isnan(v) ? -1.0 : v;
}

/* Sessions before users, then the largest first, then by path. */
static int compare_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	double va = sort_value(a), vb = sort_value(b);

	if (a->s->kind != b->s->kind)
		return a->s->kind == CGH_SAMPLE_SESSION ? -1 : 1;
	if (va != vb)
		return va > vb ? -1 : 1;
	return strcmp(a->s->path, b->s->path);
}

/* ---- one frame ---------------------------------------------------------------- */

/* "512M", "1.5G", "max", "-". */
static void human(char *buf, size_t len, uint64_t v)
{
	static const char units[] = "KMGTP";
	double d = (double)v;
	int u = -1;

	if (v == CGH_UNKNOWN) {
		snprintf(buf, len, "-");
		return;
	}
	if (v == CGH_UNLIMITED) {
		snprintf(buf, len, "max");
		return;
	}
	while (d >= 1024.0 && u < 4) {
		d /= 1024.0;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, d < 10.0 && d != (double)(uint64_t)d ? "%.1f%c" : "%.0f%c", d, units[u]);
}

static void count(char *buf, size_t len, uint64_t v)
{
	cgh_format_count(v, CGH_UNKNOWN, "-", buf, len);
}

static void percent(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", v);
}

static void quota(char *buf, size_t len, const struct cgh_figures *f)
{
	if (f->cpu_quota == CGH_UNLIMITED)
		snprintf(buf, len, "max");
	else if (f->cpu_quota == CGH_UNKNOWN || f->cpu_period == CGH_UNKNOWN || f->cpu_period == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", (double)f->cpu_quota * 100.0 / (double)f->cpu_period);
}

/* A user's running penalties after its row: " penalty=hog tier=2 until=14:41". */
static void print_penalties(FILE *out, const struct cgh_samples *s, const struct cgh_sample *u)
{
	for (size_t i = 0; u->kind == CGH_SAMPLE_USER && i < s->n_pen; i++) {
		time_t until = (time_t)s->pen[i].until;
		struct tm tm;
		char clock[24] = "?";

		if (s->pen[i].uid != u->uid)
			continue;
		if (localtime_r(&until, &tm) != NULL)
			strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
		fprintf(out, " penalty=%s tier=%u until=%s", s->pen[i].penalty, s->pen[i].tier, clock);
	}
}

static void print_row(FILE *out, const struct cgh_samples *all, const struct row *r)
{
	const struct cgh_figures *f = &r->s->f;
	char mem[24], max[24], high[24], cpu[24], q[24], psi[24], pids[24], pmax[24];

	human(mem, sizeof(mem), f->memory_current);
	human(max, sizeof(max), f->memory_max);
	human(high, sizeof(high), f->memory_high);
	percent(cpu, sizeof(cpu), r->cpu);
	quota(q, sizeof(q), f);
	percent(psi, sizeof(psi), r->psi);
	count(pids, sizeof(pids), f->pids_current);
	count(pmax, sizeof(pmax), f->pids_max);
	fprintf(out, "%-12.12s %7u %-12.12s %-18.18s %7s %7s %7s %6s %6s %6s %6s %6s %s",
		r->s->user, r->s->uid, r->s->kind == CGH_SAMPLE_SESSION ? (r->s->rule[0] ? r->s->rule : "?") : "",
		r->s->name, mem, max, high, cpu, q, psi, pids, pmax, r->s->owned ? "cgroupfs" : "systemd");
	print_penalties(out, all, r->s);
	fputc('\n', out);
}

static void print_frame(FILE *out, struct top *t)
{
	char clock[16];
	time_t now = time(NULL);
	size_t sessions = 0, shown = 0, room;
	int header_lines = 4;

	for (size_t i = 0; i < t->now.n; i++)
		sessions += t->now.v[i].kind == CGH_SAMPLE_SESSION;
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	if (t->tty)
		fputs("\033[H\033[2J", out);
	fprintf(out, "cgherd top - %s  sessions: %zu  users: %zu  sorted by %s%s\n", clock, sessions,
		t->now.n - sessions, sorts[t->sort].name,
		t->tty ? "  (m memory, c cpu, p pressure, n pids, q quit)" : "");
	fprintf(out, "trees: %s/%s%s%s\n\n", t->fs->root, t->trees[0].dir,
		t->n_trees > 1 ? ", " : "", t->n_trees > 1 ? t->trees[1].dir : "");
	fprintf(out, "%-12s %7s %-12s %-18s %7s %7s %7s %6s %6s %6s %6s %6s %s\n", "USER", "UID",
		"RULE", "CGROUP", "MEM", "MAX", "HIGH", "CPU%", "QUOTA", "PSI%", "PIDS", "PMAX",
		"BACKEND (PENALTY)");
	room = t->lines > header_lines + 1 ? (size_t)(t->lines - header_lines - 1) : SIZE_MAX;
	for (size_t i = 0; i < t->now.n && shown < room; i++, shown++)
		print_row(out, &t->now, &t->rows[i]);
	if (!t->tty)
		fputc('\n', out);
	fflush(out);
}

/* ---- the loop ------------------------------------------------------------------ */

/* The running penalties, when the state can be read (root's): best effort,
 * a frame without them otherwise. */
static void add_penalties(struct top *t)
{
	struct cgh_penalty_store st;
	struct cgh_penalty_record *recs = NULL;
	struct cgh_error err = { 0 };
	size_t n = 0, damaged = 0;

	if (cgh_penalty_store_open(&st, t->o->state_dir, false, &err) < 0)
		return;
	if (cgh_penalty_store_read(&st, &recs, &n, &damaged, &err) == 0)
		cgh_samples_add_penalties(&t->now, recs, n);
	cgh_penalty_store_close(&st);
	free(recs);
}

static int sample(struct top *t, struct cgh_error *err)
{
	struct row *rows;
	int r;

	cgh_samples_free(&t->before);
	t->before = t->now;
	t->t_before = t->t_now;
	t->now = (struct cgh_samples){ 0 };
	clock_gettime(CLOCK_MONOTONIC, &t->t_now);
	r = cgh_samples_collect(t->fs, t->trees, t->n_trees, &t->now, err);
	if (r < 0)
		return r;
	add_penalties(t);
	rows = realloc(t->rows, (t->now.n ? t->now.n : 1) * sizeof(*rows));
	if (rows == NULL)
		return cgh_fail(err, ENOMEM, "top");
	t->rows = rows;
	make_rows(t);
	return 0;
}

static void sort_rows(struct top *t)
{
	sort_key = t->sort;
	qsort(t->rows, t->now.n, sizeof(*t->rows), compare_rows);
}

static int terminal_lines(void)
{
	struct winsize ws;

	return ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_row : 0;
}

static void raw_mode(struct top *t)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &t->saved) < 0) {
		t->tty = false;
		return;
	}
	raw = t->saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	fputs("\033[?25l", stdout);	/* no cursor */
}

static void restore(const struct top *t)
{
	if (!t->tty)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	fputs("\033[?25h\n", stdout);
	fflush(stdout);
}

/* A key: a new order (true: redraw now), q to quit. */
static bool key(struct top *t, char k, bool *quit)
{
	if (k == 'q' || k == 'Q') {
		*quit = true;
		return false;
	}
	for (int i = 0; i < N_SORTS; i++)
		if (k == sorts[i].key) {
			t->sort = (enum sort_key)i;
			return true;
		}
	return false;
}

/* Waits ms for a key (or just sleeps, without a terminal).  true: redraw now. */
static bool wait_keys(struct top *t, int ms, bool *quit)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[16];
	ssize_t n;

	if (!t->tty) {
		struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		return false;
	}
	if (poll(&p, 1, ms) <= 0)
		return false;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return false;
	bool redraw = false;
	for (ssize_t i = 0; i < n && !*quit; i++)
		redraw |= key(t, buf[i], quit);
	return redraw;
}

static int run(struct top *t, struct cgh_error *err)
{
	int delay_ms = (int)(t->o->delay > 0 ? t->o->delay * 1000 : 1000);
	long frames = 0;
	bool quit = false;
	int r = sample(t, err);

	/* CPU and pressure need two samples: the first frame covers a short one */
	if (r == 0 && !wait_keys(t, delay_ms < 250 ? delay_ms : 250, &quit))
		r = sample(t, err);
	while (r == 0 && !quit && !stopped) {
		t->lines = t->tty ? terminal_lines() : 0;
		sort_rows(t);
		print_frame(stdout, t);
		if (t->o->iterations > 0 && ++frames >= t->o->iterations)
			break;
		if (wait_keys(t, delay_ms, &quit))
			continue;	/* a new order: the same figures, sorted anew */
		if (!quit && !stopped)
			r = sample(t, err);
	}
	return r;
}

static int parse_sort(const char *name, enum sort_key *out)
{
	for (int i = 0; i < N_SORTS; i++)
		if (strcmp(name, sorts[i].name) == 0 || (name[0] == sorts[i].key && name[1] == '\0')) {
			*out = (enum sort_key)i;
			return 0;
		}
	return -1;
}

bool cgh_top_sort_valid(const char *name)
{
	enum sort_key k;

	return name == NULL || parse_sort(name, &k) == 0;
}

int cgh_top(const struct cgh_config *cfg, const struct cgh_fs *fs, const struct cgh_top_opts *o,
	    struct cgh_error *err)
{
	struct top t = { .o = o, .cfg = cfg, .fs = fs };
	int r;

	if (o->sort != NULL && parse_sort(o->sort, &t.sort) < 0)
		return cgh_fail_msg(err, EINVAL, "unknown sort key '%s' (memory, cpu, pressure, pids)",
				    o->sort);
	t.n_trees = cgh_trees_of(cfg, t.trees);
	t.tty = !o->batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (t.tty)
		raw_mode(&t);
	r = run(&t, err);
	restore(&t);
	cgh_samples_free(&t.now);
	cgh_samples_free(&t.before);
	free(t.rows);
	return r;
}

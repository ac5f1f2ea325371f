#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgh_group_file.h"

#define NSSWITCH_MAX (64u << 10)
#define LINE_BUF_START 1024
#define LINE_BUF_MAX (1u << 20)

/* A line's sources, src .. src + len: `files` first, no [action]. */
static bool starts_with_files(const char *src, size_t len)
{
	size_t skip = strspn(src, " \t");

	if (memchr(src, '[', len) != NULL || skip > len || len - skip < 5)
		return false;
	src += skip;
	len -= skip;
	return strncmp(src, "files", 5) == 0 && (len == 5 || src[5] == ' ' || src[5] == '\t');
}

bool cgh_nss_files_first(const char *text, const char *db)
{
	size_t n = strlen(db);
	int lines = 0;
	bool first = false;

	for (const char *p = text; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
		const char *end = p + strcspn(p, "#\n");	/* a comment ends the line */
		const char *s = p + strspn(p, " \t");

		if ((size_t)(end - s) <= n || strncmp(s, db, n) != 0)
			continue;
		s += n;
		s += strspn(s, " \t");		/* stops at '#', '\n' or the end */
		if (s >= end || *s != ':')
			continue;
		lines++;
		first = starts_with_files(s + 1, (size_t)(end - s - 1));
	}
	return lines == 1 && first;
}

bool cgh_nss_files_first_at(const char *path, const char *db)
{
	char *text = malloc(NSSWITCH_MAX + 1);
	size_t got = 0;
	ssize_t n = 0;
	bool yes = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0 && text != NULL) {
		while (got < NSSWITCH_MAX &&
		       (n = read(fd, text + got, NSSWITCH_MAX - got)) > 0)
			got += (size_t)n;
		text[got] = '\0';
		yes = n == 0 && strlen(text) == got && cgh_nss_files_first(text, db);
	}
	if (fd >= 0)
		close(fd);
	free(text);
	return yes;
}

struct slot {
	gid_t gid;
	size_t index;
};

static int compare_slots(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->gid != y->gid)
		return x->gid < y->gid ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Every slot of gid (sorted slots) gets name, where it has none yet. */
static int give_name(const struct slot *slots, size_t n, gid_t gid, const char *name,
		     char **names)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first slot of gid */
		size_t mid = lo + (hi - lo) / 2;
		if (slots[mid].gid < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && slots[lo].gid == gid; lo++) {
		if (names[slots[lo].index] != NULL)
			continue;	/* an earlier line had it */
		names[slots[lo].index] = strdup(name);
		if (names[slots[lo].index] == NULL)
			return -ENOMEM;
	}
	return 0;
}

int cgh_group_file_names(const char *path, const gid_t *gids, size_t n, char **names)
{
	struct slot *slots = malloc((n > 0 ? n : 1) * sizeof(*slots));
	size_t len = LINE_BUF_START;
	char *buf = malloc(len);
	FILE *f = fopen(path, "re");
	int r = f == NULL ? -errno : 0;

	if (r == 0 && (slots == NULL || buf == NULL))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++)
		slots[i] = (struct slot){ gids[i], i };
	if (r == 0)
		qsort(slots, n, sizeof(*slots), compare_slots);
	while (r == 0) {
		struct group gr, *found = NULL;
		int e = fgetgrent_r(f, &gr, buf, len, &found);
		char *grown;

		if (e == ENOENT)	/* the end */
			break;
		if (e == ERANGE && len < LINE_BUF_MAX && (grown = realloc(buf, len * 2)) != NULL) {
			buf = grown;	/* glibc rewinds to the line's start */
			len *= 2;
			continue;
		}
		r = e != 0 ? -e : give_name(slots, n, gr.gr_gid, gr.gr_name, names);
	}
	if (f != NULL)
		fclose(f);
	free(buf);
	free(slots);
	return r;
}

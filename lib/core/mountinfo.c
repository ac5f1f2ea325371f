#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_mountinfo.h"

/* Copies the space-separated field at p into out, undoing the kernel's \ooo
 * escapes; returns the start of the next field. */
static const char *field(const char *p, char *out, size_t len)
{
	size_t n = 0;

	while (*p == ' ')
		p++;
	while (*p != '\0' && *p != ' ' && *p != '\n') {
		char c = *p++;
		if (c == '\\' && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' &&
		    p[2] >= '0' && p[2] <= '7') {
			c = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
			p += 3;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	if (len > 0)
		out[n] = '\0';
	return p;
}

/* One line: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER" */
static bool line_matches(const char *line, const char *mount_point, char *fstype,
			 size_t fstype_len, char *options, size_t options_len)
{
	char word[4096] = "";
	const char *p = line;

	for (int i = 0; i < 5; i++)
		p = field(p, word, sizeof(word));
	if (strcmp(word, mount_point) != 0)
		return false;
	do
		p = field(p, word, sizeof(word));
	while (word[0] != '\0' && strcmp(word, "-") != 0);
	p = field(p, fstype, fstype_len);
	p = field(p, word, sizeof(word));	/* source */
	field(p, options, options_len);
	return true;
}

int cgh_mountinfo_find(FILE *f, const char *mount_point, char *fstype, size_t fstype_len,
		       char *options, size_t options_len)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;

	/* the last match wins: a later mount on the same point hides earlier ones */
	while (getline(&line, &cap, f) > 0)
		if (line_matches(line, mount_point, fstype, fstype_len, options, options_len))
			found = true;
	free(line);
	return found ? 0 : -ENOENT;
}

bool cgh_mount_option_has(const char *options, const char *option)
{
	size_t n = strlen(option);

	for (const char *p = options; p != NULL && *p != '\0';) {
		if (strncmp(p, option, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
	return false;
}

int cgh_mount_lookup(const char *mount_point, char *fstype, size_t fstype_len, char *options,
		     size_t options_len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int r;

	if (f == NULL)
		return -errno;
	r = cgh_mountinfo_find(f, mount_point, fstype, fstype_len, options, options_len);
	fclose(f);
	return r;
}

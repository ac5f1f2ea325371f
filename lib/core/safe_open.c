/* The one safe open of cgherd.conf: no final symlink, a regular file owned
 * by root or the euid, not writable by group or others, of bounded size;
 * then read whole from that descriptor, no NUL byte in it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgh_config_loader.h"
#include "cgh_safe_open.h"


/* Opens path without following a final symlink and checks the descriptor:
 * a regular file owned by root or the euid, not writable by group or
 * others, at most CGH_CONF_MAX_SIZE.  Returns the fd and *st, or -errno. */
int cgh_safe_open(const char *path, struct cgh_diag *diag, struct stat *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int err = 0;

	if (fd < 0) {
		err = errno;
		cgh_diag_add(diag, "%s: cannot open: %s%s", path, strerror(err),
			 err == ELOOP ? " (symbolic links are refused)" : "");
		return -err;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		cgh_diag_add(diag, "%s: cannot stat: %s", path, strerror(err));
	} else if (!S_ISREG(st.st_mode)) {
		err = EINVAL;
		cgh_diag_add(diag, "%s: not a regular file", path);
	} else if (st.st_uid != 0 && st.st_uid != geteuid()) {
		err = EPERM;
		cgh_diag_add(diag, "%s: owned by uid %u, must be owned by root", path, (unsigned)st.st_uid);
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err = EPERM;
		cgh_diag_add(diag, "%s: writable by group or others (mode %04o), must not be", path,
			 (unsigned)(st.st_mode & 07777));
	} else if (st.st_size > (off_t)CGH_CONF_MAX_SIZE) {
		err = EFBIG;
		cgh_diag_add(diag, "%s: %lld bytes, larger than the limit of %u", path,
			 (long long)st.st_size, CGH_CONF_MAX_SIZE);
	}
	if (err != 0) {
		close(fd);
		return -err;
	}
	*out = st;
	return fd;
}

int cgh_safe_read(int fd, off_t size, const char *path, struct cgh_diag *diag, char **out)
{
	char *buf = malloc((size_t)size + 1);
	size_t got = 0;

	if (buf == NULL) {
		cgh_diag_add(diag, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got < (size_t)size) {
		ssize_t n = read(fd, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			cgh_diag_add(diag, "%s: cannot read: %s", path, strerror(err));
			free(buf);
			return -err;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strlen(buf) != got) {
		cgh_diag_add(diag, "%s: contains a NUL byte", path);
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

int cgh_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

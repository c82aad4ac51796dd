/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole-file read and write of one sysfs/debugfs/proc file, for the
 * selftest library (lib/sx.c) and the stmexec CLI (tools/dev.c): one
 * implementation, header-only so that neither needs the other's sources.
 * Both return 0 or -errno and never exit.
 */
#ifndef SX_FILEIO_H
#define SX_FILEIO_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>

/*
 * Read path into buf (at most len - 1 bytes), NUL-terminated and without
 * trailing newlines (what was read, also on an error).  -EINVAL if len is 0.
 */
static inline int __sx_path_read(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd, err = 0;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	while (got && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return err;
}

/*
 * Write len bytes of val to path in one write(2), as sysfs wants it:
 * the file's error, -EIO on a short write, or close(2)'s error.
 */
static inline int __sx_path_write(const char *path, const void *val, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

#endif /* SX_FILEIO_H */

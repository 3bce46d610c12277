/*
 * file.c - read a small private file whole (config, overrides): a
 * regular file, not world-writable, of bounded size.
 */
#include "core_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* fstat checks; SQ_OK or SQ_ECONFIG/SQ_EIO with a message. */
static sq_status
check_private(int fd, const char *path, const char *what, size_t max,
              struct stat *sb, sq_diag *d)
{
    if (fstat(fd, sb) != 0) {
        sq_diag_addf(d, path, 0, "%s", strerror(errno));
        return SQ_EIO;
    }
    if (!S_ISREG(sb->st_mode)) {
        sq_diag_addf(d, path, 0, "not a regular file");
        return SQ_ECONFIG;
    }
    if (sb->st_mode & S_IWOTH) {
        sq_diag_addf(d, path, 0,
                     "refusing a world-writable %s file (chmod o-w)", what);
        return SQ_ECONFIG;
    }
    if ((unsigned long long)sb->st_size > max) {
        sq_diag_addf(d, path, 0, "larger than %zu bytes", max);
        return SQ_ECONFIG;
    }
    return SQ_OK;
}

sq_status
sq_file_read_private(const char *path, const char *what, size_t max, char **out,
                     size_t *outlen, sq_diag *d)
{
    struct stat sb;
    sq_status st;
    char *buf = NULL;
    size_t n = 0, cap;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        if (errno == ENOENT)
            return SQ_ENOTFOUND;
        sq_diag_addf(d, path, 0, "%s", strerror(errno));
        return SQ_EIO;
    }
    st = check_private(fd, path, what, max, &sb, d);
    cap = (size_t)sb.st_size + 1;
    if (st == SQ_OK && (buf = malloc(cap)) == NULL)
        st = SQ_ENOMEM;
    while (st == SQ_OK) {
        ssize_t r = read(fd, buf + n, cap - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            sq_diag_addf(d, path, 0, "%s", strerror(errno));
            st = SQ_EIO;
        } else if (r == 0) {
            break;
        } else if ((n += (size_t)r) >= cap) {
            sq_diag_addf(d, path, 0, "file grew while being read");
            st = SQ_EIO;
        }
    }
    close(fd);
    if (st != SQ_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return SQ_OK;
}

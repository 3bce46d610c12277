/*
 * map.c - read-only views of message files and streams.
 *
 * Owner: mail.  A regular file is mmap'ed (PROT_READ, MAP_PRIVATE, with
 * MADV_SEQUENTIAL when large) and never copied into the heap, so a 1 GB
 * mbox costs address space, not memory.  An empty file maps nothing.  A
 * stream (stdin pipe, FIFO, tty) is read into a growing heap buffer
 * bounded by the caller's limit (max_message_bytes); bytes past the
 * limit are left unread and the view is marked cut.
 */
#include "mail_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { READ_CHUNK_MIN = 64 * 1024 };

size_t
sq_mail_cfg_size(const sq_config *cfg, const char *key, size_t def)
{
    long long v;

    if (cfg == NULL)
        return def;
    v = sq_config_get_int(cfg, key);
    if (v <= 0)
        return def;
    if ((unsigned long long)v > SIZE_MAX)
        return SIZE_MAX;
    return (size_t)v;
}

static sq_status
map_regular(int fd, off_t size, sq_map *m)
{
    void *p;

    if (size <= 0) {
        m->data = "";
        return SQ_OK;
    }
    if ((unsigned long long)size > SIZE_MAX) {
        errno = EFBIG;
        return SQ_EIO;
    }
    p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return SQ_EIO;
    if ((size_t)size >= SQ_MAIL_SEQUENTIAL_MIN)
        (void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
    m->mm = p;
    m->mmlen = (size_t)size;
    m->data = p;
    m->len = (size_t)size;
    return SQ_OK;
}

/* Grow buf so that it can hold at least need bytes, never past cap. */
static int
grow(char **buf, size_t *size, size_t need, size_t cap)
{
    size_t n = *size < READ_CHUNK_MIN ? READ_CHUNK_MIN : *size;
    char *p;

    while (n < need && n <= SIZE_MAX / 2)
        n *= 2;
    if (n < need)
        n = need;
    if (n > cap)
        n = cap;
    p = realloc(*buf, n);
    if (p == NULL)
        return 0;
    *buf = p;
    *size = n;
    return 1;
}

/* Read up to max bytes (plus one byte to learn whether more follow). */
static sq_status
read_stream(int fd, size_t max, sq_map *m)
{
    size_t cap = max < SIZE_MAX ? max + 1 : max, size = 0, used = 0;
    char *buf = NULL;
    ssize_t r;

    for (;;) {
        if (used == size && used == cap)
            break;
        if (used == size && !grow(&buf, &size, used + 1, cap)) {
            free(buf);
            errno = ENOMEM;
            return SQ_ENOMEM;
        }
        r = read(fd, buf + used, size - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return SQ_EIO;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    if (used == cap && cap > max) {
        m->cut = 1;
        used = max;
    }
    m->heap = buf;
    m->data = buf;
    m->len = used;
    return SQ_OK;
}

sq_status
sq_map_fd(int fd, size_t max, sq_map *m)
{
    struct stat st;

    memset(m, 0, sizeof(*m));
    if (fstat(fd, &st) != 0)
        return SQ_EIO;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return SQ_EIO;
    }
    if (S_ISREG(st.st_mode))
        return map_regular(fd, st.st_size, m);
    return read_stream(fd, max, m);
}

sq_status
sq_map_path(const char *path, size_t max, sq_map *m)
{
    sq_status st;
    int fd, e;

    memset(m, 0, sizeof(*m));
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return SQ_EIO;
    st = sq_map_fd(fd, max, m);
    e = errno;
    close(fd);
    errno = e;
    return st;
}

void
sq_map_release(sq_map *m)
{
    if (m == NULL)
        return;
    if (m->mm != NULL)
        (void)munmap(m->mm, m->mmlen);
    free(m->heap);
    memset(m, 0, sizeof(*m));
}

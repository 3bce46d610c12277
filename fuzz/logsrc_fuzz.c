/*
 * logsrc_fuzz.c - libFuzzer target for the log reader: the input is put
 * in a memory file (plain or, when it starts with 1f 8b, gzip for zlib
 * to read) and read through sq_logsrc in chunks.  Checks that every
 * chunk is whole lines of at most SQ_SCAN_MAX_LINE bytes, that offsets
 * only grow, and that a resume at the first line's end either lands
 * there or says it could not.
 */
#define _GNU_SOURCE
#include <squeaky/logsrc.h>
#include <squeaky/scan.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_chunk(const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;

    if (len == 0 || buf[len - 1] != '\n')
        abort();
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if (nl == NULL || (size_t)(nl - p) > SQ_SCAN_MAX_LINE)
            abort();
        p = nl + 1;
    }
}

static void
read_all(const char *path, unsigned long long *first_end, char *hash)
{
    sq_logsrc *s = NULL;
    sq_diag *d = sq_diag_new();
    const char *buf;
    size_t len;
    unsigned long long base, next = 0;

    if (sq_logsrc_open(path, 0, d, &s) == SQ_OK) {
        while (sq_logsrc_read(s, &buf, &len, &base, d) == SQ_OK) {
            check_chunk(buf, len);
            if (base < next)
                abort();
            next = base + len;
            if (*first_end == 0) {
                const char *nl = memchr(buf, '\n', len);

                *first_end = base + (unsigned long long)(nl - buf) + 1;
                sq_sha256_hex(buf, (size_t)(nl - buf) + 1, hash);
            }
            if (sq_logsrc_offset(s) != next)
                abort();
        }
    }
    sq_logsrc_free(s);
    sq_diag_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("logsrc_fuzz", 0);
    char path[64], hash[65] = "";
    unsigned long long first_end = 0;
    sq_logsrc *s = NULL;
    sq_diag *d;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    read_all(path, &first_end, hash);
    d = sq_diag_new();
    if (first_end > 0 && sq_logsrc_open(path, 0, d, &s) == SQ_OK) {
        sq_status st = sq_logsrc_resume(s, first_end, hash, d);

        if (st == SQ_OK && sq_logsrc_offset(s) != first_end)
            abort();
    }
    sq_logsrc_free(s);
    sq_diag_free(d);
    close(fd);
    return 0;
}

/*
 * logsrc_test.c - the log source (include/squeaky/logsrc.h): plain files
 * read in chunks across buffer boundaries, gzip (one and two members,
 * corrupt, truncated, trailing garbage), stdin through a pipe, over-long
 * lines, the unterminated last line, fingerprints, resume, and follow
 * mode (append, rotation, truncation, a missing path).
 *
 * Every chunk handed out is compared with the bytes of the input at its
 * base offset, so a wrong offset or a lost or doubled line fails.
 * Files live in a temporary directory removed at the end.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sqtest.h"
#include "testfiles.h"

#include <squeaky/logsrc.h>
#include <squeaky/report.h>
#include <squeaky/scan.h>

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[] = "/tmp/logsrc_test.XXXXXX";

#define tpath(name) tfiles_path(tmpdir, (name))

#define put_file(p, d, n, m) tfiles_put((p), (d), (n), (m))

/* One gzip member of [data, data+len) appended to *out (realloc'ed). */
static void
gz_member(const char *data, size_t len, char **out, size_t *outlen)
{
    z_stream z;
    size_t cap = len + len / 100 + 1024;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK ||
        (*out = realloc(*out, *outlen + cap)) == NULL)
        exit(1);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)*out + *outlen;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        exit(1);
    *outlen += cap - z.avail_out;
    deflateEnd(&z);
}

/* Everything a source hands out until a status other than SQ_OK. */
typedef struct got {
    char *data; /* the chunks concatenated */
    size_t len, chunks;
    int contiguous, whole_lines, matches;
    unsigned long long next;
    sq_status end;
} got;

static void
got_free(got *g)
{
    free(g->data);
    memset(g, 0, sizeof(*g));
}

/* Read until not SQ_OK; src (may be NULL) is the stream content every
 * chunk is checked against at its base. */
static got
drain(sq_logsrc *s, const char *src, size_t srclen, unsigned long long from)
{
    got g = {NULL, 0, 0, 1, 1, 1, from, SQ_OK};
    const char *b;
    size_t n;
    unsigned long long base;

    while ((g.end = sq_logsrc_read(s, &b, &n, &base, NULL)) == SQ_OK) {
        if (base != g.next)
            g.contiguous = 0;
        if (n == 0 || b[n - 1] != '\n')
            g.whole_lines = 0;
        if (src != NULL && (base + n > srclen || memcmp(src + base, b, n)))
            g.matches = 0;
        if ((g.data = realloc(g.data, g.len + n + 1)) == NULL)
            exit(1);
        memcpy(g.data + g.len, b, n);
        g.len += n;
        g.data[g.len] = '\0';
        g.next = base + n;
        g.chunks++;
    }
    if (g.data == NULL && (g.data = calloc(1, 1)) == NULL)
        exit(1);
    return g;
}

static sq_logsrc *
open_ok(const char *path, unsigned flags)
{
    sq_logsrc *s = NULL;
    sq_status st = sq_logsrc_open(path, flags, NULL, &s);

    SQ_CHECK(st == SQ_OK && s != NULL, "open %s: %s", path, sq_strerror(st));
    if (s == NULL)
        exit(1);
    return s;
}

static const char *
hash_of(const char *s, size_t n)
{
    static char h[2][65];
    static int k;

    k ^= 1;
    sq_sha256_hex(s, n, h[k]);
    return h[k];
}

/* About 3 MiB of syslog-like lines of varied length: crosses the 1 MiB
 * buffer several times, lines straddle the boundaries. */
static char *
make_log(size_t want, size_t *len, size_t *nlines)
{
    char *b = malloc(want + 512);
    size_t n = 0, i = 0;

    if (b == NULL)
        exit(1);
    while (n < want) {
        int k =
            snprintf(b + n, 512,
                     "Nov 27 10:%02zu:%02zu host sshd[%zu]: Failed password "
                     "for user%zu from 192.0.2.%zu port %zu ssh2%.*s\n",
                     (i / 60) % 60, i % 60, 1000 + i, i, i % 250,
                     1024 + i % 60000, (int)(i % 97), "");
        n += (size_t)k;
        i++;
    }
    *len = n;
    *nlines = i;
    return b;
}

static void
test_plain_chunks(void)
{
    size_t len, nl;
    char *log = make_log(3u << 20, &len, &nl);
    const char *first_end = memchr(log, '\n', len);
    const char *p = tpath("plain.log");
    sq_logsrc *s;
    got g;
    const char *b;
    size_t n;
    unsigned long long base;
    size_t last_start = len - 1;

    put_file(p, log, len, "wb");
    s = open_ok(p, 0);
    SQ_CHECK(sq_logsrc_identify(s, NULL) == SQ_OK, "identify plain");
    SQ_CHECK_STR(sq_logsrc_fingerprint(s),
                 hash_of(log, (size_t)(first_end - log) + 1),
                 "fingerprint = sha256 of the first line with newline");
    g = drain(s, log, len, 0);
    SQ_CHECK(g.end == SQ_EEOF, "plain ends in EEOF, got %s",
             sq_strerror(g.end));
    SQ_CHECK(g.len == len && memcmp(g.data, log, len) == 0,
             "every byte once: %zu of %zu", g.len, len);
    SQ_CHECK(g.contiguous && g.whole_lines && g.matches,
             "chunks contiguous %d, whole lines %d, at their offsets %d",
             g.contiguous, g.whole_lines, g.matches);
    SQ_CHECK(g.chunks >= 3, "3 MiB in several chunks: %zu", g.chunks);
    SQ_CHECK(sq_logsrc_offset(s) == len, "offset at end %llu",
             sq_logsrc_offset(s));
    while (last_start > 0 && log[last_start - 1] != '\n')
        last_start--;
    SQ_CHECK_STR(sq_logsrc_last_hash(s),
                 hash_of(log + last_start, len - last_start),
                 "last hash = the last line");
    SQ_CHECK(sq_logsrc_read(s, &b, &n, &base, NULL) == SQ_EEOF, "EEOF again");
    SQ_CHECK(!sq_logsrc_compressed(s), "plain is not compressed");
    SQ_CHECK(sq_logsrc_count(s, SQ_LOGSRC_LONG_LINES) == 0, "no long lines");
    {
        struct stat st;

        stat(p, &st);
        SQ_CHECK(sq_logsrc_ino(s) == (unsigned long long)st.st_ino &&
                     sq_logsrc_dev(s) == (unsigned long long)st.st_dev &&
                     sq_logsrc_mtime(s) == (long long)st.st_mtime,
                 "dev, inode, mtime of the file");
    }
    sq_logsrc_free(s);
    got_free(&g);
    free(log);
}

static void
test_unterminated(void)
{
    const char *p = tpath("unterm.log");
    char *gzd = NULL;
    size_t gzlen = 0;
    sq_logsrc *s;
    got g;

    put_file(p, "a\nbb\nccc", 8, "wb");
    s = open_ok(p, 0);
    g = drain(s, "a\nbb\nccc", 8, 0);
    SQ_CHECK(g.end == SQ_EEOF && strcmp(g.data, "a\nbb\n") == 0,
             "plain: unterminated last line held back, got \"%s\"", g.data);
    SQ_CHECK(sq_logsrc_offset(s) == 5, "offset 5: %llu", sq_logsrc_offset(s));
    sq_logsrc_free(s);
    got_free(&g);

    gz_member("a\nbb\nccc", 8, &gzd, &gzlen);
    put_file(tpath("unterm.gz"), gzd, gzlen, "wb");
    s = open_ok(tpath("unterm.gz"), 0);
    g = drain(s, "a\nbb\nccc\n", 9, 0);
    SQ_CHECK(g.end == SQ_EEOF && strcmp(g.data, "a\nbb\nccc\n") == 0 &&
                 g.matches && g.contiguous,
             "gzip: last line delivered with a newline, got \"%s\"", g.data);
    SQ_CHECK(sq_logsrc_offset(s) == 9, "gzip offset 9: %llu",
             sq_logsrc_offset(s));
    SQ_CHECK_STR(sq_logsrc_last_hash(s), hash_of("ccc\n", 4),
                 "hash of the completed line");
    sq_logsrc_free(s);
    got_free(&g);
    free(gzd);

    /* No whole first line: no fingerprint. */
    put_file(p, "partial", 7, "wb");
    s = open_ok(p, 0);
    SQ_CHECK(sq_logsrc_identify(s, NULL) == SQ_ENOTFOUND &&
                 sq_logsrc_fingerprint(s)[0] == '\0',
             "no first line, no fingerprint");
    sq_logsrc_free(s);
}

static void
test_gzip(void)
{
    size_t len, nl;
    char *log = make_log(1500000, &len, &nl);
    char *gzd = NULL;
    size_t gzlen = 0, cut = len / 3 + 17; /* mid-line split */
    char plainfp[65];
    sq_logsrc *s;
    sq_diag *d = sq_diag_new();
    got g;

    put_file(tpath("same.log"), log, len, "wb");
    s = open_ok(tpath("same.log"), 0);
    SQ_CHECK(sq_logsrc_identify(s, NULL) == SQ_OK, "identify");
    memcpy(plainfp, sq_logsrc_fingerprint(s), 65);
    sq_logsrc_free(s);

    gz_member(log, cut, &gzd, &gzlen);
    gz_member(log + cut, len - cut, &gzd, &gzlen);
    put_file(tpath("two-members.log"), gzd, gzlen, "wb"); /* no .gz name */
    s = open_ok(tpath("two-members.log"), 0);
    SQ_CHECK(sq_logsrc_identify(s, NULL) == SQ_OK && sq_logsrc_compressed(s),
             "gzip recognised by its magic");
    SQ_CHECK_STR(sq_logsrc_fingerprint(s), plainfp,
                 "gzip fingerprint = plain fingerprint of the same content");
    g = drain(s, log, len, 0);
    SQ_CHECK(g.end == SQ_EEOF, "two members end in EEOF: %s",
             sq_strerror(g.end));
    SQ_CHECK(g.len == len && g.contiguous && g.matches && g.whole_lines,
             "two members: %zu of %zu bytes, contiguous %d, matches %d", g.len,
             len, g.contiguous, g.matches);
    sq_logsrc_free(s);
    got_free(&g);

    /* Corrupt: bytes flipped in the middle of the deflate data. */
    for (size_t i = gzlen / 2; i < gzlen / 2 + 64; i++)
        gzd[i] ^= 0x5a;
    put_file(tpath("corrupt.gz"), gzd, gzlen, "wb");
    s = open_ok(tpath("corrupt.gz"), 0);
    g = drain(s, NULL, 0, 0);
    SQ_CHECK(g.end == SQ_EPARSE, "corrupt gzip: %s", sq_strerror(g.end));
    sq_logsrc_free(s);
    got_free(&g);

    /* Truncated: the second half missing. */
    free(gzd);
    gzd = NULL;
    gzlen = 0;
    gz_member(log, len, &gzd, &gzlen);
    put_file(tpath("short.gz"), gzd, gzlen / 2, "wb");
    s = open_ok(tpath("short.gz"), 0);
    g = drain(s, log, len, 0);
    SQ_CHECK(g.end == SQ_EPARSE && g.matches,
             "truncated gzip: %s after %zu good bytes", sq_strerror(g.end),
             g.len);
    sq_logsrc_read(s, &(const char *){NULL}, &(size_t){0},
                   &(unsigned long long){0}, d);
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "short.gz") != NULL &&
                 strchr(sq_diag_message(d, 0), '\n') == NULL,
             "one-line message naming the file: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : "(none)");
    sq_logsrc_free(s);
    got_free(&g);

    /* Trailing garbage after a good member; zero padding is fine. */
    gzd = realloc(gzd, gzlen + 16);
    memcpy(gzd + gzlen, "garbage!", 8);
    put_file(tpath("garbage.gz"), gzd, gzlen + 8, "wb");
    s = open_ok(tpath("garbage.gz"), 0);
    g = drain(s, log, len, 0);
    SQ_CHECK(g.end == SQ_EPARSE && g.len == len,
             "trailing garbage: %s after %zu bytes", sq_strerror(g.end), g.len);
    sq_logsrc_free(s);
    got_free(&g);
    memset(gzd + gzlen, 0, 8);
    put_file(tpath("padded.gz"), gzd, gzlen + 8, "wb");
    s = open_ok(tpath("padded.gz"), 0);
    g = drain(s, log, len, 0);
    SQ_CHECK(g.end == SQ_EEOF && g.len == len, "zero padding: %s, %zu",
             sq_strerror(g.end), g.len);
    sq_logsrc_free(s);
    got_free(&g);

    /* Just the magic: truncated, an error. */
    put_file(tpath("magic.gz"), "\x1f\x8b", 2, "wb");
    s = open_ok(tpath("magic.gz"), 0);
    g = drain(s, NULL, 0, 0);
    SQ_CHECK(g.end == SQ_EPARSE, "bare magic: %s", sq_strerror(g.end));
    sq_logsrc_free(s);
    got_free(&g);
    free(gzd);
    free(log);
    sq_diag_free(d);
}

/* Damaged gzip files (bytes flipped, cut, members glued with junk):
 * every outcome is EEOF or EPARSE, every chunk whole lines of the
 * original at their offsets, never a crash (run under ASan too). */
static void
test_gzip_damage(void)
{
    size_t len, nl, gzlen = 0, bad = 0, good = 0, odd = 0;
    char *log = make_log(200000, &len, &nl), *gzd = NULL, *m;
    unsigned seed = 12345;

    gz_member(log, len / 3, &gzd, &gzlen);
    gz_member(log + len / 3, len - len / 3, &gzd, &gzlen);
    if ((m = malloc(gzlen)) == NULL)
        exit(1);
    for (int round = 0; round < 300; round++) {
        size_t n = gzlen;
        sq_logsrc *s;
        got g;

        memcpy(m, gzd, gzlen);
        seed = seed * 1103515245u + 12345u;
        if (round % 3 == 0)
            n = 2 + (seed >> 8) % (gzlen - 2); /* cut */
        else
            for (int k = 0; k < 1 + round % 5; k++) {
                seed = seed * 1103515245u + 12345u;
                m[(seed >> 4) % gzlen] ^= (char)(1u << (seed % 8));
            }
        put_file(tpath("damaged.gz"), m, n, "wb");
        if (sq_logsrc_open(tpath("damaged.gz"), 0, NULL, &s) != SQ_OK) {
            odd++;
            continue;
        }
        g = drain(s, NULL, 0, 0);
        if (g.end == SQ_EPARSE)
            bad++;
        else if (g.end == SQ_EEOF)
            good++;
        /* what came out before the damage is whole lines at contiguous
           offsets (a flipped bit in a stored length may end a member
           early) */
        if ((g.end != SQ_EPARSE && g.end != SQ_EEOF) || !g.contiguous ||
            !g.whole_lines) {
            fprintf(stderr, "round %d: %s, contiguous %d, whole %d\n", round,
                    sq_strerror(g.end), g.contiguous, g.whole_lines);
            odd++;
        }
        sq_logsrc_free(s);
        got_free(&g);
    }
    SQ_CHECK(odd == 0, "%zu damaged files gave odd results", odd);
    SQ_CHECK(bad > 200, "damage detected in %zu of 300 (%zu read to the end)",
             bad, good);
    free(m);
    free(gzd);
    free(log);
}

/* Feed data to our stdin from a child process through a pipe. */
static got
read_stdin(const char *data, size_t len, unsigned flags, int *compressed)
{
    int fds[2], saved = dup(0), status;
    pid_t pid;
    sq_logsrc *s;
    got g;

    if (saved < 0 || pipe(fds) != 0)
        exit(1);
    if ((pid = fork()) == 0) {
        size_t off = 0;

        close(fds[0]);
        while (off < len) {
            ssize_t w = write(fds[1], data + off, len - off);

            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    dup2(fds[0], 0);
    close(fds[0]);
    s = open_ok("-", flags);
    g = drain(s, NULL, 0, 0);
    while ((flags & SQ_LOGSRC_FOLLOW) && g.end == SQ_ENOTFOUND) {
        got more = drain(s, NULL, 0, g.next);

        if ((g.data = realloc(g.data, g.len + more.len + 1)) == NULL)
            exit(1);
        memcpy(g.data + g.len, more.data, more.len + 1);
        g.len += more.len;
        g.end = more.end;
        if (more.chunks)
            g.next = more.next;
        g.contiguous &= more.contiguous;
        got_free(&more);
        if (g.end == SQ_ENOTFOUND)
            usleep(2000);
    }
    *compressed = sq_logsrc_compressed(s);
    SQ_CHECK(sq_logsrc_resume(s, 2, hash_of("x\n", 2), NULL) == SQ_EINVAL,
             "stdin cannot resume");
    sq_logsrc_free(s);
    dup2(saved, 0);
    close(saved);
    waitpid(pid, &status, 0);
    return g;
}

static void
test_stdin(void)
{
    char *gzd = NULL;
    size_t gzlen = 0;
    int comp = -1;
    got g = read_stdin("x\nyy\nzzz", 8, 0, &comp);

    SQ_CHECK(g.end == SQ_EEOF && strcmp(g.data, "x\nyy\nzzz\n") == 0 &&
                 g.contiguous && !comp,
             "stdin: last line delivered with newline, got \"%s\" (%s)", g.data,
             sq_strerror(g.end));
    got_free(&g);
    gz_member("one\ntwo\n", 8, &gzd, &gzlen);
    gz_member("three\n", 6, &gzd, &gzlen);
    g = read_stdin(gzd, gzlen, 0, &comp);
    SQ_CHECK(g.end == SQ_EEOF && strcmp(g.data, "one\ntwo\nthree\n") == 0 &&
                 comp,
             "gzip on stdin: \"%s\"", g.data);
    got_free(&g);
    g = read_stdin("f1\nf2\n", 6, SQ_LOGSRC_FOLLOW, &comp);
    SQ_CHECK(g.end == SQ_EEOF && strcmp(g.data, "f1\nf2\n") == 0 &&
                 g.contiguous,
             "follow stdin: never blocks, ends at EOF: \"%s\"", g.data);
    got_free(&g);
    free(gzd);
}

static void
test_long_lines(void)
{
    size_t big = 1u << 20, n = 0;
    char *data = malloc(big * 3 + 256);
    const char *p = tpath("long.log");
    sq_logsrc *s;
    got g;

    if (data == NULL)
        exit(1);
    n += (size_t)snprintf(data, 64, "short1\n");
    memset(data + n, 'A', big);
    n += big;
    data[n++] = '\n';
    memcpy(data + n, "after\n", 6);
    n += 6;
    /* exactly SQ_SCAN_MAX_LINE bytes: kept; one more: skipped */
    memset(data + n, 'M', SQ_SCAN_MAX_LINE);
    n += SQ_SCAN_MAX_LINE;
    data[n++] = '\n';
    memset(data + n, 'N', SQ_SCAN_MAX_LINE + 1);
    n += SQ_SCAN_MAX_LINE + 1;
    data[n++] = '\n';
    memcpy(data + n, "end\n", 4);
    n += 4;
    memset(data + n, 'Z', big); /* unterminated, longer than the limit */
    put_file(p, data, n + big, "wb");

    s = open_ok(p, 0);
    g = drain(s, data, n + big, 0);
    SQ_CHECK(g.end == SQ_EEOF && g.matches && g.whole_lines,
             "long lines: %s, at offsets %d", sq_strerror(g.end), g.matches);
    SQ_CHECK(g.len == 7 + 6 + SQ_SCAN_MAX_LINE + 1 + 4,
             "kept short1, after, the max-length line, end: %zu bytes", g.len);
    SQ_CHECK(g.len > 13 && memcmp(g.data, "short1\nafter\nM", 14) == 0,
             "the line after the 1 MB line is right");
    SQ_CHECK(g.len >= 4 && memcmp(g.data + g.len - 4, "end\n", 4) == 0,
             "the line after the skipped one");
    SQ_CHECK(sq_logsrc_count(s, SQ_LOGSRC_LONG_LINES) == 3,
             "1 MB line, max+1 line, unterminated 1 MB tail counted: %llu",
             sq_logsrc_count(s, SQ_LOGSRC_LONG_LINES));
    SQ_CHECK(sq_logsrc_offset(s) == n, "offset after \"end\": %llu of %zu",
             sq_logsrc_offset(s), n);
    sq_logsrc_free(s);
    got_free(&g);

    /* A first line longer than the fingerprint cap. */
    s = open_ok(tpath("long.log"), 0);
    memset(data, 'Q', 5000);
    data[5000] = '\n';
    put_file(tpath("longfirst.log"), data, 5001, "wb");
    sq_logsrc_free(s);
    s = open_ok(tpath("longfirst.log"), 0);
    SQ_CHECK(sq_logsrc_identify(s, NULL) == SQ_OK, "identify long first");
    SQ_CHECK_STR(sq_logsrc_fingerprint(s), hash_of(data, SQ_LOGSRC_FP_MAX),
                 "fingerprint capped at 4096 bytes");
    sq_logsrc_free(s);
    free(data);
}

static void
resume_cases(const char *path, const char *content, size_t len)
{
    const char *l3 = content, *l4;
    sq_logsrc *s;
    got g;

    for (int i = 0; i < 3; i++)
        l3 = strchr(l3, '\n') + 1; /* start of line 4 */
    l4 = l3;
    {
        const char *l3s = l4 - 1;
        unsigned long long off = (unsigned long long)(l4 - content);

        while (l3s > content && l3s[-1] != '\n')
            l3s--;
        s = open_ok(path, 0);
        SQ_CHECK(sq_logsrc_resume(s, off, hash_of(l3s, (size_t)(l4 - l3s)),
                                  NULL) == SQ_OK,
                 "%s: resume after line 3", path);
        g = drain(s, content, len, off);
        SQ_CHECK(g.contiguous && g.matches && g.len == len - (size_t)off &&
                     memcmp(g.data, l4, g.len) == 0,
                 "%s: from line 4 on, %zu bytes", path, g.len);
        got_free(&g);
        sq_logsrc_free(s);

        s = open_ok(path, 0);
        SQ_CHECK(sq_logsrc_resume(s, off, hash_of("nope\n", 5), NULL) ==
                     SQ_ENOTFOUND,
                 "%s: hash mismatch", path);
        g = drain(s, content, len, 0);
        SQ_CHECK(g.len == len && g.contiguous, "%s: mismatch reads from 0",
                 path);
        got_free(&g);
        sq_logsrc_free(s);

        s = open_ok(path, 0);
        SQ_CHECK(sq_logsrc_resume(s, off + 2, hash_of(l3s, (size_t)(l4 - l3s)),
                                  NULL) == SQ_ENOTFOUND,
                 "%s: offset inside a line", path);
        g = drain(s, content, len, 0);
        SQ_CHECK(g.len == len && g.contiguous, "%s: from 0 again", path);
        got_free(&g);
        sq_logsrc_free(s);
    }
    s = open_ok(path, 0);
    SQ_CHECK(sq_logsrc_resume(s, len + 100, hash_of("x\n", 2), NULL) ==
                 SQ_ENOTFOUND,
             "%s: offset past the end", path);
    g = drain(s, content, len, 0);
    SQ_CHECK(g.len == len && g.contiguous, "%s: past end reads from 0", path);
    got_free(&g);
    /* resume at the very end: nothing more */
    {
        const char *ls = content + len - 1;

        while (ls > content && ls[-1] != '\n')
            ls--;
        SQ_CHECK(sq_logsrc_resume(s, len,
                                  hash_of(ls, (size_t)(content + len - ls)),
                                  NULL) == SQ_OK,
                 "%s: resume at the end", path);
        g = drain(s, content, len, len);
        SQ_CHECK(g.end == SQ_EEOF && g.len == 0, "%s: nothing after the end",
                 path);
        got_free(&g);
    }
    sq_logsrc_free(s);
}

static void
test_resume(void)
{
    size_t len, nl;
    char *log = make_log(2500000, &len, &nl);
    char *gzd = NULL;
    size_t gzlen = 0;

    put_file(tpath("resume.log"), log, len, "wb");
    resume_cases(tpath("resume.log"), log, len);
    gz_member(log, len / 2, &gzd, &gzlen);
    gz_member(log + len / 2, len - len / 2, &gzd, &gzlen);
    put_file(tpath("resume.log.gz"), gzd, gzlen, "wb");
    resume_cases(tpath("resume.log.gz"), log, len);
    free(gzd);
    free(log);
}

/* Read until SQ_ENOTFOUND (nothing new) in follow mode. */
static got
follow_now(sq_logsrc *s, unsigned long long from)
{
    return drain(s, NULL, 0, from);
}

static void
pause_poll(void)
{
    usleep((SQ_LOGSRC_POLL_MS + 60) * 1000);
}

static void
test_follow(void)
{
    const char *p = tpath("follow.log"), *p1 = tpath("follow.log.1");
    sq_logsrc *s;
    FILE *old;
    got g;
    int fd;

    put_file(p, "l1\nl2\n", 6, "wb");
    s = open_ok(p, SQ_LOGSRC_FOLLOW);
    g = follow_now(s, 0);
    SQ_CHECK(g.end == SQ_ENOTFOUND && strcmp(g.data, "l1\nl2\n") == 0,
             "follow: first data then nothing new (%s)", sq_strerror(g.end));
    got_free(&g);
    put_file(p, "l3\nl4", 5, "ab");
    g = follow_now(s, 6);
    SQ_CHECK(strcmp(g.data, "l3\n") == 0 && g.contiguous,
             "append: new line at 6, partial held: \"%s\"", g.data);
    got_free(&g);
    put_file(p, "\n", 1, "ab");
    g = follow_now(s, 9);
    SQ_CHECK(strcmp(g.data, "l4\n") == 0 && g.contiguous,
             "completed line: \"%s\"", g.data);
    got_free(&g);

    /* Rotation: rename, new file; the writer still appends to the old. */
    old = fopen(p, "ab");
    rename(p, p1);
    put_file(p, "n1\nn2\nn3\n", 9, "wb");
    fputs("l5\n", old);
    fclose(old);
    pause_poll();
    g = follow_now(s, 12);
    SQ_CHECK(strcmp(g.data, "l5\nn1\nn2\nn3\n") == 0,
             "rotation: old rest drained, then the new file: \"%s\"", g.data);
    SQ_CHECK(g.chunks == 2 && g.next == 9, "new file from offset 0: next %llu",
             g.next);
    SQ_CHECK(sq_logsrc_count(s, SQ_LOGSRC_ROTATIONS) == 1, "one rotation");
    SQ_CHECK_STR(sq_logsrc_fingerprint(s), hash_of("n1\n", 3),
                 "fingerprint of the new file");
    got_free(&g);

    /* Truncation: the file shrinks below our offset. */
    fd = open(p, O_WRONLY | O_TRUNC);
    SQ_CHECK(fd >= 0 && write(fd, "t1\n", 3) == 3, "truncate and write");
    close(fd);
    pause_poll();
    g = follow_now(s, 0);
    SQ_CHECK(strcmp(g.data, "t1\n") == 0 && g.contiguous,
             "truncation: from 0: \"%s\"", g.data);
    SQ_CHECK(sq_logsrc_count(s, SQ_LOGSRC_TRUNCATIONS) == 1,
             "one truncation: %llu", sq_logsrc_count(s, SQ_LOGSRC_TRUNCATIONS));
    got_free(&g);

    /* Vanished path: waited for, then a new file. */
    unlink(p);
    pause_poll();
    g = follow_now(s, 3);
    SQ_CHECK(g.end == SQ_ENOTFOUND && g.len == 0 &&
                 sq_logsrc_count(s, SQ_LOGSRC_WAITS) == 1,
             "missing path waited for: %s, waits %llu", sq_strerror(g.end),
             sq_logsrc_count(s, SQ_LOGSRC_WAITS));
    got_free(&g);
    put_file(p, "back\n", 5, "wb");
    pause_poll();
    g = follow_now(s, 0);
    SQ_CHECK(strcmp(g.data, "back\n") == 0 &&
                 sq_logsrc_count(s, SQ_LOGSRC_ROTATIONS) == 2,
             "reappeared: \"%s\", rotations %llu", g.data,
             sq_logsrc_count(s, SQ_LOGSRC_ROTATIONS));
    got_free(&g);
    sq_logsrc_free(s);

    /* A path that does not exist yet. */
    s = open_ok(tpath("later.log"), SQ_LOGSRC_FOLLOW);
    g = follow_now(s, 0);
    SQ_CHECK(g.end == SQ_ENOTFOUND && sq_logsrc_count(s, SQ_LOGSRC_WAITS) == 1,
             "not there yet: waiting");
    got_free(&g);
    put_file(tpath("later.log"), "first\n", 6, "wb");
    pause_poll();
    g = follow_now(s, 0);
    SQ_CHECK(strcmp(g.data, "first\n") == 0 &&
                 sq_logsrc_count(s, SQ_LOGSRC_ROTATIONS) == 0,
             "appeared: \"%s\"", g.data);
    got_free(&g);
    sq_logsrc_free(s);
}

static void
test_fingerprint_stable(void)
{
    char fp[65];
    char *gzd = NULL;
    size_t gzlen = 0;
    sq_logsrc *s;
    const char *text = "Nov 27 01:02:03 h sshd[1]: start\nsecond\n";

    put_file(tpath("fp.log"), text, strlen(text), "wb");
    s = open_ok(tpath("fp.log"), 0);
    sq_logsrc_identify(s, NULL);
    memcpy(fp, sq_logsrc_fingerprint(s), 65);
    sq_logsrc_free(s);
    rename(tpath("fp.log"), tpath("fp.log.1"));
    s = open_ok(tpath("fp.log.1"), 0);
    sq_logsrc_identify(s, NULL);
    SQ_CHECK_STR(sq_logsrc_fingerprint(s), fp, "same after rename");
    sq_logsrc_free(s);
    gz_member(text, strlen(text), &gzd, &gzlen);
    put_file(tpath("fp.log.2.gz"), gzd, gzlen, "wb");
    s = open_ok(tpath("fp.log.2.gz"), 0);
    sq_logsrc_identify(s, NULL);
    SQ_CHECK_STR(sq_logsrc_fingerprint(s), fp, "same after gzip");
    sq_logsrc_free(s);
    free(gzd);
}

static void
test_errors(void)
{
    sq_diag *d = sq_diag_new();
    sq_logsrc *s = NULL;

    SQ_CHECK(sq_logsrc_open(tpath("missing"), 0, d, &s) == SQ_EIO && s == NULL,
             "missing file without follow: EIO");
    SQ_CHECK(sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "missing") != NULL,
             "message names the file: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : "(none)");
    SQ_CHECK(sq_logsrc_open(tmpdir, 0, d, &s) == SQ_EIO, "directory: EIO");
    SQ_CHECK(sq_logsrc_open("", 0, d, &s) == SQ_EINVAL, "empty path");
    sq_logsrc_free(NULL);
    sq_diag_free(d);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    tfiles_begin(tmpdir);
    test_plain_chunks();
    test_unterminated();
    test_gzip();
    test_gzip_damage();
    test_stdin();
    test_long_lines();
    test_resume();
    test_follow();
    test_fingerprint_stable();
    test_errors();
    tfiles_end(tmpdir);
    return sqtest_finish("logsrc_test");
}

/*
 * scan_wm_test.c - watermarks of `squeaky scan` in the store
 * (sq_scan_wm_*, sq_logsrc_resume_from, sq_logsrc_save): put, get,
 * upsert, two fingerprints, a reopened store file, and three runs over a
 * log that is rotated (auth.log -> auth.log.1) and then compressed
 * (auth.log.2.gz): no run hands out a line an earlier run handed out,
 * and none is missed.  Also a rotation while following and a file whose
 * first line is not complete yet.
 *
 * SQLite file in a temporary directory; with SQ_TEST_STORE set
 * (tests/it/store_pg.sh: PostgreSQL) that store, with the scan_wm table
 * dropped first (the reopen check then reconnects to it).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sqtest.h"
#include "testfiles.h"

#include <squeaky/logsrc.h>
#include <squeaky/report.h>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[] = "/tmp/scan_wm_test.XXXXXX";
static char uri[512];

#define tpath(name) tfiles_path(tmpdir, (name))

#define put_file(p, d, m) tfiles_put((p), (d), strlen(d), (m))

static sq_store *
store_open(int fresh)
{
    sq_store *st = NULL;
    sq_diag *d = sq_diag_new();
    sq_status r = sq_store_open(uri, d, &st);

    if (r == SQ_ECONFIG) {
        printf("scan_wm_test: SKIP: %s\n",
               sq_diag_count(d) ? sq_diag_message(d, 0) : "no backend");
        exit(SQTEST_SKIP);
    }
    if (r != SQ_OK) {
        fprintf(stderr, "scan_wm_test: %s: %s\n", uri,
                sq_diag_count(d) ? sq_diag_message(d, 0) : "open failed");
        exit(1);
    }
    if (fresh && strncmp(uri, "sqlite:", 7) != 0) {
        (void)sq_store_exec(st, "DROP TABLE IF EXISTS scan_wm", NULL, 0, NULL,
                            NULL, NULL);
        (void)sq_store_exec(st, "DELETE FROM sq_schema WHERE module = $1",
                            (sq_value[]){SQ_VTEXT("scan_wm")}, 1, NULL, NULL,
                            NULL);
    }
    sq_diag_free(d);
    return st;
}

static const char *
h(const char *s)
{
    static char out[3][65];
    static int k;

    k = (k + 1) % 3;
    sq_sha256_hex(s, strlen(s), out[k]);
    return out[k];
}

static void
test_put_get(void)
{
    sq_store *st = store_open(1);
    sq_scan_wm *w = NULL;
    unsigned long long off = 0, dev = 0, ino = 0;
    long long upd = 0;
    char hash[65] = "", *path = NULL;
    char fp1[65], fp2[65];

    memcpy(fp1, h("first line of a\n"), 65);
    memcpy(fp2, h("first line of b\n"), 65);
    SQ_CHECK(sq_scan_wm_open(st, NULL, &w) == SQ_OK && w != NULL, "open");
    SQ_CHECK(sq_scan_wm_get(w, fp1, &off, hash, &path, &dev, &ino, &upd,
                            NULL) == SQ_ENOTFOUND,
             "unknown fingerprint");
    SQ_CHECK(sq_scan_wm_put(w, fp1, "/var/log/a.log", 2049,
                            18446744073709551000ULL, 1234, h("l\n"),
                            NULL) == SQ_OK,
             "put a");
    SQ_CHECK(sq_scan_wm_put(w, fp2, "/var/log/b.log", 7, 8, 99, h("m\n"),
                            NULL) == SQ_OK,
             "put b");
    SQ_CHECK(sq_scan_wm_get(w, fp1, &off, hash, &path, &dev, &ino, &upd,
                            NULL) == SQ_OK,
             "get a");
    SQ_CHECK(off == 1234 && dev == 2049 && ino == 18446744073709551000ULL &&
                 upd > 1700000000,
             "a: offset %llu dev %llu ino %llu updated %lld", off, dev, ino,
             upd);
    SQ_CHECK_STR(hash, h("l\n"), "a: last hash");
    SQ_CHECK_STR(path, "/var/log/a.log", "a: path");
    free(path);
    path = NULL;
    SQ_CHECK(sq_scan_wm_put(w, fp1, "/var/log/a.log.1", 2049, 5, 5678, h("n\n"),
                            NULL) == SQ_OK,
             "upsert a");
    SQ_CHECK(sq_scan_wm_get(w, fp1, &off, hash, &path, NULL, &ino, NULL,
                            NULL) == SQ_OK &&
                 off == 5678 && ino == 5,
             "a updated: %llu", off);
    SQ_CHECK_STR(hash, h("n\n"), "a: new hash");
    SQ_CHECK_STR(path, "/var/log/a.log.1", "a: new path");
    free(path);
    path = NULL;
    SQ_CHECK(sq_scan_wm_get(w, fp2, &off, hash, NULL, NULL, NULL, NULL, NULL) ==
                     SQ_OK &&
                 off == 99,
             "b unchanged: %llu", off);
    SQ_CHECK(sq_scan_wm_put(w, "abc", "/x", 0, 0, 1, h("n\n"), NULL) ==
                 SQ_EINVAL,
             "bad fingerprint refused");
    SQ_CHECK(sq_scan_wm_put(w, fp1, "/x", 0, 0, 1, "ABC", NULL) == SQ_EINVAL,
             "bad hash refused");
    SQ_CHECK(sq_scan_wm_get(w, "zz", &off, hash, NULL, NULL, NULL, NULL,
                            NULL) == SQ_EINVAL,
             "bad fingerprint lookup");
    sq_scan_wm_free(w);
    sq_store_close(st);

    /* A new connection (the SQLite file reopened) still has them. */
    st = store_open(0);
    w = NULL;
    SQ_CHECK(sq_scan_wm_open(st, NULL, &w) == SQ_OK, "reopen");
    SQ_CHECK(sq_scan_wm_get(w, fp1, &off, hash, NULL, NULL, NULL, NULL, NULL) ==
                     SQ_OK &&
                 off == 5678,
             "a after reopen: %llu", off);
    SQ_CHECK(sq_scan_wm_get(w, fp2, &off, hash, NULL, NULL, NULL, NULL, NULL) ==
                     SQ_OK &&
                 off == 99,
             "b after reopen: %llu", off);
    sq_scan_wm_free(w);
    sq_store_close(st);
}

/* One `squeaky scan` run over files: resume_from, read all, save.  The
 * lines handed out are appended to out; resumed flags to res. */
static void
scan_run(sq_scan_wm *w, const char *const *paths, size_t n, char *out,
         size_t outlen, int *res)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        sq_logsrc *s = NULL;
        const char *b;
        size_t len, used;
        unsigned long long base;
        sq_status st = sq_logsrc_open(paths[i], 0, NULL, &s);

        SQ_CHECK(st == SQ_OK, "open %s", paths[i]);
        if (st != SQ_OK)
            continue;
        SQ_CHECK(sq_logsrc_resume_from(s, w, NULL, &res[i]) == SQ_OK,
                 "resume_from %s", paths[i]);
        while ((st = sq_logsrc_read(s, &b, &len, &base, NULL)) == SQ_OK) {
            used = strlen(out);
            if (used + len < outlen) {
                memcpy(out + used, b, len);
                out[used + len] = '\0';
            }
        }
        SQ_CHECK(st == SQ_EEOF, "%s read to the end: %s", paths[i],
                 sq_strerror(st));
        SQ_CHECK(sq_logsrc_save(s, w, NULL) == SQ_OK, "save %s", paths[i]);
        sq_logsrc_free(s);
    }
}

static void
gzip_file(const char *from, const char *to)
{
    char buf[4096];
    FILE *in = fopen(from, "rb");
    gzFile out = gzopen(to, "wb");
    size_t n;

    if (in == NULL || out == NULL)
        exit(1);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        gzwrite(out, buf, (unsigned)n);
    fclose(in);
    gzclose(out);
    unlink(from);
}

static void
test_rotation_runs(void)
{
    sq_store *st = store_open(0);
    sq_scan_wm *w = NULL;
    char log[256], out[4096];
    int res[2] = {-1, -1};

    snprintf(log, sizeof(log), "%s", tpath("auth.log"));
    SQ_CHECK(sq_scan_wm_open(st, NULL, &w) == SQ_OK, "open");
    put_file(log, "Nov 27 00:00:01 h sshd[1]: L1\nL2\nL3\n", "wb");
    scan_run(w, (const char *[]){log}, 1, out, sizeof(out), res);
    SQ_CHECK_STR(out, "Nov 27 00:00:01 h sshd[1]: L1\nL2\nL3\n",
                 "run 1: everything");
    SQ_CHECK(res[0] == 0, "run 1: nothing to resume");

    /* More lines, then logrotate: auth.log -> auth.log.1, a new auth.log. */
    put_file(log, "L4\nL5\n", "ab");
    rename(log, tpath("auth.log.1"));
    put_file(log, "Nov 27 06:25:01 h sshd[9]: M1\nM2\n", "wb");
    scan_run(w, (const char *[]){tpath("auth.log.1"), log}, 2, out, sizeof(out),
             res);
    SQ_CHECK_STR(out, "L4\nL5\nNov 27 06:25:01 h sshd[9]: M1\nM2\n",
                 "run 2: only the new lines of .1 and the new file");
    SQ_CHECK(res[0] == 1 && res[1] == 0, "run 2: .1 resumed, new from 0");

    /* auth.log.1 -> auth.log.2.gz; auth.log grows. */
    gzip_file(tpath("auth.log.1"), tpath("auth.log.2.gz"));
    put_file(log, "M3\n", "ab");
    scan_run(w, (const char *[]){tpath("auth.log.2.gz"), log}, 2, out,
             sizeof(out), res);
    SQ_CHECK_STR(out, "M3\n", "run 3: nothing old again");
    SQ_CHECK(res[0] == 1 && res[1] == 1, "run 3: both resumed: %d %d", res[0],
             res[1]);

    /* The watermark of the rotated content says where it was seen. */
    {
        unsigned long long off = 0;
        char *path = NULL;
        const char *all = "Nov 27 00:00:01 h sshd[1]: L1\nL2\nL3\nL4\nL5\n";

        SQ_CHECK(sq_scan_wm_get(w, h("Nov 27 00:00:01 h sshd[1]: L1\n"), &off,
                                NULL, &path, NULL, NULL, NULL, NULL) == SQ_OK,
                 "watermark of the rotated content");
        SQ_CHECK(off == strlen(all), "at its end: %llu", off);
        SQ_CHECK(path != NULL && strstr(path, "auth.log.2.gz") != NULL,
                 "last seen as %s", path ? path : "(null)");
        free(path);
    }

    /* A changed file with the same first line: hash check fails, from 0. */
    put_file(tpath("auth.log.2.gz"), "", "wb");
    unlink(tpath("auth.log.2.gz"));
    put_file(tpath("other.log"),
             "Nov 27 00:00:01 h sshd[1]: L1\nX2\nX3\nX4\nX5\n", "wb");
    scan_run(w, (const char *[]){tpath("other.log")}, 1, out, sizeof(out), res);
    SQ_CHECK_STR(out, "Nov 27 00:00:01 h sshd[1]: L1\nX2\nX3\nX4\nX5\n",
                 "same first line, other content: read from 0");
    SQ_CHECK(res[0] == 0, "not resumed");
    sq_scan_wm_free(w);
    sq_store_close(st);
}

static void
test_follow_save(void)
{
    sq_store *st = store_open(0);
    sq_scan_wm *w = NULL;
    char log[256];
    sq_logsrc *s = NULL;
    const char *b;
    size_t len;
    unsigned long long base, off = 0;
    int res = -1, n = 0;
    sq_status r;

    snprintf(log, sizeof(log), "%s", tpath("f.log"));
    SQ_CHECK(sq_scan_wm_open(st, NULL, &w) == SQ_OK, "open");
    put_file(log, "F1 first\nF2\n", "wb");
    SQ_CHECK(sq_logsrc_open(log, SQ_LOGSRC_FOLLOW, NULL, &s) == SQ_OK,
             "open follow");
    SQ_CHECK(sq_logsrc_resume_from(s, w, NULL, &res) == SQ_OK && res == 0,
             "follow: nothing to resume");
    while (sq_logsrc_read(s, &b, &len, &base, NULL) == SQ_OK)
        ;
    SQ_CHECK(sq_logsrc_save(s, w, NULL) == SQ_OK, "save");
    put_file(log, "F3\n", "ab");
    rename(log, tpath("f.log.1"));
    put_file(log, "G1 new\n", "wb");
    usleep((SQ_LOGSRC_POLL_MS + 60) * 1000);
    while ((r = sq_logsrc_read(s, &b, &len, &base, NULL)) == SQ_OK)
        n++;
    SQ_CHECK(r == SQ_ENOTFOUND && n == 2 &&
                 sq_logsrc_count(s, SQ_LOGSRC_ROTATIONS) == 1,
             "rotation followed: %d chunks", n);
    SQ_CHECK(sq_logsrc_save(s, w, NULL) == SQ_OK, "save after rotation");
    SQ_CHECK(sq_scan_wm_get(w, h("F1 first\n"), &off, NULL, NULL, NULL, NULL,
                            NULL, NULL) == SQ_OK &&
                 off == 15,
             "the file left behind saved at its end: %llu", off);
    SQ_CHECK(sq_scan_wm_get(w, h("G1 new\n"), &off, NULL, NULL, NULL, NULL,
                            NULL, NULL) == SQ_OK &&
                 off == 7,
             "the new file saved: %llu", off);
    sq_logsrc_free(s);

    /* First line not complete: no fingerprint, no watermark, no error. */
    put_file(tpath("young.log"), "no newline yet", "wb");
    s = NULL;
    SQ_CHECK(sq_logsrc_open(tpath("young.log"), 0, NULL, &s) == SQ_OK, "open");
    SQ_CHECK(sq_logsrc_resume_from(s, w, NULL, &res) == SQ_OK && res == 0,
             "no fingerprint: from 0");
    SQ_CHECK(sq_logsrc_read(s, &b, &len, &base, NULL) == SQ_EEOF,
             "nothing whole to hand out");
    SQ_CHECK(sq_logsrc_save(s, w, NULL) == SQ_OK, "save is a no-op");
    SQ_CHECK(sq_scan_wm_get(w, h("no newline yet"), &off, NULL, NULL, NULL,
                            NULL, NULL, NULL) == SQ_ENOTFOUND,
             "nothing stored");
    sq_logsrc_free(s);
    sq_scan_wm_free(w);
    sq_store_close(st);
}

int
main(void)
{
    const char *env = getenv("SQ_TEST_STORE");

    tfiles_begin(tmpdir);
    if (env != NULL && env[0] != '\0')
        snprintf(uri, sizeof(uri), "%s", env);
    else
        snprintf(uri, sizeof(uri), "sqlite:%s/wm.db", tmpdir);
    test_put_get();
    test_rotation_runs();
    test_follow_save();
    tfiles_end(tmpdir);
    return sqtest_finish("scan_wm_test");
}

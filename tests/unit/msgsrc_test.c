/*
 * msgsrc_test.c - message sources (src/mail/msgsrc.c, mbox.c, map.c).
 *
 * Owner: mail.  Builds every fixture at test time in a mkdtemp()
 * directory under $TMPDIR (removed at the end): mboxes (LF, CRLF,
 * mboxrd, truncated), an empty file, a single message, a Maildir with
 * cur/ new/ tmp/, a directory of .eml files with a dangling symlink (and
 * an unreadable file when not root), stdin as a file and as a pipe, and
 * max_message_bytes.  Checks kinds, counts, labels and contents.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "mail/mail_int.h"
#include "sqtest.h"

#include <squeaky/config.h>
#include <squeaky/mail.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXMSG 8

static char tmpdir[4096];

/* One expected message: label suffix (after the fixture path) or full
 * label, status and content. */
struct want {
    const char *label; /* appended to the source path */
    sq_status st;
    const char *data; /* NULL: do not compare (error entries) */
};

struct scase {
    const char *name;
    const char *file; /* relative to tmpdir */
    sq_msgsrc_kind kind;
    size_t count;
    struct want msgs[MAXMSG];
};

static void
path_of(char *buf, size_t len, const char *rel)
{
    int k = snprintf(buf, len, "%s/%s", tmpdir, rel);

    if (k < 0 || (size_t)k >= len)
        abort();
}

static void
write_file(const char *rel, const char *data, size_t len)
{
    char p[4096];
    FILE *f;

    path_of(p, sizeof(p), rel);
    f = fopen(p, "wb");
    SQ_CHECK(f != NULL, "create %s: %s", p, strerror(errno));
    if (f == NULL)
        return;
    SQ_CHECK(fwrite(data, 1, len, f) == len, "write %s", p);
    fclose(f);
}

#define WRITE(rel, s) write_file(rel, s, sizeof(s) - 1)

static void
make_dir(const char *rel)
{
    char p[4096];

    path_of(p, sizeof(p), rel);
    SQ_CHECK(mkdir(p, 0700) == 0, "mkdir %s: %s", p, strerror(errno));
}

static const char mbox3[] =
    "From alice@example.org Mon Jan  1 00:00:00 2024\n"
    "Subject: one\n\nbody one\n\n"
    "From bob@example.org Mon Jan  1 00:00:01 2024\n"
    "Subject: two\n\nbody two\n>From is quoted in mboxo\n\n"
    "From carol@example.org Mon Jan  1 00:00:02 2024\n"
    "Subject: three\n\nbody three\n";

static const char mbox_crlf[] =
    "From alice@example.org Mon Jan  1 00:00:00 2024\r\n"
    "Subject: one\r\n\r\nbody one\r\n\r\n"
    "From bob@example.org Mon Jan  1 00:00:01 2024\r\n"
    "Subject: two\r\n\r\nbody two\r\n";

static const char mboxrd[] =
    "From a@example.org Mon Jan  1 00:00:00 2024\n"
    "Subject: rd\n\n>From the start\n>>From twice\nFrom-less line\n\n"
    "From b@example.org Mon Jan  1 00:00:01 2024\n"
    "Subject: rd2\n\nx\n";

static const char mbox_cut[] = "From a@example.org Mon Jan  1 00:00:00 2024\n"
                               "Subject: whole\n\nbody\n\n"
                               "From b@example.org Mon Jan  1 00:00:01 2024\n"
                               "Subject: cut sh";

static const char mbox_empty_msg[] = "From a Mon Jan  1 00:00:00 2024\n"
                                     "From b Mon Jan  1 00:00:00 2024\n"
                                     "X: 1\n";

static const struct scase cases[] = {
    {"mbox with three LF messages",
     "mbox3",
     SQ_SRC_MBOX,
     3,
     {{"#1", SQ_OK, "Subject: one\n\nbody one\n"},
      {"#2", SQ_OK, "Subject: two\n\nbody two\n>From is quoted in mboxo\n"},
      {"#3", SQ_OK, "Subject: three\n\nbody three\n"}}},
    {"mbox with CRLF line endings",
     "mbox_crlf",
     SQ_SRC_MBOX,
     2,
     {{"#1", SQ_OK, "Subject: one\r\n\r\nbody one\r\n"},
      {"#2", SQ_OK, "Subject: two\r\n\r\nbody two\r\n"}}},
    {"mboxrd keeps >From lines raw",
     "mboxrd",
     SQ_SRC_MBOX,
     2,
     {{"#1", SQ_OK,
       "Subject: rd\n\n>From the start\n>>From twice\nFrom-less line\n"},
      {"#2", SQ_OK, "Subject: rd2\n\nx\n"}}},
    {"truncated mbox yields what is there",
     "mbox_cut",
     SQ_SRC_MBOX,
     2,
     {{"#1", SQ_OK, "Subject: whole\n\nbody\n"},
      {"#2", SQ_OK, "Subject: cut sh"}}},
    {"mbox with an empty message between From_ lines",
     "mbox_empty_msg",
     SQ_SRC_MBOX,
     2,
     {{"#1", SQ_OK, ""}, {"#2", SQ_OK, "X: 1\n"}}},
    {"empty file is one empty message",
     "empty",
     SQ_SRC_MESSAGE,
     1,
     {{"", SQ_OK, ""}}},
    {"single message file",
     "one.eml",
     SQ_SRC_MESSAGE,
     1,
     {{"", SQ_OK, "Subject: single\n\nFrom here on it is body\n"}}},
    {"maildir: cur and new sorted by name, tmp and dotfiles skipped",
     "maildir",
     SQ_SRC_MAILDIR,
     4,
     {{"/new/0500.a", SQ_OK, "Subject: a\n\n"},
      {"/cur/1000.b:2,S", SQ_OK, "Subject: b\n\n"},
      {"/new/2000.c", SQ_OK, "Subject: c\n\n"},
      {"/cur/3000.d:2,", SQ_OK, "Subject: d\n\n"}}},
    {"maildir with only new/",
     "maildir_new",
     SQ_SRC_MAILDIR,
     1,
     {{"/new/1.x", SQ_OK, "Subject: x\n\n"}}},
    {"directory of .eml files, dangling link reported and skipped",
     "emls",
     SQ_SRC_DIRECTORY,
     4,
     {{"/a.eml", SQ_OK, "Subject: a\n\n"},
      {"/b.eml", SQ_OK, "From x Mon Jan  1 00:00:00 2024\nSubject: b\n\n"},
      {"/b2.eml", SQ_EIO, NULL},
      {"/c.eml", SQ_OK, "Subject: c\n\n"}}},
    {"empty directory", "emptydir", SQ_SRC_DIRECTORY, 0, {{NULL, 0, NULL}}},
};

static void
make_fixtures(void)
{
    char p[4096], q[4096];

    write_file("mbox3", mbox3, sizeof(mbox3) - 1);
    write_file("mbox_crlf", mbox_crlf, sizeof(mbox_crlf) - 1);
    write_file("mboxrd", mboxrd, sizeof(mboxrd) - 1);
    write_file("mbox_cut", mbox_cut, sizeof(mbox_cut) - 1);
    write_file("mbox_empty_msg", mbox_empty_msg, sizeof(mbox_empty_msg) - 1);
    write_file("empty", "", 0);
    WRITE("one.eml", "Subject: single\n\nFrom here on it is body\n");
    make_dir("maildir");
    make_dir("maildir/cur");
    make_dir("maildir/new");
    make_dir("maildir/tmp");
    WRITE("maildir/cur/1000.b:2,S", "Subject: b\n\n");
    WRITE("maildir/cur/3000.d:2,", "Subject: d\n\n");
    WRITE("maildir/new/2000.c", "Subject: c\n\n");
    WRITE("maildir/new/0500.a", "Subject: a\n\n");
    WRITE("maildir/new/.hidden", "Subject: hidden\n\n");
    WRITE("maildir/tmp/0001.tmp", "Subject: in tmp\n\n");
    make_dir("maildir_new");
    make_dir("maildir_new/new");
    WRITE("maildir_new/new/1.x", "Subject: x\n\n");
    make_dir("emls");
    WRITE("emls/c.eml", "Subject: c\n\n");
    WRITE("emls/a.eml", "Subject: a\n\n");
    WRITE("emls/b.eml", "From x Mon Jan  1 00:00:00 2024\nSubject: b\n\n");
    WRITE("emls/.dot.eml", "Subject: dot\n\n");
    make_dir("emls/sub");
    WRITE("emls/sub/deep.eml", "Subject: deep\n\n");
    path_of(p, sizeof(p), "emls/b2.eml");
    path_of(q, sizeof(q), "does-not-exist");
    SQ_CHECK(symlink(q, p) == 0, "symlink: %s", strerror(errno));
    make_dir("emptydir");
}

static void
check_source(const struct scase *c)
{
    char path[4096], label[4200];
    sq_msgsrc *src = NULL;
    const char *data, *lab;
    size_t len, n = 0;
    sq_status st;

    path_of(path, sizeof(path), c->file);
    st = sq_msgsrc_open(path, NULL, &src, NULL);
    SQ_CHECK(st == SQ_OK, "%s: open %s", c->name, sq_strerror(st));
    if (src == NULL)
        return;
    SQ_CHECK(sq_msgsrc_kind_of(src) == c->kind, "%s: kind %d want %d", c->name,
             (int)sq_msgsrc_kind_of(src), (int)c->kind);
    while ((st = sq_msgsrc_next(src, &data, &len, &lab)) != SQ_EEOF) {
        if (n < MAXMSG && n < c->count) {
            const struct want *w = &c->msgs[n];
            snprintf(label, sizeof(label), "%s%s", path, w->label);
            SQ_CHECK(st == w->st, "%s: message %zu status %s", c->name, n + 1,
                     sq_strerror(st));
            SQ_CHECK_STR(lab, label, "%s: message %zu label", c->name, n + 1);
            if (w->data != NULL && st == SQ_OK)
                SQ_CHECK(len == strlen(w->data) &&
                             memcmp(data, w->data, len) == 0,
                         "%s: message %zu content (%zu bytes) \"%.*s\"",
                         c->name, n + 1, len, (int)len, data);
        }
        if (++n > 100)
            break;
    }
    SQ_CHECK(n == c->count, "%s: %zu messages, want %zu", c->name, n, c->count);
    SQ_CHECK(sq_msgsrc_next(src, &data, &len, &lab) == SQ_EEOF,
             "%s: EOF stays EOF", c->name);
    sq_msgsrc_free(src);
}

/* A file the test user cannot read (meaningless as root, who can). */
static void
test_unreadable(void)
{
    char dir[4096], path[4096];
    sq_msgsrc *src = NULL;
    const char *data, *lab;
    size_t len;

    if (geteuid() == 0) {
        printf("msgsrc_test: running as root, unreadable-file check "
               "skipped (the dangling link covers it)\n");
        return;
    }
    make_dir("locked");
    WRITE("locked/a.eml", "Subject: a\n\n");
    WRITE("locked/b.eml", "Subject: b\n\n");
    path_of(path, sizeof(path), "locked/a.eml");
    SQ_CHECK(chmod(path, 0) == 0, "chmod");
    path_of(dir, sizeof(dir), "locked");
    SQ_CHECK(sq_msgsrc_open(dir, NULL, &src, NULL) == SQ_OK, "open locked");
    if (src == NULL)
        return;
    SQ_CHECK(sq_msgsrc_next(src, &data, &len, &lab) == SQ_EIO,
             "unreadable file: SQ_EIO");
    SQ_CHECK_STR(lab, path, "unreadable file: label");
    SQ_CHECK(sq_msgsrc_next(src, &data, &len, &lab) == SQ_OK,
             "unreadable file: next one readable");
    SQ_CHECK(sq_msgsrc_next(src, &data, &len, &lab) == SQ_EEOF,
             "unreadable file: then EOF");
    sq_msgsrc_free(src);
    (void)chmod(path, 0600);
}

/* A trailing slash does not change the labels. */
static void
test_trailing_slash(void)
{
    char path[4096], want[4200];
    sq_msgsrc *src = NULL;
    const char *data, *lab = NULL;
    size_t len;

    path_of(path, sizeof(path), "maildir_new//");
    path_of(want, sizeof(want), "maildir_new/new/1.x");
    SQ_CHECK(sq_msgsrc_open(path, NULL, &src, NULL) == SQ_OK, "open %s", path);
    if (src == NULL)
        return;
    SQ_CHECK(sq_msgsrc_next(src, &data, &len, &lab) == SQ_OK,
             "trailing slash: next");
    SQ_CHECK_STR(lab, want, "trailing slash: label");
    sq_msgsrc_free(src);
}

static void
test_open_errors(void)
{
    char path[4096];
    sq_msgsrc *src = NULL;
    sq_diag *d = sq_diag_new();

    path_of(path, sizeof(path), "no-such-file");
    SQ_CHECK(sq_msgsrc_open(path, NULL, &src, d) == SQ_EIO && src == NULL,
             "missing path: SQ_EIO, out untouched");
    SQ_CHECK(d != NULL && sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "no-such-file") != NULL,
             "missing path: diag names the file");
    SQ_CHECK(sq_msgsrc_open(NULL, NULL, &src, NULL) == SQ_EINVAL,
             "NULL path: SQ_EINVAL");
    SQ_CHECK(sq_msgsrc_open("", NULL, &src, NULL) == SQ_EINVAL,
             "empty path: SQ_EINVAL");
    sq_diag_free(d);
    sq_msgsrc_free(NULL);
}

/* Read all of "-" with fd 0 replaced by fd. */
static size_t
read_stdin_source(int fd, const sq_config *cfg, sq_msgsrc_kind *kind,
                  sq_status *first, size_t *first_len, char *first_label,
                  size_t lablen)
{
    int saved = dup(STDIN_FILENO);
    sq_msgsrc *src = NULL;
    const char *data, *lab;
    size_t len, n = 0;
    sq_status st;

    dup2(fd, STDIN_FILENO);
    close(fd);
    st = sq_msgsrc_open("-", cfg, &src, NULL);
    SQ_CHECK(st == SQ_OK, "stdin: open %s", sq_strerror(st));
    while (src != NULL &&
           (st = sq_msgsrc_next(src, &data, &len, &lab)) != SQ_EEOF) {
        if (n++ == 0) {
            *kind = sq_msgsrc_kind_of(src);
            *first = st;
            *first_len = len;
            snprintf(first_label, lablen, "%s", lab);
        }
    }
    sq_msgsrc_free(src);
    dup2(saved, STDIN_FILENO);
    close(saved);
    return n;
}

static int
pipe_with(const char *data, size_t len)
{
    int p[2];

    if (pipe(p) != 0)
        return -1;
    SQ_CHECK(write(p[1], data, len) == (ssize_t)len, "pipe write");
    close(p[1]);
    return p[0];
}

static void
test_stdin(void)
{
    char path[4096], label[4096];
    sq_msgsrc_kind kind = SQ_SRC_DIRECTORY;
    sq_status first = SQ_EEOF;
    size_t flen = 0, n;
    int fd;

    path_of(path, sizeof(path), "mbox3");
    fd = open(path, O_RDONLY);
    n = read_stdin_source(fd, NULL, &kind, &first, &flen, label, sizeof(label));
    SQ_CHECK(n == 3 && kind == SQ_SRC_MBOX, "stdin file mbox: %zu", n);
    SQ_CHECK_STR(label, "-#1", "stdin mbox label");

    fd = pipe_with(mbox3, sizeof(mbox3) - 1);
    n = read_stdin_source(fd, NULL, &kind, &first, &flen, label, sizeof(label));
    SQ_CHECK(n == 3 && kind == SQ_SRC_MBOX, "stdin pipe mbox: %zu", n);

    fd = pipe_with("Subject: piped\n\nbody\n", 21);
    n = read_stdin_source(fd, NULL, &kind, &first, &flen, label, sizeof(label));
    SQ_CHECK(n == 1 && kind == SQ_SRC_MESSAGE && flen == 21 && first == SQ_OK,
             "stdin pipe message: %zu", n);
    SQ_CHECK_STR(label, "-", "stdin message label");

    fd = pipe_with("", 0);
    n = read_stdin_source(fd, NULL, &kind, &first, &flen, label, sizeof(label));
    SQ_CHECK(n == 1 && kind == SQ_SRC_MESSAGE && flen == 0,
             "stdin empty pipe: one empty message");
}

/* max_message_bytes: a pipe is read up to the bound, a file message is
 * cut to it; both report SQ_ELIMIT_MESSAGE with the prefix. */
static void
test_max_message(void)
{
    static char big[3000];
    char path[4096], label[4096];
    sq_config *cfg = NULL;
    sq_msgsrc *src = NULL;
    sq_msgsrc_kind kind;
    const char *data, *lab;
    size_t len = 0, n;
    sq_status st = SQ_OK;

    memset(big, 'b', sizeof(big));
    memcpy(big, "Subject: big\n\n", 14);
    if (sq_config_new(&cfg) != SQ_OK ||
        sq_config_set(cfg, "max_message_bytes", "1024", NULL) != SQ_OK) {
        SQ_CHECK(0, "config max_message_bytes=1024");
        sq_config_free(cfg);
        return;
    }
    int fd = pipe_with(big, sizeof(big));
    n = read_stdin_source(fd, cfg, &kind, &st, &len, label, sizeof(label));
    SQ_CHECK(n == 1 && st == SQ_ELIMIT_MESSAGE && len == 1024,
             "3000-byte pipe, max 1024: %s, %zu bytes", sq_strerror(st), len);
    write_file("big.eml", big, sizeof(big));
    path_of(path, sizeof(path), "big.eml");
    SQ_CHECK(sq_msgsrc_open(path, cfg, &src, NULL) == SQ_OK, "open big");
    if (src != NULL) {
        st = sq_msgsrc_next(src, &data, &len, &lab);
        SQ_CHECK(st == SQ_ELIMIT_MESSAGE && len == 1024 &&
                     memcmp(data, big, len) == 0,
                 "3000-byte file, max 1024: %s, %zu bytes", sq_strerror(st),
                 len);
        SQ_CHECK(sq_msgsrc_next(src, &data, &len, &lab) == SQ_EEOF,
                 "big file: then EOF");
    }
    sq_msgsrc_free(src);
    sq_config_free(cfg);
}

/* The splitter alone, on a buffer that does not start with From_. */
static void
test_splitter(void)
{
    static const char buf[] = "X: pre\n\nFrom a\nY: 1\n";
    sq_mbox_iter it;
    const char *m;
    size_t len;

    sq_mbox_init(&it, buf, sizeof(buf) - 1);
    SQ_CHECK(sq_mbox_next(&it, &m, &len) && len == 7 &&
                 memcmp(m, "X: pre\n", 7) == 0,
             "splitter: leading bytes form a message");
    SQ_CHECK(sq_mbox_next(&it, &m, &len) && len == 5 &&
                 memcmp(m, "Y: 1\n", 5) == 0,
             "splitter: then the From_ message");
    SQ_CHECK(!sq_mbox_next(&it, &m, &len), "splitter: done");
    sq_mbox_init(&it, NULL, 0);
    SQ_CHECK(!sq_mbox_next(&it, &m, &len), "splitter: empty buffer");
    sq_mbox_init(&it, "From x", 6);
    SQ_CHECK(sq_mbox_next(&it, &m, &len) && len == 0,
             "splitter: From_ line without newline is an empty message");
    SQ_CHECK(!sq_mbox_next(&it, &m, &len), "splitter: then done");
}

/* The checked-in mbox: kind, labels and the Received count of each
 * message, through the header scanner. */
static void
test_data_mbox(void)
{
    static const size_t want[] = {2, 1, 3};
    const char *path = SQ_TEST_DATA_DIR "/mail/three.mbox";
    char label[4200];
    sq_msgsrc *src = NULL;
    const char *data, *lab;
    size_t len, n = 0;

    SQ_CHECK(sq_msgsrc_open(path, NULL, &src, NULL) == SQ_OK, "open %s", path);
    if (src == NULL)
        return;
    SQ_CHECK(sq_msgsrc_kind_of(src) == SQ_SRC_MBOX, "three.mbox: kind");
    while (sq_msgsrc_next(src, &data, &len, &lab) == SQ_OK && n < 3) {
        sq_headers *h = NULL;
        size_t got = 0;
        snprintf(label, sizeof(label), "%s#%zu", path, n + 1);
        SQ_CHECK_STR(lab, label, "three.mbox: label");
        SQ_CHECK(sq_headers_parse(data, len, NULL, &h) == SQ_OK,
                 "three.mbox #%zu: parse", n + 1);
        for (size_t i = sq_headers_find(h, "Received", 0); i != (size_t)-1;
             i = sq_headers_find(h, "Received", i + 1))
            got++;
        SQ_CHECK(got == want[n], "three.mbox #%zu: %zu Received, want %zu",
                 n + 1, got, want[n]);
        sq_headers_free(h);
        n++;
    }
    SQ_CHECK(n == 3, "three.mbox: %zu messages", n);
    sq_msgsrc_free(src);
}

static int
remove_one(const char *path, const struct stat *sb, int type, struct FTW *f)
{
    (void)sb;
    (void)f;
    if (type == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

static void
cleanup(void)
{
    if (nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "msgsrc_test: could not remove %s\n", tmpdir);
}

int
main(void)
{
    const char *base = getenv("TMPDIR");
    int rc;

    snprintf(tmpdir, sizeof(tmpdir), "%s/sq-msgsrc-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return 1;
    }
    make_fixtures();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_source(&cases[i]);
    test_unreadable();
    test_open_errors();
    test_trailing_slash();
    test_stdin();
    test_max_message();
    test_splitter();
    test_data_mbox();
    rc = sqtest_finish("msgsrc_test");
    cleanup();
    return rc;
}

/*
 * headers_test.c - the header scanner (src/mail/headers.c).
 *
 * Owner: mail.  A table of small inputs (line endings, folding, NULs,
 * 8-bit bytes, missing blank line, From_ line, obsolete whitespace
 * before the colon, empty and binary input) checked field for field;
 * one test per limit on inputs built in memory (100,000 Received
 * headers, a 100 MB line, ...); and every message of the SpamAssassin
 * and rspamd corpora, compared with their labels.  Exit 77 only when
 * the corpora are absent (the in-memory tests still run first).
 */
#include "mail/mail_int.h"
#include "sqtest.h"

#include <jansson.h>
#include <squeaky/config.h>
#include <squeaky/mail.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IN(s) s, sizeof(s) - 1
#define MAXF 6

struct hcase {
    const char *name;
    const char *in;
    size_t len;
    sq_status parse; /* sq_headers_parse() result */
    sq_status status;
    int truncated;
    size_t count;
    const char *want[MAXF][2]; /* name, value of the first fields */
};

static const struct hcase cases[] = {
    {"lf line endings",
     IN("From: a@b\nTo: c@d\nSubject: hi\n\nbody\n"),
     SQ_OK,
     SQ_OK,
     0,
     3,
     {{"From", "a@b"}, {"To", "c@d"}, {"Subject", "hi"}}},
    {"crlf line endings",
     IN("From: a@b\r\nTo: c@d\r\nSubject: hi\r\n\r\nbody\r\n"),
     SQ_OK,
     SQ_OK,
     0,
     3,
     {{"From", "a@b"}, {"To", "c@d"}, {"Subject", "hi"}}},
    {"mixed line endings",
     IN("A: 1\r\nB: 2\nC: 3\r\n\nbody"),
     SQ_OK,
     SQ_OK,
     0,
     3,
     {{"A", "1"}, {"B", "2"}, {"C", "3"}}},
    {"folded lf value keeps the folding whitespace",
     IN("Received: from a\n\tby b\n  for c;\n date\nX: y\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     2,
     {{"Received", "from a\tby b  for c; date"}, {"X", "y"}}},
    {"folded crlf value",
     IN("Subject: a\r\n b\r\n\tc\r\n\r\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"Subject", "a b\tc"}}},
    {"whitespace-only continuation is trimmed",
     IN("A: 1\n \t\nB: 2\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     2,
     {{"A", "1"}, {"B", "2"}}},
    {"nul bytes become spaces",
     IN("X-Nul: a\0b\0\nY: \0c\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     2,
     {{"X-Nul", "a b"}, {"Y", "c"}}},
    {"nul in a continuation line",
     IN("X: a\n \0b\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"X", "a  b"}}},
    {"8-bit bytes kept as they are",
     IN("Subject: caf\xc3\xa9 \xff\xfe\nX: \x80\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     2,
     {{"Subject", "caf\xc3\xa9 \xff\xfe"}, {"X", "\x80"}}},
    {"missing blank line, eof without newline",
     IN("A: 1\nB: 2"),
     SQ_OK,
     SQ_OK,
     1,
     2,
     {{"A", "1"}, {"B", "2"}}},
    {"missing blank line, eof after newline",
     IN("A: 1\nB: 2\n"),
     SQ_OK,
     SQ_OK,
     1,
     2,
     {{"A", "1"}, {"B", "2"}}},
    {"missing blank line, eof in a folded field",
     IN("A: 1\n  2\r"),
     SQ_OK,
     SQ_OK,
     1,
     1,
     {{"A", "1  2"}}},
    {"non-header line ends the block",
     IN("A: 1\nthis is body\nB: 2\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"A", "1"}}},
    {"mime boundary ends the block",
     IN("A: 1\n--b1\nB: 2\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"A", "1"}}},
    {"leading From_ line is skipped",
     IN("From a@b Mon Jan  1 00:00:00 2024\nX: 1\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"X", "1"}}},
    {"leading From_ line with crlf is skipped",
     IN("From a@b Mon Jan  1 00:00:00 2024\r\nX: 1\r\n\r\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"X", "1"}}},
    {"obsolete 'From :' header is not a From_ line",
     IN("From : a@b\nX: 1\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     2,
     {{"From", "a@b"}, {"X", "1"}}},
    {"whitespace before the colon",
     IN("Subject \t: hi\nReceived : x\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     2,
     {{"Subject", "hi"}, {"Received", "x"}}},
    {"empty values",
     IN("X-Empty:\nY:   \nZ:\t\r\n\r\n"),
     SQ_OK,
     SQ_OK,
     0,
     3,
     {{"X-Empty", ""}, {"Y", ""}, {"Z", ""}}},
    {"colons inside the value",
     IN("X: a:b: c\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"X", "a:b: c"}}},
    {"every printable name character",
     IN("X-!#$%&'*+.^_`{|}~\"(),/;<=>?@[\\]: v\n\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"X-!#$%&'*+.^_`{|}~\"(),/;<=>?@[\\]", "v"}}},
    {"blank crlf line ends the block",
     IN("A: 1\r\n\r\nB: 2\r\n"),
     SQ_OK,
     SQ_OK,
     0,
     1,
     {{"A", "1"}}},
    {"leading blank line: no headers",
     IN("\nbody: text\n"),
     SQ_OK,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"empty input", "", 0, SQ_EEMPTY, SQ_OK, 0, 0, {{NULL, NULL}}},
    {"only a From_ line",
     IN("From a@b Mon Jan  1 00:00:00 2024\n"),
     SQ_EEMPTY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"png signature is binary",
     IN("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0"),
     SQ_EBINARY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"gzip magic is binary",
     IN("\x1f\x8b\x08\0\0\0\0\0\0\x03:"),
     SQ_EBINARY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"text without a field is binary",
     IN("Hello world\nX: 1\n"),
     SQ_EBINARY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"leading continuation line is binary",
     IN(" X: y\n"),
     SQ_EBINARY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"empty field name is binary",
     IN(": x\n"),
     SQ_EBINARY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
    {"control byte in the name is binary",
     IN("Sub\x01ject: x\n"),
     SQ_EBINARY,
     SQ_OK,
     0,
     0,
     {{NULL, NULL}}},
};

static void
check_case(const struct hcase *c)
{
    sq_headers *h = NULL;
    sq_status st = sq_headers_parse(c->in, c->len, NULL, &h);
    size_t i, vlen, nlen;
    const char *v, *n;

    SQ_CHECK(st == c->parse, "%s: parse %s, want %s", c->name, sq_strerror(st),
             sq_strerror(c->parse));
    if (st != SQ_OK || h == NULL) {
        SQ_CHECK(h == NULL, "%s: out set on failure", c->name);
        return;
    }
    SQ_CHECK(sq_headers_status(h) == c->status, "%s: status %s", c->name,
             sq_strerror(sq_headers_status(h)));
    SQ_CHECK(sq_headers_truncated(h) == c->truncated, "%s: truncated %d",
             c->name, sq_headers_truncated(h));
    SQ_CHECK(sq_headers_count(h) == c->count, "%s: count %zu want %zu", c->name,
             sq_headers_count(h), c->count);
    for (i = 0; i < MAXF && c->want[i][0] != NULL; i++) {
        n = sq_headers_name(h, i, &nlen);
        v = sq_headers_value(h, i, &vlen);
        SQ_CHECK_STR(n, c->want[i][0], "%s: name %zu", c->name, i);
        SQ_CHECK_STR(v, c->want[i][1], "%s: value %zu", c->name, i);
        SQ_CHECK(n == NULL || nlen == strlen(n), "%s: name len", c->name);
        SQ_CHECK(v == NULL || vlen == strlen(v), "%s: value len", c->name);
    }
    SQ_CHECK(sq_headers_name(h, c->count, NULL) == NULL,
             "%s: name past the end", c->name);
    sq_headers_free(h);
}

static void
test_find(void)
{
    static const char in[] = "Received: a\nX: 1\nRECEIVED: b\nreceived: c\n\n";
    sq_headers *h = NULL;

    SQ_CHECK(sq_headers_parse(IN(in), NULL, &h) == SQ_OK, "find: parse");
    if (h == NULL)
        return;
    SQ_CHECK(sq_headers_find(h, "received", 0) == 0, "find lower from 0");
    SQ_CHECK(sq_headers_find(h, "ReCeIvEd", 1) == 2, "find mixed from 1");
    SQ_CHECK(sq_headers_find(h, "RECEIVED", 3) == 3, "find upper from 3");
    SQ_CHECK(sq_headers_find(h, "Received", 4) == (size_t)-1, "find past");
    SQ_CHECK(sq_headers_find(h, "Receive", 0) == (size_t)-1, "find prefix");
    SQ_CHECK(sq_headers_find(h, "x", 0) == 1, "find one letter");
    SQ_CHECK(sq_headers_find(h, "Missing", 0) == (size_t)-1, "find missing");
    SQ_CHECK(sq_headers_find(h, "x", 1000) == (size_t)-1, "find far from");
    sq_headers_free(h);
}

/* ---- limits, on inputs built in memory ---- */

/* n copies of line (with its newline) after prefix, then "\n". */
static char *
repeat(const char *prefix, const char *line, size_t n, size_t *len)
{
    size_t pl = strlen(prefix), ll = strlen(line), off = pl;
    char *buf = malloc(pl + ll * n + 2);

    if (buf == NULL)
        return NULL;
    memcpy(buf, prefix, pl);
    for (size_t i = 0; i < n; i++, off += ll)
        memcpy(buf + off, line, ll);
    buf[off++] = '\n';
    *len = off;
    return buf;
}

static size_t
count_named(const sq_headers *h, const char *name)
{
    size_t n = 0;

    for (size_t i = sq_headers_find(h, name, 0); i != (size_t)-1;
         i = sq_headers_find(h, name, i + 1))
        n++;
    return n;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_limit_received(void)
{
    size_t len;
    char *buf = repeat("Subject: hops\n",
                       "Received: from a.example by b.example; "
                       "Mon, 1 Jan 2024 00:00:00 +0000\n",
                       100000, &len);
    sq_headers *h = NULL;
    double t0 = now();

    if (buf == NULL)
        return;
    SQ_CHECK(sq_headers_parse(buf, len, NULL, &h) == SQ_OK, "received: parse");
    if (h != NULL) {
        SQ_CHECK(sq_headers_status(h) == SQ_ELIMIT_RECEIVED,
                 "100,000 Received: status %s",
                 sq_strerror(sq_headers_status(h)));
        SQ_CHECK(count_named(h, "Received") == SQ_MAIL_DEF_MAX_RECEIVED,
                 "100,000 Received: kept %zu", count_named(h, "Received"));
        SQ_CHECK(sq_headers_count(h) == SQ_MAIL_DEF_MAX_RECEIVED + 1,
                 "100,000 Received: count %zu", sq_headers_count(h));
        SQ_CHECK(!sq_headers_truncated(h), "100,000 Received: not truncated");
    }
    printf("100,000 Received headers: %.1f ms\n", (now() - t0) * 1e3);
    sq_headers_free(h);
    free(buf);
}

static void
test_limit_count(void)
{
    size_t len;
    char *buf = repeat("", "X: y\n", SQ_MAIL_DEF_MAX_HEADERS + 1, &len);
    sq_headers *h = NULL;

    if (buf == NULL)
        return;
    SQ_CHECK(sq_headers_parse(buf, len, NULL, &h) == SQ_OK, "count: parse");
    if (h != NULL) {
        SQ_CHECK(sq_headers_status(h) == SQ_ELIMIT_HDRCOUNT,
                 "10,001 headers: status %s",
                 sq_strerror(sq_headers_status(h)));
        SQ_CHECK(sq_headers_count(h) == SQ_MAIL_DEF_MAX_HEADERS,
                 "10,001 headers: kept %zu", sq_headers_count(h));
    }
    sq_headers_free(h);
    free(buf);
    /* Exactly the limit is fine. */
    buf = repeat("", "X: y\n", SQ_MAIL_DEF_MAX_HEADERS, &len);
    h = NULL;
    if (buf == NULL)
        return;
    SQ_CHECK(sq_headers_parse(buf, len, NULL, &h) == SQ_OK, "count: parse");
    SQ_CHECK(h != NULL && sq_headers_status(h) == SQ_OK &&
                 sq_headers_count(h) == SQ_MAIL_DEF_MAX_HEADERS,
             "10,000 headers are within the limit");
    sq_headers_free(h);
    free(buf);
}

static void
test_limit_bytes(void)
{
    char line[400];
    size_t len, want = SQ_MAIL_DEF_MAX_HEADER_BYTES / sizeof(line);
    char *buf;
    sq_headers *h = NULL;

    memset(line, 'v', sizeof(line));
    memcpy(line, "X-Pad: ", 7);
    line[sizeof(line) - 1] = '\0';
    line[sizeof(line) - 2] = '\n'; /* 399 bytes with the newline */
    want = SQ_MAIL_DEF_MAX_HEADER_BYTES / (sizeof(line) - 1);
    buf = repeat("", line, 6000, &len); /* about 2.3 MB */
    if (buf == NULL)
        return;
    SQ_CHECK(sq_headers_parse(buf, len, NULL, &h) == SQ_OK, "bytes: parse");
    if (h != NULL) {
        SQ_CHECK(sq_headers_status(h) == SQ_ELIMIT_HDRBYTES,
                 "2 MB header block: status %s",
                 sq_strerror(sq_headers_status(h)));
        SQ_CHECK(sq_headers_count(h) == want, "2 MB header block: kept %zu",
                 sq_headers_count(h));
        SQ_CHECK(sq_headers_end_offset(h) <= SQ_MAIL_DEF_MAX_HEADER_BYTES,
                 "2 MB header block: stopped at %zu", sq_headers_end_offset(h));
    }
    sq_headers_free(h);
    free(buf);
}

static void
test_limit_line(void)
{
    const size_t big = (size_t)100 * 1024 * 1024;
    char *buf = malloc(big);
    sq_headers *h = NULL;
    double t0 = now();

    if (buf == NULL)
        return;
    /* 100 MB without a newline or a colon: junk, not a header. */
    memset(buf, 'x', big);
    SQ_CHECK(sq_headers_parse(buf, big, NULL, &h) == SQ_EBINARY && h == NULL,
             "100 MB of name characters without a colon is binary");
    /* One 100 MB header line with no newline at all. */
    memcpy(buf, "Subject: ", 9);
    SQ_CHECK(sq_headers_parse(buf, big, NULL, &h) == SQ_OK, "line: parse");
    SQ_CHECK(h != NULL && sq_headers_status(h) == SQ_ELIMIT_LINE &&
                 sq_headers_count(h) == 0,
             "100 MB first line: line limit, nothing kept");
    sq_headers_free(h);
    /* A good header, then the long line. */
    memcpy(buf, "A: 1\nSubject: ", 14);
    h = NULL;
    SQ_CHECK(sq_headers_parse(buf, big, NULL, &h) == SQ_OK, "line: parse");
    SQ_CHECK(h != NULL && sq_headers_status(h) == SQ_ELIMIT_LINE &&
                 sq_headers_count(h) == 1,
             "100 MB second line: line limit, first header kept");
    sq_headers_free(h);
    /* A long continuation line: the field keeps its complete lines. */
    memcpy(buf, "A: 1\n  ", 7);
    buf[big - 1] = '\n';
    h = NULL;
    SQ_CHECK(sq_headers_parse(buf, big, NULL, &h) == SQ_OK, "line: parse");
    SQ_CHECK(h != NULL && sq_headers_status(h) == SQ_ELIMIT_LINE &&
                 sq_headers_count(h) == 1,
             "100 MB continuation: line limit, field kept");
    SQ_CHECK_STR(h != NULL ? sq_headers_value(h, 0, NULL) : NULL, "1",
                 "100 MB continuation: value of complete lines");
    sq_headers_free(h);
    printf("100 MB lines: %.1f ms\n", (now() - t0) * 1e3);
    free(buf);
}

/* The same limits read from a config. */
static void
test_limits_from_config(void)
{
    sq_config *cfg = NULL;
    sq_headers *h = NULL;
    size_t len;
    char *buf;

    if (sq_config_new(&cfg) != SQ_OK) {
        SQ_CHECK(0, "config: new");
        return;
    }
    SQ_CHECK(sq_config_set(cfg, "max_headers", "16", NULL) == SQ_OK &&
                 sq_config_set(cfg, "max_received", "3", NULL) == SQ_OK &&
                 sq_config_set(cfg, "max_line_length", "256", NULL) == SQ_OK,
             "config: set limits");
    buf = repeat("", "X: y\n", 17, &len);
    if (buf != NULL && sq_headers_parse(buf, len, cfg, &h) == SQ_OK) {
        SQ_CHECK(sq_headers_status(h) == SQ_ELIMIT_HDRCOUNT &&
                     sq_headers_count(h) == 16,
                 "config max_headers=16: kept %zu", sq_headers_count(h));
        sq_headers_free(h);
    }
    free(buf);
    buf = repeat("", "Received: x\n", 4, &len);
    if (buf != NULL && sq_headers_parse(buf, len, cfg, &h) == SQ_OK) {
        SQ_CHECK(sq_headers_status(h) == SQ_ELIMIT_RECEIVED &&
                     sq_headers_count(h) == 3,
                 "config max_received=3: kept %zu", sq_headers_count(h));
        sq_headers_free(h);
    }
    free(buf);
    buf = repeat("A: 1\nB: ", "0123456789", 26, &len); /* 263-byte line */
    if (buf != NULL && sq_headers_parse(buf, len, cfg, &h) == SQ_OK) {
        SQ_CHECK(sq_headers_status(h) == SQ_ELIMIT_LINE &&
                     sq_headers_count(h) == 1,
                 "config max_line_length=256: status %s",
                 sq_strerror(sq_headers_status(h)));
        sq_headers_free(h);
    }
    free(buf);
    sq_config_free(cfg);
}

/* Random input never crashes; a first byte that cannot start a field
 * or a blank line always means binary. */
static void
test_random_bytes(void)
{
    unsigned char buf[512];
    uint32_t x = 2463534242u;
    int binary_ok = 1, invariants_ok = 1;

    for (int round = 0; round < 2000; round++) {
        sq_headers *h = NULL;
        size_t len = 1 + (size_t)(round % (int)sizeof(buf));
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            buf[i] = (unsigned char)(round & 1 ? x : (x & 0x3f) + 32);
        }
        if (round % 4 == 0)
            buf[0] = (unsigned char)(0x80 | (x & 0x7f));
        sq_status st = sq_headers_parse((const char *)buf, len, NULL, &h);
        if (round % 4 == 0 && st != SQ_EBINARY)
            binary_ok = 0;
        for (size_t i = 0; h != NULL && i < sq_headers_count(h); i++) {
            size_t vl, nl;
            const char *v = sq_headers_value(h, i, &vl);
            const char *n = sq_headers_name(h, i, &nl);
            if (strlen(v) != vl || strlen(n) != nl || nl == 0)
                invariants_ok = 0;
        }
        sq_headers_free(h);
    }
    SQ_CHECK(binary_ok, "random bytes with a high first byte are binary");
    SQ_CHECK(invariants_ok, "random bytes: names/values NUL-free, lengths ok");
}

/* ---- corpora ---- */

/* Lines starting "Received:" in [p, p+n): the labels count them over
 * the whole file, body included. */
static size_t
count_received_lines(const char *p, size_t n, int at_line_start)
{
    size_t count = 0;

    for (size_t i = 0; i + 9 <= n; i++)
        if ((i == 0 ? at_line_start : p[i - 1] == '\n') &&
            memcmp(p + i, "Received:", 9) == 0)
            count++;
    return count;
}

/* Files whose labelled count includes Received lines outside the top
 * header block: nice/005 has a blank line inside its header (so the
 * block, for SpamAssassin too, ends there) and nice/mime9 forwards
 * message/rfc822 parts. */
static int
has_body_received(const char *file)
{
    return strcmp(file, "messages/nice/005") == 0 ||
           strcmp(file, "messages/nice/mime9") == 0;
}

static void
check_sa_message(const char *dir, const char *file, size_t want)
{
    char path[4096];
    size_t len = 0, got, body;
    char *buf;
    sq_headers *h = NULL;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    buf = sqtest_slurp(path, &len);
    SQ_CHECK(buf != NULL, "%s: readable", file);
    if (buf == NULL)
        return;
    SQ_CHECK(sq_headers_parse(buf, len, NULL, &h) == SQ_OK, "%s: parse", file);
    if (h != NULL) {
        size_t end = sq_headers_end_offset(h);
        got = count_named(h, "Received");
        body = count_received_lines(buf + end, len - end,
                                    end == 0 || buf[end - 1] == '\n');
        SQ_CHECK(sq_headers_status(h) == SQ_OK, "%s: status %s", file,
                 sq_strerror(sq_headers_status(h)));
        SQ_CHECK(got + body == want,
                 "%s: %zu Received in the header + %zu after it, label %zu",
                 file, got, body, want);
        SQ_CHECK((body > 0) == has_body_received(file),
                 "%s: %zu Received lines after the header block", file, body);
    }
    sq_headers_free(h);
    free(buf);
}

static int
test_sa_corpus(void)
{
    char path[4096];
    int n = 0;

    if (sqtest_corpus("received/spamassassin/messages_labels.jsonl", path,
                      sizeof(path)) == NULL)
        return -1;
    FILE *f = fopen(path, "r");
    char line[65536];
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        json_t *j = json_loads(line, 0, NULL);
        json_t *file = json_object_get(j, "file");
        json_t *num = json_object_get(j, "num_received_headers");
        SQ_CHECK(json_is_string(file) && json_is_integer(num),
                 "sa labels: bad line");
        if (json_is_string(file) && json_is_integer(num)) {
            check_sa_message(SQ_CORPORA_DIR "/received/spamassassin",
                             json_string_value(file),
                             (size_t)json_integer_value(num));
            n++;
        }
        json_decref(j);
    }
    if (f != NULL)
        fclose(f);
    SQ_CHECK(n == 90, "sa corpus: %d messages, want 90", n);
    return n;
}

/* The labelled external relay's IP (and hostname when given) appear in
 * one Received header of the message. */
static void
check_rspamd_message(const char *file, const char *ip, const char *host)
{
    char path[4096];
    size_t len = 0, i, found = 0;
    char *buf;
    sq_headers *h = NULL;

    snprintf(path, sizeof(path), "%s/received/rspamd/%s", SQ_CORPORA_DIR, file);
    buf = sqtest_slurp(path, &len);
    SQ_CHECK(buf != NULL, "%s: readable", file);
    if (buf == NULL)
        return;
    SQ_CHECK(sq_headers_parse(buf, len, NULL, &h) == SQ_OK, "%s: parse", file);
    for (i = sq_headers_find(h, "Received", 0); h != NULL && i != (size_t)-1;
         i = sq_headers_find(h, "Received", i + 1)) {
        const char *v = sq_headers_value(h, i, NULL);
        if (strstr(v, ip) != NULL && (host == NULL || strstr(v, host)))
            found++;
    }
    SQ_CHECK(h != NULL && sq_headers_status(h) == SQ_OK &&
                 !sq_headers_truncated(h),
             "%s: clean header block", file);
    SQ_CHECK(found >= 1, "%s: relay %s %s in a Received header", file, ip,
             host ? host : "");
    sq_headers_free(h);
    free(buf);
}

static int
test_rspamd_corpus(void)
{
    char path[4096], line[65536];
    int n = 0;
    FILE *f;

    if (sqtest_corpus("received/rspamd/messages_labels.jsonl", path,
                      sizeof(path)) == NULL)
        return -1;
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        json_t *j = json_loads(line, 0, NULL);
        json_t *relay = json_object_get(j, "expect_external_relay");
        const char *file = json_string_value(json_object_get(j, "file"));
        const char *ip = json_string_value(json_object_get(relay, "ip"));
        const char *host =
            json_string_value(json_object_get(relay, "hostname"));
        SQ_CHECK(file != NULL && ip != NULL, "rspamd labels: bad line");
        if (file != NULL && ip != NULL) {
            check_rspamd_message(file, ip, host);
            n++;
        }
        json_decref(j);
    }
    if (f != NULL)
        fclose(f);
    SQ_CHECK(n >= 6, "rspamd corpus: %d messages", n);
    return n;
}

int
main(void)
{
    int sa, rs;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
    test_find();
    test_limit_received();
    test_limit_count();
    test_limit_bytes();
    test_limit_line();
    test_limits_from_config();
    test_random_bytes();
    sa = test_sa_corpus();
    rs = test_rspamd_corpus();
    printf("corpus messages: spamassassin %d, rspamd %d\n", sa, rs);
    if (sa < 0 && rs < 0 && sqtest_failures == 0) {
        printf("headers_test: corpora absent under %s, skipping\n",
               SQ_CORPORA_DIR);
        return SQTEST_SKIP;
    }
    return sqtest_finish("headers_test");
}

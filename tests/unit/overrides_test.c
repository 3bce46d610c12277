/*
 * overrides_test.c - the overrides file: syntax, most-specific match,
 * "none", every bad line reported as file:line, the default path and
 * the refusal of world-writable files.
 */
#include "whois/whois_int.h"

#include "sqtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char good[] =
    "# overrides for the test\n"
    "\n"
    "192.0.2.0/24     abuse@Example.NET   upstream desk\n"
    "192.0.2.128/25   noc@example.org     # the more specific half\n"
    "192.0.2.7        none                lab host, do not report\n"
    "0.0.0.0/0        catchall@example.com\n"
    "2001:db8::/32    v6@example.net\n"
    "2001:db8:1::/48  NONE\n"
    "  AS64500        as@example.net      transit\r\n"
    "as4200000000     big@example.net\n";

static void
expect_ip(const wo_overrides *o, const char *ip, const char *email,
          const char *note)
{
    sq_ipaddr a;
    const char *e = NULL, *n = NULL;
    int r;

    SQ_CHECK(sq_ipaddr_parse(ip, strlen(ip), &a), "parse %s", ip);
    r = wo_match_ip(o, &a, &e, &n);
    if (email == NULL) {
        SQ_CHECK(r == 0, "%s should not match (got %s)", ip, e ? e : "");
        return;
    }
    SQ_CHECK(r == 1, "%s should match", ip);
    if (r == 1) {
        SQ_CHECK_STR(e, email, "email for %s", ip);
        if (note)
            SQ_CHECK_STR(n, note, "note for %s", ip);
    }
}

static void
test_good(void)
{
    wo_overrides *o = NULL;
    sq_diag *d = sq_diag_new();
    const char *e = NULL, *n = NULL;

    SQ_CHECK(wo_load_buffer("t.conf", good, strlen(good), &o, d) == SQ_OK,
             "good file loads: %s",
             sq_diag_message(d, 0) ? sq_diag_message(d, 0) : "");
    if (o == NULL)
        goto out;
    expect_ip(o, "192.0.2.1", "abuse@example.net", "upstream desk");
    expect_ip(o, "192.0.2.200", "noc@example.org", "the more specific half");
    expect_ip(o, "192.0.2.7", "", "lab host, do not report");
    expect_ip(o, "198.51.100.1", "catchall@example.com", "");
    expect_ip(o, "2001:db8::5", "v6@example.net", "");
    expect_ip(o, "2001:db8:1::5", "", "");
    expect_ip(o, "2001:db9::1", NULL, NULL);
    expect_ip(o, "::ffff:192.0.2.130", "noc@example.org", NULL);
    SQ_CHECK(wo_match_asn(o, 64500, &e, &n) == 1 &&
                 strcmp(e, "as@example.net") == 0 && strcmp(n, "transit") == 0,
             "AS64500 (CRLF line, leading blanks)");
    SQ_CHECK(wo_match_asn(o, 4200000000UL, &e, NULL) == 1 &&
                 strcmp(e, "big@example.net") == 0,
             "32-bit AS");
    SQ_CHECK(wo_match_asn(o, 64501, &e, &n) == 0, "AS64501 absent");
    SQ_CHECK(wo_match_ip(NULL, NULL, NULL, NULL) == 0, "NULL overrides");
    SQ_CHECK(wo_match_asn(NULL, 1, NULL, NULL) == 0, "NULL overrides AS");
out:
    wo_free(o);
    sq_diag_free(d);
}

static const char bad[] =
    "192.0.2.0/24 abuse@example.net\n"       /* 1 ok */
    "192.0.2.1/24 abuse@example.net\n"       /* 2 host bits */
    "192.0.2.0/33 abuse@example.net\n"       /* 3 bad length */
    "not-a-net abuse@example.net\n"          /* 4 bad key */
    "192.0.2.0/25\n"                         /* 5 no contact */
    "198.51.100.0/24 abuse-at-example.net\n" /* 6 not an address */
    "198.51.100.0/25 abuse@localhost\n"      /* 7 no dot in domain */
    "AS0 none\n"                             /* 8 AS0 */
    "AS99999999999 none\n"                   /* 9 too big */
    "192.0.2.0/24 other@example.net\n"       /* 10 duplicate of 1 */
    "# fine\n"                               /* 11 */
    "AS64500 a@b.example\n"                  /* 12 ok */
    "as64500 none\n"                         /* 13 duplicate of 12 */
    "2001:db8::/32 a\"b@example.net\n";      /* 14 bad character */

static void
test_bad(void)
{
    static const char *const want[] = {
        "b.conf:2: host bits set after the prefix length",
        "b.conf:3: bad prefix length",
        "b.conf:4: expected an IP address, a prefix or an AS number",
        "b.conf:5: expected <network> <e-mail|none> [note]",
        "b.conf:6: expected an e-mail address or \"none\"",
        "b.conf:7: e-mail domain needs a dot",
        "b.conf:8: bad AS number (AS1 to AS4294967295)",
        "b.conf:9: bad AS number (AS1 to AS4294967295)",
        "b.conf:14: character not allowed in an e-mail address",
        "b.conf:13: same network as line 12",
        "b.conf:10: same network as line 1",
    };
    wo_overrides *o = (wo_overrides *)&o;
    sq_diag *d = sq_diag_new();

    SQ_CHECK(wo_load_buffer("b.conf", bad, strlen(bad), &o, d) == SQ_ECONFIG,
             "bad file refused");
    SQ_CHECK(o == (wo_overrides *)&o, "out untouched on failure");
    SQ_CHECK(sq_diag_count(d) == sizeof want / sizeof want[0],
             "all %zu bad lines reported, got %zu",
             sizeof want / sizeof want[0], sq_diag_count(d));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int found = 0;

        for (size_t k = 0; k < sq_diag_count(d); k++)
            found |= strcmp(sq_diag_message(d, k), want[i]) == 0;
        SQ_CHECK(found, "message '%s'", want[i]);
    }
    sq_diag_free(d);
}

static void
test_limits(void)
{
    wo_overrides *o = NULL;
    sq_diag *d = sq_diag_new();
    char *big = malloc(5000);
    static const char nul[] = "192.0.2.0/24 a@b.example\n10.0.0.0/8 \0x@y.z\n";

    memset(big, 'a', 4999);
    big[4999] = '\n';
    SQ_CHECK(wo_load_buffer("l.conf", big, 5000, &o, d) == SQ_ECONFIG &&
                 strcmp(sq_diag_message(d, 0),
                        "l.conf:1: line longer than 4096 bytes") == 0,
             "long line");
    sq_diag_clear(d);
    SQ_CHECK(
        wo_load_buffer("n.conf", nul, sizeof nul - 1, &o, d) == SQ_ECONFIG &&
            strcmp(sq_diag_message(d, 0), "n.conf:2: NUL byte in line") == 0,
        "NUL byte");
    SQ_CHECK(wo_load_buffer("e.conf", "", 0, &o, d) == SQ_OK && o != NULL &&
                 !wo_match_asn(o, 1, NULL, NULL),
             "empty file");
    wo_free(o);
    free(big);
    sq_diag_free(d);
}

static int
write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return 0;
    fputs(text, f);
    fclose(f);
    return chmod(path, mode) == 0;
}

static void
test_files(void)
{
    char dir[] = "/tmp/sq-overrides-XXXXXX", path[256], sub[256];
    wo_overrides *o = NULL;
    sq_diag *d = sq_diag_new();
    const char *e = NULL;

    if (mkdtemp(dir) == NULL) {
        SQ_CHECK(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/ov", dir);
    SQ_CHECK(write_file(path, "AS64500 a@b.example\n", 0644), "write");
    SQ_CHECK(wo_load(path, &o, d) == SQ_OK &&
                 wo_match_asn(o, 64500, &e, NULL) == 1,
             "explicit path loads");
    wo_free(o);
    o = NULL;
    chmod(path, 0666);
    SQ_CHECK(wo_load(path, &o, d) == SQ_ECONFIG && o == NULL,
             "world-writable refused");
    snprintf(path, sizeof path, "%s/missing", dir);
    sq_diag_clear(d);
    SQ_CHECK(wo_load(path, &o, d) == SQ_EIO && sq_diag_count(d) == 1,
             "explicit missing file is an error");

    /* Default path: $XDG_CONFIG_HOME/squeaky/overrides; missing is fine. */
    setenv("XDG_CONFIG_HOME", dir, 1);
    SQ_CHECK(wo_load(NULL, &o, d) == SQ_OK && o != NULL &&
                 !wo_match_asn(o, 64500, NULL, NULL),
             "missing default file: no overrides");
    wo_free(o);
    o = NULL;
    snprintf(sub, sizeof sub, "%s/squeaky", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/squeaky/overrides", dir);
    SQ_CHECK(write_file(path, "198.51.100.0/24 none quiet\n", 0600), "write");
    {
        sq_ipaddr a;
        const char *n = NULL;

        sq_ipaddr_parse("198.51.100.9", 12, &a);
        SQ_CHECK(wo_load(NULL, &o, d) == SQ_OK &&
                     wo_match_ip(o, &a, &e, &n) == 1 && *e == '\0' &&
                     strcmp(n, "quiet") == 0,
                 "default file read");
        wo_free(o);
        o = NULL;
    }
    SQ_CHECK(write_file(path, "bad line here\n", 0600), "write");
    sq_diag_clear(d);
    SQ_CHECK(wo_load(NULL, &o, d) == SQ_ECONFIG && sq_diag_count(d) == 1 &&
                 strstr(sq_diag_message(d, 0), "/squeaky/overrides:1: ") !=
                     NULL,
             "errors name the default file: %s",
             sq_diag_message(d, 0) ? sq_diag_message(d, 0) : "");
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    unsetenv("XDG_CONFIG_HOME");
    sq_diag_free(d);
}

int
main(void)
{
    test_good();
    test_bad();
    test_limits();
    test_files();
    return sqtest_finish("overrides_test");
}

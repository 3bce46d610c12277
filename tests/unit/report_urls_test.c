/*
 * report_urls_test.c - URL and domain extraction: tests/data/report/
 * secrets.eml (base64 text, QP HTML with href/src, IDN host, IPv6
 * literal, &amp;), small inline cases (prose punctuation, userinfo,
 * no MIME at all), the SQ_URLS_MAX bound, and the SpamAssassin
 * phishing sample of the shared corpus.
 */
#include "sqtest.h"

#include <squeaky/report.h>

#include <glib.h>

#include <stdlib.h>
#include <string.h>

typedef struct want_url {
    const char *url, *host, *domain;
} want_url;

static void
expect(const char *name, const char *msg, size_t len, const want_url *w,
       size_t n)
{
    sq_urlset *u = NULL;

    SQ_CHECK(sq_urls_extract(msg, len, &u) == SQ_OK, "%s: extract", name);
    SQ_CHECK(sq_urlset_count(u) == n, "%s: %zu URLs, want %zu", name,
             sq_urlset_count(u), n);
    for (size_t i = 0; i < n && i < sq_urlset_count(u); i++) {
        SQ_CHECK_STR(sq_urlset_url(u, i), w[i].url, "%s: url %zu", name, i);
        SQ_CHECK_STR(sq_urlset_host(u, i), w[i].host, "%s: host %zu", name, i);
        SQ_CHECK_STR(sq_urlset_domain(u, i), w[i].domain, "%s: domain %zu",
                     name, i);
    }
    SQ_CHECK(sq_urlset_url(u, n) == NULL, "%s: NULL past the end", name);
    sq_urlset_free(u);
}

static void
secrets_eml(void)
{
    static const want_url w[] = {
        {"http://phish.example.net/login?u=victim%40secret.example",
         "phish.example.net", "example.net"},
        {"https://www.b\xc3\xbc"
         "cher.example/shop",
         "www.xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"http://[2001:db8::5]/x", "2001:db8::5", ""},
        {"http://phish.example.net/login?a=1&u=victim@secret.example",
         "phish.example.net", "example.net"},
        {"https://cdn.tracker.example.co.uk/p.gif", "cdn.tracker.example.co.uk",
         "example.co.uk"},
    };
    char path[1024];
    size_t len = 0;
    char *msg;

    snprintf(path, sizeof(path), "%s/report/secrets.eml", SQ_TEST_DATA_DIR);
    msg = sqtest_slurp(path, &len);
    SQ_CHECK(msg != NULL, "read %s", path);
    if (msg != NULL)
        expect("secrets.eml", msg, len, w, 5);
    free(msg);
}

static void
inline_cases(void)
{
    static const char prose[] =
        "Subject: x\n\nSee (https://Example.ORG/a?b=1). Or "
        "HTTP://user:pw@198.51.100.9:8080/p, ftp://files.example.com/x.zip!\n"
        "http:// and http://-bad/ and https://nodot/ are not URLs.\n"
        "Again: https://Example.ORG/a?b=1\n";
    static const want_url w[] = {
        {"https://Example.ORG/a?b=1", "example.org", "example.org"},
        {"HTTP://user:pw@198.51.100.9:8080/p", "198.51.100.9", ""},
        {"ftp://files.example.com/x.zip", "files.example.com", "example.com"},
    };
    static const char not_mime[] = "no header here http://a.example.com/";
    static const want_url w2[] = {
        {"http://a.example.com/", "a.example.com", "example.com"}};

    expect("prose", prose, sizeof(prose) - 1, w, 3);
    expect("not MIME", not_mime, sizeof(not_mime) - 1, w2, 1);
    expect("empty", "", 0, NULL, 0);
}

static void
bound(void)
{
    GString *g = g_string_new("Subject: many\n\n");
    sq_urlset *u = NULL;

    for (int i = 0; i < SQ_URLS_MAX + 50; i++)
        g_string_append_printf(g, "http://h%d.example.com/\n", i);
    sq_urls_extract(g->str, g->len, &u);
    SQ_CHECK(sq_urlset_count(u) == SQ_URLS_MAX, "capped at %d, got %zu",
             SQ_URLS_MAX, sq_urlset_count(u));
    sq_urlset_free(u);
    g_string_free(g, TRUE);
}

static void
corpus(void)
{
    char buf[1024];
    const char *path = sqtest_corpus(
        "received/spamassassin/messages/spam/phishing_openphish.eml", buf,
        sizeof(buf));
    size_t len = 0;
    char *msg;
    sq_urlset *u = NULL;
    int found = 0;

    if (path == NULL) {
        printf("report_urls_test: shared corpus absent, corpus case skipped\n");
        return;
    }
    msg = sqtest_slurp(path, &len);
    sq_urls_extract(msg, len, &u);
    for (size_t i = 0; i < sq_urlset_count(u); i++)
        found |= strcmp(sq_urlset_host(u, i), "ehawkerbd.com") == 0;
    SQ_CHECK(found,
             "phishing_openphish.eml: the openphish host (ehawkerbd.com)");
    sq_urlset_free(u);
    free(msg);
}

int
main(void)
{
    secrets_eml();
    inline_cases();
    bound();
    corpus();
    return sqtest_finish("report_urls_test");
}

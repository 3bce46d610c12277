/*
 * report_urls_fuzz.c - libFuzzer target for the URL extractor.
 *
 * Owner: report.  Extracts URLs from arbitrary bytes (parsed as MIME by
 * GMime) and checks the documented invariants: at most SQ_URLS_MAX
 * URLs, each no longer than SQ_URLS_MAX_LEN with a scheme, a non-empty
 * lower-case host, a domain that is "" or a suffix of the host, and no
 * URL twice.
 */
#include <squeaky/report.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_one(const sq_urlset *u, size_t i)
{
    const char *url = sq_urlset_url(u, i), *host = sq_urlset_host(u, i);
    const char *dom = sq_urlset_domain(u, i);
    size_t hl = strlen(host), dl = strlen(dom);

    if (strlen(url) > SQ_URLS_MAX_LEN || strstr(url, "://") == NULL ||
        hl == 0 || dl > hl || (dl > 0 && strcmp(host + hl - dl, dom) != 0))
        abort();
    for (const char *p = host; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            abort();
    for (size_t j = 0; j < i; j++)
        if (strcmp(sq_urlset_url(u, j), url) == 0)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_urlset *u = NULL;
    size_t n;

    if (sq_urls_extract((const char *)data, size, &u) != SQ_OK)
        abort(); /* never fails on bad input */
    n = sq_urlset_count(u);
    if (n > SQ_URLS_MAX || sq_urlset_url(u, n) != NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        check_one(u, i);
    sq_urlset_free(u);
    return 0;
}

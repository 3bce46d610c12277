/*
 * http.c - HTTP GET for RDAP (libcurl easy API).
 *
 * One easy handle per call: nothing is shared between threads but the
 * curl global state, initialised once.  Only http and https are spoken,
 * also after a redirect; redirects are followed up to max_redirects.
 * The body is never held beyond lim->max_bytes: a larger answer (by its
 * Content-Length or by what arrives) ends the transfer with
 * SQ_ELIMIT_RESPONSE.  Retry-After (seconds or an HTTP-date) of the
 * last response is reported for 429/503 handling.
 */
#include "whois/whois_int.h"

#include <curl/curl.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    HTTP_RETRY_AFTER_MAX = 7 * 86400, /* a longer wait is taken as this */
    HTTP_FIRST_CHUNK = 16384
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_init_rc = CURLE_FAILED_INIT;

static void
http_global_init(void)
{
    http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct http_state {
    char *data;
    size_t len, cap, max;
    int over;         /* the body passed max */
    long retry_after; /* of the latest response's headers */
} http_state;

void
wn_buf_free(wn_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

static size_t
http_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    http_state *st = userdata;
    size_t n = size * nmemb, need;

    if (n > st->max - st->len) { /* len <= max always holds */
        st->over = 1;
        return 0; /* abort the transfer */
    }
    need = st->len + n + 1;
    if (need > st->cap) {
        size_t cap = st->cap ? st->cap : HTTP_FIRST_CHUNK;
        char *p;

        while (cap < need)
            cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
        if (cap > st->max + 1)
            cap = st->max + 1;
        p = realloc(st->data, cap);
        if (p == NULL)
            return 0;
        st->data = p;
        st->cap = cap;
    }
    memcpy(st->data + st->len, ptr, n);
    st->len += n;
    st->data[st->len] = '\0';
    return n;
}

/* Retry-After: delta-seconds or an HTTP-date (RFC 9110 10.2.3). */
static long
http_retry_after(const char *v, size_t n)
{
    char buf[64];
    long long secs = 0;
    size_t i = 0;
    time_t t;

    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
                     v[n - 1] == '\n'))
        n--;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    v += i;
    n -= i;
    if (n == 0 || n >= sizeof(buf))
        return 0;
    if (v[0] >= '0' && v[0] <= '9') {
        for (i = 0; i < n; i++) {
            if (v[i] < '0' || v[i] > '9')
                return 0;
            if (secs < HTTP_RETRY_AFTER_MAX)
                secs = secs * 10 + (v[i] - '0');
        }
    } else {
        memcpy(buf, v, n);
        buf[n] = '\0';
        t = curl_getdate(buf, NULL);
        if (t == (time_t)-1)
            return 0;
        secs = (long long)t - (long long)time(NULL);
        if (secs < 0)
            secs = 0;
    }
    return secs > HTTP_RETRY_AFTER_MAX ? HTTP_RETRY_AFTER_MAX : (long)secs;
}

static size_t
http_header(char *ptr, size_t size, size_t nitems, void *userdata)
{
    http_state *st = userdata;
    size_t n = size * nitems;
    static const char name[] = "retry-after:";

    /* A status line starts the headers of the next response. */
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0)
        st->retry_after = 0;
    else if (n > sizeof(name) - 1 && sq_strncaseeq(ptr, sizeof(name) - 1, name))
        st->retry_after =
            http_retry_after(ptr + sizeof(name) - 1, n - (sizeof(name) - 1));
    return n;
}

/* The host of url for messages, printable and bounded. */
static void
http_host(const char *url, char out[SQ_SHOW_MAX + 4])
{
    CURLU *u = curl_url();
    char *host = NULL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        sq_str_show(host, strlen(host), out);
    else
        sq_str_show(url, strlen(url), out);
    curl_free(host);
    curl_url_cleanup(u);
}

static sq_status
http_setup(CURL *h, const char *url, const wn_limits *lim, http_state *st,
           struct curl_slist *hdrs, char *ua, sq_diag *d)
{
    CURLcode rc = CURLE_OK;
    long tmo = lim->timeout_ms > 0 ? lim->timeout_ms : 30000;

#define SETOPT(o, v)                                                           \
    do {                                                                       \
        if (rc == CURLE_OK)                                                    \
            rc = curl_easy_setopt(h, o, v);                                    \
    } while (0)
    SETOPT(CURLOPT_URL, url);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_FOLLOWLOCATION, lim->max_redirects > 0 ? 1L : 0L);
    SETOPT(CURLOPT_MAXREDIRS,
           (long)(lim->max_redirects > 0 ? lim->max_redirects : 0));
    SETOPT(CURLOPT_TIMEOUT_MS, tmo);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, tmo);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_HTTPHEADER, hdrs);
    SETOPT(CURLOPT_USERAGENT, ua);
    if (lim->max_bytes <= (size_t)INT64_MAX) /* else: no early refusal */
        SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_bytes);
    SETOPT(CURLOPT_WRITEFUNCTION, http_write);
    SETOPT(CURLOPT_WRITEDATA, st);
    SETOPT(CURLOPT_HEADERFUNCTION, http_header);
    SETOPT(CURLOPT_HEADERDATA, st);
#undef SETOPT
    if (rc == CURLE_OK)
        return SQ_OK;
    if (rc == CURLE_OUT_OF_MEMORY)
        return SQ_ENOMEM;
    sq_diag_addf(d, NULL, 0, "libcurl refused an option: %s",
                 curl_easy_strerror(rc));
    return SQ_ENET;
}

static sq_status
http_error(CURLcode rc, const http_state *st, const char *url,
           const wn_limits *lim, sq_diag *d)
{
    char host[SQ_SHOW_MAX + 4];

    http_host(url, host);
    if (st->over || rc == CURLE_FILESIZE_EXCEEDED) {
        sq_diag_addf(d, NULL, 0, "%s: answer larger than %zu bytes", host,
                     lim->max_bytes);
        return SQ_ELIMIT_RESPONSE;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        sq_diag_addf(d, NULL, 0, "%s: no answer within %ld ms", host,
                     lim->timeout_ms);
        return SQ_ETIMEOUT;
    }
    if (rc == CURLE_OUT_OF_MEMORY || (rc == CURLE_WRITE_ERROR && !st->over)) {
        sq_diag_addf(d, NULL, 0, "%s: out of memory reading the answer", host);
        return SQ_ENOMEM;
    }
    sq_diag_addf(d, NULL, 0, "%s: %s", host, curl_easy_strerror(rc));
    return SQ_ENET;
}

sq_status
wn_http_get(const char *url, const wn_limits *lim, long *status,
            long *retry_after, wn_buf *body, sq_diag *d)
{
    http_state st;
    struct curl_slist *hdrs = NULL;
    char ua[64];
    CURL *h = NULL;
    CURLcode rc;
    long code = 0;
    sq_status ret;

    if (url == NULL || lim == NULL || body == NULL)
        return SQ_EINVAL;
    pthread_once(&http_once, http_global_init);
    if (http_init_rc != CURLE_OK) {
        sq_diag_addf(d, NULL, 0, "libcurl could not be initialised");
        return SQ_ENET;
    }
    memset(&st, 0, sizeof(st));
    st.max = lim->max_bytes;
    snprintf(ua, sizeof(ua), "squeaky/%s", sq_version());
    hdrs = curl_slist_append(NULL, "Accept: application/rdap+json");
    h = curl_easy_init();
    ret = hdrs == NULL || h == NULL ? SQ_ENOMEM
                                    : http_setup(h, url, lim, &st, hdrs, ua, d);
    if (ret != SQ_OK)
        goto out;
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        ret = http_error(rc, &st, url, lim, d);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (st.data == NULL && (st.data = malloc(1)) == NULL) {
        ret = SQ_ENOMEM;
        goto out;
    }
    st.data[st.len] = '\0';
    body->data = st.data;
    body->len = st.len;
    st.data = NULL;
    if (status != NULL)
        *status = code;
    if (retry_after != NULL)
        *retry_after = st.retry_after;
out:
    free(st.data);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    return ret;
}

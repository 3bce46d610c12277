/*
 * dns.c - DNS TXT and address queries (c-ares 1.18).
 *
 * One c-ares channel per wn_dns; a wn_dns is used by one thread at a
 * time (the caller keeps one per thread).  Each call runs its own event
 * loop (ares_getsock + poll) until its queries finish or the call's
 * deadline (timeout_ms) passes, when they are cancelled: a call never
 * waits longer than timeout_ms whatever the server does.  Answers are
 * copied out of the c-ares callback and parsed after the loop, so the
 * caller's callback never runs inside c-ares.
 */
#include "whois/whois_int.h"

#include <ares.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    DNS_CLASS_IN = 1,
    DNS_TYPE_A = 1,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TRIES = 2,
    DNS_TXT_MAX = 65535, /* one record joined: bounded by the message */
    DNS_MAX_ADDRS = 64
};

struct wn_dns {
    ares_channel ch;
    long timeout_ms;
};

static pthread_once_t dns_once = PTHREAD_ONCE_INIT;
static int dns_init_rc = ARES_ENOTINITIALIZED;

static void
dns_global_init(void)
{
    dns_init_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

static long long
dns_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

sq_status
wn_dns_new(const char *servers, long timeout_ms, wn_dns **out, sq_diag *d)
{
    struct ares_options opt;
    wn_dns *r;
    int rc;

    if (out == NULL)
        return SQ_EINVAL;
    pthread_once(&dns_once, dns_global_init);
    if (dns_init_rc != ARES_SUCCESS) {
        sq_diag_addf(d, NULL, 0, "c-ares: %s", ares_strerror(dns_init_rc));
        return SQ_ENET;
    }
    if ((r = calloc(1, sizeof(*r))) == NULL)
        return SQ_ENOMEM;
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    memset(&opt, 0, sizeof(opt));
    opt.timeout =
        (int)(r->timeout_ms / DNS_TRIES > 0 ? r->timeout_ms / DNS_TRIES : 1);
    opt.tries = DNS_TRIES;
    rc = ares_init_options(&r->ch, &opt, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (rc != ARES_SUCCESS) {
        sq_diag_addf(d, NULL, 0, "c-ares: %s", ares_strerror(rc));
        free(r);
        return rc == ARES_ENOMEM ? SQ_ENOMEM : SQ_ENET;
    }
    if (servers != NULL && servers[0] != '\0') {
        rc = ares_set_servers_ports_csv(r->ch, servers);
        if (rc != ARES_SUCCESS) {
            char shown[SQ_SHOW_MAX + 4];

            sq_str_show(servers, strlen(servers), shown);
            sq_diag_addf(d, NULL, 0, "DNS servers '%s': %s", shown,
                         ares_strerror(rc));
            ares_destroy(r->ch);
            free(r);
            return SQ_ECONFIG;
        }
    }
    *out = r;
    return SQ_OK;
}

void
wn_dns_free(wn_dns *r)
{
    if (r == NULL)
        return;
    ares_destroy(r->ch);
    free(r);
}

/* One query's outcome, filled by the c-ares callback. */
typedef struct dns_result {
    int done;
    int status;
    unsigned char *abuf;
    int alen;
} dns_result;

static void
dns_callback(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    dns_result *res = arg;

    (void)timeouts;
    res->done = 1;
    res->status = status;
    if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
        res->abuf = malloc((size_t)alen);
        if (res->abuf == NULL)
            res->status = ARES_ENOMEM;
        else {
            memcpy(res->abuf, abuf, (size_t)alen);
            res->alen = alen;
        }
    }
}

/* The channel's sockets as pollfds; returns how many. */
static int
dns_pollfds(wn_dns *r, struct pollfd *pfd)
{
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    /* The bit tests are spelled out unsigned: c-ares's own macros shift
     * a signed 1 into the sign bit for the last socket. */
    unsigned bits = (unsigned)ares_getsock(r->ch, socks, ARES_GETSOCK_MAXNUM);
    int np = 0;

    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        unsigned rd = 1u << i, wr = 1u << (i + ARES_GETSOCK_MAXNUM);
        short ev =
            (short)((bits & rd ? POLLIN : 0) | (bits & wr ? POLLOUT : 0));

        if (ev == 0)
            continue;
        pfd[np].fd = socks[i];
        pfd[np].events = ev;
        pfd[np].revents = 0;
        np++;
    }
    return np;
}

/* Run the channel until every result is done or the deadline passes
 * (then the queries are cancelled: their status is ARES_ECANCELLED). */
static void
dns_loop(wn_dns *r, dns_result *res, size_t nres)
{
    long long deadline = dns_now_ms() + r->timeout_ms;

    for (;;) {
        struct pollfd pfd[ARES_GETSOCK_MAXNUM];
        struct timeval tv, *tvp, maxtv;
        long long left = deadline - dns_now_ms();
        size_t pending = 0;
        int np, ms, pr;

        for (size_t i = 0; i < nres; i++)
            pending += !res[i].done;
        if (pending == 0)
            return;
        if (left <= 0) {
            ares_cancel(r->ch);
            return;
        }
        np = dns_pollfds(r, pfd);
        maxtv.tv_sec = (time_t)(left / 1000);
        maxtv.tv_usec = (suseconds_t)((left % 1000) * 1000);
        tvp = ares_timeout(r->ch, &maxtv, &tv);
        ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
        pr = poll(pfd, (nfds_t)np, ms);
        if (pr < 0 && errno != EINTR) {
            ares_cancel(r->ch);
            return;
        }
        if (pr <= 0) {
            ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (int i = 0; i < np; i++) {
            short ev = pfd[i].revents;

            if (ev != 0)
                ares_process_fd(r->ch,
                                ev & (POLLIN | POLLERR | POLLHUP)
                                    ? pfd[i].fd
                                    : ARES_SOCKET_BAD,
                                ev & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
        }
    }
}

/* c-ares status → sq_status with a one-line message naming the name. */
static sq_status
dns_status(int status, const char *name, const char *type, long timeout_ms,
           sq_diag *d)
{
    char shown[SQ_SHOW_MAX + 4];

    sq_str_show(name, strlen(name), shown);
    switch (status) {
    case ARES_SUCCESS:
        return SQ_OK;
    case ARES_ENOTFOUND:
        sq_diag_addf(d, NULL, 0, "DNS %s %s: no such name", type, shown);
        return SQ_ENOTFOUND;
    case ARES_ENODATA:
        sq_diag_addf(d, NULL, 0, "DNS %s %s: no record", type, shown);
        return SQ_ENOTFOUND;
    case ARES_ETIMEOUT:
    case ARES_ECANCELLED:
        sq_diag_addf(d, NULL, 0, "DNS %s %s: no answer within %ld ms", type,
                     shown, timeout_ms);
        return SQ_ETIMEOUT;
    case ARES_ENOMEM:
        return SQ_ENOMEM;
    case ARES_EBADNAME:
        sq_diag_addf(d, NULL, 0, "DNS %s %s: bad name", type, shown);
        return SQ_EINVAL;
    default:
        sq_diag_addf(d, NULL, 0, "DNS %s %s: %s", type, shown,
                     ares_strerror(status));
        return SQ_ENET;
    }
}

/* Join the strings of each record (record_start marks a new one) and
 * hand every record to fn. */
static sq_status
dns_txt_records(const dns_result *res,
                void (*fn)(void *arg, const char *txt, size_t n), void *arg,
                const char *name, sq_diag *d)
{
    struct ares_txt_ext *txt = NULL;
    char *rec = NULL;
    size_t len = 0;
    int rc = ares_parse_txt_reply_ext(res->abuf, res->alen, &txt);

    if (rc != ARES_SUCCESS)
        return dns_status(rc, name, "TXT", 0, d);
    if ((rec = malloc(DNS_TXT_MAX + 1)) == NULL) {
        ares_free_data(txt);
        return SQ_ENOMEM;
    }
    for (const struct ares_txt_ext *t = txt; t != NULL; t = t->next) {
        size_t n =
            t->length < DNS_TXT_MAX - len ? t->length : DNS_TXT_MAX - len;

        if (t->record_start && t != txt) {
            rec[len] = '\0';
            if (fn != NULL)
                fn(arg, rec, len);
            len = 0;
            n = t->length < DNS_TXT_MAX ? t->length : DNS_TXT_MAX;
        }
        memcpy(rec + len, t->txt, n);
        len += n;
    }
    if (txt != NULL) {
        rec[len] = '\0';
        if (fn != NULL)
            fn(arg, rec, len);
    }
    free(rec);
    ares_free_data(txt);
    return SQ_OK;
}

sq_status
wn_dns_txt(wn_dns *r, const char *name,
           void (*fn)(void *arg, const char *txt, size_t n), void *arg,
           sq_diag *d)
{
    dns_result res;
    sq_status st;

    if (r == NULL || name == NULL)
        return SQ_EINVAL;
    memset(&res, 0, sizeof(res));
    ares_query(r->ch, name, DNS_CLASS_IN, DNS_TYPE_TXT, dns_callback, &res);
    dns_loop(r, &res, 1);
    if (!res.done) {
        /* cannot happen after ares_cancel; never leave res referenced */
        ares_cancel(r->ch);
    }
    st = dns_status(res.status, name, "TXT", r->timeout_ms, d);
    if (st == SQ_OK)
        st = dns_txt_records(&res, fn, arg, name, d);
    free(res.abuf);
    return st;
}

static void
dns_put_v4(sq_ipaddr *a, const struct in_addr *in)
{
    memset(a, 0, sizeof(*a));
    a->b[10] = 0xff;
    a->b[11] = 0xff;
    memcpy(a->b + 12, &in->s_addr, 4);
    a->v4 = 1;
}

static void
dns_put_v6(sq_ipaddr *a, const struct ares_in6_addr *in)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};

    memset(a, 0, sizeof(*a));
    memcpy(a->b, in->_S6_un._S6_u8, 16);
    a->v4 = memcmp(a->b, mapped, 12) == 0;
}

/* Parse one A or AAAA answer, appending to out[*n..max). */
static void
dns_addrs_of(const dns_result *res, int type, sq_ipaddr *out, size_t max,
             size_t *n)
{
    int naddr = DNS_MAX_ADDRS;

    if (res->status != ARES_SUCCESS || res->abuf == NULL)
        return;
    if (type == DNS_TYPE_A) {
        struct ares_addrttl t[DNS_MAX_ADDRS];

        if (ares_parse_a_reply(res->abuf, res->alen, NULL, t, &naddr) ==
            ARES_SUCCESS)
            for (int i = 0; i < naddr && *n < max; i++)
                dns_put_v4(&out[(*n)++], &t[i].ipaddr);
    } else {
        struct ares_addr6ttl t[DNS_MAX_ADDRS];

        if (ares_parse_aaaa_reply(res->abuf, res->alen, NULL, t, &naddr) ==
            ARES_SUCCESS)
            for (int i = 0; i < naddr && *n < max; i++)
                dns_put_v6(&out[(*n)++], &t[i].ip6addr);
    }
}

sq_status
wn_dns_addrs(wn_dns *r, const char *name, sq_ipaddr *out, size_t max, size_t *n,
             sq_diag *d)
{
    dns_result res[2];
    size_t count = 0;
    sq_status st;

    if (r == NULL || name == NULL || (out == NULL && max > 0) || n == NULL)
        return SQ_EINVAL;
    memset(res, 0, sizeof(res));
    ares_query(r->ch, name, DNS_CLASS_IN, DNS_TYPE_A, dns_callback, &res[0]);
    ares_query(r->ch, name, DNS_CLASS_IN, DNS_TYPE_AAAA, dns_callback, &res[1]);
    dns_loop(r, res, 2);
    dns_addrs_of(&res[0], DNS_TYPE_A, out, max, &count);
    dns_addrs_of(&res[1], DNS_TYPE_AAAA, out, max, &count);
    if (count > 0 || res[0].status == ARES_SUCCESS ||
        res[1].status == ARES_SUCCESS)
        st = count > 0 ? SQ_OK : dns_status(ARES_ENODATA, name, "A/AAAA", 0, d);
    else
        st = dns_status(res[0].status == ARES_ENODATA ? res[1].status
                                                      : res[0].status,
                        name, "A/AAAA", r->timeout_ms, d);
    free(res[0].abuf);
    free(res[1].abuf);
    if (st == SQ_OK)
        *n = count;
    return st;
}

/*
 * lookup.c - the whois context and the order of sources.
 *
 * For an address: overrides, the cache (covering prefix), RDAP (bootstrap
 * → registry, NIR referrals), whois on port 43 only when RDAP failed for
 * a reason other than the registry's own budget (never a cascade that
 * multiplies load on a registry that asked us to slow down), referrals
 * with loop detection, then DNS (origin AS, names, upstream candidates,
 * Abusix when no registered abuse contact was found).  The finished
 * answer is cached under the network range it names.
 */
#include "lookup_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- context ---- */

static void
parse_pairs(const char *v, struct lk_pair *out, size_t max, size_t *n)
{
    *n = 0;
    while (v != NULL && *v != '\0' && *n < max) {
        size_t len, k;
        const char *eq;

        while (*v == ' ' || *v == ',' || *v == '\t')
            v++;
        len = strcspn(v, " ,\t");
        eq = memchr(v, '=', len);
        if (len == 0)
            break;
        if (eq != NULL) {
            k = (size_t)(eq - v);
            snprintf(out[*n].name, sizeof(out[*n].name), "%.*s", (int)k, v);
            snprintf(out[*n].value, sizeof(out[*n].value), "%.*s",
                     (int)(len - k - 1), eq + 1);
            (*n)++;
        }
        v += len;
    }
}

static void
load_bootstrap(sq_whois *w)
{
    char dir[4096];
    const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    struct stat st;

    if (x != NULL && x[0] == '/')
        snprintf(dir, sizeof(dir), "%s/squeaky/rdap", x);
    else if (home != NULL && home[0] == '/')
        snprintf(dir, sizeof(dir), "%s/.local/share/squeaky/rdap", home);
    else
        return;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    if (rdap_bootstrap_load(&w->boot, dir, NULL) != SQ_OK)
        w->boot = NULL;
}

SQ_API sq_status
sq_whois_new(const sq_config *cfg, sq_store *store, sq_diag *d, sq_whois **out)
{
    sq_whois *w;
    sq_status st;
    const char *ovr;

    if (cfg == NULL || out == NULL)
        return SQ_EINVAL;
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        return SQ_ENOMEM;
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_init(&w->fl_lock, NULL);
    pthread_cond_init(&w->fl_cond, NULL);
    w->store = store;
    parse_pairs(sq_config_get(cfg, "rdap_servers"), w->rdap, LK_MAX_PAIRS,
                &w->nrdap);
    parse_pairs(sq_config_get(cfg, "whois_servers"), w->whois, LK_MAX_PAIRS,
                &w->nwhois);
    snprintf(w->dns_servers, sizeof(w->dns_servers), "%s",
             sq_config_get(cfg, "dns_servers"));
    w->lim.timeout_ms = (long)sq_config_get_int(cfg, "lookup_timeout");
    w->lim.max_bytes = (size_t)sq_config_get_int(cfg, "max_response_bytes");
    w->lim.max_redirects = 5;
    w->max_referrals = (int)sq_config_get_int(cfg, "max_referrals");
    w->cache_ttl = sq_config_get_int(cfg, "cache_ttl");
    w->neg_ttl = sq_config_get_int(cfg, "negative_cache_ttl");
    w->rate_wait_max = (long)sq_config_get_int(cfg, "rate_wait_max");
    st = store != NULL ? wc_migrate(store, d) : SQ_OK;
    if (st == SQ_OK)
        st = wb_new(sq_config_get(cfg, "rate_limits"), store, &w->budgets, d);
    ovr = sq_config_get(cfg, "overrides_file");
    if (st == SQ_OK)
        st = wo_load(ovr != NULL && ovr[0] != '\0' ? ovr : NULL, &w->ovr, d);
    if (st != SQ_OK) {
        sq_whois_free(w);
        return st;
    }
    load_bootstrap(w);
    lk_offline_open(w, cfg);
    *out = w;
    return SQ_OK;
}

SQ_API void
sq_whois_free(sq_whois *w)
{
    if (w == NULL)
        return;
    wb_free(w->budgets);
    wo_free(w->ovr);
    rdap_bootstrap_free(w->boot);
    sq_prefixdb_close(w->pdb);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->fl_lock);
    pthread_cond_destroy(&w->fl_cond);
    free(w);
}

SQ_API void
sq_whois_get_stats(sq_whois *w, sq_whois_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    pthread_mutex_unlock(&w->lock);
}

void
lk_count(sq_whois *w, unsigned long *counter)
{
    pthread_mutex_lock(&w->lock);
    (*counter)++;
    pthread_mutex_unlock(&w->lock);
}

static int
inflight_busy(const sq_whois *w, const char *key)
{
    for (size_t i = 0; i < LK_MAX_INFLIGHT; i++)
        if (w->inflight[i][0] != '\0' && strcmp(w->inflight[i], key) == 0)
            return 1;
    return 0;
}

int
lk_inflight_enter(sq_whois *w, const char *key)
{
    int slot = -1;

    pthread_mutex_lock(&w->fl_lock);
    while (inflight_busy(w, key))
        pthread_cond_wait(&w->fl_cond, &w->fl_lock);
    for (int i = 0; i < LK_MAX_INFLIGHT && slot < 0; i++)
        if (w->inflight[i][0] == '\0') {
            snprintf(w->inflight[i], sizeof(w->inflight[i]), "%s", key);
            slot = i;
        }
    pthread_mutex_unlock(&w->fl_lock);
    return slot;
}

void
lk_inflight_leave(sq_whois *w, int slot)
{
    if (slot < 0)
        return;
    pthread_mutex_lock(&w->fl_lock);
    w->inflight[slot][0] = '\0';
    pthread_cond_broadcast(&w->fl_cond);
    pthread_mutex_unlock(&w->fl_lock);
}

static const char *
pair_find(const struct lk_pair *p, size_t n, const char *name)
{
    const char *star = NULL;

    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(p[i].name, name) == 0)
            return p[i].value;
        if (strcmp(p[i].name, "*") == 0)
            star = p[i].value;
    }
    return star;
}

const char *
lk_rdap_base(sq_whois *w, wt_registry r, const char *boot_url)
{
    const char *o = pair_find(w->rdap, w->nrdap, wt_registry_name(r));

    if (o != NULL)
        return o;
    if (boot_url != NULL)
        return boot_url;
    return wt_rdap_base(r)[0] != '\0' ? wt_rdap_base(r) : NULL;
}

/* host[:port] (IPv6 in brackets) for a whois server name. */
int
lk_whois_server(sq_whois *w, const char *name, char *host, size_t hlen,
                unsigned *port)
{
    wt_registry r = wt_registry_from_host(name, strlen(name));
    const char *o = pair_find(w->whois, w->nwhois, name);
    const char *v, *colon;

    if (o == NULL && r != WT_UNKNOWN)
        o = pair_find(w->whois, w->nwhois, wt_registry_name(r));
    v = o != NULL ? o : name;
    *port = 43;
    if (v[0] == '[') {
        const char *end = strchr(v, ']');

        if (end == NULL)
            return 0;
        snprintf(host, hlen, "%.*s", (int)(end - v - 1), v + 1);
        colon = end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strrchr(v, ':');
        if (colon != NULL && strchr(v, ':') != colon)
            colon = NULL; /* bare IPv6 */
        snprintf(host, hlen, "%.*s",
                 (int)(colon != NULL ? (size_t)(colon - v) : strlen(v)), v);
    }
    if (colon != NULL) {
        char *end;
        unsigned long p = strtoul(colon + 1, &end, 10);

        if (*end != '\0' || p == 0 || p > 65535)
            return 0;
        *port = (unsigned)p;
    }
    return host[0] != '\0';
}

int
lk_url_host(const char *url, char *out, size_t outlen)
{
    const char *p = strstr(url, "://");
    size_t n;

    if (p == NULL)
        return 0;
    p += 3;
    n = strcspn(p, "/:?#");
    if (n == 0 || n >= outlen)
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

long long
lk_now(void)
{
    return (long long)time(NULL);
}

/* ---- registry exchanges ---- */

static sq_status
take_token(struct lk *l, wt_registry r)
{
    int waited = 0;
    sq_status st = wb_take(l->w->budgets, r, l->w->rate_wait_max, &waited);

    if (waited)
        lk_count(l->w, &l->w->stats.rate_waits);
    if (st == SQ_ERATELIMIT)
        wa_warn(l->a, "%s: query budget spent, not asked", wt_registry_name(r));
    else if (st == SQ_EBLOCKED)
        wa_warn(l->a, "%s: blocked us earlier, not asked", wt_registry_name(r));
    return st;
}

sq_status
lk_rdap(struct lk *l, wt_registry r, const char *url)
{
    long status = 0, retry = 0;
    wn_buf body = {NULL, 0};
    sq_status st;

    if (l->depth++ > l->w->max_referrals) {
        wa_warn(l->a, "too many referrals; stopped at %s", url);
        return SQ_ELOOP;
    }
    st = take_token(l, r);
    if (st != SQ_OK) {
        l->transient = 1;
        return st;
    }
    lk_count(l->w, &l->w->stats.rdap_queries);
    st = wn_http_get(url, &l->w->lim, &status, &retry, &body, l->d);
    if (st == SQ_OK && status == 429) {
        wb_backoff(l->w->budgets, r, retry > 0 ? retry : 60);
        wa_warn(l->a, "%s: RDAP said 429 (retry after %lds)",
                wt_registry_name(r), retry > 0 ? retry : 60);
        st = SQ_ERATELIMIT;
    } else if (st == SQ_OK && status == 403) {
        /* RIPE and others answer 403 to clients over their limits */
        wb_backoff(l->w->budgets, r, 3600);
        wa_warn(l->a,
                "%s: RDAP refused us (HTTP 403); leaving it alone "
                "for an hour",
                wt_registry_name(r));
        st = SQ_EBLOCKED;
    } else if (st == SQ_OK && status == 404) {
        st = SQ_ENOTFOUND;
    } else if (st == SQ_OK && (status < 200 || status > 299)) {
        wa_warn(l->a, "%s: RDAP answered HTTP %ld", url, status);
        st = SQ_ENET;
    } else if (st == SQ_OK) {
        st = rdap_parse(body.data, body.len, url, l->a, l->d);
        if (st != SQ_OK)
            wa_warn(l->a, "%s: unreadable RDAP answer", url);
    } else {
        wa_warn(l->a, "%s: %s", url, sq_strerror(st));
    }
    if (st != SQ_OK && st != SQ_ENOTFOUND) {
        lk_count(l->w, &l->w->stats.failures);
        l->transient = 1;
    }
    wn_buf_free(&body);
    return st;
}

static int
seen_server(struct lk *l, const char *name)
{
    for (size_t i = 0; i < l->nseen; i++)
        if (strcasecmp(l->seen[i], name) == 0)
            return 1;
    if (l->nseen < LK_MAX_SEEN)
        snprintf(l->seen[l->nseen++], sizeof(l->seen[0]), "%s", name);
    return 0;
}

sq_status
lk_whois(struct lk *l, const char *server, const char *query)
{
    char host[256], q[320];
    unsigned port;
    wn_buf txt = {NULL, 0};
    wt_registry r = wt_registry_from_host(server, strlen(server));
    sq_status st;

    if (seen_server(l, server) || l->depth++ > l->w->max_referrals) {
        wa_warn(l->a, "referral loop or too many referrals at %s", server);
        return SQ_ELOOP;
    }
    if (!lk_whois_server(l->w, server, host, sizeof(host), &port)) {
        wa_warn(l->a, "bad whois server '%s'", server);
        return SQ_EINVAL;
    }
    st = take_token(l, r);
    if (st != SQ_OK) {
        l->transient = 1;
        return st;
    }
    lk_count(l->w, &l->w->stats.whois_queries);
    if (r == WT_JPNIC && strstr(query, "/e") == NULL) {
        /* JPNIC answers in ISO-2022-JP Japanese unless asked for English */
        snprintf(q, sizeof(q), "%s/e", query);
        query = q;
    }
    st = wn_whois_query(host, port, query, &l->w->lim, &txt, l->d);
    if (st == SQ_OK) {
        l->a->referral = "";
        st = whoistext_parse(txt.data, txt.len, server, l->a, l->d);
        if (l->a->blocked) {
            wb_backoff(l->w->budgets, r, 3600);
            wa_warn(l->a,
                    "%s says we are blocked; leaving it alone for an "
                    "hour",
                    server);
            st = SQ_EBLOCKED;
            l->transient = 1;
        }
    } else {
        wa_warn(l->a, "%s: %s", server, sq_strerror(st));
        lk_count(l->w, &l->w->stats.failures);
        l->transient = 1;
    }
    wn_buf_free(&txt);
    return st;
}

int
lk_has_abuse(const sq_whois_answer *a)
{
    for (size_t i = 0; i < a->ncontacts; i++)
        if (a->contacts[i].role == SQ_ROLE_ABUSE && !a->contacts[i].fallback)
            return 1;
    return 0;
}

/* Follow what the last answer referred to (NIR whois, RDAP URL). */
void
lk_follow_referrals(struct lk *l, const char *query)
{
    while (l->a->referral[0] != '\0' && !lk_has_abuse(l->a)) {
        char ref[300];
        sq_status st;

        snprintf(ref, sizeof(ref), "%s", l->a->referral);
        if (strncmp(ref, "http://", 7) == 0 ||
            strncmp(ref, "https://", 8) == 0) {
            char host[256];
            wt_registry r = lk_url_host(ref, host, sizeof(host))
                                ? wt_registry_from_host(host, strlen(host))
                                : WT_UNKNOWN;

            l->a->referral = "";
            st = lk_rdap(l, r, ref);
        } else {
            const char *h = ref;

            if (strncmp(h, "whois://", 8) == 0)
                h += 8;
            else if (strncmp(h, "rwhois://", 9) == 0)
                h += 9;
            st = lk_whois(l, h, query);
        }
        if (st != SQ_OK)
            break;
    }
}

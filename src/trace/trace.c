/*
 * trace.c - sq_trace_opts (built from an sq_config) and sq_trace_run():
 * parse every Received header of a message newest first, run the trust
 * walk (trust.c) on each relay, then add the originating-IP relay, check
 * the chain and choose the origin.
 *
 * Lines the Received parser calls SQ_ENOTRELAY are skipped silently, as
 * SpamAssassin does; a mail-fetcher line ("with POP3"/"with IMAP") seen
 * while every relay so far is trusted drops those relays (SpamAssassin's
 * found_pop_fetcher_sig: the chain restarts at the fetch).  Unparseable
 * lines (SQ_EPARSE, SQ_ELIMIT_LINE) are skipped with a warning and do
 * not change the trust state - SpamAssassin also just skips them.
 *
 * Ownership: see trust_int.h.  Limits: SQ_TRACE_MAX_LIST entries per
 * config list, SQ_TRACE_MAX_WARNINGS warnings; the number of Received
 * headers is bounded by the header scanner's max_received.
 */
#include "trust_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* options                                                            */

static const char *
cfg_str(const sq_config *cfg, const char *key)
{
    const char *v = sq_config_get(cfg, key);

    return v == NULL ? "" : v;
}

static int
is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r';
}

static int
is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (!is_sep(*s))
            return 0;
    return 1;
}

/* Split a whitespace/comma separated list into arena copies. */
static sq_status
split_list(sq_arena *a, const char *key, const char *s, const char **out,
           size_t *n, sq_diag *d)
{
    size_t i = 0, len = strlen(s);

    *n = 0;
    while (i < len) {
        size_t j;

        while (i < len && is_sep(s[i]))
            i++;
        for (j = i; j < len && !is_sep(s[j]); j++)
            ;
        if (j == i)
            break;
        if (*n == SQ_TRACE_MAX_LIST) {
            sq_diag_addf(d, NULL, 0, "%s: more than %d entries", key,
                         SQ_TRACE_MAX_LIST);
            return SQ_ECONFIG;
        }
        out[*n] = sq_arena_strndup(a, s + i, j - i);
        if (out[*n] == NULL)
            return SQ_ENOMEM;
        (*n)++;
        i = j;
    }
    return SQ_OK;
}

/* A netset from spec, with 127/8 and ::1 first when loopback is set
 * (first match wins, so the user cannot exclude loopback). */
static sq_status
make_netset(const char *spec, int loopback, sq_netset **out, sq_diag *d)
{
    static const char lo[] = "127.0.0.0/8 ::1";
    sq_netset *ns = NULL;
    sq_status st = sq_netset_new(&ns);

    if (st != SQ_OK)
        return st;
    if (loopback)
        st = sq_netset_add(ns, lo, sizeof(lo) - 1, d);
    if (st == SQ_OK)
        st = sq_netset_add(ns, spec, strlen(spec), d);
    if (st != SQ_OK) {
        sq_netset_free(ns);
        return st;
    }
    *out = ns;
    return SQ_OK;
}

static sq_status
opts_netsets(sq_trace_opts *o, const sq_config *cfg, sq_diag *d)
{
    const char *tn = cfg_str(cfg, "trusted_networks");
    const char *in = cfg_str(cfg, "internal_networks");
    int tset = !is_blank(tn), iset = !is_blank(in);
    sq_status st;

    /* SpamAssassin: either list stands in for the other when only one
     * is configured. */
    if (!tset && iset)
        tn = in;
    if (!iset && tset)
        in = tn;
    o->nets_configured = tset || iset;
    st = make_netset(tn, 1, &o->trusted, d);
    if (st == SQ_OK)
        st = make_netset(in, 1, &o->internal, d);
    if (st == SQ_OK)
        st = make_netset(cfg_str(cfg, "msa_networks"), 0, &o->msa, d);
    return st;
}

sq_status
sq_trace_opts_new(const sq_config *cfg, sq_trace_opts **out, sq_diag *d)
{
    sq_config *own = NULL;
    sq_trace_opts *o;
    sq_status st = SQ_ENOMEM;

    if (out == NULL)
        return SQ_EINVAL;
    if (cfg == NULL) {
        if ((st = sq_config_new(&own)) != SQ_OK)
            return st;
        cfg = own;
    }
    o = calloc(1, sizeof(*o));
    if (o == NULL || (o->arena = sq_arena_new(1024)) == NULL)
        goto out;
    st = opts_netsets(o, cfg, d);
    if (st == SQ_OK)
        st = split_list(o->arena, "originating_ip_headers",
                        cfg_str(cfg, "originating_ip_headers"), o->orig,
                        &o->norig, d);
    for (size_t k = 0; st == SQ_OK && k < o->norig; k++)
        o->orig_len[k] = strlen(o->orig[k]);
    if (st == SQ_OK)
        st = split_list(o->arena, "trusted_by_hosts",
                        cfg_str(cfg, "trusted_by_hosts"), o->hosts, &o->nhosts,
                        d);
    o->check_chain = sq_config_get_int(cfg, "check_chain") != 0;
out:
    sq_config_free(own);
    if (st != SQ_OK) {
        sq_trace_opts_free(o);
        return st;
    }
    *out = o;
    return SQ_OK;
}

void
sq_trace_opts_free(sq_trace_opts *o)
{
    if (o == NULL)
        return;
    sq_netset_free(o->trusted);
    sq_netset_free(o->internal);
    sq_netset_free(o->msa);
    sq_arena_free(o->arena);
    free(o);
}

/* ------------------------------------------------------------------ */
/* the trace record                                                   */

const char *
sq_trace_quote(const char *s, char *buf)
{
    size_t i;

    for (i = 0; i < SQ_TRACE_QUOTE_MAX && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];

        buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (s[i] != '\0') {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

int
sq_trace_warnf(sq_trace *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    char *p;
    int n;

    if (t->nwarn > SQ_TRACE_MAX_WARNINGS)
        return 1;
    if (t->nwarn == SQ_TRACE_MAX_WARNINGS) {
        t->warn[t->nwarn++] = "further warnings dropped";
        return 1;
    }
    if (t->arena == NULL && (t->arena = sq_arena_new(1024)) == NULL)
        return 0;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = sq_arena_strndup(t->arena, buf,
                         (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    if (p == NULL)
        return 0;
    t->warn[t->nwarn++] = p;
    return 1;
}

int
sq_trace_push(sq_trace *t, sq_relay *r)
{
    if (t->n == t->cap) {
        size_t nc = t->cap == 0 ? 8 : t->cap * 2;
        sq_relay **p;

        if (nc > SIZE_MAX / sizeof(sq_relay *))
            return 0;
        p = realloc(t->relays, nc * sizeof(sq_relay *));
        if (p == NULL)
            return 0;
        t->relays = p;
        t->cap = nc;
    }
    t->relays[t->n++] = r;
    return 1;
}

void
sq_trace_free(sq_trace *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        sq_relay_free(t->relays[i]);
    free(t->relays);
    sq_arena_free(t->arena);
    free(t);
}

/* ------------------------------------------------------------------ */
/* the walk                                                           */

/* Case-sensitive, like SpamAssassin's /with (?:POP3|IMAP)/. */
static int
is_fetcher_line(const char *v, size_t len)
{
    const char *p = v, *end = v + len;

    while (end - p >= 9 && (p = memchr(p, 'w', (size_t)(end - p - 8)))) {
        if (memcmp(p, "with POP3", 9) == 0 || memcmp(p, "with IMAP", 9) == 0)
            return 1;
        p++;
    }
    return 0;
}

/* SpamAssassin restarts the relay list at a mail-fetcher line when
 * everything above it is trusted. */
static int
fetcher_restart(sq_trace *t, size_t hdr)
{
    if (t->n == 0 || !t->relays[t->n - 1]->trusted)
        return 1;
    for (size_t i = 0; i < t->n; i++)
        sq_relay_free(t->relays[i]);
    if (!sq_trace_warnf(t,
                        "Received header %zu: mail fetcher; the %zu "
                        "relay(s) above it are dropped",
                        hdr, t->n))
        return 0;
    t->n = 0;
    return 1;
}

static sq_status
walk_one(const sq_trace_opts *o, sq_trust_walk *w, sq_trace *t, const char *v,
         size_t len, size_t hdr)
{
    sq_relay *r = NULL;
    sq_status st = sq_received_parse(v, len, &r);

    switch (st) {
    case SQ_OK:
        sq_trust_classify(o, w, r);
        if (!sq_trace_push(t, r)) {
            sq_relay_free(r);
            return SQ_ENOMEM;
        }
        return SQ_OK;
    case SQ_ENOMEM:
        return st;
    case SQ_ENOTRELAY:
        if (is_fetcher_line(v, len) && !fetcher_restart(t, hdr))
            return SQ_ENOMEM;
        return SQ_OK;
    default:
        if (!sq_trace_warnf(t, "Received header %zu: unparseable (%s)", hdr,
                            sq_strerror(st)))
            return SQ_ENOMEM;
        return SQ_OK;
    }
}

/* Remember the first header of each originating_ip_headers name. */
static void
note_orig(const sq_trace_opts *o, sq_trace *t, const char *name, size_t nl,
          size_t i)
{
    for (size_t k = 0; k < o->norig; k++)
        if (t->orig_at[k] == 0 && o->orig_len[k] == nl &&
            sq_strncaseeq(name, nl, o->orig[k]))
            t->orig_at[k] = i + 1;
}

/* One pass over the headers: every Received header through the walk,
 * the originating-IP headers located for later. */
static sq_status
walk_received(const sq_trace_opts *o, const sq_headers *h, sq_trace *t,
              sq_trust_walk *w)
{
    size_t hdr = 0, nh = sq_headers_count(h);
    sq_status st;

    for (size_t i = 0; i < nh; i++) {
        size_t nl = 0, len = 0;
        const char *name = sq_headers_name(h, i, &nl), *v;

        if (nl != 8 || !sq_strncaseeq(name, nl, "Received")) {
            note_orig(o, t, name, nl, i);
            continue;
        }
        v = sq_headers_value(h, i, &len);
        st = walk_one(o, w, t, v, len, ++hdr);
        if (st != SQ_OK)
            return st;
    }
    t->nreceived = t->n;
    st = sq_headers_status(h);
    if (st != SQ_OK &&
        !sq_trace_warnf(t,
                        "header scan stopped early (%s); older hops may "
                        "be missing",
                        sq_strerror(st)))
        return SQ_ENOMEM;
    return SQ_OK;
}

sq_status
sq_trace_run(const sq_trace_opts *o, const sq_headers *h, sq_trace **out)
{
    sq_trust_walk w;
    sq_trace *t;
    sq_status st = SQ_ENOMEM;

    if (o == NULL || h == NULL || out == NULL)
        return SQ_EINVAL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        goto out;
    sq_trust_walk_init(&w);
    st = walk_received(o, h, t, &w);
    if (st == SQ_OK)
        st = sq_trust_originating(o, h, t, &w);
    if (st == SQ_OK && o->check_chain)
        st = sq_trust_chain(t);
    if (st == SQ_OK)
        st = sq_trust_origin(o, t);
out:
    if (st != SQ_OK) {
        sq_trace_free(t);
        return st;
    }
    *out = t;
    return SQ_OK;
}

/* ------------------------------------------------------------------ */
/* accessors                                                          */

size_t
sq_trace_relay_count(const sq_trace *t)
{
    return t == NULL ? 0 : t->n;
}

const sq_relay *
sq_trace_relay(const sq_trace *t, size_t i)
{
    if (t == NULL || i >= t->n)
        return NULL;
    return t->relays[i];
}

int
sq_trace_origin(const sq_trace *t, const char **ip, size_t *hop,
                sq_confidence *conf, const char **reason)
{
    if (t == NULL || !t->has_origin)
        return 0;
    if (ip != NULL)
        *ip = sq_relay_get(t->relays[t->origin], SQ_RELAY_IP);
    if (hop != NULL)
        *hop = t->origin;
    if (conf != NULL)
        *conf = t->conf;
    if (reason != NULL)
        *reason = t->reason;
    return 1;
}

size_t
sq_trace_warning_count(const sq_trace *t)
{
    return t == NULL ? 0 : t->nwarn;
}

const char *
sq_trace_warning(const sq_trace *t, size_t i)
{
    if (t == NULL || i >= t->nwarn)
        return NULL;
    return t->warn[i];
}

/*
 * report_plan.c - who gets a report about one message: the origin
 * network's abuse desk, the networks hosting the body's URLs and the
 * registrars of their domains, one entry per desk.  See report_plan.h.
 */
#include "report_plan.h"

#include "cli.h"

#include <squeaky/report.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *
dup_str(struct plan *p, const char *s)
{
    char *c = strdup(s != NULL ? s : "");

    if (c == NULL)
        p->oom = 1;
    return c;
}

/* Add s to the vector unless it is there already. */
static void
strv_add(struct plan *p, char ***v, size_t *n, const char *s)
{
    char **nv;

    if (s == NULL || s[0] == '\0')
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0)
            return;
    nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (nv == NULL) {
        p->oom = 1;
        return;
    }
    *v = nv;
    if (((*v)[*n] = dup_str(p, s)) != NULL)
        (*n)++;
}

static void note(struct plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct plan *p, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    strv_add(p, &p->notes, &p->nnotes, buf);
}

/* The desk for addr, added when new. */
static struct desk *
desk_get(struct plan *p, const char *addr)
{
    struct desk *k;

    for (size_t i = 0; i < p->n; i++)
        if (strcasecmp(p->desks[i].addr, addr) == 0)
            return &p->desks[i];
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        struct desk *nd = realloc(p->desks, cap * sizeof(*nd));

        if (nd == NULL) {
            p->oom = 1;
            return NULL;
        }
        p->desks = nd;
        p->cap = cap;
    }
    k = &p->desks[p->n];
    memset(k, 0, sizeof(*k));
    k->addr = dup_str(p, addr);
    k->network = dup_str(p, "");
    k->asn = dup_str(p, "");
    k->confidence = dup_str(p, "");
    if (k->addr == NULL || k->network == NULL || k->asn == NULL ||
        k->confidence == NULL) {
        free(k->addr);
        free(k->network);
        free(k->asn);
        free(k->confidence);
        return NULL;
    }
    p->n++;
    return k;
}

static void
set_str(struct plan *p, char **dst, const char *s)
{
    char *c;

    if ((*dst)[0] != '\0' || s == NULL || s[0] == '\0')
        return;
    if ((c = dup_str(p, s)) != NULL) {
        free(*dst);
        *dst = c;
    }
}

/* Label a desk from the answer that named it (first answer wins). */
static void
desk_label(struct plan *p, struct desk *k, const sq_whois_answer *a,
           const sq_contact *c)
{
    const sq_asinfo *o = sq_whois_answer_origin(a);
    const sq_network *net = sq_whois_answer_network(a);
    char buf[256];

    if (o != NULL && o->asn != 0) {
        snprintf(buf, sizeof(buf), "AS%lu", o->asn);
        set_str(p, &k->asn, buf);
        snprintf(buf, sizeof(buf), "AS%lu %s", o->asn, o->name);
        set_str(p, &k->network, buf);
    }
    if (net != NULL && net->name != NULL)
        set_str(p, &k->network, net->name);
    set_str(p, &k->confidence, sq_confidence_name(c->confidence));
}

/* The contact to report to: the answer's first, unless it is only a
 * guess at abuse@ the very domain being reported (which would warn the
 * abuser) or an address that bounced for good (then the next one). */
static const sq_contact *
best_contact(const struct plan_in *in, struct plan *p, const sq_whois_answer *a,
             int for_url)
{
    for (size_t i = 0; i < sq_whois_answer_ncontacts(a); i++) {
        const sq_contact *c = sq_whois_answer_contact(a, i);

        if ((for_url && c->source == SQ_SRC_RFC2142) || c->email == NULL ||
            c->email[0] == '\0')
            continue;
        if (in->tr != NULL && sq_tracking_address_dead(in->tr, c->email)) {
            note(p, "%s bounced before: skipped", c->email);
            continue;
        }
        return c;
    }
    return NULL;
}

static sq_whois_answer *
lookup(const struct plan_in *in, struct plan *p, const char *q)
{
    sq_diag *d = sq_diag_new();
    sq_whois_answer *a = NULL;
    sq_status st = sq_whois_lookup(in->w, q, in->wflags, d, &a);

    if (st != SQ_OK) {
        note(p, "%s: %s", q,
             d != NULL && sq_diag_count(d) ? sq_diag_message(d, 0)
                                           : sq_strerror(st));
        a = NULL;
    }
    sq_diag_free(d);
    return a;
}

static void
origin_desk(const struct plan_in *in, struct plan *p)
{
    sq_whois_answer *a = lookup(in, p, in->ip);
    const sq_contact *c;
    struct desk *k;

    if (a == NULL)
        return;
    if ((c = best_contact(in, p, a, 0)) == NULL)
        note(p, "%s: no abuse contact found", in->ip);
    else if ((k = desk_get(p, c->email)) != NULL) {
        k->why |= DESK_ORIGIN;
        desk_label(p, k, a, c);
    }
    sq_whois_answer_free(a);
}

/* Tell the desk of answer a (registrar or hosting) about URL i. */
static void
url_desk(const struct plan_in *in, struct plan *p, const sq_whois_answer *a,
         unsigned why, const sq_urlset *u, size_t i)
{
    const sq_contact *c = best_contact(in, p, a, 1);
    struct desk *k;

    if (c == NULL || (k = desk_get(p, c->email)) == NULL)
        return;
    k->why |= why;
    desk_label(p, k, a, c);
    strv_add(p, &k->uris, &k->nuris, sq_urlset_url(u, i));
    strv_add(p, &k->domains, &k->ndomains, sq_urlset_domain(u, i));
}

/* Every URL whose host is host: its registrar and hosting desks. */
static void
host_desks(const struct plan_in *in, struct plan *p, const sq_urlset *u,
           const char *host)
{
    sq_whois_answer *a = lookup(in, p, host);
    size_t before = p->n;

    if (a == NULL)
        return;
    for (size_t i = 0; i < sq_urlset_count(u); i++) {
        if (strcmp(sq_urlset_host(u, i), host) != 0)
            continue;
        if (sq_whois_answer_kind(a) == SQ_WQ_DOMAIN)
            url_desk(in, p, a, DESK_REGISTRAR, u, i);
        else
            url_desk(in, p, a, DESK_HOSTING, u, i);
        for (size_t h = 0; h < sq_whois_answer_nhosts(a); h++)
            url_desk(in, p, sq_whois_answer_host(a, h), DESK_HOSTING, u, i);
    }
    if (p->n == before)
        note(p, "%s: no abuse contact for the URL host", host);
    sq_whois_answer_free(a);
}

static void
url_desks(const struct plan_in *in, struct plan *p)
{
    sq_urlset *u = NULL;
    char **hosts = NULL;
    size_t nhosts = 0;

    if (sq_urls_extract(in->msg, in->len, &u) != SQ_OK)
        return;
    for (size_t i = 0; i < sq_urlset_count(u); i++) {
        size_t had = nhosts;

        strv_add(p, &hosts, &nhosts, sq_urlset_host(u, i));
        if (nhosts > had && nhosts > in->max_hosts) {
            note(p, "more than %zu URL hosts: the rest were not looked up",
                 in->max_hosts);
            free(hosts[--nhosts]);
            break;
        }
    }
    for (size_t h = 0; h < nhosts; h++) {
        host_desks(in, p, u, hosts[h]);
        free(hosts[h]);
    }
    free(hosts);
    sq_urlset_free(u);
}

/* With --to: one desk, told about the origin and every URL. */
static void
to_desk(const struct plan_in *in, struct plan *p)
{
    struct desk *k = desk_get(p, in->to);
    sq_urlset *u = NULL;

    if (k == NULL)
        return;
    k->why = DESK_ORIGIN;
    if (in->msg == NULL || sq_urls_extract(in->msg, in->len, &u) != SQ_OK)
        return;
    for (size_t i = 0; i < sq_urlset_count(u); i++) {
        strv_add(p, &k->uris, &k->nuris, sq_urlset_url(u, i));
        strv_add(p, &k->domains, &k->ndomains, sq_urlset_domain(u, i));
    }
    sq_urlset_free(u);
}

void
plan_add_desk(struct plan *p, const char *addr, unsigned why, unsigned long asn,
              const char *name)
{
    struct desk *k = desk_get(p, addr);
    char buf[256];

    if (k == NULL)
        return;
    k->why |= why;
    if (asn != 0) {
        snprintf(buf, sizeof(buf), "AS%lu", asn);
        set_str(p, &k->asn, buf);
        if (name != NULL && name[0] != '\0')
            snprintf(buf, sizeof(buf), "AS%lu %s", asn, name);
        set_str(p, &k->network, buf);
    }
}

void
plan_build(const struct plan_in *in, struct plan *p)
{
    memset(p, 0, sizeof(*p));
    if (in->to != NULL) {
        to_desk(in, p);
        return;
    }
    origin_desk(in, p);
    if (in->msg != NULL)
        url_desks(in, p);
}

static void
strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void
plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        struct desk *k = &p->desks[i];

        free(k->addr);
        free(k->network);
        free(k->asn);
        free(k->confidence);
        strv_free(k->uris, k->nuris);
        strv_free(k->domains, k->ndomains);
    }
    free(p->desks);
    strv_free(p->notes, p->nnotes);
    memset(p, 0, sizeof(*p));
}

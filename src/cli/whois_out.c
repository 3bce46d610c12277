/*
 * whois_out.c - an answer as text for people or as one JSON object
 * (the format documented in the README).
 */
#include "whois_out.h"

#include <stdio.h>
#include <string.h>

static void
json_contact(struct jbuf *b, const sq_contact *c)
{
    jb_raw(b, "{", 1);
    jb_kv_str(b, "email", c->email, 1);
    jb_kv_str(b, "role", sq_contact_role_name(c->role), 0);
    jb_kv_str(b, "source", sq_contact_source_name(c->source), 0);
    jb_kv_str(b, "url_or_server", c->where, 0);
    jb_kv_str(b, "handle", c->handle, 0);
    jb_kv_str(b, "confidence", sq_confidence_name(c->confidence), 0);
    jb_kv_bool(b, "fallback", c->fallback, 0);
    jb_raw(b, "}", 1);
}

static void
json_contacts(struct jbuf *b, const sq_contact *cs, size_t n)
{
    jb_raw(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            jb_raw(b, ",", 1);
        json_contact(b, &cs[i]);
    }
    jb_raw(b, "]", 1);
}

static void
json_str_or_null(struct jbuf *b, const char *key, const char *v)
{
    jb_key(b, key, 0);
    if (v == NULL || v[0] == '\0')
        jb_raw(b, "null", 4);
    else
        jb_str(b, v);
}

static void
json_network(struct jbuf *b, const sq_network *n)
{
    jb_key(b, "network", 0);
    if (n == NULL) {
        jb_raw(b, "null", 4);
        return;
    }
    jb_raw(b, "{", 1);
    jb_key(b, "range", 1);
    jb_raw(b, "[", 1);
    for (size_t i = 0; i < n->ncidrs; i++) {
        if (i > 0)
            jb_raw(b, ",", 1);
        jb_str(b, n->cidrs[i]);
    }
    jb_raw(b, "]", 1);
    json_str_or_null(b, "first_last", n->range);
    json_str_or_null(b, "name", n->name);
    json_str_or_null(b, "handle", n->handle);
    json_str_or_null(b, "org", n->org);
    json_str_or_null(b, "country", n->country);
    json_str_or_null(b, "registry", n->registry);
    json_str_or_null(b, "allocated", n->allocated);
    jb_raw(b, "}", 1);
}

static void
json_as(struct jbuf *b, const sq_asinfo *as)
{
    jb_raw(b, "{", 1);
    jb_kv_int(b, "number", (long long)as->asn, 1);
    json_str_or_null(b, "name", as->name);
    json_str_or_null(b, "country", as->country);
    json_str_or_null(b, "registry", as->registry);
    jb_kv_str(b, "relation", as->relation, 0);
    jb_key(b, "contacts", 0);
    json_contacts(b, as->contacts, as->ncontacts);
    jb_raw(b, "}", 1);
}

void
whois_json(struct jbuf *b, const sq_whois_answer *a)
{
    size_t n = sq_whois_answer_ncontacts(a);
    const sq_asinfo *o = sq_whois_answer_origin(a);

    jb_raw(b, "{", 1);
    jb_kv_str(b, "query", sq_whois_answer_query(a), 1);
    jb_kv_str(b, "kind", sq_whois_kind_name(sq_whois_answer_kind(a)), 0);
    jb_key(b, "contacts", 0);
    jb_raw(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            jb_raw(b, ",", 1);
        json_contact(b, sq_whois_answer_contact(a, i));
    }
    jb_raw(b, "]", 1);
    json_network(b, sq_whois_answer_network(a));
    jb_key(b, "origin_as", 0);
    if (o != NULL)
        json_as(b, o);
    else
        jb_raw(b, "null", 4);
    jb_key(b, "upstreams", 0);
    jb_raw(b, "[", 1);
    for (size_t i = 0; i < sq_whois_answer_nupstreams(a); i++) {
        if (i > 0)
            jb_raw(b, ",", 1);
        json_as(b, sq_whois_answer_upstream(a, i));
    }
    jb_raw(b, "]", 1);
    json_str_or_null(b, "registrar", sq_whois_answer_registrar(a));
    jb_key(b, "hosts", 0);
    jb_raw(b, "[", 1);
    for (size_t i = 0; i < sq_whois_answer_nhosts(a); i++) {
        if (i > 0)
            jb_raw(b, ",", 1);
        whois_json(b, sq_whois_answer_host(a, i));
    }
    jb_raw(b, "]", 1);
    json_str_or_null(b, "referral", sq_whois_answer_referral(a));
    jb_kv_bool(b, "cached", sq_whois_answer_cached(a), 0);
    jb_key(b, "warnings", 0);
    jb_raw(b, "[", 1);
    for (size_t i = 0; i < sq_whois_answer_nwarnings(a); i++) {
        if (i > 0)
            jb_raw(b, ",", 1);
        jb_str(b, sq_whois_answer_warning(a, i));
    }
    jb_raw(b, "]}", 2);
}

/* ---- text ---- */

static void
put(FILE *f, const char *s)
{
    cli_put_safe(f, s, strlen(s));
}

static void
text_contact(FILE *f, const char *label, const sq_contact *c)
{
    fprintf(f, "  %-12s", label);
    put(f, c->email);
    fprintf(f, " (%s, %s, %s%s)", sq_contact_role_name(c->role),
            sq_contact_source_name(c->source),
            sq_confidence_name(c->confidence), c->fallback ? ", fallback" : "");
    if (c->where[0] != '\0') {
        fputs(" ", f);
        put(f, c->where);
    }
    fputs("\n", f);
}

static void
text_field(FILE *f, const char *label, const char *v)
{
    if (v == NULL || v[0] == '\0')
        return;
    fprintf(f, "  %-12s", label);
    put(f, v);
    fputs("\n", f);
}

static void
text_as(FILE *f, const char *label, const sq_asinfo *as)
{
    fprintf(f, "  %-12sAS%lu", label, as->asn);
    if (as->name[0] != '\0') {
        fputs(" ", f);
        put(f, as->name);
    }
    if (as->country[0] != '\0') {
        fputs(" [", f);
        put(f, as->country);
        fputs("]", f);
    }
    fputs(" - ", f);
    put(f, as->relation);
    fputs("\n", f);
    for (size_t i = 0; i < as->ncontacts; i++)
        text_contact(f, "", &as->contacts[i]);
}

static void
text_network(FILE *f, const sq_network *n)
{
    fprintf(f, "  %-12s", "network:");
    for (size_t i = 0; i < n->ncidrs; i++) {
        fputs(i ? " " : "", f);
        put(f, n->cidrs[i]);
    }
    fputs("\n", f);
    text_field(f, "name:", n->name);
    text_field(f, "handle:", n->handle);
    text_field(f, "org:", n->org);
    text_field(f, "country:", n->country);
    text_field(f, "registry:", n->registry);
    text_field(f, "allocated:", n->allocated);
}

void
whois_text(FILE *f, const sq_whois_answer *a, int indent)
{
    size_t n = sq_whois_answer_ncontacts(a);
    const sq_network *net = sq_whois_answer_network(a);
    const sq_asinfo *o = sq_whois_answer_origin(a);

    fprintf(f, "%*s", indent, "");
    put(f, sq_whois_answer_query(a));
    fprintf(f, "%s\n", sq_whois_answer_cached(a) ? " (cached)" : "");
    if (n == 0)
        fprintf(f, "  %-12snobody found\n", "report to:");
    for (size_t i = 0; i < n; i++)
        text_contact(f, i == 0 ? "report to:" : (i == 1 ? "also:" : ""),
                     sq_whois_answer_contact(a, i));
    if (net != NULL)
        text_network(f, net);
    if (o != NULL)
        text_as(f, "origin:", o);
    for (size_t i = 0; i < sq_whois_answer_nupstreams(a); i++)
        text_as(f, i == 0 ? "upstreams:" : "", sq_whois_answer_upstream(a, i));
    text_field(f, "registrar:", sq_whois_answer_registrar(a));
    text_field(f, "referral:", sq_whois_answer_referral(a));
    for (size_t i = 0; i < sq_whois_answer_nwarnings(a); i++)
        text_field(f, "note:", sq_whois_answer_warning(a, i));
    for (size_t i = 0; i < sq_whois_answer_nhosts(a); i++) {
        fprintf(f, "  hosted at ");
        whois_text(f, sq_whois_answer_host(a, i), 0);
    }
}

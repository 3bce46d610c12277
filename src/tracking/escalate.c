/*
 * escalate.c - networks that keep going: at least N reports sent in the
 * last T days and a sighting after the last of them.  The selection
 * groups by ASN when the outbox's network label starts "AS<n>" (the
 * report CLI writes "AS64500 NAME"), else by the label itself; reports
 * without a label are never escalated.
 *
 * The history of a selected network renders as text (for the body of
 * the report to its upstreams) and as JSON (jansson).  Ownership: an
 * sq_escalation owns its groups and the reports they point into.
 */
#include "tracking/tracking_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct trk_group {
    char key[32 + 256];
    unsigned long asn;
    const char *network; /* label of the latest report */
    size_t n;            /* reports in the window */
    long long last_sent, last_seen;
} trk_group;

enum { TRK_NO_GROUP = -1 };

struct sq_escalation {
    trk_group *g;
    size_t n;
    long *gid; /* per report of reps: its group, or TRK_NO_GROUP */
    long long window;
    trk_reps reps;
};

unsigned long
trk_label_asn(const char *label)
{
    unsigned long asn = 0;
    size_t n = 0;

    if (label == NULL || (label[0] != 'A' && label[0] != 'a') ||
        (label[1] != 'S' && label[1] != 's'))
        return 0;
    while (label[2 + n] >= '0' && label[2 + n] <= '9')
        n++;
    if (n == 0 || (label[2 + n] != '\0' && label[2 + n] != ' ') ||
        !sq_parse_asn(label, n + 2, &asn))
        return 0;
    return asn;
}

static void
group_key(const trk_rep *p, char *out, size_t outlen, unsigned long *asn)
{
    *asn = trk_label_asn(p->network);
    if (*asn != 0)
        snprintf(out, outlen, "AS%lu", *asn);
    else
        snprintf(out, outlen, "%s", p->network);
}

/* Index of the group of key, created when new. */
static size_t
find_group(sq_escalation *e, const char *key)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->g[i].key, key) == 0)
            return i;
    memset(&e->g[e->n], 0, sizeof(e->g[0]));
    snprintf(e->g[e->n].key, sizeof(e->g[0].key), "%s", key);
    return e->n++;
}

static sq_status
build_groups(sq_escalation *e)
{
    size_t cap = e->reps.n ? e->reps.n : 1;

    e->g = calloc(cap, sizeof(*e->g));
    e->gid = calloc(cap, sizeof(*e->gid));
    if (e->g == NULL || e->gid == NULL)
        return SQ_ENOMEM;
    for (size_t i = 0; i < e->reps.n; i++) {
        const trk_rep *p = &e->reps.v[i];
        char key[sizeof(e->g[0].key)];
        unsigned long asn;
        size_t k;
        trk_group *g;

        e->gid[i] = TRK_NO_GROUP;
        if (p->network[0] == '\0')
            continue;
        group_key(p, key, sizeof(key), &asn);
        k = find_group(e, key);
        g = &e->g[k];
        e->gid[i] = (long)k;
        g->asn = asn;
        g->network = p->network;
        g->n++;
        if (p->sent > g->last_sent)
            g->last_sent = p->sent;
        if (p->last > g->last_seen)
            g->last_seen = p->last;
    }
    return SQ_OK;
}

/* Keep the groups the policy selects (in place) and renumber gid. */
static void
select_groups(sq_escalation *e, long long after)
{
    size_t k = 0;
    long *map = calloc(e->n ? e->n : 1, sizeof(*map));

    for (size_t i = 0; i < e->n; i++) {
        const trk_group *g = &e->g[i];

        if (map != NULL && (long long)g->n >= after &&
            g->last_seen > g->last_sent) {
            map[i] = (long)k;
            e->g[k++] = *g;
        } else if (map != NULL) {
            map[i] = TRK_NO_GROUP;
        }
    }
    for (size_t i = 0; i < e->reps.n; i++)
        if (e->gid[i] != TRK_NO_GROUP)
            e->gid[i] = map != NULL ? map[e->gid[i]] : TRK_NO_GROUP;
    e->n = k;
    free(map);
}

/* The j-th report (oldest first) of group i, or NULL. */
static const trk_rep *
nth_report(const sq_escalation *e, size_t i, size_t j)
{
    for (size_t r = 0; r < e->reps.n; r++)
        if (e->gid[r] == (long)i && j-- == 0)
            return &e->reps.v[r];
    return NULL;
}

sq_status
sq_tracking_escalations(sq_tracking *tr, long long after, long long window_days,
                        sq_diag *d, sq_escalation **out)
{
    sq_escalation *e;
    sq_status st;

    if (tr == NULL || out == NULL || after < 1 || window_days < 1 ||
        window_days > 36500)
        return SQ_EINVAL;
    if ((e = calloc(1, sizeof(*e))) == NULL)
        return SQ_ENOMEM;
    e->window = window_days;
    st = trk_sync_links(tr, d);
    if (st == SQ_OK)
        st = trk_load(tr, trk_now(tr) - window_days * 86400, &e->reps, d);
    if (st == SQ_OK && (st = build_groups(e)) == SQ_OK)
        select_groups(e, after);
    if (st != SQ_OK) {
        sq_escalation_free(e);
        return st;
    }
    *out = e;
    return SQ_OK;
}

void
sq_escalation_free(sq_escalation *e)
{
    if (e == NULL)
        return;
    free(e->g);
    free(e->gid);
    trk_reps_free(&e->reps);
    free(e);
}

size_t
sq_escalation_count(const sq_escalation *e)
{
    return e != NULL ? e->n : 0;
}

const char *
sq_escalation_key(const sq_escalation *e, size_t i)
{
    return e != NULL && i < e->n ? e->g[i].key : NULL;
}

unsigned long
sq_escalation_asn(const sq_escalation *e, size_t i)
{
    return e != NULL && i < e->n ? e->g[i].asn : 0;
}

const char *
sq_escalation_network(const sq_escalation *e, size_t i)
{
    return e != NULL && i < e->n ? e->g[i].network : NULL;
}

size_t
sq_escalation_reports(const sq_escalation *e, size_t i)
{
    return e != NULL && i < e->n ? e->g[i].n : 0;
}

long long
sq_escalation_last_seen(const sq_escalation *e, size_t i)
{
    return e != NULL && i < e->n ? e->g[i].last_seen : 0;
}

const char *
sq_escalation_source_ip(const sq_escalation *e, size_t i)
{
    const char *ip = "";

    if (e == NULL || i >= e->n)
        return NULL;
    for (size_t r = 0; r < e->reps.n; r++) /* oldest first: keep the last */
        if (e->gid[r] == (long)i && e->reps.v[r].ip[0] != '\0')
            ip = e->reps.v[r].ip;
    return ip;
}

long long
sq_escalation_report_id(const sq_escalation *e, size_t i, size_t j)
{
    const trk_rep *p;

    if (e == NULL || i >= e->n || (p = nth_report(e, i, j)) == NULL)
        return 0;
    return p->id;
}

/* ---- rendering ---- */

static void
append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    char *p;

    if (*buf == NULL && *cap != 0)
        return; /* an earlier allocation failed */
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;

        if ((p = realloc(*buf, c)) == NULL) {
            free(*buf);
            *buf = NULL;
            *cap = 1;
            return;
        }
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

char *
sq_escalation_text(const sq_escalation *e, size_t i)
{
    char *buf = NULL, line[1024], t[32], s[32];
    size_t len = 0, cap = 0;
    const trk_group *g;

    if (e == NULL || i >= e->n)
        return NULL;
    g = &e->g[i];
    snprintf(line, sizeof(line),
             "Reports squeaky sent about %s (%s) in the last %lld days: "
             "%zu\n",
             g->key, g->network, e->window, g->n);
    append(&buf, &len, &cap, line);
    for (size_t j = 0; j < e->reps.n; j++) {
        const trk_rep *p = &e->reps.v[j];

        if (e->gid[j] != (long)i)
            continue;
        sq_time_format_utc(p->sent, t, sizeof(t));
        snprintf(line, sizeof(line), "  %s  report %lld  %-12s  %s%s%s", t,
                 p->id, sq_outbox_state_name(p->state), p->dest,
                 p->ticket[0] ? "  ticket " : "", p->ticket);
        append(&buf, &len, &cap, line);
        if (p->days > 0) {
            sq_time_format_utc(p->last, s, sizeof(s));
            snprintf(line, sizeof(line),
                     "  (seen again on %lld day(s), last %s)", p->days, s);
            append(&buf, &len, &cap, line);
        }
        append(&buf, &len, &cap, "\n");
    }
    sq_time_format_utc(g->last_seen, s, sizeof(s));
    snprintf(line, sizeof(line),
             "The abuse continued after the last report: last seen %s.\n", s);
    append(&buf, &len, &cap, line);
    return buf;
}

static json_t *
report_json(const trk_rep *p)
{
    char t[32], s[32];
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    sq_time_format_utc(p->sent, t, sizeof(t));
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "sent", json_string(t));
    json_object_set_new(o, "state",
                        json_string(sq_outbox_state_name(p->state)));
    json_object_set_new(o, "to", json_string(p->dest));
    json_object_set_new(o, "ticket", json_string(p->ticket));
    json_object_set_new(o, "sighting_days", json_integer(p->days));
    if (p->days > 0) {
        sq_time_format_utc(p->last, s, sizeof(s));
        json_object_set_new(o, "last_seen", json_string(s));
    }
    return o;
}

char *
sq_escalation_json(const sq_escalation *e, size_t i)
{
    json_t *o, *a;
    char s[32], *out;
    const trk_group *g;

    if (e == NULL || i >= e->n || (o = json_object()) == NULL)
        return NULL;
    g = &e->g[i];
    sq_time_format_utc(g->last_seen, s, sizeof(s));
    json_object_set_new(o, "network", json_string(g->key));
    json_object_set_new(o, "asn", json_integer((json_int_t)g->asn));
    json_object_set_new(o, "label", json_string(g->network));
    json_object_set_new(o, "window_days", json_integer(e->window));
    json_object_set_new(o, "last_seen", json_string(s));
    a = json_array();
    for (size_t j = 0; a != NULL && j < e->reps.n; j++)
        if (e->gid[j] == (long)i)
            json_array_append_new(a, report_json(&e->reps.v[j]));
    json_object_set_new(o, "reports", a);
    out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

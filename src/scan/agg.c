/*
 * agg.c - events summed per (source address, kind) for `squeaky scan`:
 * an append-only entry table in first-seen order, an open-addressing
 * index over it, small name pools (services, protocols, user names,
 * destination addresses) and one evidence arena with a hard budget.
 * The bounds are in scan.h and docs/SCAN.md ("Memory").
 */
#include "core/core_int.h"

#include <squeaky/scan.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    SRC_PORTS_MORE = 1u << 0,
    SRC_USERS_MORE = 1u << 1,
    SRC_ZONE = 1u << 2,
    REC_HEAD = 6 /* evidence record: next (4), length (2) */
};

struct sq_scan_src {
    uint8_t ip[16];
    uint8_t v4, kind, nports, nusers, nlines, flags, proto, nsvc;
    int16_t zone;
    uint16_t sport;
    uint16_t ports[SQ_SCAN_AGG_PORTS];
    uint32_t attempts, helper, events;
    uint32_t services; /* bit i: service name i */
    uint32_t users[SQ_SCAN_AGG_USERS];
    uint32_t dest;    /* destination name + 1, 0 = none */
    uint32_t ev_head; /* evidence record offsets, 0 = none */
    uint32_t ev_tail;
    int64_t first, last;
};

/* Interned strings: index -> text, with a hash index; at most max. */
struct names {
    char *buf;
    size_t len, cap;
    uint32_t *off;
    size_t n, ncap, max;
    uint32_t *tab; /* index + 1 */
    size_t tcap;
};

struct sq_scan_agg {
    struct sq_scan_src *ent;
    size_t n, cap, max;
    uint32_t *idx; /* entry + 1 */
    size_t icap;
    unsigned char *ev; /* evidence arena; offset 0 unused */
    size_t evlen, evcap;
    struct names svc, proto, users, dests;
    unsigned long long dropped, unkept;
};

static uint64_t
hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

/* ---- name pools ---- */

static void
names_free(struct names *nm)
{
    free(nm->buf);
    free(nm->off);
    free(nm->tab);
}

static int
names_rehash(struct names *nm, size_t tcap)
{
    uint32_t *t = calloc(tcap, sizeof(*t));

    if (t == NULL)
        return 0;
    for (size_t i = 0; i < nm->n; i++) {
        const char *s = nm->buf + nm->off[i];
        size_t j = hash_bytes(s, strlen(s), 0xcbf29ce484222325ULL) & (tcap - 1);

        while (t[j] != 0)
            j = (j + 1) & (tcap - 1);
        t[j] = (uint32_t)i + 1;
    }
    free(nm->tab);
    nm->tab = t;
    nm->tcap = tcap;
    return 1;
}

static int
names_grow(struct names *nm, size_t need)
{
    if (nm->len + need > nm->cap) {
        size_t c = nm->cap ? nm->cap : 1024;
        char *b;

        while (c < nm->len + need)
            c *= 2;
        if ((b = realloc(nm->buf, c)) == NULL)
            return 0;
        nm->buf = b;
        nm->cap = c;
    }
    if (nm->n == nm->ncap) {
        size_t c = nm->ncap ? nm->ncap * 2 : 16;
        uint32_t *o = realloc(nm->off, c * sizeof(*o));

        if (o == NULL)
            return 0;
        nm->off = o;
        nm->ncap = c;
    }
    return (nm->n + 1) * 2 <= nm->tcap ||
           names_rehash(nm, nm->tcap ? nm->tcap * 2 : 32);
}

/* Index of s (added when new): >= 0, -1 when the pool is full or out
 * of memory, -2 for an empty s. */
static long
names_get(struct names *nm, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0, j;

    if (n == 0)
        return -2;
    if (n > 255)
        n = 255;
    if (nm->tcap > 0) {
        j = hash_bytes(s, n, 0xcbf29ce484222325ULL) & (nm->tcap - 1);
        for (; nm->tab[j] != 0; j = (j + 1) & (nm->tcap - 1)) {
            const char *t = nm->buf + nm->off[nm->tab[j] - 1];

            if (strncmp(t, s, n) == 0 && t[n] == '\0')
                return (long)nm->tab[j] - 1;
        }
    }
    if (nm->n >= nm->max || !names_grow(nm, n + 1))
        return -1;
    nm->off[nm->n] = (uint32_t)nm->len;
    memcpy(nm->buf + nm->len, s, n);
    nm->buf[nm->len + n] = '\0';
    nm->len += n + 1;
    j = hash_bytes(s, n, 0xcbf29ce484222325ULL) & (nm->tcap - 1);
    while (nm->tab[j] != 0)
        j = (j + 1) & (nm->tcap - 1);
    nm->tab[j] = (uint32_t)nm->n + 1;
    return (long)nm->n++;
}

static const char *
names_str(const struct names *nm, size_t i)
{
    return i < nm->n ? nm->buf + nm->off[i] : "";
}

/* ---- the aggregator ---- */

sq_status
sq_scan_agg_new(size_t max_sources, sq_scan_agg **out)
{
    sq_scan_agg *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return SQ_ENOMEM;
    a->max = max_sources ? max_sources : SQ_SCAN_AGG_MAX_SOURCES;
    if (a->max > UINT32_MAX / 4)
        a->max = UINT32_MAX / 4;
    a->svc.max = SQ_SCAN_AGG_SERVICES;
    a->proto.max = 250;
    a->users.max = SQ_SCAN_AGG_NAMES;
    a->dests.max = SQ_SCAN_AGG_NAMES;
    *out = a;
    return SQ_OK;
}

void
sq_scan_agg_free(sq_scan_agg *a)
{
    if (a == NULL)
        return;
    free(a->ent);
    free(a->idx);
    free(a->ev);
    names_free(&a->svc);
    names_free(&a->proto);
    names_free(&a->users);
    names_free(&a->dests);
    free(a);
}

static size_t
slot_of(const sq_scan_agg *a, const uint8_t ip[16], unsigned kind)
{
    uint64_t h = hash_bytes(ip, 16, 0xcbf29ce484222325ULL ^ kind);

    return (size_t)(h ^ (h >> 32)) & (a->icap - 1);
}

static int
index_rebuild(sq_scan_agg *a, size_t icap)
{
    uint32_t *t = calloc(icap, sizeof(*t));

    if (t == NULL)
        return 0;
    free(a->idx);
    a->idx = t;
    a->icap = icap;
    for (size_t i = 0; i < a->n; i++) {
        size_t j = slot_of(a, a->ent[i].ip, a->ent[i].kind);

        while (t[j] != 0)
            j = (j + 1) & (icap - 1);
        t[j] = (uint32_t)i + 1;
    }
    return 1;
}

/* The entry for (ip, kind), made when new; NULL when full (*full set)
 * or out of memory. */
static struct sq_scan_src *
entry_get(sq_scan_agg *a, const sq_ipaddr *ip, unsigned kind, int *full)
{
    struct sq_scan_src *e;
    size_t j;

    if (a->icap > 0) {
        for (j = slot_of(a, ip->b, kind); a->idx[j] != 0;
             j = (j + 1) & (a->icap - 1)) {
            e = &a->ent[a->idx[j] - 1];
            if (e->kind == kind && memcmp(e->ip, ip->b, 16) == 0)
                return e;
        }
    }
    if (a->n >= a->max)
        return *full = 1, NULL;
    if (a->n == a->cap) {
        size_t c = a->cap ? a->cap * 2 : 256;

        if (c > a->max)
            c = a->max;
        e = realloc(a->ent, c * sizeof(*e));
        if (e == NULL)
            return NULL;
        a->ent = e;
        a->cap = c;
    }
    if ((a->n + 1) * 2 > a->icap &&
        !index_rebuild(a, a->icap ? a->icap * 2 : 512))
        return NULL;
    e = &a->ent[a->n];
    memset(e, 0, sizeof(*e));
    memcpy(e->ip, ip->b, 16);
    e->v4 = ip->v4;
    e->kind = (uint8_t)kind;
    j = slot_of(a, ip->b, kind);
    while (a->idx[j] != 0)
        j = (j + 1) & (a->icap - 1);
    a->idx[j] = (uint32_t)++a->n;
    return e;
}

/* Append a record to the arena: offset, or 0 when over the budget. */
static uint32_t
ev_put(sq_scan_agg *a, const char *line, size_t len, size_t budget)
{
    size_t need = REC_HEAD + len, off;
    uint16_t l16 = (uint16_t)len;
    uint32_t none = 0;

    if (a->evlen == 0)
        a->evlen = 1; /* offset 0 means none */
    if (a->evlen + need > budget)
        return 0;
    if (a->evlen + need > a->evcap) {
        size_t c = a->evcap ? a->evcap : (size_t)64 * 1024;
        unsigned char *p;

        while (c < a->evlen + need)
            c *= 2;
        if (c > SQ_SCAN_AGG_EVIDENCE)
            c = SQ_SCAN_AGG_EVIDENCE;
        if ((p = realloc(a->ev, c)) == NULL)
            return 0;
        a->ev = p;
        a->evcap = c;
    }
    off = a->evlen;
    memcpy(a->ev + off, &none, 4);
    memcpy(a->ev + off + 4, &l16, 2);
    memcpy(a->ev + off + REC_HEAD, line, len);
    a->evlen += need;
    return (uint32_t)off;
}

static void
add_line(sq_scan_agg *a, struct sq_scan_src *e, const char *line, size_t len)
{
    uint32_t off;

    if (len > SQ_SCAN_AGG_LINE_BYTES)
        len = SQ_SCAN_AGG_LINE_BYTES;
    if (line == NULL || e->nlines >= SQ_SCAN_AGG_LINES) {
        a->unkept++;
        return;
    }
    /* the second half of the budget is for the first line of a source */
    off = ev_put(a, line, len,
                 e->nlines == 0 ? SQ_SCAN_AGG_EVIDENCE
                                : SQ_SCAN_AGG_EVIDENCE / 2);
    if (off == 0) {
        a->unkept++;
        return;
    }
    if (e->ev_tail != 0)
        memcpy(a->ev + e->ev_tail, &off, 4);
    else
        e->ev_head = off;
    e->ev_tail = off;
    e->nlines++;
}

static void
add_port(struct sq_scan_src *e, unsigned port)
{
    if (port == 0 || port > 65535)
        return;
    for (size_t i = 0; i < e->nports; i++)
        if (e->ports[i] == port)
            return;
    if (e->nports < SQ_SCAN_AGG_PORTS)
        e->ports[e->nports++] = (uint16_t)port;
    else
        e->flags |= SRC_PORTS_MORE;
}

static void
add_user(sq_scan_agg *a, struct sq_scan_src *e, const char *user)
{
    long u = names_get(&a->users, user);

    if (u == -2)
        return;
    for (size_t i = 0; u >= 0 && i < e->nusers; i++)
        if (e->users[i] == (uint32_t)u)
            return;
    if (u >= 0 && e->nusers < SQ_SCAN_AGG_USERS)
        e->users[e->nusers++] = (uint32_t)u;
    else
        e->flags |= SRC_USERS_MORE;
}

static void
add_tags(sq_scan_agg *a, struct sq_scan_src *e, const sq_scan_hit *h)
{
    long s = names_get(&a->svc, h->service);

    if (s >= 0 && s < 32)
        e->services |= 1u << s;
    if (e->proto == 0 && (s = names_get(&a->proto, h->protocol)) >= 0)
        e->proto = (uint8_t)(s + 1);
    if (e->dest == 0 && (s = names_get(&a->dests, h->dest_ip)) >= 0)
        e->dest = (uint32_t)s + 1;
    if (e->sport == 0 && h->source_port > 0 && h->source_port < 65536)
        e->sport = (uint16_t)h->source_port;
}

static void
add_time(struct sq_scan_src *e, const sq_scan_hit *h)
{
    if (h->time <= 0)
        return;
    if (e->first == 0 || h->time < e->first) {
        if (e->first == 0 && h->zone_known) {
            e->flags |= SRC_ZONE;
            e->zone = (int16_t)h->zone;
        }
        e->first = h->time;
    }
    if (h->time > e->last)
        e->last = h->time;
}

sq_status
sq_scan_agg_add(sq_scan_agg *a, const sq_scan_hit *h)
{
    struct sq_scan_src *e;
    sq_ipaddr ip;
    int full = 0;
    unsigned n = h->count ? h->count : 1;

    if (h->ip == NULL || (unsigned)h->kind >= SQ_KIND_MAX ||
        !sq_ipaddr_parse(h->ip, strlen(h->ip), &ip))
        return SQ_EINVAL;
    if ((e = entry_get(a, &ip, (unsigned)h->kind, &full)) == NULL) {
        if (!full)
            return SQ_ENOMEM;
        a->dropped++;
        return SQ_ELIMIT_MEMORY;
    }
    if (h->helper)
        e->helper = e->helper + n < e->helper ? UINT32_MAX : e->helper + n;
    else
        e->attempts =
            e->attempts + n < e->attempts ? UINT32_MAX : e->attempts + n;
    if (e->events < UINT32_MAX)
        e->events++;
    add_time(e, h);
    add_port(e, h->dest_port);
    add_user(a, e, h->user);
    add_tags(a, e, h);
    add_line(a, e, h->line, h->len);
    return SQ_OK;
}

void
sq_scan_hit_from_event(const sq_scan_event *ev, const char *line, size_t len,
                       sq_scan_hit *h)
{
    unsigned f = sq_scan_event_flags(ev);

    memset(h, 0, sizeof(*h));
    h->ip = sq_scan_event_source_ip(ev);
    h->time = sq_scan_event_time(ev);
    h->zone = sq_scan_event_zone(ev);
    h->zone_known = (f & SQ_SCAN_EV_ZONE) != 0;
    h->count = sq_scan_event_count(ev);
    h->helper = (f & SQ_SCAN_EV_HELPER) != 0;
    h->kind = sq_scan_event_kind(ev);
    h->service = sq_scan_event_service(ev);
    h->protocol = sq_scan_event_protocol(ev);
    h->dest_ip = sq_scan_event_dest_ip(ev);
    h->user = sq_scan_event_user(ev);
    h->source_port = sq_scan_event_source_port(ev);
    h->dest_port = sq_scan_event_dest_port(ev);
    h->line = line;
    h->len = len;
}

size_t
sq_scan_agg_count(const sq_scan_agg *a)
{
    return a->n;
}

const sq_scan_src *
sq_scan_agg_get(const sq_scan_agg *a, size_t i)
{
    return i < a->n ? &a->ent[i] : NULL;
}

unsigned long long
sq_scan_agg_dropped(const sq_scan_agg *a)
{
    return a->dropped;
}

unsigned long long
sq_scan_agg_lines_unkept(const sq_scan_agg *a)
{
    return a->unkept;
}

static size_t
names_bytes(const struct names *nm)
{
    return nm->cap + nm->ncap * 4 + nm->tcap * 4;
}

size_t
sq_scan_agg_bytes(const sq_scan_agg *a)
{
    return sizeof(*a) + a->cap * sizeof(*a->ent) + a->icap * 4 + a->evcap +
           names_bytes(&a->svc) + names_bytes(&a->proto) +
           names_bytes(&a->users) + names_bytes(&a->dests);
}

/* Copy e's evidence into the arena of b (the pruned aggregator). */
static void
copy_lines(const sq_scan_agg *from, sq_scan_agg *to, struct sq_scan_src *e)
{
    uint32_t off = e->ev_head;
    size_t n = e->nlines;

    e->ev_head = e->ev_tail = 0;
    e->nlines = 0;
    for (size_t i = 0; i < n && off != 0; i++) {
        uint16_t len;
        uint32_t next;

        memcpy(&next, from->ev + off, 4);
        memcpy(&len, from->ev + off + 4, 2);
        add_line(to, e, (const char *)from->ev + off + REC_HEAD, len);
        off = next;
    }
}

sq_status
sq_scan_agg_prune(sq_scan_agg *a, int (*keep)(void *ctx, const sq_scan_src *s),
                  void *ctx)
{
    sq_scan_agg tmp;
    size_t k = 0;

    memset(&tmp, 0, sizeof(tmp));
    for (size_t i = 0; i < a->n; i++) {
        if (!keep(ctx, &a->ent[i]))
            continue;
        a->ent[k] = a->ent[i];
        copy_lines(a, &tmp, &a->ent[k]);
        k++;
    }
    free(a->ev);
    a->ev = tmp.ev;
    a->evlen = tmp.evlen;
    a->evcap = tmp.evcap;
    a->unkept += tmp.unkept;
    a->n = k;
    return index_rebuild(a, a->icap ? a->icap : 512) ? SQ_OK : SQ_ENOMEM;
}

/* ---- entry fields ---- */

const char *
sq_scan_src_ip(const sq_scan_src *s, char *buf)
{
    sq_ipaddr ip;

    memcpy(ip.b, s->ip, 16);
    ip.v4 = s->v4;
    sq_ipaddr_format(&ip, buf);
    return buf;
}

sq_report_kind
sq_scan_src_kind(const sq_scan_src *s)
{
    return (sq_report_kind)s->kind;
}

unsigned long
sq_scan_src_attempts(const sq_scan_src *s)
{
    return s->attempts > 0 ? s->attempts : s->helper;
}

unsigned long
sq_scan_src_events(const sq_scan_src *s)
{
    return s->events;
}

long long
sq_scan_src_first(const sq_scan_src *s)
{
    return s->first;
}

long long
sq_scan_src_last(const sq_scan_src *s)
{
    return s->last;
}

int
sq_scan_src_zone(const sq_scan_src *s, int *known)
{
    if (known != NULL)
        *known = (s->flags & SRC_ZONE) != 0;
    return s->zone;
}

size_t
sq_scan_src_nports(const sq_scan_src *s)
{
    return s->nports;
}

unsigned
sq_scan_src_port(const sq_scan_src *s, size_t i)
{
    return i < s->nports ? s->ports[i] : 0;
}

unsigned
sq_scan_src_source_port(const sq_scan_src *s)
{
    return s->sport;
}

int
sq_scan_src_ports_more(const sq_scan_src *s)
{
    return (s->flags & SRC_PORTS_MORE) != 0;
}

int
sq_scan_src_users_more(const sq_scan_src *s)
{
    return (s->flags & SRC_USERS_MORE) != 0;
}

size_t
sq_scan_src_nservices(const sq_scan_src *s)
{
    return (size_t)__builtin_popcount(s->services);
}

const char *
sq_scan_src_service(const sq_scan_agg *a, const sq_scan_src *s, size_t i)
{
    for (unsigned b = 0; b < 32; b++)
        if ((s->services & (1u << b)) && i-- == 0)
            return names_str(&a->svc, b);
    return NULL;
}

size_t
sq_scan_src_nusers(const sq_scan_src *s)
{
    return s->nusers;
}

const char *
sq_scan_src_user(const sq_scan_agg *a, const sq_scan_src *s, size_t i)
{
    return i < s->nusers ? names_str(&a->users, s->users[i]) : NULL;
}

const char *
sq_scan_src_dest_ip(const sq_scan_agg *a, const sq_scan_src *s)
{
    return s->dest ? names_str(&a->dests, s->dest - 1) : "";
}

const char *
sq_scan_src_protocol(const sq_scan_agg *a, const sq_scan_src *s)
{
    return s->proto ? names_str(&a->proto, s->proto - 1u) : "";
}

size_t
sq_scan_src_nlines(const sq_scan_src *s)
{
    return s->nlines;
}

const char *
sq_scan_src_line(const sq_scan_agg *a, const sq_scan_src *s, size_t i,
                 size_t *len)
{
    uint32_t off = s->ev_head;
    uint16_t l16;

    for (; off != 0 && i > 0; i--)
        memcpy(&off, a->ev + off, 4);
    if (off == 0)
        return NULL;
    memcpy(&l16, a->ev + off + 4, 2);
    *len = l16;
    return (const char *)a->ev + off + REC_HEAD;
}

/*
 * learn.c - learning the user's own relay chain from mail they received
 * (SpamCop "Mailhosts" style), for trusted_networks and
 * trusted_by_hosts.
 *
 * ALGORITHM.  Each message's Received relays are parsed newest first
 * (non-relay and unparseable lines skipped) and only the top
 * SQ_LEARN_MAX_DEPTH relays are looked at.  Counted per message:
 *   H(d, by)              the receiving host at depth d;
 *   I(d, by, next_by, ip) the sender IP at depth d together with the
 *                         host that received it and the receiver of the
 *                         next older relay (the host that sent it).
 * Own hosts: walking d = 0, 1, ... the most common receiving host at
 * depth d is the user's own when it appears in at least
 * SQ_LEARN_SHARE_PCT percent of all messages and in at least
 * SQ_LEARN_MIN_MESSAGES; the walk stops at the first depth without
 * such a host.  That gives own hosts H0..H(D-1).
 * Own networks: a relay at depth d < D-1 received by Hd whose next older
 * relay was received by H(d+1) travelled between two own hosts, so its
 * sender IP is one of the user's.  Such IPs seen in at least
 * SQ_LEARN_MIN_MESSAGES messages are learned as single addresses; when
 * two or more of them share an IPv4 /24 the /24 is learned instead.
 * Loopback is always trusted and never listed.  The relay at depth D-1
 * (the handover into the first own host) is the origin and is never
 * learned.
 * Output: networks in netset syntax (space separated), hosts space
 * separated, in depth order; "localhost" names are not listed.
 *
 * Weak spots: depths are aligned from the top, so a mailbox where only
 * some messages have an extra local hop (e.g. a content filter) at the
 * top learns fewer hosts; an MX pool whose members split the traffic
 * below 60% each stops the walk at that depth.
 *
 * Ownership: the learner owns a hash table of counted keys.  Limits:
 * SQ_LEARN_MAX_KEYS distinct keys (later new keys are not counted),
 * SQ_LEARN_MAX_CAND candidate addresses, host names cut at 255 bytes.
 */
#include "trust_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQ_LEARN_MAX_DEPTH 8
#define SQ_LEARN_MAX_KEYS (1u << 20)
#define SQ_LEARN_MAX_CAND 1024
#define SQ_LEARN_MIN_MESSAGES 2
#define SQ_LEARN_SHARE_PCT 60
#define LEARN_NAME 256
#define LEARN_KEY 600
#define SEP '\x1f'

typedef struct lkey {
    char *key; /* NULL: empty slot */
    size_t count;
} lkey;

struct sq_trust_learner {
    lkey *tab;
    size_t cap, used;
    size_t messages;
};

typedef struct lrelay {
    char by[LEARN_NAME];
    char ip[46];
} lrelay;

sq_status
sq_trust_learner_new(sq_trust_learner **out)
{
    sq_trust_learner *l;

    if (out == NULL)
        return SQ_EINVAL;
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return SQ_ENOMEM;
    l->cap = 1024;
    l->tab = calloc(l->cap, sizeof(*l->tab));
    if (l->tab == NULL) {
        free(l);
        return SQ_ENOMEM;
    }
    *out = l;
    return SQ_OK;
}

void
sq_trust_learner_free(sq_trust_learner *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->cap; i++)
        free(l->tab[i].key);
    free(l->tab);
    free(l);
}

size_t
sq_trust_learner_messages(const sq_trust_learner *l)
{
    return l == NULL ? 0 : l->messages;
}

/* ------------------------------------------------------------------ */
/* the counting table (FNV-1a, open addressing)                       */

static size_t
hash_key(const char *k)
{
    unsigned long long h = 1469598103934665603ULL;

    for (; *k != '\0'; k++) {
        h ^= (unsigned char)*k;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

static lkey *
slot_of(lkey *tab, size_t cap, const char *k)
{
    size_t i = hash_key(k) & (cap - 1);

    while (tab[i].key != NULL && strcmp(tab[i].key, k) != 0)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int
grow(sq_trust_learner *l)
{
    size_t nc = l->cap * 2;
    lkey *nt = calloc(nc, sizeof(*nt));

    if (nt == NULL)
        return 0;
    for (size_t i = 0; i < l->cap; i++)
        if (l->tab[i].key != NULL)
            *slot_of(nt, nc, l->tab[i].key) = l->tab[i];
    free(l->tab);
    l->tab = nt;
    l->cap = nc;
    return 1;
}

static sq_status
count_key(sq_trust_learner *l, const char *k)
{
    lkey *s;

    if (l->used * 10 >= l->cap * 7 && l->used < SQ_LEARN_MAX_KEYS && !grow(l))
        return SQ_ENOMEM;
    s = slot_of(l->tab, l->cap, k);
    if (s->key == NULL) {
        if (l->used >= SQ_LEARN_MAX_KEYS || l->used + 1 >= l->cap)
            return SQ_OK; /* full: new keys are not counted */
        s->key = strdup(k);
        if (s->key == NULL)
            return SQ_ENOMEM;
        l->used++;
    }
    s->count++;
    return SQ_OK;
}

/* ------------------------------------------------------------------ */
/* feeding messages                                                   */

static void
lower_copy(const char *s, char *out)
{
    size_t n = strlen(s), o = 0;

    while (n > 0 && s[n - 1] == '.')
        n--;
    for (size_t i = 0; i < n && o + 1 < LEARN_NAME; i++) {
        char c = s[i];

        if (c == SEP)
            c = '?';
        out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[o] = '\0';
}

/* The top relays of a message (by, ip); returns how many. */
static sq_status
top_relays(const sq_headers *h, lrelay *rel, size_t *n)
{
    *n = 0;
    for (size_t i = sq_headers_find(h, "Received", 0);
         i != (size_t)-1 && *n <= SQ_LEARN_MAX_DEPTH;
         i = sq_headers_find(h, "Received", i + 1)) {
        size_t len = 0;
        const char *v = sq_headers_value(h, i, &len);
        sq_relay *r = NULL;
        sq_status st = sq_received_parse(v, len, &r);

        if (st == SQ_ENOMEM)
            return st;
        if (st != SQ_OK)
            continue;
        lower_copy(sq_relay_get(r, SQ_RELAY_BY), rel[*n].by);
        snprintf(rel[*n].ip, sizeof(rel[*n].ip), "%s",
                 sq_relay_get(r, SQ_RELAY_IP));
        sq_relay_free(r);
        (*n)++;
    }
    return SQ_OK;
}

static int
key_fits(int n)
{
    return n >= 0 && (size_t)n < LEARN_KEY;
}

sq_status
sq_trust_learner_add(sq_trust_learner *l, const sq_headers *h)
{
    lrelay rel[SQ_LEARN_MAX_DEPTH + 1];
    char key[LEARN_KEY];
    size_t n;
    sq_status st;

    if (l == NULL || h == NULL)
        return SQ_EINVAL;
    st = top_relays(h, rel, &n);
    for (size_t d = 0; st == SQ_OK && d < n && d < SQ_LEARN_MAX_DEPTH; d++) {
        if (rel[d].by[0] == '\0')
            continue;
        /* A key that does not fit (absurdly long names) is not counted. */
        if (key_fits(snprintf(key, sizeof(key), "H%zu%c%s", d, SEP, rel[d].by)))
            st = count_key(l, key);
        if (st == SQ_OK && d + 1 < n && rel[d].ip[0] != '\0' &&
            key_fits(snprintf(key, sizeof(key), "I%zu%c%s%c%s%c%s", d, SEP,
                              rel[d].by, SEP, rel[d + 1].by, SEP, rel[d].ip)))
            st = count_key(l, key);
    }
    if (st == SQ_OK)
        l->messages++;
    return st;
}

/* ------------------------------------------------------------------ */
/* the result                                                         */

typedef struct cand {
    sq_ipaddr a;
    char ip[46];
    size_t depth, count;
    int done;
} cand;

typedef struct learned {
    const char *host[SQ_LEARN_MAX_DEPTH]; /* into the table's keys */
    size_t depth;
    cand c[SQ_LEARN_MAX_CAND];
    size_t nc;
} learned;

static const char *
key_depth(const char *k, char kind, size_t d)
{
    char pre[8];
    int n = snprintf(pre, sizeof(pre), "%c%zu%c", kind, d, SEP);

    return strncmp(k, pre, (size_t)n) == 0 ? k + n : NULL;
}

static void
learn_hosts(const sq_trust_learner *l, learned *res)
{
    for (size_t d = 0; d < SQ_LEARN_MAX_DEPTH; d++) {
        const lkey *best = NULL;

        for (size_t i = 0; i < l->cap; i++) {
            const lkey *s = &l->tab[i];

            if (s->key != NULL && key_depth(s->key, 'H', d) != NULL &&
                (best == NULL || s->count > best->count ||
                 (s->count == best->count && strcmp(s->key, best->key) < 0)))
                best = s;
        }
        if (best == NULL || best->count < SQ_LEARN_MIN_MESSAGES ||
            best->count * 100 < l->messages * SQ_LEARN_SHARE_PCT)
            return;
        res->host[d] = key_depth(best->key, 'H', d);
        res->depth = d + 1;
    }
}

/* "by SEP next SEP ip" matches the own hosts at d and d+1. */
static const char *
own_link(const learned *res, const char *rest, size_t d)
{
    const char *want[2] = {res->host[d], res->host[d + 1]};

    for (size_t k = 0; k < 2; k++) {
        size_t hl = strlen(want[k]);

        if (strlen(rest) <= hl || memcmp(rest, want[k], hl) != 0 ||
            rest[hl] != SEP)
            return NULL;
        rest += hl + 1;
    }
    return rest;
}

static void
add_cand(learned *res, const char *ip, size_t d, size_t count)
{
    sq_ipaddr a;

    if (!sq_ipaddr_parse(ip, strlen(ip), &a) ||
        (sq_ipaddr_class(&a) & SQ_IP_LOOPBACK))
        return;
    for (size_t i = 0; i < res->nc; i++) {
        if (memcmp(res->c[i].a.b, a.b, 16) == 0) {
            res->c[i].count += count;
            if (d < res->c[i].depth)
                res->c[i].depth = d;
            return;
        }
    }
    if (res->nc == SQ_LEARN_MAX_CAND)
        return;
    res->c[res->nc].a = a;
    sq_ipaddr_format(&a, res->c[res->nc].ip);
    res->c[res->nc].depth = d;
    res->c[res->nc].count = count;
    res->c[res->nc].done = 0;
    res->nc++;
}

static int
cand_cmp(const void *x, const void *y)
{
    const cand *a = x, *b = y;

    if (a->depth != b->depth)
        return a->depth < b->depth ? -1 : 1;
    return memcmp(a->a.b, b->a.b, 16);
}

static void
learn_candidates(const sq_trust_learner *l, learned *res)
{
    for (size_t i = 0; i < l->cap; i++) {
        const char *k = l->tab[i].key;

        if (k == NULL)
            continue;
        for (size_t d = 0; d + 1 < res->depth; d++) {
            const char *rest = key_depth(k, 'I', d), *ip;

            if (rest != NULL && (ip = own_link(res, rest, d)) != NULL)
                add_cand(res, ip, d, l->tab[i].count);
        }
    }
    qsort(res->c, res->nc, sizeof(res->c[0]), cand_cmp);
}

static sq_status
append(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s), sep = *len > 0 ? 1 : 0;

    if (n + sep >= cap - *len)
        return SQ_EINVAL;
    if (sep)
        buf[(*len)++] = ' ';
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return SQ_OK;
}

static int
same24(const cand *a, const cand *b)
{
    return a->a.v4 && b->a.v4 && memcmp(a->a.b, b->a.b, 15) == 0;
}

/* Emit the /24 of c[i] when two or more candidates share it. */
static sq_status
emit_net(learned *res, size_t i, char *buf, size_t cap, size_t *len)
{
    size_t distinct = 0, total = 0;
    char net[64];
    const uint8_t *q = res->c[i].a.b + 12;

    for (size_t j = i; j < res->nc; j++) {
        if (same24(&res->c[i], &res->c[j])) {
            distinct++;
            total += res->c[j].count;
        }
    }
    if (distinct >= 2 && total >= SQ_LEARN_MIN_MESSAGES) {
        for (size_t j = i; j < res->nc; j++)
            if (same24(&res->c[i], &res->c[j]))
                res->c[j].done = 1;
        snprintf(net, sizeof(net), "%u.%u.%u.0/24", q[0], q[1], q[2]);
        return append(buf, cap, len, net);
    }
    res->c[i].done = 1;
    if (res->c[i].count < SQ_LEARN_MIN_MESSAGES)
        return SQ_OK;
    return append(buf, cap, len, res->c[i].ip);
}

static int
is_localhost(const char *h)
{
    return strcmp(h, "localhost") == 0 || strncmp(h, "localhost.", 10) == 0;
}

static sq_status
write_hosts(const learned *res, char *buf, size_t cap, size_t *len)
{
    for (size_t d = 0; d < res->depth; d++) {
        const char *h = res->host[d];
        int dup = is_localhost(h);

        for (size_t e = 0; e < d && !dup; e++)
            dup = strcmp(res->host[e], h) == 0;
        if (!dup && append(buf, cap, len, h) != SQ_OK)
            return SQ_EINVAL;
    }
    return SQ_OK;
}

sq_status
sq_trust_learner_result(const sq_trust_learner *l, char *networks, size_t nlen,
                        char *hosts, size_t hlen)
{
    learned *res;
    size_t nl = 0, hl = 0;
    sq_status st = SQ_OK;

    if (l == NULL || networks == NULL || hosts == NULL || nlen == 0 ||
        hlen == 0)
        return SQ_EINVAL;
    res = calloc(1, sizeof(*res));
    if (res == NULL)
        return SQ_ENOMEM;
    networks[0] = hosts[0] = '\0';
    learn_hosts(l, res);
    learn_candidates(l, res);
    for (size_t i = 0; i < res->nc && st == SQ_OK; i++)
        if (!res->c[i].done)
            st = emit_net(res, i, networks, nlen, &nl);
    if (st == SQ_OK)
        st = write_hosts(res, hosts, hlen, &hl);
    if (st == SQ_OK && nl == 0 && hl == 0)
        st = SQ_ENOTFOUND;
    free(res);
    return st;
}

/*
 * stats.c - who acts: per network and per abuse desk, the reports sent,
 * bounced and acknowledged, the tickets, how often abuse continued
 * after a report and how soon (median seconds from the report to the
 * first and to the last sighting).
 *
 * One query loads the sent reports with their sighting summary
 * (trk_load, shared with escalate.c); grouping and medians are done
 * here.  Ownership: an sq_stats owns its rows and their strings.
 */
#include "tracking/tracking_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- loading ---- */

typedef struct trk_load_ctx {
    trk_reps *r;
    int oom;
} trk_load_ctx;

static const char *
col_str(sq_arena *a, const sq_value *c)
{
    if (c->type != SQ_VAL_TEXT)
        return "";
    return sq_arena_strndup(a, c->s, c->len);
}

static long long
col_int(const sq_value *c)
{
    return c->type == SQ_VAL_INT ? c->i : 0;
}

static int
load_row(void *arg, const sq_value *cols, size_t ncols)
{
    trk_load_ctx *x = arg;
    trk_reps *r = x->r;
    trk_rep *p;

    if (ncols < 10)
        return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        trk_rep *v = realloc(r->v, cap * sizeof(*v));

        if (v == NULL)
            return x->oom = 1;
        r->v = v;
        r->cap = cap;
    }
    p = &r->v[r->n];
    memset(p, 0, sizeof(*p));
    p->id = col_int(&cols[0]);
    if (cols[1].type != SQ_VAL_TEXT ||
        sq_outbox_state_parse(cols[1].s, &p->state) != SQ_OK)
        p->state = SQ_OB_SENT;
    p->sent = col_int(&cols[2]);
    p->dest = col_str(r->a, &cols[3]);
    p->network = col_str(r->a, &cols[4]);
    p->ticket = col_str(r->a, &cols[5]);
    p->first = col_int(&cols[6]);
    p->last = col_int(&cols[7]);
    p->days = col_int(&cols[8]);
    p->ip = col_str(r->a, &cols[9]);
    if (p->dest == NULL || p->network == NULL || p->ticket == NULL ||
        p->ip == NULL)
        return x->oom = 1;
    r->n++;
    return 0;
}

static int
dead_row(void *arg, const sq_value *cols, size_t ncols)
{
    trk_reps *r = arg;

    if (ncols < 1 || cols[0].type != SQ_VAL_TEXT)
        return 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcasecmp(r->v[i].dest, cols[0].s) == 0)
            r->v[i].dead = 1;
    return 0;
}

sq_status
trk_load(sq_tracking *tr, long long since, trk_reps *out, sq_diag *d)
{
    trk_load_ctx x = {out, 0};
    sq_value p[1];
    sq_status st;

    memset(out, 0, sizeof(*out));
    if ((out->a = sq_arena_new(16384)) == NULL)
        return SQ_ENOMEM;
    p[0] = SQ_VINT(since);
    st = sq_store_exec(
        tr->store,
        "SELECT o.id, o.state, o.sent, o.dest, o.network,"
        " COALESCE(o.ticket, ''),"
        " (SELECT MIN(s.first) FROM tracking_sighting s WHERE s.report = o.id),"
        " (SELECT MAX(s.last) FROM tracking_sighting s WHERE s.report = o.id),"
        " (SELECT COUNT(*) FROM tracking_sighting s WHERE s.report = o.id),"
        " (SELECT l.ip FROM tracking_link l WHERE l.report = o.id)"
        " FROM outbox_report o WHERE o.sent IS NOT NULL AND o.sent > 0 AND"
        " o.sent >= $1 ORDER BY o.sent, o.id",
        p, 1, load_row, &x, d);
    if (st == SQ_OK && x.oom)
        st = SQ_ENOMEM;
    if (st == SQ_OK)
        st = sq_store_exec(tr->store, "SELECT address FROM tracking_dead", NULL,
                           0, dead_row, out, d);
    if (st != SQ_OK)
        trk_reps_free(out);
    return st;
}

void
trk_reps_free(trk_reps *r)
{
    free(r->v);
    sq_arena_free(r->a);
    memset(r, 0, sizeof(*r));
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

long long
trk_median(long long *v, size_t n)
{
    if (n == 0)
        return -1;
    qsort(v, n, sizeof(*v), cmp_ll);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- grouping ---- */

struct sq_stats {
    sq_stats_row *rows;
    size_t n;
    trk_reps reps; /* rows' keys point into its arena */
};

typedef struct trk_sort {
    const trk_rep *rep;
    const char *key;
} trk_sort;

static int
cmp_key(const void *a, const void *b)
{
    const trk_sort *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 ? c : (x->rep->id < y->rep->id ? -1 : 1);
}

static int
cmp_row(const void *a, const void *b)
{
    const sq_stats_row *x = a, *y = b;

    if (x->sent != y->sent)
        return x->sent > y->sent ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* One row from the reports s[0..n) of one key; f, l are scratch. */
static void
fill_row(sq_stats_row *row, const trk_sort *s, size_t n, long long *f,
         long long *l)
{
    size_t k = 0;

    memset(row, 0, sizeof(*row));
    row->key = s[0].key;
    row->dead = 1;
    for (size_t i = 0; i < n; i++) {
        const trk_rep *p = s[i].rep;

        row->sent++;
        row->bounced += p->state == SQ_OB_BOUNCED;
        row->acknowledged += p->state == SQ_OB_ACKNOWLEDGED;
        row->tickets += p->ticket[0] != '\0';
        row->dead &= p->dead;
        if (p->days > 0 && p->first > 0) {
            f[k] = p->first - p->sent;
            l[k] = p->last - p->sent;
            k++;
        }
    }
    row->continued = (long long)k;
    row->median_first = trk_median(f, k);
    row->median_last = trk_median(l, k);
}

static sq_status
group(sq_stats *st, sq_stats_by by)
{
    size_t n = st->reps.n, i = 0;
    trk_sort *s = calloc(n ? n : 1, sizeof(*s));
    long long *f = calloc(n ? n : 1, sizeof(*f));
    long long *l = calloc(n ? n : 1, sizeof(*l));
    sq_status rc = SQ_ENOMEM;

    st->rows = calloc(n ? n : 1, sizeof(*st->rows));
    if (s == NULL || f == NULL || l == NULL || st->rows == NULL)
        goto out;
    for (size_t k = 0; k < n; k++) {
        s[k].rep = &st->reps.v[k];
        s[k].key = by == SQ_STATS_DESK ? s[k].rep->dest : s[k].rep->network;
    }
    qsort(s, n, sizeof(*s), cmp_key);
    while (i < n) {
        size_t j = i + 1;

        while (j < n && strcmp(s[j].key, s[i].key) == 0)
            j++;
        fill_row(&st->rows[st->n++], s + i, j - i, f, l);
        i = j;
    }
    qsort(st->rows, st->n, sizeof(*st->rows), cmp_row);
    rc = SQ_OK;
out:
    free(s);
    free(f);
    free(l);
    return rc;
}

sq_status
sq_tracking_stats(sq_tracking *tr, sq_stats_by by, long long since, sq_diag *d,
                  sq_stats **out)
{
    sq_stats *st;
    sq_status rc;

    if (tr == NULL || out == NULL ||
        (by != SQ_STATS_NETWORK && by != SQ_STATS_DESK))
        return SQ_EINVAL;
    if ((st = calloc(1, sizeof(*st))) == NULL)
        return SQ_ENOMEM;
    if ((rc = trk_load(tr, since, &st->reps, d)) != SQ_OK ||
        (rc = group(st, by)) != SQ_OK) {
        sq_stats_free(st);
        return rc;
    }
    *out = st;
    return SQ_OK;
}

void
sq_stats_free(sq_stats *s)
{
    if (s == NULL)
        return;
    free(s->rows);
    trk_reps_free(&s->reps);
    free(s);
}

size_t
sq_stats_count(const sq_stats *s)
{
    return s != NULL ? s->n : 0;
}

const sq_stats_row *
sq_stats_row_at(const sq_stats *s, size_t i)
{
    return s != NULL && i < s->n ? &s->rows[i] : NULL;
}

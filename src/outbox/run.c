/*
 * run.c - a send run: recover dead runs' claims, give up on reports
 * deferred too long, then send what is due, destination by destination.
 *
 * Per destination: at most desk_rate_limit mails per desk_rate_interval
 * (counted from outbox_send, so the limit holds across runs and processes).
 * With digest_interval set, a destination's due reports wait until the oldest
 * has waited digest_interval and the last mail to it is digest_interval
 * old (or the oldest is digest_max_age old, or the caller flushes), then
 * go as one mail of up to digest_max_reports reports; a lone report goes
 * as itself.
 *
 * One mail = claim (commit) -> build -> transport, whose on_data hook
 * commits phase DATA -> finish (commit).  ops.c has the transactions.
 */
#include "outbox/outbox_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_sender {
    sq_sender_opts *o;
};

static int
ob_header_text_ok(const char *s)
{
    return s == NULL || (strpbrk(s, "\r\n") == NULL && strlen(s) < 1000);
}

static sq_status
ob_check_opts(const sq_sender_opts *o, sq_diag *d)
{
    char buf[OB_ADDR_MAX + 1];

    if (o->envelope_sender == NULL ||
        sq_outbox_verp_address(o->envelope_sender, "abcdefghijklmnopqrst", buf,
                               sizeof(buf)) != SQ_OK) {
        sq_diag_addf(d, NULL, 0,
                     "envelope_sender: want an address such as "
                     "bounces+{tag}@example.org");
        return SQ_ECONFIG;
    }
    if (o->transport == OB_SMTP &&
        (o->smtp_url == NULL || (strncmp(o->smtp_url, "smtp://", 7) != 0 &&
                                 strncmp(o->smtp_url, "smtps://", 8) != 0))) {
        sq_diag_addf(d, NULL, 0,
                     "smtp_url: want smtp://HOST[:PORT] or "
                     "smtps://HOST[:PORT]");
        return SQ_ECONFIG;
    }
    if (o->transport == OB_SMTP && o->smtp_user != NULL &&
        o->tls == OB_TLS_NONE && strncmp(o->smtp_url, "smtps://", 8) != 0) {
        sq_diag_addf(d, NULL, 0,
                     "smtp_user: refusing to send a password "
                     "without TLS (smtp_tls = none)");
        return SQ_ECONFIG;
    }
    if (o->digest_interval > 0 && o->from == NULL) {
        sq_diag_addf(d, NULL, 0,
                     "digest_interval needs report_from (the "
                     "From of digest mails)");
        return SQ_ECONFIG;
    }
    if (!ob_header_text_ok(o->from) || !ob_header_text_ok(o->reply_to) ||
        !ob_header_text_ok(o->msgid_domain)) {
        sq_diag_addf(d, NULL, 0,
                     "report_from, report_reply_to and "
                     "message_id_domain must be one line");
        return SQ_ECONFIG;
    }
    return SQ_OK;
}

sq_status
sq_sender_new(const sq_sender_opts *o, sq_diag *d, sq_sender **out)
{
    sq_sender *s;
    sq_status st;

    if (o == NULL || out == NULL)
        return SQ_EINVAL;
    if ((st = ob_check_opts(o, d)) != SQ_OK)
        return st;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return SQ_ENOMEM;
    if ((st = ob_opts_copy(o, &s->o)) != SQ_OK) {
        free(s);
        return st;
    }
    *out = s;
    return SQ_OK;
}

void
sq_sender_free(sq_sender *s)
{
    if (s == NULL)
        return;
    sq_sender_opts_free(s->o);
    free(s);
}

/* ---- due reports ---- */

typedef struct ob_due {
    long long *ids, *created;
    char **dest;
    size_t n, cap;
    sq_arena *arena;
    sq_status st;
} ob_due;

static int
ob_due_cb(void *arg, const sq_value *cols, size_t ncols)
{
    ob_due *q = arg;

    if (ncols != 3 || cols[1].type != SQ_VAL_TEXT)
        return 0;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        long long *a = realloc(q->ids, cap * sizeof(*a));
        long long *b = a ? realloc(q->created, cap * sizeof(*b)) : NULL;
        char **c = b ? realloc(q->dest, cap * sizeof(*c)) : NULL;
        if (a)
            q->ids = a;
        if (b)
            q->created = b;
        if (c == NULL) {
            q->st = SQ_ENOMEM;
            return 1;
        }
        q->dest = c;
        q->cap = cap;
    }
    q->ids[q->n] = cols[0].i;
    q->created[q->n] = cols[2].type == SQ_VAL_INT ? cols[2].i : 0;
    if ((q->dest[q->n] = sq_arena_strndup(q->arena, cols[1].s, cols[1].len)) ==
        NULL) {
        q->st = SQ_ENOMEM;
        return 1;
    }
    q->n++;
    return 0;
}

static void
ob_due_free(ob_due *q)
{
    free(q->ids);
    free(q->created);
    free(q->dest);
    sq_arena_free(q->arena);
}

static sq_status
ob_due_load(sq_outbox *ob, ob_due *q, sq_diag *d)
{
    sq_value p[1];
    sq_status st;

    if ((q->arena = sq_arena_new(8192)) == NULL)
        return SQ_ENOMEM;
    p[0] = SQ_VINT(ob_now(ob));
    st = sq_store_exec(ob->store,
                       "SELECT id, dest, created FROM outbox_report"
                       " WHERE state IN ('queued', 'deferred') AND"
                       " next_attempt <= $1 ORDER BY dest, id",
                       p, 1, ob_due_cb, q, d);
    return st == SQ_OK ? q->st : st;
}

static int
ob_int_cb(void *arg, const sq_value *cols, size_t ncols)
{
    if (ncols == 1 && cols[0].type == SQ_VAL_INT)
        *(long long *)arg = cols[0].i;
    return 1;
}

/* Mails sent to dest after t; or (last) the time of the last of them. */
static sq_status
ob_sends(sq_outbox *ob, const char *dest, long long t, int last, long long *out,
         sq_diag *d)
{
    sq_value p[2];

    p[0] = SQ_VTEXT(dest);
    p[1] = SQ_VINT(t);
    *out = 0;
    return sq_store_exec(ob->store,
                         last ? "SELECT MAX(at) FROM outbox_send WHERE"
                                " dest = $1 AND at > $2"
                              : "SELECT COUNT(*) FROM outbox_send WHERE"
                                " dest = $1 AND at > $2",
                         p, 2, ob_int_cb, out, d);
}

static sq_status
ob_give_up(sq_outbox *ob, const sq_sender_opts *o, sq_diag *d)
{
    sq_value p[1];

    p[0] = SQ_VINT(ob_now(ob) - o->retry_give_up);
    return sq_store_exec(ob->store,
                         "UPDATE outbox_report SET state = 'failed',"
                         " last_error = 'gave up retrying: ' ||"
                         " COALESCE(last_error, '') WHERE state = 'deferred'"
                         " AND created < $1",
                         p, 1, NULL, NULL, d);
}

/* ---- one mail ---- */

typedef struct ob_send {
    sq_sender *s;
    sq_outbox *ob;
    sq_send_stats *stats;
    sq_diag *d;
    const long long *claimed;
    size_t nclaimed;
    int stopped;
} ob_send;

static int
ob_on_data(void *arg)
{
    ob_send *x = arg;

    return ob_mark_data(x->ob, x->claimed, x->nclaimed, x->d) != SQ_OK;
}

typedef struct ob_batch {
    sq_outbox_item *it[1000];
    char msgid[1000][OB_MSGID_MAX + 1];
    long long ids[1000], claimed[1000];
    size_t n, nclaimed;
} ob_batch;

static const char *
ob_domain(const sq_sender_opts *o)
{
    return o->msgid_domain ? o->msgid_domain
                           : ob_addr_domain(o->envelope_sender);
}

static sq_status
ob_build(const sq_sender_opts *o, ob_batch *b, const char *dest, long long now,
         const char *wire_msgid, ob_buf *out)
{
    char date[64];
    ob_edit e = {o->from, o->reply_to, dest, NULL, date};
    ob_part parts[1000];
    size_t k = 0;

    ob_rfc5322_date(now, date, sizeof(date));
    for (size_t i = 0; i < b->n; i++) {
        for (size_t j = 0; j < b->nclaimed; j++) {
            if (b->claimed[j] != b->ids[i])
                continue;
            parts[k].msg = sq_outbox_item_message(b->it[i], &parts[k].len);
            parts[k].id = b->ids[i];
            parts[k].message_id = b->msgid[i];
            k++;
        }
    }
    if (k == 1) {
        e.message_id = parts[0].message_id;
        return ob_wire_message(parts[0].msg, parts[0].len, &e,
                               o->transport == OB_SMTP, out);
    }
    e.message_id = wire_msgid;
    if (o->transport == OB_SMTP)
        return ob_wire_digest(parts, k, &e, out);
    {
        /* sendmail wants LF line ends: re-end the CRLF digest. */
        ob_buf crlf = {NULL, 0, 0};
        ob_edit none = {NULL, NULL, NULL, NULL, NULL};
        sq_status st = ob_wire_digest(parts, k, &e, &crlf);
        if (st == SQ_OK)
            st = ob_wire_message(crlf.p, crlf.len, &none, 0, out);
        ob_buf_free(&crlf);
        return st;
    }
}

static void
ob_count(sq_send_stats *st, const ob_result *r, size_t n)
{
    switch (r->outcome) {
    case OB_SENT:
        st->sent += n;
        break;
    case OB_DEFER:
        st->deferred += n;
        break;
    case OB_FAIL:
        st->failed += n;
        break;
    default:
        st->held += n;
    }
}

static sq_status
ob_transmit(ob_send *x, ob_batch *b, const char *dest, const char *wire_tag,
            const char *wire_msgid)
{
    const sq_sender_opts *o = x->s->o;
    char sender[OB_ADDR_MAX + 1];
    ob_buf wire = {NULL, 0, 0};
    ob_result r = {OB_DEFER, 0, ""};
    ob_mail m;
    sq_status st;

    st = ob_build(o, b, dest, ob_now(x->ob), wire_msgid, &wire);
    if (st == SQ_OK)
        st = sq_outbox_verp_address(o->envelope_sender, wire_tag, sender,
                                    sizeof(sender));
    if (st != SQ_OK) {
        snprintf(r.why, sizeof(r.why), "cannot build the mail: %s",
                 sq_strerror(st));
    } else {
        m = (ob_mail){sender, dest, wire.p, wire.len, ob_on_data, x};
        x->claimed = b->claimed;
        x->nclaimed = b->nclaimed;
        x->stats->mails++;
        if (o->transport == OB_SMTP)
            ob_smtp_send(o, &m, &r);
        else
            ob_pipe_send(o, &m, &r);
    }
    ob_buf_free(&wire);
    st = ob_finish(x->ob, b->claimed, b->nclaimed, dest, &r, o, x->d);
    ob_count(x->stats, &r, b->nclaimed);
    if (r.stop && !x->stopped) {
        x->stopped = 1;
        x->stats->stopped = 1;
        sq_diag_addf(x->d, NULL, 0, "send run stopped: %s", r.why);
    }
    return st;
}

/* Send ids[0..n) to dest as one mail (a digest when n > 1). */
static sq_status
ob_send_mail(ob_send *x, const long long *ids, size_t n, const char *dest,
             size_t *used)
{
    ob_batch *b = calloc(1, sizeof(*b));
    const char *dom = ob_domain(x->s->o);
    char wire_msgid[OB_MSGID_MAX + 1];
    const char *mids[1000];
    sq_status st = SQ_OK;
    size_t total = 0, len;

    *used = n;
    if (b == NULL)
        return SQ_ENOMEM;
    for (size_t i = 0; st == SQ_OK && i < n; i++) {
        const char *mid;
        b->ids[b->n] = ids[i];
        if ((st = sq_outbox_get(x->ob, ids[i], x->d, &b->it[b->n])) != SQ_OK)
            break;
        (void)sq_outbox_item_message(b->it[b->n], &len);
        if (b->n > 0 && len > OB_DIGEST_BYTES - total) {
            sq_outbox_item_free(b->it[b->n]); /* the next digest takes it */
            b->it[b->n] = NULL;
            *used = b->n;
            break;
        }
        total += len;
        mid = sq_outbox_item_message_id(b->it[b->n]);
        if (mid[0])
            snprintf(b->msgid[b->n], sizeof(b->msgid[0]), "%s", mid);
        else
            snprintf(b->msgid[b->n], sizeof(b->msgid[0]), "squeaky.%s@%s",
                     sq_outbox_item_verp_tag(b->it[b->n]), dom);
        mids[b->n] = b->msgid[b->n];
        b->n++;
    }
    if (st == SQ_OK && b->n > 0) {
        const char *tag = sq_outbox_item_verp_tag(b->it[0]);
        if (b->n == 1)
            snprintf(wire_msgid, sizeof(wire_msgid), "%s", b->msgid[0]);
        else
            snprintf(wire_msgid, sizeof(wire_msgid), "squeaky.digest.%s@%s",
                     tag, dom);
        st = ob_claim(x->ob, b->ids, b->n, tag, wire_msgid, mids, b->claimed,
                      &b->nclaimed, x->d);
        if (st == SQ_OK && b->nclaimed > 0)
            st = ob_transmit(x, b, dest, tag, wire_msgid);
    }
    for (size_t i = 0; i < b->n; i++)
        sq_outbox_item_free(b->it[i]);
    free(b);
    return st;
}

/* ---- per destination ---- */

/* 1 when the rate limit lets one more mail go to dest now. */
static sq_status
ob_rate_ok(ob_send *x, const char *dest, int *ok)
{
    const sq_sender_opts *o = x->s->o;
    long long n = 0;
    sq_status st;

    *ok = 1;
    if (o->rate_limit <= 0)
        return SQ_OK;
    st = ob_sends(x->ob, dest, ob_now(x->ob) - o->rate_interval, 0, &n, x->d);
    if (st == SQ_OK && n >= o->rate_limit) {
        *ok = 0;
        x->stats->rate_limited++;
    }
    return st;
}

static sq_status
ob_digest_due(ob_send *x, const ob_due *q, size_t i, size_t j, unsigned flags,
              int *due)
{
    const sq_sender_opts *o = x->s->o;
    long long now = ob_now(x->ob), oldest = q->created[i], last = 0;
    sq_status st;

    for (size_t k = i; k < j; k++)
        if (q->created[k] < oldest)
            oldest = q->created[k];
    *due = (flags & SQ_SEND_FLUSH) ||
           (o->digest_max_age > 0 && now - oldest >= o->digest_max_age);
    if (*due || now - oldest < o->digest_interval)
        return SQ_OK;
    st = ob_sends(x->ob, q->dest[i], now - o->digest_interval, 1, &last, x->d);
    *due = st == SQ_OK && last == 0;
    return st;
}

static sq_status
ob_run_dest(ob_send *x, const ob_due *q, size_t i, size_t j, unsigned flags)
{
    const sq_sender_opts *o = x->s->o;
    size_t per = o->digest_interval > 0 ? (size_t)o->digest_max_reports : 1;
    sq_status st = SQ_OK;
    int due = 1, ok = 1;

    if (o->digest_interval > 0)
        st = ob_digest_due(x, q, i, j, flags, &due);
    while (st == SQ_OK && due && i < j && !x->stopped) {
        size_t n = j - i < per ? j - i : per, used = n;
        if ((st = ob_rate_ok(x, q->dest[i], &ok)) != SQ_OK || !ok)
            break;
        st = ob_send_mail(x, q->ids + i, n, q->dest[i], &used);
        i += used;
    }
    x->stats->waiting += j - i;
    return st;
}

sq_status
sq_sender_run(sq_sender *s, sq_outbox *ob, unsigned flags, sq_send_stats *stats,
              sq_diag *d)
{
    sq_send_stats local;
    ob_due q = {0};
    ob_send x = {s, ob, stats ? stats : &local, d, NULL, 0, 0};
    size_t rec = 0, i = 0;
    sq_status st;

    if (s == NULL || ob == NULL)
        return SQ_EINVAL;
    memset(x.stats, 0, sizeof(*x.stats));
    st = sq_outbox_recover(ob, s->o->claim_stale, d, &rec);
    x.stats->recovered = rec;
    if (st == SQ_OK)
        st = ob_give_up(ob, s->o, d);
    if (st == SQ_OK)
        st = ob_due_load(ob, &q, d);
    while (st == SQ_OK && i < q.n) {
        size_t j = i + 1;
        while (j < q.n && strcmp(q.dest[j], q.dest[i]) == 0)
            j++;
        if (x.stopped)
            x.stats->waiting += j - i;
        else
            st = ob_run_dest(&x, &q, i, j, flags);
        i = j;
    }
    ob_due_free(&q);
    return st;
}

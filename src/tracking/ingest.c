/*
 * ingest.c - one reply in: classify it, find the report it answers and
 * mark it.
 *
 * Matching, first hit wins: the VERP tag of a recipient address of the
 * reply (decoded with the envelope_sender template; the outbox's verp
 * or wire tag), then a Message-ID the reply quotes (In-Reply-To,
 * References, the returned message or its headers, "Message-ID:" lines
 * of a text bounce) equal to a report's.  Bounces mark the reports
 * bounced, auto-replies acknowledged; delays are only recorded.  A hard
 * bounce (5.x.x) marks each report's destination dead.
 *
 * Idempotence: a matched reply is recorded in tracking_reply under its
 * Message-ID (or the sha256 of its bytes when it has none) in the same
 * transaction as the marks; the same reply again is a duplicate and
 * changes nothing.
 */
#include "tracking/tracking_int.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

enum { TRK_MATCH_MAX = 64 };

typedef struct trk_match {
    long long id[TRK_MATCH_MAX];
    char dest[TRK_MATCH_MAX][TRK_ADDR_MAX + 1];
    size_t n;
} trk_match;

static int
match_row(void *arg, const sq_value *cols, size_t ncols)
{
    trk_match *m = arg;
    size_t l;

    if (ncols < 2 || cols[0].type != SQ_VAL_INT || m->n >= TRK_MATCH_MAX)
        return m->n >= TRK_MATCH_MAX;
    l = cols[1].type == SQ_VAL_TEXT && cols[1].len <= TRK_ADDR_MAX ? cols[1].len
                                                                   : 0;
    m->id[m->n] = cols[0].i;
    if (l > 0)
        memcpy(m->dest[m->n], cols[1].s, l);
    m->dest[m->n][l] = '\0';
    m->n++;
    return 0;
}

/* Reports named by a VERP tag of one of the reply's addresses: the tag
 * into key. */
static sq_status
match_verp(sq_tracking *tr, const sq_reply *r, trk_match *m, char *key,
           size_t keylen, sq_diag *d)
{
    for (size_t i = 0; tr->verp[0] != '\0' && i < r->naddrs; i++) {
        sq_value p[1];
        sq_status st;

        if (sq_outbox_verp_decode(tr->verp, r->addrs[i], strlen(r->addrs[i]),
                                  key, keylen) != SQ_OK ||
            key[0] == '\0')
            continue;
        p[0] = SQ_VTEXT(key);
        st = sq_store_exec(tr->store,
                           "SELECT id, dest FROM outbox_report WHERE verp = $1"
                           " OR wire_tag = $1 ORDER BY id",
                           p, 1, match_row, m, d);
        if (st != SQ_OK || m->n > 0)
            return st;
    }
    return SQ_OK;
}

static sq_status
match_msgid(sq_tracking *tr, const sq_reply *r, trk_match *m, char *key,
            size_t keylen, sq_diag *d)
{
    for (size_t i = 0; i < r->nmsgids; i++) {
        size_t l = strlen(r->msgids[i]);
        sq_value p[1];
        sq_status st;

        if (l >= keylen)
            continue;
        memcpy(key, r->msgids[i], l + 1);
        p[0] = SQ_VTEXT(key);
        st = sq_store_exec(tr->store,
                           "SELECT id, dest FROM outbox_report WHERE"
                           " message_id = $1 OR wire_msgid = $1 ORDER BY id",
                           p, 1, match_row, m, d);
        if (st != SQ_OK || m->n > 0)
            return st;
    }
    return SQ_OK;
}

/* The idempotence key of the reply. */
static void
reply_key(const sq_reply *r, const char *msg, size_t len, char *out,
          size_t outlen)
{
    gchar *h;

    if (r->msgid[0] != '\0') {
        snprintf(out, outlen, "mid:%s", r->msgid);
        return;
    }
    h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)msg,
                                    len);
    snprintf(out, outlen, "sha256:%s", h != NULL ? h : "");
    g_free(h);
}

static int
seen_row(void *arg, const sq_value *cols, size_t ncols)
{
    (void)cols;
    (void)ncols;
    *(int *)arg = 1;
    return 1;
}

/* Marks, dead addresses and the record of the reply: one transaction. */
static sq_status
apply(sq_tracking *tr, const sq_reply *r, const char *key, const char *rkey,
      const trk_match *m, sq_ingest_result *res, sq_diag *d)
{
    char reason[TRK_REASON_MAX + 40];
    sq_value p[4];
    sq_status st = SQ_OK;
    int hard = r->kind == SQ_REPLY_BOUNCE && r->status[0] == '5';

    if (strstr(r->reason, r->status) != NULL) /* "550 5.1.1 ..." */
        snprintf(reason, sizeof(reason), "%s", r->reason);
    else
        snprintf(reason, sizeof(reason), "%s%s%s", r->status,
                 r->reason[0] != '\0' && r->status[0] != '\0' ? " " : "",
                 r->reason);
    if (r->kind == SQ_REPLY_BOUNCE || r->kind == SQ_REPLY_AUTOREPLY) {
        st = sq_outbox_mark(
            tr->ob, key,
            r->kind == SQ_REPLY_BOUNCE ? SQ_OB_BOUNCED : SQ_OB_ACKNOWLEDGED,
            r->ticket[0] != '\0' ? r->ticket : NULL,
            r->kind == SQ_REPLY_BOUNCE ? reason : NULL, d, &res->marked);
        if (st == SQ_ENOTFOUND)
            st = SQ_OK, res->marked = 0;
    }
    for (size_t i = 0; st == SQ_OK && hard && i < m->n; i++) {
        if (m->dest[i][0] == '\0')
            continue;
        st = sq_tracking_mark_dead(tr, m->dest[i], reason, m->id[i], d);
        res->dead = 1;
    }
    if (st != SQ_OK)
        return st;
    p[0] = SQ_VTEXT(rkey);
    p[1] = SQ_VINT(trk_now(tr));
    p[2] = SQ_VTEXT(sq_reply_kind_name(r->kind));
    p[3] = SQ_VINT(m->id[0]);
    return sq_store_exec(tr->store,
                         "INSERT INTO tracking_reply(key, at, kind, report)"
                         " VALUES($1, $2, $3, $4)",
                         p, 4, NULL, NULL, d);
}

/* Find the reports, then apply unless the reply was seen before. */
static sq_status
ingest_reply(sq_tracking *tr, const sq_reply *r, const char *msg, size_t len,
             sq_ingest_result *res, sq_diag *d)
{
    trk_match m; /* 16 KiB */
    char key[320], rkey[320];
    sq_value p[1];
    int seen = 0;
    sq_status st;

    m.n = 0;
    if ((st = match_verp(tr, r, &m, key, sizeof(key), d)) == SQ_OK && m.n > 0)
        memcpy(res->how, "verp", 5);
    else if (st == SQ_OK &&
             (st = match_msgid(tr, r, &m, key, sizeof(key), d)) == SQ_OK &&
             m.n > 0)
        memcpy(res->how, "message-id", 11);
    if (st != SQ_OK || m.n == 0)
        return st;
    res->matched = 1;
    res->report = m.id[0];
    reply_key(r, msg, len, rkey, sizeof(rkey));
    if ((st = sq_store_begin(tr->store, d)) != SQ_OK)
        return st;
    p[0] = SQ_VTEXT(rkey);
    st = sq_store_exec(tr->store, "SELECT 1 FROM tracking_reply WHERE key = $1",
                       p, 1, seen_row, &seen, d);
    if (st == SQ_OK && seen)
        res->duplicate = 1;
    else if (st == SQ_OK)
        st = apply(tr, r, key, rkey, &m, res, d);
    if (st == SQ_OK)
        return sq_store_commit(tr->store, d);
    (void)sq_store_rollback(tr->store, NULL);
    res->marked = 0;
    res->dead = 0;
    return st;
}

sq_status
sq_tracking_ingest(sq_tracking *tr, const char *msg, size_t len,
                   sq_ingest_result *res, sq_diag *d)
{
    sq_ingest_result tmp;
    sq_reply *r = NULL;
    sq_status st;

    if (tr == NULL || msg == NULL)
        return SQ_EINVAL;
    if (res == NULL)
        res = &tmp;
    memset(res, 0, sizeof(*res));
    if ((st = sq_reply_parse(msg, len, &r)) != SQ_OK)
        return st;
    res->kind = r->kind;
    snprintf(res->ticket, sizeof(res->ticket), "%s", r->ticket);
    snprintf(res->status, sizeof(res->status), "%s", r->status);
    if (r->kind == SQ_REPLY_BOUNCE || r->kind == SQ_REPLY_DELAY ||
        r->kind == SQ_REPLY_AUTOREPLY)
        st = ingest_reply(tr, r, msg, len, res, d);
    sq_reply_free(r);
    return st;
}

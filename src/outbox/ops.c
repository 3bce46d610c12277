/*
 * ops.c - every state change of a report, each one transaction.
 *
 * The send path (docs/OUTBOX.md, "crash rule"):
 *   1. ob_claim     queued|deferred -> sending, phase CLAIMED, claimant
 *                   host/pid/time; committed before any SMTP command.
 *   2. ob_mark_data phase DATA; committed just before the first byte of
 *                   message data goes to the server (or sendmail starts).
 *   3. ob_finish    sending -> sent | deferred | failed | held.
 * A run that dies leaves "sending" rows.  sq_outbox_recover() puts
 * phase CLAIMED rows back to queued (the server cannot have the message)
 * and makes phase DATA rows held (it may have it), once their claimant
 * is gone: same host and no such pid, or the claim is older than stale.
 */
#include "outbox/outbox_int.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sq_status
ob_one_change(sq_outbox *ob, const char *sql, const sq_value *p, size_t np,
              long long id, const char *what, sq_diag *d)
{
    sq_outbox_item *it = NULL;
    sq_status st = sq_store_exec(ob->store, sql, p, np, NULL, NULL, d);

    if (st != SQ_OK || sq_store_changes(ob->store) == 1)
        return st;
    if ((st = sq_outbox_get(ob, id, NULL, &it)) == SQ_ENOTFOUND) {
        sq_diag_addf(d, NULL, 0, "outbox: no report %lld", id);
        return st;
    }
    if (st == SQ_OK)
        sq_diag_addf(d, NULL, 0, "outbox: report %lld is %s: cannot %s", id,
                     sq_outbox_state_name(it->state), what);
    sq_outbox_item_free(it);
    return st == SQ_OK ? SQ_EINVAL : st;
}

sq_status
sq_outbox_cancel(sq_outbox *ob, long long id, sq_diag *d)
{
    sq_value p[1];

    if (ob == NULL)
        return SQ_EINVAL;
    p[0] = SQ_VINT(id);
    return ob_one_change(ob,
                         "UPDATE outbox_report SET state = 'cancelled',"
                         " phase = 0 WHERE id = $1 AND state IN ('queued',"
                         " 'deferred', 'failed', 'held')",
                         p, 1, id, "cancel it", d);
}

sq_status
sq_outbox_retry(sq_outbox *ob, long long id, sq_diag *d)
{
    sq_value p[2];

    if (ob == NULL)
        return SQ_EINVAL;
    p[0] = SQ_VINT(ob_now(ob));
    p[1] = SQ_VINT(id);
    return ob_one_change(ob,
                         "UPDATE outbox_report SET state = 'queued',"
                         " phase = 0, next_attempt = $1 WHERE id = $2 AND"
                         " state IN ('deferred', 'failed', 'held')",
                         p, 2, id, "retry it", d);
}

sq_status
sq_outbox_confirm_sent(sq_outbox *ob, long long id, sq_diag *d)
{
    sq_value p[2];

    if (ob == NULL)
        return SQ_EINVAL;
    p[0] = SQ_VINT(ob_now(ob));
    p[1] = SQ_VINT(id);
    return ob_one_change(ob,
                         "UPDATE outbox_report SET state = 'sent', phase = 0,"
                         " sent = COALESCE(sent, $1) WHERE id = $2 AND"
                         " state = 'held'",
                         p, 2, id, "confirm it as sent", d);
}

sq_status
sq_outbox_mark(sq_outbox *ob, const char *key, sq_outbox_state state,
               const char *ticket, const char *reason, sq_diag *d, size_t *n)
{
    char k[OB_MSGID_MAX + 1];
    size_t kl;
    sq_value p[4];
    sq_status st;

    if (ob == NULL || key == NULL ||
        (state != SQ_OB_BOUNCED && state != SQ_OB_ACKNOWLEDGED))
        return SQ_EINVAL;
    kl = strnlen(key, sizeof(k));
    if (kl >= 2 && key[0] == '<' && key[kl - 1] == '>') {
        key++;
        kl -= 2;
    }
    if (kl == 0 || kl >= sizeof(k) ||
        (ticket && strnlen(ticket, OB_LABEL_MAX + 1) > OB_LABEL_MAX))
        return SQ_EINVAL;
    memcpy(k, key, kl);
    k[kl] = '\0';
    p[0] = SQ_VTEXT(sq_outbox_state_name(state));
    p[1] = ticket ? SQ_VTEXT(ticket) : SQ_VNULL;
    p[2] = reason ? SQ_VTEXTN(reason, strnlen(reason, OB_ERR_MAX)) : SQ_VNULL;
    p[3] = SQ_VTEXT(k);
    st = sq_store_exec(ob->store,
                       "UPDATE outbox_report SET state = $1,"
                       " ticket = COALESCE($2, ticket),"
                       " last_error = COALESCE($3, last_error), phase = 0"
                       " WHERE (verp = $4 OR wire_tag = $4 OR message_id = $4"
                       " OR wire_msgid = $4) AND state IN ('sent', 'held',"
                       " 'bounced', 'acknowledged')",
                       p, 4, NULL, NULL, d);
    if (st != SQ_OK)
        return st;
    if (n != NULL)
        *n = (size_t)sq_store_changes(ob->store);
    return sq_store_changes(ob->store) > 0 ? SQ_OK : SQ_ENOTFOUND;
}

/* ---- recovery ---- */

typedef struct ob_stale {
    long long ids[256];
    int data[256];
    size_t n;
    const sq_outbox *ob;
    long long cutoff;
} ob_stale;

/* The claimant of a row is gone: its claim is old, or it ran on this
 * host and its pid is dead (or is us: runs in one process never
 * overlap). */
static int
ob_claimant_gone(const ob_stale *s, const sq_value *cols)
{
    if (cols[4].type != SQ_VAL_INT || cols[4].i < s->cutoff)
        return 1;
    if (cols[2].type != SQ_VAL_TEXT || strcmp(cols[2].s, s->ob->host) != 0 ||
        cols[3].type != SQ_VAL_INT)
        return 0;
    if (cols[3].i == (long long)getpid() || cols[3].i <= 0)
        return 1;
    return kill((pid_t)cols[3].i, 0) != 0 && errno == ESRCH;
}

static int
ob_stale_cb(void *arg, const sq_value *cols, size_t ncols)
{
    ob_stale *s = arg;

    if (ncols != 5 || cols[0].type != SQ_VAL_INT)
        return 0;
    if (!ob_claimant_gone(s, cols))
        return 0;
    s->ids[s->n] = cols[0].i;
    s->data[s->n] = cols[1].type != SQ_VAL_INT || cols[1].i >= OB_PHASE_DATA;
    return ++s->n == sizeof(s->ids) / sizeof(s->ids[0]);
}

static sq_status
ob_recover_rows(sq_outbox *ob, const ob_stale *s, sq_diag *d)
{
    sq_status st = SQ_OK;

    for (size_t i = 0; st == SQ_OK && i < s->n; i++) {
        sq_value p[2];
        p[1] = SQ_VINT(s->ids[i]);
        p[0] = SQ_VTEXT("a send run stopped after the message data may have "
                        "reached the server: check with the desk, then "
                        "retry or confirm it as sent");
        if (s->data[i])
            st = sq_store_exec(ob->store,
                               "UPDATE outbox_report SET state = 'held',"
                               " phase = 0, last_error = $1 WHERE id = $2"
                               " AND state = 'sending'",
                               p, 2, NULL, NULL, d);
        else
            st = sq_store_exec(ob->store,
                               "UPDATE outbox_report SET state = 'queued',"
                               " phase = 0 WHERE id = $1 AND"
                               " state = 'sending'",
                               p + 1, 1, NULL, NULL, d);
    }
    return st;
}

sq_status
sq_outbox_recover(sq_outbox *ob, long long stale, sq_diag *d, size_t *n)
{
    ob_stale *s;
    sq_status st;
    size_t total = 0;

    if (ob == NULL)
        return SQ_EINVAL;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return SQ_ENOMEM;
    s->ob = ob;
    s->cutoff = ob_now(ob) - stale;
    do {
        s->n = 0;
        if ((st = sq_store_begin(ob->store, d)) != SQ_OK)
            break;
        st = sq_store_exec(ob->store,
                           "SELECT id, phase, claim_host, claim_pid, claim_at"
                           " FROM outbox_report WHERE state = 'sending'"
                           " ORDER BY id",
                           NULL, 0, ob_stale_cb, s, d);
        if (st == SQ_OK)
            st = ob_recover_rows(ob, s, d);
        if (st == SQ_OK)
            st = sq_store_commit(ob->store, d);
        else
            (void)sq_store_rollback(ob->store, NULL);
        total += s->n;
    } while (st == SQ_OK && s->n == sizeof(s->ids) / sizeof(s->ids[0]));
    free(s);
    if (n != NULL)
        *n = total;
    return st;
}

/* ---- the send transactions ---- */

sq_status
ob_claim(sq_outbox *ob, const long long *ids, size_t n, const char *wire_tag,
         const char *wire_msgid, const char *const *msgids, long long *claimed,
         size_t *nclaimed, sq_diag *d)
{
    sq_status st;
    size_t k = 0;

    if ((st = sq_store_begin(ob->store, d)) != SQ_OK)
        return st;
    for (size_t i = 0; st == SQ_OK && i < n; i++) {
        sq_value p[7];
        p[0] = SQ_VTEXT(ob->host);
        p[1] = SQ_VINT((long long)getpid());
        p[2] = SQ_VINT(ob_now(ob));
        p[3] = SQ_VTEXT(wire_tag);
        p[4] = SQ_VTEXT(wire_msgid);
        p[5] = SQ_VTEXT(msgids[i]);
        p[6] = SQ_VINT(ids[i]);
        st = sq_store_exec(ob->store,
                           "UPDATE outbox_report SET state = 'sending',"
                           " phase = 1, claim_host = $1, claim_pid = $2,"
                           " claim_at = $3, attempts = attempts + 1,"
                           " wire_tag = $4, wire_msgid = $5,"
                           " message_id = COALESCE(message_id, $6)"
                           " WHERE id = $7 AND state IN ('queued', 'deferred')",
                           p, 7, NULL, NULL, d);
        if (st == SQ_OK && sq_store_changes(ob->store) == 1)
            claimed[k++] = ids[i];
    }
    if (st == SQ_OK)
        st = sq_store_commit(ob->store, d);
    else
        (void)sq_store_rollback(ob->store, NULL);
    *nclaimed = st == SQ_OK ? k : 0;
    return st;
}

sq_status
ob_mark_data(sq_outbox *ob, const long long *ids, size_t n, sq_diag *d)
{
    sq_status st;

    if ((st = sq_store_begin(ob->store, d)) != SQ_OK)
        return st;
    for (size_t i = 0; st == SQ_OK && i < n; i++) {
        sq_value p[1];
        p[0] = SQ_VINT(ids[i]);
        st = sq_store_exec(ob->store,
                           "UPDATE outbox_report SET phase = 2 WHERE id = $1"
                           " AND state = 'sending'",
                           p, 1, NULL, NULL, d);
    }
    if (st == SQ_OK)
        return sq_store_commit(ob->store, d);
    (void)sq_store_rollback(ob->store, NULL);
    return st;
}

long long
ob_backoff(const sq_sender_opts *o, long long attempts)
{
    long long b = o->retry_base;

    for (long long i = 1; i < attempts && b < o->retry_max; i++)
        b *= 2;
    return b < o->retry_max ? b : o->retry_max;
}

static int
ob_attempts_cb(void *arg, const sq_value *cols, size_t ncols)
{
    if (ncols == 1 && cols[0].type == SQ_VAL_INT)
        *(long long *)arg = cols[0].i;
    return 1;
}

static sq_status
ob_finish_one(sq_outbox *ob, long long id, const ob_result *r,
              const sq_sender_opts *o, sq_diag *d)
{
    static const char *const state[] = {"sent", "deferred", "failed", "held"};
    long long attempts = 1, now = ob_now(ob);
    sq_value p[5];
    sq_status st;

    p[0] = SQ_VINT(id);
    st = sq_store_exec(ob->store,
                       "SELECT attempts FROM outbox_report WHERE id = $1", p, 1,
                       ob_attempts_cb, &attempts, d);
    if (st != SQ_OK)
        return st;
    p[0] = SQ_VTEXT(state[r->outcome]);
    p[1] = r->outcome == OB_SENT ? SQ_VNULL : SQ_VTEXT(r->why);
    p[2] = SQ_VINT(r->outcome == OB_SENT ? now : 0);
    p[3] = SQ_VINT(now + ob_backoff(o, attempts));
    p[4] = SQ_VINT(id);
    return sq_store_exec(ob->store,
                         "UPDATE outbox_report SET state = $1, phase = 0,"
                         " last_error = $2, sent = COALESCE(NULLIF($3, 0),"
                         " sent), next_attempt = $4"
                         " WHERE id = $5 AND state = 'sending'",
                         p, 5, NULL, NULL, d);
}

sq_status
ob_finish(sq_outbox *ob, const long long *ids, size_t n, const char *dest,
          const ob_result *r, const sq_sender_opts *o, sq_diag *d)
{
    sq_status st;

    if ((st = sq_store_begin(ob->store, d)) != SQ_OK)
        return st;
    for (size_t i = 0; st == SQ_OK && i < n; i++)
        st = ob_finish_one(ob, ids[i], r, o, d);
    if (st == SQ_OK && r->outcome == OB_SENT) {
        sq_value p[2];
        p[0] = SQ_VTEXT(dest);
        p[1] = SQ_VINT(ob_now(ob));
        st = sq_store_exec(ob->store,
                           "INSERT INTO outbox_send(dest, at) VALUES ($1, $2)",
                           p, 2, NULL, NULL, d);
    }
    if (st == SQ_OK)
        return sq_store_commit(ob->store, d);
    (void)sq_store_rollback(ob->store, NULL);
    return st;
}

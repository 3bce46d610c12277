/*
 * tracking.c - the tracker: its tables in the store, dead addresses,
 * which source IP a report is about (links) and sightings.
 *
 * Tables (module "tracking", sq_store_migrate):
 *   tracking_reply    replies ingested (key: Message-ID or sha256 of the
 *                     bytes) - what makes ingest idempotent
 *   tracking_dead     dead desk addresses: first_seen, reason, report
 *   tracking_link     report id -> source IP ("" when its message names
 *                     none)
 *   tracking_sighting one row per report per UTC day: first and last
 *                     time the source was seen after the report, count
 * Reads outbox_report (see tracking_int.h).
 */
#include "tracking/tracking_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const trk_steps[] = {
    /* version 1 */
    "CREATE TABLE tracking_reply(key TEXT PRIMARY KEY, at BIGINT NOT NULL,"
    " kind TEXT NOT NULL, report BIGINT NOT NULL);"
    "CREATE TABLE tracking_dead(address TEXT PRIMARY KEY,"
    " first_seen BIGINT NOT NULL, reason TEXT NOT NULL,"
    " report BIGINT NOT NULL);"
    "CREATE TABLE tracking_link(report BIGINT PRIMARY KEY, ip TEXT NOT NULL);"
    "CREATE INDEX tracking_link_ip ON tracking_link(ip);"
    "CREATE TABLE tracking_sighting(report BIGINT NOT NULL,"
    " day BIGINT NOT NULL, first BIGINT NOT NULL, last BIGINT NOT NULL,"
    " n BIGINT NOT NULL, what TEXT NOT NULL, PRIMARY KEY(report, day))",
};

sq_status
sq_tracking_open(sq_store *store, sq_outbox *ob, sq_diag *d, sq_tracking **out)
{
    sq_tracking *tr;
    sq_status st;

    if (store == NULL || ob == NULL || out == NULL)
        return SQ_EINVAL;
    st = sq_store_migrate(store, "tracking", trk_steps,
                          sizeof(trk_steps) / sizeof(trk_steps[0]), d);
    if (st != SQ_OK)
        return st;
    if ((tr = calloc(1, sizeof(*tr))) == NULL)
        return SQ_ENOMEM;
    tr->store = store;
    tr->ob = ob;
    *out = tr;
    return SQ_OK;
}

void
sq_tracking_free(sq_tracking *tr)
{
    free(tr);
}

void
sq_tracking_set_now(sq_tracking *tr, long long t)
{
    if (tr != NULL)
        tr->now = t;
}

long long
trk_now(const sq_tracking *tr)
{
    return tr->now != 0 ? tr->now : (long long)time(NULL);
}

sq_status
sq_tracking_set_verp(sq_tracking *tr, const char *tmpl)
{
    size_t n;

    if (tr == NULL || tmpl == NULL ||
        (n = strnlen(tmpl, sizeof(tr->verp))) >= sizeof(tr->verp))
        return SQ_EINVAL;
    memcpy(tr->verp, tmpl, n + 1);
    return SQ_OK;
}

/* ---- dead addresses ---- */

/* addr with its domain lower-cased into buf; 0 when not an address. */
static int
norm_addr(const char *addr, char *buf, size_t buflen)
{
    size_t n = addr != NULL ? strnlen(addr, buflen) : buflen;
    const char *at;

    if (n == 0 || n >= buflen || (at = strrchr(addr, '@')) == NULL ||
        at == addr || at[1] == '\0')
        return 0;
    memcpy(buf, addr, n + 1);
    for (size_t i = (size_t)(at - addr); i < n; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] + 32);
    return 1;
}

static int
row_count(void *arg, const sq_value *cols, size_t ncols)
{
    (void)cols;
    (void)ncols;
    ++*(long long *)arg;
    return 1;
}

int
sq_tracking_address_dead(sq_tracking *tr, const char *addr)
{
    char a[TRK_ADDR_MAX + 1];
    long long n = 0;
    sq_value p[1];

    if (tr == NULL || !norm_addr(addr, a, sizeof(a)))
        return 0;
    p[0] = SQ_VTEXT(a);
    if (sq_store_exec(tr->store,
                      "SELECT 1 FROM tracking_dead WHERE address = $1", p, 1,
                      row_count, &n, NULL) != SQ_OK)
        return 0;
    return n > 0;
}

sq_status
sq_tracking_mark_dead(sq_tracking *tr, const char *addr, const char *reason,
                      long long report, sq_diag *d)
{
    char a[TRK_ADDR_MAX + 1];
    sq_value p[4];

    if (tr == NULL || !norm_addr(addr, a, sizeof(a)))
        return SQ_EINVAL;
    p[0] = SQ_VTEXT(a);
    p[1] = SQ_VINT(trk_now(tr));
    p[2] = SQ_VTEXTN(reason ? reason : "",
                     reason ? strnlen(reason, TRK_REASON_MAX) : 0);
    p[3] = SQ_VINT(report);
    return sq_store_exec(tr->store,
                         "INSERT INTO tracking_dead(address, first_seen, "
                         "reason, report) VALUES($1, $2, $3, $4) "
                         "ON CONFLICT (address) DO NOTHING",
                         p, 4, NULL, NULL, d);
}

sq_status
sq_tracking_revive(sq_tracking *tr, const char *addr, sq_diag *d)
{
    char a[TRK_ADDR_MAX + 1];
    sq_value p[1];
    sq_status st;

    if (tr == NULL || !norm_addr(addr, a, sizeof(a)))
        return SQ_EINVAL;
    p[0] = SQ_VTEXT(a);
    st =
        sq_store_exec(tr->store, "DELETE FROM tracking_dead WHERE address = $1",
                      p, 1, NULL, NULL, d);
    if (st == SQ_OK && sq_store_changes(tr->store) == 0)
        return SQ_ENOTFOUND;
    return st;
}

/* ---- links: report -> source IP ---- */

/* Canonical text of ip; 0 when it is not an address. */
static int
canon_ip(const char *ip, size_t n, char out[46])
{
    sq_ipaddr a;

    if (!sq_ipaddr_parse(ip, n, &a))
        return 0;
    sq_ipaddr_format(&a, out);
    return 1;
}

static sq_status
put_link(sq_tracking *tr, long long report, const char *ip, sq_diag *d)
{
    sq_value p[2];

    p[0] = SQ_VINT(report);
    p[1] = SQ_VTEXT(ip);
    return sq_store_exec(tr->store,
                         "INSERT INTO tracking_link(report, ip) VALUES($1, $2)"
                         " ON CONFLICT (report) DO UPDATE SET ip = $2",
                         p, 2, NULL, NULL, d);
}

sq_status
sq_tracking_link(sq_tracking *tr, long long report, const char *ip, sq_diag *d)
{
    char c[46];

    if (tr == NULL || report <= 0 || ip == NULL || !canon_ip(ip, strlen(ip), c))
        return SQ_EINVAL;
    return put_link(tr, report, c, d);
}

/* The fields a report message names its source in. */
static const char *const source_fields[] = {
    "Source-IP:", "\"source_identifier\":", "Source:"};

int
trk_message_source(const char *msg, size_t len, char *out)
{
    for (size_t f = 0; f < sizeof(source_fields) / sizeof(source_fields[0]);
         f++) {
        size_t fl = strlen(source_fields[f]), off = 0;
        const char *hit;

        while (off < len && (hit = sq_memcasemem(msg + off, len - off,
                                                 source_fields[f], fl))) {
            const char *v = hit + fl, *end = msg + len;
            size_t n = 0;

            while (v < end && (*v == ' ' || *v == '\t' || *v == '"'))
                v++;
            while (
                v + n < end && n < 45 &&
                (v[n] == '.' || v[n] == ':' || (v[n] >= '0' && v[n] <= '9') ||
                 (v[n] >= 'a' && v[n] <= 'f') || (v[n] >= 'A' && v[n] <= 'F')))
                n++;
            if (canon_ip(v, n, out))
                return 1;
            off = (size_t)(hit - msg) + fl;
        }
    }
    return 0;
}

typedef struct trk_ids {
    long long ids[512];
    size_t n;
} trk_ids;

static int
collect_ids(void *arg, const sq_value *cols, size_t ncols)
{
    trk_ids *t = arg;

    if (ncols > 0 && cols[0].type == SQ_VAL_INT &&
        t->n < sizeof(t->ids) / sizeof(t->ids[0]))
        t->ids[t->n++] = cols[0].i;
    return 0;
}

/* Link one report from its message. */
static sq_status
sync_one(sq_tracking *tr, long long id, sq_diag *d)
{
    sq_outbox_item *it = NULL;
    char ip[46] = "";
    size_t len = 0;
    const char *msg;
    sq_status st = sq_outbox_get(tr->ob, id, d, &it);

    if (st == SQ_ENOTFOUND)
        return SQ_OK;
    if (st != SQ_OK)
        return st;
    msg = sq_outbox_item_message(it, &len);
    if (msg == NULL || !trk_message_source(msg, len, ip))
        ip[0] = '\0';
    st = put_link(tr, id, ip, d);
    sq_outbox_item_free(it);
    return st;
}

sq_status
trk_sync_links(sq_tracking *tr, sq_diag *d)
{
    trk_ids t;
    sq_value p[1];
    sq_status st;

    do {
        t.n = 0;
        p[0] = SQ_VINT(tr->synced);
        st = sq_store_exec(tr->store,
                           "SELECT o.id FROM outbox_report o WHERE o.id > $1"
                           " AND NOT EXISTS (SELECT 1 FROM tracking_link l"
                           " WHERE l.report = o.id) ORDER BY o.id LIMIT 512",
                           p, 1, collect_ids, &t, d);
        for (size_t i = 0; st == SQ_OK && i < t.n; i++)
            st = sync_one(tr, t.ids[i], d);
    } while (st == SQ_OK && t.n == sizeof(t.ids) / sizeof(t.ids[0]));
    if (st == SQ_OK) {
        t.n = 0;
        st = sq_store_exec(tr->store, "SELECT MAX(id) FROM outbox_report", NULL,
                           0, collect_ids, &t, d);
        if (st == SQ_OK && t.n == 1)
            tr->synced = t.ids[0];
    }
    return st;
}

/* ---- sightings ---- */

static sq_status
put_sighting(sq_tracking *tr, long long report, long long when,
             const char *what, sq_diag *d)
{
    sq_value p[4];

    p[0] = SQ_VINT(report);
    p[1] = SQ_VINT(when >= 0 ? when / 86400 : (when - 86399) / 86400);
    p[2] = SQ_VINT(when);
    p[3] = SQ_VTEXTN(what, strnlen(what, 64));
    return sq_store_exec(
        tr->store,
        "INSERT INTO tracking_sighting(report, day, first, last, n, what)"
        " VALUES($1, $2, $3, $3, 1, $4) ON CONFLICT (report, day) DO UPDATE"
        " SET first = CASE WHEN $3 < tracking_sighting.first THEN $3"
        " ELSE tracking_sighting.first END,"
        " last = CASE WHEN $3 > tracking_sighting.last THEN $3"
        " ELSE tracking_sighting.last END, n = tracking_sighting.n + 1",
        p, 4, NULL, NULL, d);
}

sq_status
sq_tracking_sighting(sq_tracking *tr, const char *ip, long long when,
                     const char *what, size_t *n, sq_diag *d)
{
    char c[46];
    trk_ids t;
    sq_value p[2];
    sq_status st;

    if (tr == NULL || ip == NULL || !canon_ip(ip, strlen(ip), c)) {
        sq_diag_addf(d, NULL, 0, "tracking: \"%.64s\" is not an IP address",
                     ip != NULL ? ip : "(null)");
        return SQ_EINVAL;
    }
    if ((st = trk_sync_links(tr, d)) != SQ_OK)
        return st;
    t.n = 0;
    p[0] = SQ_VTEXT(c);
    p[1] = SQ_VINT(when);
    st = sq_store_exec(tr->store,
                       "SELECT l.report FROM tracking_link l JOIN outbox_report"
                       " o ON o.id = l.report WHERE l.ip = $1 AND o.state IN"
                       " ('sent', 'acknowledged') AND o.sent IS NOT NULL AND"
                       " o.sent < $2 ORDER BY l.report",
                       p, 2, collect_ids, &t, d);
    if (st == SQ_OK && t.n > 0 &&
        (st = sq_store_begin(tr->store, d)) == SQ_OK) {
        for (size_t i = 0; st == SQ_OK && i < t.n; i++)
            st = put_sighting(tr, t.ids[i], when, what ? what : "", d);
        if (st == SQ_OK)
            st = sq_store_commit(tr->store, d);
        else
            (void)sq_store_rollback(tr->store, NULL);
    }
    if (st == SQ_OK && n != NULL)
        *n = t.n;
    return st;
}

/*
 * outbox.c - the outbox tables, enqueue (with the "same evidence never
 * to the same destination twice" rule as a UNIQUE constraint), get,
 * list and the item accessors.
 *
 * Ids are MAX(id)+1 inside a write transaction (both backends take a
 * write lock at BEGIN), so no dialect-specific sequence is needed.
 * Messages are stored as TEXT: they must be UTF-8 (or ASCII) without NUL
 * bytes, which every MIME-encoded report is; PostgreSQL would refuse
 * anything else.
 *
 * Ownership: items and lists are owned by the caller; an item's strings
 * live in its arena.
 */
#include "outbox/outbox_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const ob_steps[] = {
    /* version 1 */
    "CREATE TABLE outbox_report("
    " id BIGINT PRIMARY KEY, evidence TEXT NOT NULL, dest TEXT NOT NULL,"
    " format TEXT NOT NULL, network TEXT NOT NULL, message TEXT NOT NULL,"
    " message_id TEXT NULL, verp TEXT NOT NULL UNIQUE, state TEXT NOT NULL,"
    " attempts BIGINT NOT NULL, next_attempt BIGINT NOT NULL,"
    " last_error TEXT NULL, created BIGINT NOT NULL, sent BIGINT NULL,"
    " ticket TEXT NULL, phase BIGINT NOT NULL, claim_host TEXT NULL,"
    " claim_pid BIGINT NULL, claim_at BIGINT NULL, wire_tag TEXT NULL,"
    " wire_msgid TEXT NULL, UNIQUE(evidence, dest));"
    "CREATE INDEX outbox_report_due ON outbox_report(state, next_attempt);"
    "CREATE INDEX outbox_report_dest ON outbox_report(dest, state);"
    "CREATE INDEX outbox_report_msgid ON outbox_report(message_id);"
    "CREATE INDEX outbox_report_wtag ON outbox_report(wire_tag);"
    "CREATE INDEX outbox_report_wmsgid ON outbox_report(wire_msgid);"
    "CREATE TABLE outbox_send(dest TEXT NOT NULL, at BIGINT NOT NULL);"
    "CREATE INDEX outbox_send_dest ON outbox_send(dest, at)",
};

static const char *const ob_state_names[SQ_OB_STATE_MAX] = {
    "queued",  "sending",      "sent",      "deferred", "failed",
    "bounced", "acknowledged", "cancelled", "held"};

const char *
sq_outbox_state_name(sq_outbox_state s)
{
    return (unsigned)s < SQ_OB_STATE_MAX ? ob_state_names[s] : NULL;
}

sq_status
sq_outbox_state_parse(const char *name, sq_outbox_state *out)
{
    for (unsigned i = 0; name != NULL && i < SQ_OB_STATE_MAX; i++) {
        if (strcmp(name, ob_state_names[i]) == 0) {
            *out = (sq_outbox_state)i;
            return SQ_OK;
        }
    }
    return SQ_EINVAL;
}

long long
ob_now(const sq_outbox *ob)
{
    return ob->now != 0 ? ob->now : (long long)time(NULL);
}

void
sq_outbox_set_now(sq_outbox *ob, long long t)
{
    if (ob != NULL)
        ob->now = t;
}

sq_status
sq_outbox_open(sq_store *store, sq_diag *d, sq_outbox **out)
{
    sq_outbox *ob;
    sq_status st;

    if (store == NULL || out == NULL)
        return SQ_EINVAL;
    st = sq_store_migrate(store, "outbox", ob_steps,
                          sizeof(ob_steps) / sizeof(ob_steps[0]), d);
    if (st != SQ_OK)
        return st;
    if ((ob = calloc(1, sizeof(*ob))) == NULL)
        return SQ_ENOMEM;
    ob->store = store;
    if (gethostname(ob->host, sizeof(ob->host) - 1) != 0 || !ob->host[0])
        memcpy(ob->host, "localhost", sizeof("localhost"));
    *out = ob;
    return SQ_OK;
}

void
sq_outbox_free(sq_outbox *ob)
{
    free(ob);
}

/* ---- enqueue ---- */

/* Valid UTF-8 without NUL (overlongs and surrogates refused). */
static int
ob_utf8_text(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k;
        unsigned min, cp;

        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, min = 0x80, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, min = 0x800, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, min = 0x10000, cp = c & 0x07;
        else
            return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int
ob_hex64(const char *s, char out[65])
{
    size_t n = s ? strnlen(s, 65) : 0;

    if (n != 64)
        return 0;
    for (size_t i = 0; i < 64; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c + 32);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
        out[i] = c;
    }
    out[64] = '\0';
    return 1;
}

static int
ob_label_ok(const char *s)
{
    size_t n = strnlen(s, OB_LABEL_MAX + 1);

    if (n > OB_LABEL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

typedef struct ob_id_row {
    long long id;
    int found;
} ob_id_row;

static int
ob_id_cb(void *arg, const sq_value *cols, size_t ncols)
{
    ob_id_row *r = arg;

    if (ncols >= 1 && cols[0].type == SQ_VAL_INT) {
        r->id = cols[0].i;
        r->found = 1;
    }
    return 1;
}

static sq_status
ob_enqueue_check(const char *evidence, const char *dest, const char *format,
                 const char *network, const char *msg, size_t len, char hex[65],
                 char addr[OB_ADDR_MAX + 1], sq_diag *d)
{
    size_t n;
    char *at;

    if (!ob_hex64(evidence, hex)) {
        sq_diag_addf(d, NULL, 0, "outbox: evidence hash is not 64 hex digits");
        return SQ_EINVAL;
    }
    n = dest ? strnlen(dest, OB_ADDR_MAX + 1) : 0;
    if (dest == NULL || !ob_addr_ok(dest, n)) {
        char shown[SQ_SHOW_MAX + 4];
        sq_str_show(dest ? dest : "", n, shown);
        sq_diag_addf(d, NULL, 0, "outbox: bad destination address '%s'", shown);
        return SQ_EINVAL;
    }
    memcpy(addr, dest, n + 1);
    for (at = strrchr(addr, '@'); *at; at++)
        if (*at >= 'A' && *at <= 'Z')
            *at = (char)(*at + 32);
    if (format == NULL || !format[0] || !ob_label_ok(format) ||
        (network != NULL && !ob_label_ok(network))) {
        sq_diag_addf(d, NULL, 0, "outbox: bad format or network label");
        return SQ_EINVAL;
    }
    if (msg == NULL || len == 0 || len > SQ_OUTBOX_MAX_MESSAGE) {
        sq_diag_addf(d, NULL, 0,
                     "outbox: report message is empty or larger "
                     "than 32 MiB");
        return SQ_EINVAL;
    }
    if (!ob_utf8_text((const unsigned char *)msg, len)) {
        sq_diag_addf(d, NULL, 0,
                     "outbox: report message is not UTF-8 text "
                     "(NUL or 8-bit bytes: encode them)");
        return SQ_EBINARY;
    }
    return SQ_OK;
}

static sq_status
ob_insert(sq_outbox *ob, const char *hex, const char *addr, const char *format,
          const char *network, const char *msg, size_t len, long long *id,
          sq_diag *d)
{
    char tag[OB_TAG_LEN + 1], mid[OB_MSGID_MAX + 1];
    ob_id_row r = {0, 0};
    long long now = ob_now(ob);
    sq_value p[10];
    sq_status st;

    if ((st = ob_tag_new(tag)) != SQ_OK)
        return st;
    st = sq_store_exec(ob->store,
                       "SELECT COALESCE(MAX(id), 0) + 1 FROM "
                       "outbox_report",
                       NULL, 0, ob_id_cb, &r, d);
    if (st != SQ_OK)
        return st;
    p[0] = SQ_VINT(r.id);
    p[1] = SQ_VTEXT(hex);
    p[2] = SQ_VTEXT(addr);
    p[3] = SQ_VTEXT(format);
    p[4] = SQ_VTEXT(network ? network : "");
    p[5] = SQ_VTEXTN(msg, len);
    p[6] = ob_find_message_id(msg, len, mid, sizeof(mid)) ? SQ_VTEXT(mid)
                                                          : SQ_VNULL;
    p[7] = SQ_VTEXT(tag);
    p[8] = SQ_VTEXT(ob_state_names[SQ_OB_QUEUED]);
    p[9] = SQ_VINT(now);
    st = sq_store_exec(ob->store,
                       "INSERT INTO outbox_report(id, evidence, dest, format,"
                       " network, message, message_id, verp, state, attempts,"
                       " next_attempt, created, phase)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10,"
                       " $10, 0)",
                       p, 10, NULL, NULL, d);
    if (st == SQ_OK)
        *id = r.id;
    return st;
}

sq_status
sq_outbox_enqueue(sq_outbox *ob, const char *evidence, const char *dest,
                  const char *format, const char *network, const char *msg,
                  size_t len, sq_diag *d, long long *id, int *added)
{
    char hex[65], addr[OB_ADDR_MAX + 1];
    ob_id_row r = {0, 0};
    sq_value p[2];
    sq_status st;
    long long newid = 0;

    if (ob == NULL || id == NULL || added == NULL)
        return SQ_EINVAL;
    st = ob_enqueue_check(evidence, dest, format, network, msg, len, hex, addr,
                          d);
    if (st != SQ_OK)
        return st;
    if ((st = sq_store_begin(ob->store, d)) != SQ_OK)
        return st;
    p[0] = SQ_VTEXT(hex);
    p[1] = SQ_VTEXT(addr);
    st = sq_store_exec(ob->store,
                       "SELECT id FROM outbox_report WHERE evidence = $1"
                       " AND dest = $2",
                       p, 2, ob_id_cb, &r, d);
    if (st == SQ_OK && !r.found)
        st = ob_insert(ob, hex, addr, format, network, msg, len, &newid, d);
    if (st == SQ_OK)
        st = sq_store_commit(ob->store, d);
    else
        (void)sq_store_rollback(ob->store, NULL);
    if (st != SQ_OK)
        return st;
    *id = r.found ? r.id : newid;
    *added = !r.found;
    return SQ_OK;
}

/* ---- items ---- */

const char OB_ITEM_COLS[] =
    "id, state, evidence, dest, format, network, message_id, verp,"
    " last_error, ticket, attempts, next_attempt, created, sent";

static char *
ob_col_str(sq_arena *a, const sq_value *v)
{
    if (v->type != SQ_VAL_TEXT)
        return sq_arena_strndup(a, "", 0);
    return sq_arena_strndup(a, v->s, v->len);
}

static long long
ob_col_int(const sq_value *v)
{
    return v->type == SQ_VAL_INT ? v->i : 0;
}

sq_status
ob_item_from_row(const sq_value *cols, size_t ncols, int with_msg,
                 sq_outbox_item **out)
{
    sq_outbox_item *it;
    sq_outbox_state state = SQ_OB_HELD;

    if (ncols != 15)
        return SQ_EINVAL;
    if ((it = calloc(1, sizeof(*it))) == NULL)
        return SQ_ENOMEM;
    if ((it->arena = sq_arena_new(with_msg ? 4096 + cols[14].len : 1024)) ==
        NULL) {
        free(it);
        return SQ_ENOMEM;
    }
    it->id = ob_col_int(&cols[0]);
    if (cols[1].type == SQ_VAL_TEXT)
        (void)sq_outbox_state_parse(cols[1].s, &state);
    it->state = state;
    it->evidence = ob_col_str(it->arena, &cols[2]);
    it->dest = ob_col_str(it->arena, &cols[3]);
    it->format = ob_col_str(it->arena, &cols[4]);
    it->network = ob_col_str(it->arena, &cols[5]);
    it->message_id = ob_col_str(it->arena, &cols[6]);
    it->verp = ob_col_str(it->arena, &cols[7]);
    it->error = ob_col_str(it->arena, &cols[8]);
    it->ticket = ob_col_str(it->arena, &cols[9]);
    it->attempts = ob_col_int(&cols[10]);
    it->next_attempt = ob_col_int(&cols[11]);
    it->created = ob_col_int(&cols[12]);
    it->sent = ob_col_int(&cols[13]);
    if (with_msg && cols[14].type == SQ_VAL_TEXT) {
        it->msg = sq_arena_strndup(it->arena, cols[14].s, cols[14].len);
        it->msglen = cols[14].len;
    }
    if (!it->evidence || !it->dest || !it->format || !it->network ||
        !it->message_id || !it->verp || !it->error || !it->ticket ||
        (with_msg && !it->msg)) {
        sq_outbox_item_free(it);
        return SQ_ENOMEM;
    }
    *out = it;
    return SQ_OK;
}

void
sq_outbox_item_free(sq_outbox_item *it)
{
    if (it == NULL)
        return;
    sq_arena_free(it->arena);
    free(it);
}

typedef struct ob_get_ctx {
    sq_outbox_item *it;
    sq_status st;
} ob_get_ctx;

static int
ob_get_cb(void *arg, const sq_value *cols, size_t ncols)
{
    ob_get_ctx *c = arg;

    c->st = ob_item_from_row(cols, ncols, 1, &c->it);
    return 1;
}

sq_status
sq_outbox_get(sq_outbox *ob, long long id, sq_diag *d, sq_outbox_item **out)
{
    char sql[512];
    ob_get_ctx c = {NULL, SQ_ENOTFOUND};
    sq_value p[1];
    sq_status st;

    if (ob == NULL || out == NULL)
        return SQ_EINVAL;
    snprintf(sql, sizeof(sql),
             "SELECT %s, message FROM outbox_report WHERE id = $1",
             OB_ITEM_COLS);
    p[0] = SQ_VINT(id);
    st = sq_store_exec(ob->store, sql, p, 1, ob_get_cb, &c, d);
    if (st == SQ_OK)
        st = c.st;
    if (st != SQ_OK) {
        sq_outbox_item_free(c.it);
        return st;
    }
    *out = c.it;
    return SQ_OK;
}

struct sq_outbox_list {
    sq_outbox_item **items;
    size_t n, cap;
    sq_status st;
};

static int
ob_list_cb(void *arg, const sq_value *cols, size_t ncols)
{
    sq_outbox_list *l = arg;
    sq_outbox_item *it;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        sq_outbox_item **p = realloc(l->items, cap * sizeof(sq_outbox_item *));
        if (p == NULL) {
            l->st = SQ_ENOMEM;
            return 1;
        }
        l->items = p;
        l->cap = cap;
    }
    if ((l->st = ob_item_from_row(cols, ncols, 0, &it)) != SQ_OK)
        return 1;
    l->items[l->n++] = it;
    return 0;
}

sq_status
sq_outbox_list_new(sq_outbox *ob, int state, sq_diag *d, sq_outbox_list **out)
{
    char sql[512];
    sq_outbox_list *l;
    sq_value p[1];
    sq_status st;

    if (ob == NULL || out == NULL || state >= (int)SQ_OB_STATE_MAX)
        return SQ_EINVAL;
    if ((l = calloc(1, sizeof(*l))) == NULL)
        return SQ_ENOMEM;
    snprintf(sql, sizeof(sql),
             "SELECT %s, NULL FROM outbox_report%s ORDER BY id", OB_ITEM_COLS,
             state < 0 ? "" : " WHERE state = $1");
    if (state >= 0)
        p[0] = SQ_VTEXT(ob_state_names[state]);
    st = sq_store_exec(ob->store, sql, p, state < 0 ? 0 : 1, ob_list_cb, l, d);
    if (st == SQ_OK)
        st = l->st;
    if (st != SQ_OK) {
        sq_outbox_list_free(l);
        return st;
    }
    *out = l;
    return SQ_OK;
}

void
sq_outbox_list_free(sq_outbox_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        sq_outbox_item_free(l->items[i]);
    free(l->items);
    free(l);
}

size_t
sq_outbox_list_count(const sq_outbox_list *l)
{
    return l ? l->n : 0;
}

const sq_outbox_item *
sq_outbox_list_item(const sq_outbox_list *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

typedef struct ob_count_ctx {
    long long *counts;
} ob_count_ctx;

static int
ob_count_cb(void *arg, const sq_value *cols, size_t ncols)
{
    ob_count_ctx *c = arg;
    sq_outbox_state s;

    if (ncols == 2 && cols[0].type == SQ_VAL_TEXT &&
        sq_outbox_state_parse(cols[0].s, &s) == SQ_OK)
        c->counts[s] = ob_col_int(&cols[1]);
    return 0;
}

sq_status
sq_outbox_counts(sq_outbox *ob, long long *counts, sq_diag *d)
{
    ob_count_ctx c = {counts};

    if (ob == NULL || counts == NULL)
        return SQ_EINVAL;
    memset(counts, 0, SQ_OB_STATE_MAX * sizeof(*counts));
    return sq_store_exec(ob->store,
                         "SELECT state, COUNT(*) FROM outbox_report"
                         " GROUP BY state",
                         NULL, 0, ob_count_cb, &c, d);
}

long long
sq_outbox_item_id(const sq_outbox_item *it)
{
    return it->id;
}

sq_outbox_state
sq_outbox_item_state(const sq_outbox_item *it)
{
    return it->state;
}

const char *
sq_outbox_item_evidence(const sq_outbox_item *it)
{
    return it->evidence;
}

const char *
sq_outbox_item_dest(const sq_outbox_item *it)
{
    return it->dest;
}

const char *
sq_outbox_item_format(const sq_outbox_item *it)
{
    return it->format;
}

const char *
sq_outbox_item_network(const sq_outbox_item *it)
{
    return it->network;
}

const char *
sq_outbox_item_message_id(const sq_outbox_item *it)
{
    return it->message_id;
}

const char *
sq_outbox_item_verp_tag(const sq_outbox_item *it)
{
    return it->verp;
}

const char *
sq_outbox_item_last_error(const sq_outbox_item *it)
{
    return it->error;
}

const char *
sq_outbox_item_ticket(const sq_outbox_item *it)
{
    return it->ticket;
}

long long
sq_outbox_item_attempts(const sq_outbox_item *it)
{
    return it->attempts;
}

long long
sq_outbox_item_next_attempt(const sq_outbox_item *it)
{
    return it->next_attempt;
}

long long
sq_outbox_item_created(const sq_outbox_item *it)
{
    return it->created;
}

long long
sq_outbox_item_sent(const sq_outbox_item *it)
{
    return it->sent;
}

const char *
sq_outbox_item_message(const sq_outbox_item *it, size_t *len)
{
    if (len != NULL)
        *len = it->msg ? it->msglen : 0;
    return it->msg;
}

/*
 * reply.c - what came back: sq_reply_parse() classifies one message as
 * a DSN (RFC 3464), a non-standard bounce, an auto-reply /
 * acknowledgement, an ARF feedback report or something else, and
 * collects the keys that may name the report it answers.
 *
 * GMime walks the MIME tree (at most TRK_MAX_PARTS parts); the
 * delivery-status body and the text scans are this module's own
 * bounded scanners (fields.c).  Order of the decision, first wins:
 *   1. a message/feedback-report part or report-type=feedback-report,
 *      a JMRP complaint (a returned message with X-HmXmrOriginalRecipient)
 *      or an Apple Mail opt-out (X-Apple-Unsubscribe)
 *   2. a message/delivery-status part (DSN; kind from its recipients)
 *   3. a bounce-like sender or subject and a phrase of bounce_phrases
 *   4. auto-reply headers, an auto-reply subject, a ticket number, or
 *      In-Reply-To (a person answered)
 *   5. other
 *
 * This file: the keys, the delivery-status body and text bounces;
 * classify.c: the MIME walk, the decision and the accessors.
 */
#include "tracking/tracking_int.h"

#include <string.h>
#include <strings.h>

/* Phrases of non-standard bounces (docs/TRACKING.md).  White space in
 * the text matches one space here; case is ignored.  Delay phrases come
 * first: a delay notice also says what it could not do yet. */
static const struct {
    const char *phrase;
    sq_reply_kind kind;
} bounce_phrases[] = {
    {"delivery to the following recipient has been delayed", SQ_REPLY_DELAY},
    {"delivery to the following recipients has been delayed", SQ_REPLY_DELAY},
    {"has not yet been delivered", SQ_REPLY_DELAY},
    {"delivery has been delayed", SQ_REPLY_DELAY},
    {"this is a warning only", SQ_REPLY_DELAY},
    {"delivery to the following recipient failed permanently", SQ_REPLY_BOUNCE},
    {"delivery to the following recipients failed", SQ_REPLY_BOUNCE},
    {"delivery has failed to these recipients or groups", SQ_REPLY_BOUNCE},
    {"could not be delivered to one or more of its recipients",
     SQ_REPLY_BOUNCE},
    {"this is a permanent error", SQ_REPLY_BOUNCE},
    {"your message could not be delivered", SQ_REPLY_BOUNCE},
    {"message could not be delivered", SQ_REPLY_BOUNCE},
    {"wasn't able to deliver your message", SQ_REPLY_BOUNCE},
    {"your message was not delivered", SQ_REPLY_BOUNCE},
    {"delivery failed", SQ_REPLY_BOUNCE},
    {"user unknown", SQ_REPLY_BOUNCE},
    {"no such user", SQ_REPLY_BOUNCE},
    {"mailbox unavailable", SQ_REPLY_BOUNCE},
    {"recipient address rejected", SQ_REPLY_BOUNCE},
    {"mailbox not found", SQ_REPLY_BOUNCE},
};

/* ---- collecting keys ---- */

void
trk_add_msgid(sq_reply *r, const char *s, size_t n)
{
    char *c;

    while (n > 0 && (*s == '<' || *s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == '>' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 250 || r->nmsgids >= TRK_MAX_KEYS ||
        memchr(s, '@', n) == NULL)
        return;
    for (size_t i = 0; i < r->nmsgids; i++)
        if (strlen(r->msgids[i]) == n && memcmp(r->msgids[i], s, n) == 0)
            return;
    if ((c = trk_clean(r->arena, s, n, n)) != NULL)
        r->msgids[r->nmsgids++] = c;
}

void
trk_add_addr(sq_reply *r, const char *s, size_t n)
{
    char *c;

    trk_addr_value(&s, &n);
    if (n == 0 || n > TRK_ADDR_MAX || r->naddrs >= TRK_MAX_KEYS ||
        memchr(s, '@', n) == NULL)
        return;
    for (size_t i = 0; i < r->naddrs; i++)
        if (strlen(r->addrs[i]) == n && memcmp(r->addrs[i], s, n) == 0)
            return;
    if ((c = trk_clean(r->arena, s, n, n)) != NULL)
        r->addrs[r->naddrs++] = c;
}

/* Every <...> of a header value as a Message-ID. */
void
trk_add_msgid_list(sq_reply *r, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *e;

        if (v[i] != '<' || (e = memchr(v + i, '>', n - i)) == NULL)
            continue;
        trk_add_msgid(r, v + i + 1, (size_t)(e - v - i - 1));
        i = (size_t)(e - v);
    }
    if (memchr(v, '<', n) == NULL)
        trk_add_msgid(r, v, n);
}

/* Every address of a header value. */
void
trk_add_addr_list(sq_reply *r, const char *v, size_t n)
{
    const char *a;
    size_t an;

    while (n > 0 && trk_find_address(v, n, &a, &an)) {
        trk_add_addr(r, a, an);
        n -= (size_t)(a + an - v);
        v = a + an;
    }
}

/* ---- the delivery-status body ---- */

static const char *
field_copy(sq_reply *r, const trk_field *f, int addr)
{
    const char *s = f->value;
    size_t n = f->vlen;

    if (addr)
        trk_addr_value(&s, &n);
    return trk_clean(r->arena, s, n, TRK_MAX_FIELD);
}

/* One per-recipient field into t. */
static void
dsn_field(sq_reply *r, trk_rcpt *t, const trk_field *f)
{
    if (sq_strncaseeq(f->name, f->nlen, "Final-Recipient"))
        t->final = field_copy(r, f, 1);
    else if (sq_strncaseeq(f->name, f->nlen, "Original-Recipient"))
        t->original = field_copy(r, f, 1);
    else if (sq_strncaseeq(f->name, f->nlen, "Action"))
        t->action = field_copy(r, f, 0);
    else if (sq_strncaseeq(f->name, f->nlen, "Status"))
        t->status = field_copy(r, f, 0);
    else if (sq_strncaseeq(f->name, f->nlen, "Diagnostic-Code"))
        t->diag = field_copy(r, f, 1);
}

/* The kind a recipient's Action says. */
static sq_reply_kind
rcpt_kind(const trk_rcpt *t)
{
    const char *a = t->action != NULL ? t->action : "";

    if (strncasecmp(a, "failed", 6) == 0)
        return SQ_REPLY_BOUNCE;
    if (strncasecmp(a, "delayed", 7) == 0)
        return SQ_REPLY_DELAY;
    if (a[0] != '\0')
        return SQ_REPLY_DELIVERED;
    /* no Action: the status class decides */
    if (t->status != NULL && t->status[0] == '5')
        return SQ_REPLY_BOUNCE;
    return t->status != NULL && t->status[0] == '4' ? SQ_REPLY_DELAY
                                                    : SQ_REPLY_OTHER;
}

static int
kind_rank(sq_reply_kind k)
{
    return k == SQ_REPLY_BOUNCE      ? 3
           : k == SQ_REPLY_DELAY     ? 2
           : k == SQ_REPLY_DELIVERED ? 1
                                     : 0;
}

/* The worst recipient decides the reply's kind, status and reason. */
static void
dsn_verdict(sq_reply *r)
{
    int best = -1;

    for (size_t i = 0; i < r->nrcpts; i++) {
        const trk_rcpt *t = &r->rcpts[i];
        sq_reply_kind k = rcpt_kind(t);
        char st[16];

        if (kind_rank(k) <= best)
            continue;
        best = kind_rank(k);
        r->kind = k;
        r->failed = t->final != NULL ? t->final : "";
        r->reason = t->diag != NULL ? t->diag : "";
        if (t->status != NULL &&
            trk_find_status(t->status, strlen(t->status), st, sizeof(st)))
            r->status = sq_arena_strndup(r->arena, st, strlen(st));
        else
            r->status = k == SQ_REPLY_BOUNCE  ? "5.0.0"
                        : k == SQ_REPLY_DELAY ? "4.0.0"
                                              : "";
    }
}

void
trk_dsn_body(sq_reply *r, const char *p, size_t n)
{
    size_t pos = 0;
    trk_field f;
    int rc, inblock = 0;

    r->dsn = 1;
    while ((rc = trk_field_next(p, n, &pos, &f)) != 0) {
        trk_rcpt *t;

        if (rc == 2) {
            inblock = 0;
            continue;
        }
        if (!sq_strncaseeq(f.name, f.nlen, "Final-Recipient") &&
            !sq_strncaseeq(f.name, f.nlen, "Original-Recipient") &&
            !sq_strncaseeq(f.name, f.nlen, "Action") &&
            !sq_strncaseeq(f.name, f.nlen, "Status") &&
            !sq_strncaseeq(f.name, f.nlen, "Diagnostic-Code"))
            continue; /* per-message fields and extensions */
        if (!inblock) {
            if (r->nrcpts >= TRK_MAX_RCPTS)
                break;
            memset(&r->rcpts[r->nrcpts++], 0, sizeof(trk_rcpt));
            inblock = 1;
        }
        t = &r->rcpts[r->nrcpts - 1];
        dsn_field(r, t, &f);
    }
    for (size_t i = 0; i < r->nrcpts; i++) {
        if (r->rcpts[i].original != NULL)
            trk_add_addr(r, r->rcpts[i].original, strlen(r->rcpts[i].original));
    }
    dsn_verdict(r);
}

/* ---- text bounces ---- */

/* The line around offset at of [p, p+n), cleaned. */
static const char *
line_around(sq_reply *r, const char *p, size_t n, size_t at)
{
    size_t b = at, e = at;

    while (b > 0 && p[b - 1] != '\n')
        b--;
    while (e < n && p[e] != '\n')
        e++;
    return trk_clean(r->arena, p + b, e - b, TRK_REASON_MAX);
}

/* "Message-ID: <...>" lines quoted in a text body. */
static void
text_msgids(sq_reply *r, const char *p, size_t n)
{
    size_t off = 0, e;

    while (off < n && (e = trk_find_phrase(p + off, n - off, "message-id:")) !=
                          (size_t)-1) {
        size_t b = off + e, l = b;

        while (l < n && p[l] != '\n')
            l++;
        trk_add_msgid_list(r, p + b, l - b);
        off = l;
    }
}

void
trk_dsn_text_reason(sq_reply *r, const char *p, size_t n)
{
    size_t at;
    char st[16];

    if (r->reason[0] != '\0' || r->failed[0] == '\0' ||
        (at = trk_find_phrase(p, n, r->failed)) == (size_t)-1)
        return;
    r->reason = line_around(r, p, n, at - 1);
    /* "5.0.0" in the DSN, "550 5.1.1 ..." in the text: the text is more
     * precise (OpenSMTPD writes both) */
    if (r->reason != NULL &&
        trk_find_status(r->reason, strlen(r->reason), st, sizeof(st)) &&
        st[0] == r->status[0] && strcmp(r->status + 1, ".0.0") == 0)
        r->status = sq_arena_strndup(r->arena, st, strlen(st));
    if (r->reason == NULL)
        r->reason = "";
}

int
trk_text_bounce(sq_reply *r, const char *p, size_t n)
{
    char st[16];
    const char *a;
    size_t an;

    for (size_t i = 0; i < sizeof(bounce_phrases) / sizeof(bounce_phrases[0]);
         i++) {
        size_t at = trk_find_phrase(p, n, bounce_phrases[i].phrase);

        if (at == (size_t)-1)
            continue;
        r->kind = bounce_phrases[i].kind;
        if (trk_find_status(p, n, st, sizeof(st)) &&
            (st[0] == '5' || st[0] == '4')) {
            r->status = sq_arena_strndup(r->arena, st, strlen(st));
            r->reason = line_around(r, p, n, trk_find_phrase(p, n, st) - 1);
        } else {
            r->status = r->kind == SQ_REPLY_BOUNCE ? "5.0.0" : "4.0.0";
            r->reason = line_around(r, p, n, at - 1);
        }
        if (trk_find_address(p + at, n - at, &a, &an))
            r->failed = trk_clean(r->arena, a, an, TRK_ADDR_MAX);
        text_msgids(r, p, n);
        return 1;
    }
    return 0;
}

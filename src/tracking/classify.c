/*
 * classify.c - sq_reply_parse(): the MIME walk (GMime), the header
 * signals and the decision of reply.c's header comment; the reply's
 * accessors.
 *
 * Ownership: a reply owns one arena holding every string it returns.
 * Limits: TRK_MAX_PARTS parts walked, TRK_MAX_DSN bytes of a
 * delivery-status body, TRK_MAX_TEXT bytes of the first text part, a
 * message of at most TRK_MAX_MESSAGE bytes (the rest is not looked at).
 */
#include "tracking/tracking_int.h"

#include <squeaky/mail.h>

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Subjects and senders that make a text bounce plausible. */
static const char *const bounce_subjects[] = {"undeliver",
                                              "delivery status notification",
                                              "failure notice",
                                              "returned mail",
                                              "mail delivery failed",
                                              "delivery failure",
                                              "delivery has failed",
                                              "nondeliverable",
                                              "delivery delayed",
                                              "delayed mail",
                                              "mail delivery system",
                                              "warning: could not send"};
static const char *const bounce_senders[] = {"mailer-daemon", "postmaster",
                                             "mail delivery"};

/* Subjects of auto-replies (prefixes, case ignored). */
static const char *const auto_subjects[] = {
    "auto:",        "automatic reply", "autoreply",
    "auto-reply",   "auto reply",      "out of office",
    "autoresponse", "auto response",   "abwesenheit"};

static const char *const kind_names[SQ_REPLY_KIND_MAX] = {
    "other", "bounce", "delay", "delivered", "autoreply", "feedback"};

const char *
sq_reply_kind_name(sq_reply_kind k)
{
    return (unsigned)k < SQ_REPLY_KIND_MAX ? kind_names[k] : "other";
}

/* What the walk and the header scan found. */
typedef struct trk_walk {
    sq_reply *r;
    int feedback, parts, autoreply, bouncy, replied;
    const char *text; /* first text/plain part (arena), or NULL */
    size_t textlen;
    const char *subject;
} trk_walk;

static pthread_once_t trk_gmime_once = PTHREAD_ONCE_INIT;

static void
trk_gmime_init(void)
{
    g_mime_init();
}

/* The decoded content of part, at most max bytes, copied to the arena. */
static char *
part_bytes(sq_arena *a, GMimePart *p, size_t max, size_t *len)
{
    GMimeDataWrapper *w = g_mime_part_get_content(p);
    GMimeStream *s;
    GByteArray *b;
    char *out = NULL;

    if (w == NULL || (s = g_mime_stream_mem_new()) == NULL)
        return NULL;
    if (g_mime_data_wrapper_write_to_stream(w, s) >= 0) {
        b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
        *len = b->len < max ? b->len : max;
        out = sq_arena_strndup(a, (const char *)b->data, *len);
    }
    g_object_unref(s);
    return out;
}

static int
ct_is(GMimeContentType *ct, const char *type, const char *sub)
{
    return ct != NULL && g_mime_content_type_is_type(ct, type, sub);
}

/* A leaf part: delivery-status, returned headers, feedback, text. */
static void
on_leaf(trk_walk *w, GMimePart *p, GMimeContentType *ct)
{
    sq_reply *r = w->r;
    size_t len = 0;
    char *b;
    sq_headers *h = NULL;
    size_t i;

    if (ct_is(ct, "message", "feedback-report")) {
        w->feedback = 1;
    } else if (ct_is(ct, "message", "delivery-status") ||
               ct_is(ct, "message", "global-delivery-status")) {
        if (!r->dsn && (b = part_bytes(r->arena, p, TRK_MAX_DSN, &len)))
            trk_dsn_body(r, b, len);
    } else if (ct_is(ct, "text", "rfc822-headers") ||
               ct_is(ct, "message", "rfc822-headers")) {
        if ((b = part_bytes(r->arena, p, TRK_MAX_TEXT, &len)) != NULL &&
            sq_headers_parse(b, len, NULL, &h) == SQ_OK &&
            (i = sq_headers_find(h, "Message-ID", 0)) != (size_t)-1)
            trk_add_msgid(r, sq_headers_value(h, i, NULL),
                          strlen(sq_headers_value(h, i, NULL)));
        sq_headers_free(h);
    } else if (ct_is(ct, "text", "plain") && w->text == NULL &&
               g_mime_part_get_filename(p) == NULL) {
        w->text = part_bytes(r->arena, p, TRK_MAX_TEXT, &w->textlen);
    }
}

static void
on_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
    trk_walk *w = data;
    GMimeContentType *ct = g_mime_object_get_content_type(part);
    const char *rt;

    (void)parent;
    if (++w->parts > TRK_MAX_PARTS)
        return;
    if (GMIME_IS_MESSAGE_PART(part)) {
        GMimeMessage *m =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
        const char *id = m != NULL ? g_mime_message_get_message_id(m) : NULL;

        if (id != NULL)
            trk_add_msgid(w->r, id, strlen(id));
        /* Microsoft JMRP complaints: the complained-about message with
         * X-HmXmrOriginalRecipient, in a multipart/mixed */
        if (m != NULL && g_mime_object_get_header(GMIME_OBJECT(m),
                                                  "X-HmXmrOriginalRecipient"))
            w->feedback = 1;
    } else if (GMIME_IS_MULTIPART(part)) {
        if (ct_is(ct, "multipart", "report") &&
            (rt = g_mime_content_type_get_parameter(ct, "report-type")) &&
            strcasecmp(rt, "feedback-report") == 0)
            w->feedback = 1;
    } else if (GMIME_IS_PART(part)) {
        on_leaf(w, GMIME_PART(part), ct);
    }
}

static void
walk_mime(trk_walk *w, const char *msg, size_t len)
{
    GMimeStream *s;
    GMimeParser *p;
    GMimeMessage *m;

    pthread_once(&trk_gmime_once, trk_gmime_init);
    if ((s = g_mime_stream_mem_new_with_buffer(msg, len)) == NULL)
        return;
    if ((p = g_mime_parser_new_with_stream(s)) != NULL) {
        if ((m = g_mime_parser_construct_message(p, NULL)) != NULL) {
            g_mime_message_foreach(m, on_part, w);
            g_object_unref(m);
        }
        g_object_unref(p);
    }
    g_object_unref(s);
}

/* s starts with (prefix) or contains (anywhere) one of list. */
static int
has_any(const char *s, const char *const *list, size_t n, int prefix)
{
    size_t sl = strlen(s);

    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(list[i]);

        if (prefix ? sl >= l && strncasecmp(s, list[i], l) == 0
                   : sq_memcasemem(s, sl, list[i], l) != NULL)
            return 1;
    }
    return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One top-level header. */
static void
on_header(trk_walk *w, const char *name, size_t nl, const char *v, size_t vl)
{
    sq_reply *r = w->r;
    char t[SQ_TICKET_MAX + 1];

    if (sq_strncaseeq(name, nl, "Message-ID")) {
        if (r->msgid[0] == '\0') {
            const char *s = v;
            size_t n = vl;

            trk_addr_value(&s, &n);
            r->msgid = trk_clean(r->arena, s, n, 250);
        }
    } else if (sq_strncaseeq(name, nl, "In-Reply-To") ||
               sq_strncaseeq(name, nl, "References")) {
        trk_add_msgid_list(r, v, vl);
        w->replied |= sq_strncaseeq(name, nl, "In-Reply-To");
    } else if (sq_strncaseeq(name, nl, "Delivered-To") ||
               sq_strncaseeq(name, nl, "X-Original-To") ||
               sq_strncaseeq(name, nl, "Envelope-To") ||
               sq_strncaseeq(name, nl, "X-Envelope-To") ||
               sq_strncaseeq(name, nl, "To")) {
        trk_add_addr_list(r, v, vl);
    } else if (sq_strncaseeq(name, nl, "Auto-Submitted")) {
        w->autoreply |= !(vl >= 2 && strncasecmp(v, "no", 2) == 0);
    } else if (sq_strncaseeq(name, nl, "X-Autoreply") ||
               sq_strncaseeq(name, nl, "X-Autorespond") ||
               sq_strncaseeq(name, nl, "X-Autoresponder")) {
        w->autoreply = 1;
    } else if (sq_strncaseeq(name, nl, "X-Apple-Unsubscribe")) {
        w->feedback = 1; /* an opt-out (Apple Mail), not a reply */
    } else if (sq_strncaseeq(name, nl, "Precedence")) {
        w->autoreply |= sq_strncaseeq(v, vl, "auto_reply");
    } else if (sq_strncaseeq(name, nl, "RT-Ticket")) {
        if (r->ticket[0] == '\0' && vl > 0 && vl <= SQ_TICKET_MAX)
            r->ticket = trk_clean(r->arena, v, vl, SQ_TICKET_MAX);
    } else if (sq_strncaseeq(name, nl, "Subject")) {
        w->subject = v;
        if (r->ticket[0] == '\0' && sq_tracking_ticket(v, vl, t, sizeof(t)))
            r->ticket = sq_arena_strndup(r->arena, t, strlen(t));
    } else if (sq_strncaseeq(name, nl, "From")) {
        w->bouncy |= has_any(v, bounce_senders, NELEM(bounce_senders), 0);
    } else if (sq_strncaseeq(name, nl, "Return-Path")) {
        w->bouncy |= sq_strncaseeq(v, vl, "<>");
    }
}

static sq_status
scan_headers(trk_walk *w, const char *msg, size_t len)
{
    sq_headers *h = NULL;
    sq_status st = sq_headers_parse(msg, len, NULL, &h);

    if (st == SQ_ENOMEM)
        return st;
    for (size_t i = 0; h != NULL && i < sq_headers_count(h); i++) {
        size_t nl, vl;
        const char *n = sq_headers_name(h, i, &nl);
        const char *v = sq_headers_value(h, i, &vl);

        on_header(w, n, nl, v, vl);
    }
    if (w->subject != NULL) {
        w->subject =
            sq_arena_strndup(w->r->arena, w->subject, strlen(w->subject));
        w->bouncy |=
            has_any(w->subject, bounce_subjects, NELEM(bounce_subjects), 0);
        w->autoreply |=
            has_any(w->subject, auto_subjects, NELEM(auto_subjects), 1);
    }
    sq_headers_free(h);
    return SQ_OK;
}

static void
decide(trk_walk *w)
{
    sq_reply *r = w->r;

    if (w->feedback) {
        r->kind = SQ_REPLY_FEEDBACK;
        return;
    }
    if (r->dsn && r->kind != SQ_REPLY_OTHER) {
        if (w->text != NULL)
            trk_dsn_text_reason(r, w->text, w->textlen);
        return;
    }
    r->kind = SQ_REPLY_OTHER;
    if (w->bouncy && w->text != NULL && trk_text_bounce(r, w->text, w->textlen))
        return;
    if (w->autoreply || r->ticket[0] != '\0' || w->replied)
        r->kind = SQ_REPLY_AUTOREPLY;
}

sq_status
sq_reply_parse(const char *msg, size_t len, sq_reply **out)
{
    sq_reply *r;
    trk_walk w;
    sq_status st;

    if (msg == NULL || out == NULL)
        return SQ_EINVAL;
    if (len > TRK_MAX_MESSAGE)
        len = TRK_MAX_MESSAGE;
    if ((r = calloc(1, sizeof(*r))) == NULL)
        return SQ_ENOMEM;
    if ((r->arena = sq_arena_new(16384)) == NULL) {
        free(r);
        return SQ_ENOMEM;
    }
    r->msgid = r->status = r->reason = r->failed = r->ticket = "";
    memset(&w, 0, sizeof(w));
    w.r = r;
    if ((st = scan_headers(&w, msg, len)) != SQ_OK) {
        sq_reply_free(r);
        return st;
    }
    walk_mime(&w, msg, len);
    decide(&w);
    *out = r;
    return SQ_OK;
}

void
sq_reply_free(sq_reply *r)
{
    if (r == NULL)
        return;
    sq_arena_free(r->arena);
    free(r);
}

/* ---- accessors ---- */

sq_reply_kind
sq_reply_kind_of(const sq_reply *r)
{
    return r->kind;
}

int
sq_reply_is_dsn(const sq_reply *r)
{
    return r->dsn;
}

const char *
sq_reply_message_id(const sq_reply *r)
{
    return r->msgid;
}

const char *
sq_reply_status(const sq_reply *r)
{
    return r->status;
}

const char *
sq_reply_reason(const sq_reply *r)
{
    return r->reason;
}

const char *
sq_reply_failed_address(const sq_reply *r)
{
    return r->failed;
}

const char *
sq_reply_ticket(const sq_reply *r)
{
    return r->ticket;
}

size_t
sq_reply_address_count(const sq_reply *r)
{
    return r->naddrs;
}

const char *
sq_reply_address(const sq_reply *r, size_t i)
{
    return i < r->naddrs ? r->addrs[i] : NULL;
}

size_t
sq_reply_msgid_count(const sq_reply *r)
{
    return r->nmsgids;
}

const char *
sq_reply_msgid(const sq_reply *r, size_t i)
{
    return i < r->nmsgids ? r->msgids[i] : NULL;
}

size_t
sq_reply_rcpt_count(const sq_reply *r)
{
    return r->nrcpts;
}

static const char *
nz(const char *s)
{
    return s != NULL ? s : "";
}

const char *
sq_reply_rcpt_final(const sq_reply *r, size_t i)
{
    return i < r->nrcpts ? nz(r->rcpts[i].final) : NULL;
}

const char *
sq_reply_rcpt_original(const sq_reply *r, size_t i)
{
    return i < r->nrcpts ? nz(r->rcpts[i].original) : NULL;
}

const char *
sq_reply_rcpt_action(const sq_reply *r, size_t i)
{
    return i < r->nrcpts ? nz(r->rcpts[i].action) : NULL;
}

const char *
sq_reply_rcpt_status(const sq_reply *r, size_t i)
{
    return i < r->nrcpts ? nz(r->rcpts[i].status) : NULL;
}

const char *
sq_reply_rcpt_diagnostic(const sq_reply *r, size_t i)
{
    return i < r->nrcpts ? nz(r->rcpts[i].diag) : NULL;
}

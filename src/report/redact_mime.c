/*
 * redact_mime.c - redact a whole RFC 5322 message with GMime.
 *
 * Every header of every part is checked in its raw and its decoded form
 * (encoded words); a header holding a secret gets the redacted decoded
 * value, which GMime encodes again.  Leaf parts are decoded (base64,
 * quoted-printable, uuencode); text parts are redacted and keep their
 * transfer encoding, other parts holding a secret become a short note.
 * Parts that hold no secret are written back byte for byte.  A last
 * pass over the written bytes removes secrets that cannot occur in
 * base64 (addresses, dotted names, IPs) wherever GMime did not expose
 * them (an mbox "From " line, a broken header).  Limits: nesting depth
 * SQ_REPORT_MAX_DEPTH (deeper parts are replaced by a note).
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

static const char note_text[] =
    "[squeaky: this part was removed because it held the reporter's "
    "private data]\n";

typedef struct rm_ctx {
    const sq_redactor *r;
    size_t reps;
} rm_ctx;

/* Redacted copy of s (g_free) when it holds a secret, else NULL. */
static char *
redacted_or_null(rm_ctx *c, const char *s)
{
    GString *g;
    size_t n = 0;

    if (s == NULL)
        return NULL;
    g = g_string_new(NULL);
    rd_redact(c->r, s, strlen(s), 0, g, &n);
    if (n == 0) {
        g_string_free(g, TRUE);
        return NULL;
    }
    c->reps += n;
    return g_string_free(g, FALSE);
}

static void
redact_headers(rm_ctx *c, GMimeObject *obj)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    int n = hl != NULL ? g_mime_header_list_get_count(hl) : 0;

    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *raw = g_mime_header_get_raw_value(h);
        const char *val = g_mime_header_get_value(h);
        char *rv = redacted_or_null(c, val);
        char *rr = redacted_or_null(c, raw);

        if (rv != NULL || rr != NULL) {
            char *v = rv != NULL ? rv : g_strdup(val != NULL ? val : "");
            char *again = redacted_or_null(c, v);

            g_mime_header_set_value(h, NULL, again != NULL ? again : v,
                                    "utf-8");
            g_free(again);
            g_free(v);
            rv = NULL; /* v was rv, or a copy */
            /* the encoder may have kept raw text it could not parse */
            raw = g_mime_header_get_raw_value(h);
            g_free(rr);
            rr = redacted_or_null(c, raw);
            if (rr != NULL)
                g_mime_header_set_raw_value(h, rr);
        }
        g_free(rv);
        g_free(rr);
    }
}

/* Decoded bytes of a leaf part (g_byte_array_free(b, TRUE)). */
static GByteArray *
part_bytes(GMimePart *p)
{
    GMimeDataWrapper *w = g_mime_part_get_content(p);
    GMimeStream *s;
    GByteArray *b;

    if (w == NULL)
        return NULL;
    s = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, s);
    /* the stream frees its buffer's bytes however many refs it has: take
     * ownership instead */
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
    b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    g_object_unref(s);
    return b;
}

static void
set_part_bytes(GMimePart *p, const char *data, size_t len)
{
    GMimeContentEncoding enc = g_mime_part_get_content_encoding(p);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeDataWrapper *w =
        g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_part_set_content(p, w);
    if (enc != GMIME_CONTENT_ENCODING_DEFAULT)
        g_mime_part_set_content_encoding(p, enc);
    g_object_unref(w);
    g_object_unref(s);
}

static void
replace_with_note(GMimePart *p)
{
    GMimeContentType *ct =
        g_mime_content_type_parse(NULL, "text/plain; charset=us-ascii");

    g_mime_object_set_content_type(GMIME_OBJECT(p), ct);
    g_object_unref(ct);
    set_part_bytes(p, note_text, sizeof(note_text) - 1);
    g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_7BIT);
}

static void
redact_leaf(rm_ctx *c, GMimePart *p)
{
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(p));
    GByteArray *b = part_bytes(p);
    GString *g;
    size_t n = 0;

    if (b == NULL)
        return;
    g = g_string_sized_new(b->len + 16);
    rd_redact(c->r, (const char *)b->data, b->len, 0, g, &n);
    if (n > 0) {
        c->reps += n;
        if (ct != NULL && g_mime_content_type_is_type(ct, "text", "*"))
            set_part_bytes(p, g->str, g->len);
        else
            replace_with_note(p);
    }
    g_string_free(g, TRUE);
    g_byte_array_free(b, TRUE);
}

static void redact_object(rm_ctx *c, GMimeObject *obj, int depth);

static void
redact_multipart(rm_ctx *c, GMimeMultipart *mp, int depth)
{
    char *s;

    if ((s = redacted_or_null(c, g_mime_multipart_get_prologue(mp))) != NULL)
        g_mime_multipart_set_prologue(mp, s);
    g_free(s);
    if ((s = redacted_or_null(c, g_mime_multipart_get_epilogue(mp))) != NULL)
        g_mime_multipart_set_epilogue(mp, s);
    g_free(s);
    for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
        GMimeObject *child = g_mime_multipart_get_part(mp, i);

        if (depth + 1 >= SQ_REPORT_MAX_DEPTH) {
            GMimePart *note = g_mime_part_new_with_type("text", "plain");

            replace_with_note(note);
            g_mime_multipart_replace(mp, i, GMIME_OBJECT(note));
            g_object_unref(note);
            continue;
        }
        redact_object(c, child, depth + 1);
    }
}

static void
redact_object(rm_ctx *c, GMimeObject *obj, int depth)
{
    if (obj == NULL)
        return;
    redact_headers(c, obj);
    if (GMIME_IS_MESSAGE(obj)) {
        redact_object(c, g_mime_message_get_mime_part(GMIME_MESSAGE(obj)),
                      depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *m =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

        if (m != NULL && depth + 1 < SQ_REPORT_MAX_DEPTH)
            redact_object(c, GMIME_OBJECT(m), depth + 1);
    } else if (GMIME_IS_MULTIPART(obj)) {
        redact_multipart(c, GMIME_MULTIPART(obj), depth);
    } else if (GMIME_IS_PART(obj)) {
        redact_leaf(c, GMIME_PART(obj));
    }
}

/* Parse, redact, write; *g holds the written bytes. */
static int
redact_parsed(rm_ctx *c, const char *msg, size_t len, GString *g)
{
    GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, len);
    GMimeParser *p = g_mime_parser_new_with_stream(in);
    GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
    int ok = 0;

    if (m != NULL) {
        GMimeStream *out = g_mime_stream_mem_new();
        GByteArray *b;

        redact_object(c, GMIME_OBJECT(m), 0);
        if (g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, out) >= 0) {
            b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
            g_string_append_len(g, (const char *)b->data, (gssize)b->len);
            ok = 1;
        }
        g_object_unref(out);
        g_object_unref(m);
    }
    g_object_unref(p);
    g_object_unref(in);
    return ok;
}

sq_status
sq_redact_message(const sq_redactor *r, const char *msg, size_t len, char **out,
                  size_t *outlen, sq_diag *d)
{
    rm_ctx c = {r, 0};
    GString *g, *fin;
    sq_status st;

    if (out == NULL || (msg == NULL && len > 0)) {
        sq_diag_addf(d, NULL, 0, "redact: bad arguments");
        return SQ_EINVAL;
    }
    if (r == NULL || r->n == 0)
        return rep_out(msg, len, out, outlen);
    rep_gmime_init();
    g = g_string_sized_new(len + 64);
    if (!redact_parsed(&c, msg, len, g)) {
        /* not MIME GMime can read: treat it as text */
        g_string_truncate(g, 0);
        rd_redact(r, msg, len, 0, g, NULL);
    }
    fin = g_string_sized_new(g->len + 16);
    rd_redact(r, g->str, g->len, 1, fin, NULL);
    st = rep_out(fin->str, fin->len, out, outlen);
    g_string_free(fin, TRUE);
    g_string_free(g, TRUE);
    return st;
}

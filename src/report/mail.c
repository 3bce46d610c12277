/*
 * mail.c - what every mail format shares: the message shell (From, To,
 * Subject, Date, Message-ID), text and data parts, the redacted
 * original as message/rfc822 or text/rfc822-headers, and writing the
 * result.  The original is attached byte for byte (after redaction) as
 * a leaf part, so GMime never re-folds or re-encodes the evidence.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* 16 random bytes as hex (for Message-IDs and UUIDs). */
static void
random_bytes(unsigned char b[16])
{
    size_t got = 0;

    while (got < 16) {
        ssize_t n = getrandom(b + got, 16 - got, 0);

        if (n <= 0) { /* no entropy source: fall back on GLib's PRNG */
            for (; got < 16; got++)
                b[got] = (unsigned char)g_random_int_range(0, 256);
            return;
        }
        got += (size_t)n;
    }
}

void
rep_uuid4(char out[37])
{
    unsigned char b[16];

    random_bytes(b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
}

static void
set_message_id(GMimeMessage *m, const sq_incident *inc)
{
    const char *given = rep_field(inc, SQ_INC_MESSAGE_ID);
    const char *dom = rep_addr_domain(rep_field(inc, SQ_INC_REPORTER_ADDR));
    char id[37];
    char *mid;

    if (given != NULL && *given != '\0') {
        size_t n = strlen(given);

        if (given[0] == '<' && n > 2 && given[n - 1] == '>')
            mid = g_strndup(given + 1, n - 2);
        else
            mid = g_strdup(given);
    } else {
        rep_uuid4(id);
        mid = g_strdup_printf("squeaky.%s@%s", id,
                              *dom != '\0' ? dom : "squeaky.invalid");
    }
    g_mime_message_set_message_id(m, mid);
    g_free(mid);
}

GMimeMessage *
rep_mail_new(const sq_incident *inc, const char *subject, sq_diag *d)
{
    const char *from = rep_field(inc, SQ_INC_REPORTER_ADDR);
    const char *to = rep_field(inc, SQ_INC_DEST_ADDR);
    const char *reply = rep_field(inc, SQ_INC_REPLY_TO);
    GMimeMessage *m;
    GDateTime *now;
    char ua[64];

    if (from == NULL || strchr(from, '@') == NULL) {
        sq_diag_addf(d, NULL, 0,
                     "report: a mail report needs the reporter's address");
        return NULL;
    }
    m = g_mime_message_new(TRUE);
    g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM,
                               rep_field(inc, SQ_INC_REPORTER_NAME), from);
    if (to != NULL && *to != '\0')
        g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL, to);
    if (reply != NULL && *reply != '\0')
        g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, reply);
    g_mime_message_set_subject(m, subject, "utf-8");
    now = g_date_time_new_now_utc();
    g_mime_message_set_date(m, now);
    g_date_time_unref(now);
    set_message_id(m, inc);
    snprintf(ua, sizeof(ua), "squeaky/%s", sq_version());
    g_mime_object_set_header(GMIME_OBJECT(m), "X-Mailer", ua, NULL);
    return m;
}

GMimePart *
rep_text_part(const char *text, const char *filename)
{
    char *clean = rep_utf8_clean(text, strlen(text), (size_t)-1);
    GMimeTextPart *tp = g_mime_text_part_new_with_subtype("plain");
    GMimePart *p = GMIME_PART(tp);

    g_mime_text_part_set_text(tp, clean);
    g_free(clean);
    g_mime_part_set_content_encoding(p, g_mime_part_get_best_content_encoding(
                                            p, GMIME_ENCODING_CONSTRAINT_7BIT));
    if (filename != NULL)
        g_mime_part_set_filename(p, filename);
    return p;
}

GMimePart *
rep_data_part(const char *type, const char *subtype, const char *data,
              size_t len, GMimeContentEncoding enc, const char *filename)
{
    GMimePart *p = g_mime_part_new_with_type(type, subtype);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeDataWrapper *w =
        g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_part_set_content(p, w);
    g_mime_part_set_content_encoding(p, enc);
    if (filename != NULL)
        g_mime_part_set_filename(p, filename);
    g_object_unref(w);
    g_object_unref(s);
    return p;
}

sq_status
rep_redacted_original(const sq_incident *inc, sq_diag *d, char **out,
                      size_t *outlen)
{
    if (inc->msg == NULL) {
        sq_diag_addf(d, NULL, 0, "report: the incident has no message");
        return SQ_EINVAL;
    }
    if (inc->red == NULL)
        return rep_out(inc->msg, inc->msglen, out, outlen);
    return sq_redact_message(inc->red, inc->msg, inc->msglen, out, outlen, d);
}

static int
has_8bit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

sq_status
rep_original_part(const sq_incident *inc, int headers_only, sq_diag *d,
                  GMimeObject **out)
{
    char *raw = NULL;
    size_t len = 0;
    sq_status st = rep_redacted_original(inc, d, &raw, &len);
    GMimePart *p;

    if (st != SQ_OK)
        return st;
    if (headers_only || len > SQ_REPORT_MAX_EVIDENCE) {
        len = rep_header_block_len(raw, len);
        p = rep_data_part("text", "rfc822-headers", raw, len,
                          has_8bit(raw, len) ? GMIME_CONTENT_ENCODING_8BIT
                                             : GMIME_CONTENT_ENCODING_7BIT,
                          NULL);
    } else {
        p = rep_data_part("message", "rfc822", raw, len,
                          has_8bit(raw, len) ? GMIME_CONTENT_ENCODING_8BIT
                                             : GMIME_CONTENT_ENCODING_7BIT,
                          NULL);
    }
    free(raw);
    g_mime_object_set_header(GMIME_OBJECT(p), "Content-Disposition", "inline",
                             NULL);
    *out = GMIME_OBJECT(p);
    return SQ_OK;
}

sq_status
rep_mail_finish(GMimeMessage *m, char **out, size_t *outlen)
{
    GMimeStream *s = g_mime_stream_mem_new();
    GMimeFormatOptions *o = g_mime_format_options_new();
    GByteArray *b;
    sq_status st = SQ_EIO;

    g_mime_format_options_set_newline_format(o, GMIME_NEWLINE_FORMAT_UNIX);
    if (g_mime_object_write_to_stream(GMIME_OBJECT(m), o, s) >= 0) {
        b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
        st = rep_out((const char *)b->data, b->len, out, outlen);
    }
    g_mime_format_options_free(o);
    g_object_unref(s);
    return st;
}

/* Evidence lines as one text (redacted), g_free'd by the caller. */
char *
rep_evidence_text(const sq_incident *inc)
{
    GString *g = g_string_new(NULL);
    char *r;

    for (size_t i = 0; i < sq_incident_count(inc, SQ_INC_EVIDENCE_LINE); i++) {
        g_string_append(g, sq_incident_get(inc, SQ_INC_EVIDENCE_LINE, i));
        g_string_append_c(g, '\n');
    }
    r = rep_redact_str(inc, g->str);
    g_string_free(g, TRUE);
    return r;
}

/* The plain-text format: the rendered body, then the evidence inline. */
sq_status
rep_build_text(const sq_incident *inc, unsigned flags, const sq_template *tpl,
               sq_diag *d, char **out, size_t *outlen)
{
    char *subject = NULL, *body = NULL, *ev = NULL;
    size_t evlen = 0;
    GMimeMessage *m = NULL;
    GString *g = NULL;
    GMimePart *p;
    sq_status st = rep_render(inc, tpl, d, &subject, &body);

    if (st != SQ_OK)
        return st;
    if (inc->msg != NULL) {
        st = rep_redacted_original(inc, d, &ev, &evlen);
        if (st == SQ_OK && ((flags & SQ_REPORT_HEADERS_ONLY) ||
                            evlen > SQ_REPORT_MAX_EVIDENCE))
            evlen = rep_header_block_len(ev, evlen);
    } else {
        char *e = rep_evidence_text(inc);

        st = e != NULL ? rep_out(e, strlen(e), &ev, &evlen) : SQ_ENOMEM;
        g_free(e);
    }
    if (st != SQ_OK || (m = rep_mail_new(inc, subject, d)) == NULL) {
        st = st != SQ_OK ? st : SQ_EINVAL;
        goto out;
    }
    g = g_string_new(body);
    g_string_append(g, inc->msg != NULL
                           ? "\n----- the reported message (redacted) -----\n"
                           : "\n----- log lines (redacted) -----\n");
    g_string_append_len(g, ev, (gssize)evlen);
    p = rep_text_part(g->str, NULL);
    g_mime_message_set_mime_part(m, GMIME_OBJECT(p));
    g_object_unref(p);
    st = rep_mail_finish(m, out, outlen);
out:
    if (g != NULL)
        g_string_free(g, TRUE);
    if (m != NULL)
        g_object_unref(m);
    free(ev);
    free(subject);
    free(body);
    return st;
}

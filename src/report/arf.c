/*
 * arf.c - ARF (RFC 5965, with RFC 6650's advice and RFC 6692's
 * Source-Port) and X-ARF 0.2 mails.
 *
 * ARF: multipart/report; report-type=feedback-report with the rendered
 * text, a message/feedback-report part and the redacted original (or its
 * header block).  Every feedback field taken from the evidence is
 * redacted, stripped of control characters and made 7-bit (URIs by
 * percent-encoding, other text by '?').  Limits: REP_MAX_LIST distinct
 * reported domains, URIs, recipients and Authentication-Results each.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REP_MAX_LIST = 32 };

void
rep_when(const sq_incident *inc, long long *t, int *zone_min)
{
    char *date;

    *t = inc->first;
    *zone_min = inc->zone_min;
    if (*t != 0 || (date = rep_msg_header(inc, "Date")) == NULL)
        return;
    if (!sq_time_parse_rfc5322(date, strlen(date), t))
        *t = 0;
    g_free(date);
}

/* Append one "Name: value" line; value redacted, 7-bit, one line. */
static void
field(GString *g, const sq_incident *inc, const char *name, const char *value,
      int is_uri)
{
    char *r = rep_redact_str(inc, value);

    if (r == NULL)
        return;
    g_string_append_printf(g, "%s: ", name);
    for (const unsigned char *p = (const unsigned char *)r; *p != '\0'; p++) {
        if (*p >= 0x80 && is_uri)
            g_string_append_printf(g, "%%%02X", *p);
        else if (*p >= 0x80 || *p < 0x20 || *p == 0x7f)
            g_string_append_c(g, *p == '\t' ? ' ' : '?');
        else
            g_string_append_c(g, (char)*p);
    }
    g_string_append_c(g, '\n');
    g_free(r);
}

static void
list_fields(GString *g, const sq_incident *inc, const char *name,
            sq_incident_field f, int is_uri)
{
    size_t n = sq_incident_count(inc, f), kept = 0;

    for (size_t i = 0; i < n && kept < REP_MAX_LIST; i++) {
        const char *v = sq_incident_get(inc, f, i);
        size_t j = 0;

        while (j < i && strcmp(sq_incident_get(inc, f, j), v) != 0)
            j++;
        if (j < i || *v == '\0')
            continue; /* said once already, or nothing to say */
        field(g, inc, name, v, is_uri);
        kept++;
    }
}

/* A header of the original as a feedback field, when the incident has
 * no value of its own. */
static void
msg_field(GString *g, const sq_incident *inc, const char *hname,
          const char *fname)
{
    char *v = rep_msg_header(inc, hname);

    if (v != NULL && *v != '\0')
        field(g, inc, fname, v, 0);
    g_free(v);
}

static void
mail_from(GString *g, const sq_incident *inc)
{
    const char *mf = rep_field(inc, SQ_INC_MAIL_FROM);
    char *v;

    char *rp = mf == NULL ? rep_msg_header(inc, "Return-Path") : NULL;

    if (mf == NULL)
        mf = rp;
    if (mf != NULL && *mf != '\0') {
        while (*mf == ' ')
            mf++;
        v = mf[0] == '<' ? g_strdup(mf) : g_strdup_printf("<%s>", mf);
        field(g, inc, "Original-Mail-From", v, 0);
        g_free(v);
    }
    g_free(rp);
}

static void
rcpt_to(GString *g, const sq_incident *inc)
{
    size_t n = sq_incident_count(inc, SQ_INC_RCPT_TO);

    if (n == 0) {
        char *v = rep_msg_header(inc, "X-Original-To");

        if (v == NULL)
            v = rep_msg_header(inc, "Delivered-To");
        if (v != NULL)
            field(g, inc, "Original-Rcpt-To", v, 0);
        g_free(v);
        return;
    }
    list_fields(g, inc, "Original-Rcpt-To", SQ_INC_RCPT_TO, 0);
}

/* The message/feedback-report fields (RFC 5965 section 3). */
static char *
feedback_fields(const sq_incident *inc)
{
    GString *g = g_string_new(NULL);
    long long t;
    int zone;
    char date[64];

    g_string_append_printf(g,
                           "Feedback-Type: %s\nUser-Agent: squeaky/%s\n"
                           "Version: 1\n",
                           rep_kind(inc->kind)->feedback_type, sq_version());
    mail_from(g, inc);
    rep_when(inc, &t, &zone);
    if (t != 0) {
        rep_date_rfc5322(t, zone, date, sizeof(date));
        g_string_append_printf(g, "Arrival-Date: %s\n", date);
    }
    g_string_append_printf(g, "Source-IP: %s\n",
                           rep_field(inc, SQ_INC_SOURCE_IP));
    if (inc->sport > 0)
        g_string_append_printf(g, "Source-Port: %u\n", inc->sport);
    rcpt_to(g, inc);
    if (sq_incident_count(inc, SQ_INC_AUTH_RESULTS) > 0)
        list_fields(g, inc, "Authentication-Results", SQ_INC_AUTH_RESULTS, 0);
    else
        msg_field(g, inc, "Authentication-Results", "Authentication-Results");
    list_fields(g, inc, "Reported-Domain", SQ_INC_DOMAIN, 0);
    list_fields(g, inc, "Reported-URI", SQ_INC_URI, 1);
    if (inc->count > 1)
        g_string_append_printf(g, "Incidents: %lu\n", inc->count);
    return g_string_free(g, FALSE);
}

sq_status
rep_build_arf(const sq_incident *inc, unsigned flags, const sq_template *tpl,
              sq_diag *d, char **out, size_t *outlen)
{
    char *subject = NULL, *body = NULL, *fb = NULL;
    GMimeMessage *m = NULL;
    GMimeMultipart *mp = NULL;
    GMimeObject *orig = NULL;
    GMimePart *p;
    sq_status st;

    if (!rep_kind(inc->kind)->is_mail || inc->msg == NULL) {
        sq_diag_addf(d, NULL, 0,
                     "report: ARF reports a mail message; use xarf or x-arf "
                     "for %s",
                     rep_kind(inc->kind)->name);
        return SQ_EINVAL;
    }
    st = rep_render(inc, tpl, d, &subject, &body);
    if (st == SQ_OK)
        st = rep_original_part(inc, (flags & SQ_REPORT_HEADERS_ONLY) != 0, d,
                               &orig);
    if (st != SQ_OK || (m = rep_mail_new(inc, subject, d)) == NULL) {
        st = st != SQ_OK ? st : SQ_EINVAL;
        goto out;
    }
    mp = g_mime_multipart_new_with_subtype("report");
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(mp), "report-type",
                                             "feedback-report");
    p = rep_text_part(body, NULL);
    g_mime_multipart_add(mp, GMIME_OBJECT(p));
    g_object_unref(p);
    fb = feedback_fields(inc);
    p = rep_data_part("message", "feedback-report", fb, strlen(fb),
                      GMIME_CONTENT_ENCODING_7BIT, NULL);
    g_mime_multipart_add(mp, GMIME_OBJECT(p));
    g_object_unref(p);
    g_mime_multipart_add(mp, orig);
    g_mime_message_set_mime_part(m, GMIME_OBJECT(mp));
    st = rep_mail_finish(m, out, outlen);
out:
    if (orig != NULL)
        g_object_unref(orig);
    if (mp != NULL)
        g_object_unref(mp);
    if (m != NULL)
        g_object_unref(m);
    g_free(fb);
    free(subject);
    free(body);
    return st;
}

/* A YAML scalar: plain when it is a simple token, else single-quoted. */
static void
yaml(GString *g, const char *key, const char *v)
{
    int plain = *v != '\0';

    for (const char *p = v; *p != '\0' && plain; p++)
        plain = g_ascii_isalnum(*p) || strchr("._/-", *p) != NULL;
    g_string_append_printf(g, "%s: ", key);
    if (plain) {
        g_string_append(g, v);
    } else {
        g_string_append_c(g, '\'');
        for (const char *p = v; *p != '\0'; p++) {
            if (*p == '\'')
                g_string_append_c(g, '\'');
            g_string_append_c(g, (unsigned char)*p < 0x20 ? ' ' : *p);
        }
        g_string_append_c(g, '\'');
    }
    g_string_append_c(g, '\n');
}

/* The YAML report of X-ARF 0.2 (the second part). */
static char *
x02_report(const sq_incident *inc, const char *msgid)
{
    const rep_kind_info *k = rep_kind(inc->kind);
    const char *ip = rep_field(inc, SQ_INC_SOURCE_IP);
    const char *svc = rep_field(inc, SQ_INC_SERVICE);
    GString *g = g_string_new("---\n");
    char buf[64];
    long long t;
    int zone, z;

    yaml(g, "Reported-From", rep_field(inc, SQ_INC_REPORTER_ADDR));
    yaml(g, "Category", k->x02_category);
    yaml(g, "Report-Type", k->x02_type);
    yaml(g, "Service", svc != NULL ? svc : k->is_mail ? "smtp" : "unknown");
    yaml(g, "Version", "0.2");
    snprintf(buf, sizeof(buf), "squeaky/%s", sq_version());
    yaml(g, "User-Agent", buf);
    rep_when(inc, &t, &zone);
    rep_date_rfc5322(t, zone, buf, sizeof(buf));
    yaml(g, "Date", buf);
    z = zone < 0 ? -zone : zone;
    snprintf(buf, sizeof(buf), "%c%02d%02d", zone < 0 ? '-' : '+', z / 60,
             z % 60);
    yaml(g, "TZ", buf);
    yaml(g, "Source-Type", strchr(ip, ':') != NULL ? "ipv6" : "ipv4");
    yaml(g, "Source", ip);
    if (inc->dport > 0 || k->is_mail)
        g_string_append_printf(g, "Port: %u\n",
                               inc->dport > 0 ? inc->dport : 25u);
    yaml(g, "Report-ID", msgid);
    yaml(g, "Schema-URL", k->x02_schema);
    yaml(g, "Attachment", k->is_mail ? "message/rfc822" : "text/plain");
    g_string_append_printf(g, "Occurrences: %lu\n", inc->count);
    return g_string_free(g, FALSE);
}

static sq_status
x02_evidence(const sq_incident *inc, unsigned flags, sq_diag *d,
             GMimeObject **out)
{
    char *ev;
    GMimePart *p;

    if (inc->msg != NULL)
        return rep_original_part(inc, (flags & SQ_REPORT_HEADERS_ONLY) != 0, d,
                                 out);
    ev = rep_evidence_text(inc);
    if (ev == NULL)
        return SQ_ENOMEM;
    p = rep_text_part(ev, "logfile.log");
    g_free(ev);
    *out = GMIME_OBJECT(p);
    return SQ_OK;
}

sq_status
rep_build_x02(const sq_incident *inc, unsigned flags, const sq_template *tpl,
              sq_diag *d, char **out, size_t *outlen)
{
    char *subject = NULL, *body = NULL, *yml = NULL;
    GMimeMessage *m = NULL;
    GMimeMultipart *mp = NULL;
    GMimeObject *ev = NULL;
    GMimePart *p;
    sq_status st = rep_render(inc, tpl, d, &subject, &body);

    if (st == SQ_OK)
        st = x02_evidence(inc, flags, d, &ev);
    if (st != SQ_OK || (m = rep_mail_new(inc, subject, d)) == NULL) {
        st = st != SQ_OK ? st : SQ_EINVAL;
        goto out;
    }
    g_mime_object_set_header(GMIME_OBJECT(m), "X-ARF", "YES", NULL);
    mp = g_mime_multipart_new_with_subtype("mixed");
    p = rep_text_part(body, NULL);
    g_mime_multipart_add(mp, GMIME_OBJECT(p));
    g_object_unref(p);
    yml = x02_report(inc, g_mime_message_get_message_id(m));
    p = rep_text_part(yml, NULL);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "name",
                                             "report.txt");
    g_mime_multipart_add(mp, GMIME_OBJECT(p));
    g_object_unref(p);
    g_mime_multipart_add(mp, ev);
    g_mime_message_set_mime_part(m, GMIME_OBJECT(mp));
    st = rep_mail_finish(m, out, outlen);
out:
    if (ev != NULL)
        g_object_unref(ev);
    if (mp != NULL)
        g_object_unref(mp);
    if (m != NULL)
        g_object_unref(m);
    g_free(yml);
    free(subject);
    free(body);
    return st;
}

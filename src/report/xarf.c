/*
 * xarf.c - XARF v4 JSON (https://xarf.org, schemas in the shared corpus:
 * xarf-v4-master.json) and the mail that carries it.
 *
 * The core fields come first, then one function per kind adds what its
 * type schema requires.  Every string from the evidence is redacted and
 * made valid UTF-8 (jansson refuses anything else) and cut to the
 * schema's maxLength.  The evidence item is the redacted original
 * (message/rfc822; its header block as text/rfc822-headers above
 * SQ_REPORT_MAX_EVIDENCE) or the redacted log lines (text/plain), base64
 * with "sha256:<hex>" of the bytes attached.
 *
 * messaging/spam requires smtp_from and source_port when protocol is
 * "smtp"; without both the report says protocol "other" (the source
 * port of a spam delivery is rarely known).
 */
#include "report/report_int.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

/* A JSON string from untrusted text: redacted, UTF-8, <= maxbytes. */
static json_t *
jstr(const sq_incident *inc, const char *s, size_t maxbytes)
{
    char *r = rep_redact_str(inc, s), *u;
    json_t *j;

    if (r == NULL)
        return NULL;
    u = rep_utf8_clean(r, strlen(r), maxbytes);
    g_free(r);
    for (char *p = u; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    j = json_string(u);
    g_free(u);
    return j;
}

static void
set_str(json_t *o, const char *key, const sq_incident *inc, const char *s,
        size_t maxbytes)
{
    if (s != NULL && *s != '\0')
        json_object_set_new(o, key, jstr(inc, s, maxbytes));
}

static json_t *
contact(const sq_incident *inc)
{
    const char *addr = rep_field(inc, SQ_INC_REPORTER_ADDR);
    const char *org = rep_field(inc, SQ_INC_REPORTER_ORG);

    if (org == NULL)
        org = rep_field(inc, SQ_INC_REPORTER_NAME);
    if (org == NULL)
        org = rep_addr_domain(addr);
    return json_pack("{s:s, s:s, s:s}", "org", org, "contact", addr, "domain",
                     rep_addr_domain(addr));
}

static void
time_field(json_t *o, const char *key, long long t)
{
    char buf[32];

    sq_time_format_utc(t, buf, sizeof(buf));
    json_object_set_new(o, key, json_string(buf));
}

/* The evidence item from bytes (hash over exactly what is attached). */
static json_t *
evidence_item(const char *ctype, const char *desc, const char *data, size_t len)
{
    gchar *b64 = g_base64_encode((const guchar *)data, len);
    char hex[65], hash[72];
    json_t *it;

    sq_sha256_hex(data, len, hex);
    snprintf(hash, sizeof(hash), "sha256:%s", hex);
    it = json_pack("{s:s, s:s, s:s, s:s, s:I}", "content_type", ctype,
                   "description", desc, "payload", b64, "hash", hash, "size",
                   (json_int_t)len);
    g_free(b64);
    return it;
}

static sq_status
add_evidence(json_t *o, const sq_incident *inc, sq_diag *d)
{
    json_t *arr = json_array();
    char *raw = NULL, *ev;
    size_t len = 0;
    sq_status st = SQ_OK;

    if (inc->msg != NULL) {
        st = rep_redacted_original(inc, d, &raw, &len);
        if (st != SQ_OK) {
            json_decref(arr);
            return st;
        }
        if (len > SQ_REPORT_MAX_EVIDENCE)
            json_array_append_new(
                arr, evidence_item("text/rfc822-headers",
                                   "Header block of the reported message "
                                   "(redacted)",
                                   raw, rep_header_block_len(raw, len)));
        else
            json_array_append_new(
                arr,
                evidence_item("message/rfc822",
                              "The reported message (redacted)", raw, len));
        free(raw);
    } else if ((ev = rep_evidence_text(inc)) != NULL) {
        if (*ev != '\0')
            json_array_append_new(arr, evidence_item("text/plain",
                                                     "Log lines (redacted)", ev,
                                                     strlen(ev)));
        g_free(ev);
    }
    json_object_set_new(o, "evidence", arr);
    return st;
}

/* An addr-spec from a mail-from ("<a@b>" -> "a@b"); NULL when empty. */
static char *
bare_addr(const char *s)
{
    size_t n;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
    }
    if (n < 3 || memchr(s, '@', n) == NULL || memchr(s, ' ', n) != NULL)
        return NULL;
    return g_strndup(s, n);
}

static sq_status
add_spam(json_t *o, const sq_incident *inc, sq_diag *d)
{
    char *from = bare_addr(rep_field(inc, SQ_INC_MAIL_FROM));
    char *v;

    (void)d;
    if (from == NULL) {
        v = rep_msg_header(inc, "Return-Path");
        from = bare_addr(v);
        g_free(v);
    }
    json_object_set_new(o, "evidence_source", json_string("user_complaint"));
    json_object_set_new(
        o, "protocol",
        json_string(from != NULL && inc->sport > 0 ? "smtp" : "other"));
    set_str(o, "smtp_from", inc, from, 254);
    g_free(from);
    if ((v = bare_addr(rep_field(inc, SQ_INC_RCPT_TO))) != NULL)
        set_str(o, "smtp_to", inc, v, 254);
    g_free(v);
    v = rep_msg_header(inc, "Subject");
    set_str(o, "subject", inc, v, 500);
    g_free(v);
    v = rep_msg_header(inc, "Message-ID");
    set_str(o, "message_id", inc, v, 200);
    g_free(v);
    return SQ_OK;
}

/* The content-base domain pattern: lower-case LDH labels, no "--". */
static int
domain_ok(const char *s)
{
    int labels = 0;
    size_t tld = 0;

    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '.') {
            if (p == s || p[-1] == '.' || p[-1] == '-')
                return 0;
            labels++;
            tld = 0;
        } else if (g_ascii_islower(*p) || g_ascii_isdigit(*p)) {
            tld = g_ascii_isdigit(*p) ? 99 : tld + 1;
        } else if (*p != '-' || p == s || p[-1] == '-' || p[-1] == '.') {
            return 0;
        }
    }
    return labels > 0 && tld >= 2 && tld < 99;
}

/* A URI for a "format": "uri" field: redacted, bytes outside printable
 * ASCII percent-encoded (g_free). */
static char *
uri_ascii(const sq_incident *inc, const char *u)
{
    char *r = rep_redact_str(inc, u);
    GString *g = g_string_new(NULL);

    for (const unsigned char *p = (const unsigned char *)r; p && *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '<' || *p == '>')
            g_string_append_printf(g, "%%%02X", *p);
        else
            g_string_append_c(g, (char)*p);
    }
    g_free(r);
    return g_string_free(g, FALSE);
}

static sq_status
add_content(json_t *o, const sq_incident *inc, sq_diag *d)
{
    const char *dom = NULL, *url = rep_field(inc, SQ_INC_URI);
    char *u;

    if (url == NULL) {
        sq_diag_addf(d, NULL, 0,
                     "report: XARF content/%s needs a reported URI (the "
                     "message has none: report it as spam)",
                     rep_kind(inc->kind)->xarf_type);
        return SQ_EINVAL;
    }
    json_object_set_new(o, "evidence_source", json_string("user_complaint"));
    u = uri_ascii(inc, url);
    set_str(o, "url", inc, u, 4096);
    g_free(u);
    for (size_t i = 0; dom == NULL && i < sq_incident_count(inc, SQ_INC_DOMAIN);
         i++)
        if (domain_ok(sq_incident_get(inc, SQ_INC_DOMAIN, i)))
            dom = sq_incident_get(inc, SQ_INC_DOMAIN, i);
    set_str(o, "domain", inc, dom, 253);
    return SQ_OK;
}

static sq_status
add_connection(json_t *o, const sq_incident *inc, sq_diag *d)
{
    const char *proto = rep_field(inc, SQ_INC_PROTOCOL);
    const char *dip = rep_field(inc, SQ_INC_DEST_IP);
    sq_report_kind k = inc->kind;

    if (proto == NULL)
        proto = "tcp";
    if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
        ((k != SQ_KIND_LOGIN_ATTACK && k != SQ_KIND_PORT_SCAN &&
          k != SQ_KIND_VULN_SCAN) ||
         strcmp(proto, "icmp") != 0) &&
        ((k != SQ_KIND_LOGIN_ATTACK && k != SQ_KIND_PORT_SCAN) ||
         strcmp(proto, "sctp") != 0)) {
        sq_diag_addf(d, NULL, 0, "report: XARF %s: protocol \"%s\" not allowed",
                     rep_kind(k)->name, proto);
        return SQ_EINVAL;
    }
    if ((k == SQ_KIND_LOGIN_ATTACK || k == SQ_KIND_PORT_SCAN) &&
        inc->sport == 0) {
        sq_diag_addf(d, NULL, 0,
                     "report: XARF connection/%s needs the source port",
                     rep_kind(k)->xarf_type);
        return SQ_EINVAL;
    }
    json_object_set_new(o, "evidence_source", json_string("automated_filter"));
    json_object_set_new(o, "protocol", json_string(proto));
    time_field(o, "first_seen", inc->first);
    if (inc->last > inc->first)
        time_field(o, "last_seen", inc->last);
    if (dip != NULL) { /* the reporter's own address stays out when secret */
        char *r = rep_redact_str(inc, dip);

        if (r != NULL && strcmp(r, dip) == 0)
            json_object_set_new(o, "destination_ip", json_string(dip));
        g_free(r);
    }
    if (inc->dport > 0 && k != SQ_KIND_VULN_SCAN)
        json_object_set_new(o, "destination_port", json_integer(inc->dport));
    if (k == SQ_KIND_VULN_SCAN)
        json_object_set_new(o, "scan_type", json_string("vulnerability_scan"));
    if (k == SQ_KIND_SQL_INJECTION)
        json_object_set_new(o, "attempts_count", json_integer(inc->count));
    if (k == SQ_KIND_RECONNAISSANCE) {
        json_t *pr = json_array();

        for (size_t i = 0; i < sq_incident_count(inc, SQ_INC_URI); i++)
            json_array_append_new(
                pr, jstr(inc, sq_incident_get(inc, SQ_INC_URI, i), 2048));
        if (json_array_size(pr) == 0) {
            json_decref(pr);
            sq_diag_addf(d, NULL, 0,
                         "report: XARF connection/reconnaissance needs the "
                         "probed resources (URIs)");
            return SQ_EINVAL;
        }
        json_object_set_new(o, "probed_resources", pr);
    }
    return SQ_OK;
}

/* The whole document; NULL with a message in d. */
static json_t *
xarf_doc(const sq_incident *inc, sq_diag *d, sq_status *st)
{
    const rep_kind_info *k = rep_kind(inc->kind);
    const char *rid = rep_field(inc, SQ_INC_REPORT_ID);
    const char *addr = rep_field(inc, SQ_INC_REPORTER_ADDR);
    char uuid[37];
    long long t;
    int zone;
    json_t *o;

    if (addr == NULL || strchr(addr, '@') == NULL) {
        sq_diag_addf(d, NULL, 0, "report: XARF needs the reporter's address");
        *st = SQ_EINVAL;
        return NULL;
    }
    if (rid == NULL) {
        rep_uuid4(uuid);
        rid = uuid;
    }
    rep_when(inc, &t, &zone);
    o = json_object();
    json_object_set_new(o, "xarf_version", json_string("4.2.0"));
    json_object_set_new(o, "report_id", json_string(rid));
    time_field(o, "timestamp", t);
    json_object_set_new(o, "reporter", contact(inc));
    json_object_set_new(o, "sender", contact(inc));
    json_object_set_new(o, "source_identifier",
                        json_string(rep_field(inc, SQ_INC_SOURCE_IP)));
    if (inc->sport > 0)
        json_object_set_new(o, "source_port", json_integer(inc->sport));
    json_object_set_new(o, "category", json_string(k->xarf_category));
    json_object_set_new(o, "type", json_string(k->xarf_type));
    if (inc->kind == SQ_KIND_SPAM)
        *st = add_spam(o, inc, d);
    else if (k->is_mail)
        *st = add_content(o, inc, d);
    else
        *st = add_connection(o, inc, d);
    if (*st == SQ_OK)
        *st = add_evidence(o, inc, d);
    if (*st != SQ_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

sq_status
rep_build_xarf(const sq_incident *inc, unsigned flags, const sq_template *tpl,
               sq_diag *d, char **out, size_t *outlen)
{
    sq_status st = SQ_OK;
    json_t *o = xarf_doc(inc, d, &st);
    char *s;

    (void)flags;
    (void)tpl;
    if (o == NULL)
        return st;
    s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s == NULL)
        return SQ_ENOMEM;
    st = rep_out(s, strlen(s), out, outlen);
    free(s);
    return st;
}

sq_status
rep_build_xarf_mail(const sq_incident *inc, unsigned flags,
                    const sq_template *tpl, sq_diag *d, char **out,
                    size_t *outlen)
{
    char *subject = NULL, *body = NULL, *json = NULL;
    size_t jlen = 0;
    GMimeMessage *m = NULL;
    GMimeMultipart *mp;
    GMimePart *p;
    sq_status st = rep_build_xarf(inc, flags, tpl, d, &json, &jlen);

    if (st == SQ_OK)
        st = rep_render(inc, tpl, d, &subject, &body);
    if (st != SQ_OK || (m = rep_mail_new(inc, subject, d)) == NULL) {
        st = st != SQ_OK ? st : SQ_EINVAL;
        goto out;
    }
    mp = g_mime_multipart_new_with_subtype("mixed");
    p = rep_text_part(body, NULL);
    g_mime_multipart_add(mp, GMIME_OBJECT(p));
    g_object_unref(p);
    p = rep_data_part("application", "json", json, jlen,
                      GMIME_CONTENT_ENCODING_BASE64, "xarf-report.json");
    g_mime_multipart_add(mp, GMIME_OBJECT(p));
    g_object_unref(p);
    g_mime_message_set_mime_part(m, GMIME_OBJECT(mp));
    g_object_unref(mp);
    st = rep_mail_finish(m, out, outlen);
out:
    if (m != NULL)
        g_object_unref(m);
    free(json);
    free(subject);
    free(body);
    return st;
}

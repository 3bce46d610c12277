/*
 * template.c - the human-readable text of a report: "Subject: ..." line,
 * blank line, body, with {name} variables checked when the template is
 * parsed (an unknown name is an error, not an empty string).  A parsed
 * template owns a list of segments: literal text or a variable index.
 * Limits: TPL_MAX_BYTES of template text.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TPL_MAX_BYTES = 64 * 1024, TPL_MAX_NAME = 32 };

typedef enum tpl_var {
    V_SOURCE_IP = 0,
    V_SOURCE_PORT,
    V_NETWORK,
    V_ASN,
    V_DATE,
    V_DATE_UTC,
    V_LAST_SEEN,
    V_CATEGORY,
    V_KIND,
    V_KIND_TEXT,
    V_FEEDBACK_TYPE,
    V_REPORTER_NAME,
    V_REPORTER_ORG,
    V_REPORTER_ADDRESS,
    V_DESTINATION,
    V_SUBJECT,
    V_URLS,
    V_DOMAINS,
    V_EVIDENCE_HASH,
    V_INCIDENTS,
    V_SERVICE,
    V_DEST_PORT,
    V_VERSION,
    V_MAX
} tpl_var;

static const char *const var_names[V_MAX] = {
    "source_ip",    "source_port",      "network",       "asn",
    "date",         "date_utc",         "last_seen",     "category",
    "kind",         "kind_text",        "feedback_type", "reporter_name",
    "reporter_org", "reporter_address", "destination",   "subject",
    "urls",         "domains",          "evidence_hash", "incidents",
    "service",      "dest_port",        "version"};

typedef struct tpl_seg {
    int var; /* -1: literal text */
    char *text;
    size_t len;
} tpl_seg;

typedef struct tpl_part {
    tpl_seg *v;
    size_t n, cap;
} tpl_part;

struct sq_template {
    tpl_part subject, body;
};

static const char mail_default[] =
    "Subject: [abuse] {kind_text} from {source_ip} ({date})\n"
    "\n"
    "Hello,\n"
    "\n"
    "we received {kind_text} from {source_ip}, which belongs to your\n"
    "network ({network}, {asn}).\n"
    "\n"
    "  Source:       {source_ip}\n"
    "  Arrival date: {date}\n"
    "  Subject:      {subject}\n"
    "  Evidence:     sha256 {evidence_hash}\n"
    "\n"
    "The message is included (the recipient's details are redacted).\n"
    "Please stop this abuse and keep your customers from repeating it.\n"
    "\n"
    "{reporter_name}\n"
    "-- \n"
    "sent with squeaky {version}\n";

static const char log_default[] =
    "Subject: [abuse] {kind_text} from {source_ip} ({date})\n"
    "\n"
    "Hello,\n"
    "\n"
    "our systems logged {kind_text} from {source_ip}, which belongs to\n"
    "your network ({network}, {asn}).\n"
    "\n"
    "  Source:     {source_ip} port {source_port}\n"
    "  Service:    {service} (port {dest_port})\n"
    "  First seen: {date}\n"
    "  Last seen:  {last_seen}\n"
    "  Incidents:  {incidents}\n"
    "  Evidence:   sha256 {evidence_hash}\n"
    "\n"
    "The log lines are included (our own addresses are redacted).\n"
    "Please stop this abuse.\n"
    "\n"
    "{reporter_name}\n"
    "-- \n"
    "sent with squeaky {version}\n";

const char *
sq_template_var_name(size_t i)
{
    return i < V_MAX ? var_names[i] : NULL;
}

static void
part_free(tpl_part *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].text);
    free(p->v);
}

void
sq_template_free(sq_template *t)
{
    if (t == NULL)
        return;
    part_free(&t->subject);
    part_free(&t->body);
    free(t);
}

static int
seg_add(tpl_part *p, int var, const char *s, size_t len)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        tpl_seg *v = realloc(p->v, cap * sizeof(*v));

        if (v == NULL)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n].var = var;
    p->v[p->n].len = len;
    p->v[p->n].text = NULL;
    if (var < 0) {
        p->v[p->n].text = malloc(len + 1);
        if (p->v[p->n].text == NULL)
            return -1;
        memcpy(p->v[p->n].text, s, len);
        p->v[p->n].text[len] = '\0';
    }
    p->n++;
    return 0;
}

static int
var_index(const char *s, size_t n)
{
    for (int i = 0; i < V_MAX; i++)
        if (strlen(var_names[i]) == n && memcmp(var_names[i], s, n) == 0)
            return i;
    return -1;
}

/* Parse [s, s+n) into p; line is the first line's number.  Returns the
 * number of errors (each in d); -1 on allocation failure. */
static int
parse_part(const char *s, size_t n, unsigned line, const char *name, sq_diag *d,
           tpl_part *p)
{
    GString *lit = g_string_new(NULL);
    int errors = 0;

    for (size_t i = 0; i < n && errors >= 0; i++) {
        char c = s[i];

        if ((c == '{' || c == '}') && i + 1 < n && s[i + 1] == c) {
            g_string_append_c(lit, c);
            i++;
        } else if (c == '{') {
            const char *end = memchr(s + i + 1, '}', n - i - 1);
            const char *nl = memchr(s + i + 1, '\n', n - i - 1);
            size_t vn = end != NULL ? (size_t)(end - s - i - 1) : 0;
            int v = end != NULL ? var_index(s + i + 1, vn) : -1;
            char show[SQ_SHOW_MAX + 4];

            if (end == NULL || (nl != NULL && nl < end)) {
                sq_diag_addf(d, name, line, "unclosed '{'");
                errors++;
                continue;
            }
            if (v < 0) {
                sq_str_show(s + i + 1, vn, show);
                sq_diag_addf(d, name, line, "unknown variable {%s}", show);
                errors++;
            } else if ((lit->len > 0 &&
                        seg_add(p, -1, lit->str, lit->len) < 0) ||
                       seg_add(p, v, NULL, 0) < 0) {
                errors = -1;
            }
            g_string_truncate(lit, 0);
            i += vn + 1;
        } else if (c == '}') {
            sq_diag_addf(d, name, line, "'}' without '{' (write }})");
            errors++;
        } else {
            if (c == '\n')
                line++;
            g_string_append_c(lit, c);
        }
    }
    if (errors >= 0 && lit->len > 0 && seg_add(p, -1, lit->str, lit->len) < 0)
        errors = -1;
    g_string_free(lit, TRUE);
    return errors;
}

/* Split "Subject: s\n\nbody"; 0 when the shape is wrong. */
static int
split(const char *text, size_t len, const char **subj, size_t *slen,
      const char **body, size_t *blen)
{
    const char *nl = memchr(text, '\n', len);
    size_t l1 = nl != NULL ? (size_t)(nl - text) : len, off;

    if (l1 < 8 || !sq_strncaseeq(text, 8, "subject:"))
        return 0;
    *subj = text + 8;
    *slen = l1 - 8;
    while (*slen > 0 && (**subj == ' ' || **subj == '\t')) {
        (*subj)++;
        (*slen)--;
    }
    while (*slen > 0 && (*subj)[*slen - 1] == '\r')
        (*slen)--;
    off = nl != NULL ? l1 + 1 : len;
    if (off < len && text[off] == '\r')
        off++;
    if (off < len && text[off] != '\n')
        return 0;
    off += off < len;
    *body = text + off;
    *blen = len - off;
    return 1;
}

sq_status
sq_template_parse(const char *text, size_t len, const char *name, sq_diag *d,
                  sq_template **out)
{
    const char *subj, *body;
    size_t slen, blen;
    sq_template *t;
    int e1, e2;

    if (text == NULL || out == NULL)
        return SQ_EINVAL;
    if (len > TPL_MAX_BYTES || memchr(text, '\0', len) != NULL) {
        sq_diag_addf(d, name, 0, "template too large or binary");
        return SQ_EPARSE;
    }
    if (!split(text, len, &subj, &slen, &body, &blen)) {
        sq_diag_addf(d, name, 1,
                     "a template starts with \"Subject: ...\" and an "
                     "empty line");
        return SQ_EPARSE;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return SQ_ENOMEM;
    e1 = parse_part(subj, slen, 1, name, d, &t->subject);
    e2 = parse_part(body, blen, 3, name, d, &t->body);
    if (e1 != 0 || e2 != 0) {
        sq_template_free(t);
        return e1 < 0 || e2 < 0 ? SQ_ENOMEM : SQ_EPARSE;
    }
    *out = t;
    return SQ_OK;
}

sq_status
sq_template_load(const char *path, sq_diag *d, sq_template **out)
{
    char *text = NULL;
    size_t len = 0;
    sq_status st;

    st = sq_file_read_private(path, "template", TPL_MAX_BYTES, &text, &len, d);
    if (st == SQ_ENOTFOUND)
        sq_diag_addf(d, path, 0, "no such template file");
    if (st != SQ_OK)
        return st;
    st = sq_template_parse(text, len, path, d, out);
    free(text);
    return st;
}

sq_status
sq_template_default(sq_report_kind kind, sq_template **out)
{
    const char *s = rep_kind(kind)->is_mail ? mail_default : log_default;

    return sq_template_parse(s, strlen(s), "built-in template", NULL, out);
}

/* Join the distinct, non-empty values of a field with ", ". */
static void
join(GString *g, const sq_incident *inc, sq_incident_field f)
{
    size_t n = sq_incident_count(inc, f), kept = 0;

    for (size_t i = 0; i < n; i++) {
        const char *v = sq_incident_get(inc, f, i);
        size_t j = 0;

        while (j < i && strcmp(sq_incident_get(inc, f, j), v) != 0)
            j++;
        if (j < i || *v == '\0')
            continue;
        if (kept++ > 0)
            g_string_append(g, ", ");
        g_string_append(g, v);
    }
}

static void
append_or(GString *g, const char *v, const char *dflt)
{
    g_string_append(g, v != NULL && *v != '\0' ? v : dflt);
}

static void
append_port(GString *g, unsigned port)
{
    if (port > 0)
        g_string_append_printf(g, "%u", port);
    else
        g_string_append(g, "unknown");
}

/* One function per variable, indexed by tpl_var. */
typedef void (*var_fn)(GString *g, const sq_incident *inc);

static void
v_source_ip(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_SOURCE_IP), "unknown");
}

static void
v_source_port(GString *g, const sq_incident *inc)
{
    append_port(g, inc->sport);
}

static void
v_dest_port(GString *g, const sq_incident *inc)
{
    append_port(g, inc->dport);
}

static void
v_network(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_NETWORK), "unknown network");
}

static void
v_asn(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_ASN), "AS unknown");
}

static void
v_date(GString *g, const sq_incident *inc)
{
    char buf[64];

    rep_date_rfc5322(inc->first, inc->zone_min, buf, sizeof(buf));
    g_string_append(g, buf);
}

static void
v_date_utc(GString *g, const sq_incident *inc)
{
    char buf[32];

    sq_time_format_utc(inc->first, buf, sizeof(buf));
    g_string_append(g, buf);
}

static void
v_last_seen(GString *g, const sq_incident *inc)
{
    char buf[32];

    sq_time_format_utc(inc->last, buf, sizeof(buf));
    g_string_append(g, buf);
}

static void
v_category(GString *g, const sq_incident *inc)
{
    const rep_kind_info *k = rep_kind(inc->kind);

    g_string_append_printf(g, "%s/%s", k->xarf_category, k->xarf_type);
}

static void
v_kind(GString *g, const sq_incident *inc)
{
    g_string_append(g, rep_kind(inc->kind)->name);
}

static void
v_kind_text(GString *g, const sq_incident *inc)
{
    g_string_append(g, rep_kind(inc->kind)->text);
}

static void
v_feedback_type(GString *g, const sq_incident *inc)
{
    g_string_append(g, rep_kind(inc->kind)->feedback_type);
}

static void
v_reporter_name(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_REPORTER_NAME),
              rep_field(inc, SQ_INC_REPORTER_ADDR));
}

static void
v_reporter_org(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_REPORTER_ORG), "");
}

static void
v_reporter_address(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_REPORTER_ADDR), "");
}

static void
v_destination(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_DEST_ADDR), "");
}

static void
v_subject(GString *g, const sq_incident *inc)
{
    char *s = rep_msg_header(inc, "Subject");

    append_or(g, s, "(none)");
    g_free(s);
}

static void
v_urls(GString *g, const sq_incident *inc)
{
    join(g, inc, SQ_INC_URI);
}

static void
v_domains(GString *g, const sq_incident *inc)
{
    join(g, inc, SQ_INC_DOMAIN);
}

static void
v_evidence_hash(GString *g, const sq_incident *inc)
{
    char hex[65];

    if (sq_incident_evidence_hash(inc, hex) == SQ_OK)
        g_string_append(g, hex);
    else
        g_string_append(g, "(no evidence)");
}

static void
v_incidents(GString *g, const sq_incident *inc)
{
    g_string_append_printf(g, "%lu", inc->count);
}

static void
v_service(GString *g, const sq_incident *inc)
{
    append_or(g, rep_field(inc, SQ_INC_SERVICE), "unknown");
}

static void
v_version(GString *g, const sq_incident *inc)
{
    (void)inc;
    g_string_append(g, sq_version());
}

static const var_fn var_fns[V_MAX] = {
    v_source_ip,    v_source_port,      v_network,       v_asn,
    v_date,         v_date_utc,         v_last_seen,     v_category,
    v_kind,         v_kind_text,        v_feedback_type, v_reporter_name,
    v_reporter_org, v_reporter_address, v_destination,   v_subject,
    v_urls,         v_domains,          v_evidence_hash, v_incidents,
    v_service,      v_dest_port,        v_version};

static char *
render_part(const tpl_part *p, const sq_incident *inc)
{
    GString *g = g_string_new(NULL);
    char *r;

    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].var < 0)
            g_string_append_len(g, p->v[i].text, (gssize)p->v[i].len);
        else
            var_fns[p->v[i].var](g, inc);
    }
    r = rep_redact_str(inc, g->str);
    g_string_free(g, TRUE);
    return r;
}

/* A malloc'ed copy of a g_malloc'ed string (freed). */
static char *
to_malloc(char *g)
{
    char *m = NULL;

    if (g != NULL && rep_out(g, strlen(g), &m, NULL) != SQ_OK)
        m = NULL;
    g_free(g);
    return m;
}

sq_status
sq_template_render(const sq_template *t, const sq_incident *inc, char **subject,
                   char **body)
{
    char *s, *b, *nl;

    if (t == NULL || inc == NULL || subject == NULL || body == NULL)
        return SQ_EINVAL;
    rep_gmime_init();
    s = to_malloc(render_part(&t->subject, inc));
    b = to_malloc(render_part(&t->body, inc));
    if (s == NULL || b == NULL) {
        free(s);
        free(b);
        return SQ_ENOMEM;
    }
    /* a subject is one line, whatever the variables held */
    while ((nl = strpbrk(s, "\r\n\t")) != NULL)
        *nl = ' ';
    *subject = s;
    *body = b;
    return SQ_OK;
}

sq_status
rep_render(const sq_incident *inc, const sq_template *tpl, sq_diag *d,
           char **subject, char **body)
{
    sq_template *own = NULL;
    sq_status st;

    if (tpl == NULL) {
        st = sq_template_default(inc->kind, &own);
        if (st != SQ_OK) {
            sq_diag_addf(d, NULL, 0, "report: built-in template: %s",
                         sq_strerror(st));
            return st;
        }
        tpl = own;
    }
    st = sq_template_render(tpl, inc, subject, body);
    sq_template_free(own);
    return st;
}

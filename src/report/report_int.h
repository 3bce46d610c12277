/*
 * report_int.h - internals of the report module: the incident and
 * redactor structures, the per-kind table and helpers shared by the
 * builders.  Builders use GLib's GString for output and GMime for MIME;
 * results are copied to malloc'ed memory before they leave the module.
 */
#ifndef SQ_REPORT_INT_H
#define SQ_REPORT_INT_H

#include "core/core_int.h"

#include <squeaky/report.h>

#include <gmime/gmime.h>

/* One secret of a redactor: the text lower-cased, and what replaces it. */
typedef struct rd_secret {
    char *text;
    size_t len;
    sq_secret_kind kind;
} rd_secret;

enum { RD_MAX_SECRETS = 4096 };

struct sq_redactor {
    rd_secret *v;
    size_t n, cap;
};

/* A list of strings owned by the incident. */
typedef struct inc_list {
    char **v;
    size_t n, cap;
} inc_list;

struct sq_incident {
    sq_report_kind kind;
    inc_list f[SQ_INC_FIELD_MAX];
    unsigned sport, dport;
    long long first, last;
    int zone_min;
    unsigned long count;
    char *msg;
    size_t msglen;
    const sq_redactor *red;
};

/* What each kind is called in each format. */
typedef struct rep_kind_info {
    const char *name;          /* sq_report_kind_name */
    const char *feedback_type; /* ARF Feedback-Type */
    const char *xarf_category; /* XARF v4 */
    const char *xarf_type;
    const char *x02_category; /* X-ARF 0.2 Category */
    const char *x02_type;     /* X-ARF 0.2 Report-Type */
    const char *x02_schema;   /* X-ARF 0.2 Schema-URL */
    const char *text;         /* "spam", "a phishing message", ... */
    int is_mail;              /* evidence is a message */
} rep_kind_info;

const rep_kind_info *rep_kind(sq_report_kind k);

/* Redact [in, in+len) onto g; only_safe: only secrets holding '.', '@'
 * or ':' (safe on base64 bytes).  *nrepl (may be NULL) counts. */
void rd_redact(const sq_redactor *r, const char *in, size_t len, int only_safe,
               GString *g, size_t *nrepl);

/* Initialise GMime once per process (thread-safe). */
void rep_gmime_init(void);

/* Last value of a single-valued field, or NULL. */
const char *rep_field(const sq_incident *inc, sq_incident_field f);

/* Copy a GString/bytes into malloc'ed NUL-terminated memory. */
sq_status rep_out(const char *s, size_t len, char **out, size_t *outlen);

/* Redact with inc's redactor (or copy); result g_free'd by caller.  NULL
 * on allocation failure. */
char *rep_redact_str(const sq_incident *inc, const char *s);

/* Append s as one header-safe line: CR/LF/controls become spaces. */
void rep_append_clean(GString *g, const char *s);
/* A valid UTF-8 copy (invalid bytes -> '?'), at most maxbytes bytes
 * cut on a character boundary; g_free it. */
char *rep_utf8_clean(const char *s, size_t len, size_t maxbytes);

/* RFC 5322 date of t shown in zone_min ("Thu, 8 Mar 2005 17:40:36 -0500"). */
void rep_date_rfc5322(long long t, int zone_min, char *out, size_t outlen);

/* The original's header named name, unfolded and decoded (g_free), or
 * NULL. */
char *rep_msg_header(const sq_incident *inc, const char *name);
/* Length of the header block of [msg, msg+len) including the blank
 * line. */
size_t rep_header_block_len(const char *msg, size_t len);

/* The domain of an address ("" when none); borrowed from addr. */
const char *rep_addr_domain(const char *addr);

/* ---- the mail shell every mail format shares (mail.c) ---- */

/* A new message with From, To, Subject, Date, Message-ID, Reply-To and
 * the squeaky headers, or NULL with a message in d. */
GMimeMessage *rep_mail_new(const sq_incident *inc, const char *subject,
                           sq_diag *d);
/* A text/plain UTF-8 part (QP when it needs it). */
GMimePart *rep_text_part(const char *text, const char *filename);
/* A part of type/subtype holding bytes, with the given encoding. */
GMimePart *rep_data_part(const char *type, const char *subtype,
                         const char *data, size_t len, GMimeContentEncoding enc,
                         const char *filename);
/* The redacted original as message/rfc822 or text/rfc822-headers
 * (headers_only, or larger than SQ_REPORT_MAX_EVIDENCE). */
sq_status rep_original_part(const sq_incident *inc, int headers_only,
                            sq_diag *d, GMimeObject **out);
/* The redacted original's bytes (malloc'ed). */
sq_status rep_redacted_original(const sq_incident *inc, sq_diag *d, char **out,
                                size_t *outlen);
/* A random UUID v4 in lower case. */
void rep_uuid4(char out[37]);
/* The evidence lines joined with "\n", redacted (g_free). */
char *rep_evidence_text(const sq_incident *inc);
/* When it happened: the incident's time, else the original's Date. */
void rep_when(const sq_incident *inc, long long *t, int *zone_min);

/* Serialise m (LF line ends) to *out. */
sq_status rep_mail_finish(GMimeMessage *m, char **out, size_t *outlen);
/* Render the template (tpl or the default) for inc. */
sq_status rep_render(const sq_incident *inc, const sq_template *tpl, sq_diag *d,
                     char **subject, char **body);

/* ---- builders ---- */
sq_status rep_build_arf(const sq_incident *inc, unsigned flags,
                        const sq_template *tpl, sq_diag *d, char **out,
                        size_t *outlen);
sq_status rep_build_text(const sq_incident *inc, unsigned flags,
                         const sq_template *tpl, sq_diag *d, char **out,
                         size_t *outlen);
sq_status rep_build_x02(const sq_incident *inc, unsigned flags,
                        const sq_template *tpl, sq_diag *d, char **out,
                        size_t *outlen);
sq_status rep_build_xarf(const sq_incident *inc, unsigned flags,
                         const sq_template *tpl, sq_diag *d, char **out,
                         size_t *outlen);
sq_status rep_build_xarf_mail(const sq_incident *inc, unsigned flags,
                              const sq_template *tpl, sq_diag *d, char **out,
                              size_t *outlen);

#endif

/*
 * squeaky/report.h - turn one incident into report documents.
 *
 * An sq_incident describes one piece of abuse: what kind, which source
 * (IP, port), when, the evidence (the original RFC 5322 message or log
 * lines), reported domains and URIs, who reports it and where it goes.
 * sq_report_build() writes it in one of the formats abuse desks read:
 * ARF (RFC 5965/6650/6692), XARF v4 JSON (bare or wrapped in a mail),
 * X-ARF 0.2 (MIME + YAML) and plain text.  See docs/REPORT.md.
 *
 * Redaction: an sq_redactor holds the reporter's secrets (own addresses,
 * host names, IPs, and addresses learned from the message's
 * Delivered-To / X-Original-To / To / Cc).  Every byte a builder takes
 * from the evidence passes through it: headers (encoded words decoded
 * first), decoded text parts (base64 / quoted-printable re-encoded),
 * feedback fields and the rendered human-readable text.  Only the
 * reporter identity (From, Reply-To, org) set on the incident is
 * written as given: it is meant to be public.
 *
 * Text the user can change comes from an sq_template ("Subject: ..."
 * line, blank line, body) with {name} variables; see
 * sq_template_var_name().
 *
 * All objects are single-threaded; different objects may be used on
 * different threads at once.
 */
#ifndef SQUEAKY_REPORT_H
#define SQUEAKY_REPORT_H

#include <squeaky/core.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What happened.  Each kind maps to an ARF Feedback-Type, an XARF v4
 * category/type and an X-ARF category (table in docs/REPORT.md). */
typedef enum sq_report_kind {
    SQ_KIND_SPAM = 0,       /* mail: abuse, messaging/spam */
    SQ_KIND_PHISHING,       /* mail: fraud, content/phishing */
    SQ_KIND_MALWARE,        /* mail: virus, content/malware */
    SQ_KIND_LOGIN_ATTACK,   /* logs: connection/login_attack */
    SQ_KIND_PORT_SCAN,      /* logs: connection/port_scan */
    SQ_KIND_VULN_SCAN,      /* logs: connection/vulnerability_scan */
    SQ_KIND_SQL_INJECTION,  /* logs: connection/sql_injection */
    SQ_KIND_RECONNAISSANCE, /* logs: connection/reconnaissance */
    SQ_KIND_MAX
} sq_report_kind;

typedef enum sq_report_format {
    SQ_FORMAT_ARF = 0,   /* RFC 5965 multipart/report mail */
    SQ_FORMAT_XARF,      /* XARF v4 JSON document (no mail around it) */
    SQ_FORMAT_XARF_MAIL, /* mail: text part + the XARF v4 JSON attached */
    SQ_FORMAT_XARF02,    /* X-ARF 0.2 mail: text, YAML report, evidence */
    SQ_FORMAT_TEXT,      /* plain-text mail with the evidence inline */
    SQ_FORMAT_MAX
} sq_report_format;

/* "spam", "login_attack", ...; "arf", "xarf", "xarf-mail", "x-arf",
 * "text".  NULL for values out of range.  The _parse functions return
 * SQ_OK and set *out, or SQ_EINVAL. */
SQ_API const char *sq_report_kind_name(sq_report_kind k);
SQ_API const char *sq_report_format_name(sq_report_format f);
SQ_API sq_status sq_report_kind_parse(const char *s, sq_report_kind *out);
SQ_API sq_status sq_report_format_parse(const char *s, sq_report_format *out);

/* ---- redaction ---- */

typedef struct sq_redactor sq_redactor;

typedef enum sq_secret_kind {
    SQ_SECRET_ADDRESS = 0, /* local@domain -> redacted@redacted.invalid */
    SQ_SECRET_HOST,        /* a host or domain name -> redacted.invalid */
    SQ_SECRET_IP,          /* an IPv4/IPv6 address -> [redacted-ip] */
    SQ_SECRET_WORD         /* any other text (a user name) -> [redacted] */
} sq_secret_kind;

SQ_API sq_status sq_redactor_new(sq_redactor **out);
SQ_API void sq_redactor_free(sq_redactor *r);
/* Add one secret (copied; matched ignoring ASCII case).  SQ_EINVAL for
 * an empty secret or one shorter than 3 bytes (it would eat text). */
SQ_API sq_status sq_redactor_add(sq_redactor *r, sq_secret_kind kind,
                                 const char *secret);
/* Learn the recipient addresses of [msg, msg+len): Delivered-To,
 * X-Original-To, To, Cc (encoded words decoded).  Adds them as
 * SQ_SECRET_ADDRESS; returns how many were new in *nlearned (may be
 * NULL). */
SQ_API sq_status sq_redactor_learn(sq_redactor *r, const char *msg, size_t len,
                                   size_t *nlearned);
SQ_API size_t sq_redactor_count(const sq_redactor *r);
/* The i-th secret (borrowed from r), NULL when out of range. */
SQ_API const char *sq_redactor_secret(const sq_redactor *r, size_t i,
                                      sq_secret_kind *kind);
/* Redact plain text: *out is malloc'ed (NUL added, *outlen without it);
 * *nrepl (may be NULL) counts replacements. */
SQ_API sq_status sq_redact_text(const sq_redactor *r, const char *in,
                                size_t len, char **out, size_t *outlen,
                                size_t *nrepl);
/* Redact a whole RFC 5322 message: every header of every part (encoded
 * words decoded, redacted, re-encoded), decoded text parts (re-encoded
 * with their transfer encoding), nested message/rfc822 parts; a non-text
 * part whose decoded bytes hold a secret is replaced by a short
 * text/plain note.  At most SQ_REPORT_MAX_DEPTH levels of nesting;
 * deeper parts are dropped.  *out is malloc'ed. */
SQ_API sq_status sq_redact_message(const sq_redactor *r, const char *msg,
                                   size_t len, char **out, size_t *outlen,
                                   sq_diag *d);

enum { SQ_REPORT_MAX_DEPTH = 16 };

/* ---- incidents ---- */

typedef struct sq_incident sq_incident;

/* Text fields of an incident.  Multi-valued ones (marked *) collect
 * every call of sq_incident_add(); the others keep the last value. */
typedef enum sq_incident_field {
    SQ_INC_SOURCE_IP = 0, /* the abuse source (IPv4/IPv6 text) */
    SQ_INC_MAIL_FROM,     /* envelope sender of the original */
    SQ_INC_RCPT_TO,       /* * envelope recipients (redacted in output) */
    SQ_INC_DOMAIN,        /* * reported domains */
    SQ_INC_URI,           /* * reported URIs */
    SQ_INC_AUTH_RESULTS,  /* * Authentication-Results values */
    SQ_INC_EVIDENCE_LINE, /* * log lines (evidence when no message) */
    SQ_INC_REPORTER_NAME, /* display name of From */
    SQ_INC_REPORTER_ADDR, /* From address (required for mail formats) */
    SQ_INC_REPORTER_ORG,  /* organisation (XARF reporter.org) */
    SQ_INC_REPLY_TO,      /* Reply-To address */
    SQ_INC_DEST_ADDR,     /* the abuse desk's address (To) */
    SQ_INC_NETWORK,       /* network label for the text ("GOOGLE") */
    SQ_INC_ASN,           /* "AS15169" */
    SQ_INC_MESSAGE_ID,    /* Message-ID of the report (else generated) */
    SQ_INC_REPORT_ID,     /* XARF report_id UUID (else random v4) */
    SQ_INC_DEST_IP,       /* logs: the attacked address */
    SQ_INC_PROTOCOL,      /* logs: tcp (default), udp, icmp, sctp */
    SQ_INC_SERVICE,       /* logs: ssh, smtp, http, ... */
    SQ_INC_FIELD_MAX
} sq_incident_field;

SQ_API sq_status sq_incident_new(sq_report_kind kind, sq_incident **out);
SQ_API void sq_incident_free(sq_incident *inc);
SQ_API sq_report_kind sq_incident_kind(const sq_incident *inc);

/* Set (or add, for the multi-valued fields) a text field; value is
 * copied.  SQ_EINVAL for an unknown field, a NULL value or one holding
 * CR, LF or NUL (header injection), or an invalid source IP. */
SQ_API sq_status sq_incident_add(sq_incident *inc, sq_incident_field f,
                                 const char *value);
/* Values of a field (borrowed from inc); NULL when i is out of range. */
SQ_API size_t sq_incident_count(const sq_incident *inc, sq_incident_field f);
SQ_API const char *sq_incident_get(const sq_incident *inc, sq_incident_field f,
                                   size_t i);

/* Ports: 0 = unknown. */
SQ_API void sq_incident_set_ports(sq_incident *inc, unsigned source_port,
                                  unsigned dest_port);
/* When it happened (seconds since the epoch, UTC) and the zone offset
 * the evidence gave, in minutes east of UTC (Arrival-Date keeps it).
 * last is the last occurrence (0: same as first). */
SQ_API void sq_incident_set_time(sq_incident *inc, long long first,
                                 long long last, int zone_minutes);
/* How many incidents the report stands for (ARF Incidents, XARF
 * attempt_count); default 1. */
SQ_API void sq_incident_set_count(sq_incident *inc, unsigned long n);
/* The original message (copied).  Its Subject, Message-ID,
 * Authentication-Results and envelope fields are read only when the
 * incident has none of its own. */
SQ_API sq_status sq_incident_set_message(sq_incident *inc, const char *msg,
                                         size_t len);
/* The redactor every builder applies (borrowed: it must outlive inc;
 * NULL: no redaction). */
SQ_API void sq_incident_set_redactor(sq_incident *inc, const sq_redactor *r);

/* sha256 of the evidence as 64 lower-case hex digits + NUL: the
 * original message bytes, else the evidence lines each followed by
 * "\n".  SQ_EEMPTY when the incident has no evidence. */
SQ_API sq_status sq_incident_evidence_hash(const sq_incident *inc,
                                           char out[65]);
/* sha256 of any bytes, as above. */
SQ_API void sq_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- templates ---- */

typedef struct sq_template sq_template;

/* Parse a template: first line "Subject: text", then an empty line,
 * then the body.  {name} is a variable, {{ and }} are literal braces.
 * SQ_EPARSE with "line N: unknown variable {x}" (every problem is
 * reported in d) for unknown names, unclosed braces or a missing
 * Subject line.  name labels the messages (a file name; may be NULL). */
SQ_API sq_status sq_template_parse(const char *text, size_t len,
                                   const char *name, sq_diag *d,
                                   sq_template **out);
SQ_API sq_status sq_template_load(const char *path, sq_diag *d,
                                  sq_template **out);
/* The built-in template for a kind (mail kinds and log kinds differ). */
SQ_API sq_status sq_template_default(sq_report_kind kind, sq_template **out);
SQ_API void sq_template_free(sq_template *t);
/* Render for inc: *subject and *body malloc'ed, redacted. */
SQ_API sq_status sq_template_render(const sq_template *t,
                                    const sq_incident *inc, char **subject,
                                    char **body);
/* The i-th variable name ("source_ip", ...); NULL past the last. */
SQ_API const char *sq_template_var_name(size_t i);

/* ---- builders ---- */

/* Flags of sq_report_build(). */
enum {
    /* ARF: attach text/rfc822-headers instead of the whole message. */
    SQ_REPORT_HEADERS_ONLY = 1u << 0
};

/* Messages larger than this are attached as headers only (ARF, X-ARF,
 * text) and XARF v4 evidence is the header block (the schema caps an
 * evidence item at 5 MB). */
enum { SQ_REPORT_MAX_EVIDENCE = 4u * 1024 * 1024 };

/*
 * Build one report of inc in format fmt.  tpl may be NULL (the
 * built-in template).  *out is malloc'ed and NUL-terminated (*outlen
 * without the NUL); mail formats are whole RFC 5322 messages with LF
 * line ends (the sender converts to CRLF).  SQ_EINVAL with a message in
 * d when inc lacks what the format needs (no source, no reporter
 * address, XARF connection types without a source port, ...).
 */
SQ_API sq_status sq_report_build(const sq_incident *inc, sq_report_format fmt,
                                 unsigned flags, const sq_template *tpl,
                                 sq_diag *d, char **out, size_t *outlen);

/* ---- URLs and domains in a message body ---- */

typedef struct sq_urlset sq_urlset;

/* Bounds of sq_urls_extract(). */
enum {
    SQ_URLS_MAX = 256,                   /* URLs kept per message */
    SQ_URLS_MAX_SCAN = 8u * 1024 * 1024, /* decoded text bytes scanned */
    SQ_URLS_MAX_LEN = 2048               /* longer URLs are dropped */
};

/* Find http(s)/ftp URLs in the decoded text/plain and text/html parts
 * of [msg, msg+len) (href/src attributes, bare URLs), de-duplicated in
 * order of appearance.  Never fails on bad MIME: it keeps what it
 * could read. */
SQ_API sq_status sq_urls_extract(const char *msg, size_t len, sq_urlset **out);
SQ_API void sq_urlset_free(sq_urlset *u);
SQ_API size_t sq_urlset_count(const sq_urlset *u);
/* The URL as written (HTML entities &amp; decoded), its host (lower
 * case, IDN as A-labels; IP literals without brackets) and the
 * registrable domain (libpsl; "" for IP literals or when unknown).
 * Borrowed from u; NULL when i is out of range. */
SQ_API const char *sq_urlset_url(const sq_urlset *u, size_t i);
SQ_API const char *sq_urlset_host(const sq_urlset *u, size_t i);
SQ_API const char *sq_urlset_domain(const sq_urlset *u, size_t i);

#ifdef __cplusplus
}
#endif
#endif

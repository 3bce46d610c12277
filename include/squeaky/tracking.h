/*
 * squeaky/tracking.h - the squeaky wheel: what became of the reports.
 *
 * Three parts (docs/TRACKING.md has the rules and the pattern lists):
 *
 *   replies   sq_reply_parse() classifies one message that came back:
 *             a DSN (RFC 3464), a non-standard bounce (Postfix, Exim,
 *             qmail, Exchange text forms), an auto-reply or
 *             acknowledgement (with the desk's ticket number), an ARF
 *             feedback report, or something else.  Pure: no store.
 *   ingest    sq_tracking_ingest() matches a reply to its outbox report
 *             (VERP tag in the recipient address, else the report's
 *             Message-ID quoted in the reply) and marks it bounced or
 *             acknowledged; a hard bounce (5.x.x) marks the desk's
 *             address dead.  The same reply twice changes nothing.
 *   history   sightings of reported sources after the report
 *             (sq_tracking_sighting), per network and per desk stats,
 *             and the escalation selection (N reports in T days and
 *             abuse still going on).
 *
 * A tracker keeps its tables (tracking_*) in the outbox's store and
 * reads the outbox's reports.  Single-threaded; the store may be
 * shared.  Strings returned by accessors are borrowed from the object
 * they came from and live until it is freed.
 */
#ifndef SQUEAKY_TRACKING_H
#define SQUEAKY_TRACKING_H

#include <squeaky/core.h>
#include <squeaky/outbox.h>
#include <squeaky/store.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- replies ---- */

typedef enum sq_reply_kind {
    SQ_REPLY_OTHER = 0, /* not a reply to a report: ignored */
    SQ_REPLY_BOUNCE,    /* permanent failure (5.x.x or failed) */
    SQ_REPLY_DELAY,     /* transient: delayed (4.x.x), nothing dead */
    SQ_REPLY_DELIVERED, /* a success DSN (relayed, delivered) */
    SQ_REPLY_AUTOREPLY, /* auto-reply or acknowledgement */
    SQ_REPLY_FEEDBACK,  /* an ARF feedback report (not for us) */
    SQ_REPLY_KIND_MAX
} sq_reply_kind;

/* "other", "bounce", "delay", "delivered", "autoreply", "feedback". */
SQ_API const char *sq_reply_kind_name(sq_reply_kind k);

typedef struct sq_reply sq_reply;

/*
 * Classify [msg, msg+len).  Never fails on content: anything that is
 * not a recognisable reply is SQ_REPLY_OTHER.  SQ_ENOMEM, SQ_EINVAL
 * (NULL arguments) only.  Owned; free with sq_reply_free.
 */
SQ_API sq_status sq_reply_parse(const char *msg, size_t len, sq_reply **out);
SQ_API void sq_reply_free(sq_reply *r);

SQ_API sq_reply_kind sq_reply_kind_of(const sq_reply *r);
/* 1 when the reply is an RFC 3464 DSN (a message/delivery-status part). */
SQ_API int sq_reply_is_dsn(const sq_reply *r);
/* The reply's own Message-ID without <> ("" when none). */
SQ_API const char *sq_reply_message_id(const sq_reply *r);
/* Enhanced status of the worst recipient ("5.1.1"; "" when unknown). */
SQ_API const char *sq_reply_status(const sq_reply *r);
/* Why: the Diagnostic-Code or the bounce's phrase, one printable line. */
SQ_API const char *sq_reply_reason(const sq_reply *r);
/* The address that failed (Final-Recipient or from the text; ""). */
SQ_API const char *sq_reply_failed_address(const sq_reply *r);
/* The desk's ticket number (auto-replies; "" when none). */
SQ_API const char *sq_reply_ticket(const sq_reply *r);

/* Keys that may name the report: recipient addresses of the reply
 * (where a VERP tag lives) and Message-IDs it quotes (without <>). */
SQ_API size_t sq_reply_address_count(const sq_reply *r);
SQ_API const char *sq_reply_address(const sq_reply *r, size_t i);
SQ_API size_t sq_reply_msgid_count(const sq_reply *r);
SQ_API const char *sq_reply_msgid(const sq_reply *r, size_t i);

/* Per-recipient DSN fields (i < count; "" when absent). */
SQ_API size_t sq_reply_rcpt_count(const sq_reply *r);
SQ_API const char *sq_reply_rcpt_final(const sq_reply *r, size_t i);
SQ_API const char *sq_reply_rcpt_original(const sq_reply *r, size_t i);
SQ_API const char *sq_reply_rcpt_action(const sq_reply *r, size_t i);
SQ_API const char *sq_reply_rcpt_status(const sq_reply *r, size_t i);
SQ_API const char *sq_reply_rcpt_diagnostic(const sq_reply *r, size_t i);

/*
 * The ticket number in a Subject [s, s+len) ("[Ticket#12345]",
 * "[RT #123]", "Case 123456", "#ABUSE-1234", "[AbuseIO 42]", ...: the
 * list is in docs/TRACKING.md).  1 and the ticket (as written, e.g.
 * "Ticket#12345") in buf when found; 0 otherwise.
 */
enum { SQ_TICKET_MAX = 64 };
SQ_API int sq_tracking_ticket(const char *s, size_t len, char *buf,
                              size_t buflen);

/* ---- the tracker ---- */

typedef struct sq_tracking sq_tracking;

/* Open (creating its tables) on ob's store.  store and ob are borrowed
 * and must outlive tr. */
SQ_API sq_status sq_tracking_open(sq_store *store, sq_outbox *ob, sq_diag *d,
                                  sq_tracking **out);
SQ_API void sq_tracking_free(sq_tracking *tr);
/* Tests: t is "now" (epoch seconds); 0 goes back to the clock. */
SQ_API void sq_tracking_set_now(sq_tracking *tr, long long t);
/* The envelope_sender template ("bounces+{tag}@example.org") VERP tags
 * are decoded with; copied.  SQ_EINVAL when too long. */
SQ_API sq_status sq_tracking_set_verp(sq_tracking *tr, const char *tmpl);

/* What one ingested message did. */
typedef struct sq_ingest_result {
    sq_reply_kind kind;
    int duplicate;    /* 1: this reply was ingested before: no change */
    int matched;      /* 1: it named at least one report */
    size_t marked;    /* reports marked bounced / acknowledged */
    int dead;         /* 1: a hard bounce marked an address dead */
    long long report; /* the first report it named, 0 when none */
    char how[16];     /* "verp", "message-id" or "" */
    char ticket[SQ_TICKET_MAX + 1];
    char status[16]; /* "5.1.1" */
} sq_ingest_result;

/*
 * Ingest one message.  res (may be NULL) says what happened.  A reply
 * that names no report is SQ_OK with matched 0.  Store errors are
 * returned as such.
 */
SQ_API sq_status sq_tracking_ingest(sq_tracking *tr, const char *msg,
                                    size_t len, sq_ingest_result *res,
                                    sq_diag *d);

/* 1 when addr (case-insensitive domain) is dead: a hard bounce came back
 * from it and nothing revived it; 0 otherwise (and on store errors). */
SQ_API int sq_tracking_address_dead(sq_tracking *tr, const char *addr);
/* Mark addr dead (reason and report may be NULL / 0) or alive again. */
SQ_API sq_status sq_tracking_mark_dead(sq_tracking *tr, const char *addr,
                                       const char *reason, long long report,
                                       sq_diag *d);
SQ_API sq_status sq_tracking_revive(sq_tracking *tr, const char *addr,
                                    sq_diag *d);

/*
 * Record which source IP report id is about (the report CLI calls it
 * when it queues a report).  Reports never linked are linked lazily
 * from their message (ARF Source-IP, XARF source_identifier, the text
 * templates' "Source:" line) the first time sightings or stats need it.
 */
SQ_API sq_status sq_tracking_link(sq_tracking *tr, long long report,
                                  const char *ip, sq_diag *d);

/*
 * A source IP was seen at when (epoch seconds) doing what (may be NULL:
 * "mail", "ssh", ...).  Recorded against every report about ip in state
 * sent or acknowledged that was sent before when, at most one row per
 * report per UTC day.  *n (may be NULL): reports it was recorded for.
 * SQ_EINVAL when ip is not an IP address.
 */
SQ_API sq_status sq_tracking_sighting(sq_tracking *tr, const char *ip,
                                      long long when, const char *what,
                                      size_t *n, sq_diag *d);

/* ---- statistics ---- */

typedef enum sq_stats_by {
    SQ_STATS_NETWORK = 0, /* the outbox's network label */
    SQ_STATS_DESK         /* the abuse desk's address */
} sq_stats_by;

typedef struct sq_stats sq_stats;

/*
 * Per network or per desk, over reports sent at or after since (0:
 * all): sent, bounced, acknowledged, tickets, continued (a sighting
 * after the report), median seconds from report to the first and to the
 * last sighting, dead (desk: its address is dead; network: every desk
 * it was reported to is).  Rows sorted by reports sent, most first.
 * Owned.
 */
SQ_API sq_status sq_tracking_stats(sq_tracking *tr, sq_stats_by by,
                                   long long since, sq_diag *d, sq_stats **out);
SQ_API void sq_stats_free(sq_stats *s);
SQ_API size_t sq_stats_count(const sq_stats *s);

typedef struct sq_stats_row {
    const char *key; /* network label or desk address ("" unknown) */
    long long sent, bounced, acknowledged, tickets, continued;
    long long median_first; /* seconds; -1 when nothing continued */
    long long median_last;  /* seconds; -1 when nothing continued */
    int dead;
} sq_stats_row;

/* Borrowed from s; NULL out of range. */
SQ_API const sq_stats_row *sq_stats_row_at(const sq_stats *s, size_t i);

/* ---- escalation ---- */

typedef struct sq_escalation sq_escalation;

/*
 * Networks (grouped by ASN when the label starts "AS<n>", else by the
 * label) with at least after reports sent in the window days before now
 * and a sighting after their last report.  Owned.
 */
SQ_API sq_status sq_tracking_escalations(sq_tracking *tr, long long after,
                                         long long window_days, sq_diag *d,
                                         sq_escalation **out);
SQ_API void sq_escalation_free(sq_escalation *e);
SQ_API size_t sq_escalation_count(const sq_escalation *e);
/* "AS64500" or the label; the ASN (0 unknown); the label of its latest
 * report. */
SQ_API const char *sq_escalation_key(const sq_escalation *e, size_t i);
SQ_API unsigned long sq_escalation_asn(const sq_escalation *e, size_t i);
SQ_API const char *sq_escalation_network(const sq_escalation *e, size_t i);
/* Reports in the window; the last sighting (epoch seconds, after the
 * last report). */
SQ_API size_t sq_escalation_reports(const sq_escalation *e, size_t i);
SQ_API long long sq_escalation_last_seen(const sq_escalation *e, size_t i);
/* The source IP of network i's latest linked report ("" when none;
 * NULL out of range); borrowed from e. */
SQ_API const char *sq_escalation_source_ip(const sq_escalation *e, size_t i);
/* Report j (j < sq_escalation_reports) of network i, oldest first. */
SQ_API long long sq_escalation_report_id(const sq_escalation *e, size_t i,
                                         size_t j);

/*
 * The history of network i for a report body (text: one line per report
 * "2026-01-02T03:04:05Z  #12  sent  abuse@example.net  ticket 123" and
 * the sightings) or as a JSON object.  Owned NUL-terminated string
 * (free()); NULL out of memory.
 */
SQ_API char *sq_escalation_text(const sq_escalation *e, size_t i);
SQ_API char *sq_escalation_json(const sq_escalation *e, size_t i);

#ifdef __cplusplus
}
#endif
#endif

/*
 * squeaky/scan.h - built-in log scanners: one log line in, at most one
 * abuse event out (an attacker address, a time, a kind).
 *
 * Each format has a hand-written scanner (memchr/memcmp on fixed
 * anchors, no regular expressions).  A scanner instance keeps a little
 * state: the reference time for years missing from syslog stamps, the
 * zone of zone-less stamps and a bounded sshd pid -> address table for
 * lines that carry no address ("Disconnecting: Too many authentication
 * failures").  Formats, what counts as an event and the time rules are
 * in docs/SCAN.md.
 *
 * Ownership: an sq_scanner is owned by the caller (sq_scanner_free).
 * An event returned by sq_scanner_line() is borrowed: it and every
 * string it holds stay valid until the next call on the same scanner.
 * One scanner per thread (or per file); scanners share nothing.
 */
#ifndef SQUEAKY_SCAN_H
#define SQUEAKY_SCAN_H

#include <squeaky/core.h>
#include <squeaky/report.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest line a scanner reads; longer lines give SQ_ELIMIT_LINE. */
enum { SQ_SCAN_MAX_LINE = 64 * 1024 };

typedef enum sq_scan_format {
    SQ_SCAN_AUTO = 0,  /* only for sq_scan_format_parse: "auto" */
    SQ_SCAN_SYSLOG,    /* any syslog file: each line by its program */
    SQ_SCAN_SSHD,      /* OpenSSH: syslog, short-iso, journal JSON */
    SQ_SCAN_NETFILTER, /* kernel iptables/nftables LOG lines */
    SQ_SCAN_UFW,       /* netfilter lines with a [UFW BLOCK] prefix */
    SQ_SCAN_FILTERLOG, /* pf filterlog CSV (pfSense, OPNsense) */
    SQ_SCAN_WINFW,     /* Windows Firewall pfirewall.log */
    SQ_SCAN_ACCESS,    /* Apache/nginx common or combined access log */
    SQ_SCAN_POSTFIX,   /* Postfix SASL authentication failures */
    SQ_SCAN_DOVECOT,   /* Dovecot authentication failures */
    SQ_SCAN_EXIM,      /* Exim main log: rejections, auth failures */
    SQ_SCAN_FAIL2BAN,  /* fail2ban.log "Ban" lines */
    SQ_SCAN_ASA,       /* Cisco ASA %ASA-x-nnnnnn messages */
    SQ_SCAN_FORMAT_MAX
} sq_scan_format;

/* "auto", "syslog", "sshd", "netfilter", "ufw", "filterlog", "winfw",
 * "access", "postfix", "dovecot", "exim", "fail2ban", "asa"; NULL out
 * of range.  _parse: SQ_OK and *out, or SQ_EINVAL. */
SQ_API const char *sq_scan_format_name(sq_scan_format f);
SQ_API sq_status sq_scan_format_parse(const char *s, sq_scan_format *out);

/* Guess the format of a file from its first bytes (a few dozen lines
 * is enough; at most SQ_SCAN_DETECT_LINES lines are read).  SQ_OK and
 * *out set, SQ_ENOTFOUND when no line is recognised, SQ_EBINARY when
 * the sample holds NUL bytes.  A sample mixing syslog programs (sshd
 * and postfix, say) gives SQ_SCAN_SYSLOG. */
enum { SQ_SCAN_DETECT_LINES = 200 };
SQ_API sq_status sq_scan_detect(const char *sample, size_t len,
                                sq_scan_format *out);

typedef struct sq_scanner sq_scanner;
typedef struct sq_scan_event sq_scan_event;

/* fmt must not be SQ_SCAN_AUTO (detect first).  SQ_EINVAL, SQ_ENOMEM. */
SQ_API sq_status sq_scanner_new(sq_scan_format fmt, sq_scanner **out);
SQ_API void sq_scanner_free(sq_scanner *s);
SQ_API sq_scan_format sq_scanner_format(const sq_scanner *s);

/* Reference times (epoch seconds) for stamps without a year: the year
 * is that of mtime (or of now when mtime is 0), minus one when the
 * stamp would lie more than a day after the reference.  Default: the
 * time sq_scanner_new() was called. */
SQ_API void sq_scanner_set_now(sq_scanner *s, long long now, long long mtime);
/* Zone of stamps that carry none (syslog, Windows "Local"), minutes
 * east of UTC.  Until set, such stamps are read as UTC and the event
 * says the zone is unknown. */
SQ_API void sq_scanner_set_zone(sq_scanner *s, int offset_minutes);

/* Scan one line (without its newline; a trailing '\r' is ignored).
 * offset is where the line starts in its file (kept in the event).
 * SQ_OK and *ev set: an event.  SQ_ENOTFOUND: no event (also for
 * binary garbage and invalid UTF-8 around the anchors).  SQ_ELIMIT_LINE:
 * longer than SQ_SCAN_MAX_LINE.  *ev is borrowed (see top). */
SQ_API sq_status sq_scanner_line(sq_scanner *s, const char *line, size_t len,
                                 unsigned long long offset,
                                 const sq_scan_event **ev);

/* Scan a buffer of whole lines ('\n' separated; a last line without a
 * newline is scanned too), calling fn for every event (fn returning
 * nonzero stops the scan).  Over-long lines are skipped and counted in
 * *too_long (may be NULL).  base is the file offset of buf[0].
 * Returns the number of lines read. */
typedef int (*sq_scan_fn)(void *ctx, const sq_scan_event *ev);
SQ_API size_t sq_scanner_buffer(sq_scanner *s, const char *buf, size_t len,
                                unsigned long long base, sq_scan_fn fn,
                                void *ctx, size_t *too_long);

/* ---- an event (all strings NUL-terminated, never NULL: "" = absent) */

/* Event flags. */
enum {
    SQ_SCAN_EV_TIME = 1u << 0,   /* the line had a readable time */
    SQ_SCAN_EV_ZONE = 1u << 1,   /* its zone is known (stamp or set) */
    SQ_SCAN_EV_PID = 1u << 2,    /* address taken from an earlier line
                                    of the same sshd pid */
    SQ_SCAN_EV_HELPER = 1u << 3, /* a line that repeats an attempt
                                    another line already counts (PAM
                                    summaries); fail2ban does not count
                                    it.  Aggregators may skip it. */
    SQ_SCAN_EV_YEAR = 1u << 4    /* the year was inferred */
};

SQ_API unsigned sq_scan_event_flags(const sq_scan_event *ev);
/* Epoch seconds UTC; 0 when !(flags & SQ_SCAN_EV_TIME). */
SQ_API long long sq_scan_event_time(const sq_scan_event *ev);
/* Sub-second part in microseconds (0 when the stamp had none). */
SQ_API unsigned sq_scan_event_usec(const sq_scan_event *ev);
/* Original zone, minutes east of UTC (0 when unknown). */
SQ_API int sq_scan_event_zone(const sq_scan_event *ev);
/* Canonical text (IPv6 compressed); "" when absent. */
SQ_API const char *sq_scan_event_source_ip(const sq_scan_event *ev);
SQ_API const char *sq_scan_event_dest_ip(const sq_scan_event *ev);
/* Ports 1..65535, 0 when absent. */
SQ_API unsigned sq_scan_event_source_port(const sq_scan_event *ev);
SQ_API unsigned sq_scan_event_dest_port(const sq_scan_event *ev);
/* "tcp", "udp", "icmp", ... lower case; "" when absent. */
SQ_API const char *sq_scan_event_protocol(const sq_scan_event *ev);
/* "ssh", "smtp", "imap", "pop3", "http", "firewall", ... */
SQ_API const char *sq_scan_event_service(const sq_scan_event *ev);
SQ_API sq_report_kind sq_scan_event_kind(const sq_scan_event *ev);
/* User name as logged (the caller redacts); "" when none. */
SQ_API const char *sq_scan_event_user(const sq_scan_event *ev);
/* Name of the scanner that matched ("sshd", "ufw", ...). */
SQ_API const char *sq_scan_event_format(const sq_scan_event *ev);
/* How many attempts the line stands for ("message repeated 3 times",
 * "PAM 2 more authentication failures", fail2ban counts): >= 1. */
SQ_API unsigned sq_scan_event_count(const sq_scan_event *ev);
/* The line: file offset and length (without newline). */
SQ_API unsigned long long sq_scan_event_offset(const sq_scan_event *ev);
SQ_API size_t sq_scan_event_length(const sq_scan_event *ev);

/* ---- aggregation per source (squeaky scan) ----
 *
 * An aggregator sums events per (source address, kind): attempts,
 * lines, first and last time, destination ports, services, user names
 * and a few evidence lines.  Memory is bounded (docs/SCAN.md, "Memory"):
 * at most max_sources entries of 104 bytes each, and
 * SQ_SCAN_AGG_EVIDENCE bytes of evidence lines, of which the second
 * half only holds the first line of each source (so every source keeps
 * at least one line while the first half is spent).  Single-threaded. */
enum {
    SQ_SCAN_AGG_MAX_SOURCES = 1 << 21, /* default max_sources */
    SQ_SCAN_AGG_LINES = 8,             /* evidence lines per source */
    SQ_SCAN_AGG_LINE_BYTES = 512,      /* an evidence line is cut here */
    SQ_SCAN_AGG_EVIDENCE = 128 << 20,  /* bytes of evidence lines */
    SQ_SCAN_AGG_PORTS = 8,             /* destination ports per source */
    SQ_SCAN_AGG_USERS = 4,             /* user names per source */
    SQ_SCAN_AGG_SERVICES = 32,         /* distinct service names */
    SQ_SCAN_AGG_NAMES = 64 * 1024      /* distinct user names kept */
};

/* One event to aggregate.  Strings may be NULL or "" when absent. */
typedef struct sq_scan_hit {
    const char *ip; /* the source (any valid IPv4/IPv6 text) */
    long long time; /* epoch seconds UTC, 0 when unknown */
    int zone;       /* minutes east of UTC */
    int zone_known;
    unsigned count; /* attempts the line stands for (0 counts as 1) */
    int helper;     /* SQ_SCAN_EV_HELPER: counted apart */
    sq_report_kind kind;
    const char *service, *protocol, *dest_ip, *user;
    unsigned source_port, dest_port;
    const char *line; /* the log line (len bytes, no newline) */
    size_t len;
} sq_scan_hit;

typedef struct sq_scan_agg sq_scan_agg;
typedef struct sq_scan_src sq_scan_src;

/* max_sources 0: SQ_SCAN_AGG_MAX_SOURCES. */
SQ_API sq_status sq_scan_agg_new(size_t max_sources, sq_scan_agg **out);
SQ_API void sq_scan_agg_free(sq_scan_agg *a);
/* Fill *h from a scanner event and its line (h borrows from both). */
SQ_API void sq_scan_hit_from_event(const sq_scan_event *ev, const char *line,
                                   size_t len, sq_scan_hit *h);
/* SQ_OK; SQ_EINVAL (no valid source address or kind); SQ_ELIMIT_MEMORY
 * when the event is from a new source and max_sources are full (the
 * event is counted in sq_scan_agg_dropped); SQ_ENOMEM. */
SQ_API sq_status sq_scan_agg_add(sq_scan_agg *a, const sq_scan_hit *h);
/* Entries in first-seen order. */
SQ_API size_t sq_scan_agg_count(const sq_scan_agg *a);
SQ_API const sq_scan_src *sq_scan_agg_get(const sq_scan_agg *a, size_t i);
/* Events dropped because the table was full; evidence lines not kept
 * (per-source cap or budget). */
SQ_API unsigned long long sq_scan_agg_dropped(const sq_scan_agg *a);
SQ_API unsigned long long sq_scan_agg_lines_unkept(const sq_scan_agg *a);
/* Bytes the aggregator holds (table, index, names, evidence). */
SQ_API size_t sq_scan_agg_bytes(const sq_scan_agg *a);
/* Keep only the entries keep() returns nonzero for (order kept, memory
 * compacted): what --follow does after a flush. */
SQ_API sq_status sq_scan_agg_prune(sq_scan_agg *a,
                                   int (*keep)(void *ctx, const sq_scan_src *s),
                                   void *ctx);

/* Entry fields (borrowed from the aggregator until the next add/prune). */
/* The address, canonical text; buf must hold 46 bytes. */
SQ_API const char *sq_scan_src_ip(const sq_scan_src *s, char *buf);
SQ_API sq_report_kind sq_scan_src_kind(const sq_scan_src *s);
/* Attempts (the lines' counts; HELPER events only when there is no
 * other event for the source), lines (events) seen. */
SQ_API unsigned long sq_scan_src_attempts(const sq_scan_src *s);
SQ_API unsigned long sq_scan_src_events(const sq_scan_src *s);
/* 0 when no event had a time. */
SQ_API long long sq_scan_src_first(const sq_scan_src *s);
SQ_API long long sq_scan_src_last(const sq_scan_src *s);
/* Zone of the first timed event; *known set when known. */
SQ_API int sq_scan_src_zone(const sq_scan_src *s, int *known);
SQ_API size_t sq_scan_src_nports(const sq_scan_src *s);
SQ_API unsigned sq_scan_src_port(const sq_scan_src *s, size_t i);
SQ_API unsigned sq_scan_src_source_port(const sq_scan_src *s);
/* 1 when more distinct ports/users were seen than are kept. */
SQ_API int sq_scan_src_ports_more(const sq_scan_src *s);
SQ_API int sq_scan_src_users_more(const sq_scan_src *s);
SQ_API size_t sq_scan_src_nservices(const sq_scan_src *s);
SQ_API const char *sq_scan_src_service(const sq_scan_agg *a,
                                       const sq_scan_src *s, size_t i);
SQ_API size_t sq_scan_src_nusers(const sq_scan_src *s);
SQ_API const char *sq_scan_src_user(const sq_scan_agg *a, const sq_scan_src *s,
                                    size_t i);
/* The first destination address and protocol seen ("" when none). */
SQ_API const char *sq_scan_src_dest_ip(const sq_scan_agg *a,
                                       const sq_scan_src *s);
SQ_API const char *sq_scan_src_protocol(const sq_scan_agg *a,
                                        const sq_scan_src *s);
SQ_API size_t sq_scan_src_nlines(const sq_scan_src *s);
/* The i-th kept evidence line (first seen first), *len its length. */
SQ_API const char *sq_scan_src_line(const sq_scan_agg *a, const sq_scan_src *s,
                                    size_t i, size_t *len);

/* ---- time stamps (exposed for the fail2ban filter path and tests) */

/* Parse a time stamp at the start of [s, s+len): syslog "Mmm dd
 * HH:MM:SS" (year from ref as above), RFC 3339 / ISO 8601 with 'T' or
 * ' ' and optional fraction and zone, epoch seconds with fraction,
 * Apache "[10/Oct/2000:13:55:36 -0700]" (brackets optional).
 * SQ_OK sets *t (UTC), *usec, *zone (minutes; default_zone when the
 * stamp has none), *flags (SQ_SCAN_EV_TIME, _ZONE, _YEAR) and *used
 * (bytes consumed); SQ_EPARSE otherwise.  default_zone_known says
 * whether default_zone is real.  Any pointer but s may be NULL. */
SQ_API sq_status sq_scan_time_parse(const char *s, size_t len, long long ref,
                                    int default_zone, int default_zone_known,
                                    long long *t, unsigned *usec, int *zone,
                                    unsigned *flags, size_t *used);

#ifdef __cplusplus
}
#endif
#endif

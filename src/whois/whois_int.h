/*
 * whois_int.h - the whois module's internal API (never installed).
 *
 * The answer builder (answer.c) is what every parser fills; the parsers
 * (rdap.c, whoistext*.c, dnstxt.c), the transports (http.c, whois43.c,
 * dns.c), the tables (tables.c + generated delegation/placeholder
 * tables), the query parser (query.c), overrides (overrides.c), the
 * cache and budgets (cache.c, budget.c) and the orchestrator (lookup.c)
 * meet here.  Every parser takes bytes + length, never trusts a NUL, and
 * is bounded: it never allocates more than a small multiple of its
 * input and never recurses deeper than WA_MAX_DEPTH.
 */
#ifndef SQ_WHOIS_INT_H
#define SQ_WHOIS_INT_H

#include "core/core_int.h"

#include <squeaky/store.h>
#include <squeaky/whois.h>

#include <stddef.h>
#include <stdint.h>

enum {
    WA_MAX_CONTACTS = 64,
    WA_MAX_CIDRS = 64,
    WA_MAX_UPSTREAMS = 32,
    WA_MAX_HOSTS = 16,
    WA_MAX_WARNINGS = 32,
    WA_MAX_DEPTH = 32, /* nesting of RDAP entities / JSON */
    WA_EMAIL_MAX = 254 /* RFC 5321 path limit */
};

/* ------------------------------------------------------------------ */
/* The answer and its builder (answer.c)                               */
/* ------------------------------------------------------------------ */

struct sq_whois_answer {
    sq_arena *arena;
    const char *query;
    sq_whois_kind kind;

    sq_contact contacts[WA_MAX_CONTACTS];
    size_t ncontacts;

    int has_network;
    sq_network net;
    const char *cidrs[WA_MAX_CIDRS];
    /* The range itself, for the cache (valid when has_range). */
    int has_range;
    sq_ipaddr lo, hi;

    int has_origin;
    sq_asinfo origin;
    sq_contact origin_contacts[4];
    sq_asinfo upstreams[WA_MAX_UPSTREAMS];
    size_t nupstreams;

    const char *registrar;
    struct sq_whois_answer *hosts[WA_MAX_HOSTS];
    size_t nhosts;

    const char *referral; /* whois host[:port], or an RDAP URL */
    int cached;
    int blocked; /* the text says we are blocked/over limit */

    const char *warnings[WA_MAX_WARNINGS];
    size_t nwarnings;
};

/* A new, empty answer for query (may be NULL → ""). NULL on ENOMEM. */
sq_whois_answer *wa_new(const char *query, sq_whois_kind kind);

/* Copy [s, s+n) into the answer's arena ("" for s == NULL). */
const char *wa_strn(sq_whois_answer *a, const char *s, size_t n);
const char *wa_str(sq_whois_answer *a, const char *s);

/*
 * Add a contact.  The address is trimmed of spaces, '<' '>' and
 * "mailto:", checked for local@domain shape (returns 0 and adds nothing
 * when it is not an address), and its domain lower-cased.  An address
 * already present is not added twice: the stronger role (abuse), the
 * higher confidence and non-fallback win.  A placeholder address (see
 * wa_is_placeholder) is never added, except from an override (the
 * user named it); a warning says so.
 * Returns 1 when added or merged, 0 when rejected.
 */
int wa_add_contact(sq_whois_answer *a, const char *email, size_t len,
                   sq_contact_role role, sq_contact_source src,
                   const char *where, const char *handle, sq_confidence conf,
                   int fallback);

/*
 * Set the network range from first/last address text ("074.125.000.000",
 * "62.239.237.0/32", "200.57.128/19" all accepted) and fill net.range and
 * the minimal CIDR list.  Returns 1 on success, 0 when unparseable.
 */
int wa_set_range_text(sq_whois_answer *a, const char *first, size_t flen,
                      const char *last, size_t llen);
/* The same from a prefix ("200.57.128/19", "2001:db8::/32"). */
int wa_set_cidr_text(sq_whois_answer *a, const char *cidr, size_t len);
/* The same from binary bounds. */
int wa_set_range(sq_whois_answer *a, const sq_ipaddr *lo, const sq_ipaddr *hi);
/* Add one more CIDR to net.cidrs without touching the range. */
int wa_add_cidr_text(sq_whois_answer *a, const char *cidr, size_t len);

/* Set a network field (e.g. &a->net.name) from [s, s+n), trimmed, only
 * when it is still unset or "" (the first source wins). */
void wa_set_net_field(sq_whois_answer *a, const char **field, const char *s,
                      size_t n);

void wa_warn(sq_whois_answer *a, const char *fmt, ...) SQ_PRINTF(2, 3);

/* Order contacts: abuse role first, then non-fallback, confidence,
 * source (override, rdap, whois, offline, abusix, abuse.net), then the
 * order they were added.  Stable. */
void wa_sort_contacts(sq_whois_answer *a);

/* Attach a host sub-answer (domain/URL lookups); takes ownership. */
int wa_add_host(sq_whois_answer *a, sq_whois_answer *host);

/* Bounds → minimal CIDR list, "a.b.c.d/n" text; returns count written
 * (at most max).  lo and hi must be the same family. */
size_t wa_range_to_cidrs(const sq_ipaddr *lo, const sq_ipaddr *hi,
                         char out[][48], size_t max);

/* ------------------------------------------------------------------ */
/* Tables (tables.c and the generated *_tab.c)                         */
/* ------------------------------------------------------------------ */

/* Registries, as used in tables, budgets and JSON. */
typedef enum wt_registry {
    WT_UNKNOWN = 0,
    WT_ARIN,
    WT_RIPENCC,
    WT_APNIC,
    WT_LACNIC,
    WT_AFRINIC,
    WT_JPNIC,
    WT_KRNIC,
    WT_TWNIC,
    WT_CNNIC,
    WT_IDNIC,
    WT_VNNIC,
    WT_IRINN,
    WT_NICBR, /* registro.br */
    WT_NICMX,
    WT_IANA,
    WT_REGISTRY_COUNT
} wt_registry;

const char *wt_registry_name(wt_registry r); /* "arin", ... */
wt_registry wt_registry_from_name(const char *s, size_t n);
/* Registry owning a whois server host name ("whois.arin.net"). */
wt_registry wt_registry_from_host(const char *host, size_t n);
/* Default port-43 server and RDAP base URL of a registry ("" if none). */
const char *wt_whois_host(wt_registry r);
const char *wt_rdap_base(wt_registry r);

/* Which registry holds an address / AS, from the bundled delegation
 * tables (data/delegation-*.list, generated at build time). */
wt_registry wt_lookup_ip(const sq_ipaddr *a);
wt_registry wt_lookup_asn(unsigned long asn);
/* Bundled RDAP base URL for a domain (data/rdap-dns.list, longest
 * suffix), NULL when the TLD has none. */
const char *wt_rdap_dns_base(const char *domain, size_t n);

/* 1 when email is a registry placeholder or "not us" address
 * (data/placeholders.list: exact addresses and whole domains). */
int wa_is_placeholder(const char *email, size_t len);

/* ------------------------------------------------------------------ */
/* Parsers                                                             */
/* ------------------------------------------------------------------ */

/*
 * RDAP (rdap.c): one RDAP JSON document (ip network, autnum, entity or
 * domain) into a.  url is where it came from (contact "where"). Reads
 * entities by role, nested, vCard emails; handles ARIN zero padding,
 * RIPE /32 suffixes, LACNIC start==end, cidr0_cidrs, remarks-only
 * abuse addresses (fallback, medium), "DATA REDACTED".  Sets
 * a->referral to an RDAP URL when the document points to a more
 * specific registry (NIR) without answering.  SQ_EPARSE on bad JSON.
 */
sq_status rdap_parse(const char *json, size_t len, const char *url,
                     sq_whois_answer *a, sq_diag *d);

/* IANA bootstrap (bootstrap.c): parse asn/ipv4/ipv6/dns.json into a
 * lookup table; services' first https URL wins. */
typedef struct rdap_bootstrap rdap_bootstrap;
sq_status rdap_bootstrap_load(rdap_bootstrap **out, const char *dir,
                              sq_diag *d); /* dir NULL: bundled copy */
void rdap_bootstrap_free(rdap_bootstrap *b);
/* Base URL (with trailing '/') for an address, AS or domain; NULL when
 * none. Borrowed from b. */
const char *rdap_bootstrap_ip(const rdap_bootstrap *b, const sq_ipaddr *a);
const char *rdap_bootstrap_asn(const rdap_bootstrap *b, unsigned long asn);
const char *rdap_bootstrap_domain(const rdap_bootstrap *b, const char *dom);

/*
 * whois text (whoistext.c + one file per registry family): parse a
 * port-43 answer.  server picks the registry flavour (NULL: sniff the
 * text).  Fills contacts (source whois, where = server), network, AS
 * for route/aut-num objects, a->referral from "refer:", "ReferralServer:"
 * (whois:// and rwhois://; the last one wins), APNIC/LACNIC transferred
 * stubs and NIR remarks; sets a->blocked when the text says the client
 * is blocked or over its limit.  Never returns "any e-mail in the
 * text": addresses from remarks are fallback + medium/low confidence.
 */
sq_status whoistext_parse(const char *txt, size_t len, const char *server,
                          sq_whois_answer *a, sq_diag *d);

/* DNS TXT records (dnstxt.c). */
typedef struct dnstxt_origin {
    unsigned long asns[8]; /* origin(s); Cymru may list several */
    size_t nasns;
    char prefix[48];
    char country[3];
    char registry[16];
    char allocated[11]; /* YYYY-MM-DD */
} dnstxt_origin;
/* "15169 | 8.8.8.0/24 | US | arin | 2014-03-14" (origin/origin6) and
 * "701 1239 | 8.8.8.0/24 | US | arin |" (peer: the ASNs are the peers).
 * Returns 1 when parsed. */
int dnstxt_parse_origin(const char *txt, size_t len, dnstxt_origin *out);
/* AS name: "15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US".
 * Copies the name (truncated to namelen-1); returns 1 when parsed. */
int dnstxt_parse_asname(const char *txt, size_t len, unsigned long *asn,
                        char *name, size_t namelen, char cc[3]);
/* Abusix abuse-contacts.abusix.zone TXT: one or more addresses
 * (comma/space separated).  Calls add for each; returns the count. */
size_t dnstxt_parse_abusix(const char *txt, size_t len,
                           void (*add)(void *arg, const char *email, size_t n),
                           void *arg);
/* DNS names to ask: reversed nibbles/octets + zone; 0 when too long. */
int dnstxt_revname(const sq_ipaddr *a, const char *zone, char *out,
                   size_t outlen);

/* ------------------------------------------------------------------ */
/* Queries (query.c) and overrides (overrides.c)                       */
/* ------------------------------------------------------------------ */

typedef struct wq_query {
    sq_whois_kind kind;
    sq_ipaddr ip;    /* IP; CIDR network */
    unsigned prefix; /* CIDR length on the 128-bit form */
    unsigned long asn;
    char host[256];        /* domain/URL host as an A-label, lower case */
    char registrable[256]; /* libpsl registrable domain of host, or "" */
    char canon[300];       /* normalised query text */
} wq_query;
/* Parse a query; SQ_EINVAL with a one-line reason in d. URLs with
 * userinfo, bad IDN (libidn2 UTS#46), mixed scripts are handled. */
sq_status wq_parse(const char *s, size_t len, wq_query *out, sq_diag *d);

typedef struct wo_overrides wo_overrides;
/* Load "network-or-AS  contact|none  [comment]" lines; errors as
 * file:line: message.  path NULL: the default file, missing is fine. */
sq_status wo_load(const char *path, wo_overrides **out, sq_diag *d);
sq_status wo_load_buffer(const char *name, const char *buf, size_t len,
                         wo_overrides **out, sq_diag *d);
void wo_free(wo_overrides *o);
/* Most specific override for an address or AS: 1 found (email "" means
 * "does not accept reports"), 0 none. Borrowed strings. */
int wo_match_ip(const wo_overrides *o, const sq_ipaddr *a, const char **email,
                const char **note);
int wo_match_asn(const wo_overrides *o, unsigned long asn, const char **email,
                 const char **note);

/* ------------------------------------------------------------------ */
/* Transports (http.c, whois43.c, dns.c)                               */
/* ------------------------------------------------------------------ */

typedef struct wn_buf {
    char *data; /* malloc'd, NUL-terminated */
    size_t len;
} wn_buf;
void wn_buf_free(wn_buf *b);

typedef struct wn_limits {
    long timeout_ms;  /* whole exchange */
    size_t max_bytes; /* response cap → SQ_ELIMIT_RESPONSE */
    int max_redirects;
} wn_limits;

/* HTTP GET (libcurl; http and https only).  *status is the HTTP code;
 * *retry_after the Retry-After seconds (0 when absent).  A non-2xx
 * code is SQ_OK with the body; transport errors are SQ_ENET/ETIMEOUT. */
sq_status wn_http_get(const char *url, const wn_limits *lim, long *status,
                      long *retry_after, wn_buf *body, sq_diag *d);

/* Port 43: connect to host:port (port 0 = 43), send query + CRLF, read
 * until close. */
sq_status wn_whois_query(const char *host, unsigned port, const char *query,
                         const wn_limits *lim, wn_buf *out, sq_diag *d);

/* DNS (c-ares).  servers: "127.0.0.1:5353,..." or NULL for the system
 * resolver.  TXT strings of one RR are joined. Calls fn per record. */
typedef struct wn_dns wn_dns;
sq_status wn_dns_new(const char *servers, long timeout_ms, wn_dns **out,
                     sq_diag *d);
void wn_dns_free(wn_dns *r);
sq_status wn_dns_txt(wn_dns *r, const char *name,
                     void (*fn)(void *arg, const char *txt, size_t n),
                     void *arg, sq_diag *d);
/* A and AAAA addresses of name (at most max). */
sq_status wn_dns_addrs(wn_dns *r, const char *name, sq_ipaddr *out, size_t max,
                       size_t *n, sq_diag *d);

/* ------------------------------------------------------------------ */
/* Cache and budgets (cache.c, budget.c) on the store                  */
/* ------------------------------------------------------------------ */

/* Create/upgrade the whois tables. */
sq_status wc_migrate(sq_store *s, sq_diag *d);
/*
 * The most specific cached answer whose range covers a (or the AS, or
 * the domain), not expired at now.  Returns SQ_OK with *json (malloc'd
 * serialised answer, or NULL for a negative entry), SQ_ENOTFOUND on a
 * miss.
 */
sq_status wc_get_ip(sq_store *s, const sq_ipaddr *a, long long now, char **json,
                    sq_diag *d);
sq_status wc_get_key(sq_store *s, const char *key, long long now, char **json,
                     sq_diag *d);
/* Store under the answer's range [lo, hi] (or key) until expires. A NULL
 * json is a negative entry. */
sq_status wc_put_range(sq_store *s, const sq_ipaddr *lo, const sq_ipaddr *hi,
                       const char *json, long long now, long long expires,
                       sq_diag *d);
sq_status wc_put_key(sq_store *s, const char *key, const char *json,
                     long long now, long long expires, sq_diag *d);

/* Answer <-> JSON text for the cache (jansson). */
char *wa_to_json(const sq_whois_answer *a);
sq_whois_answer *wa_from_json(const char *json, size_t len);

/* Token buckets per registry, plus "blocked until" kept in the store. */
typedef struct wb_budgets wb_budgets;
/* spec: "lacnic=10/60 ripencc=100/60 *=30/60" (queries/seconds). */
sq_status wb_new(const char *spec, sq_store *s, wb_budgets **out, sq_diag *d);
void wb_free(wb_budgets *b);
/* Take one token for r, waiting at most max_wait_ms.  SQ_ERATELIMIT
 * when it would wait longer, SQ_EBLOCKED while r is marked blocked.
 * *waited is set to 1 when the call slept. */
sq_status wb_take(wb_budgets *b, wt_registry r, long max_wait_ms, int *waited);
/* The registry said 429 (Retry-After secs) or "blocked": no queries to
 * it until now + secs (kept in the store when there is one). */
void wb_backoff(wb_budgets *b, wt_registry r, long secs);

#endif

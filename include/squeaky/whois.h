/*
 * squeaky/whois.h - who is responsible for an IP, a CIDR, an AS, a
 * domain or a URL.
 *
 * sq_whois_lookup() asks, in order: local overrides, the offline prefix
 * database (first with SQ_WHOIS_OFFLINE), RDAP (IANA bootstrap, NIR
 * referrals), whois over port 43 (delegation tables, referrals) and DNS
 * (Team Cymru origin/peer/AS names, Abusix abuse contacts, abuse.net for
 * domains).  Answers are cached per covering prefix in the store; every
 * registry has a token bucket and is left alone for a while when it
 * says we are blocked.  Registry placeholder addresses (data/
 * placeholders.list) are never returned as a destination.
 *
 * sq_whois_parse_response() reads one saved RDAP JSON document or whois
 * text without any network.
 */
#ifndef SQUEAKY_WHOIS_H
#define SQUEAKY_WHOIS_H

#include <squeaky/config.h>
#include <squeaky/core.h>
#include <squeaky/store.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sq_whois_kind {
    SQ_WQ_IP = 0, /* one IPv4 or IPv6 address */
    SQ_WQ_CIDR,   /* a prefix */
    SQ_WQ_ASN,    /* AS64500, as64500 or 64500 */
    SQ_WQ_DOMAIN, /* a host or domain name (IDN allowed) */
    SQ_WQ_URL     /* scheme://[user@]host[:port]/... */
} sq_whois_kind;

typedef enum sq_contact_role {
    SQ_ROLE_ABUSE = 0,
    SQ_ROLE_TECH,
    SQ_ROLE_ADMIN,
    SQ_ROLE_REGISTRANT,
    SQ_ROLE_NOC
} sq_contact_role;

typedef enum sq_contact_source {
    SQ_SRC_RDAP = 0,
    SQ_SRC_WHOIS,
    SQ_SRC_DNS_ABUSIX,
    SQ_SRC_ABUSE_NET,
    SQ_SRC_OFFLINE,
    SQ_SRC_OVERRIDE,
    SQ_SRC_RFC2142 /* abuse@ the domain itself (RFC 2142), low confidence */
} sq_contact_source;

/* One contact.  Strings are borrowed from the answer. */
typedef struct sq_contact {
    const char *email; /* never NULL */
    sq_contact_role role;
    sq_contact_source source;
    const char *where;  /* RDAP URL, whois server or DNS name; may be "" */
    const char *handle; /* registry handle (e.g. ZG39-ARIN) or "" */
    sq_confidence confidence;
    int fallback; /* 1: not a registered abuse contact (remarks, admin) */
} sq_contact;

/* An autonomous system: the origin, or an upstream candidate. */
typedef struct sq_asinfo {
    unsigned long asn;    /* 0 when unknown */
    const char *name;     /* "" when unknown */
    const char *country;  /* ISO 3166 code or "" */
    const char *registry; /* arin, ripencc, ... or "" */
    const char *relation; /* "origin", "upstream-candidate (BGP
                             adjacency)", ... */
    const sq_contact *contacts;
    size_t ncontacts;
} sq_asinfo;

/* The network an address belongs to. */
typedef struct sq_network {
    const char *const *cidrs; /* the range as minimal CIDRs */
    size_t ncidrs;
    const char *range;     /* "first - last" as the registry wrote it */
    const char *name;      /* netname */
    const char *handle;    /* NET-74-125-0-0-1, ... */
    const char *org;       /* organisation */
    const char *country;   /* ISO 3166 code */
    const char *registry;  /* arin, ripencc, apnic, lacnic, afrinic, jpnic,
                              krnic, twnic, ... */
    const char *allocated; /* YYYY-MM-DD or "" */
} sq_network;

typedef struct sq_whois_answer sq_whois_answer;
typedef struct sq_whois sq_whois;

/* Lookup flags. */
enum {
    SQ_WHOIS_OFFLINE = 1u << 0,  /* offline database and overrides only */
    SQ_WHOIS_NO_CACHE = 1u << 1, /* neither read nor write the cache */
    SQ_WHOIS_NO_DNS = 1u << 2    /* skip the DNS sources */
};

/*
 * A lookup context from cfg (servers, timeouts, budgets, TTLs, overrides
 * file; see `squeaky config`).  store may be NULL (no cache, budgets
 * kept in memory only); it must outlive w.  One context serves many
 * threads: sq_whois_lookup() is thread-safe.
 */
SQ_API sq_status sq_whois_new(const sq_config *cfg, sq_store *store, sq_diag *d,
                              sq_whois **out);
SQ_API void sq_whois_free(sq_whois *w);

/*
 * Answer one query (flags: SQ_WHOIS_*).  SQ_EINVAL: not an IP, CIDR,
 * AS, domain or URL (message in d).  A query that every source failed
 * for still returns SQ_OK with an answer that has no contacts and says
 * why in its warnings; SQ_ENOTFOUND only when no source knows it.
 */
SQ_API sq_status sq_whois_lookup(sq_whois *w, const char *query, unsigned flags,
                                 sq_diag *d, sq_whois_answer **out);

/*
 * Parse one saved response [buf, buf+len): RDAP JSON when it starts with
 * '{', whois text otherwise.  query (may be NULL) is what was asked;
 * origin (may be NULL) the server host or URL it came from, which picks
 * the registry's parser for whois text.
 */
SQ_API sq_status sq_whois_parse_response(const char *buf, size_t len,
                                         const char *query, const char *origin,
                                         sq_diag *d, sq_whois_answer **out);

SQ_API void sq_whois_answer_free(sq_whois_answer *a);

/* The query, normalised (canonical IP, "AS64500", A-label domain). */
SQ_API const char *sq_whois_answer_query(const sq_whois_answer *a);
SQ_API sq_whois_kind sq_whois_answer_kind(const sq_whois_answer *a);

/* Contacts, best first: contact 0 is where a report goes. */
SQ_API size_t sq_whois_answer_ncontacts(const sq_whois_answer *a);
SQ_API const sq_contact *sq_whois_answer_contact(const sq_whois_answer *a,
                                                 size_t i);

/* NULL when no source named a network. */
SQ_API const sq_network *sq_whois_answer_network(const sq_whois_answer *a);
/* NULL when the origin AS is unknown. */
SQ_API const sq_asinfo *sq_whois_answer_origin(const sq_whois_answer *a);
SQ_API size_t sq_whois_answer_nupstreams(const sq_whois_answer *a);
SQ_API const sq_asinfo *sq_whois_answer_upstream(const sq_whois_answer *a,
                                                 size_t i);

/* Domains and URLs: the registrar ("" when unknown; its abuse contact is
 * among the contacts with handle "registrar"), and one answer per
 * resolved address (the hosting networks). */
SQ_API const char *sq_whois_answer_registrar(const sq_whois_answer *a);
SQ_API size_t sq_whois_answer_nhosts(const sq_whois_answer *a);
SQ_API const sq_whois_answer *sq_whois_answer_host(const sq_whois_answer *a,
                                                   size_t i);

/* The referral the last response named ("" when none). */
SQ_API const char *sq_whois_answer_referral(const sq_whois_answer *a);
/* 1 when the answer came from the cache. */
SQ_API int sq_whois_answer_cached(const sq_whois_answer *a);

/* Notes on what was tried and why a source gave nothing. */
SQ_API size_t sq_whois_answer_nwarnings(const sq_whois_answer *a);
SQ_API const char *sq_whois_answer_warning(const sq_whois_answer *a, size_t i);

/* Names used in JSON and text output ("abuse", "rdap", "high", ...). */
SQ_API const char *sq_contact_role_name(sq_contact_role r);
SQ_API const char *sq_contact_source_name(sq_contact_source s);
SQ_API const char *sq_whois_kind_name(sq_whois_kind k);

/* Counters of a context since sq_whois_new(), for --stats and benches. */
typedef struct sq_whois_stats {
    unsigned long lookups;
    unsigned long cache_hits;
    unsigned long rdap_queries;
    unsigned long whois_queries;
    unsigned long dns_queries;
    unsigned long rate_waits; /* queries that waited for a token */
    unsigned long failures;   /* queries that failed (net, timeout, ...) */
} sq_whois_stats;
SQ_API void sq_whois_get_stats(sq_whois *w, sq_whois_stats *out);

/*
 * Refresh the IANA RDAP bootstrap files (asn.json, ipv4.json, ipv6.json,
 * dns.json) from base_url (NULL: https://data.iana.org/rdap/) into
 * $XDG_DATA_HOME/squeaky/rdap/, atomically; later contexts prefer them
 * to the bundled snapshot.
 */
SQ_API sq_status sq_whois_update_bootstrap(const sq_config *cfg,
                                           const char *base_url, sq_diag *d);

#ifdef __cplusplus
}
#endif
#endif

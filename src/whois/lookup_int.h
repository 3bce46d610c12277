/*
 * lookup_int.h - state shared by the lookup files (lookup.c: context and
 * registry exchanges; lookup_ip.c: addresses and AS numbers;
 * lookup_dns.c: the DNS sources; lookup_domain.c: domains and URLs).
 */
#ifndef SQ_LOOKUP_INT_H
#define SQ_LOOKUP_INT_H

#include "whois_int.h"

#include <squeaky/prefixdb.h>

#include <pthread.h>
#include <strings.h>

enum {
    LK_MAX_PAIRS = 32,
    LK_MAX_SEEN = 16,
    LK_MAX_UPSTREAM_LOOKUPS = 3,
    LK_MAX_INFLIGHT = 256
};

struct lk_pair {
    char name[64];
    char value[256];
};

struct sq_whois {
    sq_store *store; /* may be NULL */
    wb_budgets *budgets;
    wo_overrides *ovr;
    rdap_bootstrap *boot; /* from `squeaky update`, or NULL */
    sq_prefixdb *pdb;     /* the offline prefix database, or NULL */
    struct lk_pair rdap[LK_MAX_PAIRS], whois[LK_MAX_PAIRS];
    size_t nrdap, nwhois;
    char dns_servers[512];
    wn_limits lim;
    int max_referrals;
    long long cache_ttl, neg_ttl;
    long rate_wait_max;
    pthread_mutex_t lock; /* stats */
    sq_whois_stats stats;
    /* Registry questions in flight, by neighbourhood key, so that
     * concurrent lookups in one network make one query. */
    pthread_mutex_t fl_lock;
    pthread_cond_t fl_cond;
    char inflight[LK_MAX_INFLIGHT][80];
};

/* One lookup in progress. */
struct lk {
    sq_whois *w;
    unsigned flags;
    sq_diag *d;
    sq_whois_answer *a;
    wq_query q;
    wn_dns *dns; /* created on first use */
    int depth;   /* registry exchanges that followed a referral */
    char seen[LK_MAX_SEEN][128];
    size_t nseen;
    int level;     /* 0: the user's query; 1: a host or upstream of it */
    int transient; /* a source failed for a reason that may pass
                      (budget, block, network, timeout): an empty answer
                      is then not cached as "nothing found" */
};

void lk_count(sq_whois *w, unsigned long *counter);
/* Wait while another thread asks the registries about key, then claim
 * it; returns the slot for lk_inflight_leave (-1: table full, not
 * claimed). */
int lk_inflight_enter(sq_whois *w, const char *key);
void lk_inflight_leave(sq_whois *w, int slot);
long long lk_now(void);
const char *lk_rdap_base(sq_whois *w, wt_registry r, const char *boot_url);
int lk_whois_server(sq_whois *w, const char *name, char *host, size_t hlen,
                    unsigned *port);
/* Host part of an http(s) URL into out; 1 on success. */
int lk_url_host(const char *url, char *out, size_t outlen);

sq_status lk_rdap(struct lk *l, wt_registry r, const char *url);
sq_status lk_whois(struct lk *l, const char *server, const char *query);
int lk_has_abuse(const sq_whois_answer *a);
void lk_follow_referrals(struct lk *l, const char *query);

/* lookup_dns.c */
wn_dns *lk_dns(struct lk *l);
void lk_dns_origin(struct lk *l, const sq_ipaddr *ip);
void lk_dns_asname(struct lk *l, sq_asinfo *as);
void lk_dns_abusix(struct lk *l, const sq_ipaddr *ip);
void lk_dns_abusenet(struct lk *l, const char *domain);

/* lookup_ip.c */
/* Cached answer for the query's address (key NULL) or key; 1 on a hit
 * (l->a replaced). */
int lk_cache_get(struct lk *l, const char *key);
int lk_cache_on(const struct lk *l);
void lk_cache_put(struct lk *l, const char *key);
sq_status lk_ip(struct lk *l);
sq_status lk_asn(struct lk *l);
/* A sub-lookup (host of a domain, upstream AS) sharing w and flags. */
sq_status lk_sub(struct lk *parent, const char *query, sq_whois_answer **out);

/* lookup_offline.c: fill what is still missing (origin AS, network,
 * abuse contact, providers) from the offline database; 1 when it knew
 * the address. */
int lk_offline(struct lk *l, const sq_ipaddr *ip);
void lk_offline_open(sq_whois *w, const sq_config *cfg);

/* lookup_domain.c */
sq_status lk_domain(struct lk *l);

#endif

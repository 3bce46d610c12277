/*
 * report_plan.h - who gets a report about one message (src/cli only).
 *
 * A plan is the list of abuse desks for one message: the origin
 * network's desk (from the traced origin IP), and - only when the user
 * confirms - the desks of the networks hosting the URLs in the body and
 * of the domains' registrars.  One desk appears once, whatever the
 * number of reasons it has (one report per desk per message).
 */
#ifndef SQ_CLI_REPORT_PLAN_H
#define SQ_CLI_REPORT_PLAN_H

#include <squeaky/tracking.h>
#include <squeaky/whois.h>

#include <stddef.h>

/* Why a desk is in the plan (bits). */
enum {
    DESK_ORIGIN = 1u << 0,    /* the origin IP's network */
    DESK_HOSTING = 1u << 1,   /* hosts a URL of the message */
    DESK_REGISTRAR = 1u << 2, /* registrar of a URL's domain */
    DESK_UPSTREAM = 1u << 3   /* an upstream of a network that goes on */
};

struct desk {
    char *addr;    /* the abuse address */
    char *network; /* "AS64500 EXAMPLE-NET" or the netname; may be "" */
    char *asn;     /* "AS64500" or "" */
    unsigned why;  /* DESK_* */
    char *confidence;
    char **uris; /* URLs this desk is told about */
    size_t nuris;
    char **domains; /* their registrable domains */
    size_t ndomains;
};

struct plan {
    struct desk *desks;
    size_t n, cap;
    char **notes; /* what could not be resolved, one line each */
    size_t nnotes;
    int oom;
};

/* Where the reports go: lookups (w may be NULL with to set). */
struct plan_in {
    sq_whois *w;
    unsigned wflags; /* SQ_WHOIS_* */
    const char *to;  /* --to: every report to this address, no lookup */
    const char *ip;  /* the origin IP */
    const char *msg; /* the message, for its URLs */
    size_t len;
    size_t max_hosts; /* URL hosts looked up at most */
    sq_tracking *tr;  /* dead addresses are skipped; may be NULL */
};

void plan_build(const struct plan_in *in, struct plan *p);
void plan_free(struct plan *p);
/* Add (or label) a desk by hand: an upstream AS's, say. */
void plan_add_desk(struct plan *p, const char *addr, unsigned why,
                   unsigned long asn, const char *name);

#endif

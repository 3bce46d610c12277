/*
 * report_escalate.c - `squeaky report --escalate`: for every network that
 * got escalate_after reports within escalate_window days and still shows
 * abuse after the last one (src/tracking decides), a plain-text report
 * with that history to the abuse desks of its upstream ASes (the whois
 * answer's upstream candidates).  Preview, --output and --send behave as
 * for message reports; the history is the evidence, so the same history
 * never goes to the same upstream twice.
 */
#include "report_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The mail: headers the outbox completes (Message-ID, Date) and the
 * history as a text/plain body. */
static char *
escalation_mail(const struct report_run *r, const struct desk *k,
                const sq_escalation *e, size_t i, const char *history,
                size_t *len)
{
    const char *from = sq_config_get(r->c.cfg, "report_from");
    const char *org = sq_config_get(r->c.cfg, "report_org");
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    char *buf;
    size_t cap = strlen(history) + 4096;
    int n;

    if ((buf = malloc(cap)) == NULL)
        return NULL;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    n = snprintf(
        buf, cap,
        "From: %s\nTo: %s\nDate: %s\nSubject: [abuse escalation] %s: abuse "
        "goes on after %zu reports\nMIME-Version: 1.0\nContent-Type: "
        "text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
        "X-Mailer: squeaky/%s\n\nHello,\n\nyou are listed as an upstream "
        "provider of %s (%s).\nWe reported abuse from that network to its "
        "abuse desk %zu times in the\nlast %lld days, and the abuse went on "
        "after the last report.  We ask you\nto make your customer act.  "
        "The history of our reports and of what we saw\nafterwards:\n\n%s\n"
        "%s%s%s\n-- \nsent with squeaky %s\n",
        from, k->addr, date, sq_escalation_key(e, i),
        sq_escalation_reports(e, i), sq_version(), sq_escalation_key(e, i),
        sq_escalation_network(e, i), sq_escalation_reports(e, i),
        sq_config_get_int(r->c.cfg, "escalate_window"), history, from,
        org[0] != '\0' ? "\n" : "", org, sq_version());
    if (n < 0 || (size_t)n >= cap) {
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

/* The upstreams' desks of the network ip is in, skipping dead ones.
 * An IP query, not an AS one: the upstream candidates (BGP neighbours
 * of the origin, the prefix database's providers) come with the
 * address's route. */
static void
upstream_desks(struct report_run *r, const char *ip, struct plan *p)
{
    sq_whois_answer *a = NULL;

    if (sq_whois_lookup(r->w, ip, r->wflags, NULL, &a) != SQ_OK)
        return;
    for (size_t u = 0; u < sq_whois_answer_nupstreams(a); u++) {
        const sq_asinfo *up = sq_whois_answer_upstream(a, u);

        for (size_t c = 0; c < up->ncontacts; c++) {
            const char *mail = up->contacts[c].email;

            if (mail == NULL || mail[0] == '\0' ||
                (r->tr != NULL && sq_tracking_address_dead(r->tr, mail)))
                continue;
            plan_add_desk(p, mail, DESK_UPSTREAM, up->asn, up->name);
            break;
        }
    }
    sq_whois_answer_free(a);
}

static void
escalate_one(struct report_run *r, const sq_escalation *e, size_t i)
{
    struct msgctx m;
    char *history = sq_escalation_text(e, i), hash[65];
    const char *ip;

    memset(&m, 0, sizeof(m));
    m.label = sq_escalation_key(e, i);
    m.ip = "";
    m.fmt = SQ_FORMAT_TEXT;
    if (history == NULL) {
        r->any_internal = 1;
        return;
    }
    sq_sha256_hex(history, strlen(history), hash);
    ip = sq_escalation_source_ip(e, i);
    if (ip != NULL && ip[0] != '\0' && r->w != NULL)
        upstream_desks(r, ip, &m.plan);
    if (m.plan.oom)
        r->any_internal = 1;
    if (m.plan.n == 0) {
        r->any_missing = 1;
        printf("== %s: not escalated: no upstream abuse desk known\n", m.label);
    }
    for (size_t k = 0; k < m.plan.n; k++) {
        size_t len = 0;
        char *mail = escalation_mail(r, &m.plan.desks[k], e, i, history, &len);

        if (mail == NULL) {
            r->any_internal = 1;
            break;
        }
        run_deliver(r, &m, &m.plan.desks[k], mail, len, hash);
        free(mail);
    }
    plan_free(&m.plan);
    free(history);
}

void
run_escalations(struct report_run *r)
{
    sq_escalation *e = NULL;
    sq_diag *d = sq_diag_new();

    if (r->tr == NULL ||
        sq_tracking_escalations(
            r->tr, sq_config_get_int(r->c.cfg, "escalate_after"),
            sq_config_get_int(r->c.cfg, "escalate_window"), d, &e) != SQ_OK) {
        cli_err(0, "escalate: %s",
                d != NULL && sq_diag_count(d) ? sq_diag_message(d, 0)
                                              : "no report history");
        r->any_internal = 1;
        sq_diag_free(d);
        return;
    }
    if (sq_escalation_count(e) == 0 && !r->c.quiet)
        cli_err(0,
                "escalate: no network is past escalate_after=%lld reports "
                "in %lld days with abuse after the last one",
                sq_config_get_int(r->c.cfg, "escalate_after"),
                sq_config_get_int(r->c.cfg, "escalate_window"));
    for (size_t i = 0; i < sq_escalation_count(e); i++)
        escalate_one(r, e, i);
    sq_escalation_free(e);
    sq_diag_free(d);
}

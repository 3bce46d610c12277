/*
 * scan_report.c - `squeaky scan --report`: every source at or over
 * --min-events -> its origin network's abuse desk (report_plan.c) -> one
 * incident per desk with the kept evidence lines (redacted: configured
 * secrets, this host's name, the attacked addresses, the user names
 * tried) -> the report in the chosen format -> preview, file or outbox
 * (run_deliver, as `squeaky report` does).  With --send the files'
 * watermarks are saved once the reports are queued, before the send run,
 * so a crash between the two re-reads lines the outbox then refuses as
 * already reported.
 */
#include "scan_run.h"

#include "report_plan.h"
#include "report_run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Keep below-threshold sources this long in --follow. */
enum { FOLLOW_KEEP = 86400 };

int
scan_report_setup(struct scan_run *r)
{
    struct report_run *rr = calloc(1, sizeof(*rr));
    const char *f = sq_config_get(r->c.cfg, "report_format");
    sq_diag *d;
    sq_status st;
    int rc;

    if (rr == NULL)
        return cli_err(CLI_INTERNAL, "out of memory");
    r->rr = rr;
    rr->c = r->c; /* borrowed: cli_done happens once, on r->c */
    rr->send = r->send;
    rr->to = r->to;
    rr->outdir = r->outdir;
    rr->template_path = r->template_path;
    rr->kind = SQ_KIND_LOGIN_ATTACK;
    rr->wflags = r->offline ? SQ_WHOIS_OFFLINE : 0;
    /* ARF is for mail: logs go as XARF v4 unless x-arf or text is asked */
    rr->format_arg = strcmp(f, "arf") == 0 ? "xarf" : f;
    rr->hold_digests = r->follow;
    if ((rc = run_setup(rr)) >= 0)
        return rc;
    if (!r->send || rr->store == NULL)
        return -1;
    d = sq_diag_new();
    st = sq_scan_wm_open(rr->store, d, &r->wm);
    rc = st == SQ_OK ? -1 : cli_fail(d, st, CLI_INTERNAL);
    sq_diag_free(d);
    return rc;
}

void
scan_report_teardown(struct scan_run *r)
{
    if (r->rr == NULL)
        return;
    sq_scan_wm_free(r->wm);
    r->wm = NULL;
    run_teardown(r->rr);
    free(r->rr);
    r->rr = NULL;
}

static int
add_word(sq_redactor *red, sq_secret_kind k, const char *s)
{
    /* shorter secrets would eat text (the redactor refuses them) */
    return s == NULL || strlen(s) < 3 || sq_redactor_add(red, k, s) == SQ_OK;
}

/* The configured secrets plus what the log itself says is ours. */
static sq_redactor *
source_redactor(const struct scan_run *r, const sq_scan_src *s)
{
    sq_redactor *red = NULL;
    char host[256];
    int ok;

    if (sq_redactor_new(&red) != SQ_OK)
        return NULL;
    ok = run_copy_secrets(r->rr, red) &&
         add_word(red, SQ_SECRET_IP, sq_scan_src_dest_ip(r->agg, s));
    if (ok && gethostname(host, sizeof(host)) == 0) {
        host[sizeof(host) - 1] = '\0';
        ok = add_word(red, SQ_SECRET_HOST, host);
        host[strcspn(host, ".")] = '\0';
        ok = ok && add_word(red, SQ_SECRET_HOST, host);
    }
    for (size_t i = 0; ok && i < sq_scan_src_nusers(s); i++)
        ok = add_word(red, SQ_SECRET_WORD, sq_scan_src_user(r->agg, s, i));
    if (!ok) {
        sq_redactor_free(red);
        return NULL;
    }
    return red;
}

static sq_status
fill_incident(const struct scan_run *r, const sq_scan_src *s,
              const struct desk *k, const char *ip, sq_incident *inc)
{
    const char *proto = sq_scan_src_protocol(r->agg, s);
    int zknown, zone = sq_scan_src_zone(s, &zknown);
    sq_status st;

    if ((st = sq_incident_add(inc, SQ_INC_SOURCE_IP, ip)) != SQ_OK ||
        (st = sq_incident_add(inc, SQ_INC_DEST_ADDR, k->addr)) != SQ_OK)
        return st;
    run_set_reporter(r->rr, inc);
    if (k->network[0] != '\0')
        (void)sq_incident_add(inc, SQ_INC_NETWORK, k->network);
    if (k->asn[0] != '\0')
        (void)sq_incident_add(inc, SQ_INC_ASN, k->asn);
    if (sq_scan_src_dest_ip(r->agg, s)[0] != '\0')
        (void)sq_incident_add(inc, SQ_INC_DEST_IP,
                              sq_scan_src_dest_ip(r->agg, s));
    if (proto[0] != '\0')
        (void)sq_incident_add(inc, SQ_INC_PROTOCOL, proto);
    if (sq_scan_src_nservices(s) > 0)
        (void)sq_incident_add(inc, SQ_INC_SERVICE,
                              sq_scan_src_service(r->agg, s, 0));
    sq_incident_set_ports(inc, sq_scan_src_source_port(s),
                          sq_scan_src_port(s, 0));
    sq_incident_set_time(inc, sq_scan_src_first(s), sq_scan_src_last(s),
                         zknown ? zone : 0);
    sq_incident_set_count(inc, sq_scan_src_attempts(s));
    for (size_t i = 0; i < sq_scan_src_nlines(s); i++) {
        size_t len = 0;
        const char *l = sq_scan_src_line(r->agg, s, i, &len);
        char buf[SQ_SCAN_AGG_LINE_BYTES + 1];
        size_t o = 0;

        /* header-safe: control bytes become '?' */
        for (size_t j = 0; j < len && o < SQ_SCAN_AGG_LINE_BYTES; j++)
            buf[o++] = (unsigned char)l[j] < 0x20 ? '?' : l[j];
        buf[o] = '\0';
        if (o > 0)
            (void)sq_incident_add(inc, SQ_INC_EVIDENCE_LINE, buf);
    }
    return SQ_OK;
}

/* Build in the run's format; XARF's connection types need a source port
 * that fail2ban bans and web logs do not give: those go as text. */
static sq_status
build(const struct scan_run *r, const sq_incident *inc, struct msgctx *m,
      char **rep, size_t *len, sq_diag *d)
{
    sq_report_format fmt = m->fmt;
    sq_status st;

    if (fmt == SQ_FORMAT_XARF && r->outdir == NULL)
        fmt = SQ_FORMAT_XARF_MAIL;
    st = sq_report_build(inc, fmt, 0, r->rr->tpl, d, rep, len);
    if (st == SQ_EINVAL &&
        (fmt == SQ_FORMAT_XARF || fmt == SQ_FORMAT_XARF_MAIL)) {
        m->fmt = SQ_FORMAT_TEXT;
        st =
            sq_report_build(inc, SQ_FORMAT_TEXT, 0, r->rr->tpl, NULL, rep, len);
    }
    return st;
}

static void
report_desk(struct scan_run *r, const sq_scan_src *s, struct msgctx *m,
            const struct desk *k)
{
    struct report_run *rr = r->rr;
    sq_incident *inc = NULL;
    sq_diag *d = sq_diag_new();
    char *rep = NULL, hash[65];
    size_t len = 0;

    m->fmt = rr->fmt;
    if (sq_incident_new(sq_scan_src_kind(s), &inc) != SQ_OK ||
        fill_incident(r, s, k, m->ip, inc) != SQ_OK) {
        rr->any_internal = 1;
    } else {
        sq_incident_set_redactor(inc, m->red);
        if (sq_incident_evidence_hash(inc, hash) != SQ_OK ||
            build(r, inc, m, &rep, &len, d) != SQ_OK) {
            cli_fail(d, SQ_EINVAL, 0);
            rr->any_bad = 1;
        } else {
            run_deliver(rr, m, k, rep, len, hash);
        }
    }
    free(rep);
    sq_incident_free(inc);
    sq_diag_free(d);
}

static void
report_source(struct scan_run *r, const sq_scan_src *s)
{
    struct report_run *rr = r->rr;
    struct msgctx m;
    struct plan_in in;
    char ip[46], label[96];
    unsigned cls;

    memset(&m, 0, sizeof(m));
    sq_scan_src_ip(s, ip);
    snprintf(label, sizeof(label), "%s %s", ip,
             sq_report_kind_name(sq_scan_src_kind(s)));
    m.label = label;
    m.ip = ip;
    m.when = sq_scan_src_last(s);
    cls = sq_ip_classify(ip, strlen(ip));
    if (cls & (SQ_IP_LOOPBACK | SQ_IP_PRIVATE | SQ_IP_RESERVED)) {
        if (!r->c.quiet)
            cli_err(0, "%s: private or reserved address, not reported", label);
        return;
    }
    if (rr->tr != NULL && r->send && m.when > 0 &&
        sq_tracking_sighting(rr->tr, ip, m.when,
                             sq_scan_src_nservices(s) > 0
                                 ? sq_scan_src_service(r->agg, s, 0)
                                 : "logs",
                             NULL, NULL) != SQ_OK)
        rr->any_internal = 1;
    if ((m.red = source_redactor(r, s)) == NULL) {
        rr->any_internal = 1;
        return;
    }
    in = (struct plan_in){
        .w = rr->w, .wflags = rr->wflags, .to = rr->to, .ip = ip, .tr = rr->tr};
    plan_build(&in, &m.plan);
    if (m.plan.oom)
        rr->any_internal = 1;
    if (m.plan.n == 0) {
        rr->any_missing = 1;
        printf("== %s: not reported: no abuse desk found\n", label);
        for (size_t i = 0; i < m.plan.nnotes; i++)
            printf("   note: %s\n", m.plan.notes[i]);
    }
    for (size_t i = 0; i < m.plan.n; i++)
        report_desk(r, s, &m, &m.plan.desks[i]);
    plan_free(&m.plan);
    sq_redactor_free(m.red);
}

static int
keep_pending(void *ctx, const sq_scan_src *s)
{
    const struct scan_run *r = ctx;

    return sq_scan_src_attempts(s) < (unsigned long)r->min_events &&
           sq_scan_src_last(s) > (long long)time(NULL) - FOLLOW_KEEP;
}

int
scan_report(struct scan_run *r, int final)
{
    struct report_run *rr = r->rr;
    size_t n, *v;
    int oom, rc;

    v = scan_ranked(r, &n, &oom);
    if (oom)
        return cli_err(CLI_INTERNAL, "out of memory");
    for (size_t i = 0; i < n && !rr->any_internal; i++)
        report_source(r, sq_scan_agg_get(r->agg, v[i]));
    free(v);
    /* the reports are in the outbox: these lines are done */
    if (!rr->any_internal && !r->follow && !scan_marks_save(r))
        rr->any_internal = 1;
    /* digests wait for their interval, except in the last run (SIGTERM,
       end of input): that one flushes them */
    rr->hold_digests = r->follow && !final;
    rc = run_finish(rr);
    if (!final && sq_scan_agg_prune(r->agg, keep_pending, r) != SQ_OK)
        rc = CLI_INTERNAL;
    rr->nreports = rr->nqueued = rr->ndup = rr->nskipped = rr->nwritten = 0;
    rr->any_missing = rr->any_bad = 0;
    return rc;
}

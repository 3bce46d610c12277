/*
 * report_run.h - the state of one `squeaky report` run and its steps
 * (src/cli only): set up (config, trace, lookups, outbox), one message
 * at a time, then send and tear down.  cmd_report.c parses the options.
 */
#ifndef SQ_CLI_REPORT_RUN_H
#define SQ_CLI_REPORT_RUN_H

#include "cli.h"
#include "report_plan.h"

#include <squeaky/outbox.h>
#include <squeaky/report.h>
#include <squeaky/store.h>
#include <squeaky/trace.h>
#include <squeaky/tracking.h>
#include <squeaky/whois.h>

struct report_run {
    struct cli_common c;
    /* options */
    int send, yes_urls, escalate;
    const char *format_arg, *to, *outdir, *template_path;
    sq_report_kind kind;
    unsigned bflags; /* SQ_REPORT_* */
    unsigned wflags; /* SQ_WHOIS_* */
    /* set up by run_setup */
    sq_report_format fmt;
    sq_trace_opts *topts;
    sq_store *store;
    sq_whois *w;
    sq_outbox *ob;   /* with the store: queue (--send), dedupe */
    sq_tracking *tr; /* with the store: sightings, dead addresses */
    sq_template *tpl;
    sq_redactor *secrets; /* from the config; copied per message */
    int ask;              /* URL desks: ask on the terminal */
    int hold_digests;     /* send run without SQ_SEND_FLUSH (scan --follow) */
    /* counters and outcome */
    size_t nmsg, nreports, nqueued, ndup, nskipped, nwritten;
    int any_missing, any_bad, any_internal;
};

/* One message (or, for escalations, one network) being reported. */
struct msgctx {
    const char *label, *msg;
    size_t len;
    const char *ip; /* the source; "" for an escalation */
    long long when;
    sq_report_format fmt;
    sq_redactor *red;
    struct plan plan;
};

/* Add the configured secrets (redact_*) to a message's redactor; 0 when
 * out of memory. */
int run_copy_secrets(const struct report_run *r, sq_redactor *to);
/* From, its name, the org and Reply-To from the config. */
void run_set_reporter(const struct report_run *r, sq_incident *inc);
/* -1 to go on, or an exit code (message printed). */
int run_setup(struct report_run *r);
void run_message(struct report_run *r, const char *label, const char *msg,
                 size_t len);
/* An input or message that could not be read. */
void run_bad(struct report_run *r, const char *label, const char *why);
/* A built report for desk k: count it, then preview it, write it
 * (--output) or queue it (--send), and print what was done. */
void run_deliver(struct report_run *r, const struct msgctx *m,
                 const struct desk *k, const char *rep, size_t len,
                 const char *hash);
/* --escalate: reports to the upstreams of networks that go on (see
 * report_escalate.c). */
void run_escalations(struct report_run *r);
/* Send what was queued (--send) and give the exit code. */
int run_finish(struct report_run *r);
void run_teardown(struct report_run *r);

#endif

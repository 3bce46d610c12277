/*
 * cmd_report.c - `squeaky report`: trace each message, find the abuse
 * desks (report_plan.c), build one report per desk, and preview them
 * (default), write them to a directory (--output) or queue and send
 * them through the outbox (--send).  URL-only desks need --yes-urls or
 * a "y" on the terminal before anything is sent to them.
 *
 * Exit: 0 every message got its reports (or had them already), 1 some
 * message had no external origin or no abuse desk, 2 usage error or
 * unreadable input, 3 internal error.
 */
#include "cli.h"
#include "report_run.h"

#include <squeaky/mail.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_SEND = 1,
    OPT_FORMAT,
    OPT_KIND,
    OPT_TO,
    OPT_OUTPUT,
    OPT_YES_URLS,
    OPT_HEADERS_ONLY,
    OPT_TEMPLATE,
    OPT_OFFLINE,
    OPT_ESCALATE
};

static const struct cli_opt report_opts[] = {
    {"send", 0, 0, OPT_SEND, NULL,
     "queue the reports in the outbox and send them (default: preview)"},
    {"format", 'f', 1, OPT_FORMAT, "F",
     "arf, xarf, x-arf or text (default: config report_format)"},
    {"kind", 'k', 1, OPT_KIND, "K", "spam (default), phishing or malware"},
    {"to", 0, 1, OPT_TO, "ADDRESS",
     "skip the lookups: every report goes to ADDRESS"},
    {"output", 'o', 1, OPT_OUTPUT, "DIR",
     "write each report to DIR (.eml, XARF v4 as .json) instead of sending"},
    {"yes-urls", 0, 0, OPT_YES_URLS, NULL,
     "also report to the URL hosts' and registrars' desks without asking"},
    {"headers-only", 0, 0, OPT_HEADERS_ONLY, NULL,
     "attach only the original's header (text/rfc822-headers)"},
    {"template", 't', 1, OPT_TEMPLATE, "FILE",
     "the human-readable text: \"Subject: ...\", blank line, body"},
    {"offline", 0, 0, OPT_OFFLINE, NULL,
     "look up from the offline prefix database and overrides only"},
    {"escalate", 0, 0, OPT_ESCALATE, NULL,
     "report networks past escalate_after reports in escalate_window days "
     "that go on, to their upstreams (no MESSAGE)"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int
report_opt(void *ud, int id, const char *arg)
{
    struct report_run *r = ud;

    switch (id) {
    case OPT_SEND:
        r->send = 1;
        break;
    case OPT_FORMAT:
        r->format_arg = arg;
        break;
    case OPT_KIND:
        if (sq_report_kind_parse(arg, &r->kind) != SQ_OK ||
            r->kind > SQ_KIND_MALWARE)
            return cli_err(CLI_USAGE, "--kind: want spam, phishing or malware");
        break;
    case OPT_TO:
        if (strchr(arg, '@') == NULL || strpbrk(arg, " \t\r\n<>") != NULL)
            return cli_err(CLI_USAGE, "--to: want an address local@domain");
        r->to = arg;
        break;
    case OPT_OUTPUT:
        r->outdir = arg;
        break;
    case OPT_YES_URLS:
        r->yes_urls = 1;
        break;
    case OPT_HEADERS_ONLY:
        r->bflags |= SQ_REPORT_HEADERS_ONLY;
        break;
    case OPT_TEMPLATE:
        r->template_path = arg;
        break;
    case OPT_OFFLINE:
        r->wflags |= SQ_WHOIS_OFFLINE;
        break;
    case OPT_ESCALATE:
        r->escalate = 1;
        break;
    default:
        break;
    }
    return -1;
}

/* One input: every message in it. */
static void
report_source(struct report_run *r, const char *path)
{
    sq_msgsrc *src = NULL;
    sq_diag *d = sq_diag_new();
    const char *data, *label;
    size_t len, before = r->nmsg;
    sq_status st;

    st = sq_msgsrc_open(path, r->c.cfg, &src, d);
    if (st != SQ_OK) {
        const char *m = d != NULL ? sq_diag_message(d, 0) : NULL;

        run_bad(r, path, m != NULL ? m : sq_strerror(st));
        sq_diag_free(d);
        return;
    }
    sq_diag_free(d);
    while ((st = sq_msgsrc_next(src, &data, &len, &label)) != SQ_EEOF) {
        if (st == SQ_OK)
            run_message(r, label, data, len);
        else if (st == SQ_ELIMIT_MESSAGE)
            run_bad(r, label,
                    "message larger than max_message_bytes: not "
                    "reported (raise the limit to report it)");
        else
            run_bad(r, label != NULL ? label : path, sq_strerror(st));
        if (!r->c.quiet)
            cli_progress("messages", ++r->nmsg, 0);
    }
    if (r->nmsg == before)
        run_bad(r, path, "no messages (subdirectories are not read)");
    sq_msgsrc_free(src);
}

int
cmd_report(int argc, char **argv)
{
    static char *stdin_op[] = {"-"};
    struct report_run r;
    char **ops;
    int rc, nops;

    memset(&r, 0, sizeof(r));
    rc = cli_parse(
        argc, argv, "squeaky report [OPTIONS] [MESSAGE|MBOX|MAILDIR|DIR|-]...",
        "Report each message to the abuse desks that can act on it: the "
        "origin\nnetwork's (traced, then looked up) and, when you confirm, "
        "the networks\nhosting its URLs and their registrars.  Default: "
        "preview, nothing sent.\nExit: 0 reports made for every message, 1 "
        "some message had no origin or\nno abuse desk, 2 usage error or bad "
        "input, 3 internal error.",
        report_opts, report_opt, &r, &r.c);
    if (rc >= 0)
        return rc;
    if (r.escalate && (r.c.nops > 0 || r.to != NULL)) {
        rc = cli_err(CLI_USAGE, "--escalate takes no MESSAGE and no --to");
        cli_done(&r.c);
        return rc;
    }
    rc = run_setup(&r);
    if (rc < 0 && r.escalate) {
        run_escalations(&r);
        rc = run_finish(&r);
    } else if (rc < 0) {
        ops = r.c.nops ? r.c.ops : stdin_op;
        nops = r.c.nops ? r.c.nops : 1;
        for (int i = 0; i < nops; i++)
            report_source(&r, ops[i]);
        if (!r.c.quiet)
            cli_progress("messages", r.nmsg, 1);
        rc = run_finish(&r);
    }
    run_teardown(&r);
    cli_done(&r.c);
    return rc;
}

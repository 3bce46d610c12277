/*
 * cmd_scan.c - `squeaky scan`: firewall, auth and web logs to events,
 * events to sources (count, first/last, ports, services, users), and
 * sources to reports per abuse desk (--report; preview unless --send).
 *
 * Exit: 0 events found (and, with --report, every source reported), 1
 * no event found, 2 usage error or an unreadable input, 3 internal
 * error, 4 reports queued but not sent yet.
 */
#include "scan_run.h"

#include <squeaky/report.h>

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Events dated later than this after the start are skipped. */
enum { FUTURE_SLACK = 86400 };

enum {
    OPT_FORMAT = 1,
    OPT_FILTER,
    OPT_FILTER_DIR,
    OPT_COUNT,
    OPT_REPORT,
    OPT_SEND,
    OPT_FOLLOW,
    OPT_RESCAN,
    OPT_MIN_EVENTS,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_ALLOW,
    OPT_ALLOW_FILE,
    OPT_ZONE,
    OPT_KIND,
    OPT_TO,
    OPT_OUTPUT,
    OPT_TEMPLATE,
    OPT_OFFLINE
};

static const struct cli_opt scan_opts[] = {
    {"format", 'F', 1, OPT_FORMAT, "F",
     "log format: auto (default, per file), syslog, sshd, netfilter, ufw, "
     "filterlog, winfw, access, postfix, dovecot, exim, fail2ban, asa"},
    {"filter", 0, 1, OPT_FILTER, "NAME[k=v]",
     "match with fail2ban's filter.d/NAME.conf instead (e.g. "
     "sshd[mode=aggressive])"},
    {"filter-dir", 0, 1, OPT_FILTER_DIR, "DIR",
     "fail2ban configuration directory (default /etc/fail2ban)"},
    {"count", 'c', 0, OPT_COUNT, NULL, "print only the number of events"},
    {"report", 0, 0, OPT_REPORT, NULL,
     "report the sources to their abuse desks (preview unless --send)"},
    {"send", 0, 0, OPT_SEND, NULL,
     "with --report: queue in the outbox and send; keeps watermarks"},
    {"follow", 'f', 0, OPT_FOLLOW, NULL,
     "follow the files like tail -F (reports every scan_interval and on "
     "SIGTERM)"},
    {"rescan", 0, 0, OPT_RESCAN, NULL,
     "read every file from its start (ignore the watermarks); the outbox "
     "still refuses evidence a desk already got"},
    {"min-events", 'm', 1, OPT_MIN_EVENTS, "N",
     "attempts before a source is listed or reported (config "
     "scan_min_events)"},
    {"since", 0, 1, OPT_SINCE, "TIME",
     "only events at or after TIME (ISO 8601, epoch, or 2h/7d ago)"},
    {"until", 0, 1, OPT_UNTIL, "TIME", "only events before TIME"},
    {"allow", 'a', 1, OPT_ALLOW, "CIDR",
     "never count sources in CIDR (repeatable; config scan_allow)"},
    {"allow-file", 0, 1, OPT_ALLOW_FILE, "FILE",
     "never count sources in the networks listed in FILE"},
    {"zone", 0, 1, OPT_ZONE, "+HH:MM",
     "zone of stamps without one (default: this machine's, now)"},
    {"kind", 'k', 1, OPT_KIND, "K",
     "kind of --filter events: login_attack (default), port_scan, "
     "vulnerability_scan, sql_injection, reconnaissance"},
    {"to", 0, 1, OPT_TO, "ADDRESS",
     "with --report: skip the lookups, every report to ADDRESS"},
    {"output", 'o', 1, OPT_OUTPUT, "DIR",
     "with --report: write the reports to DIR instead of sending"},
    {"template", 't', 1, OPT_TEMPLATE, "FILE",
     "with --report: the human-readable text of the reports"},
    {"offline", 0, 0, OPT_OFFLINE, NULL,
     "with --report: look up from the offline prefix database only"},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* "2026-11-27T10:00:00Z", an epoch, or "N[smhd]" ago. */
static int
parse_when(const struct scan_run *r, const char *s, long long *out)
{
    static const struct {
        char unit;
        long long secs;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    size_t n = strlen(s), used = 0;
    long v;

    for (size_t i = 0; n > 1 && i < sizeof(units) / sizeof(units[0]); i++) {
        char num[32];

        if (s[n - 1] != units[i].unit || n > sizeof(num))
            continue;
        memcpy(num, s, n - 1);
        num[n - 1] = '\0';
        if (!cli_parse_long(num, 0, 100L * 365 * 86400, &v))
            return 0;
        *out = r->now - (long long)v * units[i].secs;
        return 1;
    }
    return sq_scan_time_parse(s, n, r->now, 0, 1, out, NULL, NULL, NULL,
                              &used) == SQ_OK &&
           used == n;
}

static int
parse_zone(const char *s, int *out)
{
    long h, m;
    char hh[3], mm[3];

    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0)
        return *out = 0, 1;
    if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return 0;
    memcpy(hh, s + 1, 2);
    hh[2] = '\0';
    memcpy(mm, s + 4, 2);
    mm[2] = '\0';
    if (!cli_parse_long(hh, 0, 14, &h) || !cli_parse_long(mm, 0, 59, &m))
        return 0;
    *out = (int)((s[0] == '-' ? -1 : 1) * (h * 60 + m));
    return 1;
}

static int
add_allow(struct scan_run *r, const char *spec, size_t len)
{
    sq_diag *d = sq_diag_new();
    sq_status st;

    if (r->allow == NULL && sq_netset_new(&r->allow) != SQ_OK) {
        sq_diag_free(d);
        return cli_err(CLI_INTERNAL, "out of memory");
    }
    st = sq_netset_add(r->allow, spec, len, d);
    if (st != SQ_OK) {
        cli_fail(d, st, 0);
        sq_diag_free(d);
        return CLI_USAGE;
    }
    sq_diag_free(d);
    return -1;
}

static int
add_allow_file(struct scan_run *r, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int rc = -1;

    if (f == NULL)
        return cli_err(CLI_USAGE, "%s: cannot open", path);
    while (rc < 0 && fgets(line, sizeof(line), f) != NULL) {
        size_t n = strcspn(line, "#\r\n");

        if (strspn(line, " \t") < n)
            rc = add_allow(r, line, n);
    }
    fclose(f);
    return rc;
}

static int
scan_opt(void *ud, int id, const char *arg)
{
    struct scan_run *r = ud;

    switch (id) {
    case OPT_FORMAT:
        if (sq_scan_format_parse(arg, &r->fmt) != SQ_OK)
            return cli_err(CLI_USAGE, "--format %s: unknown log format", arg);
        break;
    case OPT_FILTER:
        r->filter_spec = arg;
        break;
    case OPT_FILTER_DIR:
        r->filter_dir = arg;
        break;
    case OPT_COUNT:
        r->count_only = 1;
        break;
    case OPT_REPORT:
        r->report = 1;
        break;
    case OPT_SEND:
        r->send = 1;
        break;
    case OPT_FOLLOW:
        r->follow = 1;
        break;
    case OPT_RESCAN:
        r->rescan = 1;
        break;
    case OPT_MIN_EVENTS:
        if (!cli_parse_long(arg, 1, 1000000, &r->min_events))
            return cli_err(CLI_USAGE, "--min-events: want 1..1000000");
        break;
    case OPT_SINCE:
    case OPT_UNTIL:
        if (!parse_when(r, arg, id == OPT_SINCE ? &r->since : &r->until))
            return cli_err(CLI_USAGE, "--%s %s: want ISO 8601, epoch or Nd",
                           id == OPT_SINCE ? "since" : "until", arg);
        break;
    case OPT_ALLOW:
        return add_allow(r, arg, strlen(arg));
    case OPT_ALLOW_FILE:
        return add_allow_file(r, arg);
    case OPT_ZONE:
        if (!parse_zone(arg, &r->zone))
            return cli_err(CLI_USAGE, "--zone %s: want +HH:MM or UTC", arg);
        r->zone_set = 1;
        break;
    case OPT_KIND:
        if (sq_report_kind_parse(arg, &r->f2b_kind) != SQ_OK ||
            r->f2b_kind < SQ_KIND_LOGIN_ATTACK)
            return cli_err(CLI_USAGE, "--kind %s: want a log kind", arg);
        break;
    case OPT_TO:
        r->to = arg;
        break;
    case OPT_OUTPUT:
        r->outdir = arg;
        break;
    case OPT_TEMPLATE:
        r->template_path = arg;
        break;
    case OPT_OFFLINE:
        r->offline = 1;
        break;
    default:
        break;
    }
    return -1;
}

/* ---- events ---- */

void
scan_event(struct scan_run *r, const struct scan_ev *e)
{
    sq_status st;

    if (e->h.time > r->now + FUTURE_SLACK) {
        r->future++; /* a broken or forged stamp: not evidence */
        return;
    }
    if ((r->since > 0 || r->until > 0) &&
        (e->h.time <= 0 || (r->since > 0 && e->h.time < r->since) ||
         (r->until > 0 && e->h.time >= r->until))) {
        r->outside++;
        return;
    }
    if (r->allow != NULL &&
        sq_netset_match(r->allow, e->h.ip, strlen(e->h.ip)) == 1) {
        r->allowed++;
        return;
    }
    r->events++;
    if (r->count_only)
        return;
    if (!r->report && (r->c.json || r->follow)) {
        scan_print_event(r, e);
        return;
    }
    st = sq_scan_agg_add(r->agg, &e->h);
    if (st == SQ_ENOMEM) {
        r->any_internal = 1;
        scan_stop = 1;
    }
}

/* ---- set-up ---- */

static int
scan_setup(struct scan_run *r)
{
    sq_diag *d = sq_diag_new();
    const char *allow = sq_config_get(r->c.cfg, "scan_allow");
    sq_status st;
    int rc = -1;

    if (r->min_events == 0)
        r->min_events = sq_config_get_int(r->c.cfg, "scan_min_events");
    r->interval = sq_config_get_int(r->c.cfg, "scan_interval");
    if (allow[0] != '\0')
        rc = add_allow(r, allow, strlen(allow));
    r->count_fast =
        r->count_only && r->allow == NULL && r->since == 0 && r->until == 0;
    if (rc < 0 && r->filter_spec != NULL &&
        (st = sq_f2b_filter_load(r->filter_dir, r->filter_spec, &r->filter,
                                 d)) != SQ_OK)
        rc = cli_fail(d, st, CLI_USAGE);
    if (rc < 0 &&
        sq_scan_agg_new((size_t)sq_config_get_int(r->c.cfg, "scan_max_sources"),
                        &r->agg) != SQ_OK)
        rc = cli_err(CLI_INTERNAL, "out of memory");
    if (rc < 0 && r->report)
        rc = scan_report_setup(r);
    sq_diag_free(d);
    return rc;
}

static int
check_combination(const struct scan_run *r)
{
    if (r->filter_spec != NULL && r->fmt != SQ_SCAN_AUTO)
        return cli_err(CLI_USAGE, "--filter and --format exclude each other");
    if (!r->report && (r->send || r->to != NULL || r->outdir != NULL ||
                       r->template_path != NULL || r->offline))
        return cli_err(CLI_USAGE, "--send, --to, --output, --template and "
                                  "--offline go with --report");
    if (r->report && r->count_only)
        return cli_err(CLI_USAGE, "--count and --report exclude each other");
    if (r->send && r->outdir != NULL)
        return cli_err(CLI_USAGE, "--send and --output exclude each other");
    if (r->follow && r->c.nops == 0)
        return cli_err(CLI_USAGE, "--follow needs FILE operands");
    return -1;
}

static long long
local_zone(long long now)
{
    time_t t = (time_t)now;
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL)
        return 0;
    return tm.tm_gmtoff / 60;
}

static int
scan_finish(struct scan_run *r)
{
    int rc;

    if (!r->c.quiet && !r->c.json && !r->count_only)
        cli_progress("lines", (size_t)r->lines, 1);
    if (r->count_only) {
        printf("%llu\n", r->events);
        rc = CLI_OK;
    } else if (r->report && !r->follow) {
        rc = scan_report(r, 1);
    } else if (!r->c.json && !r->follow) {
        rc = scan_print_summary(r);
    } else {
        rc = CLI_OK;
    }
    if (!r->c.quiet && !r->count_only && !(r->any_bad && r->lines == 0))
        scan_print_stats(r);
    if (sq_scan_agg_dropped(r->agg) > 0)
        cli_err(0,
                "%llu events from new sources not counted: more than "
                "scan_max_sources sources",
                sq_scan_agg_dropped(r->agg));
    if (r->future > 0)
        cli_err(0, "%llu events dated more than a day ahead skipped",
                r->future);
    if (r->errors > 0)
        cli_err(0,
                "%llu lines hit the regex limits (match or depth) "
                "and were not matched",
                r->errors);
    if (r->too_long > 0 && !r->c.quiet)
        cli_err(0, "%llu lines longer than %d bytes skipped", r->too_long,
                SQ_SCAN_MAX_LINE);
    if (fflush(stdout) != 0)
        return cli_err(CLI_INTERNAL, "cannot write output");
    if (r->any_internal)
        return CLI_INTERNAL;
    if (r->any_bad)
        return CLI_USAGE;
    if (rc != CLI_OK)
        return rc;
    return r->events > 0 ? CLI_OK : CLI_NOTFOUND;
}

static int
push_path(struct scan_run *r, size_t *cap, const char *p)
{
    if (r->nglobbed == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        char **v = realloc(r->globbed, c * sizeof(*v));

        if (v == NULL)
            return 0;
        r->globbed = v;
        *cap = c;
    }
    if ((r->globbed[r->nglobbed] = strdup(p)) == NULL)
        return 0;
    r->nglobbed++;
    return 1;
}

/* Operands with * ? [ that name no file are expanded here (a quoted
 * pattern from a config or a cron line); what the shell expanded is
 * left as is.  A pattern matching nothing stays, and fails as a missing
 * file. */
static int
expand_globs(struct scan_run *r, char ***ops, int *nops)
{
    struct stat st;
    size_t cap = 0;
    int ok = 1;

    for (int i = 0; ok && i < *nops; i++) {
        const char *p = (*ops)[i];
        glob_t g;

        memset(&g, 0, sizeof(g));
        if (strpbrk(p, "*?[") != NULL && stat(p, &st) != 0 &&
            glob(p, 0, NULL, &g) == 0) {
            for (size_t k = 0; ok && k < g.gl_pathc; k++)
                ok = push_path(r, &cap, g.gl_pathv[k]);
        } else {
            ok = push_path(r, &cap, p);
        }
        globfree(&g);
    }
    *ops = r->globbed;
    *nops = (int)r->nglobbed;
    return ok;
}

static void
scan_teardown(struct scan_run *r)
{
    scan_marks_free(r);
    scan_report_teardown(r);
    sq_scan_agg_free(r->agg);
    sq_f2b_filter_free(r->filter);
    sq_netset_free(r->allow);
    cli_done(&r->c);
}

int
cmd_scan(int argc, char **argv)
{
    static char *stdin_op[] = {"-"};
    struct scan_run r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.now = (long long)time(NULL);
    r.zone = (int)local_zone(r.now);
    r.f2b_kind = SQ_KIND_LOGIN_ATTACK;
    rc = cli_parse(
        argc, argv, "squeaky scan [OPTIONS] [FILE|-]...",
        "Find attackers in firewall, auth and web logs (plain, gzip or "
        "stdin):\nlist them per source (default), print the events "
        "(--json, --count), or\nreport them to their abuse desks "
        "(--report: preview unless --send).\nExit: 0 events found, 1 none, "
        "2 usage error or unreadable input,\n3 internal error, 4 reports "
        "not sent yet.",
        scan_opts, scan_opt, &r, &r.c);
    if (rc >= 0) {
        sq_netset_free(r.allow);
        return rc;
    }
    if ((rc = check_combination(&r)) < 0 && (rc = scan_setup(&r)) < 0) {
        char **ops = r.c.nops ? r.c.ops : stdin_op;
        int nops = r.c.nops ? r.c.nops : 1;

        if (!expand_globs(&r, &ops, &nops)) {
            rc = CLI_INTERNAL;
        } else if (r.follow) {
            int frc = scan_follow(&r, ops, nops);

            rc = scan_finish(&r);
            rc = frc != CLI_OK ? frc : rc;
        } else {
            for (int i = 0; i < nops && !scan_stop; i++)
                scan_file(&r, ops[i]);
            rc = scan_finish(&r);
        }
    }
    for (size_t i = 0; i < r.nglobbed; i++)
        free(r.globbed[i]);
    free(r.globbed);
    scan_teardown(&r);
    return rc;
}

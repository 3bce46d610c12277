/*
 * cmd_stats.c - `squeaky stats`: which networks and abuse desks act on
 * the reports.  Per network and per desk: reports sent, bounced,
 * acknowledged, tickets, reports after which the abuse went on, and the
 * median time from a report to the first and to the last sighting of
 * its source; a desk whose address bounced is shown dead.
 *
 *   stats [--since DATE] [--by network|desk] [--json]
 *   stats --escalations    networks past the escalation policy
 *                          (escalate_after reports in escalate_window
 *                          days, abuse still going on) with their
 *                          history
 *
 * --json: one object per row.  Exit: 0 done, 1 (--escalations) none,
 * 2 usage error, 3 internal or store error.
 */
#include "cli.h"

#include <squeaky/outbox.h>
#include <squeaky/store.h>
#include <squeaky/tracking.h>

#include <stdlib.h>
#include <string.h>

enum { OPT_SINCE = 1, OPT_BY, OPT_ESCALATIONS };

static const struct cli_opt stats_opts[] = {
    {"since", 0, 1, OPT_SINCE, "DATE",
     "only reports sent on or after DATE (YYYY-MM-DD, UTC)"},
    {"by", 0, 1, OPT_BY, "WHAT", "network or desk (default: both)"},
    {"escalations", 0, 0, OPT_ESCALATIONS, NULL,
     "list the networks past the escalation policy, with their history"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct stats_run {
    struct cli_common c;
    long long since;
    int by; /* -1: both */
    int escalations;
};

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(long long y, long m, long d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD" -> epoch seconds at 00:00 UTC. */
static int
parse_date(const char *s, long long *out)
{
    char y[5], m[3], d[3];
    long yy, mm, dd;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    memcpy(y, s, 4), y[4] = '\0';
    memcpy(m, s + 5, 2), m[2] = '\0';
    memcpy(d, s + 8, 2), d[2] = '\0';
    if (!cli_parse_long(y, 1970, 9999, &yy) || !cli_parse_long(m, 1, 12, &mm) ||
        !cli_parse_long(d, 1, 31, &dd))
        return 0;
    *out = days_from_civil(yy, mm, dd) * 86400;
    return 1;
}

static int
stats_opt(void *ud, int id, const char *arg)
{
    struct stats_run *r = ud;

    if (id == OPT_SINCE && !parse_date(arg, &r->since))
        return cli_err(CLI_USAGE, "--since: want a date YYYY-MM-DD");
    if (id == OPT_BY) {
        if (strcmp(arg, "network") == 0)
            r->by = SQ_STATS_NETWORK;
        else if (strcmp(arg, "desk") == 0)
            r->by = SQ_STATS_DESK;
        else
            return cli_err(CLI_USAGE, "--by: want network or desk");
    }
    if (id == OPT_ESCALATIONS)
        r->escalations = 1;
    return -1;
}

/* "-", "45s", "12m", "5h", "3d": the largest unit that fits. */
static void
duration(long long s, char buf[24])
{
    if (s < 0)
        snprintf(buf, 24, "-");
    else if (s < 120)
        snprintf(buf, 24, "%llds", s);
    else if (s < 7200)
        snprintf(buf, 24, "%lldm", s / 60);
    else if (s < 172800)
        snprintf(buf, 24, "%lldh", s / 3600);
    else
        snprintf(buf, 24, "%lldd", s / 86400);
}

/* A number of seconds, or null when unknown (< 0). */
static void
kv_seconds(struct jbuf *b, const char *key, long long v)
{
    if (v < 0) {
        jb_key(b, key, 0);
        jb_raw(b, "null", 4);
    } else {
        jb_kv_int(b, key, v, 0);
    }
}

static void
row_json(const char *by, const sq_stats_row *w)
{
    struct jbuf b;

    jb_init(&b);
    jb_raw(&b, "{", 1);
    jb_kv_str(&b, "by", by, 1);
    jb_kv_str(&b, by, w->key, 0);
    jb_kv_int(&b, "sent", w->sent, 0);
    jb_kv_int(&b, "bounced", w->bounced, 0);
    jb_kv_int(&b, "acknowledged", w->acknowledged, 0);
    jb_kv_int(&b, "tickets", w->tickets, 0);
    jb_kv_int(&b, "continued", w->continued, 0);
    kv_seconds(&b, "median_first_seconds", w->median_first);
    kv_seconds(&b, "median_last_seconds", w->median_last);
    jb_kv_bool(&b, "dead", w->dead, 0);
    jb_raw(&b, "}\n", 2);
    jb_flush(&b, stdout);
    jb_free(&b);
}

static void
row_text(const sq_stats_row *w)
{
    char f[24], l[24], key[41];
    size_t n = strlen(w->key);

    duration(w->median_first, f);
    duration(w->median_last, l);
    snprintf(key, sizeof(key), "%s", n ? w->key : "(unknown)");
    cli_put_safe(stdout, key, strlen(key));
    printf("%*s %6lld %7lld %6lld %7lld %9lld %8s %8s%s\n",
           (int)(40 - (strlen(key) < 40 ? strlen(key) : 40)), "", w->sent,
           w->bounced, w->acknowledged, w->tickets, w->continued, f, l,
           w->dead ? "  dead" : "");
}

static int
one_table(struct stats_run *r, sq_tracking *tr, sq_stats_by by)
{
    const char *name = by == SQ_STATS_DESK ? "desk" : "network";
    sq_diag *d = sq_diag_new();
    sq_stats *s = NULL;
    sq_status st = sq_tracking_stats(tr, by, r->since, d, &s);

    if (st != SQ_OK) {
        int rc = cli_fail(d, st, CLI_INTERNAL);

        sq_diag_free(d);
        return rc;
    }
    if (!r->c.json)
        printf("%-40s %6s %7s %6s %7s %9s %8s %8s\n",
               by == SQ_STATS_DESK ? "ABUSE DESK" : "NETWORK", "SENT",
               "BOUNCED", "ACKED", "TICKETS", "CONTINUED", "1ST-SEEN",
               "LAST-SEEN");
    for (size_t i = 0; i < sq_stats_count(s); i++)
        r->c.json ? row_json(name, sq_stats_row_at(s, i))
                  : row_text(sq_stats_row_at(s, i));
    sq_stats_free(s);
    sq_diag_free(d);
    return CLI_OK;
}

static long long
cfg_int(const sq_config *cfg, const char *key, long long dflt)
{
    const char *v = sq_config_get(cfg, key);

    return v != NULL && v[0] != '\0' ? sq_config_get_int(cfg, key) : dflt;
}

static int
escalations(struct stats_run *r, sq_tracking *tr)
{
    sq_diag *d = sq_diag_new();
    sq_escalation *e = NULL;
    sq_status st = sq_tracking_escalations(
        tr, cfg_int(r->c.cfg, "escalate_after", 3),
        cfg_int(r->c.cfg, "escalate_window", 30), d, &e);
    int rc;

    if (st != SQ_OK) {
        rc = cli_fail(d, st, CLI_INTERNAL);
        sq_diag_free(d);
        return rc;
    }
    for (size_t i = 0; i < sq_escalation_count(e); i++) {
        char *t =
            r->c.json ? sq_escalation_json(e, i) : sq_escalation_text(e, i);

        if (t != NULL) {
            cli_put_safe(stdout, t, strlen(t));
            if (r->c.json || i + 1 < sq_escalation_count(e))
                putchar('\n'); /* JSON Lines; a blank line between texts */
        }
        free(t);
    }
    rc = sq_escalation_count(e) > 0 ? CLI_OK : CLI_NOTFOUND;
    if (rc == CLI_NOTFOUND && !r->c.json && !r->c.quiet)
        printf("no network is past the escalation policy\n");
    sq_escalation_free(e);
    sq_diag_free(d);
    return rc;
}

static int
run(struct stats_run *r, sq_tracking *tr)
{
    int rc = CLI_OK;

    if (r->escalations)
        return escalations(r, tr);
    if (r->by < 0 || r->by == SQ_STATS_NETWORK)
        rc = one_table(r, tr, SQ_STATS_NETWORK);
    if (rc == CLI_OK && r->by < 0 && !r->c.json)
        putchar('\n');
    if (rc == CLI_OK && (r->by < 0 || r->by == SQ_STATS_DESK))
        rc = one_table(r, tr, SQ_STATS_DESK);
    return rc;
}

int
cmd_stats(int argc, char **argv)
{
    struct stats_run r;
    sq_store *store = NULL;
    sq_outbox *ob = NULL;
    sq_tracking *tr = NULL;
    sq_diag *d;
    sq_status st;
    int rc;

    memset(&r, 0, sizeof(r));
    r.by = -1;
    rc = cli_parse(argc, argv,
                   "squeaky stats [--since DATE] [--by WHAT] "
                   "[--escalations]",
                   "Which networks and abuse desks act on the reports: "
                   "sent, bounced,\nacknowledged, tickets, and how often "
                   "and how soon the abuse went on\nafter a report.\nExit: "
                   "0 done, 1 no escalation due (--escalations), 2 usage "
                   "error,\n3 internal error.",
                   stats_opts, stats_opt, &r, &r.c);
    if (rc >= 0)
        return rc;
    if (r.c.nops > 0) {
        cli_done(&r.c);
        return cli_err(CLI_USAGE, "no operands expected (see --help)");
    }
    d = sq_diag_new();
    if ((st = sq_store_open(sq_config_get(r.c.cfg, "store"), d, &store)) !=
            SQ_OK ||
        (st = sq_outbox_open(store, d, &ob)) != SQ_OK ||
        (st = sq_tracking_open(store, ob, d, &tr)) != SQ_OK)
        rc = cli_fail(d, st, CLI_INTERNAL);
    else
        rc = run(&r, tr);
    sq_diag_free(d);
    sq_tracking_free(tr);
    sq_outbox_free(ob);
    sq_store_close(store);
    cli_done(&r.c);
    return rc;
}

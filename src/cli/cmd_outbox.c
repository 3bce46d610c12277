/*
 * cmd_outbox.c - `squeaky outbox`: the reports `squeaky report --send`
 * queued, and what became of them.
 *
 *   outbox list [--state S]     one line (or JSON object) per report
 *   outbox show ID              one report with its message
 *   outbox retry|cancel|confirm ID...
 *   outbox send [--flush]       send what is due (digests: --flush)
 *
 * Exit: 0 done, 1 no such report, 2 usage error or a state change that
 * is not allowed, 3 internal or store error, 4 (send) reports left
 * deferred, failed or held.
 */
#include "cli.h"

#include <squeaky/outbox.h>
#include <squeaky/store.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_STATE = 1, OPT_FLUSH };

static const struct cli_opt outbox_opts[] = {
    {"state", 's', 1, OPT_STATE, "S",
     "list: only reports in state S (queued, sent, deferred, failed, "
     "held, ...)"},
    {"flush", 0, 0, OPT_FLUSH, NULL,
     "send: send digests now, whatever their age"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct outbox_run {
    struct cli_common c;
    int state; /* -1: all */
    unsigned flags;
    sq_store *store;
    sq_outbox *ob;
};

static int
outbox_opt(void *ud, int id, const char *arg)
{
    struct outbox_run *r = ud;
    sq_outbox_state s;

    if (id == OPT_STATE) {
        if (sq_outbox_state_parse(arg, &s) != SQ_OK)
            return cli_err(CLI_USAGE, "--state: unknown state \"%s\"", arg);
        r->state = (int)s;
    }
    if (id == OPT_FLUSH)
        r->flags |= SQ_SEND_FLUSH;
    return -1;
}

static void
item_json(FILE *f, const sq_outbox_item *it)
{
    char c[32], s[32], n[32];
    struct jbuf b;
    size_t len = 0;
    const char *msg = sq_outbox_item_message(it, &len);

    cli_iso_time(sq_outbox_item_created(it), 1, c, sizeof(c));
    cli_iso_time(sq_outbox_item_sent(it), 1, s, sizeof(s));
    cli_iso_time(sq_outbox_item_next_attempt(it), 1, n, sizeof(n));
    jb_init(&b);
    jb_raw(&b, "{", 1);
    jb_kv_int(&b, "id", sq_outbox_item_id(it), 1);
    jb_kv_str(&b, "state", sq_outbox_state_name(sq_outbox_item_state(it)), 0);
    jb_kv_str(&b, "to", sq_outbox_item_dest(it), 0);
    jb_kv_str(&b, "format", sq_outbox_item_format(it), 0);
    jb_kv_str(&b, "network", sq_outbox_item_network(it), 0);
    jb_kv_str(&b, "evidence_sha256", sq_outbox_item_evidence(it), 0);
    jb_kv_str(&b, "message_id", sq_outbox_item_message_id(it), 0);
    jb_kv_str(&b, "verp_tag", sq_outbox_item_verp_tag(it), 0);
    jb_kv_int(&b, "attempts", sq_outbox_item_attempts(it), 0);
    jb_kv_str(&b, "created", c, 0);
    jb_kv_str(&b, "sent", s, 0);
    jb_kv_str(&b, "next_attempt", n, 0);
    jb_kv_str(&b, "last_error", sq_outbox_item_last_error(it), 0);
    jb_kv_str(&b, "ticket", sq_outbox_item_ticket(it), 0);
    if (msg != NULL) { /* show: the report itself */
        char *z = malloc(len + 1);

        if (z != NULL) {
            memcpy(z, msg, len);
            z[len] = '\0';
            jb_kv_str(&b, "report", z, 0);
            free(z);
        }
    }
    jb_raw(&b, "}\n", 2);
    jb_flush(&b, f);
    jb_free(&b);
}

static void
item_text(FILE *f, const sq_outbox_item *it)
{
    char c[32];
    const char *err = sq_outbox_item_last_error(it);

    cli_iso_time(sq_outbox_item_created(it), 1, c, sizeof(c));
    fprintf(f, "%6lld  %-12s %s  %s  %s", sq_outbox_item_id(it),
            sq_outbox_state_name(sq_outbox_item_state(it)), c,
            sq_outbox_item_format(it), sq_outbox_item_dest(it));
    if (sq_outbox_item_network(it)[0] != '\0')
        fprintf(f, " (%s)", sq_outbox_item_network(it));
    if (err[0] != '\0')
        fprintf(f, " - %s", err);
    fputc('\n', f);
}

static int
do_list(struct outbox_run *r)
{
    sq_outbox_list *l = NULL;
    sq_diag *d = sq_diag_new();
    sq_status st = sq_outbox_list_new(r->ob, r->state, d, &l);
    int rc = CLI_OK;

    if (st != SQ_OK)
        rc = cli_fail(d, st, CLI_INTERNAL);
    for (size_t i = 0; l != NULL && i < sq_outbox_list_count(l); i++) {
        if (r->c.json)
            item_json(stdout, sq_outbox_list_item(l, i));
        else
            item_text(stdout, sq_outbox_list_item(l, i));
    }
    sq_outbox_list_free(l);
    sq_diag_free(d);
    return rc;
}

static int
parse_id(const char *s, long long *id)
{
    long v;

    if (!cli_parse_long(s, 1, 0x7fffffffL, &v))
        return cli_err(0, "\"%s\": want a report id (squeaky outbox list)", s),
               0;
    *id = v;
    return 1;
}

static int
do_show(struct outbox_run *r, int n, char **ids)
{
    int rc = CLI_OK;

    for (int i = 0; i < n; i++) {
        sq_outbox_item *it = NULL;
        sq_diag *d = sq_diag_new();
        long long id;
        sq_status st;
        size_t len = 0;
        const char *msg;

        if (!parse_id(ids[i], &id)) {
            rc = CLI_USAGE;
        } else if ((st = sq_outbox_get(r->ob, id, d, &it)) != SQ_OK) {
            rc = cli_fail(d, st,
                          st == SQ_ENOTFOUND ? CLI_NOTFOUND : CLI_INTERNAL);
        } else {
            r->c.json ? item_json(stdout, it) : item_text(stdout, it);
            msg = sq_outbox_item_message(it, &len);
            if (!r->c.json && msg != NULL) {
                fwrite(msg, 1, len, stdout);
                if (len > 0 && msg[len - 1] != '\n')
                    putchar('\n');
            }
        }
        sq_outbox_item_free(it);
        sq_diag_free(d);
    }
    return rc;
}

static int
do_change(struct outbox_run *r, const char *verb, int n, char **ids)
{
    int rc = CLI_OK;

    for (int i = 0; i < n; i++) {
        sq_diag *d = sq_diag_new();
        long long id;
        sq_status st;

        if (!parse_id(ids[i], &id)) {
            rc = CLI_USAGE;
            sq_diag_free(d);
            continue;
        }
        if (strcmp(verb, "retry") == 0)
            st = sq_outbox_retry(r->ob, id, d);
        else if (strcmp(verb, "cancel") == 0)
            st = sq_outbox_cancel(r->ob, id, d);
        else
            st = sq_outbox_confirm_sent(r->ob, id, d);
        if (st != SQ_OK)
            rc = cli_fail(d, st,
                          st == SQ_ENOTFOUND ? CLI_NOTFOUND
                          : st == SQ_EINVAL  ? CLI_USAGE
                                             : CLI_INTERNAL);
        else if (!r->c.quiet)
            printf("%lld: %s\n", id, verb);
        sq_diag_free(d);
    }
    return rc;
}

static int
do_send(struct outbox_run *r)
{
    sq_sender_opts *so = NULL;
    sq_sender *s = NULL;
    sq_send_stats st;
    sq_diag *d = sq_diag_new();
    sq_status e = SQ_ENOMEM;
    int rc;

    memset(&st, 0, sizeof(st));
    if (sq_sender_opts_new(&so) == SQ_OK &&
        (e = sq_sender_opts_from_config(so, r->c.cfg, d)) == SQ_OK &&
        (e = sq_sender_new(so, d, &s)) == SQ_OK)
        e = sq_sender_run(s, r->ob, r->flags, &st, d);
    if (e != SQ_OK)
        rc = cli_fail(d, e, e == SQ_EINVAL ? CLI_USAGE : CLI_INTERNAL);
    else if (st.stopped)
        rc = cli_fail(d, SQ_ENET, CLI_NOTSENT);
    else
        rc = st.deferred || st.failed || st.held ? CLI_NOTSENT : CLI_OK;
    if (e == SQ_OK && !r->c.quiet)
        printf("%lu mail(s) for %lu report(s) sent; %lu deferred, %lu "
               "failed, %lu held, %lu waiting, %lu recovered\n",
               st.mails, st.sent, st.deferred, st.failed, st.held, st.waiting,
               st.recovered);
    sq_sender_free(s);
    sq_sender_opts_free(so);
    sq_diag_free(d);
    return rc;
}

static int
dispatch(struct outbox_run *r)
{
    const char *verb = r->c.nops > 0 ? r->c.ops[0] : "list";
    int n = r->c.nops > 0 ? r->c.nops - 1 : 0;
    char **rest = r->c.ops + (r->c.nops > 0);

    if (strcmp(verb, "list") == 0 && n == 0)
        return do_list(r);
    if (strcmp(verb, "send") == 0 && n == 0)
        return do_send(r);
    if (strcmp(verb, "show") == 0 && n > 0)
        return do_show(r, n, rest);
    if ((strcmp(verb, "retry") == 0 || strcmp(verb, "cancel") == 0 ||
         strcmp(verb, "confirm") == 0) &&
        n > 0)
        return do_change(r, verb, n, rest);
    return cli_err(CLI_USAGE, "usage: outbox list | show ID... | retry ID... "
                              "| cancel ID... | confirm ID... | send");
}

int
cmd_outbox(int argc, char **argv)
{
    struct outbox_run r;
    sq_diag *d;
    sq_status st;
    int rc;

    memset(&r, 0, sizeof(r));
    r.state = -1;
    rc = cli_parse(argc, argv,
                   "squeaky outbox list|show ID|retry ID|cancel ID|confirm "
                   "ID|send",
                   "The reports 'squeaky report --send' queued: list them "
                   "with their state,\nshow one, retry a deferred, failed "
                   "or held one, cancel one, confirm\nthat a held one "
                   "arrived, or send what is due.\nExit: 0 done, 1 no such "
                   "report, 2 usage error, 3 internal error,\n4 reports "
                   "left deferred, failed or held.",
                   outbox_opts, outbox_opt, &r, &r.c);
    if (rc >= 0)
        return rc;
    d = sq_diag_new();
    if ((st = sq_store_open(sq_config_get(r.c.cfg, "store"), d, &r.store)) !=
            SQ_OK ||
        (st = sq_outbox_open(r.store, d, &r.ob)) != SQ_OK)
        rc = cli_fail(d, st, CLI_INTERNAL);
    else
        rc = dispatch(&r);
    sq_diag_free(d);
    sq_outbox_free(r.ob);
    sq_store_close(r.store);
    cli_done(&r.c);
    return rc;
}

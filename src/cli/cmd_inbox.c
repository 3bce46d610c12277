/*
 * cmd_inbox.c - `squeaky inbox`: what came back for the reports.
 *
 *   inbox ingest MAILBOX...   read bounces, DSNs and auto-replies (mbox,
 *                             Maildir, directory, single files, "-")
 *                             and mark their reports bounced or
 *                             acknowledged; hard bounces mark the desk's
 *                             address dead (docs/TRACKING.md)
 *   inbox revive ADDRESS...   a dead address works again
 *
 * Text: one line per reply (bounce, delay, auto-reply; whether it named
 * a report), then a summary.
 * --json: one object per message read.
 * Exit: 0 done, 1 (revive) not dead, 2 usage or unreadable mailbox,
 * 3 internal or store error.
 */
#include "cli.h"

#include <squeaky/mail.h>
#include <squeaky/outbox.h>
#include <squeaky/store.h>
#include <squeaky/tracking.h>

#include <string.h>

static const struct cli_opt inbox_opts[] = {{NULL, 0, 0, 0, NULL, NULL}};

struct inbox_run {
    struct cli_common c;
    sq_store *store;
    sq_outbox *ob;
    sq_tracking *tr;
    unsigned long n[SQ_REPLY_KIND_MAX];
    unsigned long messages, matched, unmatched, duplicates, marked, dead,
        unreadable;
};

static void
one_json(const char *label, const sq_ingest_result *res)
{
    struct jbuf b;

    jb_init(&b);
    jb_raw(&b, "{", 1);
    jb_kv_str(&b, "message", label, 1);
    jb_kv_str(&b, "kind", sq_reply_kind_name(res->kind), 0);
    jb_kv_bool(&b, "matched", res->matched, 0);
    if (res->matched) {
        jb_kv_int(&b, "report", res->report, 0);
        jb_kv_str(&b, "how", res->how, 0);
    }
    jb_kv_bool(&b, "duplicate", res->duplicate, 0);
    jb_kv_int(&b, "marked", (long long)res->marked, 0);
    jb_kv_bool(&b, "address_dead", res->dead, 0);
    jb_kv_str(&b, "status", res->status, 0);
    jb_kv_str(&b, "ticket", res->ticket, 0);
    jb_raw(&b, "}\n", 2);
    jb_flush(&b, stdout);
    jb_free(&b);
}

static void
one_text(const char *label, const sq_ingest_result *res)
{
    if (!res->matched && res->kind != SQ_REPLY_BOUNCE &&
        res->kind != SQ_REPLY_DELAY && res->kind != SQ_REPLY_AUTOREPLY)
        return;
    cli_put_safe(stdout, label, strlen(label));
    if (!res->matched) {
        printf(": %s%s%s names no report in the outbox\n",
               sq_reply_kind_name(res->kind), res->status[0] ? " " : "",
               res->status);
        return;
    }
    printf(": %s", sq_reply_kind_name(res->kind));
    if (res->status[0] != '\0')
        printf(" %s", res->status);
    printf(" -> report %lld (%s)", res->report, res->how);
    if (res->duplicate)
        printf(", seen before: nothing changed");
    else if (res->marked > 0)
        printf(", %zu marked", res->marked);
    if (res->ticket[0] != '\0') {
        printf(", ticket ");
        cli_put_safe(stdout, res->ticket, strlen(res->ticket));
    }
    if (res->dead)
        printf(", address dead");
    putchar('\n');
}

static void
count(struct inbox_run *r, const sq_ingest_result *res)
{
    r->messages++;
    r->n[res->kind]++;
    if (res->kind == SQ_REPLY_BOUNCE || res->kind == SQ_REPLY_DELAY ||
        res->kind == SQ_REPLY_AUTOREPLY) {
        r->matched += res->matched && !res->duplicate;
        r->unmatched += !res->matched;
    }
    r->duplicates += res->duplicate;
    r->marked += res->marked;
    r->dead += res->dead;
}

/* One mailbox; 0 or an exit code. */
static int
ingest_path(struct inbox_run *r, const char *path)
{
    sq_msgsrc *src = NULL;
    sq_diag *d = sq_diag_new();
    const char *msg, *label;
    size_t len;
    sq_status st;
    int rc = 0;

    if ((st = sq_msgsrc_open(path, r->c.cfg, &src, d)) != SQ_OK) {
        sq_diag_free(d);
        cli_err(0, "%s: %s", path, sq_strerror(st));
        return CLI_USAGE;
    }
    while ((st = sq_msgsrc_next(src, &msg, &len, &label)) != SQ_EEOF) {
        sq_ingest_result res;

        if (st != SQ_OK && st != SQ_ELIMIT_MESSAGE) {
            r->unreadable++;
            continue;
        }
        if ((st = sq_tracking_ingest(r->tr, msg, len, &res, d)) != SQ_OK) {
            rc = cli_fail(d, st, CLI_INTERNAL);
            break;
        }
        count(r, &res);
        if (r->c.json)
            one_json(label, &res);
        else if (!r->c.quiet)
            one_text(label, &res);
    }
    sq_msgsrc_free(src);
    sq_diag_free(d);
    return rc;
}

static void
summary(const struct inbox_run *r)
{
    printf("%lu message(s): %lu bounce(s), %lu delay(s), %lu "
           "auto-reply(s), %lu feedback report(s), %lu other; %lu matched, "
           "%lu unmatched, %lu seen before, %lu report(s) marked, %lu "
           "address(es) dead",
           r->messages, r->n[SQ_REPLY_BOUNCE], r->n[SQ_REPLY_DELAY],
           r->n[SQ_REPLY_AUTOREPLY], r->n[SQ_REPLY_FEEDBACK],
           r->n[SQ_REPLY_OTHER] + r->n[SQ_REPLY_DELIVERED], r->matched,
           r->unmatched, r->duplicates, r->marked, r->dead);
    if (r->unreadable > 0)
        printf(", %lu unreadable", r->unreadable);
    putchar('\n');
}

static int
do_ingest(struct inbox_run *r, int n, char **paths)
{
    const char *verp = sq_config_get(r->c.cfg, "envelope_sender");
    int rc = CLI_OK;

    if (verp != NULL && verp[0] != '\0' &&
        sq_tracking_set_verp(r->tr, verp) != SQ_OK)
        return cli_err(CLI_USAGE, "envelope_sender: too long");
    for (int i = 0; i < n && rc != CLI_INTERNAL; i++) {
        int e = ingest_path(r, paths[i]);

        if (e != 0)
            rc = e;
    }
    if (!r->c.json && !r->c.quiet)
        summary(r);
    return rc;
}

static int
do_revive(struct inbox_run *r, int n, char **addrs)
{
    int rc = CLI_OK;

    for (int i = 0; i < n; i++) {
        sq_diag *d = sq_diag_new();
        sq_status st = sq_tracking_revive(r->tr, addrs[i], d);

        if (st == SQ_ENOTFOUND)
            rc = cli_err(CLI_NOTFOUND, "%s: not dead", addrs[i]);
        else if (st == SQ_EINVAL)
            rc = cli_err(CLI_USAGE, "%s: not an address", addrs[i]);
        else if (st != SQ_OK)
            rc = cli_fail(d, st, CLI_INTERNAL);
        else if (!r->c.quiet)
            printf("%s: alive again\n", addrs[i]);
        sq_diag_free(d);
    }
    return rc;
}

int
cmd_inbox(int argc, char **argv)
{
    struct inbox_run r;
    sq_diag *d;
    sq_status st;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = cli_parse(argc, argv,
                   "squeaky inbox ingest MAILBOX... | revive "
                   "ADDRESS...",
                   "Read what came back for the reports (bounces, DSNs, "
                   "auto-replies) from\nmboxes, Maildirs, files or - and "
                   "mark the reports bounced or\nacknowledged; a hard "
                   "bounce marks the desk's address dead.\nExit: 0 done, "
                   "1 not dead (revive), 2 usage error or unreadable\n"
                   "mailbox, 3 internal error.",
                   inbox_opts, NULL, &r, &r.c);
    if (rc >= 0)
        return rc;
    if (r.c.nops < 2 || (strcmp(r.c.ops[0], "ingest") != 0 &&
                         strcmp(r.c.ops[0], "revive") != 0)) {
        cli_done(&r.c);
        return cli_err(CLI_USAGE, "usage: inbox ingest MAILBOX... | revive "
                                  "ADDRESS...");
    }
    d = sq_diag_new();
    if ((st = sq_store_open(sq_config_get(r.c.cfg, "store"), d, &r.store)) !=
            SQ_OK ||
        (st = sq_outbox_open(r.store, d, &r.ob)) != SQ_OK ||
        (st = sq_tracking_open(r.store, r.ob, d, &r.tr)) != SQ_OK)
        rc = cli_fail(d, st, CLI_INTERNAL);
    else if (strcmp(r.c.ops[0], "ingest") == 0)
        rc = do_ingest(&r, r.c.nops - 1, r.c.ops + 1);
    else
        rc = do_revive(&r, r.c.nops - 1, r.c.ops + 1);
    sq_diag_free(d);
    sq_tracking_free(r.tr);
    sq_outbox_free(r.ob);
    sq_store_close(r.store);
    cli_done(&r.c);
    return rc;
}

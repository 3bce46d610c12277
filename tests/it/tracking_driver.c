/*
 * tracking_driver.c - a small program over the public outbox and
 * tracking API for tests/it/tracking_*.sh (compiled there against
 * libsqueaky.so; not part of squeaky).
 *
 *   tracking_driver enqueue STORE DEST NETWORK IP   prints the report id
 *       (evidence: a hash of DEST and IP)
 *   tracking_driver send STORE KEY=VALUE...         one send run
 *   tracking_driver ingest STORE VERP MAILBOX       one line per message:
 *       kind matched report how status ticket duplicate marked dead
 *   tracking_driver state STORE ID      state<TAB>last_error<TAB>ticket
 *   tracking_driver dead STORE ADDR     prints 1 or 0
 *   tracking_driver tag STORE ID        the report's VERP tag
 *
 * Exit 0, or 1 with a message on stderr.
 */
#include <squeaky/mail.h>
#include <squeaky/outbox.h>
#include <squeaky/store.h>
#include <squeaky/tracking.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail(const char *what, sq_status st, const sq_diag *d)
{
    fprintf(stderr, "%s: %s\n", what, sq_strerror(st));
    for (size_t i = 0; i < sq_diag_count(d); i++)
        fprintf(stderr, "diag: %s\n", sq_diag_message(d, i));
    return 1;
}

static int
do_enqueue(sq_outbox *ob, sq_tracking *tr, char **argv, sq_diag *d)
{
    char msg[1024], ev[65];
    long long id = 0;
    int added = 0;
    sq_status st;
    unsigned long long h = 1469598103934665603ULL; /* FNV-1a of dest, ip */

    for (const char *c = argv[3]; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    for (const char *c = argv[5]; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    snprintf(ev, sizeof(ev), "%016llx%016llx%016llx%016llx", h, h, h, h);
    snprintf(msg, sizeof(msg),
             "From: Reporter <reporter@squeaky.test>\n"
             "To: %s\nSubject: [abuse] spam from %s\n\n"
             "Source-IP: %s\nsha256 %s\n",
             argv[3], argv[5], argv[5], ev);
    st = sq_outbox_enqueue(ob, ev, argv[3], "text", argv[4], msg, strlen(msg),
                           d, &id, &added);
    if (st != SQ_OK)
        return fail("enqueue", st, d);
    if ((st = sq_tracking_link(tr, id, argv[5], d)) != SQ_OK)
        return fail("link", st, d);
    printf("%lld\n", id);
    return 0;
}

static int
do_send(sq_outbox *ob, int argc, char **argv, sq_diag *d)
{
    sq_sender_opts *o = NULL;
    sq_sender *s = NULL;
    sq_send_stats stats;
    sq_status st = sq_sender_opts_new(&o);

    for (int i = 3; st == SQ_OK && i < argc; i++) {
        char *eq = strchr(argv[i], '=');

        if (eq == NULL)
            return fail(argv[i], SQ_EINVAL, d);
        *eq = '\0';
        st = sq_sender_opts_set(o, argv[i], eq + 1, d);
    }
    if (st == SQ_OK && (st = sq_sender_new(o, d, &s)) == SQ_OK)
        st = sq_sender_run(s, ob, SQ_SEND_FLUSH, &stats, d);
    sq_sender_free(s);
    sq_sender_opts_free(o);
    if (st != SQ_OK)
        return fail("send", st, d);
    printf("sent=%lu failed=%lu deferred=%lu\n", stats.sent, stats.failed,
           stats.deferred);
    return 0;
}

static int
do_ingest(sq_tracking *tr, char **argv, sq_diag *d)
{
    sq_msgsrc *src = NULL;
    const char *msg, *label;
    size_t len;
    sq_status st;

    if (argv[3][0] != '\0' && sq_tracking_set_verp(tr, argv[3]) != SQ_OK)
        return fail("verp", SQ_EINVAL, d);
    if ((st = sq_msgsrc_open(argv[4], NULL, &src, d)) != SQ_OK)
        return fail(argv[4], st, d);
    while ((st = sq_msgsrc_next(src, &msg, &len, &label)) != SQ_EEOF) {
        sq_ingest_result r;

        if (st != SQ_OK)
            continue;
        if ((st = sq_tracking_ingest(tr, msg, len, &r, d)) != SQ_OK) {
            sq_msgsrc_free(src);
            return fail("ingest", st, d);
        }
        printf("%s %d %lld %s %s %s %d %zu %d\n", sq_reply_kind_name(r.kind),
               r.matched, r.report, r.how[0] ? r.how : "-",
               r.status[0] ? r.status : "-", r.ticket[0] ? r.ticket : "-",
               r.duplicate, r.marked, r.dead);
    }
    sq_msgsrc_free(src);
    return 0;
}

static int
do_state(sq_outbox *ob, const char *ids, sq_diag *d)
{
    sq_outbox_item *it = NULL;
    sq_status st = sq_outbox_get(ob, strtoll(ids, NULL, 10), d, &it);

    if (st != SQ_OK)
        return fail("get", st, d);
    printf("%s\t%s\t%s\n", sq_outbox_state_name(sq_outbox_item_state(it)),
           sq_outbox_item_last_error(it), sq_outbox_item_ticket(it));
    sq_outbox_item_free(it);
    return 0;
}

static int
dispatch(sq_outbox *ob, sq_tracking *tr, int argc, char **argv, sq_diag *d)
{
    const char *c = argv[1];

    if (strcmp(c, "enqueue") == 0 && argc == 6)
        return do_enqueue(ob, tr, argv, d);
    if (strcmp(c, "send") == 0)
        return do_send(ob, argc, argv, d);
    if (strcmp(c, "ingest") == 0 && argc == 5)
        return do_ingest(tr, argv, d);
    if (strcmp(c, "state") == 0 && argc == 4)
        return do_state(ob, argv[3], d);
    if (strcmp(c, "tag") == 0 && argc == 4) {
        sq_outbox_item *it = NULL;
        sq_status st = sq_outbox_get(ob, strtoll(argv[3], NULL, 10), d, &it);

        if (st != SQ_OK)
            return fail("get", st, d);
        printf("%s\n", sq_outbox_item_verp_tag(it));
        sq_outbox_item_free(it);
        return 0;
    }
    if (strcmp(c, "dead") == 0 && argc == 4) {
        printf("%d\n", sq_tracking_address_dead(tr, argv[3]));
        return 0;
    }
    fprintf(stderr, "tracking_driver: bad command\n");
    return 1;
}

int
main(int argc, char **argv)
{
    sq_diag *d = sq_diag_new();
    sq_store *store = NULL;
    sq_outbox *ob = NULL;
    sq_tracking *tr = NULL;
    sq_status st;
    int rc = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: tracking_driver CMD STORE ...\n");
        return 1;
    }
    if ((st = sq_store_open(argv[2], d, &store)) != SQ_OK ||
        (st = sq_outbox_open(store, d, &ob)) != SQ_OK ||
        (st = sq_tracking_open(store, ob, d, &tr)) != SQ_OK)
        rc = fail("open", st, d);
    else
        rc = dispatch(ob, tr, argc, argv, d);
    sq_tracking_free(tr);
    sq_outbox_free(ob);
    sq_store_close(store);
    sq_diag_free(d);
    return rc;
}

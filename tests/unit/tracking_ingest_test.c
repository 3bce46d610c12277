/*
 * tracking_ingest_test.c - replies matched to their outbox reports (by
 * VERP tag and by Message-ID), marks, dead addresses and idempotence,
 * on an SQLite store in a temporary directory (or $SQ_TEST_STORE).
 * The replies are the files of tests/data/tracking.
 */
#include "sqtest.h"
#include "tracking_store.h"

#include <squeaky/outbox.h>
#include <squeaky/store.h>
#include <squeaky/tracking.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sq_store *store;
static sq_outbox *ob;
static sq_tracking *tr;

/* Queue a report and make it look sent (state, time, VERP tag). */
static long long
report(const char *dest, const char *network, const char *msgid,
       const char *verp, const char *state)
{
    static int seq;
    char msg[512], ev[65];
    long long id = 0;
    int added = 0;
    sq_value p[4];

    snprintf(ev, sizeof(ev), "%064d", ++seq);
    snprintf(msg, sizeof(msg),
             "From: r@squeaky.test\nTo: %s\nMessage-ID: <%s>\nSubject: x\n\n"
             "Source-IP: 192.0.2.7\n",
             dest, msgid);
    SQ_CHECK(sq_outbox_enqueue(ob, ev, dest, "arf", network, msg, strlen(msg),
                               NULL, &id, &added) == SQ_OK &&
                 added,
             "enqueue %s", dest);
    p[0] = SQ_VTEXT(state);
    p[1] = SQ_VINT(1764151200); /* 2026-11-26T10:00:00Z */
    p[2] = SQ_VTEXT(verp);
    p[3] = SQ_VINT(id);
    SQ_CHECK(sq_store_exec(store,
                           "UPDATE outbox_report SET state = $1, sent = $2,"
                           " verp = $3 WHERE id = $4",
                           p, 4, NULL, NULL, NULL) == SQ_OK,
             "update %lld", id);
    return id;
}

static sq_ingest_result
ingest(const char *file)
{
    char path[512];
    size_t len = 0;
    char *msg;
    sq_ingest_result r;

    memset(&r, 0, sizeof(r));
    snprintf(path, sizeof(path), "%s/tracking/%s", SQ_TEST_DATA_DIR, file);
    msg = sqtest_slurp(path, &len);
    SQ_CHECK(msg != NULL, "read %s", path);
    if (msg != NULL)
        SQ_CHECK(sq_tracking_ingest(tr, msg, len, &r, NULL) == SQ_OK,
                 "ingest %s", file);
    free(msg);
    return r;
}

static void
check_state(long long id, const char *state, const char *ticket,
            const char *error_has)
{
    sq_outbox_item *it = NULL;

    SQ_CHECK(sq_outbox_get(ob, id, NULL, &it) == SQ_OK, "get %lld", id);
    if (it == NULL)
        return;
    SQ_CHECK_STR(sq_outbox_state_name(sq_outbox_item_state(it)), state,
                 "report %lld state", id);
    SQ_CHECK_STR(sq_outbox_item_ticket(it), ticket, "report %lld ticket", id);
    if (error_has != NULL)
        SQ_CHECK(strstr(sq_outbox_item_last_error(it), error_has) != NULL,
                 "report %lld last_error \"%s\" lacks \"%s\"", id,
                 sq_outbox_item_last_error(it), error_has);
    sq_outbox_item_free(it);
}

/* kind, matched, report, how, marked, dead, duplicate */
static void
expect(const char *file, sq_ingest_result r, sq_reply_kind kind, int matched,
       long long id, const char *how, size_t marked, int dead, int dup)
{
    SQ_CHECK_STR(sq_reply_kind_name(r.kind), sq_reply_kind_name(kind),
                 "%s kind", file);
    SQ_CHECK(r.matched == matched, "%s matched %d", file, r.matched);
    SQ_CHECK(r.report == id, "%s report %lld want %lld", file, r.report, id);
    SQ_CHECK_STR(r.how, how, "%s how", file);
    SQ_CHECK(r.marked == marked, "%s marked %zu want %zu", file, r.marked,
             marked);
    SQ_CHECK(r.dead == dead, "%s dead %d", file, r.dead);
    SQ_CHECK(r.duplicate == dup, "%s duplicate %d", file, r.duplicate);
}

static void
run(void)
{
    long long r1, r2, r3, r4, r5, r6, r7, r8, r9;
    sq_ingest_result x;

    r1 = report("abuse@dead.example", "AS64500 A", "report-1@squeaky.test",
                "aaaaaaaaaaaaaaaaaaaa", "sent");
    r2 = report("abuse@slow.example", "AS64501 B", "report-2@squeaky.test",
                "bbbbbbbbbbbbbbbbbbbb", "sent");
    r3 = report("abuse@gone.example", "AS64502 C", "report-3@squeaky.test",
                "t3t3t3t3t3t3t3t3t3t3", "sent");
    r4 = report("abuse@qmail.example", "AS64503 D", "report-4@squeaky.test",
                "cccccccccccccccccccc", "sent");
    r5 = report("abuse@exch.example", "AS64504 E", "report-5@squeaky.test",
                "t5t5t5t5t5t5t5t5t5t5", "sent");
    r6 = report("abuse@aio.example", "AS64505 F", "report-6@squeaky.test",
                "t6t6t6t6t6t6t6t6t6t6", "sent");
    r7 = report("abuse@otrs.example", "AS64506 G", "report-7@squeaky.test",
                "eeeeeeeeeeeeeeeeeeee", "sent");
    r8 = report("jane@ooo.example", "AS64507 H", "report-8@squeaky.test",
                "ffffffffffffffffffff", "queued");
    r9 = report("abuse@rt.example", "AS64508 I", "report-9@squeaky.test",
                "t9t9t9t9t9t9t9t9t9t9", "sent");
    SQ_CHECK(sq_tracking_set_verp(tr, "bounces+{tag}@squeaky.test") == SQ_OK,
             "verp");

    x = ingest("rfc3464-failed.eml");
    expect("rfc3464", x, SQ_REPLY_BOUNCE, 1, r1, "verp", 1, 1, 0);
    SQ_CHECK_STR(x.status, "5.1.1", "rfc3464 status");
    check_state(r1, "bounced", "", "5.1.1");
    SQ_CHECK(sq_tracking_address_dead(tr, "abuse@DEAD.EXAMPLE"),
             "dead, domain case ignored");
    SQ_CHECK(!sq_tracking_address_dead(tr, "Abuse@dead.example"),
             "local part case kept");
    x = ingest("rfc3464-failed.eml");
    expect("rfc3464 again", x, SQ_REPLY_BOUNCE, 1, r1, "verp", 0, 0, 1);

    x = ingest("postfix-delayed.eml");
    expect("postfix delay", x, SQ_REPLY_DELAY, 1, r2, "verp", 0, 0, 0);
    check_state(r2, "sent", "", NULL);
    SQ_CHECK(!sq_tracking_address_dead(tr, "abuse@slow.example"),
             "a delay kills nothing");

    x = ingest("exim-failed.eml");
    expect("exim", x, SQ_REPLY_BOUNCE, 1, r3, "message-id", 1, 1, 0);
    check_state(r3, "bounced", "", "User unknown");

    x = ingest("qmail-failed.eml");
    expect("qmail", x, SQ_REPLY_BOUNCE, 1, r4, "verp", 1, 1, 0);
    x = ingest("qmail-failed.eml"); /* no Message-ID: keyed by sha256 */
    expect("qmail again", x, SQ_REPLY_BOUNCE, 1, r4, "verp", 0, 0, 1);

    x = ingest("exchange-ndr.eml");
    expect("exchange", x, SQ_REPLY_BOUNCE, 1, r5, "message-id", 1, 1, 0);
    SQ_CHECK(sq_tracking_address_dead(tr, "abuse@exch.example"), "exch dead");

    x = ingest("gmail-delayed.eml"); /* tag of no report */
    expect("gmail", x, SQ_REPLY_DELAY, 0, 0, "", 0, 0, 0);

    x = ingest("autoreply-rt.eml");
    expect("rt", x, SQ_REPLY_AUTOREPLY, 1, r9, "message-id", 1, 0, 0);
    check_state(r9, "acknowledged", "rt.example #12345", NULL);
    x = ingest("autoreply-otrs.eml");
    expect("otrs", x, SQ_REPLY_AUTOREPLY, 1, r7, "verp", 1, 0, 0);
    check_state(r7, "acknowledged", "Ticket#2026112610000123", NULL);
    x = ingest("autoreply-abuseio.eml");
    expect("abuseio", x, SQ_REPLY_AUTOREPLY, 1, r6, "message-id", 1, 0, 0);
    check_state(r6, "acknowledged", "AbuseIO 8812", NULL);
    x = ingest("ooo.eml"); /* names a report that was never sent */
    expect("ooo", x, SQ_REPLY_AUTOREPLY, 1, r8, "verp", 0, 0, 0);
    check_state(r8, "queued", "", NULL);
    x = ingest("not-a-reply.eml");
    expect("spam", x, SQ_REPLY_OTHER, 0, 0, "", 0, 0, 0);

    /* without the template, VERP addresses name nothing */
    SQ_CHECK(sq_tracking_set_verp(tr, "") == SQ_OK, "verp off");
    x = ingest("autoreply-otrs.eml");
    SQ_CHECK(!x.matched, "otrs without a VERP template");

    /* dead addresses by hand */
    SQ_CHECK(sq_tracking_revive(tr, "abuse@dead.example", NULL) == SQ_OK,
             "revive");
    SQ_CHECK(!sq_tracking_address_dead(tr, "abuse@dead.example"), "alive");
    SQ_CHECK(sq_tracking_revive(tr, "abuse@dead.example", NULL) == SQ_ENOTFOUND,
             "revive twice");
    SQ_CHECK(sq_tracking_mark_dead(tr, "not-an-address", NULL, 0, NULL) ==
                 SQ_EINVAL,
             "bad address");
    SQ_CHECK(!sq_tracking_address_dead(tr, NULL), "NULL address");
}

int
main(void)
{
    char dir[] = "/tmp/tracking_ingest.XXXXXX", db[128];

    if (mkdtemp(dir) == NULL)
        return 1;
    SQ_CHECK(tracking_store_open(dir, &store) == SQ_OK, "store");
    SQ_CHECK(store && sq_outbox_open(store, NULL, &ob) == SQ_OK, "outbox");
    SQ_CHECK(ob && sq_tracking_open(store, ob, NULL, &tr) == SQ_OK, "tracker");
    if (tr != NULL)
        run();
    sq_tracking_free(tr);
    sq_outbox_free(ob);
    sq_store_close(store);
    snprintf(db, sizeof(db), "%s/t.db", dir);
    unlink(db);
    snprintf(db, sizeof(db), "%s/t.db-wal", dir);
    unlink(db);
    snprintf(db, sizeof(db), "%s/t.db-shm", dir);
    unlink(db);
    rmdir(dir);
    return sqtest_finish("tracking_ingest_test");
}

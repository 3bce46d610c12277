/*
 * tracking_stats_test.c - sightings (bounded to one row per report per
 * day, only after a report was sent, lazy links from the report
 * message), per network / per desk statistics with their medians, and
 * the escalation selection at its edges, on a constructed history in
 * an SQLite store in a temporary directory (or $SQ_TEST_STORE).
 */
#include "sqtest.h"
#include "tracking_store.h"

#include <squeaky/outbox.h>
#include <squeaky/store.h>
#include <squeaky/tracking.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { D0 = 1764115200, H = 3600, DAY = 86400 }; /* 2025-11-26T00:00Z */

static sq_store *store;
static sq_outbox *ob;
static sq_tracking *tr;

/* A sent report about ip (linked when link, else only named in the
 * message) in state at time sent. */
static long long
report(const char *dest, const char *network, const char *ip, int link,
       const char *state, long long sent, const char *ticket)
{
    static int seq;
    char msg[512], ev[65];
    long long id = 0;
    int added = 0;
    sq_value p[4];

    snprintf(ev, sizeof(ev), "%064d", ++seq);
    snprintf(msg, sizeof(msg),
             "From: r@squeaky.test\nTo: %s\nSubject: x\n\nSource-IP: %s\n",
             dest, ip);
    SQ_CHECK(sq_outbox_enqueue(ob, ev, dest, "arf", network, msg, strlen(msg),
                               NULL, &id, &added) == SQ_OK,
             "enqueue");
    p[0] = SQ_VTEXT(state);
    p[1] = SQ_VINT(sent);
    p[2] = ticket ? SQ_VTEXT(ticket) : SQ_VNULL;
    p[3] = SQ_VINT(id);
    SQ_CHECK(sq_store_exec(store,
                           "UPDATE outbox_report SET state = $1, sent = $2,"
                           " ticket = $3 WHERE id = $4",
                           p, 4, NULL, NULL, NULL) == SQ_OK,
             "update");
    if (link)
        SQ_CHECK(sq_tracking_link(tr, id, ip, NULL) == SQ_OK, "link %lld", id);
    return id;
}

static size_t
sight(const char *ip, long long when)
{
    size_t n = 99;

    SQ_CHECK(sq_tracking_sighting(tr, ip, when, "mail", &n, NULL) == SQ_OK,
             "sighting %s", ip);
    return n;
}

static int
count_row(void *arg, const sq_value *cols, size_t ncols)
{
    if (ncols > 0 && cols[0].type == SQ_VAL_INT)
        *(long long *)arg = cols[0].i;
    return 0;
}

static long long
sighting_rows(void)
{
    long long n = -1;

    sq_store_exec(store, "SELECT COUNT(*) FROM tracking_sighting", NULL, 0,
                  count_row, &n, NULL);
    return n;
}

static void
sightings(void)
{
    SQ_CHECK(sight("192.0.2.1", D0 + H) == 1, "r1 only: r2 not sent yet");
    SQ_CHECK(sight("192.0.2.1", D0 + H + 600) == 1, "same day");
    SQ_CHECK(sighting_rows() == 1, "one row per report per day");
    SQ_CHECK(sight("192.0.2.1", D0 + 3 * DAY) == 2, "r1 and r2");
    SQ_CHECK(sight("192.0.2.2", D0 + 3 * DAY) == 0, "before r3 was sent");
    SQ_CHECK(sight("192.0.2.2", D0 + 7 * DAY) == 2, "r3, r4 linked lazily");
    SQ_CHECK(sight("198.51.100.1", D0 - DAY) == 0, "before any report");
    SQ_CHECK(sight("203.0.113.5", D0 + DAY) == 1, "stopped-net r8");
    SQ_CHECK(sight("198.51.100.77", D0 + 5 * DAY) == 0, "bounced r7");
    SQ_CHECK(sight("::ffff:192.0.2.1", D0 + 3 * DAY + 60) == 2,
             "v4-mapped is the same address");
    SQ_CHECK(sighting_rows() == 6, "rows: %lld", sighting_rows());
    SQ_CHECK(sq_tracking_sighting(tr, "not-an-ip", D0, NULL, NULL, NULL) ==
                 SQ_EINVAL,
             "bad ip");
}

static const sq_stats_row *
row_of(const sq_stats *s, const char *key)
{
    for (size_t i = 0; i < sq_stats_count(s); i++)
        if (strcmp(sq_stats_row_at(s, i)->key, key) == 0)
            return sq_stats_row_at(s, i);
    return NULL;
}

static void
check_row(const sq_stats *s, const char *key, long long sent, long long b,
          long long a, long long t, long long c, long long mf, long long ml,
          int dead)
{
    const sq_stats_row *w = row_of(s, key);

    SQ_CHECK(w != NULL, "row %s", key);
    if (w == NULL)
        return;
    SQ_CHECK(w->sent == sent, "%s sent %lld", key, w->sent);
    SQ_CHECK(w->bounced == b, "%s bounced %lld", key, w->bounced);
    SQ_CHECK(w->acknowledged == a, "%s acked %lld", key, w->acknowledged);
    SQ_CHECK(w->tickets == t, "%s tickets %lld", key, w->tickets);
    SQ_CHECK(w->continued == c, "%s continued %lld", key, w->continued);
    SQ_CHECK(w->median_first == mf, "%s median first %lld want %lld", key,
             w->median_first, mf);
    SQ_CHECK(w->median_last == ml, "%s median last %lld want %lld", key,
             w->median_last, ml);
    SQ_CHECK(w->dead == dead, "%s dead %d", key, w->dead);
}

static void
stats(void)
{
    sq_stats *s = NULL;

    SQ_CHECK(sq_tracking_stats(tr, SQ_STATS_NETWORK, 0, NULL, &s) == SQ_OK,
             "stats");
    SQ_CHECK(sq_stats_count(s) == 4, "4 networks, got %zu", sq_stats_count(s));
    SQ_CHECK_STR(sq_stats_row_at(s, 0)->key, "AS64500 BAD-NET", "most first");
    /* first: 1h, 1d, 3d, 1d -> 1d; last: 3d+60, 1d+60, 3d, 1d (the
     * v4-mapped sighting 60 s later) -> (1d+60 + 3d) / 2 */
    check_row(s, "AS64500 BAD-NET", 4, 0, 0, 0, 4, DAY, 2 * DAY + 30, 0);
    check_row(s, "AS64501 GOOD-NET", 2, 0, 1, 1, 0, -1, -1, 0);
    check_row(s, "AS64502 DEAD-NET", 1, 1, 0, 0, 0, -1, -1, 1);
    check_row(s, "AS64503 STOPPED", 2, 0, 0, 0, 1, DAY, DAY, 0);
    sq_stats_free(s);
    s = NULL;
    SQ_CHECK(sq_tracking_stats(tr, SQ_STATS_DESK, 0, NULL, &s) == SQ_OK,
             "desk stats");
    check_row(s, "abuse@bad.example", 4, 0, 0, 0, 4, DAY, 2 * DAY + 30, 0);
    check_row(s, "abuse@gone.example", 1, 1, 0, 0, 0, -1, -1, 1);
    sq_stats_free(s);
    s = NULL;
    SQ_CHECK(sq_tracking_stats(tr, SQ_STATS_NETWORK, D0 + 3 * DAY, NULL, &s) ==
                 SQ_OK,
             "since");
    check_row(s, "AS64500 BAD-NET", 2, 0, 0, 0, 2, 2 * DAY, 2 * DAY, 0);
    check_row(s, "AS64501 GOOD-NET", 1, 0, 0, 0, 0, -1, -1, 0);
    SQ_CHECK(row_of(s, "AS64502 DEAD-NET") == NULL, "dead-net before since");
    sq_stats_free(s);
}

static size_t
escalations(long long after, long long window, sq_escalation **out)
{
    sq_escalation *e = NULL;

    SQ_CHECK(sq_tracking_escalations(tr, after, window, NULL, &e) == SQ_OK,
             "escalations %lld %lld", after, window);
    if (out != NULL) {
        *out = e;
        return sq_escalation_count(e);
    }
    {
        size_t n = sq_escalation_count(e);

        sq_escalation_free(e);
        return n;
    }
}

static void
history(const sq_escalation *e)
{
    char *t = sq_escalation_text(e, 0), *j = sq_escalation_json(e, 0);
    json_t *o = j != NULL ? json_loads(j, 0, NULL) : NULL;

    SQ_CHECK(t != NULL && strstr(t, "AS64500") != NULL &&
                 strstr(t, "2025-11-26T00:00:00Z  report 1  sent") != NULL &&
                 strstr(t, "last seen 2025-12-03T00:00:00Z") != NULL,
             "text history:\n%s", t ? t : "(null)");
    SQ_CHECK(o != NULL, "history JSON parses: %s", j ? j : "(null)");
    SQ_CHECK(json_integer_value(json_object_get(o, "asn")) == 64500, "asn");
    SQ_CHECK(json_array_size(json_object_get(o, "reports")) == 4, "4 reports");
    SQ_CHECK_STR(json_string_value(json_object_get(
                     json_array_get(json_object_get(o, "reports"), 0), "to")),
                 "abuse@bad.example", "first report's desk");
    json_decref(o);
    free(t);
    free(j);
}

static void
escalation(void)
{
    sq_escalation *e = NULL;

    sq_tracking_set_now(tr, D0 + 8 * DAY);
    SQ_CHECK(escalations(4, 30, &e) == 1, "4 reports in 30 days");
    SQ_CHECK_STR(sq_escalation_key(e, 0), "AS64500", "grouped by ASN");
    SQ_CHECK(sq_escalation_asn(e, 0) == 64500, "asn");
    SQ_CHECK(sq_escalation_reports(e, 0) == 4, "reports");
    SQ_CHECK(sq_escalation_last_seen(e, 0) == D0 + 7 * DAY, "last seen");
    SQ_CHECK(sq_escalation_report_id(e, 0, 3) == 4, "oldest first");
    SQ_CHECK_STR(sq_escalation_source_ip(e, 0), "192.0.2.2",
                 "the latest report's source (linked from its message)");
    SQ_CHECK(sq_escalation_source_ip(e, 1) == NULL, "out of range");
    history(e);
    sq_escalation_free(e);
    SQ_CHECK(escalations(5, 30, NULL) == 0, "5 reports: none");
    SQ_CHECK(escalations(4, 8, NULL) == 1, "window starts at the 1st report");
    SQ_CHECK(escalations(4, 7, NULL) == 0, "window misses the 1st report");
    /* GOOD-NET: no sightings; STOPPED: seen only before its last report;
     * DEAD-NET: one report */
    SQ_CHECK(escalations(1, 30, NULL) == 1, "only BAD-NET goes on");
    SQ_CHECK(sq_tracking_escalations(tr, 0, 30, NULL, &e) == SQ_EINVAL,
             "after 0");
}

static void
run(void)
{
    report("abuse@bad.example", "AS64500 BAD-NET", "192.0.2.1", 1, "sent", D0,
           NULL);
    report("abuse@bad.example", "AS64500 BAD-NET", "192.0.2.1", 1, "sent",
           D0 + 2 * DAY, NULL);
    report("abuse@bad.example", "AS64500 BAD-NET", "192.0.2.2", 0, "sent",
           D0 + 4 * DAY, NULL);
    report("abuse@bad.example", "AS64500 BAD-NET", "192.0.2.2", 0, "sent",
           D0 + 6 * DAY, NULL);
    report("abuse@good.example", "AS64501 GOOD-NET", "198.51.100.1", 1,
           "acknowledged", D0 + DAY, "T-1");
    report("abuse@good.example", "AS64501 GOOD-NET", "198.51.100.1", 1, "sent",
           D0 + 5 * DAY, NULL);
    report("abuse@gone.example", "AS64502 DEAD-NET", "198.51.100.77", 1,
           "bounced", D0 + DAY, NULL);
    report("abuse@stop.example", "AS64503 STOPPED", "203.0.113.5", 1, "sent",
           D0, NULL);
    report("abuse@stop.example", "AS64503 STOPPED", "203.0.113.5", 1, "sent",
           D0 + 2 * DAY, NULL);
    SQ_CHECK(sq_tracking_mark_dead(tr, "abuse@gone.example", "5.1.1", 7,
                                   NULL) == SQ_OK,
             "dead");
    sightings();
    stats();
    escalation();
}

int
main(void)
{
    char dir[] = "/tmp/tracking_stats.XXXXXX", f[160];
    static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};

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
    for (size_t i = 0; i < 3; i++) {
        snprintf(f, sizeof(f), "%s/%s", dir, files[i]);
        unlink(f);
    }
    rmdir(dir);
    return sqtest_finish("tracking_stats_test");
}

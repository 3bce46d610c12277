/*
 * tracking_reply_test.c - the reply classifier on the messages of
 * tests/data/tracking (a real OpenSMTPD bounce and hand-written DSNs,
 * text bounces and auto-replies: see its README.md), the ARF corpus
 * (feedback reports must never count as bounces or acknowledgements)
 * and the ticket patterns.
 */
#include "sqtest.h"

#include <squeaky/tracking.h>

#include <dirent.h>
#include <string.h>

static const struct reply_case {
    const char *file;
    sq_reply_kind kind;
    int dsn;
    const char *status, *ticket, *failed;
    const char *msgid;   /* a Message-ID the reply must quote, or NULL */
    const char *address; /* an address it must offer, or NULL */
    const char *reason;  /* a substring of the reason, or NULL */
} cases[] = {
    {"opensmtpd-bounce.eml", SQ_REPLY_BOUNCE, 1, "5.1.1", "", "gone@dead.test",
     "squeaky.vx6mudbwux52czzofq6i@squeaky.test",
     "bounces+vx6mudbwux52czzofq6i@squeaky.test", "no such abuse desk"},
    {"opensmtpd-delay.eml", SQ_REPLY_DELAY, 1, "4.0.0", "", "desk@slow.test",
     "squeaky.ejtprdumjwujtu6tp3ke@squeaky.test",
     "bounces+ejtprdumjwujtu6tp3ke@squeaky.test", "Network error"},
    {"rfc3464-failed.eml", SQ_REPLY_BOUNCE, 1, "5.1.1", "",
     "abuse@dead.example", "report-1@squeaky.test",
     "bounces+aaaaaaaaaaaaaaaaaaaa@squeaky.test", "User unknown"},
    {"postfix-delayed.eml", SQ_REPLY_DELAY, 1, "4.4.1", "",
     "abuse@slow.example", "report-2@squeaky.test",
     "bounces+bbbbbbbbbbbbbbbbbbbb@squeaky.test", "Connection refused"},
    {"exim-failed.eml", SQ_REPLY_BOUNCE, 0, "5.1.1", "", "abuse@gone.example",
     "report-3@squeaky.test", "reporter@squeaky.test", "User unknown"},
    {"qmail-failed.eml", SQ_REPLY_BOUNCE, 0, "5.1.1", "", "abuse@qmail.example",
     NULL, "bounces+cccccccccccccccccccc@squeaky.test", "no mailbox here"},
    {"exchange-ndr.eml", SQ_REPLY_BOUNCE, 0, "5.1.10", "", "abuse@exch.example",
     "report-5@squeaky.test", NULL, "RecipientNotFound"},
    {"gmail-delayed.eml", SQ_REPLY_DELAY, 0, "4.7.0", "", "abuse@delay.example",
     NULL, "bounces+dddddddddddddddddddd@squeaky.test", "Try again later"},
    {"autoreply-rt.eml", SQ_REPLY_AUTOREPLY, 0, "", "rt.example #12345", "",
     "report-9@squeaky.test", "abuse-replies@squeaky.test", NULL},
    {"autoreply-otrs.eml", SQ_REPLY_AUTOREPLY, 0, "", "Ticket#2026112610000123",
     "", NULL, "bounces+eeeeeeeeeeeeeeeeeeee@squeaky.test", NULL},
    {"autoreply-abuseio.eml", SQ_REPLY_AUTOREPLY, 0, "", "AbuseIO 8812", "",
     "report-6@squeaky.test", NULL, NULL},
    {"ooo.eml", SQ_REPLY_AUTOREPLY, 0, "", "", "", NULL,
     "bounces+ffffffffffffffffffff@squeaky.test", NULL},
    {"not-a-reply.eml", SQ_REPLY_OTHER, 0, "", "", "", NULL, NULL, NULL},
};

static int
has(const sq_reply *r, const char *want, int msgid)
{
    size_t n = msgid ? sq_reply_msgid_count(r) : sq_reply_address_count(r);

    for (size_t i = 0; i < n; i++) {
        const char *v = msgid ? sq_reply_msgid(r, i) : sq_reply_address(r, i);

        if (strcmp(v, want) == 0)
            return 1;
    }
    return 0;
}

static void
check_case(const struct reply_case *c)
{
    char path[512];
    size_t len = 0;
    char *msg;
    sq_reply *r = NULL;

    snprintf(path, sizeof(path), "%s/tracking/%s", SQ_TEST_DATA_DIR, c->file);
    msg = sqtest_slurp(path, &len);
    SQ_CHECK(msg != NULL, "%s: cannot read", path);
    if (msg == NULL)
        return;
    SQ_CHECK(sq_reply_parse(msg, len, &r) == SQ_OK, "%s: parse", c->file);
    if (r != NULL) {
        SQ_CHECK_STR(sq_reply_kind_name(sq_reply_kind_of(r)),
                     sq_reply_kind_name(c->kind), "%s: kind", c->file);
        SQ_CHECK(sq_reply_is_dsn(r) == c->dsn, "%s: dsn", c->file);
        SQ_CHECK_STR(sq_reply_status(r), c->status, "%s: status", c->file);
        SQ_CHECK_STR(sq_reply_ticket(r), c->ticket, "%s: ticket", c->file);
        SQ_CHECK_STR(sq_reply_failed_address(r), c->failed, "%s: failed",
                     c->file);
        if (c->msgid != NULL)
            SQ_CHECK(has(r, c->msgid, 1), "%s: Message-ID %s", c->file,
                     c->msgid);
        if (c->address != NULL)
            SQ_CHECK(has(r, c->address, 0), "%s: address %s", c->file,
                     c->address);
        if (c->reason != NULL)
            SQ_CHECK(strstr(sq_reply_reason(r), c->reason) != NULL,
                     "%s: reason \"%s\" lacks \"%s\"", c->file,
                     sq_reply_reason(r), c->reason);
    }
    sq_reply_free(r);
    free(msg);
}

/* The DSN's recipient fields, one by one. */
static void
check_dsn_fields(void)
{
    char path[512];
    size_t len = 0;
    char *msg;
    sq_reply *r = NULL;

    snprintf(path, sizeof(path), "%s/tracking/rfc3464-failed.eml",
             SQ_TEST_DATA_DIR);
    if ((msg = sqtest_slurp(path, &len)) == NULL ||
        sq_reply_parse(msg, len, &r) != SQ_OK) {
        SQ_CHECK(0, "rfc3464-failed.eml");
        free(msg);
        return;
    }
    SQ_CHECK(sq_reply_rcpt_count(r) == 1, "one recipient block, got %zu",
             sq_reply_rcpt_count(r));
    SQ_CHECK_STR(sq_reply_rcpt_final(r, 0), "abuse@dead.example", "final");
    SQ_CHECK_STR(sq_reply_rcpt_original(r, 0), "abuse@dead.example",
                 "original");
    SQ_CHECK_STR(sq_reply_rcpt_action(r, 0), "failed", "action");
    SQ_CHECK_STR(sq_reply_rcpt_status(r, 0), "5.1.1", "status");
    SQ_CHECK_STR(sq_reply_rcpt_diagnostic(r, 0),
                 "550 5.1.1 <abuse@dead.example>... User unknown",
                 "diagnostic unfolded, type stripped");
    SQ_CHECK_STR(sq_reply_message_id(r), "dsn-1@mx1.dead.example", "own id");
    SQ_CHECK(sq_reply_rcpt_final(r, 1) == NULL, "out of range");
    sq_reply_free(r);
    free(msg);
}

/* Every ARF / feedback message of the corpus: never a bounce or an
 * acknowledgement (they are complaints about mail, not replies). */
static int
check_arf_dir(const char *rel)
{
    char dir[512], path[1024];
    DIR *dp;
    struct dirent *e;
    int n = 0;

    snprintf(dir, sizeof(dir), "%s/%s", SQ_CORPORA_DIR, rel);
    if ((dp = opendir(dir)) == NULL)
        return 0;
    while ((e = readdir(dp)) != NULL) {
        size_t len = 0;
        char *msg;
        sq_reply *r = NULL;
        sq_reply_kind k;

        if (strstr(e->d_name, ".eml") == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if ((msg = sqtest_slurp(path, &len)) == NULL)
            continue;
        SQ_CHECK(sq_reply_parse(msg, len, &r) == SQ_OK, "%s", path);
        k = r != NULL ? sq_reply_kind_of(r) : SQ_REPLY_OTHER;
        SQ_CHECK(k == SQ_REPLY_OTHER || k == SQ_REPLY_FEEDBACK,
                 "%s: classified %s", path, sq_reply_kind_name(k));
        n++;
        sq_reply_free(r);
        free(msg);
    }
    closedir(dp);
    return n;
}

static void
check_arf(void)
{
    static const char *const dirs[] = {
        "arf/sisimai-set-of-emails/bsd",    "arf/sisimai-set-of-emails/dos",
        "arf/sisimai-set-of-emails/mac",    "arf/rfc5965",
        "arf/mail-abuse/spamcop",           "arf/mail-abuse/mynetwatchman",
        "arf/mail-abuse/received-in-report"};
    char path[512];
    size_t len = 0;
    char *msg;
    sq_reply *r = NULL;
    int n = 0;

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        n += check_arf_dir(dirs[i]);
    SQ_CHECK(n == 0 || n >= 36, "ARF corpus: %d messages read", n);
    /* an RFC 5965 report is recognised as feedback, not just ignored */
    if (sqtest_corpus("arf/rfc5965/rfc5965-appendix-b2-example.eml", path,
                      sizeof(path)) != NULL &&
        (msg = sqtest_slurp(path, &len)) != NULL) {
        SQ_CHECK(sq_reply_parse(msg, len, &r) == SQ_OK, "rfc5965");
        SQ_CHECK(r != NULL && sq_reply_kind_of(r) == SQ_REPLY_FEEDBACK,
                 "rfc5965 example is feedback");
        sq_reply_free(r);
        free(msg);
    }
}

static const struct ticket_case {
    const char *subject, *want; /* want NULL: no ticket */
} tickets[] = {
    {"[Ticket#12345] Re: spam", "Ticket#12345"},
    {"Re: [RT #123] spam from 192.0.2.1", "RT #123"},
    {"[abuse.example.net #4711] AutoReply: [abuse] spam",
     "abuse.example.net #4711"},
    {"Case 123456: your report", "Case 123456"},
    {"Your report (case #98765) was received", "case #98765"},
    {"Re: #ABUSE-1234 spam", "ABUSE-1234"},
    {"[AbuseIO 42] Notification", "AbuseIO 42"},
    {"[AbuseIO #42] Notification", "AbuseIO #42"},
    {"Ticket ID: A-77 opened", "Ticket ID: A-77"},
    {"Incident 2026-0042 created", "Incident 2026-0042"},
    {"Ref: 55231", "Ref: 55231"},
    {"Request #20261127 received", "Request #20261127"},
    {"Re: #123456", "123456"},
    {"[abuse] spam from 192.0.2.1 (2026-11-27)", NULL},
    {"Case of the missing spam", NULL},
    {"Incident 192.0.2.1", NULL},
    {"Your case 1 of 3", NULL},
    {"issue #12", NULL},
    {"[#] empty", NULL},
    {"Preference 1234", NULL},
    {"", NULL},
};

static void
check_tickets(void)
{
    char buf[SQ_TICKET_MAX + 1];

    for (size_t i = 0; i < sizeof(tickets) / sizeof(tickets[0]); i++) {
        const struct ticket_case *t = &tickets[i];
        int got = sq_tracking_ticket(t->subject, strlen(t->subject), buf,
                                     sizeof(buf));

        if (t->want == NULL)
            SQ_CHECK(!got, "\"%s\": no ticket, got \"%s\"", t->subject, buf);
        else {
            SQ_CHECK(got, "\"%s\": ticket expected", t->subject);
            if (got)
                SQ_CHECK_STR(buf, t->want, "\"%s\"", t->subject);
        }
    }
    /* a buffer too small for the ticket: no ticket, no overflow */
    SQ_CHECK(!sq_tracking_ticket("[Ticket#12345]", 14, buf, 5), "small buf");
}

int
main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
    check_dsn_fields();
    check_arf();
    check_tickets();
    return sqtest_finish("tracking_reply_test");
}

/*
 * outbox_test.c - the outbox against SQLite in a temporary directory:
 * enqueue checks and de-duplication, the state machine (cancel, retry,
 * confirm, mark by VERP tag and Message-ID), crash recovery of claims,
 * VERP addresses, the header edits and CRLF of the wire form, SMTP reply
 * parsing, and whole send runs through a fake sendmail (a shell script
 * that files each mail and its argv): rate limit, digests, backoff,
 * give-up, exit codes.
 *
 * The clock is set with sq_outbox_set_now(), so every time rule is
 * checked at exact boundaries.  With SQ_TEST_STORE set to another store
 * URI (tests/it/store_pg.sh: PostgreSQL) every test runs on that store.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sqtest.h"

#include "outbox/outbox_int.h"

#include <squeaky/outbox.h>
#include <squeaky/store.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static const char EV1[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void
evidence(int i, char out[65])
{
    snprintf(out, 65, "%064x", i + 1);
}

static const char MSG[] = "From: reporter@example.org\n"
                          "To: abuse@example.net\n"
                          "Subject: spam from 192.0.2.1\n"
                          "\n"
                          "line one\n"
                          ".leading dot\n"
                          "last line without newline";

/* A fresh outbox: an SQLite file per test, or with SQ_TEST_STORE set
 * (tests/it/store_pg.sh: PostgreSQL) that store with the outbox's
 * tables dropped first. */
static sq_outbox *
open_outbox(const char *name, sq_store **st)
{
    static const char *const drops[] = {
        "DROP TABLE IF EXISTS outbox_report",
        "DROP TABLE IF EXISTS outbox_send",
        "DELETE FROM sq_schema WHERE module = 'outbox'"};
    const char *uri = getenv("SQ_TEST_STORE");
    char path[512];
    sq_outbox *ob = NULL;

    if (uri != NULL && uri[0])
        snprintf(path, sizeof(path), "%s", uri);
    else
        snprintf(path, sizeof(path), "sqlite:%s/%s", tmpdir, name);
    if (sq_store_open(path, NULL, st) != SQ_OK)
        return NULL;
    for (size_t i = 0; uri != NULL && uri[0] && i < 3; i++)
        (void)sq_store_exec(*st, drops[i], NULL, 0, NULL, NULL, NULL);
    if (sq_outbox_open(*st, NULL, &ob) != SQ_OK)
        return NULL;
    sq_outbox_set_now(ob, 1000000);
    return ob;
}

static sq_outbox_state
state_of(sq_outbox *ob, long long id)
{
    sq_outbox_item *it = NULL;
    sq_outbox_state s = SQ_OB_STATE_MAX;

    if (sq_outbox_get(ob, id, NULL, &it) == SQ_OK)
        s = sq_outbox_item_state(it);
    sq_outbox_item_free(it);
    return s;
}

static void
test_enqueue(void)
{
    sq_store *st = NULL;
    sq_outbox *ob = open_outbox("enq.db", &st);
    sq_diag *d = sq_diag_new();
    sq_outbox_item *it = NULL;
    long long id = 0, id2 = 0;
    int added = -1;
    size_t len;

    SQ_CHECK(ob != NULL, "open");
    SQ_CHECK(sq_outbox_enqueue(ob, EV1, "Abuse@Example.NET", "arf", "AS64500",
                               MSG, sizeof(MSG) - 1, d, &id, &added) == SQ_OK &&
                 added == 1 && id == 1,
             "first enqueue: id %lld added %d", id, added);
    /* Same evidence, same desk (domain case folded; hash case folded). */
    SQ_CHECK(sq_outbox_enqueue(ob,
                               "0123456789ABCDEF0123456789abcdef0123456789abc"
                               "def0123456789abcdef",
                               "Abuse@example.net", "xarf", NULL, MSG,
                               sizeof(MSG) - 1, d, &id2, &added) == SQ_OK &&
                 added == 0 && id2 == 1,
             "duplicate: id %lld added %d", id2, added);
    /* Same evidence, another desk: a new report. */
    SQ_CHECK(sq_outbox_enqueue(ob, EV1, "abuse@upstream.example", "arf", NULL,
                               MSG, sizeof(MSG) - 1, d, &id2,
                               &added) == SQ_OK &&
                 added == 1 && id2 == 2,
             "other desk: id %lld", id2);
    SQ_CHECK(sq_outbox_enqueue(ob, "abc", "a@b.c", "arf", NULL, MSG, 3, d, &id2,
                               &added) == SQ_EINVAL,
             "short hash");
    SQ_CHECK(sq_outbox_enqueue(ob, EV1, "no-at-sign", "arf", NULL, MSG, 3, d,
                               &id2, &added) == SQ_EINVAL,
             "bad address");
    SQ_CHECK(sq_outbox_enqueue(ob, EV1, "a@b.c\r\nBcc: x@y.z", "arf", NULL, MSG,
                               3, d, &id2, &added) == SQ_EINVAL,
             "CRLF in address");
    SQ_CHECK(sq_outbox_enqueue(ob, EV1, "x@y.example", "arf", NULL, "a\0b", 3,
                               d, &id2, &added) == SQ_EBINARY,
             "NUL in message");
    SQ_CHECK(sq_outbox_enqueue(ob, EV1, "x@y.example", "arf", NULL, "\xc3\x28",
                               2, d, &id2, &added) == SQ_EBINARY,
             "invalid UTF-8");
    SQ_CHECK(sq_outbox_get(ob, 1, d, &it) == SQ_OK, "get");
    if (it != NULL) {
        SQ_CHECK_STR(sq_outbox_item_dest(it), "Abuse@example.net", "dest");
        SQ_CHECK_STR(sq_outbox_item_evidence(it), EV1, "evidence");
        SQ_CHECK_STR(sq_outbox_item_network(it), "AS64500", "network");
        SQ_CHECK(sq_outbox_item_state(it) == SQ_OB_QUEUED, "queued");
        SQ_CHECK(strlen(sq_outbox_item_verp_tag(it)) == OB_TAG_LEN, "tag");
        SQ_CHECK(sq_outbox_item_created(it) == 1000000, "created");
        SQ_CHECK(sq_outbox_item_message(it, &len) != NULL &&
                     len == sizeof(MSG) - 1 &&
                     memcmp(sq_outbox_item_message(it, NULL), MSG, len) == 0,
                 "message bytes kept");
        SQ_CHECK_STR(sq_outbox_item_message_id(it), "", "no Message-ID yet");
    }
    sq_outbox_item_free(it);
    SQ_CHECK(sq_outbox_get(ob, 99, d, &it) == SQ_ENOTFOUND, "missing id");
    sq_diag_free(d);
    sq_outbox_free(ob);
    sq_store_close(st);
}

static void
test_states(void)
{
    sq_store *st = NULL;
    sq_outbox *ob = open_outbox("states.db", &st);
    sq_diag *d = sq_diag_new();
    sq_outbox_list *l = NULL;
    char ev[65];
    long long id[4], counts[SQ_OB_STATE_MAX];
    int added;
    size_t n = 0;
    sq_value p[1];

    for (int i = 0; i < 4; i++) {
        evidence(i, ev);
        (void)sq_outbox_enqueue(ob, ev, "abuse@example.net", "arf", NULL,
                                "Message-ID: <m1@x.example>\n\nb\n", 29, d,
                                &id[i], &added);
    }
    SQ_CHECK(sq_outbox_cancel(ob, id[0], d) == SQ_OK &&
                 state_of(ob, id[0]) == SQ_OB_CANCELLED,
             "queued -> cancelled");
    SQ_CHECK(sq_outbox_cancel(ob, id[0], d) == SQ_EINVAL, "cancel twice");
    SQ_CHECK(sq_outbox_retry(ob, id[1], d) == SQ_EINVAL, "retry queued");
    SQ_CHECK(sq_outbox_cancel(ob, 77, d) == SQ_ENOTFOUND, "cancel missing");
    /* Pretend id[1] was sent, id[2] held. */
    p[0] = SQ_VINT(id[1]);
    (void)sq_store_exec(st,
                        "UPDATE outbox_report SET state = 'sent',"
                        " wire_tag = 'digesttag' WHERE id = $1",
                        p, 1, NULL, NULL, d);
    p[0] = SQ_VINT(id[2]);
    (void)sq_store_exec(st,
                        "UPDATE outbox_report SET state = 'held' WHERE id"
                        " = $1",
                        p, 1, NULL, NULL, d);
    SQ_CHECK(sq_outbox_mark(ob, "digesttag", SQ_OB_BOUNCED, NULL, "550 gone", d,
                            &n) == SQ_OK &&
                 n == 1 && state_of(ob, id[1]) == SQ_OB_BOUNCED,
             "mark by wire tag: n %zu", n);
    SQ_CHECK(sq_outbox_mark(ob, "<m1@x.example>", SQ_OB_ACKNOWLEDGED, "T-123",
                            NULL, d, &n) == SQ_OK &&
                 n == 2,
             "mark by Message-ID: sent/bounced/held ones (n %zu)", n);
    SQ_CHECK(state_of(ob, id[3]) == SQ_OB_QUEUED, "queued one not marked");
    SQ_CHECK(sq_outbox_mark(ob, "nothing", SQ_OB_BOUNCED, NULL, NULL, d, &n) ==
                 SQ_ENOTFOUND,
             "mark unknown key");
    SQ_CHECK(sq_outbox_mark(ob, "x", SQ_OB_SENT, NULL, NULL, d, &n) ==
                 SQ_EINVAL,
             "mark sent refused");
    {
        sq_outbox_item *it = NULL;
        (void)sq_outbox_get(ob, id[1], d, &it);
        SQ_CHECK(it && strcmp(sq_outbox_item_ticket(it), "T-123") == 0 &&
                     strcmp(sq_outbox_item_last_error(it), "550 gone") == 0,
                 "ticket and reason kept");
        sq_outbox_item_free(it);
    }
    p[0] = SQ_VINT(id[2]);
    (void)sq_store_exec(st,
                        "UPDATE outbox_report SET state = 'held' WHERE id"
                        " = $1",
                        p, 1, NULL, NULL, d);
    SQ_CHECK(sq_outbox_confirm_sent(ob, id[2], d) == SQ_OK &&
                 state_of(ob, id[2]) == SQ_OB_SENT,
             "held -> sent");
    SQ_CHECK(sq_outbox_confirm_sent(ob, id[3], d) == SQ_EINVAL,
             "confirm queued");
    SQ_CHECK(sq_outbox_list_new(ob, SQ_OB_QUEUED, d, &l) == SQ_OK &&
                 sq_outbox_list_count(l) == 1 &&
                 sq_outbox_item_id(sq_outbox_list_item(l, 0)) == id[3] &&
                 sq_outbox_item_message(sq_outbox_list_item(l, 0), NULL) ==
                     NULL,
             "list queued");
    sq_outbox_list_free(l);
    SQ_CHECK(sq_outbox_list_new(ob, -1, d, &l) == SQ_OK &&
                 sq_outbox_list_count(l) == 4 &&
                 sq_outbox_list_item(l, 4) == NULL,
             "list all");
    sq_outbox_list_free(l);
    SQ_CHECK(sq_outbox_counts(ob, counts, d) == SQ_OK &&
                 counts[SQ_OB_QUEUED] == 1 && counts[SQ_OB_CANCELLED] == 1 &&
                 counts[SQ_OB_SENT] == 1 && counts[SQ_OB_ACKNOWLEDGED] == 1,
             "counts");
    sq_diag_free(d);
    sq_outbox_free(ob);
    sq_store_close(st);
}

/* Claims left by a dead run: phase 1 back to queued, phase 2 held; a
 * live claimant's rows are left alone until stale. */
static void
test_recover(void)
{
    sq_store *st = NULL;
    sq_outbox *ob = open_outbox("recover.db", &st);
    sq_diag *d = sq_diag_new();
    char ev[65], host[256] = "";
    long long id[4];
    int added;
    size_t n = 0;
    sq_value p[4];

    (void)gethostname(host, sizeof(host) - 1);
    for (int i = 0; i < 4; i++) {
        evidence(i, ev);
        (void)sq_outbox_enqueue(ob, ev, "abuse@example.net", "arf", NULL, MSG,
                                sizeof(MSG) - 1, d, &id[i], &added);
    }
    /* id0: dead pid, phase 1; id1: dead pid, phase 2; id2: live pid (our
     * parent), phase 2; id3: other host, recent. */
    for (int i = 0; i < 4; i++) {
        p[0] = SQ_VINT(i == 0 ? 1 : 2);
        p[1] = SQ_VTEXT(i == 3 ? "elsewhere.example" : host);
        p[2] = SQ_VINT(i == 2 ? (long long)getppid() : 999999999LL);
        p[3] = SQ_VINT(id[i]);
        (void)sq_store_exec(st,
                            "UPDATE outbox_report SET state = 'sending',"
                            " phase = $1, claim_host = $2, claim_pid = $3,"
                            " claim_at = 1000000 WHERE id = $4",
                            p, 4, NULL, NULL, d);
    }
    SQ_CHECK(sq_outbox_recover(ob, 3600, d, &n) == SQ_OK && n == 2,
             "recovered %zu", n);
    SQ_CHECK(state_of(ob, id[0]) == SQ_OB_QUEUED, "claimed only -> queued");
    SQ_CHECK(state_of(ob, id[1]) == SQ_OB_HELD, "data phase -> held");
    SQ_CHECK(state_of(ob, id[2]) == SQ_OB_SENDING, "live claimant kept");
    SQ_CHECK(state_of(ob, id[3]) == SQ_OB_SENDING, "other host kept");
    sq_outbox_set_now(ob, 1000000 + 3601);
    SQ_CHECK(sq_outbox_recover(ob, 3600, d, &n) == SQ_OK && n == 2 &&
                 state_of(ob, id[3]) == SQ_OB_HELD,
             "stale claims recovered (%zu)", n);
    SQ_CHECK(sq_outbox_retry(ob, id[1], d) == SQ_OK &&
                 state_of(ob, id[1]) == SQ_OB_QUEUED,
             "held -> queued by retry");
    sq_diag_free(d);
    sq_outbox_free(ob);
    sq_store_close(st);
}

static void
test_verp(void)
{
    char buf[300];

    SQ_CHECK(sq_outbox_verp_address("bounces+{tag}@example.org", "abc234", buf,
                                    sizeof(buf)) == SQ_OK &&
                 strcmp(buf, "bounces+abc234@example.org") == 0,
             "address %s", buf);
    SQ_CHECK(sq_outbox_verp_address("plain@example.org", "abc", buf,
                                    sizeof(buf)) == SQ_OK &&
                 strcmp(buf, "plain@example.org") == 0,
             "no {tag}");
    SQ_CHECK(sq_outbox_verp_address("{tag}{tag}@x.org", "a", buf,
                                    sizeof(buf)) == SQ_EINVAL,
             "two tags");
    SQ_CHECK(sq_outbox_verp_address("b+{tag}@x.org", "abc", buf, 8) ==
                 SQ_EINVAL,
             "small buffer");
    SQ_CHECK(sq_outbox_verp_address("bad {tag}@x.org", "a", buf, sizeof(buf)) ==
                 SQ_EINVAL,
             "space in template");
    SQ_CHECK(sq_outbox_verp_decode("bounces+{tag}@example.org",
                                   "<Bounces+ABC234@Example.ORG>", 28, buf,
                                   sizeof(buf)) == SQ_OK &&
                 strcmp(buf, "abc234") == 0,
             "decode folds case: %s", buf);
    SQ_CHECK(sq_outbox_verp_decode("bounces+{tag}@example.org",
                                   "bounces+@example.org", 20, buf,
                                   sizeof(buf)) == SQ_ENOTFOUND,
             "empty tag");
    SQ_CHECK(sq_outbox_verp_decode("bounces+{tag}@example.org",
                                   "other+abc@example.org", 21, buf,
                                   sizeof(buf)) == SQ_ENOTFOUND,
             "other prefix");
    SQ_CHECK(sq_outbox_verp_decode("bounces+{tag}@example.org",
                                   "bounces+a.b@example.org", 23, buf,
                                   sizeof(buf)) == SQ_ENOTFOUND,
             "dot in tag");
}

static void
test_wire(void)
{
    static const char in[] = "From: old@example.org\r\n"
                             "Reply-To: old@example.org,\n"
                             "  folded@example.org\n"
                             "Subject: s\n"
                             "\n"
                             "body\r\n"
                             "From: not a header\n"
                             "end";
    ob_edit e = {"New <new@example.org>", "r@example.org", "abuse@x.example",
                 "id1@example.org", "Thu, 01 Jan 1970 00:00:00 +0000"};
    ob_buf out = {NULL, 0, 0};
    char mid[300];

    SQ_CHECK(ob_wire_message(in, sizeof(in) - 1, &e, 1, &out) == SQ_OK, "wire");
    SQ_CHECK_STR(out.p,
                 "From: New <new@example.org>\r\n"
                 "Reply-To: r@example.org\r\n"
                 "To: abuse@x.example\r\n"
                 "Message-ID: <id1@example.org>\r\n"
                 "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
                 "Subject: s\r\n"
                 "\r\n"
                 "body\r\n"
                 "From: not a header\r\n"
                 "end\r\n",
                 "edited, CRLF");
    out.len = 0;
    {
        ob_edit none = {NULL, NULL, NULL, "x@y", NULL};
        static const char hasid[] = "Message-ID:\n <keep@example.org>\n\nb";
        SQ_CHECK(ob_wire_message(hasid, sizeof(hasid) - 1, &none, 0, &out) ==
                         SQ_OK &&
                     strcmp(out.p, "Message-ID:\n <keep@example.org>\n\nb\n") ==
                         0,
                 "existing Message-ID kept, LF: %s", out.p);
        SQ_CHECK(
            ob_find_message_id(hasid, sizeof(hasid) - 1, mid, sizeof(mid)) &&
                strcmp(mid, "keep@example.org") == 0,
            "folded Message-ID found");
    }
    SQ_CHECK(!ob_find_message_id("Subject: x\n\nMessage-ID: <a@b>\n", 31, mid,
                                 sizeof(mid)),
             "Message-ID in the body is not one");
    ob_buf_free(&out);
}

static void
test_reply(void)
{
    char text[128];
    int code;
    static const char multi[] = "250-first\r\n250 ok\r\n"
                                "550-5.1.1 no such\r\n550 5.1.1 desk\r\n";

    ob_reply_last(multi, sizeof(multi) - 1, 0, &code, text, sizeof(text));
    SQ_CHECK(code == 550 && strcmp(text, "550 5.1.1 no such 5.1.1 desk") == 0,
             "multi-line: %d %s", code, text);
    ob_reply_last("451 4.7.1 later\r\n354 go", 23, 0, &code, text,
                  sizeof(text));
    SQ_CHECK(code == 451, "incomplete last line ignored: %d", code);
    ob_reply_last("550 5.1.1 gone\r\n221 2.0.0 Bye\r\n", 31, 550, &code, text,
                  sizeof(text));
    SQ_CHECK(code == 550 && strcmp(text, "550 5.1.1 gone") == 0,
             "the failed command's reply, not QUIT's: %s", text);
    ob_reply_last("garbage\n", 8, 0, &code, text, sizeof(text));
    SQ_CHECK(code == 0 && text[0] == '\0', "no reply");
    ob_reply_last("550 \x1b[31mred\r\n", 14, 0, &code, text, 10);
    SQ_CHECK(code == 550 && strcmp(text, "550 ?[31m") == 0,
             "escaped, truncated: %s", text);
}

/* ---- send runs through a fake sendmail ---- */

static char outdir[300], sendmail[300];

static void
fake_sendmail(int exit_code)
{
    char path[400];
    FILE *f;

    snprintf(path, sizeof(path), "%s/exit", tmpdir);
    f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "%d\n", exit_code);
        fclose(f);
    }
}

static int
mails_in_outdir(void)
{
    DIR *dir = opendir(outdir);
    struct dirent *e;
    int n = 0;

    while (dir && (e = readdir(dir)) != NULL)
        n += strncmp(e->d_name, "mail.", 5) == 0;
    if (dir)
        closedir(dir);
    return n;
}

static sq_sender *
pipe_sender(const char *const *kv)
{
    sq_sender_opts *o = NULL;
    sq_sender *s = NULL;
    sq_diag *d = sq_diag_new();

    (void)sq_sender_opts_new(&o);
    (void)sq_sender_opts_set(o, "send_transport", "sendmail", d);
    (void)sq_sender_opts_set(o, "sendmail_command", sendmail, d);
    (void)sq_sender_opts_set(o, "envelope_sender", "bounces+{tag}@sq.example",
                             d);
    (void)sq_sender_opts_set(o, "report_from", "Reporter <r@sq.example>", d);
    for (size_t i = 0; kv && kv[i]; i += 2)
        SQ_CHECK(sq_sender_opts_set(o, kv[i], kv[i + 1], d) == SQ_OK, "set %s",
                 kv[i]);
    SQ_CHECK(sq_sender_new(o, d, &s) == SQ_OK, "sender: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : "");
    sq_sender_opts_free(o);
    sq_diag_free(d);
    return s;
}

static void
enqueue_n(sq_outbox *ob, int from, int n, const char *dest)
{
    char ev[65];
    long long id;
    int added;

    for (int i = from; i < from + n; i++) {
        evidence(i, ev);
        SQ_CHECK(sq_outbox_enqueue(ob, ev, dest, "arf", NULL, MSG,
                                   sizeof(MSG) - 1, NULL, &id, &added) == SQ_OK,
                 "enqueue %d", i);
    }
}

static void
test_run_pipe(void)
{
    static const char *const rate[] = {"desk_rate_limit", "2",
                                       "desk_rate_interval", "3600", NULL};
    sq_store *st = NULL;
    sq_outbox *ob = open_outbox("run.db", &st);
    sq_sender *s = pipe_sender(rate);
    sq_diag *d = sq_diag_new();
    sq_send_stats ss;
    sq_outbox_item *it = NULL;
    char *mail;
    char path[400];
    size_t len = 0;

    fake_sendmail(0);
    enqueue_n(ob, 0, 3, "abuse@one.example");
    enqueue_n(ob, 3, 1, "abuse@two.example");
    SQ_CHECK(sq_sender_run(s, ob, 0, &ss, d) == SQ_OK, "run");
    SQ_CHECK(ss.sent == 3 && ss.mails == 3 && ss.waiting == 1 &&
                 ss.rate_limited == 1,
             "rate 2/h: sent %lu waiting %lu limited %lu", ss.sent, ss.waiting,
             ss.rate_limited);
    SQ_CHECK(mails_in_outdir() == 3, "3 mails piped");
    /* The piped mail: LF line ends, edits, argv. */
    (void)sq_outbox_get(ob, 1, d, &it);
    snprintf(path, sizeof(path), "%s/mail.1", outdir);
    mail = sqtest_slurp(path, &len);
    SQ_CHECK(mail != NULL && strstr(mail, "\r") == NULL &&
                 strncmp(mail, "From: Reporter <r@sq.example>\n", 30) == 0 &&
                 strstr(mail, "\n\nline one\n.leading dot\nlast line without "
                              "newline\n") != NULL,
             "piped message: %s", mail ? mail : "(none)");
    if (it != NULL && mail != NULL) {
        char want[200];
        snprintf(want, sizeof(want), "Message-ID: <squeaky.%s@sq.example>\n",
                 sq_outbox_item_verp_tag(it));
        SQ_CHECK(strstr(mail, want) != NULL, "generated Message-ID");
        SQ_CHECK(sq_outbox_item_state(it) == SQ_OB_SENT &&
                     sq_outbox_item_sent(it) == 1000000 &&
                     sq_outbox_item_attempts(it) == 1,
                 "sent row");
    }
    free(mail);
    snprintf(path, sizeof(path), "%s/args.1", outdir);
    mail = sqtest_slurp(path, &len);
    if (it != NULL) {
        char want[200];
        snprintf(want, sizeof(want),
                 "-i\n-f\nbounces+%s@sq.example\n--\nabuse@one.example\n",
                 sq_outbox_item_verp_tag(it));
        SQ_CHECK_STR(mail, want, "sendmail argv");
    }
    free(mail);
    sq_outbox_item_free(it);
    /* An hour later the limit lets the third one go. */
    sq_outbox_set_now(ob, 1000000 + 3601);
    SQ_CHECK(sq_sender_run(s, ob, 0, &ss, d) == SQ_OK && ss.sent == 1 &&
                 ss.waiting == 0,
             "after the interval: sent %lu", ss.sent);
    /* Temporary failure: deferred with backoff 300, 600; then give up. */
    fake_sendmail(75);
    enqueue_n(ob, 10, 1, "abuse@three.example");
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.deferred == 1, "EX_TEMPFAIL deferred");
    (void)sq_outbox_get(ob, 5, d, &it);
    SQ_CHECK(it && sq_outbox_item_state(it) == SQ_OB_DEFERRED &&
                 sq_outbox_item_next_attempt(it) == 1000000 + 3601 + 300 &&
                 strstr(sq_outbox_item_last_error(it), "exited 75"),
             "deferred row: next %lld err %s",
             it ? sq_outbox_item_next_attempt(it) : 0,
             it ? sq_outbox_item_last_error(it) : "");
    sq_outbox_item_free(it);
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.mails == 0, "not due before next_attempt");
    sq_outbox_set_now(ob, 1000000 + 3601 + 300);
    (void)sq_sender_run(s, ob, 0, &ss, d);
    (void)sq_outbox_get(ob, 5, d, &it);
    SQ_CHECK(ss.deferred == 1 && it && sq_outbox_item_attempts(it) == 2 &&
                 sq_outbox_item_next_attempt(it) == 1000000 + 3601 + 900,
             "second backoff 600");
    sq_outbox_item_free(it);
    sq_outbox_set_now(ob, 1000000 + 6 * 86400);
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(state_of(ob, 5) == SQ_OB_FAILED, "gave up after retry_give_up");
    /* Permanent failure. */
    fake_sendmail(67);
    enqueue_n(ob, 20, 1, "abuse@four.example");
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.failed == 1 && state_of(ob, 6) == SQ_OB_FAILED,
             "EX_NOUSER failed");
    sq_diag_free(d);
    sq_sender_free(s);
    sq_outbox_free(ob);
    sq_store_close(st);
}

static void
test_digest(void)
{
    static const char *const dig[] = {"digest_interval",
                                      "3600",
                                      "digest_max_age",
                                      "7200",
                                      "digest_max_reports",
                                      "3",
                                      NULL};
    sq_store *st = NULL;
    sq_outbox *ob = open_outbox("digest.db", &st);
    sq_sender *s = pipe_sender(dig);
    sq_diag *d = sq_diag_new();
    sq_send_stats ss;
    char path[400], *mail;
    size_t len;
    int before = mails_in_outdir();

    fake_sendmail(0);
    enqueue_n(ob, 0, 4, "abuse@digest.example");
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.mails == 0 && ss.waiting == 4, "collecting: waiting %lu",
             ss.waiting);
    sq_outbox_set_now(ob, 1000000 + 3600);
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.mails == 2 && ss.sent == 4,
             "interval passed: %lu mails (3 + 1) for %lu reports", ss.mails,
             ss.sent);
    snprintf(path, sizeof(path), "%s/mail.%d", outdir, before + 1);
    mail = sqtest_slurp(path, &len);
    SQ_CHECK(mail && strstr(mail, "Content-Type: multipart/mixed;") &&
                 strstr(mail, "Subject: 3 abuse reports\n") &&
                 strstr(mail, "filename=\"report-3.eml\""),
             "digest mail");
    free(mail);
    /* A new report right after: the last mail is recent, so it waits until
     * max age even though it is the only one. */
    enqueue_n(ob, 10, 1, "abuse@digest.example");
    sq_outbox_set_now(ob, 1000000 + 3600 + 3600 - 1);
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.mails == 0, "one mail per interval");
    sq_outbox_set_now(ob, 1000000 + 3600 + 3600);
    (void)sq_sender_run(s, ob, 0, &ss, d);
    SQ_CHECK(ss.mails == 1, "next interval");
    enqueue_n(ob, 20, 2, "abuse@digest.example");
    (void)sq_sender_run(s, ob, SQ_SEND_FLUSH, &ss, d);
    SQ_CHECK(ss.mails == 1 && ss.sent == 2, "flush sends now");
    /* Two 13 MiB reports do not fit one 24 MiB digest: two mails. */
    {
        size_t big = 13u << 20;
        char *m = malloc(big), ev[65];
        long long id;
        int added;
        if (m != NULL) {
            memset(m, 'a', big);
            memcpy(m, "Subject: big\n\n", 14);
            for (size_t k = 100; k < big; k += 100)
                m[k] = '\n';
            for (int i = 0; i < 2; i++) {
                evidence(100 + i, ev);
                SQ_CHECK(sq_outbox_enqueue(ob, ev, "abuse@digest.example",
                                           "arf", NULL, m, big, d, &id,
                                           &added) == SQ_OK,
                         "big enqueue: %s",
                         sq_diag_count(d) ? sq_diag_message(d, 0) : "");
            }
            sq_diag_clear(d);
            SQ_CHECK(sq_sender_run(s, ob, SQ_SEND_FLUSH, &ss, d) == SQ_OK &&
                         ss.mails == 2 && ss.sent == 2,
                     "digest byte cap: %lu mails %s", ss.mails,
                     sq_diag_count(d) ? sq_diag_message(d, 0) : "");
        }
        free(m);
    }
    sq_diag_free(d);
    sq_sender_free(s);
    sq_outbox_free(ob);
    sq_store_close(st);
}

static void
test_opts(void)
{
    sq_sender_opts *o = NULL;
    sq_sender *s = NULL;
    sq_diag *d = sq_diag_new();

    (void)sq_sender_opts_new(&o);
    SQ_CHECK(sq_sender_opts_set(o, "bogus", "1", d) == SQ_EINVAL, "unknown");
    SQ_CHECK(sq_sender_opts_set(o, "desk_rate_limit", "-1", d) == SQ_EINVAL,
             "negative");
    SQ_CHECK(sq_sender_opts_set(o, "smtp_tls", "maybe", d) == SQ_EINVAL,
             "bad tls");
    SQ_CHECK(sq_sender_new(o, d, &s) == SQ_ECONFIG, "no envelope sender");
    (void)sq_sender_opts_set(o, "envelope_sender", "b+{tag}@x.example", d);
    SQ_CHECK(sq_sender_new(o, d, &s) == SQ_ECONFIG, "no smtp_url");
    (void)sq_sender_opts_set(o, "smtp_url", "smtp://127.0.0.1:25", d);
    (void)sq_sender_opts_set(o, "smtp_tls", "none", d);
    (void)sq_sender_opts_set(o, "smtp_user", "u", d);
    SQ_CHECK(sq_sender_new(o, d, &s) == SQ_ECONFIG,
             "password without TLS refused");
    (void)sq_sender_opts_set(o, "smtp_tls", "starttls", d);
    (void)sq_sender_opts_set(o, "report_from", "a\r\nBcc: x@y", d);
    SQ_CHECK(sq_sender_new(o, d, &s) == SQ_ECONFIG, "CRLF in From");
    (void)sq_sender_opts_set(o, "report_from", "a@x.example", d);
    SQ_CHECK(sq_sender_new(o, d, &s) == SQ_OK, "valid");
    sq_sender_free(s);
    sq_sender_opts_free(o);
    sq_diag_free(d);
}

static int
setup_fake(void)
{
    char path[400];
    FILE *f;

    snprintf(outdir, sizeof(outdir), "%s/out", tmpdir);
    snprintf(sendmail, sizeof(sendmail), "%s/sendmail", tmpdir);
    if (mkdir(outdir, 0700) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/sendmail", tmpdir);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fprintf(f,
            "#!/bin/sh\n"
            "n=$(ls '%s' | grep -c '^mail\\.')\n"
            "n=$((n + 1))\n"
            "cat > '%s/mail.tmp'\n"
            "printf '%%s\\n' \"$@\" > '%s/args.'$n\n"
            "mv '%s/mail.tmp' '%s/mail.'$n\n"
            "exit $(cat '%s/exit')\n",
            outdir, outdir, outdir, outdir, outdir, tmpdir);
    fclose(f);
    return chmod(path, 0700);
}

int
main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/outbox_test.XXXXXX");
    if (mkdtemp(tmpdir) == NULL || setup_fake() != 0) {
        perror("outbox_test: temporary directory");
        return 1;
    }
    test_enqueue();
    test_states();
    test_recover();
    test_verp();
    test_wire();
    test_reply();
    test_opts();
    test_run_pipe();
    test_digest();
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return sqtest_finish("outbox_test");
}

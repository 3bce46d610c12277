/*
 * learn_test.c - the trust learner (sq_trust_learner_*).
 *
 * 1. A synthetic mailbox written here, where the answer is known
 *    exactly: a 3-hop own chain (store <- mail <- mx) with the internal
 *    hop from two addresses of one /24, varying external senders, a few
 *    internal-only messages and one message without Received headers.
 *    The learned config is then fed back into sq_trace_run.
 * 2. A measurement on SpamAssassin's 90 test messages
 *    (tests/data/trust/spamassassin/messages): a collection of unrelated
 *    mailboxes, so little or nothing should be common; what is learned
 *    is printed, and it must at least be valid netset syntax.
 */
#include "sqtest.h"

#include <squeaky/config.h>
#include <squeaky/mail.h>
#include <squeaky/net.h>
#include <squeaky/trace.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DATE "; Mon, 1 Jan 2024 10:00:00 +0000\n"
#define NEXT 9 /* external messages */

static const char *const senders[NEXT][2] = {
    {"mail.alpha.example", "81.2.69.142"},
    {"out.beta.example", "45.33.32.156"},
    {"smtp.gamma.example", "93.184.216.34"},
    {"mx.delta.example", "151.101.1.69"},
    {"relay.eps.example", "104.16.132.229"},
    {"mta.zeta.example", "185.199.108.153"},
    {"mail.eta.example", "140.82.112.3"},
    {"o1.theta.example", "13.107.42.14"},
    {"smtp.iota.example", "17.253.144.10"},
};

static int
add_text(sq_trust_learner *l, const char *msg)
{
    sq_headers *h = NULL;
    sq_status st = sq_headers_parse(msg, strlen(msg), NULL, &h);

    if (st == SQ_OK)
        st = sq_trust_learner_add(l, h);
    sq_headers_free(h);
    return st == SQ_OK;
}

/* Message i of the synthetic mailbox into buf. */
static void
synthetic_message(size_t i, char *buf, size_t len)
{
    const char *inner = (i % 2) ? "10.0.0.3" : "10.0.0.2";

    if (i < NEXT) {
        snprintf(buf, len,
                 "Received: from mail.example.org (mail.example.org [%s]) "
                 "by store.example.org (Postfix) with ESMTP id S%zu" DATE
                 "Received: from mx.example.org (mx.example.org "
                 "[81.2.69.160]) by mail.example.org (Postfix) with ESMTP "
                 "id M%zu" DATE
                 "Received: from %s (%s [%s]) by mx.example.org (Postfix) "
                 "with ESMTP id X%zu" DATE
                 "Received: from pc%zu (pc%zu.lan [192.168.1.%zu]) by %s "
                 "(Postfix) with ESMTP id Y%zu" DATE
                 "Subject: external %zu\n\nbody\n",
                 inner, i, i, senders[i][0], senders[i][0], senders[i][1], i, i,
                 i, i + 10, senders[i][0], i, i);
    } else if (i < NEXT + 2) {
        snprintf(buf, len,
                 "Received: from mail.example.org (mail.example.org [%s]) "
                 "by store.example.org (Postfix) with ESMTP id S%zu" DATE
                 "Received: from laptop (laptop.example.org [10.0.5.%zu]) "
                 "by mail.example.org (Postfix) with ESMTPSA id M%zu" DATE
                 "Subject: internal %zu\n\nbody\n",
                 inner, i, i, i, i);
    } else {
        snprintf(buf, len, "Subject: no trace\nFrom: a@b.example\n\nx\n");
    }
}

/* The learned config fed back into the trace of message 0. */
static void
check_feedback(const char *nets, const char *hosts)
{
    const char *ip = NULL;
    sq_config *cfg = NULL;
    sq_trace_opts *o = NULL;
    sq_headers *h = NULL;
    sq_trace *t = NULL;
    sq_confidence c = SQ_CONF_NONE;
    char msg[4096];

    synthetic_message(0, msg, sizeof(msg));
    SQ_CHECK(sq_config_new(&cfg) == SQ_OK, "config");
    SQ_CHECK(sq_config_set(cfg, "trusted_networks", nets, NULL) == SQ_OK,
             "learned networks accepted by the config");
    SQ_CHECK(sq_config_set(cfg, "trusted_by_hosts", hosts, NULL) == SQ_OK,
             "learned hosts accepted by the config");
    if (sq_trace_opts_new(cfg, &o, NULL) == SQ_OK &&
        sq_headers_parse(msg, strlen(msg), cfg, &h) == SQ_OK &&
        sq_trace_run(o, h, &t) == SQ_OK) {
        SQ_CHECK(sq_trace_origin(t, &ip, NULL, &c, NULL) == 1, "origin");
        SQ_CHECK_STR(ip, senders[0][1], "origin with learned trust");
        SQ_CHECK_STR(sq_confidence_name(c), "high",
                     "learned boundary gives high confidence");
    } else {
        SQ_CHECK(0, "trace with learned config");
    }
    sq_trace_free(t);
    sq_headers_free(h);
    sq_trace_opts_free(o);
    sq_config_free(cfg);
}

static void
test_synthetic(void)
{
    sq_trust_learner *l = NULL;
    char msg[4096], nets[512], hosts[512], tiny[4];
    size_t total = NEXT + 3;

    SQ_CHECK(sq_trust_learner_new(&l) == SQ_OK, "new");
    synthetic_message(0, msg, sizeof(msg));
    SQ_CHECK(add_text(l, msg), "add first");
    SQ_CHECK(sq_trust_learner_result(l, nets, sizeof(nets), hosts,
                                     sizeof(hosts)) == SQ_ENOTFOUND,
             "one message teaches nothing");
    for (size_t i = 1; i < total; i++) {
        synthetic_message(i, msg, sizeof(msg));
        SQ_CHECK(add_text(l, msg), "add message %zu", i);
    }
    SQ_CHECK(sq_trust_learner_messages(l) == total, "message count %zu",
             sq_trust_learner_messages(l));
    SQ_CHECK(sq_trust_learner_result(l, nets, sizeof(nets), hosts,
                                     sizeof(hosts)) == SQ_OK,
             "result");
    printf("synthetic mailbox (%zu messages):\n  trusted_networks = %s\n"
           "  trusted_by_hosts = %s\n",
           total, nets, hosts);
    SQ_CHECK_STR(nets, "10.0.0.0/24 81.2.69.160", "learned networks");
    SQ_CHECK_STR(hosts, "store.example.org mail.example.org mx.example.org",
                 "learned hosts");
    SQ_CHECK(sq_trust_learner_result(l, tiny, sizeof(tiny), hosts,
                                     sizeof(hosts)) == SQ_EINVAL,
             "small buffer");
    check_feedback(nets, hosts);
    sq_trust_learner_free(l);
    sq_trust_learner_free(NULL);
}

/* Feed every regular file under dir (recursively); returns count. */
static size_t
feed_dir(sq_trust_learner *l, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (d == NULL || depth > 4)
        goto out;
    while ((e = readdir(d)) != NULL) {
        char path[2048];
        struct stat sb;
        FILE *f;
        char *buf;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            n += feed_dir(l, path, depth + 1);
            continue;
        }
        if (!S_ISREG(sb.st_mode) || (f = fopen(path, "rb")) == NULL)
            continue;
        buf = malloc((size_t)sb.st_size + 1);
        if (buf != NULL) {
            size_t len = fread(buf, 1, (size_t)sb.st_size, f);
            sq_headers *h = NULL;

            if (sq_headers_parse(buf, len, NULL, &h) == SQ_OK &&
                sq_trust_learner_add(l, h) == SQ_OK)
                n++;
            sq_headers_free(h);
        }
        free(buf);
        fclose(f);
    }
out:
    if (d != NULL)
        closedir(d);
    return n;
}

static void
test_corpus(const char *sub, size_t min)
{
    sq_trust_learner *l = NULL;
    char dir[1024], nets[4096], hosts[4096];
    sq_status st;
    size_t n;

    snprintf(dir, sizeof(dir), "%s/trust/spamassassin/messages%s",
             SQ_TEST_DATA_DIR, sub);
    SQ_CHECK(sq_trust_learner_new(&l) == SQ_OK, "new");
    n = feed_dir(l, dir, 0);
    SQ_CHECK(n >= min, "fed %zu SpamAssassin messages from %s", n, dir);
    st = sq_trust_learner_result(l, nets, sizeof(nets), hosts, sizeof(hosts));
    printf("SpamAssassin messages%s (%zu fed): %s\n", sub, n, sq_strerror(st));
    if (st == SQ_OK) {
        sq_netset *ns = NULL;

        printf("  trusted_networks = %s\n  trusted_by_hosts = %s\n", nets,
               hosts);
        SQ_CHECK(sq_netset_new(&ns) == SQ_OK &&
                     sq_netset_add(ns, nets, strlen(nets), NULL) == SQ_OK,
                 "learned networks are valid netset syntax");
        sq_netset_free(ns);
    } else {
        SQ_CHECK(st == SQ_ENOTFOUND, "corpus result %s", sq_strerror(st));
    }
    sq_trust_learner_free(l);
}

int
main(void)
{
    test_synthetic();
    test_corpus("", 80);
    test_corpus("/nice", 30);
    test_corpus("/spam", 30);
    return sqtest_finish("learn_test");
}

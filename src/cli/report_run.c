/*
 * report_run.c - the steps of `squeaky report` (see report_run.h): per
 * message trace -> plan -> one incident and report per desk -> preview,
 * file or outbox; at the end one send run.
 */
#include "report_run.h"

#include "report_plan.h"

#include <squeaky/mail.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_URL_HOSTS_DEFAULT = 10 };

static void
diag_print(sq_diag *d, const char *fallback)
{
    size_t n = d != NULL ? sq_diag_count(d) : 0;

    for (size_t i = 0; i < n; i++)
        cli_err(0, "%s", sq_diag_message(d, i));
    if (n == 0 && fallback != NULL)
        cli_err(0, "%s", fallback);
}

/* Add every item of a whitespace/comma separated list as a secret. */
static int
add_secrets(sq_redactor *red, const char *list, sq_secret_kind kind)
{
    char item[1024];
    size_t n = 0;

    for (const char *p = list;; p++) {
        if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',') {
            if (n + 1 < sizeof(item))
                item[n++] = *p;
            continue;
        }
        item[n] = '\0';
        if (n > 0 && sq_redactor_add(red, kind, item) != SQ_OK)
            return cli_err(0,
                           "redact: cannot use \"%s\" (at least 3 "
                           "characters)",
                           item),
                   0;
        n = 0;
        if (*p == '\0')
            return 1;
    }
}

static int
setup_secrets(struct report_run *r)
{
    static const struct {
        const char *key;
        sq_secret_kind kind;
    } lists[] = {{"redact_addresses", SQ_SECRET_ADDRESS},
                 {"redact_hosts", SQ_SECRET_HOST},
                 {"redact_ips", SQ_SECRET_IP},
                 {"redact_words", SQ_SECRET_WORD}};

    if (sq_redactor_new(&r->secrets) != SQ_OK)
        return 0;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (!add_secrets(r->secrets, sq_config_get(r->c.cfg, lists[i].key),
                         lists[i].kind))
            return 0;
    return 1;
}

static int
setup_format(struct report_run *r)
{
    const char *f = r->format_arg != NULL
                        ? r->format_arg
                        : sq_config_get(r->c.cfg, "report_format");

    if (sq_report_format_parse(f, &r->fmt) != SQ_OK ||
        r->fmt == SQ_FORMAT_XARF_MAIL)
        return cli_err(0, "format \"%s\": want arf, xarf, x-arf or text", f), 0;
    if (r->fmt == SQ_FORMAT_ARF && r->kind > SQ_KIND_MALWARE)
        return cli_err(0, "ARF reports mail only"), 0;
    return 1;
}

static int
setup_lookups(struct report_run *r, sq_diag *d)
{
    if ((r->to == NULL || r->send) &&
        sq_store_open(sq_config_get(r->c.cfg, "store"), d, &r->store) !=
            SQ_OK) {
        diag_print(d, "store: cannot open");
        return 0;
    }
    if (r->to == NULL && sq_whois_new(r->c.cfg, r->store, d, &r->w) != SQ_OK) {
        diag_print(d, "whois: cannot set up lookups");
        return 0;
    }
    if (r->store != NULL &&
        (sq_outbox_open(r->store, d, &r->ob) != SQ_OK ||
         sq_tracking_open(r->store, r->ob, d, &r->tr) != SQ_OK)) {
        diag_print(d, "outbox: cannot open");
        return 0;
    }
    return 1;
}

int
run_setup(struct report_run *r)
{
    sq_diag *d;
    int ok;

    if (r->outdir != NULL && mkdir(r->outdir, 0755) != 0 && errno != EEXIST)
        return cli_err(CLI_USAGE, "%s: %s", r->outdir, strerror(errno));
    if (sq_config_get(r->c.cfg, "report_from")[0] == '\0')
        return cli_err(CLI_USAGE, "no reporter address: set report_from in "
                                  "the config or pass --report-from ADDRESS");
    d = sq_diag_new();
    ok = setup_format(r) && setup_secrets(r) &&
         sq_trace_opts_new(r->c.cfg, &r->topts, d) == SQ_OK;
    if (ok && r->template_path != NULL &&
        sq_template_load(r->template_path, d, &r->tpl) != SQ_OK)
        ok = 0;
    if (!ok)
        diag_print(d, NULL);
    ok = ok && setup_lookups(r, d);
    sq_diag_free(d);
    r->ask = r->send && !r->yes_urls && isatty(STDERR_FILENO) &&
             access("/dev/tty", R_OK) == 0;
    return ok ? -1 : CLI_USAGE;
}

void
run_bad(struct report_run *r, const char *label, const char *why)
{
    r->any_bad = 1;
    if (r->c.json) {
        struct jbuf b;

        jb_init(&b);
        jb_raw(&b, "{", 1);
        jb_kv_str(&b, "message", label, 1);
        jb_kv_str(&b, "error", why, 0);
        jb_raw(&b, "}\n", 2);
        jb_flush(&b, stdout);
        jb_free(&b);
    } else {
        cli_err(0, "%s: %s", label, why);
    }
}

/* ---- one message ---- */

int
run_copy_secrets(const struct report_run *r, sq_redactor *to)
{
    const sq_redactor *from = r->secrets;

    for (size_t i = 0; i < sq_redactor_count(from); i++) {
        sq_secret_kind k;
        const char *s = sq_redactor_secret(from, i, &k);

        if (sq_redactor_add(to, k, s) != SQ_OK)
            return 0;
    }
    return 1;
}

void
run_set_reporter(const struct report_run *r, sq_incident *inc)
{
    static const struct {
        const char *key;
        sq_incident_field f;
    } keys[] = {{"report_from", SQ_INC_REPORTER_ADDR},
                {"report_from_name", SQ_INC_REPORTER_NAME},
                {"report_org", SQ_INC_REPORTER_ORG},
                {"report_reply_to", SQ_INC_REPLY_TO}};

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = sq_config_get(r->c.cfg, keys[i].key);

        if (v != NULL && v[0] != '\0')
            (void)sq_incident_add(inc, keys[i].f, v);
    }
}

/* The incident for one desk. */
static sq_status
make_incident(const struct report_run *r, const struct msgctx *m,
              const struct desk *k, sq_incident **out)
{
    sq_incident *inc;
    sq_status st;

    if ((st = sq_incident_new(r->kind, &inc)) != SQ_OK)
        return st;
    if ((st = sq_incident_add(inc, SQ_INC_SOURCE_IP, m->ip)) == SQ_OK &&
        (st = sq_incident_set_message(inc, m->msg, m->len)) == SQ_OK &&
        (st = sq_incident_add(inc, SQ_INC_DEST_ADDR, k->addr)) == SQ_OK) {
        run_set_reporter(r, inc);
        if (k->network[0] != '\0')
            (void)sq_incident_add(inc, SQ_INC_NETWORK, k->network);
        if (k->asn[0] != '\0')
            (void)sq_incident_add(inc, SQ_INC_ASN, k->asn);
        for (size_t i = 0; i < k->nuris; i++)
            (void)sq_incident_add(inc, SQ_INC_URI, k->uris[i]);
        for (size_t i = 0; i < k->ndomains; i++)
            (void)sq_incident_add(inc, SQ_INC_DOMAIN, k->domains[i]);
        sq_incident_set_time(inc, m->when, 0, 0);
        sq_incident_set_redactor(inc, m->red);
    }
    if (st != SQ_OK)
        sq_incident_free(inc);
    else
        *out = inc;
    return st;
}

/* The Subject of a built mail, unfolded ("" for JSON documents). */
static void
subject_of(const char *rep, size_t len, char *buf, size_t buflen)
{
    const char *p = rep, *end = rep + len;
    size_t o = 0;
    int in = 0;

    while (p < end && *p != '\n') {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);
        int cont = *p == ' ' || *p == '\t';

        if (in && !cont)
            break;
        if (!in && n > 9 && strncasecmp(p, "Subject: ", 9) == 0) {
            in = 1;
            p += 9;
            n -= 9;
        }
        for (size_t i = 0; in && i < n && o + 1 < buflen; i++)
            if (p[i] != '\t' &&
                (p[i] != ' ' || i > 0 || o == 0 || buf[o - 1] != ' '))
                buf[o++] = p[i] == '\t' ? ' ' : p[i];
        p += n + 1;
    }
    buf[o] = '\0';
}

static const char *
why_name(unsigned why)
{
    if (why & DESK_UPSTREAM)
        return "upstream";
    if (why & DESK_ORIGIN)
        return "origin";
    if (why & DESK_HOSTING)
        return (why & DESK_REGISTRAR) ? "url-host+registrar" : "url-host";
    return "registrar";
}

struct outcome {
    const char *action; /* preview, written, queued, already-reported,
                           skipped */
    char path[4096];
    long long id;
    char hash[65];
};

static void
print_json(const struct report_run *r, const struct msgctx *m,
           const struct desk *k, const char *rep, size_t len,
           const struct outcome *o)
{
    char subj[512];
    struct jbuf b;

    subject_of(rep, len, subj, sizeof(subj));
    jb_init(&b);
    jb_raw(&b, "{", 1);
    jb_kv_str(&b, "message", m->label, 1);
    jb_kv_str(&b, "source_ip", m->ip, 0);
    jb_kv_str(&b, "to", k->addr, 0);
    jb_kv_str(&b, "reason", why_name(k->why), 0);
    jb_kv_str(&b, "network", k->network, 0);
    jb_kv_str(&b, "asn", k->asn, 0);
    jb_kv_str(&b, "format", sq_report_format_name(m->fmt), 0);
    jb_kv_str(&b, "kind", sq_report_kind_name(r->kind), 0);
    jb_key(&b, "uris", 0);
    jb_raw(&b, "[", 1);
    for (size_t i = 0; i < k->nuris; i++) {
        if (i > 0)
            jb_raw(&b, ",", 1);
        jb_str(&b, k->uris[i]);
    }
    jb_raw(&b, "]", 1);
    jb_kv_bool(&b, "needs_confirmation", !(k->why & DESK_ORIGIN), 0);
    jb_kv_str(&b, "evidence_sha256", o->hash, 0);
    jb_kv_str(&b, "subject", subj, 0);
    jb_kv_int(&b, "bytes", (long long)len, 0);
    jb_kv_str(&b, "action", o->action, 0);
    if (o->path[0] != '\0')
        jb_kv_str(&b, "path", o->path, 0);
    if (o->id > 0)
        jb_kv_int(&b, "outbox_id", o->id, 0);
    jb_raw(&b, "}\n", 2);
    jb_flush(&b, stdout);
    jb_free(&b);
}

static void
print_text(const struct msgctx *m, const struct desk *k, const char *rep,
           size_t len, const struct outcome *o)
{
    printf("== %s: %s report to %s", m->label, sq_report_format_name(m->fmt),
           k->addr);
    if (k->network[0] != '\0')
        printf(" (%s)", k->network);
    printf(" - %s%s%s", why_name(k->why), m->ip[0] != '\0' ? " " : "", m->ip);
    if (o->id > 0)
        printf(" - %s #%lld", o->action, o->id);
    else if (o->path[0] != '\0')
        printf(" - %s %s", o->action, o->path);
    else
        printf(" - %s", o->action);
    printf("\n");
    if (strcmp(o->action, "preview") == 0) {
        fwrite(rep, 1, len, stdout);
        if (len > 0 && rep[len - 1] != '\n')
            putchar('\n');
    }
}

/* File name for --output: NNNN-desk.ext, nothing but [A-Za-z0-9.@_-]. */
static int
write_file(struct report_run *r, const struct msgctx *m, const struct desk *k,
           const char *rep, size_t len, struct outcome *o)
{
    char name[256], tmp[4096 + 8];
    size_t n;
    FILE *f;

    n = (size_t)snprintf(name, sizeof(name), "%04zu-", r->nreports);
    for (const char *p = k->addr; *p != '\0' && n + 6 < sizeof(name); p++)
        name[n++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                            "WXYZ0123456789.@_-",
                            *p) != NULL)
                        ? *p
                        : '_';
    name[n] = '\0';
    snprintf(o->path, sizeof(o->path), "%s/%s.%s", r->outdir, name,
             m->fmt == SQ_FORMAT_XARF ? "json" : "eml");
    snprintf(tmp, sizeof(tmp), "%s.tmp", o->path);
    /* whole or not at all: a full disk leaves no half report */
    if ((f = fopen(tmp, "wx")) == NULL)
        return cli_err(0, "%s: %s", tmp, strerror(errno)), 0;
    if (fwrite(rep, 1, len, f) != len || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        int e = errno;

        fclose(f);
        unlink(tmp);
        return cli_err(0, "%s: %s", o->path, strerror(e)), 0;
    }
    if (fclose(f) != 0 || link(tmp, o->path) != 0) {
        int e = errno;

        unlink(tmp);
        return cli_err(0, "%s: %s", o->path, strerror(e)), 0;
    }
    unlink(tmp);
    o->action = "written";
    r->nwritten++;
    return 1;
}

/* A y/N question on the terminal. */
static int
confirm(const struct desk *k)
{
    char line[16] = "";
    FILE *tty = fopen("/dev/tty", "r");

    if (tty == NULL)
        return 0;
    fprintf(stderr, "squeaky: report %zu URL(s) to %s (%s)? [y/N] ", k->nuris,
            k->addr, why_name(k->why));
    if (fgets(line, sizeof(line), tty) == NULL)
        line[0] = '\0';
    fclose(tty);
    return line[0] == 'y' || line[0] == 'Y';
}

static void
queue(struct report_run *r, const struct msgctx *m, const struct desk *k,
      const char *rep, size_t len, struct outcome *o)
{
    sq_diag *d = sq_diag_new();
    int added = 0;
    sq_status st;

    st = sq_outbox_enqueue(r->ob, o->hash, k->addr,
                           sq_report_format_name(m->fmt), k->network, rep, len,
                           d, &o->id, &added);
    if (st != SQ_OK) {
        diag_print(d, sq_strerror(st));
        r->any_internal = 1;
        o->action = "error";
    } else if (added) {
        o->action = "queued";
        r->nqueued++;
    } else {
        o->action = "already-reported";
        r->ndup++;
    }
    sq_diag_free(d);
}

void
run_deliver(struct report_run *r, const struct msgctx *m, const struct desk *k,
            const char *rep, size_t len, const char *hash)
{
    struct outcome o;

    memset(&o, 0, sizeof(o));
    o.action = "preview";
    snprintf(o.hash, sizeof(o.hash), "%s", hash);
    r->nreports++;
    if (!(k->why & (DESK_ORIGIN | DESK_UPSTREAM)) &&
        (r->send || r->outdir != NULL) && !r->yes_urls &&
        !(r->ask && confirm(k))) {
        o.action = "skipped (URL desk: confirm with --yes-urls)";
        r->nskipped++;
    } else if (r->outdir != NULL) {
        if (!write_file(r, m, k, rep, len, &o))
            r->any_internal = 1;
    } else if (r->send) {
        queue(r, m, k, rep, len, &o);
        if (o.id > 0 && r->tr != NULL && m->ip[0] != '\0' &&
            sq_tracking_link(r->tr, o.id, m->ip, NULL) != SQ_OK)
            r->any_internal = 1;
    }
    if (r->c.json)
        print_json(r, m, k, rep, len, &o);
    else
        print_text(m, k, rep, len, &o);
}

/* Build the desk's report and do with it what the options say. */
static void
report_desk(struct report_run *r, const struct msgctx *m, const struct desk *k)
{
    sq_report_format fmt = r->fmt;
    sq_incident *inc = NULL;
    sq_diag *d = sq_diag_new();
    char *rep = NULL, hash[65];
    size_t len = 0;

    if (fmt == SQ_FORMAT_XARF && r->outdir == NULL)
        fmt = SQ_FORMAT_XARF_MAIL; /* desks get XARF by mail */
    if (make_incident(r, m, k, &inc) != SQ_OK ||
        sq_incident_evidence_hash(inc, hash) != SQ_OK ||
        sq_report_build(inc, fmt, r->bflags, r->tpl, d, &rep, &len) != SQ_OK) {
        diag_print(d, "cannot build the report");
        r->any_bad = 1;
    } else {
        run_deliver(r, m, k, rep, len, hash);
    }
    free(rep);
    sq_incident_free(inc);
    sq_diag_free(d);
}

static void
no_report(struct report_run *r, const struct msgctx *m, const char *why)
{
    r->any_missing = 1;
    if (r->c.json) {
        struct jbuf b;

        jb_init(&b);
        jb_raw(&b, "{", 1);
        jb_kv_str(&b, "message", m->label, 1);
        if (m->ip != NULL)
            jb_kv_str(&b, "source_ip", m->ip, 0);
        jb_kv_str(&b, "error", why, 0);
        jb_key(&b, "notes", 0);
        jb_raw(&b, "[", 1);
        for (size_t i = 0; i < m->plan.nnotes; i++) {
            if (i > 0)
                jb_raw(&b, ",", 1);
            jb_str(&b, m->plan.notes[i]);
        }
        jb_raw(&b, "]}\n", 3);
        jb_flush(&b, stdout);
        jb_free(&b);
        return;
    }
    printf("== %s: not reported: %s\n", m->label, why);
    for (size_t i = 0; i < m->plan.nnotes; i++)
        printf("   note: %s\n", m->plan.notes[i]);
}

/* 1 and the origin IP and its arrival time; 0 when there is none; -1
 * when the message cannot be read. */
static int
trace_message(struct report_run *r, struct msgctx *m, sq_headers **hp,
              sq_trace **tp, const char **why)
{
    size_t hop = 0;
    const sq_relay *rel;

    sq_status st = sq_headers_parse(m->msg, m->len, r->c.cfg, hp);

    if (st == SQ_OK)
        st = sq_trace_run(r->topts, *hp, tp);
    if (st != SQ_OK) {
        *why = st == SQ_EBINARY || st == SQ_EEMPTY ? "not a mail message"
                                                   : sq_strerror(st);
        return -1;
    }
    if (!sq_trace_origin(*tp, &m->ip, &hop, NULL, why)) {
        m->ip = NULL;
        *why = "no external origin in the Received chain";
        return 0;
    }
    rel = hop < sq_trace_relay_count(*tp) ? sq_trace_relay(*tp, hop) : NULL;
    m->when = rel != NULL ? sq_relay_time(rel) : -1;
    if (m->when < 0 && sq_trace_relay_count(*tp) > 0)
        m->when = sq_relay_time(sq_trace_relay(*tp, 0));
    return 1;
}

void
run_message(struct report_run *r, const char *label, const char *msg,
            size_t len)
{
    struct msgctx m;
    struct plan_in in;
    sq_headers *h = NULL;
    sq_trace *t = NULL;
    const char *why = "";

    memset(&m, 0, sizeof(m));
    m.fmt = r->fmt;
    m.label = label;
    m.msg = msg;
    m.len = len;
    switch (trace_message(r, &m, &h, &t, &why)) {
    case -1:
        run_bad(r, label, why);
        goto out;
    case 0:
        no_report(r, &m, why);
        goto out;
    default:
        break;
    }
    if (sq_redactor_new(&m.red) != SQ_OK || !run_copy_secrets(r, m.red) ||
        sq_redactor_learn(m.red, msg, len, NULL) != SQ_OK) {
        r->any_internal = 1;
        goto out;
    }
    /* abuse seen again after a report: the squeaky wheel's evidence */
    if (r->tr != NULL && m.when > 0 &&
        sq_tracking_sighting(r->tr, m.ip, m.when, "mail", NULL, NULL) != SQ_OK)
        r->any_internal = 1;
    in = (struct plan_in){
        .w = r->w,
        .wflags = r->wflags,
        .to = r->to,
        .ip = m.ip,
        .msg = msg,
        .len = len,
        .max_hosts = (size_t)sq_config_get_int(r->c.cfg, "max_url_hosts"),
        .tr = r->tr};
    plan_build(&in, &m.plan);
    if (m.plan.oom)
        r->any_internal = 1;
    if (m.plan.n == 0)
        no_report(r, &m, "no abuse desk found");
    for (size_t i = 0; i < m.plan.n; i++)
        report_desk(r, &m, &m.plan.desks[i]);
out:
    plan_free(&m.plan);
    sq_redactor_free(m.red);
    sq_trace_free(t);
    sq_headers_free(h);
}

/* ---- the end ---- */

static int
send_all(struct report_run *r)
{
    sq_sender_opts *so = NULL;
    sq_sender *s = NULL;
    sq_send_stats st;
    sq_diag *d = sq_diag_new();
    int ok = 0;

    memset(&st, 0, sizeof(st));
    if (sq_sender_opts_new(&so) == SQ_OK &&
        sq_sender_opts_from_config(so, r->c.cfg, d) == SQ_OK &&
        sq_sender_new(so, d, &s) == SQ_OK &&
        sq_sender_run(s, r->ob, r->hold_digests ? 0 : SQ_SEND_FLUSH, &st, d) ==
            SQ_OK)
        ok = 1;
    if (!ok || st.stopped)
        diag_print(d, "send run failed");
    if (!r->c.quiet)
        cli_err(0,
                "outbox: %lu mail(s) sent for %lu report(s); %lu deferred, "
                "%lu failed, %lu held, %lu waiting (squeaky outbox list)",
                st.mails, st.sent, st.deferred, st.failed, st.held, st.waiting);
    sq_sender_free(s);
    sq_sender_opts_free(so);
    sq_diag_free(d);
    return ok && !st.stopped && st.failed == 0;
}

int
run_finish(struct report_run *r)
{
    int sent_ok = 1;

    if (r->send && r->ob != NULL && r->nqueued > 0)
        sent_ok = send_all(r);
    if (!r->c.quiet && r->outdir != NULL)
        cli_err(0, "%zu of %zu report(s) written, %zu URL report(s) skipped",
                r->nwritten, r->nreports, r->nskipped);
    else if (!r->c.quiet && r->send)
        cli_err(0,
                "%zu report(s): %zu queued, %zu already reported, %zu URL "
                "report(s) skipped",
                r->nreports, r->nqueued, r->ndup, r->nskipped);
    if (fflush(stdout) != 0)
        return cli_err(CLI_INTERNAL, "cannot write output");
    if (r->any_internal)
        return CLI_INTERNAL;
    if (r->any_bad)
        return CLI_USAGE;
    if (!sent_ok)
        return CLI_NOTSENT;
    return r->any_missing ? CLI_NOTFOUND : CLI_OK;
}

void
run_teardown(struct report_run *r)
{
    sq_template_free(r->tpl);
    sq_redactor_free(r->secrets);
    sq_tracking_free(r->tr);
    sq_outbox_free(r->ob);
    sq_whois_free(r->w);
    sq_store_close(r->store);
    sq_trace_opts_free(r->topts);
}

/*
 * cmd_trace.c - `squeaky trace`: the relay chain, trust decisions and
 * origin of each message in files, mboxes, Maildirs or stdin.
 *
 * Exit: 0 every message has an external origin, 1 at least one has
 * none, 2 usage error or at least one unreadable input/message.
 */
#define _GNU_SOURCE /* fwrite_unlocked, fputs_unlocked */
#include "batch.h"
#include "cli.h"

#include <squeaky/mail.h>
#include <squeaky/trace.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_ORIGIN_ONLY = 1, OPT_JOBS };

static const struct cli_opt trace_opts[] = {
    {"origin-only", 0, 0, OPT_ORIGIN_ONLY, NULL,
     "print only \"source<TAB>origin-ip\" per message"},
    {"jobs", 'j', 1, OPT_JOBS, "N",
     "threads for mailboxes and directories (default: CPUs)"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct tflags {
    int any_missing, any_bad;
};

struct trace_run {
    struct cli_common c;
    sq_trace_opts *topts;
    int origin_only;
    long jobs;
    struct tflags fl;
    size_t nmsg;
};

static int
trace_opt(void *ud, int id, const char *arg)
{
    struct trace_run *tr = ud;

    if (id == OPT_ORIGIN_ONLY)
        tr->origin_only = 1;
    if (id == OPT_JOBS && !cli_parse_long(arg, 1, 64, &tr->jobs))
        return cli_err(CLI_USAGE, "--jobs: want a number from 1 to 64");
    return -1;
}

/*
 * Epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes), "" when
 * out of range.  The civil date comes from the day count directly
 * (eras of 400 years, March-based years), avoiding gmtime_r's time-zone
 * machinery on the output hot path.
 */
static void
fmt_time(long long t, char *buf, size_t len)
{
    long long days, era, doe, yoe, doy, mp, y;
    int v[6];

    buf[0] = '\0';
    if (t < 0 || len < 21 || t > 253402300799LL) /* 9999-12-31T23:59:59 */
        return;
    days = t / 86400 + 719468; /* days since 0000-03-01 */
    era = days / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    y = yoe + era * 400;
    v[2] = (int)(doy - (153 * mp + 2) / 5 + 1);
    v[1] = (int)(mp < 10 ? mp + 3 : mp - 9);
    v[0] = (int)(y + (v[1] <= 2));
    v[3] = (int)(t % 86400 / 3600);
    v[4] = (int)(t % 3600 / 60);
    v[5] = (int)(t % 60);
    buf[0] = (char)('0' + v[0] / 1000);
    buf[1] = (char)('0' + v[0] / 100 % 10);
    for (int i = 0; i < 6; i++) {
        buf[2 + 3 * i] = (char)('0' + v[i] / 10 % 10);
        buf[3 + 3 * i] = (char)('0' + v[i] % 10);
        buf[4 + 3 * i] = "--T::Z"[i];
    }
    buf[20] = '\0';
}

static void
json_notes(struct jbuf *f, const char *notes)
{
    const char *p = notes;
    int first = 1;

    jb_key(f, "notes", 0);
    jb_raw(f, "[", 1);
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char w[128];

        if (n > 0 && n < sizeof(w)) {
            memcpy(w, p, n);
            w[n] = '\0';
            if (!first)
                jb_raw(f, ",", 1);
            jb_str(f, w);
            first = 0;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    jb_raw(f, "]", 1);
}

static void
json_relay(struct jbuf *f, const sq_relay *r)
{
    /* SpamAssassin's relay fields in its order, then "with". */
    static const sq_relay_field fields[] = {
        SQ_RELAY_IP, SQ_RELAY_RDNS,  SQ_RELAY_HELO,
        SQ_RELAY_BY, SQ_RELAY_IDENT, SQ_RELAY_ENVFROM,
        SQ_RELAY_ID, SQ_RELAY_AUTH,  SQ_RELAY_WITH,
    };
    char tbuf[32];

    jb_raw(f, "{", 1);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        jb_kv_str(f, sq_relay_field_name(fields[i]), sq_relay_get(r, fields[i]),
                  i == 0);
    jb_kv_bool(f, "msa", sq_relay_msa(r), 0);
    jb_kv_bool(f, "trusted", sq_relay_trusted(r), 0);
    jb_kv_bool(f, "internal", sq_relay_internal(r), 0);
    fmt_time(sq_relay_time(r), tbuf, sizeof(tbuf));
    jb_key(f, "time", 0);
    if (tbuf[0])
        jb_str(f, tbuf);
    else
        jb_raw(f, "null", 4);
    json_notes(f, sq_relay_get(r, SQ_RELAY_NOTES));
    jb_raw(f, "}", 1);
}

static void
json_trace(struct jbuf *f, const char *label, const sq_trace *t)
{
    const char *ip, *reason;
    size_t hop;
    sq_confidence conf;

    jb_raw(f, "{", 1);
    jb_kv_str(f, "source", label, 1);
    jb_key(f, "origin", 0);
    if (sq_trace_origin(t, &ip, &hop, &conf, &reason)) {
        jb_raw(f, "{", 1);
        jb_kv_str(f, "ip", ip, 1);
        jb_kv_int(f, "hop", (long long)hop + 1, 0);
        jb_kv_str(f, "confidence", sq_confidence_name(conf), 0);
        jb_kv_str(f, "reason", reason, 0);
        jb_raw(f, "}", 1);
    } else {
        jb_raw(f, "null", 4);
    }
    jb_key(f, "relays", 0);
    jb_raw(f, "[", 1);
    for (size_t i = 0; i < sq_trace_relay_count(t); i++) {
        if (i)
            jb_raw(f, ",", 1);
        json_relay(f, sq_trace_relay(t, i));
    }
    jb_raw(f, "],", 2);
    jb_key(f, "warnings", 1);
    jb_raw(f, "[", 1);
    for (size_t i = 0; i < sq_trace_warning_count(t); i++) {
        if (i)
            jb_raw(f, ",", 1);
        jb_str(f, sq_trace_warning(t, i));
    }
    jb_raw(f, "]}\n", 3);
}

static void
put_col(FILE *f, const char *s, int width)
{
    size_t n = strlen(s);

    if (n == 0)
        s = "-", n = 1;
    cli_put_safe(f, s, n);
    for (int pad = width - (int)n; pad > 0; pad--)
        putc_unlocked(' ', f);
    putc_unlocked(' ', f);
}

static void
human_trace(FILE *f, const char *label, const sq_trace *t)
{
    const char *ip, *reason;
    size_t hop;
    sq_confidence conf;
    char tbuf[32];

    fputs_unlocked("== ", f);
    cli_put_safe(f, label, strlen(label));
    fprintf(f, "\n%-3s %-15s %-24s %-24s %-24s %-20s %-9s %s\n", "hop", "ip",
            "rdns", "helo", "by", "time", "trust", "notes");
    for (size_t i = 0; i < sq_trace_relay_count(t); i++) {
        const sq_relay *r = sq_trace_relay(t, i);

        fprintf(f, "%-3zu ", i + 1);
        put_col(f, sq_relay_get(r, SQ_RELAY_IP), 15);
        put_col(f, sq_relay_get(r, SQ_RELAY_RDNS), 24);
        put_col(f, sq_relay_get(r, SQ_RELAY_HELO), 24);
        put_col(f, sq_relay_get(r, SQ_RELAY_BY), 24);
        fmt_time(sq_relay_time(r), tbuf, sizeof(tbuf));
        put_col(f, tbuf, 20);
        put_col(f,
                sq_relay_internal(r)  ? "internal"
                : sq_relay_trusted(r) ? "trusted"
                                      : "untrusted",
                9);
        put_col(f, sq_relay_get(r, SQ_RELAY_NOTES), 0);
        putc_unlocked('\n', f);
    }
    if (sq_trace_origin(t, &ip, &hop, &conf, &reason))
        fprintf(f, "origin: %s (hop %zu, %s confidence): %s\n", ip, hop + 1,
                sq_confidence_name(conf), reason);
    else
        fputs_unlocked("origin: none (no external relay found)\n", f);
    for (size_t i = 0; i < sq_trace_warning_count(t); i++) {
        const char *w = sq_trace_warning(t, i);
        fputs_unlocked("warning: ", f);
        cli_put_safe(f, w, strlen(w));
        putc_unlocked('\n', f);
    }
    putc_unlocked('\n', f);
}

static void
report_bad(const struct trace_run *tr, FILE *out, struct tflags *fl,
           const char *label, const char *why)
{
    static const char empty_tail[] =
        ",\"origin\":null,\"relays\":[],\"warnings\":[]}\n";

    fl->any_bad = 1;
    if (tr->c.json) {
        struct jbuf b;

        jb_init(&b);
        jb_raw(&b, "{", 1);
        jb_kv_str(&b, "source", label, 1);
        jb_kv_str(&b, "error", why, 0);
        jb_raw(&b, empty_tail, sizeof(empty_tail) - 1);
        jb_flush(&b, out);
        jb_free(&b);
    }
    cli_err(0, "%s: %s", label, why);
}

static void
print_origin_only(FILE *out, const char *label, const sq_trace *t)
{
    const char *ip;

    cli_put_safe(out, label, strlen(label));
    putc_unlocked('\t', out);
    if (sq_trace_origin(t, &ip, NULL, NULL, NULL))
        fputs_unlocked(ip, out);
    else
        putc_unlocked('-', out);
    putc_unlocked('\n', out);
}

static void
trace_one(const struct trace_run *tr, FILE *out, struct tflags *fl,
          const char *label, const char *msg, size_t len)
{
    sq_headers *h = NULL;
    sq_trace *t = NULL;
    sq_status st;

    st = sq_headers_parse(msg, len, tr->c.cfg, &h);
    if (st != SQ_OK) {
        report_bad(tr, out, fl, label, sq_strerror(st));
        return;
    }
    st = sq_trace_run(tr->topts, h, &t);
    if (st != SQ_OK) {
        report_bad(tr, out, fl, label, sq_strerror(st));
        sq_headers_free(h);
        return;
    }
    if (!sq_trace_origin(t, NULL, NULL, NULL, NULL))
        fl->any_missing = 1;
    if (tr->origin_only)
        print_origin_only(out, label, t);
    else if (tr->c.json) {
        struct jbuf b;

        jb_init(&b);
        json_trace(&b, label, t);
        if (!jb_flush(&b, out))
            fl->any_bad = 1;
        jb_free(&b);
    } else
        human_trace(out, label, t);
    sq_trace_free(t);
    sq_headers_free(h);
}

enum { TF_BAD = 1, TF_MISSING = 2 };

/* One message on a worker thread (see batch.h). */
static void
trace_batch_fn(void *ud, FILE *out, int *flags, const char *label,
               const char *data, size_t len, sq_status st)
{
    const struct trace_run *tr = ud;
    struct tflags fl = {0, 0};

    if (st == SQ_ELIMIT_MESSAGE && !tr->c.quiet)
        cli_err(0, "%s: %s; traced its first part", label, sq_strerror(st));
    if (data != NULL)
        trace_one(tr, out, &fl, label, data, len);
    else
        report_bad(tr, out, &fl, label, sq_strerror(st));
    *flags |= (fl.any_bad ? TF_BAD : 0) | (fl.any_missing ? TF_MISSING : 0);
}

static void
trace_parallel(struct trace_run *tr, sq_msgsrc *src)
{
    struct batch_job job;
    long long hb = sq_config_get_int(tr->c.cfg, "max_header_bytes");
    long long ll = sq_config_get_int(tr->c.cfg, "max_line_length");
    int flags;

    job.fn = trace_batch_fn;
    job.ud = tr;
    job.jobs = (int)tr->jobs;
    job.max_copy = (size_t)(hb > ll ? hb : ll) + 2;
    job.progress = !tr->c.quiet;
    flags = batch_run(src, &job, stdout, &tr->nmsg);
    if (flags & BATCH_FAILED)
        tr->fl.any_bad = 1, cli_err(0, "out of memory or threads");
    if (flags & TF_BAD)
        tr->fl.any_bad = 1;
    if (flags & TF_MISSING)
        tr->fl.any_missing = 1;
}

static void
trace_source(struct trace_run *tr, const char *path)
{
    sq_msgsrc *src = NULL;
    sq_diag *d = sq_diag_new();
    const char *data, *label;
    size_t len, before;
    sq_status st;

    st = sq_msgsrc_open(path, tr->c.cfg, &src, d);
    if (st != SQ_OK) {
        const char *m = sq_diag_message(d, 0);
        report_bad(tr, stdout, &tr->fl, path, m ? m : sq_strerror(st));
        sq_diag_free(d);
        return;
    }
    sq_diag_free(d);
    before = tr->nmsg;
    if (tr->jobs > 1 && sq_msgsrc_kind_of(src) != SQ_SRC_MESSAGE) {
        trace_parallel(tr, src);
        goto out;
    }
    while ((st = sq_msgsrc_next(src, &data, &len, &label)) != SQ_EEOF) {
        if (st == SQ_ELIMIT_MESSAGE && !tr->c.quiet)
            cli_err(0, "%s: %s; traced its first part", label, sq_strerror(st));
        if (st == SQ_OK || st == SQ_ELIMIT_MESSAGE)
            trace_one(tr, stdout, &tr->fl, label, data, len);
        else
            report_bad(tr, stdout, &tr->fl, label ? label : path,
                       sq_strerror(st));
        ++tr->nmsg;
        if (!tr->c.quiet)
            cli_progress("messages", tr->nmsg, 0);
    }
out:
    if (tr->nmsg == before) /* a directory of directories, say */
        report_bad(tr, stdout, &tr->fl, path,
                   "no messages (subdirectories are not read)");
    sq_msgsrc_free(src);
}

int
cmd_trace(int argc, char **argv)
{
    static char *stdin_op[] = {"-"};
    struct trace_run tr;
    sq_diag *d;
    char **ops;
    int rc, nops;

    memset(&tr, 0, sizeof(tr));
    tr.jobs = cli_cpus();
    rc =
        cli_parse(argc, argv, "squeaky trace [OPTIONS] [MESSAGE|MBOX|DIR|-]...",
                  "Find where each message really came from: the relay "
                  "chain (newest first),\nwhich relays are trusted, and "
                  "the origin IP with a confidence.\nExit: 0 origin found "
                  "for every message, 1 some message has none,\n2 usage "
                  "error or unreadable input.",
                  trace_opts, trace_opt, &tr, &tr.c);
    if (rc >= 0) {
        cli_done(&tr.c);
        return rc;
    }
    d = sq_diag_new();
    if (sq_trace_opts_new(tr.c.cfg, &tr.topts, d) != SQ_OK) {
        for (size_t i = 0; i < sq_diag_count(d); i++)
            cli_err(0, "%s", sq_diag_message(d, i));
        sq_diag_free(d);
        cli_done(&tr.c);
        return CLI_USAGE;
    }
    sq_diag_free(d);
    ops = tr.c.nops ? tr.c.ops : stdin_op;
    nops = tr.c.nops ? tr.c.nops : 1;
    for (int i = 0; i < nops; i++)
        trace_source(&tr, ops[i]);
    if (!tr.c.quiet)
        cli_progress("messages", tr.nmsg, 1);
    rc = tr.fl.any_bad ? CLI_USAGE : tr.fl.any_missing ? CLI_NOTFOUND : CLI_OK;
    if (fflush(stdout) != 0)
        rc = cli_err(CLI_INTERNAL, "cannot write output");
    sq_trace_opts_free(tr.topts);
    cli_done(&tr.c);
    return rc;
}

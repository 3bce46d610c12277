/*
 * scan_input.c - `squeaky scan`: read one log (file, gzip, stdin) in
 * chunks of whole lines (sq_logsrc), pick the matcher (the format given,
 * the format detected from the first chunk, or a fail2ban filter) and
 * turn every matching line into a scan_ev for cmd_scan.c.  Positions
 * reached are kept for the watermarks, saved once the run's reports are
 * queued (scan_marks_save).
 */
#include "scan_run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One open input and its matcher. */
struct input {
    struct scan_run *r;
    sq_logsrc *src;
    sq_scanner *sc;
    sq_f2b_matcher *fm;
    const char *path, *service;
    char format[64];
    int resumed;
    /* line numbers: the line count at buffer offset cur */
    const char *buf;
    unsigned long long base, cur, lineno;
};

static unsigned long long
line_of(struct input *in, unsigned long long off)
{
    const char *p = in->buf + (in->cur - in->base);
    const char *end = in->buf + (off - in->base);

    if (in->resumed)
        return 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        in->lineno++;
        p++;
    }
    in->cur = off;
    return in->lineno + 1;
}

static int
on_scan_event(void *ctx, const sq_scan_event *ev)
{
    struct input *in = ctx;
    struct scan_ev e;
    unsigned long long off;

    if (in->r->count_fast) { /* --count with no window or allowlist */
        in->r->events++;
        return 0;
    }
    off = sq_scan_event_offset(ev);
    sq_scan_hit_from_event(ev, in->buf + (off - in->base),
                           sq_scan_event_length(ev), &e.h);
    e.format = sq_scan_event_format(ev);
    e.file = in->path;
    e.lineno = in->r->c.json ? line_of(in, off) : 0;
    scan_event(in->r, &e);
    return 0;
}

/* The fail2ban filter on every line of a chunk. */
static void
f2b_chunk(struct input *in, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl != NULL ? nl : end) - p);
        sq_f2b_result res = SQ_F2B_NOMATCH;
        struct scan_ev e;
        long zoff = 0;

        in->r->lines++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (sq_f2b_match(in->fm, p, n, &res) != SQ_OK) {
            /* the first ten say where; the count comes at the end */
            if (++in->r->errors <= 10 && !in->r->c.quiet)
                cli_err(0, "%s: %s", in->path, sq_f2b_matcher_error(in->fm));
        } else if (res == SQ_F2B_MATCH && !sq_f2b_match_host_is_name(in->fm)) {
            memset(&e, 0, sizeof(e));
            e.h.ip = sq_f2b_match_host(in->fm);
            e.h.time = sq_f2b_match_time(in->fm);
            if (e.h.time < 0)
                e.h.time = 0;
            /* a stamp without zone is in --zone (the machine's), as
               for the built-in scanners */
            (void)sq_f2b_match_zone(in->fm, &zoff);
            e.h.zone_known = 1;
            e.h.zone = (int)(zoff / 60);
            e.h.kind = in->r->f2b_kind;
            e.h.service = in->service;
            e.h.user = sq_f2b_match_user(in->fm);
            e.h.line = p;
            e.h.len = n;
            e.format = in->format;
            e.file = in->path;
            e.lineno =
                in->r->c.json
                    ? line_of(in, in->base + (unsigned long long)(p - buf))
                    : 0;
            scan_event(in->r, &e);
        }
        p = nl != NULL ? nl + 1 : end;
    }
}

/* The service a fail2ban filter watches, by the name's start (the
 * names of Debian's filter.d); else the filter's name. */
static const char *
filter_service(const char *name)
{
    static const struct {
        const char *prefix, *service;
    } map[] = {{"sshd", "ssh"},      {"dropbear", "ssh"},  {"postfix", "smtp"},
               {"exim", "smtp"},     {"sendmail", "smtp"}, {"dovecot", "imap"},
               {"courier", "imap"},  {"apache", "http"},   {"nginx", "http"},
               {"lighttpd", "http"}, {"vsftpd", "ftp"},    {"proftpd", "ftp"},
               {"pure-ftpd", "ftp"}, {"named", "dns"},     {"asterisk", "sip"},
               {"mysqld", "mysql"}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strncmp(name, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].service;
    return name;
}

/* Choose and make the matcher once the first chunk is known. */
static int
input_matcher(struct input *in, const char *buf, size_t len)
{
    struct scan_run *r = in->r;
    sq_scan_format f = r->fmt;
    long long mtime = sq_logsrc_mtime(in->src);

    if (r->filter != NULL) {
        size_t n = strcspn(r->filter_spec, "[");

        snprintf(in->format, sizeof(in->format), "fail2ban:%.*s", (int)n,
                 r->filter_spec);
        in->service = filter_service(in->format + 9);
        return sq_f2b_matcher_new(r->filter, mtime > 0 ? mtime : r->now,
                                  (long)r->zone * 60, &in->fm) == SQ_OK ||
               (cli_err(0, "out of memory"), r->any_internal = 1, 0);
    }
    if (f == SQ_SCAN_AUTO) {
        sq_status st = sq_scan_detect(buf, len, &f);

        if (st != SQ_OK) {
            r->any_bad = 1;
            return cli_err(0, "%s: %s", in->path,
                           st == SQ_EBINARY
                               ? "binary data, not a log"
                               : "cannot tell the log format (use --format)"),
                   0;
        }
    }
    if (sq_scanner_new(f, &in->sc) != SQ_OK)
        return cli_err(0, "out of memory"), r->any_internal = 1, 0;
    sq_scanner_set_now(in->sc, r->now, mtime);
    sq_scanner_set_zone(in->sc, r->zone);
    snprintf(in->format, sizeof(in->format), "%s", sq_scan_format_name(f));
    return 1;
}

static int
input_chunk(struct input *in, const char *buf, size_t len,
            unsigned long long base)
{
    size_t too_long = 0;

    if (in->sc == NULL && in->fm == NULL && !input_matcher(in, buf, len))
        return 0;
    in->buf = buf;
    in->base = in->cur = base;
    if (in->fm != NULL) {
        f2b_chunk(in, buf, len);
    } else {
        in->r->lines += sq_scanner_buffer(in->sc, buf, len, base, on_scan_event,
                                          in, &too_long);
        in->r->too_long += too_long;
    }
    if (in->r->c.json && !in->resumed)
        (void)line_of(in, base + len);
    return 1;
}

static void
input_close(struct input *in)
{
    if (in->src == NULL)
        return;
    if (in->src != NULL)
        in->r->too_long += sq_logsrc_count(in->src, SQ_LOGSRC_LONG_LINES);
    sq_scanner_free(in->sc);
    sq_f2b_matcher_free(in->fm);
    sq_logsrc_free(in->src);
    in->sc = NULL;
    in->fm = NULL;
    in->src = NULL;
}

static int
input_open(struct scan_run *r, struct input *in, const char *path,
           unsigned flags)
{
    sq_diag *d = sq_diag_new();
    sq_status st;

    memset(in, 0, sizeof(*in));
    in->r = r;
    in->path = path;
    st = sq_logsrc_open(path, flags, d, &in->src);
    if (st == SQ_OK && r->wm != NULL && !r->rescan && strcmp(path, "-") != 0)
        st = sq_logsrc_resume_from(in->src, r->wm, d, &in->resumed);
    if (st != SQ_OK) {
        r->any_bad = 1;
        cli_fail(d, st, 0);
        sq_diag_free(d);
        return 0;
    }
    sq_diag_free(d);
    r->nfiles++;
    return 1;
}

/* Read what is there now: SQ_EEOF, SQ_ENOTFOUND (follow: nothing new),
 * or an error (reported). */
static sq_status
input_drain(struct input *in)
{
    sq_diag *d = sq_diag_new();
    const char *buf;
    size_t len;
    unsigned long long base;
    sq_status st;

    while ((st = sq_logsrc_read(in->src, &buf, &len, &base, d)) == SQ_OK) {
        if (!input_chunk(in, buf, len, base)) {
            st = SQ_EINVAL;
            break;
        }
        if (!in->r->c.quiet && !in->r->c.json)
            cli_progress("lines", (size_t)in->r->lines, 0);
        if (scan_stop)
            break;
    }
    if (st != SQ_OK && st != SQ_EEOF && st != SQ_ENOTFOUND && st != SQ_EINVAL) {
        in->r->any_bad = 1;
        cli_fail(d, st, 0);
    }
    sq_diag_free(d);
    return st;
}

int
scan_file(struct scan_run *r, const char *path)
{
    struct input in;
    sq_status st;

    if (!input_open(r, &in, path, 0))
        return 0;
    st = input_drain(&in);
    if ((st == SQ_EEOF || st == SQ_OK) && r->wm != NULL)
        st = scan_mark(r, in.src) ? SQ_EEOF : SQ_EIO;
    input_close(&in);
    return st == SQ_EEOF;
}

int
scan_mark(struct scan_run *r, sq_logsrc *src)
{
    const char *fp = sq_logsrc_fingerprint(src);
    const char *h = sq_logsrc_last_hash(src);
    struct scan_mark *m;

    if (strlen(fp) != 64 || strlen(h) != 64 ||
        strcmp(sq_logsrc_path(src), "-") == 0)
        return 1;
    for (size_t i = 0; i < r->nmarks; i++)
        if (strcmp(r->marks[i].fp, fp) == 0 &&
            r->marks[i].offset >= sq_logsrc_offset(src))
            return 1; /* the same lines again (a copy of the file) */
    m = realloc(r->marks, (r->nmarks + 1) * sizeof(*m));
    if (m == NULL)
        return 0;
    r->marks = m;
    m += r->nmarks;
    memcpy(m->fp, fp, 65);
    memcpy(m->hash, h, 65);
    if ((m->path = strdup(sq_logsrc_path(src))) == NULL)
        return 0;
    m->dev = sq_logsrc_dev(src);
    m->ino = sq_logsrc_ino(src);
    m->offset = sq_logsrc_offset(src);
    r->nmarks++;
    return 1;
}

int
scan_marks_save(struct scan_run *r)
{
    sq_diag *d = sq_diag_new();
    int ok = 1;

    for (size_t i = 0; ok && r->wm != NULL && i < r->nmarks; i++) {
        const struct scan_mark *m = &r->marks[i];
        sq_status st = sq_scan_wm_put(r->wm, m->fp, m->path, m->dev, m->ino,
                                      m->offset, m->hash, d);

        if (st != SQ_OK) {
            cli_fail(d, st, 0);
            ok = 0;
        }
    }
    sq_diag_free(d);
    scan_marks_free(r);
    return ok;
}

void
scan_marks_free(struct scan_run *r)
{
    for (size_t i = 0; i < r->nmarks; i++)
        free(r->marks[i].path);
    free(r->marks);
    r->marks = NULL;
    r->nmarks = 0;
}

/* ---- --follow ---- */

volatile sig_atomic_t scan_stop;

static void
on_signal(int sig)
{
    (void)sig;
    scan_stop = 1;
}

static void
nap(void)
{
    struct timespec ts = {0, SQ_LOGSRC_POLL_MS * 1000000L};

    nanosleep(&ts, NULL);
}

/* A report run of what the follow loop gathered, then every input's
 * position saved. */
static int
follow_flush(struct scan_run *r, struct input *in, int n, int final)
{
    int rc = r->report ? scan_report(r, final) : CLI_OK;
    sq_diag *d = sq_diag_new();

    for (int i = 0; r->wm != NULL && i < n; i++)
        if (in[i].src != NULL && sq_logsrc_save(in[i].src, r->wm, d) != SQ_OK)
            rc = cli_fail(d, SQ_EIO, CLI_INTERNAL);
    sq_diag_free(d);
    return rc;
}

int
scan_follow(struct scan_run *r, char **paths, int n)
{
    struct input *in = calloc((size_t)n, sizeof(*in));
    struct sigaction sa;
    long long last = (long long)time(NULL);
    int rc = CLI_OK, opened = 0;

    if (in == NULL)
        return cli_err(CLI_INTERNAL, "out of memory");
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    for (int i = 0; i < n; i++)
        opened += input_open(r, &in[i], paths[i], SQ_LOGSRC_FOLLOW);
    while (opened > 0 && !scan_stop) {
        int busy = 0;

        for (int i = 0; i < n && !scan_stop; i++) {
            sq_status st = in[i].src != NULL ? input_drain(&in[i]) : SQ_EEOF;

            if (st == SQ_OK)
                busy = 1;
            else if (st != SQ_ENOTFOUND && st != SQ_EEOF) {
                input_close(&in[i]); /* reported; the others go on */
                in[i].src = NULL;
                opened--;
            }
        }
        fflush(stdout);
        if (r->report && (long long)time(NULL) - last >= r->interval) {
            last = (long long)time(NULL);
            if ((rc = follow_flush(r, in, n, 0)) == CLI_INTERNAL)
                break;
        }
        if (!busy && !scan_stop)
            nap();
    }
    /* what was written before the signal is read before the last flush */
    scan_stop = 0;
    for (int i = 0; rc != CLI_INTERNAL && i < n; i++)
        if (in[i].src != NULL)
            (void)input_drain(&in[i]);
    scan_stop = 1;
    if (rc != CLI_INTERNAL)
        rc = follow_flush(r, in, n, 1);
    for (int i = 0; i < n; i++)
        input_close(&in[i]);
    free(in);
    return rc;
}

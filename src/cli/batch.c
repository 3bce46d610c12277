/*
 * batch.c - run a per-message function over a message source on several
 * threads and write the results in input order.
 *
 * The main thread reads a batch (at most BATCH_MSGS messages or
 * BATCH_BYTES bytes), copying each message's header block (the library
 * only lends message bytes until the next sq_msgsrc_next call), then
 * the workers take messages i, i+T, i+2T, ... each writing into its own
 * memory stream, and the main thread writes the streams out message by
 * message.  Memory is bounded by one batch plus the workers' output.
 */
#define _GNU_SOURCE /* fopencookie */
#include "batch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH_MSGS = 2048, BATCH_BYTES = 32 << 20, MAX_JOBS = 64 };

struct item {
    size_t label, data, len; /* offsets into the batch buffer */
    sq_status st;
};

/* A worker's output: a reusable buffer behind a stdio stream, kept
 * across batches so that no batch pays for fresh pages again. */
struct batch;

struct worker {
    pthread_t th;
    struct batch *b;
    int idx, flags;
    FILE *f;
    char *out;
    size_t outlen, outcap;
};

struct batch {
    char *buf;
    size_t used, cap;
    struct item *it;
    size_t n;
    size_t *ends; /* end offset of item i in its worker's output */
    const struct batch_job *job;
    int jobs;
    struct worker w[MAX_JOBS];
};

static ssize_t
wbuf_write(void *cookie, const char *buf, size_t n)
{
    struct worker *w = cookie;

    if (n > SIZE_MAX / 2 - w->outlen)
        return -1;
    if (w->outlen + n > w->outcap) {
        size_t ncap = w->outcap ? w->outcap : 1 << 16;
        char *nb;

        while (ncap < w->outlen + n)
            ncap *= 2;
        if ((nb = realloc(w->out, ncap)) == NULL)
            return -1;
        w->out = nb;
        w->outcap = ncap;
    }
    memcpy(w->out + w->outlen, buf, n);
    w->outlen += n;
    return (ssize_t)n;
}

static int
worker_open(struct worker *w)
{
    cookie_io_functions_t io = {NULL, wbuf_write, NULL, NULL};

    w->f = fopencookie(w, "w", io);
    return w->f != NULL && setvbuf(w->f, NULL, _IOFBF, 1 << 16) == 0;
}

static void
worker_close(struct worker *w)
{
    if (w->f != NULL)
        fclose(w->f);
    free(w->out);
}

/* Bytes up to and including the blank line ending the headers, or all
 * of len when there is none; never more than cap. */
static size_t
header_span(const char *d, size_t len, size_t cap)
{
    const char *p = d, *end = d + (len < cap ? len : cap);

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        p++;
        if (p < end && *p == '\n')
            return (size_t)(p + 1 - d);
        if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
            return (size_t)(p + 2 - d);
    }
    return (size_t)(end - d);
}

static int
batch_put(struct batch *b, const char *s, size_t n, size_t *off)
{
    if (n > SIZE_MAX - b->used - 1)
        return 0;
    if (b->used + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 1 << 20;
        char *nb;

        while (ncap < b->used + n + 1)
            ncap *= 2;
        if ((nb = realloc(b->buf, ncap)) == NULL)
            return 0;
        b->buf = nb;
        b->cap = ncap;
    }
    memcpy(b->buf + b->used, s, n);
    b->buf[b->used + n] = '\0';
    *off = b->used;
    b->used += n + 1;
    return 1;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct batch *b = w->b;

    for (size_t i = (size_t)w->idx; i < b->n; i += (size_t)b->jobs) {
        const struct item *it = &b->it[i];

        b->job->fn(b->job->ud, w->f, &w->flags, b->buf + it->label,
                   b->buf + it->data, it->len, it->st);
        if (fflush(w->f) != 0)
            w->flags |= BATCH_FAILED;
        b->ends[i] = w->outlen;
    }
    return NULL;
}

/* Run the workers over the batch and write their output in order.  A
 * worker whose thread cannot be created runs on this thread instead, so
 * no message is lost. */
static int
batch_flush(struct batch *b, FILE *out)
{
    size_t start[MAX_JOBS];
    int flags = 0, started[MAX_JOBS];
    size_t nw = (size_t)b->jobs;

    if (nw < 1 || nw > MAX_JOBS)
        return BATCH_FAILED;
    for (size_t i = 0; i < nw; i++) {
        b->w[i].outlen = 0;
        start[i] = 0;
        started[i] =
            pthread_create(&b->w[i].th, NULL, worker_main, &b->w[i]) == 0;
        if (!started[i])
            worker_main(&b->w[i]);
    }
    for (size_t i = 0; i < nw; i++) {
        if (started[i])
            pthread_join(b->w[i].th, NULL);
        flags |= b->w[i].flags;
    }
    for (size_t i = 0; i < b->n; i++) {
        size_t k = i % nw;

        fwrite(b->w[k].out + start[k], 1, b->ends[i] - start[k], out);
        start[k] = b->ends[i];
    }
    b->n = 0;
    b->used = 0;
    return flags;
}

static int
batch_add(struct batch *b, const char *label, const char *data, size_t len,
          sq_status st, size_t cap)
{
    struct item *it = &b->it[b->n];
    size_t span = data ? header_span(data, len, cap) : 0;

    if (!batch_put(b, label, strlen(label), &it->label) ||
        !batch_put(b, data ? data : "", span, &it->data))
        return 0;
    it->len = span;
    it->st = st;
    b->n++;
    return 1;
}

int
batch_run(sq_msgsrc *src, const struct batch_job *job, FILE *out, size_t *nmsg)
{
    struct batch b;
    const char *data, *label;
    size_t len;
    sq_status st;
    int flags = 0;

    memset(&b, 0, sizeof(b));
    b.job = job;
    b.jobs = job->jobs < 1 ? 1 : job->jobs > MAX_JOBS ? MAX_JOBS : job->jobs;
    b.it = calloc(BATCH_MSGS, sizeof(*b.it));
    b.ends = calloc(BATCH_MSGS, sizeof(*b.ends));
    if (b.it == NULL || b.ends == NULL)
        flags |= BATCH_FAILED;
    for (int i = 0; i < b.jobs; i++) {
        b.w[i].b = &b;
        b.w[i].idx = i;
        if (!worker_open(&b.w[i]))
            flags |= BATCH_FAILED;
    }
    while (!(flags & BATCH_FAILED) &&
           (st = sq_msgsrc_next(src, &data, &len, &label)) != SQ_EEOF) {
        if (!batch_add(&b, label ? label : "",
                       st == SQ_OK || st == SQ_ELIMIT_MESSAGE ? data : NULL,
                       len, st, job->max_copy)) {
            flags |= BATCH_FAILED;
            break;
        }
        (*nmsg)++;
        if (b.n == BATCH_MSGS || b.used >= BATCH_BYTES) {
            flags |= batch_flush(&b, out);
            if (job->progress)
                cli_progress("messages", *nmsg, 0);
        }
    }
    if (b.n > 0)
        flags |= batch_flush(&b, out);
    for (int i = 0; i < b.jobs; i++)
        worker_close(&b.w[i]);
    free(b.buf);
    free(b.it);
    free(b.ends);
    return flags;
}

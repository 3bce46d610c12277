/*
 * cmd_whois.c - `squeaky whois QUERY...`, `squeaky whois -` (one query
 * per line on stdin, answered concurrently, printed in input order) and
 * `squeaky whois --response FILE` (a saved answer, no network).
 *
 * Exit: 0 every query has a contact, 1 some query has none, 2 usage, a
 * bad query or unreadable response, 3 internal error.
 */
#include "cli.h"
#include "whois_out.h"

#include <squeaky/store.h>
#include <squeaky/whois.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_RESPONSE = 1,
    OPT_SERVER,
    OPT_OFFLINE,
    OPT_NO_CACHE,
    OPT_NO_DNS,
    OPT_JOBS,
    OPT_STATS
};

static const struct cli_opt whois_opts[] = {
    {"response", 'r', 1, OPT_RESPONSE, "FILE",
     "parse a saved RDAP JSON or whois text answer (no network)"},
    {"server", 0, 1, OPT_SERVER, "NAME",
     "with --response: the whois server or URL it came from"},
    {"offline", 0, 0, OPT_OFFLINE, NULL,
     "no network: overrides and the offline database only"},
    {"no-cache", 0, 0, OPT_NO_CACHE, NULL, "neither read nor write the cache"},
    {"no-dns", 0, 0, OPT_NO_DNS, NULL,
     "skip the DNS sources (Team Cymru, Abusix, abuse.net)"},
    {"jobs", 'j', 1, OPT_JOBS, "N",
     "concurrent lookups for '-' (default: lookup_jobs)"},
    {"stats", 0, 0, OPT_STATS, NULL,
     "print query, cache and wait counts on stderr at the end"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct whois_run {
    struct cli_common c;
    const char *response, *server;
    unsigned flags;
    long jobs;
    int stats;
};

static int
whois_opt(void *ud, int id, const char *arg)
{
    struct whois_run *r = ud;

    switch (id) {
    case OPT_RESPONSE:
        r->response = arg;
        break;
    case OPT_SERVER:
        r->server = arg;
        break;
    case OPT_OFFLINE:
        r->flags |= SQ_WHOIS_OFFLINE;
        break;
    case OPT_NO_CACHE:
        r->flags |= SQ_WHOIS_NO_CACHE;
        break;
    case OPT_NO_DNS:
        r->flags |= SQ_WHOIS_NO_DNS;
        break;
    case OPT_JOBS:
        if (!cli_parse_long(arg, 1, 64, &r->jobs))
            return cli_err(CLI_USAGE, "--jobs wants 1..64, got '%s'", arg);
        break;
    case OPT_STATS:
        r->stats = 1;
        break;
    }
    return -1;
}

/* ---- one result, formatted into memory (for ordered output) ---- */

struct result {
    char *out;
    size_t len;
    int code; /* CLI_OK, CLI_NOTFOUND, CLI_USAGE, CLI_INTERNAL */
    int done;
};

static int
answer_code(const sq_whois_answer *a)
{
    return sq_whois_answer_ncontacts(a) > 0 ? CLI_OK : CLI_NOTFOUND;
}

/* Move the JSON text of b into res (NULL on out of memory); frees b. */
static void
take_json(struct jbuf *b, struct result *res)
{
    res->out = b->oom ? NULL : malloc(b->len + 1);
    if (res->out != NULL) {
        memcpy(res->out, b->p, b->len);
        res->len = b->len;
    }
    jb_free(b);
}

static void
format_answer(const struct whois_run *r, const sq_whois_answer *a,
              struct result *res)
{
    if (r->c.json) {
        struct jbuf b;

        jb_init(&b);
        whois_json(&b, a);
        jb_raw(&b, "\n", 1);
        take_json(&b, res);
    } else {
        FILE *m = open_memstream(&res->out, &res->len);

        if (m != NULL) {
            whois_text(m, a, 0);
            fclose(m);
        }
    }
    res->code = res->out != NULL ? answer_code(a) : CLI_INTERNAL;
}

static void
format_error(const struct whois_run *r, const char *query, const char *msg,
             int code, struct result *res)
{
    if (r->c.json) {
        struct jbuf b;

        jb_init(&b);
        jb_raw(&b, "{", 1);
        jb_kv_str(&b, "query", query, 1);
        jb_kv_str(&b, "error", msg, 0);
        jb_raw(&b, "}\n", 2);
        take_json(&b, res);
    }
    res->code = code;
}

static void
do_lookup(const struct whois_run *r, sq_whois *w, const char *q,
          struct result *res)
{
    sq_diag *d = sq_diag_new();
    sq_whois_answer *a = NULL;
    sq_status st = sq_whois_lookup(w, q, r->flags, d, &a);

    if (a != NULL) {
        format_answer(r, a, res);
    } else {
        const char *msg = d != NULL && sq_diag_count(d) > 0
                              ? sq_diag_message(d, 0)
                              : sq_strerror(st);

        if (!r->c.json)
            cli_err(0, "%s", msg);
        format_error(r, q, msg, st == SQ_EINVAL ? CLI_USAGE : CLI_INTERNAL,
                     res);
    }
    sq_whois_answer_free(a);
    sq_diag_free(d);
}

/* ---- many queries on N threads, printed in input order ---- */

struct batch {
    const struct whois_run *r;
    sq_whois *w;
    char **queries;
    struct result *res;
    size_t n, next, printed;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static void *
worker(void *arg)
{
    struct batch *b = arg;

    for (;;) {
        size_t i;

        pthread_mutex_lock(&b->lock);
        i = b->next < b->n ? b->next++ : b->n;
        pthread_mutex_unlock(&b->lock);
        if (i >= b->n)
            return NULL;
        do_lookup(b->r, b->w, b->queries[i], &b->res[i]);
        pthread_mutex_lock(&b->lock);
        b->res[i].done = 1;
        pthread_cond_signal(&b->cond);
        pthread_mutex_unlock(&b->lock);
    }
}

static int
print_in_order(struct batch *b)
{
    int worst = CLI_OK;

    pthread_mutex_lock(&b->lock);
    while (b->printed < b->n) {
        struct result *res = &b->res[b->printed];

        while (!res->done)
            pthread_cond_wait(&b->cond, &b->lock);
        pthread_mutex_unlock(&b->lock);
        if (res->out != NULL)
            fwrite(res->out, 1, res->len, stdout);
        free(res->out);
        res->out = NULL;
        if (res->code > worst)
            worst = res->code;
        if (!b->r->c.quiet)
            cli_progress("queries", b->printed + 1, b->printed + 1 == b->n);
        pthread_mutex_lock(&b->lock);
        b->printed++;
    }
    pthread_mutex_unlock(&b->lock);
    return worst;
}

static int
run_batch(const struct whois_run *r, sq_whois *w, char **queries, size_t n)
{
    struct batch b;
    pthread_t th[64];
    long nth = r->jobs > 0 ? r->jobs
                           : (long)sq_config_get_int(r->c.cfg, "lookup_jobs");
    long started = 0;
    int worst;

    memset(&b, 0, sizeof(b));
    b.r = r;
    b.w = w;
    b.queries = queries;
    b.n = n;
    b.res = calloc(n ? n : 1, sizeof(*b.res));
    if (b.res == NULL)
        return cli_err(CLI_INTERNAL, "out of memory");
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.cond, NULL);
    if (nth > (long)n)
        nth = n > 0 ? (long)n : 1;
    for (long i = 0; i < nth && i < 64; i++)
        if (pthread_create(&th[started], NULL, worker, &b) == 0)
            started++;
    if (started == 0)
        worker(&b);
    worst = print_in_order(&b);
    for (long i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_cond_destroy(&b.cond);
    pthread_mutex_destroy(&b.lock);
    free(b.res);
    return worst;
}

/* ---- input ---- */

static void
free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Non-empty, non-comment lines of stdin, trimmed. */
static char **
read_lines(size_t *n)
{
    char *line = NULL, **v = NULL;
    size_t cap = 0, lcap = 0;
    ssize_t len;

    *n = 0;
    while ((len = getline(&line, &lcap, stdin)) >= 0) {
        char *s = line, **nv;

        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
                           s[len - 1] == ' ' || s[len - 1] == '\t'))
            s[--len] = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            nv = realloc(v, cap * sizeof(*v));
            if (nv == NULL)
                break;
            v = nv;
        }
        if ((v[*n] = strdup(s)) == NULL)
            break;
        (*n)++;
    }
    free(line);
    return v;
}

static int
run_response(const struct whois_run *r)
{
    FILE *f = fopen(r->response, "rb");
    size_t cap = (size_t)sq_config_get_int(r->c.cfg, "max_response_bytes");
    char *buf;
    size_t len;
    sq_diag *d;
    sq_whois_answer *a = NULL;
    sq_status st;
    struct result res = {NULL, 0, 0, 0};

    if (f == NULL)
        return cli_err(CLI_USAGE, "%s: %s", r->response, strerror(errno));
    buf = malloc(cap + 1);
    len = buf != NULL ? fread(buf, 1, cap + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return cli_err(CLI_INTERNAL, "out of memory");
    if (len > cap) {
        free(buf);
        return cli_err(CLI_USAGE, "%s: larger than max_response_bytes (%zu)",
                       r->response, cap);
    }
    d = sq_diag_new();
    st = sq_whois_parse_response(buf, len, r->c.nops > 0 ? r->c.ops[0] : NULL,
                                 r->server, d, &a);
    free(buf);
    if (st != SQ_OK) {
        cli_err(CLI_USAGE, "%s: %s", r->response,
                d != NULL && sq_diag_count(d) ? sq_diag_message(d, 0)
                                              : sq_strerror(st));
        sq_diag_free(d);
        return CLI_USAGE;
    }
    sq_diag_free(d);
    format_answer(r, a, &res);
    sq_whois_answer_free(a);
    if (res.out != NULL)
        fwrite(res.out, 1, res.len, stdout);
    free(res.out);
    return res.code;
}

static void
print_stats(sq_whois *w)
{
    sq_whois_stats s;

    sq_whois_get_stats(w, &s);
    fprintf(stderr,
            "squeaky: whois: %lu lookups, %lu cache hits, %lu RDAP, %lu "
            "whois, %lu DNS queries, %lu waits for a token, %lu failures\n",
            s.lookups, s.cache_hits, s.rdap_queries, s.whois_queries,
            s.dns_queries, s.rate_waits, s.failures);
}

static int
run_lookups(struct whois_run *r)
{
    sq_store *store = NULL;
    sq_whois *w = NULL;
    sq_diag *d = sq_diag_new();
    char **queries;
    size_t n;
    int rc;

    if (!(r->flags & SQ_WHOIS_NO_CACHE) &&
        sq_store_open(sq_config_get(r->c.cfg, "store"), d, &store) != SQ_OK) {
        rc = cli_err(CLI_USAGE, "store: %s",
                     d && sq_diag_count(d) ? sq_diag_message(d, 0) : "error");
        sq_diag_free(d);
        return rc;
    }
    if (sq_whois_new(r->c.cfg, store, d, &w) != SQ_OK) {
        for (size_t i = 0; d != NULL && i < sq_diag_count(d); i++)
            cli_err(0, "%s", sq_diag_message(d, i));
        sq_diag_free(d);
        sq_store_close(store);
        return CLI_USAGE;
    }
    sq_diag_free(d);
    if (r->c.nops == 1 && strcmp(r->c.ops[0], "-") == 0) {
        queries = read_lines(&n);
        rc = run_batch(r, w, queries, n);
        free_lines(queries, n);
    } else {
        rc = run_batch(r, w, r->c.ops, (size_t)r->c.nops);
    }
    if (r->stats)
        print_stats(w);
    sq_whois_free(w);
    sq_store_close(store);
    return rc;
}

int
cmd_whois(int argc, char **argv)
{
    struct whois_run r;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = cli_parse(argc, argv, "whois [options] QUERY... | - | --response FILE",
                   "who is responsible for an IP, CIDR, AS, domain or URL: "
                   "abuse contact, network, origin AS, upstreams",
                   whois_opts, whois_opt, &r, &r.c);
    if (rc >= 0)
        return rc;
    if (r.response != NULL)
        rc = run_response(&r);
    else if (r.c.nops == 0)
        rc = cli_err(CLI_USAGE, "no query given (try --help)");
    else
        rc = run_lookups(&r);
    cli_done(&r.c);
    return rc;
}

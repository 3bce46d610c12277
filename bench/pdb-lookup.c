/*
 * pdb-lookup.c - the libsqueaky side of bench/run-db.sh, the twin of
 * mmdb-lookup.c.
 *
 *   pdb-lookup --time DB ADDRS [REPS]  time lookups over pre-parsed
 *                                addresses (best of REPS passes, default
 *                                3), one key=value line
 *   pdb-lookup --lines DB        stdin addresses -> "ip<TAB>asn"
 *                                ("-" no match, "error" not an IP)
 *
 * --time reads the whole address file and turns every line into a
 * binary address first (IPv4 as a host-order uint32, IPv6 as 16 bytes;
 * parsing is not timed), then times on one thread: sq_prefixdb_find4/6
 * alone (the entry handle); address -> ASN with sq_prefixdb_asn4/6 (the
 * ASN, as libmaxminddb's side reads only the ASN); and the batched path,
 * sq_prefixdb_find4_batch over blocks of BATCH IPv4 addresses (IPv6 with
 * find6) + sq_prefixdb_asn.  The ASN sums must equal mmdb-lookup's.
 *
 * Built by run-db.sh: cc -O2 -I include bench/pdb-lookup.c -lsqueaky
 */
#define _POSIX_C_SOURCE 200809L
#include <squeaky/prefixdb.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 256

typedef struct addr {
    uint8_t v6; /* 0: a4 holds the address; 1: a16 */
    uint32_t a4;
    uint8_t a16[16];
} addr;

typedef struct addrs {
    addr *a;
    size_t n, n6;
} addrs;

static int
parse_line(const char *s, size_t len, addr *out)
{
    char buf[64];
    struct in_addr in4;
    while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, &in4) == 1) {
        out->v6 = 0;
        out->a4 = ntohl(in4.s_addr);
        return 1;
    }
    if (inet_pton(AF_INET6, buf, out->a16) == 1) {
        out->v6 = 1;
        return 1;
    }
    return 0;
}

static double
now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long
asn_of(const sq_prefixdb *db, const addr *a)
{
    return a->v6 ? sq_prefixdb_asn6(db, a->a16) : sq_prefixdb_asn4(db, a->a4);
}

static uint32_t
find(const sq_prefixdb *db, const addr *a)
{
    return a->v6 ? sq_prefixdb_find6(db, a->a16) : sq_prefixdb_find4(db, a->a4);
}

static int
load(const char *path, addrs *out)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t cap = 1 << 20, lcap = 0;
    out->a = malloc(cap * sizeof *out->a);
    out->n = out->n6 = 0;
    char *line = NULL;
    ssize_t len;
    while (out->a != NULL && (len = getline(&line, &lcap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (out->n == cap) {
            addr *b = realloc(out->a, 2 * cap * sizeof *b);
            if (b == NULL)
                break;
            out->a = b;
            cap *= 2;
        }
        if (parse_line(line, (size_t)len, &out->a[out->n])) {
            out->n6 += out->a[out->n].v6;
            out->n++;
        }
    }
    free(line);
    fclose(f);
    return out->a != NULL && out->n > 0;
}

/* Sum of the ASNs of handles h[0..n-1]; *with counts those with one. */
static unsigned long long
asn_sum(const sq_prefixdb *db, const uint32_t *h, size_t n, size_t *with)
{
    unsigned long long sum = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long asn = sq_prefixdb_asn(db, h[i]);

        if (asn != 0) {
            sum += asn;
            (*with)++;
        }
    }
    return sum;
}

/* The batched pass: IPv4 runs of up to BATCH go through find4_batch. */
static unsigned long long
batched(const sq_prefixdb *db, const addrs *v, size_t *with)
{
    uint32_t in[BATCH], out[BATCH];
    unsigned long long sum = 0;
    size_t i = 0;
    while (i < v->n) {
        size_t k = 0;
        while (i < v->n && k < BATCH && !v->a[i].v6)
            in[k++] = v->a[i++].a4;
        if (k > 0) {
            sq_prefixdb_find4_batch(db, in, k, out);
            sum += asn_sum(db, out, k, with);
        }
        while (i < v->n && v->a[i].v6) {
            uint32_t h = sq_prefixdb_find6(db, v->a[i++].a16);
            sum += asn_sum(db, &h, 1, with);
        }
    }
    return sum;
}

/* Keep the smaller of two times. */
static void
keep_min(double *best, double t)
{
    if (*best < 0 || t < *best)
        *best = t;
}

typedef struct pass_times {
    double w[3], c[3]; /* find, find + entry, batched; best of reps */
} pass_times;

static int
run_time(const sq_prefixdb *db, const char *path, int reps)
{
    addrs v;
    if (!load(path, &v)) {
        fprintf(stderr, "pdb-lookup: cannot read addresses from %s\n", path);
        free(v.a);
        return 1;
    }
    size_t n = v.n, found = 0, with = 0, bwith = 0;
    unsigned long long sum = 0, bsum = 0;
    pass_times t = {{-1, -1, -1}, {-1, -1, -1}};
    for (int rep = 0; rep < reps; rep++) {
        found = with = bwith = 0;
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < n; i++)
            found += find(db, &v.a[i]) != 0;
        double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
        sum = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned long asn = asn_of(db, &v.a[i]);

            sum += asn;
            with += asn != 0;
        }
        double w2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
        bsum = batched(db, &v, &bwith);
        double w3 = now(CLOCK_MONOTONIC), c3 = now(CLOCK_PROCESS_CPUTIME_ID);
        keep_min(&t.w[0], w1 - w0);
        keep_min(&t.c[0], c1 - c0);
        keep_min(&t.w[1], w2 - w1);
        keep_min(&t.c[1], c2 - c1);
        keep_min(&t.w[2], w3 - w2);
        keep_min(&t.c[2], c3 - c2);
    }
    double k = 1e9 / (double)n;
    printf("impl=squeaky addrs=%zu v6=%zu reps=%d found=%zu with_asn=%zu "
           "asn_sum=%llu batch_asn_sum=%llu find_ns=%.1f find_cpu_ns=%.1f "
           "entry_ns=%.1f entry_cpu_ns=%.1f batch_ns=%.1f "
           "batch_cpu_ns=%.1f\n",
           n, v.n6, reps, found, with, sum, bsum, t.w[0] * k, t.c[0] * k,
           t.w[1] * k, t.c[1] * k, t.w[2] * k, t.c[2] * k);
    free(v.a);
    return bsum == sum && bwith == with ? 0 : 1;
}

static int
run_lines(const sq_prefixdb *db)
{
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        addr a;
        if (!parse_line(line, (size_t)len, &a)) {
            printf("%s\terror\n", line);
            continue;
        }
        unsigned long asn = asn_of(db, &a);
        if (asn != 0)
            printf("%s\t%lu\n", line, asn);
        else
            printf("%s\t-\n", line);
    }
    free(line);
    return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
    int timed = (argc == 4 || argc == 5) && strcmp(argv[1], "--time") == 0;
    long reps = 3;
    if (timed && argc == 5) {
        char *end;
        reps = strtol(argv[4], &end, 10);
        if (*end != '\0' || reps < 1 || reps > 100)
            timed = 0;
    }
    if (!timed && !(argc == 3 && strcmp(argv[1], "--lines") == 0)) {
        fprintf(stderr,
                "usage: pdb-lookup --time DB ADDRS [REPS] | --lines DB\n");
        return 2;
    }
    sq_diag *d = sq_diag_new();
    sq_prefixdb *db = NULL;
    if (d == NULL || sq_prefixdb_open(argv[2], d, &db) != SQ_OK) {
        fprintf(stderr, "pdb-lookup: %s: %s\n", argv[2],
                d != NULL && sq_diag_count(d) > 0 ? sq_diag_message(d, 0)
                                                  : "cannot open");
        sq_diag_free(d);
        return 1;
    }
    int rc = timed ? run_time(db, argv[3], (int)reps) : run_lines(db);
    sq_prefixdb_close(db);
    sq_diag_free(d);
    return rc;
}

/*
 * mmdb-lookup.c - the libmaxminddb side of bench/run-db.sh.
 *
 *   mmdb-lookup --time DB.mmdb ADDRS [REPS]  time lookups over
 *                                      pre-parsed addresses (best of REPS
 *                                      passes, default 3), one line
 *   mmdb-lookup --lines DB.mmdb        stdin addresses -> "ip<TAB>asn"
 *                                      ("-" no match, "error" not an IP)
 *
 * --time reads the whole address file and turns every line into a
 * sockaddr first (parsing is not timed), then times two passes on one
 * thread: MMDB_lookup_sockaddr alone, and MMDB_lookup_sockaddr +
 * MMDB_get_value("autonomous_system_number").  Wall and CPU time per
 * lookup are printed, with the sum of the ASNs as a cross-check against
 * pdb-lookup.  --lines is the "libmaxminddb-based equivalent" of
 * `squeaky db lookup -`: inet_pton + MMDB_lookup_sockaddr per line.
 *
 * Built by run-db.sh: cc -O2 bench/mmdb-lookup.c -lmaxminddb
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

typedef union addr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
} addr;

/* One line -> sockaddr; 0 when it is not an address. */
static int
parse_line(const char *s, size_t len, addr *out)
{
    char buf[64];
    while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, &out->in4.sin_addr) == 1) {
        out->in4.sin_family = AF_INET;
        return 1;
    }
    if (inet_pton(AF_INET6, buf, &out->in6.sin6_addr) == 1) {
        out->in6.sin6_family = AF_INET6;
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

static int
get_asn(MMDB_lookup_result_s *r, uint32_t *asn)
{
    MMDB_entry_data_s d;
    if (MMDB_get_value(&r->entry, &d, "autonomous_system_number", NULL) !=
            MMDB_SUCCESS ||
        !d.has_data || d.type != MMDB_DATA_TYPE_UINT32)
        return 0;
    *asn = d.uint32;
    return 1;
}

static addr *
load(const char *path, size_t *n_out, size_t *n6_out)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 20, n = 0, n6 = 0, lcap = 0;
    addr *a = malloc(cap * sizeof *a);
    char *line = NULL;
    ssize_t len;
    while (a != NULL && (len = getline(&line, &lcap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (n == cap) {
            addr *b = realloc(a, 2 * cap * sizeof *a);
            if (b == NULL) {
                free(a);
                a = NULL;
                break;
            }
            a = b;
            cap *= 2;
        }
        if (parse_line(line, (size_t)len, &a[n])) {
            n6 += a[n].sa.sa_family == AF_INET6;
            n++;
        }
    }
    free(line);
    fclose(f);
    *n_out = n;
    *n6_out = n6;
    return a;
}

/* Keep the smaller of two times. */
static void
keep_min(double *best, double t)
{
    if (*best < 0 || t < *best)
        *best = t;
}

static int
run_time(MMDB_s *db, const char *path, int reps)
{
    size_t n, n6;
    addr *a = load(path, &n, &n6);
    if (a == NULL || n == 0) {
        fprintf(stderr, "mmdb-lookup: cannot read addresses from %s\n", path);
        free(a);
        return 1;
    }
    int err;
    size_t found = 0, withasn = 0;
    unsigned long long sum = 0;
    double fw = -1, fc = -1, ew = -1, ec = -1; /* best of reps */
    for (int rep = 0; rep < reps; rep++) {
        found = withasn = 0;
        sum = 0;
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
            MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, &a[i].sa, &err);
            found += r.found_entry;
        }
        double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
            MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, &a[i].sa, &err);
            uint32_t asn;
            if (r.found_entry && get_asn(&r, &asn)) {
                sum += asn;
                withasn++;
            }
        }
        double w2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
        keep_min(&fw, w1 - w0);
        keep_min(&fc, c1 - c0);
        keep_min(&ew, w2 - w1);
        keep_min(&ec, c2 - c1);
    }
    double dn = (double)n;
    printf("impl=libmaxminddb addrs=%zu v6=%zu reps=%d found=%zu "
           "with_asn=%zu asn_sum=%llu find_ns=%.1f find_cpu_ns=%.1f "
           "entry_ns=%.1f entry_cpu_ns=%.1f\n",
           n, n6, reps, found, withasn, sum, fw * 1e9 / dn, fc * 1e9 / dn,
           ew * 1e9 / dn, ec * 1e9 / dn);
    free(a);
    return 0;
}

static int
run_lines(MMDB_s *db)
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
        int err;
        uint32_t asn;
        if (!parse_line(line, (size_t)len, &a)) {
            printf("%s\terror\n", line);
            continue;
        }
        MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, &a.sa, &err);
        if (err == MMDB_SUCCESS && r.found_entry && get_asn(&r, &asn))
            printf("%s\t%lu\n", line, (unsigned long)asn);
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
                "usage: mmdb-lookup --time DB ADDRS [REPS] | --lines DB\n");
        return 2;
    }
    MMDB_s db;
    int st = MMDB_open(argv[2], MMDB_MODE_MMAP, &db);
    if (st != MMDB_SUCCESS) {
        fprintf(stderr, "mmdb-lookup: %s: %s\n", argv[2], MMDB_strerror(st));
        return 1;
    }
    int rc = timed ? run_time(&db, argv[3], (int)reps) : run_lines(&db);
    MMDB_close(&db);
    return rc;
}

/*
 * scan_out.c - what `squeaky scan` prints: events (JSON Lines with
 * --json, one text line each with --follow) and the per-source summary.
 */
#include "scan_run.h"

#include <squeaky/report.h>

#include <stdlib.h>
#include <string.h>

static void
zone_text(int minutes, char *buf, size_t len)
{
    int m = minutes < 0 ? -minutes : minutes;

    snprintf(buf, len, "%c%02d:%02d", minutes < 0 ? '-' : '+', m / 60, m % 60);
}

static void
kv_port(struct jbuf *b, const char *key, unsigned port)
{
    jb_key(b, key, 0);
    if (port > 0) {
        char n[8];
        int k = snprintf(n, sizeof(n), "%u", port);

        jb_raw(b, n, (size_t)k);
    } else {
        jb_raw(b, "null", 4);
    }
}

static void
kv_str_null(struct jbuf *b, const char *key, const char *v)
{
    if (v != NULL && v[0] != '\0') {
        jb_kv_str(b, key, v, 0);
    } else {
        jb_key(b, key, 0);
        jb_raw(b, "null", 4);
    }
}

static void
print_json(const struct scan_ev *e)
{
    const sq_scan_hit *h = &e->h;
    char t[40], z[16], ip[46];
    struct jbuf b;

    jb_init(&b);
    jb_raw(&b, "{", 1);
    cli_iso_time(h->time, 1, t, sizeof(t));
    jb_key(&b, "time", 1);
    if (t[0] != '\0')
        jb_str(&b, t);
    else
        jb_raw(&b, "null", 4);
    zone_text(h->zone, z, sizeof(z));
    kv_str_null(&b, "zone", h->zone_known ? z : NULL);
    if (sq_ip_canon(h->ip, strlen(h->ip), ip, sizeof(ip)) != SQ_OK)
        snprintf(ip, sizeof(ip), "%s", h->ip);
    jb_kv_str(&b, "source_ip", ip, 0);
    kv_port(&b, "source_port", h->source_port);
    kv_port(&b, "dest_port", h->dest_port);
    kv_str_null(&b, "service", h->service);
    jb_kv_str(&b, "category", "connection", 0);
    jb_kv_str(&b, "type", sq_report_kind_name(h->kind), 0);
    kv_str_null(&b, "user", h->user);
    jb_kv_str(&b, "format", e->format, 0);
    jb_kv_str(&b, "file", e->file, 0);
    if (e->lineno > 0) {
        jb_kv_int(&b, "line", (long long)e->lineno, 0);
    } else {
        jb_key(&b, "line", 0);
        jb_raw(&b, "null", 4);
    }
    kv_str_null(&b, "dest_ip", h->dest_ip);
    kv_str_null(&b, "protocol", h->protocol);
    jb_kv_int(&b, "count", h->count ? (long long)h->count : 1, 0);
    jb_kv_bool(&b, "helper", h->helper, 0);
    jb_key(&b, "text", 0);
    {
        char *tmp = malloc(h->len + 1);

        if (tmp != NULL) {
            memcpy(tmp, h->line, h->len);
            tmp[h->len] = '\0';
            jb_str(&b, tmp);
            free(tmp);
        } else {
            b.oom = 1;
        }
    }
    jb_raw(&b, "}\n", 2);
    jb_flush(&b, stdout);
    jb_free(&b);
}

void
scan_print_event(const struct scan_run *r, const struct scan_ev *e)
{
    char t[40];

    if (r->c.json) {
        print_json(e);
        return;
    }
    cli_iso_time(e->h.time, 0, t, sizeof(t));
    printf("%s %s %s %s", t, e->h.ip, sq_report_kind_name(e->h.kind),
           e->h.service != NULL && e->h.service[0] ? e->h.service : "-");
    if (e->h.dest_port > 0)
        printf(" port %u", e->h.dest_port);
    if (e->h.user != NULL && e->h.user[0] != '\0') {
        printf(" user ");
        cli_put_safe(stdout, e->h.user, strlen(e->h.user));
    }
    printf(" (%s)\n", e->file);
}

/* ---- sources ---- */

static const sq_scan_agg *rank_agg;

static int
by_attempts(const void *a, const void *b)
{
    const sq_scan_src *x = sq_scan_agg_get(rank_agg, *(const size_t *)a);
    const sq_scan_src *y = sq_scan_agg_get(rank_agg, *(const size_t *)b);
    unsigned long nx = sq_scan_src_attempts(x), ny = sq_scan_src_attempts(y);

    if (nx != ny)
        return nx < ny ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

size_t *
scan_ranked(const struct scan_run *r, size_t *n, int *oom)
{
    size_t total = sq_scan_agg_count(r->agg), k = 0;
    size_t *v;

    *n = 0;
    *oom = 0;
    if (total == 0)
        return NULL;
    if ((v = malloc(total * sizeof(*v))) == NULL) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < total; i++)
        if (sq_scan_src_attempts(sq_scan_agg_get(r->agg, i)) >=
            (unsigned long)r->min_events)
            v[k++] = i;
    rank_agg = r->agg;
    qsort(v, k, sizeof(*v), by_attempts);
    *n = k;
    return v;
}

static void
print_list(const sq_scan_agg *a, const sq_scan_src *s, int users)
{
    size_t n = users ? sq_scan_src_nusers(s) : sq_scan_src_nports(s);

    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            putchar(',');
        if (users) {
            const char *u = sq_scan_src_user(a, s, i);

            cli_put_safe(stdout, u, strlen(u));
        } else {
            printf("%u", sq_scan_src_port(s, i));
        }
    }
    if (users ? sq_scan_src_users_more(s) : sq_scan_src_ports_more(s))
        printf(",...");
}

static void
summary_text(const struct scan_run *r, const sq_scan_src *s)
{
    char ip[46], t1[40], t2[40];

    cli_iso_time(sq_scan_src_first(s), 0, t1, sizeof(t1));
    cli_iso_time(sq_scan_src_last(s), 0, t2, sizeof(t2));
    printf("%-39s %-18s %7lu  %s .. %s", sq_scan_src_ip(s, ip),
           sq_report_kind_name(sq_scan_src_kind(s)), sq_scan_src_attempts(s),
           t1, t2);
    for (size_t i = 0; i < sq_scan_src_nservices(s); i++)
        printf("%s%s", i ? "," : "  ", sq_scan_src_service(r->agg, s, i));
    if (sq_scan_src_nports(s) > 0) {
        printf("  ports ");
        print_list(r->agg, s, 0);
    }
    if (sq_scan_src_nusers(s) > 0) {
        printf("  users ");
        print_list(r->agg, s, 1);
    }
    putchar('\n');
}

int
scan_print_summary(struct scan_run *r)
{
    size_t n, *v;
    int oom;

    v = scan_ranked(r, &n, &oom);
    if (oom)
        return cli_err(CLI_INTERNAL, "out of memory");
    if (n > 0)
        printf("%-39s %-18s %7s  %s\n", "source", "kind", "attempts",
               "first .. last (UTC)  services  ports  users");
    for (size_t i = 0; i < n; i++)
        summary_text(r, sq_scan_agg_get(r->agg, v[i]));
    free(v);
    return CLI_OK;
}

void
scan_print_stats(const struct scan_run *r)
{
    size_t n = 0, total = sq_scan_agg_count(r->agg);
    char src[128] = "";

    for (size_t i = 0; i < total; i++)
        if (sq_scan_src_attempts(sq_scan_agg_get(r->agg, i)) >=
            (unsigned long)r->min_events)
            n++;
    if (total > 0)
        snprintf(src, sizeof(src),
                 ", %zu sources (%zu with at least %ld attempts)", total, n,
                 r->min_events);
    cli_err(0,
            "%llu lines, %llu events%s; %llu allowlisted, %llu outside the "
            "time window",
            r->lines, r->events, src, r->allowed, r->outside);
}

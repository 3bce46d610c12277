/*
 * cache.c - whois answers cached in the store, per covering range (IP
 * and CIDR queries) or per key (AS numbers, domains).
 *
 * Ranges: a row holds [lo, hi] as the 16-byte sq_ipaddr.b written as 32
 * lower-case hex digits, which sort like the 128-bit numbers, with fam 4
 * or 6 (IPv4 is kept v4-mapped, so both families share one number line
 * and fam keeps them apart).  The answer for an address is the most
 * specific live range that covers it: among rows with lo <= ip <= hi and
 * expires > now, the largest lo, then the smallest hi.  A row with a
 * NULL json is a negative entry ("nobody knows this range").
 *
 * Every put also deletes expired rows of its table, a few at a time: the
 * rows whose lo (or key) is one of CACHE_PURGE expired ones, found by the
 * expires index and deleted by primary key probes (a row-value IN list
 * made SQLite scan the whole family), so the tables do not grow without
 * bound and no put pays for more than a few deletes.  Times are epoch seconds
 * chosen by the caller.
 *
 * Ownership: *json from a get is malloc'd, the caller frees it.
 * Limits: keys up to CACHE_KEY_MAX bytes, json up to CACHE_JSON_MAX.
 */
#include "whois/whois_int.h"

#include <stdlib.h>
#include <string.h>

enum {
    CACHE_PURGE = 16,
    CACHE_KEY_MAX = 512,
    CACHE_JSON_MAX = 4 << 20,
    CACHE_HEX = 33 /* 32 digits + NUL */
};

static const char *const cache_steps[] = {
    /* version 1 */
    "CREATE TABLE whois_cache_range("
    " fam BIGINT NOT NULL, lo TEXT NOT NULL, hi TEXT NOT NULL,"
    " json TEXT NULL, fetched BIGINT NOT NULL, expires BIGINT NOT NULL,"
    " PRIMARY KEY(fam, lo, hi));"
    "CREATE INDEX whois_cache_range_expires ON whois_cache_range(expires);"
    "CREATE TABLE whois_cache_key("
    " key TEXT PRIMARY KEY, json TEXT NULL,"
    " fetched BIGINT NOT NULL, expires BIGINT NOT NULL);"
    "CREATE INDEX whois_cache_key_expires ON whois_cache_key(expires);"
    "CREATE TABLE whois_registry_state("
    " registry TEXT PRIMARY KEY, blocked_until BIGINT NOT NULL)",
};

sq_status
wc_migrate(sq_store *s, sq_diag *d)
{
    return sq_store_migrate(s, "whois", cache_steps,
                            sizeof(cache_steps) / sizeof(cache_steps[0]), d);
}

static void
cache_hex(const sq_ipaddr *a, char out[CACHE_HEX])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < 16; i++) {
        out[2 * i] = digits[a->b[i] >> 4];
        out[2 * i + 1] = digits[a->b[i] & 15];
    }
    out[32] = '\0';
}

/* ---- reads ---- */

typedef struct cache_hit {
    int found;
    char *json;
    sq_status st;
} cache_hit;

static int
cache_row(void *arg, const sq_value *cols, size_t ncols)
{
    cache_hit *h = arg;

    h->found = 1;
    if (ncols != 1 || cols[0].type == SQ_VAL_NULL)
        return 1;
    if (cols[0].type != SQ_VAL_TEXT || cols[0].len > CACHE_JSON_MAX) {
        h->st = SQ_EPARSE;
        return 1;
    }
    if ((h->json = malloc(cols[0].len + 1)) == NULL) {
        h->st = SQ_ENOMEM;
        return 1;
    }
    memcpy(h->json, cols[0].s, cols[0].len);
    h->json[cols[0].len] = '\0';
    return 1;
}

static sq_status
cache_get(sq_store *s, const char *sql, const sq_value *p, size_t np,
          char **json, sq_diag *d)
{
    cache_hit h = {0, NULL, SQ_OK};
    sq_status st;

    if (json == NULL)
        return SQ_EINVAL;
    st = sq_store_exec(s, sql, p, np, cache_row, &h, d);
    if (st == SQ_OK)
        st = h.st;
    if (st == SQ_OK && !h.found)
        st = SQ_ENOTFOUND;
    if (st != SQ_OK) {
        free(h.json);
        return st;
    }
    *json = h.json;
    return SQ_OK;
}

sq_status
wc_get_ip(sq_store *s, const sq_ipaddr *a, long long now, char **json,
          sq_diag *d)
{
    char ip[CACHE_HEX];
    sq_value p[3];

    if (s == NULL || a == NULL)
        return SQ_EINVAL;
    cache_hex(a, ip);
    p[0] = SQ_VINT(a->v4 ? 4 : 6);
    p[1] = SQ_VTEXTN(ip, 32);
    p[2] = SQ_VINT(now);
    return cache_get(s,
                     "SELECT json FROM whois_cache_range"
                     " WHERE fam = $1 AND lo <= $2 AND hi >= $2"
                     " AND expires > $3 ORDER BY lo DESC, hi ASC LIMIT 1",
                     p, 3, json, d);
}

static int
cache_key_ok(const char *key)
{
    size_t n = key ? strnlen(key, CACHE_KEY_MAX + 1) : 0;

    return n > 0 && n <= CACHE_KEY_MAX;
}

sq_status
wc_get_key(sq_store *s, const char *key, long long now, char **json, sq_diag *d)
{
    sq_value p[2];

    if (s == NULL || !cache_key_ok(key))
        return SQ_EINVAL;
    p[0] = SQ_VTEXT(key);
    p[1] = SQ_VINT(now);
    return cache_get(s,
                     "SELECT json FROM whois_cache_key"
                     " WHERE key = $1 AND expires > $2",
                     p, 2, json, d);
}

/* ---- writes ---- */

static sq_value
cache_json_value(const char *json)
{
    if (json == NULL)
        return SQ_VNULL;
    return SQ_VTEXT(json);
}

/* Best effort: a failed purge must not fail the put. */
static void
cache_purge(sq_store *s, const char *sql, long long now)
{
    sq_value p[2] = {SQ_VINT(now), SQ_VINT(CACHE_PURGE)};

    (void)sq_store_exec(s, sql, p, 2, NULL, NULL, NULL);
}

sq_status
wc_put_range(sq_store *s, const sq_ipaddr *lo, const sq_ipaddr *hi,
             const char *json, long long now, long long expires, sq_diag *d)
{
    char l[CACHE_HEX], h[CACHE_HEX];
    sq_value p[6];
    sq_status st;

    if (s == NULL || lo == NULL || hi == NULL || lo->v4 != hi->v4 ||
        memcmp(lo->b, hi->b, 16) > 0 ||
        (json != NULL && strnlen(json, CACHE_JSON_MAX + 1) > CACHE_JSON_MAX)) {
        sq_diag_addf(d, NULL, 0, "whois cache: bad range or answer");
        return SQ_EINVAL;
    }
    cache_hex(lo, l);
    cache_hex(hi, h);
    p[0] = SQ_VINT(lo->v4 ? 4 : 6);
    p[1] = SQ_VTEXTN(l, 32);
    p[2] = SQ_VTEXTN(h, 32);
    p[3] = cache_json_value(json);
    p[4] = SQ_VINT(now);
    p[5] = SQ_VINT(expires);
    st = sq_store_exec(s,
                       "INSERT INTO whois_cache_range"
                       "(fam, lo, hi, json, fetched, expires)"
                       " VALUES($1, $2, $3, $4, $5, $6)"
                       " ON CONFLICT(fam, lo, hi) DO UPDATE SET"
                       " json = excluded.json, fetched = excluded.fetched,"
                       " expires = excluded.expires",
                       p, 6, NULL, NULL, d);
    if (st == SQ_OK)
        cache_purge(s,
                    "DELETE FROM whois_cache_range WHERE fam IN (4, 6)"
                    " AND lo IN (SELECT lo FROM whois_cache_range"
                    " WHERE expires <= $1 LIMIT $2) AND expires <= $1",
                    now);
    return st;
}

sq_status
wc_put_key(sq_store *s, const char *key, const char *json, long long now,
           long long expires, sq_diag *d)
{
    sq_value p[4];
    sq_status st;

    if (s == NULL || !cache_key_ok(key) ||
        (json != NULL && strnlen(json, CACHE_JSON_MAX + 1) > CACHE_JSON_MAX)) {
        sq_diag_addf(d, NULL, 0, "whois cache: bad key or answer");
        return SQ_EINVAL;
    }
    p[0] = SQ_VTEXT(key);
    p[1] = cache_json_value(json);
    p[2] = SQ_VINT(now);
    p[3] = SQ_VINT(expires);
    st =
        sq_store_exec(s,
                      "INSERT INTO whois_cache_key(key, json, fetched, expires)"
                      " VALUES($1, $2, $3, $4)"
                      " ON CONFLICT(key) DO UPDATE SET"
                      " json = excluded.json, fetched = excluded.fetched,"
                      " expires = excluded.expires",
                      p, 4, NULL, NULL, d);
    if (st == SQ_OK)
        cache_purge(s,
                    "DELETE FROM whois_cache_key WHERE key IN"
                    " (SELECT key FROM whois_cache_key"
                    " WHERE expires <= $1 LIMIT $2) AND expires <= $1",
                    now);
    return st;
}

/*
 * prefixdb_test.c - the prefix database builder and reader, driven
 * through pdb_* directly (no importer): minimal prefix sets, nesting,
 * source priority, IPv6 and v4-mapped, boundaries, /0, a randomised
 * check against a naive scan, AS table, info, atomic writes and
 * corrupt files.  With /tmp/ipdb/package/asn-ipv4.csv present it also
 * prints (never asserts) build and lookup timings.
 */
#include "prefixdb/pdb_int.h"
#include "sqtest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];

static void
add(sq_prefixdb_builder *b, int src, const char *lo, const char *hi,
    uint32_t asn, const char *name, const char *cc, const char *reg,
    const char *abuse)
{
    sq_ipaddr a, z;
    int ok = sq_ipaddr_parse(lo, strlen(lo), &a) &&
             sq_ipaddr_parse(hi, strlen(hi), &z);

    SQ_CHECK(ok, "parse %s-%s", lo, hi);
    if (ok)
        SQ_CHECK(pdb_add_range(b, src, a.b, z.b, a.v4, asn, name, cc, reg,
                               abuse) == SQ_OK,
                 "add %s-%s", lo, hi);
}

static sq_prefixdb *
finish(sq_prefixdb_builder *b, const char *name)
{
    char path[128];
    sq_prefixdb *db = NULL;
    sq_diag *d = sq_diag_new();
    sq_status st;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    st = sq_prefixdb_builder_write(b, path, d);
    SQ_CHECK(st == SQ_OK, "write %s: %s", name, sq_strerror(st));
    sq_prefixdb_builder_free(b);
    st = sq_prefixdb_open(path, d, &db);
    SQ_CHECK(st == SQ_OK, "open %s: %s (%s)", name, sq_strerror(st),
             sq_diag_count(d) > 0 ? sq_diag_message(d, 0) : "");
    sq_diag_free(d);
    return db;
}

/* ip -> want prefix ("" none), asn */
static void
expect(const sq_prefixdb *db, const char *ip, const char *pfx,
       unsigned long asn)
{
    sq_prefixdb_result r;
    sq_status st = sq_prefixdb_lookup(db, ip, strlen(ip), &r);

    if (pfx[0] == '\0') {
        SQ_CHECK(st == SQ_ENOTFOUND, "%s: want no match, got %s", ip,
                 st == SQ_OK ? r.prefix : sq_strerror(st));
        return;
    }
    SQ_CHECK(st == SQ_OK, "%s: %s", ip, sq_strerror(st));
    if (st != SQ_OK)
        return;
    SQ_CHECK_STR(r.prefix, pfx, "%s", ip);
    SQ_CHECK(r.asn == asn, "%s: asn %lu want %lu", ip, r.asn, asn);
}

static void
test_minimal_sets(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    sq_prefixdb_info info;
    int s;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_IPLOCDB, "CC-BY-4.0", "2026-11-01");
    add(b, s, "1.0.4.0", "1.0.7.255", 38803, "Gtelecom", NULL, NULL, NULL);
    add(b, s, "1.0.0.1", "1.0.0.6", 7, "Seven", NULL, NULL, NULL);
    db = finish(b, "min.db");
    if (db == NULL)
        return;
    sq_prefixdb_get_info(db, &info);
    SQ_CHECK(info.prefixes4 == 5, "1 + 4 prefixes, got %zu", info.prefixes4);
    expect(db, "1.0.5.5", "1.0.4.0/22", 38803);
    expect(db, "1.0.4.0", "1.0.4.0/22", 38803);
    expect(db, "1.0.7.255", "1.0.4.0/22", 38803);
    expect(db, "1.0.3.255", "", 0);
    expect(db, "1.0.8.0", "", 0);
    expect(db, "1.0.0.0", "", 0);
    expect(db, "1.0.0.1", "1.0.0.1/32", 7);
    expect(db, "1.0.0.2", "1.0.0.2/31", 7);
    expect(db, "1.0.0.3", "1.0.0.2/31", 7);
    expect(db, "1.0.0.4", "1.0.0.4/31", 7);
    expect(db, "1.0.0.5", "1.0.0.4/31", 7);
    expect(db, "1.0.0.6", "1.0.0.6/32", 7);
    expect(db, "1.0.0.7", "", 0);
    sq_prefixdb_close(db);
}

static void
test_nested(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    int s;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_PFX2AS, NULL, NULL);
    add(b, s, "10.1.2.0", "10.1.2.255", 3, NULL, NULL, NULL, NULL);
    add(b, s, "10.0.0.0", "10.255.255.255", 1, NULL, NULL, NULL, NULL);
    add(b, s, "10.1.0.0", "10.1.255.255", 2, NULL, NULL, NULL, NULL);
    db = finish(b, "nested.db");
    if (db == NULL)
        return;
    expect(db, "9.255.255.255", "", 0);
    expect(db, "10.0.0.0", "10.0.0.0/8", 1);
    expect(db, "10.0.255.255", "10.0.0.0/8", 1);
    expect(db, "10.1.0.0", "10.1.0.0/16", 2);
    expect(db, "10.1.1.255", "10.1.0.0/16", 2);
    expect(db, "10.1.2.0", "10.1.2.0/24", 3);
    expect(db, "10.1.2.255", "10.1.2.0/24", 3);
    expect(db, "10.1.3.0", "10.1.0.0/16", 2);
    expect(db, "10.1.255.255", "10.1.0.0/16", 2);
    expect(db, "10.2.0.0", "10.0.0.0/8", 1);
    expect(db, "10.255.255.255", "10.0.0.0/8", 1);
    expect(db, "11.0.0.0", "", 0);
    expect(db, "::ffff:10.1.2.3", "10.1.2.0/24", 3);
    sq_prefixdb_close(db);
}

static void
test_priority(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    sq_prefixdb_result r;
    int loc, pfx, del;

    sq_prefixdb_builder_new(&b);
    loc = pdb_source(b, SQ_PDB_IPLOCDB, "CC-BY-4.0 RouteViews, DB-IP", "");
    pfx = pdb_source(b, SQ_PDB_PFX2AS, NULL, "20261101");
    del = pdb_source(b, SQ_PDB_DELEGATED, NULL, "20261102");
    add(b, loc, "20.0.0.0", "20.0.255.255", 100, "LocDB Org", NULL, NULL, NULL);
    add(b, pfx, "20.0.0.0", "20.0.255.255", 200, NULL, NULL, NULL, NULL);
    add(b, loc, "20.1.0.0", "20.1.255.255", 300, "Only LocDB", "DE", NULL,
        NULL);
    add(b, del, "20.0.0.0", "21.255.255.255", 0, NULL, "US", "arin", NULL);
    db = finish(b, "prio.db");
    if (db == NULL)
        return;
    SQ_CHECK(sq_prefixdb_lookup(db, "20.0.1.1", 8, &r) == SQ_OK, "20.0.1.1");
    SQ_CHECK(r.asn == 200, "pfx2as wins: %lu", r.asn);
    SQ_CHECK(sq_prefixdb_asn(db, sq_prefixdb_find4(db, 0x14000101u)) == 200,
             "sq_prefixdb_asn agrees with the entry");
    SQ_CHECK(sq_prefixdb_asn(db, 0) == 0, "sq_prefixdb_asn of handle 0");
    SQ_CHECK_STR(r.source, "pfx2as", "winner's source");
    SQ_CHECK_STR(r.as_name, "LocDB Org", "empty name filled");
    SQ_CHECK_STR(r.country, "US", "country from delegated");
    SQ_CHECK_STR(r.registry, "arin", "registry from delegated");
    SQ_CHECK_STR(r.prefix, "20.0.0.0/16", "prefix of the winner");
    SQ_CHECK(sq_prefixdb_lookup(db, "20.1.0.1", 8, &r) == SQ_OK, "20.1.0.1");
    SQ_CHECK_STR(r.country, "DE", "own country kept");
    SQ_CHECK_STR(r.registry, "arin", "missing registry filled");
    SQ_CHECK_STR(r.source, "ip-location-db", "source");
    SQ_CHECK(sq_prefixdb_lookup(db, "21.0.0.1", 8, &r) == SQ_OK, "21.0.0.1");
    SQ_CHECK_STR(r.source, "delegated", "delegated alone answers");
    SQ_CHECK(r.asn == 0, "no asn");
    SQ_CHECK_STR(r.prefix, "20.0.0.0/7", "delegated prefix");
    expect(db, "22.0.0.0", "", 0);
    sq_prefixdb_close(db);
}

static void
test_v6(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    sq_prefixdb_info info;
    uint8_t m[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9};
    sq_prefixdb_result r;
    int s;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_IPTOASN, NULL, NULL);
    add(b, s, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 64500,
        "Doc", NULL, NULL, NULL);
    add(b, s, "2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", 64501,
        NULL, NULL, NULL, NULL);
    add(b, s, "2001:db8:1:2:3::", "2001:db8:1:2:3:ffff:ffff:ffff", 64502, NULL,
        NULL, NULL, NULL);
    add(b, s, "192.0.2.0", "192.0.2.255", 64496, NULL, NULL, NULL, NULL);
    {
        uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18},
                hi[16] = {0, 0, 0,    0,    0,   0,  0,    0,
                          0, 0, 0xff, 0xff, 198, 18, 0xff, 0xff};

        SQ_CHECK(pdb_add_range(b, s, lo, hi, 0, 64497, NULL, NULL, NULL,
                               NULL) == SQ_OK,
                 "v4-mapped range given as IPv6");
        hi[11] = 0;
        SQ_CHECK(pdb_add_range(b, s, lo, hi, 1, 1, NULL, NULL, NULL, NULL) ==
                     SQ_EINVAL,
                 "v4 flag with a non-mapped end");
        hi[11] = 0xff;
        SQ_CHECK(pdb_add_range(b, s, hi, lo, 1, 1, NULL, NULL, NULL, NULL) ==
                     SQ_EINVAL,
                 "lo > hi");
    }
    db = finish(b, "v6.db");
    if (db == NULL)
        return;
    sq_prefixdb_get_info(db, &info);
    SQ_CHECK(info.prefixes6 == 3 && info.prefixes4 == 2, "%zu/%zu",
             info.prefixes4, info.prefixes6);
    expect(db, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "", 0);
    expect(db, "2001:db8::", "2001:db8::/32", 64500);
    expect(db, "2001:db8:0:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32", 64500);
    expect(db, "2001:db8:1::", "2001:db8:1::/48", 64501);
    expect(db, "2001:db8:1:2:2:ffff:ffff:ffff", "2001:db8:1::/48", 64501);
    expect(db, "2001:db8:1:2:3::", "2001:db8:1:2:3::/80", 64502);
    expect(db, "2001:db8:1:2:3:ffff:ffff:ffff", "2001:db8:1:2:3::/80", 64502);
    expect(db, "2001:db8:1:2:4::", "2001:db8:1::/48", 64501);
    expect(db, "2001:db8:2::", "2001:db8::/32", 64500);
    expect(db, "2001:db9::", "", 0);
    expect(db, "::ffff:192.0.2.200", "192.0.2.0/24", 64496);
    expect(db, "192.0.2.0", "192.0.2.0/24", 64496);
    expect(db, "198.18.255.255", "198.18.0.0/16", 64497);
    SQ_CHECK(sq_prefixdb_entry(db, sq_prefixdb_find6(db, m), &r) == SQ_OK &&
                 r.asn == 64496,
             "find6 on v4-mapped bytes");
    SQ_CHECK(sq_prefixdb_lookup(db, "nonsense", 8, &r) == SQ_EINVAL,
             "not an address");
    SQ_CHECK(sq_prefixdb_entry(db, 0, &r) == SQ_ENOTFOUND, "handle 0");
    SQ_CHECK(sq_prefixdb_entry(db, 0x80000000u, &r) == SQ_ENOTFOUND &&
                 sq_prefixdb_entry(db, 0x80000009u, &r) == SQ_ENOTFOUND &&
                 sq_prefixdb_entry(db, 9, &r) == SQ_ENOTFOUND,
             "handles out of range");
    sq_prefixdb_close(db);
}

static void
test_whole_space(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    int s;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_MMDB, NULL, NULL);
    add(b, s, "0.0.0.0", "255.255.255.255", 1, NULL, NULL, NULL, NULL);
    add(b, s, "255.255.255.255", "255.255.255.255", 2, NULL, NULL, NULL, NULL);
    add(b, s, "0.0.0.0", "0.0.0.0", 3, NULL, NULL, NULL, NULL);
    add(b, s, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 4, NULL, NULL,
        NULL, NULL);
    add(b, s, "ffff::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 5, NULL,
        NULL, NULL, NULL);
    add(b, s, "ffff:1::", "ffff:1:ffff:ffff:ffff:ffff:ffff:ffff", 6, NULL, NULL,
        NULL, NULL);
    db = finish(b, "all.db");
    if (db == NULL)
        return;
    expect(db, "0.0.0.0", "0.0.0.0/32", 3);
    expect(db, "0.0.0.1", "0.0.0.0/0", 1);
    expect(db, "128.0.0.0", "0.0.0.0/0", 1);
    expect(db, "255.255.255.254", "0.0.0.0/0", 1);
    expect(db, "255.255.255.255", "255.255.255.255/32", 2);
    expect(db, "::", "::/0", 4);
    expect(db, "fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0", 4);
    expect(db, "ffff::", "ffff::/16", 5);
    expect(db, "ffff:1::5", "ffff:1::/32", 6);
    expect(db, "ffff:2::", "ffff::/16", 5);
    expect(db, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff::/16", 5);
    sq_prefixdb_close(db);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

typedef struct rpfx {
    uint32_t start, end;
    unsigned len;
} rpfx;

/* Naive: the longest prefix covering a; ties go to the first added. */
static uint32_t
naive(const rpfx *p, size_t n, uint32_t a)
{
    uint32_t best = 0;
    unsigned blen = 0;

    for (size_t i = 0; i < n; i++)
        if (a >= p[i].start && a <= p[i].end &&
            (best == 0 || p[i].len > blen)) {
            best = (uint32_t)i + 1;
            blen = p[i].len;
        }
    return best;
}

static void
add4(sq_prefixdb_builder *b, int s, uint32_t lo, uint32_t hi, uint32_t asn)
{
    uint8_t l[16] = {0}, h[16] = {0};

    l[10] = l[11] = h[10] = h[11] = 0xff;
    for (int i = 0; i < 4; i++) {
        l[12 + i] = (uint8_t)(lo >> (24 - 8 * i));
        h[12 + i] = (uint8_t)(hi >> (24 - 8 * i));
    }
    (void)pdb_add_range(b, s, l, h, 1, asn, NULL, NULL, NULL, NULL);
}

static uint32_t
asn_of(const sq_prefixdb *db, uint32_t h)
{
    sq_prefixdb_result r;

    return sq_prefixdb_entry(db, h, &r) == SQ_OK ? (uint32_t)r.asn : 0;
}

/* Every address of 10.1.2.0/24 its own /32, one /31 in 10.1.3.0/24, a
 * /8 around them: the densest /24 (256 candidates, one search leaf),
 * leaf runs either side, and the /16 edges. */
static void
test_dense24(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    int s, bad = 0;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_PFX2AS, NULL, NULL);
    add4(b, s, 0x0a000000, 0x0affffff, 7);
    for (uint32_t i = 0; i < 256; i++)
        add4(b, s, 0x0a010200 | i, 0x0a010200 | i, 1000 + i);
    add4(b, s, 0x0a010380, 0x0a010381, 9);
    db = finish(b, "dense.db");
    if (db == NULL)
        return;
    for (uint32_t a = 0x0a000000; a < 0x0a020000; a++) {
        uint32_t want = 7;

        if ((a & 0xffffff00) == 0x0a010200)
            want = 1000 + (a & 0xff);
        else if ((a & 0xfffffffe) == 0x0a010380)
            want = 9;
        if ((sq_prefixdb_asn(db, sq_prefixdb_find4(db, a)) != want ||
             sq_prefixdb_asn4(db, a) != want) &&
            bad++ < 5)
            SQ_CHECK(0, "dense %08x: want AS%u", a, want);
    }
    SQ_CHECK(bad == 0, "dense /24: %d wrong", bad);
    SQ_CHECK(sq_prefixdb_asn(db, sq_prefixdb_find4(db, 0x09ffffff)) == 0 &&
                 sq_prefixdb_asn(db, sq_prefixdb_find4(db, 0x0b000000)) == 0,
             "outside the /8");
    sq_prefixdb_close(db);
}

static void
test_random(void)
{
    enum { NP = 5000, NA = 100000 };
    rpfx *p = calloc(NP, sizeof(*p));
    uint32_t *addrs = malloc(NA * sizeof(*addrs));
    uint32_t *batch = malloc(NA * sizeof(*batch));
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    int s, bad = 0, badb = 0;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_PFX2AS, NULL, NULL);
    for (size_t i = 0; i < NP; i++) {
        unsigned len = 8 + rnd() % 25;
        uint32_t mask = len == 32 ? 0 : (uint32_t)0xffffffffu >> len;

        p[i].len = len;
        p[i].start = (rnd() << 8 ^ rnd()) & ~mask;
        p[i].end = p[i].start | mask;
        add4(b, s, p[i].start, p[i].end, (uint32_t)i + 1);
    }
    db = finish(b, "random.db");
    if (db == NULL)
        goto out;
    for (size_t i = 0; i < NA; i++) {
        const rpfx *q = &p[rnd() % NP];

        switch (i % 5) {
        case 0:
            addrs[i] = q->start;
            break;
        case 1:
            addrs[i] = q->end;
            break;
        case 2:
            addrs[i] = q->start - 1;
            break;
        case 3:
            addrs[i] = q->end + 1;
            break;
        default:
            addrs[i] = rnd() << 8 ^ rnd();
            break;
        }
    }
    sq_prefixdb_find4_batch(db, addrs, NA, batch);
    for (size_t i = 0; i < NA; i++) {
        uint32_t want = naive(p, NP, addrs[i]);
        uint32_t h = sq_prefixdb_find4(db, addrs[i]);

        if (asn_of(db, h) != want && bad++ < 5)
            SQ_CHECK(0, "random %08x: got AS%u want AS%u", addrs[i],
                     asn_of(db, h), want);
        if ((batch[i] != h || sq_prefixdb_asn(db, h) != asn_of(db, h) ||
             sq_prefixdb_asn4(db, addrs[i]) != asn_of(db, h)) &&
            badb++ < 5)
            SQ_CHECK(0, "batch or ASN-only answer %08x differs", addrs[i]);
    }
    SQ_CHECK(bad == 0, "%d of %d random lookups wrong", bad, NA);
    SQ_CHECK(badb == 0, "%d of %d batch lookups differ", badb, NA);
    sq_prefixdb_close(db);
out:
    free(p);
    free(addrs);
    free(batch);
}

typedef unsigned __int128 u128;

static u128
rnd128(void)
{
    u128 v = 0;

    for (int i = 0; i < 4; i++)
        v = v << 32 | (uint32_t)(rnd() << 8 ^ rnd());
    return v;
}

static void
to_bytes(u128 v, uint8_t out[16])
{
    for (int i = 15; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

/* IPv6 prefixes /24../128 clustered under four /32s, so the trie grows
 * blocks many levels deep and search leaves: against a naive longest
 * match, at prefix edges and inside. */
static void
test_random6(void)
{
    enum { NP = 3000, NA = 60000 };
    static const uint32_t top[4] = {0x20010db8, 0x20010db9, 0x2a001450,
                                    0x26000000};
    u128 *lo = malloc(NP * sizeof(*lo)), *hi = malloc(NP * sizeof(*hi));
    unsigned *len = malloc(NP * sizeof(*len));
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    int s, bad = 0;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_PFX2AS, NULL, NULL);
    for (size_t i = 0; i < NP; i++) {
        uint8_t l[16], h[16];
        unsigned n = 24 + rnd() % 105;
        u128 mask = n == 128 ? 0 : ~(u128)0 >> n;
        u128 v = (u128)top[rnd() % 4] << 96 | (rnd128() >> (32 + rnd() % 64));

        len[i] = n;
        lo[i] = v & ~mask;
        hi[i] = lo[i] | mask;
        to_bytes(lo[i], l);
        to_bytes(hi[i], h);
        (void)pdb_add_range(b, s, l, h, 0, (uint32_t)i + 1, NULL, NULL, NULL,
                            NULL);
    }
    db = finish(b, "random6.db");
    if (db == NULL)
        goto out;
    for (size_t i = 0; i < NA; i++) {
        size_t k = rnd() % NP;
        u128 a = (i % 5 == 0)   ? lo[k]
                 : (i % 5 == 1) ? hi[k]
                 : (i % 5 == 2) ? lo[k] - 1
                 : (i % 5 == 3) ? hi[k] + 1
                                : lo[k] + (rnd128() & (hi[k] - lo[k]));
        uint8_t ab[16];
        uint32_t want = 0;
        unsigned blen = 0;

        for (size_t j = 0; j < NP; j++)
            if (a >= lo[j] && a <= hi[j] && (want == 0 || len[j] > blen)) {
                want = (uint32_t)j + 1;
                blen = len[j];
            }
        to_bytes(a, ab);
        if ((sq_prefixdb_asn(db, sq_prefixdb_find6(db, ab)) != want ||
             sq_prefixdb_asn6(db, ab) != want) &&
            bad++ < 5)
            SQ_CHECK(0, "random6 #%zu: want AS%u", i, want);
    }
    SQ_CHECK(bad == 0, "%d of %d random IPv6 lookups wrong", bad, NA);
    sq_prefixdb_close(db);
out:
    free(lo);
    free(hi);
    free(len);
}

/* Disjoint unaligned ranges: splitting and boundaries. */
static void
test_random_ranges(void)
{
    enum { NR = 2000, NA = 100000 };
    uint32_t *lo = malloc(NR * sizeof(*lo)), *hi = malloc(NR * sizeof(*hi));
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    uint32_t at = 1000;
    int s, bad = 0;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_IPTOASN, NULL, NULL);
    for (size_t i = 0; i < NR; i++) {
        lo[i] = at + rnd() % 100000;
        hi[i] = lo[i] + rnd() % (1u << (rnd() % 21));
        at = hi[i] + 1 + rnd() % 3;
        add4(b, s, lo[i], hi[i], (uint32_t)i + 1);
    }
    db = finish(b, "ranges.db");
    if (db == NULL)
        goto out;
    for (size_t i = 0; i < NA; i++) {
        size_t k = rnd() % NR;
        uint32_t a, want = 0;

        switch (i % 5) {
        case 0:
            a = lo[k];
            break;
        case 1:
            a = hi[k];
            break;
        case 2:
            a = lo[k] - 1;
            break;
        case 3:
            a = hi[k] + 1;
            break;
        default:
            a = lo[k] + rnd() % (hi[k] - lo[k] + 1);
            break;
        }
        for (size_t j = 0; j < NR && want == 0; j++)
            if (a >= lo[j] && a <= hi[j])
                want = (uint32_t)j + 1;
        if ((asn_of(db, sq_prefixdb_find4(db, a)) != want ||
             sq_prefixdb_asn4(db, a) != want) &&
            bad++ < 5)
            SQ_CHECK(0, "range %08x: want AS%u", a, want);
    }
    SQ_CHECK(bad == 0, "%d of %d range lookups wrong", bad, NA);
    sq_prefixdb_close(db);
out:
    free(lo);
    free(hi);
}

static void
test_as_table(void)
{
    sq_prefixdb_builder *b;
    sq_prefixdb *db;
    sq_prefixdb_info info;
    const char *name, *cc, *abuse, *date, *attr;
    unsigned long ups[4];
    size_t nups = 99, entries;
    int loc, rpsl, rel;

    sq_prefixdb_builder_new(&b);
    loc = pdb_source(b, SQ_PDB_IPLOCDB, "CC-BY-4.0 (c) DB-IP", "2026-11-01");
    rpsl = pdb_source(b, SQ_PDB_RPSL, NULL, "");
    rel = pdb_source(b, SQ_PDB_ASREL, NULL, "20261101");
    SQ_CHECK(loc == 0 && rpsl == 1 && rel == 2, "source ids");
    add(b, loc, "198.51.100.0", "198.51.100.255", 64500, "LocName", NULL, NULL,
        NULL);
    add(b, loc, "198.51.101.0", "198.51.101.127", 64510, "Other", NULL, NULL,
        NULL);
    SQ_CHECK(pdb_add_as(b, rpsl, 64500, "RpslName", "NL",
                        "abuse@example.net") == SQ_OK,
             "add_as");
    SQ_CHECK(pdb_add_as(b, loc, 64500, "Ignored", "DE", NULL) == SQ_OK,
             "add_as");
    pdb_add_rel(b, 174, 64500);
    pdb_add_rel(b, 3356, 64500);
    pdb_add_rel(b, 174, 64500);
    pdb_add_rel(b, 64500, 64501);
    db = finish(b, "as.db");
    if (db == NULL)
        return;
    SQ_CHECK(sq_prefixdb_as(db, 64500, &name, &cc, &abuse, ups, 4, &nups) ==
                 SQ_OK,
             "AS64500");
    SQ_CHECK_STR(name, "RpslName", "rpsl beats ip-location-db");
    SQ_CHECK_STR(cc, "NL", "country");
    SQ_CHECK_STR(abuse, "abuse@example.net", "abuse");
    SQ_CHECK(nups == 2 && ups[0] == 174 && ups[1] == 3356, "ups %zu", nups);
    SQ_CHECK(sq_prefixdb_as(db, 64500, NULL, NULL, NULL, ups, 1, &nups) ==
                     SQ_OK &&
                 nups == 1,
             "ups capped");
    SQ_CHECK(sq_prefixdb_as(db, 64501, &name, NULL, NULL, ups, 4, &nups) ==
                     SQ_OK &&
                 nups == 1 && ups[0] == 64500 && name[0] == '\0',
             "customer only in as-rel");
    SQ_CHECK(sq_prefixdb_as(db, 64510, &name, NULL, NULL, NULL, 0, &nups) ==
                 SQ_OK,
             "AS from ranges");
    SQ_CHECK_STR(name, "Other", "name learned from ranges");
    SQ_CHECK(sq_prefixdb_as(db, 64999, &name, NULL, NULL, NULL, 0, NULL) ==
                 SQ_ENOTFOUND,
             "unknown AS");
    sq_prefixdb_get_info(db, &info);
    SQ_CHECK(info.version == 2 && info.nsources == 3 && info.ases == 3 &&
                 info.prefixes4 == 2 && info.prefixes6 == 0,
             "info %u %zu %zu %zu", info.version, info.nsources, info.ases,
             info.prefixes4);
    SQ_CHECK(info.built > 1700000000 && info.file_bytes > 500000, "info");
    SQ_CHECK(sq_prefixdb_source(db, 0, &name, &date, &entries, &attr) == SQ_OK,
             "source 0");
    SQ_CHECK_STR(name, "ip-location-db", "source name");
    SQ_CHECK_STR(date, "2026-11-01", "source date");
    SQ_CHECK_STR(attr, "CC-BY-4.0 (c) DB-IP", "attribution");
    SQ_CHECK(entries == 2, "entries %zu", entries);
    SQ_CHECK(sq_prefixdb_source(db, 2, &name, NULL, NULL, NULL) == SQ_OK,
             "source 2");
    SQ_CHECK_STR(name, "as-rel", "source 2 name");
    SQ_CHECK(sq_prefixdb_source(db, 3, &name, NULL, NULL, NULL) == SQ_ENOTFOUND,
             "source 3");
    sq_prefixdb_close(db);
}

static sq_prefixdb_builder *
small_builder(uint32_t asn)
{
    sq_prefixdb_builder *b;
    int s;

    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_IPLOCDB, "attr", "2026-01-01");
    add(b, s, "192.0.2.0", "192.0.2.255", asn, "Doc Net", NULL, NULL, NULL);
    add(b, s, "2001:db8::", "2001:db8::ffff", asn, "Doc Net", NULL, NULL, NULL);
    pdb_add_rel(b, 1, asn);
    return b;
}

static void
test_atomic(void)
{
    char dir[128], path[160], tmp[170];
    sq_prefixdb *db = NULL;
    sq_prefixdb_builder *b;
    sq_diag *d = sq_diag_new();
    struct stat sb;

    snprintf(dir, sizeof(dir), "%s/ro", tmpdir);
    snprintf(path, sizeof(path), "%s/prefix.db", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    SQ_CHECK(mkdir(dir, 0755) == 0, "mkdir");
    b = small_builder(64496);
    SQ_CHECK(sq_prefixdb_builder_write(b, path, d) == SQ_OK, "first write");
    sq_prefixdb_builder_free(b);
    b = small_builder(64497);
    SQ_CHECK(sq_prefixdb_builder_write(b, path, d) == SQ_OK, "rewrite");
    sq_prefixdb_builder_free(b);
    SQ_CHECK(stat(tmp, &sb) != 0 && errno == ENOENT, "no .tmp left");
    if (geteuid() != 0) { /* root writes into read-only directories */
        SQ_CHECK(chmod(dir, 0555) == 0, "chmod");
        b = small_builder(64498);
        SQ_CHECK(sq_prefixdb_builder_write(b, path, d) == SQ_EIO,
                 "write into a read-only dir fails");
        sq_prefixdb_builder_free(b);
        SQ_CHECK(stat(tmp, &sb) != 0, "no .tmp after failure");
        (void)chmod(dir, 0755);
    } else {
        printf("prefixdb_test: running as root, read-only dir case skipped\n");
    }
    /* a failure root cannot bypass: path.tmp is a directory */
    SQ_CHECK(mkdir(tmp, 0755) == 0, "mkdir tmp");
    b = small_builder(64499);
    SQ_CHECK(sq_prefixdb_builder_write(b, path, d) == SQ_EIO,
             "write fails when path.tmp cannot be created");
    sq_prefixdb_builder_free(b);
    (void)rmdir(tmp);
    SQ_CHECK(sq_prefixdb_open(path, d, &db) == SQ_OK, "old file intact");
    if (db != NULL) {
        expect(db, "192.0.2.1", "192.0.2.0/24", 64497);
        expect(db, "2001:db8::1", "2001:db8::/112", 64497);
        sq_prefixdb_close(db);
    }
    sq_diag_free(d);
}

static void
expect_parse_error(const uint8_t *buf, size_t len, const char *what,
                   const char *msg)
{
    sq_prefixdb *db = NULL;
    sq_diag *d = msg != NULL ? sq_diag_new() : NULL;
    sq_status st = pdb_open_buffer(buf, len, d, &db);

    SQ_CHECK(st == SQ_EPARSE, "%s: got %s", what, sq_strerror(st));
    if (st == SQ_OK)
        sq_prefixdb_close(db);
    if (d != NULL) {
        const char *got = sq_diag_message(d, 0);

        SQ_CHECK(got != NULL && strstr(got, msg) != NULL, "%s: message %s",
                 what, got ? got : "(none)");
        sq_diag_free(d);
    }
}

static void
test_corrupt(void)
{
    char path[160];
    sq_prefixdb_builder *b = small_builder(64496);
    sq_prefixdb *db = NULL;
    sq_diag *d = sq_diag_new();
    uint64_t *mem;
    uint8_t *buf;
    char *file;
    size_t len = 0, fails = 0;

    snprintf(path, sizeof(path), "%s/small.db", tmpdir);
    SQ_CHECK(sq_prefixdb_builder_write(b, path, d) == SQ_OK, "write");
    sq_prefixdb_builder_free(b);
    file = sqtest_slurp(path, &len);
    SQ_CHECK(file != NULL && len > 1000, "slurp");
    if (file == NULL)
        return;
    mem = malloc(len + 8);
    buf = (uint8_t *)mem;
    memcpy(buf, file, len);
    SQ_CHECK(pdb_open_buffer(buf, len, d, &db) == SQ_OK, "intact opens");
    sq_prefixdb_close(db);
    for (size_t n = 0; n < len; n++) {
        db = NULL;
        if (pdb_open_buffer(buf, n, NULL, &db) != SQ_EPARSE) {
            fails++;
            sq_prefixdb_close(db);
        }
    }
    SQ_CHECK(fails == 0, "%zu truncations not refused", fails);
    expect_parse_error(buf, len - 8, "truncated", "truncated (");
    expect_parse_error(buf, 100, "short", "truncated (100 of");
    fails = 0;
    for (size_t i = 0; i < len; i += (i < 1024 ? 1 : 97)) {
        buf[i] ^= 0x10;
        db = NULL;
        if (pdb_open_buffer(buf, len, NULL, &db) != SQ_EPARSE) {
            fails++;
            sq_prefixdb_close(db);
        }
        buf[i] ^= 0x10;
    }
    SQ_CHECK(fails == 0, "%zu flipped bytes not refused", fails);
    buf[len - 3] ^= 1;
    expect_parse_error(buf, len, "flip", "checksum mismatch");
    buf[len - 3] ^= 1;
    buf[0] = 'X';
    expect_parse_error(buf, len, "magic", "not a squeaky prefix database");
    buf[0] = 'S';
    buf[8] = 9;
    expect_parse_error(buf, len, "version", "unsupported version");
    buf[8] = 1;
    memcpy(buf, "hello world, not a db", 21);
    expect_parse_error(buf, 21, "foreign", "not a squeaky prefix database");
    memcpy(buf, file, 21);
    SQ_CHECK(pdb_open_buffer(buf, len, NULL, &db) == SQ_OK, "restored");
    sq_prefixdb_close(db);
    /* a truncated file on disk says how much is there */
    {
        FILE *f = fopen(path, "wb");

        fwrite(file, 1, 300, f);
        fclose(f);
        sq_diag_free(d);
        d = sq_diag_new();
        SQ_CHECK(sq_prefixdb_open(path, d, &db) == SQ_EPARSE, "short file");
        SQ_CHECK(strstr(sq_diag_message(d, 0), "truncated (300 of") != NULL,
                 "%s", sq_diag_message(d, 0));
    }
    free(mem);
    free(file);
    sq_diag_free(d);
}

static void
test_default_path(void)
{
    char p[256], want[256];
    sq_prefixdb *db = NULL;

    setenv("XDG_DATA_HOME", "/nonexistent-sq", 1);
    SQ_CHECK(sq_prefixdb_default_path(p, sizeof(p)) == SQ_OK, "default");
    SQ_CHECK_STR(p, "/nonexistent-sq/squeaky/prefix.db", "xdg");
    SQ_CHECK(sq_prefixdb_open(NULL, NULL, &db) == SQ_ENOTFOUND, "absent");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/x", 1);
    SQ_CHECK(sq_prefixdb_default_path(p, sizeof(p)) == SQ_OK, "home");
    snprintf(want, sizeof(want), "/home/x/.local/share/squeaky/prefix.db");
    SQ_CHECK_STR(p, want, "home");
}

/* ---- informational timing on the real ip-location-db data ---- */

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A throwaway loader: start,end,asn,name (name maybe quoted). */
static size_t
load_csv(sq_prefixdb_builder *b, int s, const char *path)
{
    size_t len, n = 0;
    char *t = sqtest_slurp(path, &len), *p, *end;

    if (t == NULL)
        return 0;
    for (p = t, end = t + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *f[4], name[256];
        size_t k = 0, nn = 0;
        sq_ipaddr lo, hi;

        if (nl == NULL)
            nl = end;
        f[0] = p;
        for (char *q = p; q < nl && k < 3; q++)
            if (*q == ',')
                f[++k] = q + 1;
        if (k == 3 && sq_ipaddr_parse(f[0], (size_t)(f[1] - f[0] - 1), &lo) &&
            sq_ipaddr_parse(f[1], (size_t)(f[2] - f[1] - 1), &hi)) {
            for (char *q = f[3]; q < nl && nn < sizeof(name) - 1; q++)
                if (*q != '"')
                    name[nn++] = *q;
            name[nn] = '\0';
            if (pdb_add_range(b, s, lo.b, hi.b, lo.v4,
                              (uint32_t)strtoul(f[2], NULL, 10), name, NULL,
                              NULL, NULL) == SQ_OK)
                n++;
        }
        p = nl + 1;
    }
    free(t);
    return n;
}

static void
bench_real(void)
{
    const char *v4 = "/tmp/ipdb/package/asn-ipv4.csv";
    const char *v6 = "/tmp/ipdb/package/asn-ipv6.csv";
    enum { N = 10000000 };
    char path[160];
    sq_prefixdb_builder *b;
    sq_prefixdb *db = NULL;
    sq_prefixdb_info info;
    uint32_t *a, *o, sink = 0;
    double t0, t1, t2, t3;
    size_t n4, n6;
    int s;

    if (access(v4, R_OK) != 0) {
        printf("prefixdb_test: %s absent, timing skipped\n", v4);
        return;
    }
    /* SQ_PDB_KEEP=file keeps the full database for other benchmarks */
    if (getenv("SQ_PDB_KEEP") != NULL)
        snprintf(path, sizeof(path), "%s", getenv("SQ_PDB_KEEP"));
    else
        snprintf(path, sizeof(path), "%s/full.db", tmpdir);
    t0 = now();
    sq_prefixdb_builder_new(&b);
    s = pdb_source(b, SQ_PDB_IPLOCDB, "CC-BY-4.0", "");
    n4 = load_csv(b, s, v4);
    n6 = load_csv(b, s, v6);
    t1 = now();
    SQ_CHECK(sq_prefixdb_builder_write(b, path, NULL) == SQ_OK, "full write");
    t2 = now();
    sq_prefixdb_builder_free(b);
    SQ_CHECK(sq_prefixdb_open(path, NULL, &db) == SQ_OK, "full open");
    t3 = now();
    if (db == NULL)
        return;
    sq_prefixdb_get_info(db, &info);
    printf("prefixdb_test: full build: %zu+%zu ranges, load %.2f s, "
           "write %.2f s, total %.2f s; %zu+%zu prefixes, %zu bytes; "
           "open+verify %.1f ms\n",
           n4, n6, t1 - t0, t2 - t1, t2 - t0, info.prefixes4, info.prefixes6,
           info.file_bytes, (t3 - t2) * 1e3);
    a = malloc(N * sizeof(*a));
    o = calloc(N, sizeof(*o));
    for (size_t i = 0; i < N; i++)
        o[i] = 1; /* fault the pages in before timing */
    for (size_t i = 0; i < N; i++)
        a[i] = rnd() << 8 ^ rnd();
    t0 = now();
    for (size_t i = 0; i < N; i++)
        sink += sq_prefixdb_find4(db, a[i]);
    t1 = now();
    sq_prefixdb_find4_batch(db, a, N, o);
    t2 = now();
    for (size_t i = 0; i < N; i += 4099)
        SQ_CHECK(o[i] == sq_prefixdb_find4(db, a[i]), "batch = single");
    printf("prefixdb_test: 10M random find4: single %.1f ns/lookup, batch "
           "%.1f ns/lookup (sink %u)\n",
           (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / N, sink);
    free(a);
    free(o);
    sq_prefixdb_close(db);
}

int
main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sq-pdbtest-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_minimal_sets();
    test_nested();
    test_priority();
    test_v6();
    test_whole_space();
    test_dense24();
    test_random6();
    test_random();
    test_random_ranges();
    test_as_table();
    test_atomic();
    test_corrupt();
    test_default_path();
    if (getenv("SQ_PDB_SEEDS") != NULL) { /* fuzz seeds, run once */
        char path[256];
        sq_prefixdb_builder *b = small_builder(64496);

        snprintf(path, sizeof(path), "%s/small.db", getenv("SQ_PDB_SEEDS"));
        SQ_CHECK(sq_prefixdb_builder_write(b, path, NULL) == SQ_OK, "seed");
        sq_prefixdb_builder_free(b);
        sq_prefixdb_builder_new(&b);
        snprintf(path, sizeof(path), "%s/empty.db", getenv("SQ_PDB_SEEDS"));
        SQ_CHECK(sq_prefixdb_builder_write(b, path, NULL) == SQ_OK, "seed");
        sq_prefixdb_builder_free(b);
    }
    if (getenv("SQ_PDB_BENCH") != NULL ||
        access("/tmp/ipdb/package", F_OK) == 0)
        bench_real();
    {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    return sqtest_finish("prefixdb_test");
}

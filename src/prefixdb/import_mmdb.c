/*
 * import_mmdb.c - MaxMind DB files (GeoLite2-ASN, DB-IP ASN lite, or
 * any MMDB whose records carry autonomous_system_number and
 * autonomous_system_organization) through libmaxminddb.
 *
 * libmaxminddb 1.7 has no "every network" iterator, so we walk the
 * search tree from node 0 depth-first with MMDB_read_node, tracking the
 * prefix bits and stopping at data records.  In an IPv6 database the
 * IPv4 space is the subtree at ::/96 (MMDB spec, "IPv4 addresses in an
 * IPv6 tree"); its networks are reported as IPv4.  The spec also lets
 * ::ffff:0:0/96 and 2002::/16 point at that same node (aliases): any
 * other path reaching the IPv4 node is skipped, so no network appears
 * twice.
 */
#include "prefixdb/import_int.h"

#include <stdio.h>
#include <string.h>

#ifdef SQ_HAVE_MAXMINDDB
#include <maxminddb.h>

static const uint8_t mapped96[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

typedef struct walk {
    MMDB_s *mmdb;
    sq_prefixdb_builder *b;
    int src;
    unsigned bits;   /* 32 or 128 */
    uint32_t v4node; /* node at ::/96 in an IPv6 tree, or none */
    uint64_t visits, max_visits;
    size_t added, bad;
    sq_status rc;
    uint8_t addr[16];
} walk;

/* The AS number: uint32 in GeoLite2-ASN and DB-IP, but take any
 * unsigned width that fits. */
static int
mmdb_asn(const MMDB_entry_data_s *e, uint32_t *out)
{
    if (e->type == MMDB_DATA_TYPE_UINT32)
        *out = e->uint32;
    else if (e->type == MMDB_DATA_TYPE_UINT16)
        *out = e->uint16;
    else if (e->type == MMDB_DATA_TYPE_UINT64 && e->uint64 <= UINT32_MAX)
        *out = (uint32_t)e->uint64;
    else
        return 0;
    return 1;
}

static void
walk_data(walk *w, MMDB_entry_s *entry, unsigned depth)
{
    MMDB_entry_data_s asn, org;
    uint32_t asnum;
    uint8_t lo[16], hi[16];
    char name[PDB_NAME_MAX + 1];
    const char *namep = NULL;
    static const uint8_t zero96[12];
    int v4 =
        w->bits == 32 || (depth >= 96 && (memcmp(w->addr, zero96, 12) == 0 ||
                                          memcmp(w->addr, mapped96, 12) == 0));
    uint8_t a[16];
    unsigned plen = w->bits == 32 ? depth : v4 ? depth - 96 : depth;

    if (MMDB_get_value(entry, &asn, "autonomous_system_number", NULL) !=
            MMDB_SUCCESS ||
        !asn.has_data || !mmdb_asn(&asn, &asnum)) {
        w->bad++;
        return;
    }
    if (MMDB_get_value(entry, &org, "autonomous_system_organization", NULL) ==
            MMDB_SUCCESS &&
        org.has_data && org.type == MMDB_DATA_TYPE_UTF8_STRING &&
        org.data_size > 0)
        namep = pdb_copy_name(name, org.utf8_string, org.data_size);
    memset(a, 0, 16);
    if (v4) {
        a[10] = a[11] = 0xff;
        memcpy(a + 12, w->bits == 32 ? w->addr : w->addr + 12, 4);
    } else {
        memcpy(a, w->addr, 16);
    }
    if (!pdb_prefix_range(a, plen, v4, lo, hi) ||
        pdb_add_range(w->b, w->src, lo, hi, v4, asnum, namep, NULL, NULL,
                      NULL) != SQ_OK ||
        (namep && asnum &&
         pdb_add_as(w->b, w->src, asnum, namep, NULL, NULL) != SQ_OK)) {
        w->rc = SQ_ENOMEM;
        return;
    }
    w->added++;
}

static void walk_node(walk *w, uint32_t node, unsigned depth);

/* Under ::ffff:0:0/96 while the tree also has the ::/96 IPv4 subtree:
 * an alias (the Perl writer copies it rather than pointing), skipped. */
static int
mapped_alias(const walk *w, unsigned depth)
{
    return w->bits == 128 && w->v4node != UINT32_MAX && depth >= 96 &&
           memcmp(w->addr, mapped96, 12) == 0;
}

static void
walk_record(walk *w, uint8_t type, uint64_t rec, MMDB_entry_s *entry,
            unsigned depth)
{
    if (mapped_alias(w, depth))
        return;
    if (type == MMDB_RECORD_TYPE_SEARCH_NODE)
        walk_node(w, (uint32_t)rec, depth);
    else if (type == MMDB_RECORD_TYPE_DATA)
        walk_data(w, entry, depth);
    else if (type == MMDB_RECORD_TYPE_INVALID)
        w->bad++;
}

static void
walk_node(walk *w, uint32_t node, unsigned depth)
{
    MMDB_search_node_s n;
    unsigned byte = depth / 8, bit = 7 - depth % 8;

    if (w->rc != SQ_OK || depth >= w->bits)
        return;
    if (++w->visits > w->max_visits) {
        w->rc = SQ_EPARSE;
        return;
    }
    if (w->bits == 128 && node == w->v4node && depth != 96)
        return; /* an alias of the IPv4 subtree */
    if (MMDB_read_node(w->mmdb, node, &n) != MMDB_SUCCESS) {
        w->bad++;
        return;
    }
    w->addr[byte] &= (uint8_t) ~(1u << bit);
    walk_record(w, n.left_record_type, n.left_record, &n.left_record_entry,
                depth + 1);
    w->addr[byte] |= (uint8_t)(1u << bit);
    walk_record(w, n.right_record_type, n.right_record, &n.right_record_entry,
                depth + 1);
    w->addr[byte] &= (uint8_t) ~(1u << bit);
}

/* The node reached by 96 zero bits, or UINT32_MAX. */
static uint32_t
find_v4node(MMDB_s *mmdb)
{
    uint32_t node = 0;

    for (int i = 0; i < 96; i++) {
        MMDB_search_node_s n;

        if (MMDB_read_node(mmdb, node, &n) != MMDB_SUCCESS ||
            n.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE)
            return UINT32_MAX;
        node = (uint32_t)n.left_record;
    }
    return node;
}

static void
mmdb_about(MMDB_s *mmdb, char *attr, size_t alen, char date[24])
{
    const char *type = mmdb->metadata.database_type;
    const char *desc = NULL;
    size_t dlen = 0;

    for (size_t i = 0; i < mmdb->metadata.description.count; i++) {
        MMDB_description_s *e = mmdb->metadata.description.descriptions[i];

        if (e && e->language && e->description &&
            (desc == NULL || strcmp(e->language, "en") == 0)) {
            desc = e->description;
            dlen = strlen(desc);
        }
    }
    /* DB-IP names its type "DBIP-ASN-Lite (compat=GeoLite2-ASN)" */
    if (type && strstr(type, "DBIP"))
        snprintf(attr, alen,
                 "%s: IP Geolocation by DB-IP (db-ip.com), "
                 "CC BY 4.0",
                 type);
    else if (type && strstr(type, "GeoLite2"))
        snprintf(attr, alen,
                 "%s: GeoLite2 data created by MaxMind, "
                 "available from https://www.maxmind.com",
                 type);
    else
        snprintf(attr, alen, "%s%s%.*s", type ? type : "mmdb", desc ? ": " : "",
                 (int)(dlen > 200 ? 200 : dlen), desc ? desc : "");
    sq_time_format_utc((long long)mmdb->metadata.build_epoch, date, 24);
    date[10] = '\0';
}

sq_status
pdb_import_mmdb(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    MMDB_s mmdb;
    walk w;
    char attr[PDB_NAME_MAX + 1], date[24];
    int st = MMDB_open(path, MMDB_MODE_MMAP, &mmdb);

    if (st != MMDB_SUCCESS) {
        sq_diag_addf(d, path, 0, "%s", MMDB_strerror(st));
        return st == MMDB_FILE_OPEN_ERROR || st == MMDB_IO_ERROR ? SQ_EIO
                                                                 : SQ_EPARSE;
    }
    memset(&w, 0, sizeof w);
    w.mmdb = &mmdb;
    w.b = b;
    w.bits = mmdb.metadata.ip_version == 6 ? 128 : 32;
    w.v4node = w.bits == 128 ? find_v4node(&mmdb) : UINT32_MAX;
    w.max_visits = 4 * (uint64_t)mmdb.metadata.node_count + 1024;
    mmdb_about(&mmdb, attr, sizeof attr, date);
    w.rc = pdb_source_or_fail(b, SQ_PDB_MMDB, attr, date, path, d, &w.src);
    if (w.rc == SQ_OK)
        walk_node(&w, 0, 0);
    if (w.rc == SQ_EPARSE)
        sq_diag_addf(d, path, 0, "search tree is not a tree");
    else if (w.rc == SQ_OK && w.bad > 0)
        sq_diag_addf(d, path, 0, "%zu records without an AS number skipped",
                     w.bad);
    if (w.rc == SQ_OK && w.added == 0) {
        sq_diag_addf(d, path, 0, "no network with an AS number");
        w.rc = SQ_EPARSE;
    }
    MMDB_close(&mmdb);
    return w.rc;
}

#else

sq_status
pdb_import_mmdb(sq_prefixdb_builder *b, const char *path, sq_diag *d)
{
    (void)b;
    sq_diag_addf(d, path, 0, "built without libmaxminddb");
    return SQ_ECONFIG;
}

#endif

/*
 * format.h - the prefix database file layout, shared by the builder
 * (build.c) and the reader (read.c) only.  docs/PREFIXDB.md describes
 * it in prose.
 *
 * All integers are little-endian and fixed width; the reader maps the
 * file and uses the arrays in place, so the library refuses to build on
 * a big-endian host rather than swap.
 *
 *   header (PDB_HEADER_SIZE bytes, the section table inside it)
 *   sections, each at an 8-byte aligned offset, in the order of
 *   enum pdb_section
 *
 * The checksum (pdb_file_checksum below) covers every byte after the
 * header, and the header itself with its checksum field zeroed.
 *
 * Lookup structure.  Both families are flattened at build time into
 * non-overlapping ranges: a sorted array of range starts and a parallel
 * array of entry handles (0: nothing covers the range; gaps are ranges
 * too, so every address falls in exactly one).  A lookup is "the last
 * start <= addr".
 *
 * Version 2: each family is a multibit trie, Poptrie-style (Asai &
 * Ohara 2015) with range leaves: a first level of 65,536 leaves on the
 * top 16 bits (256 KiB), then 256-way blocks, each 8 more bits.  A leaf
 * (uint32, kind in the top two bits) is
 *   a handle, when one range covers its whole region;
 *   a search, when 2..PDB_SEARCH_MAX ranges do: lo << 6 | (n - 1), the
 *     candidates starts[lo .. lo+n-1] (starts[lo] the last start <= the
 *     region's first address), searched branch-free;
 *   a child block, otherwise (children are written before parents, so
 *     a child's number is below its parent's: no cycles).
 * A block (48 bytes) stores its 256 leaves run-compressed: bit i of the
 * 256-bit map is set where subregion i starts a new leaf (equal handle
 * leaves in a row share one), base[w] is the leaf index of the first
 * leaf counted in word w, and subregion i's leaf is
 * leaves[base[w] + popcount(bits[w] up to bit i) - 1].
 * An IPv4 address whose /24 lies in one range costs the first-level
 * word (hot in cache), one block line and one leaf.  Beside the first
 * level and the leaves lie arrays with the ASN of each handle word and
 * leaf, so address -> ASN (sq_prefixdb_asn4/6) loads the leaf and its
 * ASN side by side instead of one after the other (asn4[handle]).  For the
 * ip-location-db data the blocks and leaves are a few MiB and stay in
 * the last-level cache, where DIR-24-8's 64 MiB first level (the
 * DPDK/Gupta design, ~1 miss) cannot.  Poptrie and SAIL (Yang et al.
 * 2014) reach 200+ M lookups/s per core for routing tables with small
 * next-hop sets; measured figures are in docs/PREFIXDB.md.
 *
 * IPv6 keys are split in two uint64 arrays (upper and lower halves,
 * compared as one 128-bit key), so prefixes longer than /64 are exact.
 */
#ifndef SQ_PDB_FORMAT_H
#define SQ_PDB_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the prefix database is read in place: little-endian hosts only"
#endif

#define PDB_MAGIC "SQPFXDB\0"
enum {
    PDB_MAGIC_LEN = 8,
    PDB_VERSION = 2,
    PDB_SLOTS = 65536, /* DIR-16 */
    PDB_ALIGN = 8,
    PDB_LEAF_MAX_LO = 1 << 24, /* starts a search leaf can name */
    PDB_SEARCH_MAX = 16        /* most candidates a search leaf holds */
};
/* Trie leaves (dir words too): kind in the top two bits.
 *   00: handle (IPv6: without PDB_H6; 0 none)
 *   10: search: lo << 6 | (n - 1), candidates starts[lo .. lo+n-1]
 *   01: child block number (always below its parent's) */
#define PDB_LEAF_KIND 0xc0000000u
#define PDB_LEAF_SEARCH 0x80000000u
#define PDB_LEAF_CHILD 0x40000000u
/* Entry handles: IPv4 ones are 1..n (0: none); IPv6 ones have this bit. */
#define PDB_H6 0x80000000u

/* Sections, in file order.  count is the element count; length is
 * count * element size (strings: bytes). */
enum pdb_section {
    PDB_SEC_V4_DIR = 0,  /* uint32[PDB_SLOTS]: leaf per top 16 bits */
    PDB_SEC_V4_BLOCKS,   /* pdb_block[] */
    PDB_SEC_V4_LEAVES,   /* uint32[] */
    PDB_SEC_V4_DIR_ASN,  /* uint32[PDB_SLOTS]: ASN of each handle word */
    PDB_SEC_V4_LEAF_ASN, /* uint32[]: ASN of each handle leaf */
    PDB_SEC_V4_STARTS,   /* uint32[n4]: range starts, strictly rising */
    PDB_SEC_V4_VALS,     /* uint32[n4]: entry handle (0 none) */
    PDB_SEC_V6_DIR,      /* as for IPv4 */
    PDB_SEC_V6_BLOCKS,
    PDB_SEC_V6_LEAVES,
    PDB_SEC_V6_DIR_ASN,
    PDB_SEC_V6_LEAF_ASN,
    PDB_SEC_V6_HI,     /* uint64[n6]: upper 64 bits of range starts */
    PDB_SEC_V6_LO,     /* uint64[n6]: lower 64 bits */
    PDB_SEC_V6_VALS,   /* uint32[n6] */
    PDB_SEC_ENTRIES4,  /* pdb_entry4[]: handle h is entries4[h - 1] */
    PDB_SEC_ENTRIES6,  /* pdb_entry[]: handle PDB_H6 | h: entries6[h-1] */
    PDB_SEC_ASN4,      /* uint32[nent4 + 1]: ASN by handle (0: none) */
    PDB_SEC_ASN6,      /* uint32[nent6 + 1]: ASN by handle & ~PDB_H6 */
    PDB_SEC_RECORDS,   /* pdb_record[] */
    PDB_SEC_STRINGS,   /* NUL-terminated strings; offset 0 is "" */
    PDB_SEC_SOURCES,   /* pdb_source_rec[] */
    PDB_SEC_ASES,      /* pdb_as[] sorted by asn */
    PDB_SEC_PROVIDERS, /* uint32[]: provider ASNs, runs per AS */
    PDB_NSECTIONS
};

typedef struct pdb_secent {
    uint32_t id;   /* enum pdb_section */
    uint32_t elem; /* element size in bytes (1 for strings) */
    uint64_t offset;
    uint64_t length;
    uint64_t count;
} pdb_secent;

typedef struct pdb_header {
    char magic[PDB_MAGIC_LEN];
    uint32_t version;
    uint32_t flags; /* 0; readers refuse unknown bits */
    uint64_t file_bytes;
    uint64_t checksum; /* pdb_file_checksum */
    int64_t built;     /* epoch seconds */
    uint64_t prefixes4, prefixes6;
    uint32_t nsections; /* PDB_NSECTIONS */
    uint32_t header_bytes;
    pdb_secent sec[PDB_NSECTIONS];
} pdb_header;

#define PDB_HEADER_SIZE (sizeof(pdb_header))

/* One trie block: 256 subregions, their leaves run-compressed. */
typedef struct pdb_block {
    uint64_t bits[4];
    uint32_t base[4];
} pdb_block;

/* What a prefix says.  String fields are offsets into the pool. */
typedef struct pdb_record {
    uint32_t asn;
    uint32_t as_name;
    uint32_t source; /* index into the sources section */
    uint32_t country;
    uint32_t registry;
    uint32_t abuse;
} pdb_record;

/* One IPv4 prefix an answer names (addr: the address as a number). */
typedef struct pdb_entry4 {
    uint32_t addr;
    uint32_t record;
    uint8_t len;
    uint8_t pad[3];
} pdb_entry4;

/* One IPv6 prefix an answer names (v4 is 0). */
typedef struct pdb_entry {
    uint8_t addr[16];
    uint32_t record;
    uint8_t len;
    uint8_t v4;
    uint8_t pad[2];
} pdb_entry;

typedef struct pdb_source_rec {
    uint32_t name, date, attribution, pad;
    uint64_t entries;
} pdb_source_rec;

typedef struct pdb_as {
    uint32_t asn;
    uint32_t name, country, abuse;
    uint32_t prov_off, prov_count;
} pdb_as;

/* The file checksum: four independent multiply-rotate lanes over
 * 64-bit little-endian words (so the CPU runs them in parallel), then a
 * final avalanche.  Not cryptographic: it catches corruption, not
 * forgery (the reader's structural checks handle crafted files). */
static inline uint64_t
pdb_rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t
pdb_hash64(const uint8_t *p, size_t n)
{
    const uint64_t p1 = 0x9e3779b185ebca87ULL, p2 = 0xc2b2ae3d27d4eb4fULL;
    uint64_t h[4] = {p1 + p2, p2, 0, (uint64_t)0 - p1};
    uint64_t r, w;
    size_t i = 0;

    for (; n - i >= 32; i += 32) {
        for (int l = 0; l < 4; l++) {
            memcpy(&w, p + i + 8 * (size_t)l, 8);
            h[l] = pdb_rotl64(h[l] + w * p2, 31) * p1;
        }
    }
    r = (uint64_t)n;
    for (int l = 0; l < 4; l++)
        r = (r ^ h[l]) * p1 + pdb_rotl64(h[l], 7 + 11 * l);
    for (; i < n; i++)
        r = pdb_rotl64(r ^ p[i] * p1, 11) * p2;
    r ^= r >> 33;
    r *= p2;
    r ^= r >> 29;
    r *= p1;
    r ^= r >> 32;
    return r;
}

/* The file's checksum: the body's hash mixed with the header's (its
 * checksum field read as 0).  len >= PDB_HEADER_SIZE. */
static inline uint64_t
pdb_file_checksum(const uint8_t *file, size_t len)
{
    pdb_header h;

    memcpy(&h, file, sizeof(h));
    h.checksum = 0;
    return pdb_hash64(file + PDB_HEADER_SIZE, len - PDB_HEADER_SIZE) ^
           (pdb_hash64((const uint8_t *)&h, sizeof(h)) * 0x9e3779b185ebca87ULL);
}

#endif

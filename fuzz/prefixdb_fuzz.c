/*
 * prefixdb_fuzz.c - libFuzzer target for the prefix database reader:
 * pdb_open_buffer on arbitrary bytes (copied to an 8-byte aligned
 * buffer, as mmap gives), then lookups, entries, AS and source queries
 * when it opened.  Seeds in fuzz/corpus/prefixdb_fuzz/ are small valid
 * databases (written by tests/unit/prefixdb_test.c's builders).
 *
 * Every input is tried twice: as is (the checksum catches nearly every
 * mutation), then with the checksum recomputed, so that mutations reach
 * the structural checks that guard lookups against crafted files.
 */
#include "prefixdb/format.h"
#include "prefixdb/pdb_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
probe(const sq_prefixdb *db)
{
    static const uint32_t a4[] = {0,           1,           0xc0000201u,
                                  0x0a010203u, 0xffffffffu, 0x7f000001u};
    static const uint8_t a6[2][16] = {
        {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff}};
    uint32_t out[6];
    sq_prefixdb_result r;
    sq_prefixdb_info info;
    unsigned long ups[4];
    const char *n, *c, *a, *dt;
    size_t nu, e;

    sq_prefixdb_find4_batch(db, a4, 6, out);
    for (size_t i = 0; i < 6; i++)
        (void)sq_prefixdb_entry(db, sq_prefixdb_find4(db, a4[i]), &r);
    for (size_t i = 0; i < 2; i++)
        (void)sq_prefixdb_entry(db, sq_prefixdb_find6(db, a6[i]), &r);
    (void)sq_prefixdb_lookup(db, "192.0.2.1", 9, &r);
    (void)sq_prefixdb_as(db, 64496, &n, &c, &a, ups, 4, &nu);
    sq_prefixdb_get_info(db, &info);
    for (size_t i = 0; i < info.nsources; i++)
        (void)sq_prefixdb_source(db, i, &n, &dt, &e, &a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t *buf = malloc(size / 8 + 1 > 0 ? (size / 8 + 1) * 8 : 8);
    sq_prefixdb *db = NULL;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    if (pdb_open_buffer(buf, size, NULL, &db) == SQ_OK) {
        probe(db);
        sq_prefixdb_close(db);
    }
    if (size >= PDB_HEADER_SIZE) {
        pdb_header h;

        memcpy(&h, buf, sizeof(h));
        h.checksum = pdb_file_checksum((const uint8_t *)buf, size);
        memcpy(buf, &h, sizeof(h));
        db = NULL;
        if (pdb_open_buffer(buf, size, NULL, &db) == SQ_OK) {
            probe(db);
            sq_prefixdb_close(db);
        }
    }
    free(buf);
    return 0;
}

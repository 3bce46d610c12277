/*
 * pdb_line_fuzz.c - libFuzzer target for the prefix database's text
 * importers: the first byte picks the format (modulo the format count),
 * the rest is one line (for rpsl: one object) handed to pdb_line() on a
 * real builder.  A line that parses must never be reported bad with no
 * reason, and "used" lines must leave the builder writable.
 */
#include "prefixdb/import_int.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_prefixdb_builder *b = NULL;
    const char *why = NULL;
    sq_prefixdb_format f;
    int src, r;

    if (size == 0 || sq_prefixdb_builder_new(&b) != SQ_OK)
        return 0;
    f = (sq_prefixdb_format)(data[0] % SQ_PDB_FORMAT_COUNT);
    src = pdb_source(b, f == SQ_PDB_MMDB ? SQ_PDB_IPLOCDB : f, "fuzz", "");
    if (src >= 0) {
        r = pdb_line(b, src, f, (const char *)data + 1, size - 1, &why);
        if (r < 0 && why == NULL)
            abort(); /* a bad line always says why */
        if (r > 1)
            abort();
    }
    sq_prefixdb_builder_free(b);
    return 0;
}

/*
 * received_fuzz.c - libFuzzer target for sq_received_parse(): the input
 * is one Received header body (any bytes, any length).  Every field of
 * a parsed relay is read back so that ASan sees the arena strings.
 */
#include "trace/trace_int.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_relay *r = NULL;
    size_t total = 0;

    if (sq_received_parse((const char *)data, size, &r) == SQ_OK) {
        for (int f = 0; f < SQ_RELAY_FIELD_COUNT; f++)
            total += strlen(sq_relay_get(r, (sq_relay_field)f));
        if (total == (size_t)-1)
            __builtin_trap(); /* keeps the reads */
    }
    sq_relay_free(r);
    return 0;
}

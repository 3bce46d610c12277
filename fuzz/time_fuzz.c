/*
 * time_fuzz.c - libFuzzer target for the RFC 5322 date parser and the
 * UTC formatter.
 */
#include "core/core_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long long t = 0;
    char out[32];

    if (sq_time_parse_rfc5322((const char *)data, size, &t)) {
        sq_time_format_utc(t, out, sizeof(out));
        if (strlen(out) != 20 || out[19] != 'Z')
            abort(); /* years 1900..9999 always give 20 characters */
    }
    if (size >= sizeof(long long)) {
        memcpy(&t, data, sizeof(t));
        sq_time_format_utc(t, out, sizeof(out));
    }
    return 0;
}

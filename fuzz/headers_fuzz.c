/*
 * headers_fuzz.c - libFuzzer target for the header scanner.
 *
 * Owner: mail.  Parses the input with the default limits and, for
 * inputs whose first byte is odd, with tiny limits (so every limit path
 * is reached on small inputs), then walks every header checking the
 * documented invariants: names non-empty, values NUL-free with the
 * reported length, find() consistent with the names.
 */
#include "mail/mail_int.h"

#include <squeaky/config.h>
#include <squeaky/mail.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const sq_config *
small_limits(void)
{
    static sq_config *cfg;

    if (cfg == NULL && sq_config_new(&cfg) == SQ_OK) {
        (void)sq_config_set(cfg, "max_header_bytes", "1024", NULL);
        (void)sq_config_set(cfg, "max_headers", "16", NULL);
        (void)sq_config_set(cfg, "max_received", "2", NULL);
        (void)sq_config_set(cfg, "max_line_length", "256", NULL);
    }
    return cfg;
}

static void
walk(const sq_headers *h)
{
    size_t n = sq_headers_count(h), nl, vl;

    for (size_t i = 0; i < n; i++) {
        const char *name = sq_headers_name(h, i, &nl);
        const char *value = sq_headers_value(h, i, &vl);
        if (name == NULL || value == NULL || nl == 0 || strlen(name) != nl ||
            strlen(value) != vl)
            abort();
        if (sq_headers_find(h, name, 0) > i)
            abort();
    }
    if (sq_headers_name(h, n, NULL) != NULL)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const sq_config *cfg = size > 0 && (data[0] & 1) ? small_limits() : NULL;
    sq_headers *h = NULL;
    sq_status st = sq_headers_parse((const char *)data, size, cfg, &h);

    if (st == SQ_OK) {
        walk(h);
        if (sq_headers_end_offset(h) > size)
            abort();
        sq_headers_free(h);
    } else if (h != NULL) {
        abort();
    }
    return 0;
}

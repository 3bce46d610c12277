/*
 * config_fuzz.c - libFuzzer target for the INI config parser, through
 * its in-memory entry point sq_config_load_buffer (same code path as a
 * file after it has been read).
 */
#include "core/config_int.h"
#include "core/core_int.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_config *cfg = NULL;
    sq_diag *d = sq_diag_new();

    if (sq_config_new(&cfg) != SQ_OK) {
        sq_diag_free(d);
        return 0;
    }
    (void)sq_config_load_buffer(cfg, "fuzz", (const char *)data, size, d);
    /* every key still has a value within its bounds */
    for (size_t i = 0; i < sq_config_key_count(); i++) {
        const char *name = sq_config_key_name(i);
        if (sq_config_get(cfg, name) == NULL)
            abort();
        if (sq_config_key_type(i) == SQ_CFG_INT) {
            long long v = sq_config_get_int(cfg, name);
            if (v < sq_config_key_min(i) || v > sq_config_key_max(i))
                abort();
        }
    }
    sq_config_free(cfg);
    sq_diag_free(d);
    return 0;
}

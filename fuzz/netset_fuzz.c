/*
 * netset_fuzz.c - libFuzzer target for the netset parser and, through
 * it, the IP address parser: the input is added to a netset as a spec,
 * matched as an address, and canonicalised (canonical text must be a
 * fixed point of sq_ip_canon).
 */
#include "core/core_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const probes[] = {"1.2.3.4", "10.0.0.1", "::1",
                                     "2001:db8::1", "::ffff:127.0.0.1"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    sq_netset *ns = NULL;
    sq_diag *d = sq_diag_new();
    char canon[46], again[46];

    if (sq_netset_new(&ns) != SQ_OK) {
        sq_diag_free(d);
        return 0;
    }
    (void)sq_netset_add(ns, s, size, d);
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        (void)sq_netset_match(ns, probes[i], strlen(probes[i]));
    (void)sq_netset_match(ns, s, size);
    for (size_t i = 0; i < sq_diag_count(d); i++)
        if (sq_diag_message(d, i) == NULL)
            abort();
    if (sq_ip_canon(s, size, canon, sizeof(canon)) == SQ_OK) {
        if (sq_ip_canon(canon, strlen(canon), again, sizeof(again)) != SQ_OK ||
            strcmp(canon, again) != 0)
            abort(); /* canonical form must be stable */
        if (sq_ip_classify(s, size) != sq_ip_classify(canon, strlen(canon)))
            abort();
    }
    sq_netset_free(ns);
    sq_diag_free(d);
    return 0;
}

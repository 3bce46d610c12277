/*
 * overrides_fuzz.c - libFuzzer target for the overrides file parser
 * (wo_load_buffer() in src/whois/overrides.c).  A loaded file is matched
 * against a few addresses and AS numbers; a refused one must have said
 * why.
 */
#include "whois/whois_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const probes[] = {"192.0.2.1", "10.0.0.1", "::1",
                                     "2001:db8::1", "::ffff:198.51.100.7"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_diag *d = sq_diag_new();
    wo_overrides *o = NULL;
    sq_status st = wo_load_buffer("fuzz", (const char *)data, size, &o, d);

    if (st == SQ_OK) {
        const char *e, *n;
        sq_ipaddr a;

        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            if (!sq_ipaddr_parse(probes[i], strlen(probes[i]), &a))
                abort();
            if (wo_match_ip(o, &a, &e, &n) && (e == NULL || n == NULL))
                abort();
        }
        for (unsigned long asn = 1; asn < 70000; asn += 6451)
            if (wo_match_asn(o, asn, &e, &n) && (e == NULL || n == NULL))
                abort();
    } else if (st == SQ_ECONFIG && d != NULL && sq_diag_count(d) == 0) {
        abort(); /* a refusal says why */
    }
    wo_free(o);
    sq_diag_free(d);
    return 0;
}

/*
 * rdap_fuzz.c - libFuzzer target for the RDAP JSON reader (rdap_parse)
 * and the IANA bootstrap reader (rdap_bootstrap_add): the input is read
 * as one RDAP document, with a query picked by the input's length (so
 * the cidr0 and NIR paths see addresses and prefixes), and as each kind
 * of bootstrap file, then looked up.  Aborts when an answer breaks an
 * invariant: an address without '@', more contacts than the limit, a
 * range whose first address is after its last.
 */
#include "whois/bootstrap.h"
#include "whois/whois_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const queries[] = {NULL, "13.104.0.0", "2001:4860::1",
                                      "1.1.1.0/24", "AS13335"};
static const char *const probes[] = {"8.8.8.8", "2001:4860::1",
                                     "::ffff:1.1.1.1", "196.11.240.215"};

static void
check_answer(const sq_whois_answer *a)
{
    if (a->ncontacts > WA_MAX_CONTACTS || a->nwarnings > WA_MAX_WARNINGS ||
        a->net.ncidrs > WA_MAX_CIDRS)
        abort();
    for (size_t i = 0; i < a->ncontacts; i++)
        if (a->contacts[i].email == NULL ||
            strchr(a->contacts[i].email, '@') == NULL ||
            a->contacts[i].handle == NULL || a->contacts[i].where == NULL)
            abort();
    if (a->has_range &&
        (a->lo.v4 != a->hi.v4 || memcmp(a->lo.b, a->hi.b, 16) > 0))
        abort();
    if (a->referral == NULL || a->registrar == NULL)
        abort();
}

static void
fuzz_rdap(const char *s, size_t size)
{
    const char *q = queries[size % (sizeof(queries) / sizeof(queries[0]))];
    sq_whois_answer *a = wa_new(q, SQ_WQ_IP);
    sq_diag *d = sq_diag_new();

    if (a != NULL &&
        rdap_parse(s, size, "https://rdap.arin.net/x", a, d) == SQ_OK) {
        wa_sort_contacts(a);
        check_answer(a);
    }
    sq_whois_answer_free(a);
    sq_diag_free(d);
}

static void
fuzz_bootstrap(const char *s, size_t size)
{
    rdap_bootstrap *b = NULL;
    sq_ipaddr ip;

    if (rdap_bootstrap_new(&b) != SQ_OK)
        return;
    for (int k = RDAP_BOOT_IPV4; k <= RDAP_BOOT_DNS; k++)
        (void)rdap_bootstrap_add(b, (rdap_bootstrap_kind)k, s, size, "fuzz",
                                 NULL);
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        if (sq_ipaddr_parse(probes[i], strlen(probes[i]), &ip))
            (void)rdap_bootstrap_ip(b, &ip);
    (void)rdap_bootstrap_asn(b, 13335);
    (void)rdap_bootstrap_asn(b, (unsigned long)size);
    (void)rdap_bootstrap_domain(b, "www.example.co.uk");
    rdap_bootstrap_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rdap((const char *)data, size);
    fuzz_bootstrap((const char *)data, size);
    return 0;
}

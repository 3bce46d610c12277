/*
 * whoistext_fuzz.c - libFuzzer target for whoistext_parse(): the first
 * byte picks the server name (and so the registry flavour, or none:
 * sniffing), the rest is the port-43 text.  Every string of the answer
 * is read back so that ASan sees the arena copies.
 */
#include "whois/whois_int.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const servers[] = {
    NULL,
    "whois.arin.net",
    "whois.ripe.net",
    "whois.apnic.net",
    "whois.lacnic.net",
    "whois.afrinic.net",
    "whois.nic.ad.jp",
    "whois.kisa.or.kr",
    "whois.registro.br",
    "whois.iana.org",
    "rwhois.example.net:4321",
};

static size_t
str_sum(const char *s)
{
    return s != NULL ? strlen(s) : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_whois_answer *a;
    const char *server;
    size_t total = 0;

    if (size == 0)
        return 0;
    server = servers[data[0] % (sizeof(servers) / sizeof(servers[0]))];
    a = wa_new("192.0.2.1", SQ_WQ_IP);
    if (a == NULL)
        return 0;
    whoistext_parse((const char *)data + 1, size - 1, server, a, NULL);
    wa_sort_contacts(a);
    for (size_t i = 0; i < a->ncontacts; i++)
        total += str_sum(a->contacts[i].email) + str_sum(a->contacts[i].where) +
                 str_sum(a->contacts[i].handle);
    for (size_t i = 0; i < a->net.ncidrs; i++)
        total += str_sum(a->net.cidrs[i]);
    total += str_sum(a->net.range) + str_sum(a->net.name) +
             str_sum(a->net.handle) + str_sum(a->net.org) +
             str_sum(a->net.country) + str_sum(a->net.registry) +
             str_sum(a->net.allocated) + str_sum(a->referral) +
             str_sum(a->origin.name);
    for (size_t i = 0; i < a->nwarnings; i++)
        total += str_sum(a->warnings[i]);
    if (total == (size_t)-1)
        __builtin_trap(); /* keeps the reads */
    sq_whois_answer_free(a);
    return 0;
}

/*
 * dnstxt_fuzz.c - the DNS TXT parsers (dnstxt.c) on arbitrary bytes.
 * The first byte picks the parser; the rest is the record text, copied
 * into a buffer of its exact size so that a read past len is caught.
 */
#include "whois/whois_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
count_add(void *arg, const char *email, size_t n)
{
    size_t *total = arg;

    /* Touch every byte handed out: ASan flags an out-of-bounds span. */
    for (size_t i = 0; i < n; i++)
        *total += (unsigned char)email[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dnstxt_origin o;
    unsigned long asn;
    char name[32], cc[3];
    size_t total = 0;
    char *txt;

    if (size == 0)
        return 0;
    txt = malloc(size - 1 ? size - 1 : 1);
    if (txt == NULL)
        return 0;
    memcpy(txt, data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        if (dnstxt_parse_origin(txt, size - 1, &o) &&
            (o.nasns == 0 || o.nasns > 8 || strlen(o.prefix) == 0))
            abort();
        break;
    case 1:
        if (dnstxt_parse_asname(txt, size - 1, &asn, name, sizeof(name), cc) &&
            (asn == 0 || strlen(name) >= sizeof(name)))
            abort();
        break;
    default:
        (void)dnstxt_parse_abusix(txt, size - 1, count_add, &total);
        break;
    }
    free(txt);
    return 0;
}

/*
 * outbox_verp_fuzz.c - libFuzzer target for sq_outbox_verp_decode()
 * (an address out of a bounce: untrusted) and, from the same bytes as a
 * template, sq_outbox_verp_address().  Input: template, a NUL byte, the
 * address.  A decoded tag must rebuild the address (case aside).
 */
#include "outbox/outbox_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    char tmpl[300], tag[64], addr[300];
    size_t tl, al;

    if (nul == NULL || (tl = (size_t)(nul - data)) >= sizeof(tmpl))
        return 0;
    memcpy(tmpl, data, tl);
    tmpl[tl] = '\0';
    al = size - tl - 1;
    if (sq_outbox_verp_decode(tmpl, (const char *)nul + 1, al, tag,
                              sizeof(tag)) == SQ_OK) {
        if (sq_outbox_verp_address(tmpl, tag, addr, sizeof(addr)) == SQ_OK) {
            const char *a = (const char *)nul + 1;
            if (al >= 2 && a[0] == '<' && a[al - 1] == '>') {
                a++;
                al -= 2;
            }
            if (strlen(addr) != al || strncasecmp(addr, a, al) != 0)
                __builtin_trap();
        }
    }
    if (al < sizeof(tag)) {
        memcpy(tag, nul + 1, al);
        tag[al] = '\0';
        (void)sq_outbox_verp_address(tmpl, tag, addr, sizeof(addr));
    }
    return 0;
}

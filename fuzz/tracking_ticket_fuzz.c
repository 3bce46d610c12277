/*
 * tracking_ticket_fuzz.c - libFuzzer target for sq_tracking_ticket()
 * (a reply's Subject: untrusted).  A ticket found must be 1..
 * SQ_TICKET_MAX printable bytes and appear in the subject as written
 * (control bytes shown as '?').
 */
#include "tracking/tracking_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[SQ_TICKET_MAX + 1], small[8], *shown;
    const char *s = (const char *)data;
    size_t n;

    if (sq_tracking_ticket(s, size, buf, sizeof(buf))) {
        n = strlen(buf);
        if (n == 0 || n > SQ_TICKET_MAX)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
                __builtin_trap();
        if ((shown = malloc(size + 1)) == NULL)
            return 0;
        for (size_t i = 0; i < size; i++)
            shown[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
        if (sq_memcasemem(shown, size, buf, n) == NULL)
            __builtin_trap();
        free(shown);
    }
    if (sq_tracking_ticket(s, size, small, sizeof(small)) &&
        strlen(small) >= sizeof(small))
        __builtin_trap();
    return 0;
}

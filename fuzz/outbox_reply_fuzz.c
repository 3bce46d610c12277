/*
 * outbox_reply_fuzz.c - libFuzzer target for ob_reply_last(), which
 * reads the SMTP server's reply lines (untrusted).  The first byte picks
 * the wanted code (0 = any, else 400 + byte) and the output buffer size,
 * the rest is the server's bytes.  Checks: the summary is NUL-terminated
 * within the buffer and printable; the code is 0 or 200..599.
 */
#include "outbox/outbox_int.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[600];
    size_t tl;
    int code, want;

    if (size < 1)
        return 0;
    want = data[0] < 128 ? 0 : 400 + (data[0] - 128);
    tl = 1 + (size_t)(data[0] % 64) * 8;
    memset(text, 'Z', sizeof(text));
    ob_reply_last((const char *)data + 1, size - 1, want, &code, text, tl);
    if (code != 0 && (code < 200 || code > 599))
        __builtin_trap();
    if (memchr(text, '\0', tl) == NULL)
        __builtin_trap();
    for (size_t i = 0; text[i]; i++)
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
            __builtin_trap();
    return 0;
}

/*
 * outbox_wire_fuzz.c - libFuzzer target for the header scan and edits
 * of a report message (wire.c): ob_find_message_id() and
 * ob_wire_message() with every edit set, CRLF and LF.  Checks: the
 * output ends with a line end and has no bare LF in CRLF mode (a CR
 * that ends a line's content stays, so LF mode may show CR LF), and the
 * Message-ID found has no blank in it.
 */
#include "outbox/outbox_int.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const ob_buf *b, int crlf)
{
    if (b->len == 0 || b->p[b->len - 1] != '\n')
        __builtin_trap();
    for (size_t i = 0; i < b->len; i++) {
        if (b->p[i] != '\n')
            continue;
        if (crlf && (i == 0 || b->p[i - 1] != '\r'))
            __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ob_edit e = {"F <f@x.example>", "r@x.example", "t@x.example",
                              "id@x.example",
                              "Thu, 01 Jan 1970 00:00:00 +0000"};
    const char *msg = (const char *)data;
    char mid[OB_MSGID_MAX + 1];
    ob_buf b = {NULL, 0, 0};

    if (ob_find_message_id(msg, size, mid, sizeof(mid)) &&
        (strlen(mid) == 0 || strchr(mid, ' ') != NULL))
        __builtin_trap();
    for (int crlf = 0; crlf <= 1; crlf++) {
        b.len = 0;
        if (ob_wire_message(msg, size, &e, crlf, &b) == SQ_OK)
            check(&b, crlf);
    }
    ob_buf_free(&b);
    return 0;
}

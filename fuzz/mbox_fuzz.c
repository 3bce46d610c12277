/*
 * mbox_fuzz.c - libFuzzer target for the in-memory mbox splitter and
 * the header scan of each message it yields.
 *
 * Owner: mail.  Checks that every message is a slice of the input, that
 * slices never overlap or go backwards, and that the splitter ends.
 */
#include "mail/mail_int.h"

#include <squeaky/mail.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data, *msg, *prev_end = buf;
    sq_mbox_iter it;
    size_t len, count = 0;

    sq_mbox_init(&it, buf, size);
    while (sq_mbox_next(&it, &msg, &len)) {
        sq_headers *h = NULL;
        if (msg < prev_end || len > size || msg + len > buf + size)
            abort();
        prev_end = msg + len;
        if (++count > size + 1)
            abort(); /* more messages than bytes: no progress */
        if (sq_headers_parse(msg, len, NULL, &h) == SQ_OK) {
            for (size_t i = 0; i < sq_headers_count(h); i++)
                (void)sq_headers_value(h, i, NULL);
            sq_headers_free(h);
        }
    }
    return 0;
}

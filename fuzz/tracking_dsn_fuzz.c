/*
 * tracking_dsn_fuzz.c - libFuzzer target for the reply classifier:
 * sq_reply_parse() on arbitrary bytes (the MIME walk, the DSN, text
 * bounces, auto-reply headers), then the delivery-status body parser
 * and the text bounce scanner directly on the same bytes.  Every string
 * a reply returns must be NUL-terminated inside its arena and short.
 */
#include "tracking/tracking_int.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reply(const sq_reply *r)
{
    if (strlen(sq_reply_status(r)) > 15 ||
        strlen(sq_reply_reason(r)) > TRK_MAX_FIELD ||
        strlen(sq_reply_ticket(r)) > SQ_TICKET_MAX ||
        sq_reply_address_count(r) > TRK_MAX_KEYS ||
        sq_reply_msgid_count(r) > TRK_MAX_KEYS ||
        sq_reply_rcpt_count(r) > TRK_MAX_RCPTS ||
        (unsigned)sq_reply_kind_of(r) >= SQ_REPLY_KIND_MAX)
        __builtin_trap();
    for (size_t i = 0; i < sq_reply_address_count(r); i++)
        if (strlen(sq_reply_address(r, i)) > TRK_ADDR_MAX)
            __builtin_trap();
    for (size_t i = 0; i < sq_reply_rcpt_count(r); i++)
        (void)strlen(sq_reply_rcpt_diagnostic(r, i));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    sq_reply *r = NULL, raw;

    if (sq_reply_parse(p, size, &r) == SQ_OK) {
        check_reply(r);
        sq_reply_free(r);
    }
    memset(&raw, 0, sizeof(raw));
    if ((raw.arena = sq_arena_new(4096)) == NULL)
        return 0;
    raw.msgid = raw.status = raw.reason = raw.failed = raw.ticket = "";
    trk_dsn_body(&raw, p, size);
    check_reply(&raw);
    raw.reason = "";
    (void)trk_text_bounce(&raw, p, size);
    check_reply(&raw);
    sq_arena_free(raw.arena);
    return 0;
}

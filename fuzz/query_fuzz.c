/*
 * query_fuzz.c - libFuzzer target for wq_parse() (src/whois/query.c):
 * IPs, prefixes, AS numbers, IDN domains and URLs.  Checks that an
 * accepted query's canonical text parses again to the same kind and
 * host, and that a refusal leaves exactly one message.
 */
#include "whois/whois_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_diag *d = sq_diag_new();
    wq_query q, again;
    sq_status st = wq_parse((const char *)data, size, &q, d);

    if (st == SQ_OK) {
        if (memchr(q.canon, '\0', sizeof q.canon) == NULL ||
            memchr(q.host, '\0', sizeof q.host) == NULL ||
            memchr(q.registrable, '\0', sizeof q.registrable) == NULL)
            abort();
        if (wq_parse(q.canon, strlen(q.canon), &again, NULL) != SQ_OK ||
            again.kind != q.kind || strcmp(again.host, q.host) != 0)
            abort(); /* canonical text must mean the same thing */
        if (q.kind != SQ_WQ_URL && strcmp(again.canon, q.canon) != 0)
            abort();
    } else if (st != SQ_EINVAL || (d != NULL && sq_diag_count(d) != 1)) {
        abort();
    }
    sq_diag_free(d);
    return 0;
}

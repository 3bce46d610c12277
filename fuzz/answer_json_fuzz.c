/*
 * answer_json_fuzz.c - libFuzzer target for wa_from_json, the reader of
 * cached whois answers.  Any input must be refused or read without a
 * crash; an answer that was read must serialise, read back, and
 * serialise to the same text again (the cache round trip is exact).
 */
#include "whois/whois_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_whois_answer *a = wa_from_json((const char *)data, size), *b;
    char *j1, *j2;

    if (a == NULL)
        return 0;
    j1 = wa_to_json(a);
    if (j1 == NULL)
        abort(); /* whatever was read can be written */
    b = wa_from_json(j1, strlen(j1));
    if (b == NULL)
        abort(); /* and read back */
    j2 = wa_to_json(b);
    if (j2 == NULL || strcmp(j1, j2) != 0)
        abort(); /* to the same text */
    free(j1);
    free(j2);
    sq_whois_answer_free(a);
    sq_whois_answer_free(b);
    return 0;
}

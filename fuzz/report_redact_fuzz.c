/*
 * report_redact_fuzz.c - libFuzzer target for the redactor.
 *
 * Owner: report.  Redacts arbitrary bytes as a whole MIME message (after
 * learning its recipients) and as plain text, with a fixed set of
 * secrets, and checks: both succeed; no secret survives the plain-text
 * pass (matched case-insensitively, as the redactor does, for secrets
 * that match anywhere); the message pass leaves no dotted/'@' secret in
 * the raw output bytes; input without any secret byte pattern comes
 * back from the text pass unchanged.
 */
#include <squeaky/report.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const raw_secrets[] = {"victim@secret.example",
                                          "mx.private.example"};

static int
contains(const char *h, size_t n, const char *s)
{
    size_t k = strlen(s);

    for (size_t i = 0; k <= n && i + k <= n; i++)
        if (strncasecmp(h + i, s, k) == 0)
            return 1;
    return 0;
}

static sq_redactor *
redactor(void)
{
    sq_redactor *r = NULL;

    if (sq_redactor_new(&r) != SQ_OK)
        abort();
    sq_redactor_add(r, SQ_SECRET_ADDRESS, raw_secrets[0]);
    sq_redactor_add(r, SQ_SECRET_HOST, raw_secrets[1]);
    sq_redactor_add(r, SQ_SECRET_IP, "198.51.100.77");
    sq_redactor_add(r, SQ_SECRET_WORD, "jdoe");
    return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    sq_redactor *r = redactor();
    char *out = NULL;
    size_t n = 0, reps = 0;

    if (sq_redact_text(r, in, size, &out, &n, &reps) != SQ_OK)
        abort();
    for (size_t k = 0; k < 2; k++)
        if (contains(out, n, raw_secrets[k]))
            abort();
    if (reps == 0 && (n != size || memcmp(out, in, size) != 0))
        abort();
    free(out);
    out = NULL;
    (void)sq_redactor_learn(r, in, size, NULL);
    if (sq_redact_message(r, in, size, &out, &n, NULL) != SQ_OK)
        abort();
    for (size_t k = 0; k < 2; k++)
        if (contains(out, n, raw_secrets[k]))
            abort();
    free(out);
    sq_redactor_free(r);
    return 0;
}

/*
 * relay.c - the relay record: allocation, field access, notes.
 */
#include "trace_int.h"

#include <stdlib.h>
#include <string.h>

sq_relay *
sq_relay_alloc(void)
{
    sq_relay *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->arena = sq_arena_new(512);
    if (r->arena == NULL) {
        free(r);
        return NULL;
    }
    for (int i = 0; i < SQ_RELAY_FIELD_COUNT; i++)
        r->f[i] = "";
    r->time = -1;
    return r;
}

void
sq_relay_free(sq_relay *r)
{
    if (r == NULL)
        return;
    sq_arena_free(r->arena);
    free(r);
}

int
sq_relay_set(sq_relay *r, sq_relay_field f, const char *s, size_t n)
{
    char *p = sq_arena_strndup(r->arena, s, n);

    if (p == NULL)
        return 0;
    r->f[f] = p;
    return 1;
}

int
sq_relay_note(sq_relay *r, const char *word)
{
    const char *old = r->f[SQ_RELAY_NOTES];
    size_t ol = strlen(old), wl = strlen(word);
    char *p;

    p = sq_arena_alloc(r->arena, ol + wl + 2);
    if (p == NULL)
        return 0;
    memcpy(p, old, ol);
    if (ol > 0)
        p[ol++] = ' ';
    memcpy(p + ol, word, wl);
    p[ol + wl] = '\0';
    r->f[SQ_RELAY_NOTES] = p;
    return 1;
}

const char *
sq_relay_get(const sq_relay *r, sq_relay_field f)
{
    if (r == NULL || (unsigned)f >= SQ_RELAY_FIELD_COUNT)
        return "";
    return r->f[f];
}

int
sq_relay_trusted(const sq_relay *r)
{
    return r->trusted;
}

int
sq_relay_internal(const sq_relay *r)
{
    return r->internal;
}

int
sq_relay_msa(const sq_relay *r)
{
    return r->msa;
}

long long
sq_relay_time(const sq_relay *r)
{
    return r->time;
}

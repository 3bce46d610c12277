/*
 * relay.c - the relay record: allocation, field access, notes.
 *
 * Ownership: a relay is one malloc'ed block (record + inline text area,
 * see trace_int.h); an arena is added only when text outgrows the inline
 * area.  sq_relay_free() releases both.
 */
#include "trace_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Inline text for relays made without a size (trust path additions). */
#define SQ_RELAY_DEFAULT_TEXT 64
/* Chunk size of the overflow arena. */
#define SQ_RELAY_ARENA_CHUNK 256

sq_relay *
sq_relay_alloc_text(size_t cap)
{
    sq_relay *r;

    if (cap > SIZE_MAX - sizeof(*r))
        return NULL;
    r = malloc(sizeof(*r) + cap);
    if (r == NULL)
        return NULL;
    r->arena = NULL;
    for (int i = 0; i < SQ_RELAY_FIELD_COUNT; i++)
        r->f[i] = "";
    memset(&r->addr, 0, sizeof(r->addr));
    r->time = -1;
    r->flags = 0;
    r->trusted = 0;
    r->internal = 0;
    r->msa = 0;
    r->cap = cap;
    r->used = 0;
    return r;
}

sq_relay *
sq_relay_alloc(void)
{
    return sq_relay_alloc_text(SQ_RELAY_DEFAULT_TEXT);
}

void
sq_relay_free(sq_relay *r)
{
    if (r == NULL)
        return;
    sq_arena_free(r->arena);
    free(r);
}

char *
sq_relay_text(sq_relay *r, size_t n)
{
    if (r->cap - r->used >= n) {
        char *p = r->text + r->used;
        r->used += n;
        return p;
    }
    if (r->arena == NULL) {
        r->arena = sq_arena_new(SQ_RELAY_ARENA_CHUNK);
        if (r->arena == NULL)
            return NULL;
    }
    return sq_arena_alloc(r->arena, n);
}

int
sq_relay_set(sq_relay *r, sq_relay_field f, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX || (p = sq_relay_text(r, n + 1)) == NULL)
        return 0;
    if (n > 0)
        memcpy(p, s, n);
    p[n] = '\0';
    r->f[f] = p;
    return 1;
}

int
sq_relay_note(sq_relay *r, const char *word)
{
    const char *old = r->f[SQ_RELAY_NOTES];
    size_t ol = strlen(old), wl = strlen(word);
    char *p;

    p = sq_relay_text(r, ol + wl + 2);
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
sq_relay_field_name(sq_relay_field f)
{
    static const char *const names[SQ_RELAY_FIELD_COUNT] = {
        [SQ_RELAY_IP] = "ip",       [SQ_RELAY_RDNS] = "rdns",
        [SQ_RELAY_HELO] = "helo",   [SQ_RELAY_BY] = "by",
        [SQ_RELAY_IDENT] = "ident", [SQ_RELAY_ENVFROM] = "envfrom",
        [SQ_RELAY_ID] = "id",       [SQ_RELAY_AUTH] = "auth",
        [SQ_RELAY_FOR] = "for",     [SQ_RELAY_DATE] = "date",
        [SQ_RELAY_WITH] = "with",   [SQ_RELAY_NOTES] = "notes",
    };

    return (unsigned)f < SQ_RELAY_FIELD_COUNT ? names[f] : NULL;
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

/*
 * arena.c - a bump allocator: many small allocations freed at once.
 * Used per parsed message/relay so that ownership is one pointer.
 */
#include "core_int.h"

#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

struct sq_arena {
    struct chunk *head;
    size_t chunk;
};

sq_arena *
sq_arena_new(size_t chunk)
{
    sq_arena *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->chunk = chunk < 256 ? 256 : chunk;
    return a;
}

void
sq_arena_free(sq_arena *a)
{
    struct chunk *c, *n;

    if (a == NULL)
        return;
    for (c = a->head; c != NULL; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

void *
sq_arena_alloc(sq_arena *a, size_t n)
{
    struct chunk *c = a->head;
    size_t need, size;

    if (n > SIZE_MAX - 16)
        return NULL;
    need = (n + 7) & ~(size_t)7;
    if (c == NULL || c->size - c->used < need) {
        size = need > a->chunk ? need : a->chunk;
        if (size > SIZE_MAX - sizeof(*c))
            return NULL;
        c = malloc(sizeof(*c) + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    c->used += need;
    return c->data + c->used - need;
}

char *
sq_arena_strndup(sq_arena *a, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = sq_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    if (n > 0)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

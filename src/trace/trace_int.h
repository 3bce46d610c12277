/*
 * trace_int.h - the trace module's private types: the relay record
 * shared by the Received parser (received.c) and the trust path
 * (trust.c, trace.c).
 *
 * A relay is one heap block: the record followed by an inline text area
 * that holds the field strings the parser stores (sized for the line,
 * so a parsed relay costs one malloc).  Text added later (notes, fields
 * set by the trust path) goes to the inline area while it has room and
 * then to an arena created on first need.
 */
#ifndef SQ_TRACE_INT_H
#define SQ_TRACE_INT_H

#include "core/core_int.h"

#include <squeaky/trace.h>

/* Longest Received body the parser accepts. */
#define SQ_RECEIVED_MAX_LEN 16384

/* Relay flags set by the parser. */
#define SQ_RF_AUTH 0x01u       /* authenticated submission seen */
#define SQ_RF_IP_PRIVATE 0x02u /* ip is private/loopback/reserved */

struct sq_relay {
    sq_arena *arena; /* NULL until the inline area is full */
    const char *f[SQ_RELAY_FIELD_COUNT]; /* never NULL; "" when absent */
    sq_ipaddr addr;                      /* parsed SQ_RELAY_IP */
    long long time;                      /* -1 when unknown */
    unsigned flags;                      /* SQ_RF_* */
    unsigned trusted : 1;
    unsigned internal : 1;
    unsigned msa : 1;
    size_t cap, used; /* inline text area */
    char text[];
};

/* Allocate an empty relay (all fields "", time -1). */
sq_relay *sq_relay_alloc(void);
/* The same with `cap` bytes of inline text area (NULL on overflow or out
 * of memory). */
sq_relay *sq_relay_alloc_text(size_t cap);
/* n bytes of text owned by r (inline area first); NULL when out of memory. */
char *sq_relay_text(sq_relay *r, size_t n);
/* Set a field to a copy of [s, s+n). 0 on out of memory. */
int sq_relay_set(sq_relay *r, sq_relay_field f, const char *s, size_t n);
/* Append a word to SQ_RELAY_NOTES (space separated). */
int sq_relay_note(sq_relay *r, const char *word);

#endif

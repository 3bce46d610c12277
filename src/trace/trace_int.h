/*
 * trace_int.h - the trace module's private types: the relay record
 * shared by the Received parser (received.c) and the trust path
 * (trust.c, trace.c).
 *
 * A relay owns one arena; every field string lives in it.
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
    sq_arena *arena;
    const char *f[SQ_RELAY_FIELD_COUNT]; /* never NULL; "" when absent */
    sq_ipaddr addr;                      /* parsed SQ_RELAY_IP */
    long long time;                      /* -1 when unknown */
    unsigned flags;                      /* SQ_RF_* */
    unsigned trusted : 1;
    unsigned internal : 1;
    unsigned msa : 1;
};

/* Allocate an empty relay (all fields "", time -1). */
sq_relay *sq_relay_alloc(void);
/* Set a field to a copy of [s, s+n). 0 on out of memory. */
int sq_relay_set(sq_relay *r, sq_relay_field f, const char *s, size_t n);
/* Append a word to SQ_RELAY_NOTES (space separated). */
int sq_relay_note(sq_relay *r, const char *word);

#endif

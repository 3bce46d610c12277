/*
 * core_int.h - libsqueaky's internal core API, shared by every module
 * (never installed).  Holds the arena, diag/log helpers, IP addresses
 * in binary form and small string helpers.
 */
#ifndef SQ_CORE_INT_H
#define SQ_CORE_INT_H

#include <squeaky/config.h>
#include <squeaky/core.h>
#include <squeaky/net.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define SQ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SQ_PRINTF(a, b)
#endif

/* ---- diagnostics and logging (core.c) ---- */

/* Append "file:line: message" (file NULL: no place; line 0: file only).
 * Silently drops the message when d is NULL or memory runs out. */
void sq_diag_addf(sq_diag *d, const char *file, unsigned line, const char *fmt,
                  ...) SQ_PRINTF(4, 5);
void sq_logf(sq_log_level level, const char *fmt, ...) SQ_PRINTF(2, 3);

/* ---- arena (arena.c): bump allocator freed all at once ---- */

typedef struct sq_arena sq_arena;

sq_arena *sq_arena_new(size_t chunk);
void sq_arena_free(sq_arena *a);
/* 8-byte aligned; NULL on overflow or out of memory. */
void *sq_arena_alloc(sq_arena *a, size_t n);
/* Copy [s, s+n) and add a NUL. */
char *sq_arena_strndup(sq_arena *a, const char *s, size_t n);

/* ---- IP addresses (ip.c) ---- */

typedef struct sq_ipaddr {
    uint8_t b[16]; /* IPv4 stored as ::ffff:a.b.c.d */
    uint8_t v4;    /* 1 when the address is IPv4 (or v4-mapped) */
} sq_ipaddr;

/* Parse an IPv4 dotted quad, IPv6 (optionally "IPv6:" prefixed and
 * bracketed by the caller's stripping) or v4-mapped IPv6.  Zone ids are
 * rejected.  Returns 1 on success, 0 otherwise. */
int sq_ipaddr_parse(const char *s, size_t len, sq_ipaddr *out);
/* Canonical text form; out must hold 46 bytes. Returns length. */
size_t sq_ipaddr_format(const sq_ipaddr *a, char *out);
/* SQ_IP_* class bits for a parsed address. */
unsigned sq_ipaddr_class(const sq_ipaddr *a);
/* 1 when a is inside net/prefix (prefix counted on the 128-bit form). */
int sq_ipaddr_in(const sq_ipaddr *a, const sq_ipaddr *net, unsigned prefix);

/* Match a against a netset; same result as sq_netset_match(). */
int sq_netset_match_addr(const sq_netset *ns, const sq_ipaddr *a);

/* ---- files (file.c) ---- */

/* Read a whole regular, not world-writable file of at most max bytes
 * into *out (malloc'ed, NUL added).  SQ_ENOTFOUND (no message) when it
 * does not exist; SQ_ECONFIG when it is not regular, world-writable
 * ("refusing a world-writable <what> file") or too large; SQ_EIO. */
sq_status sq_file_read_private(const char *path, const char *what, size_t max,
                               char **out, size_t *outlen, sq_diag *d);

/* ---- time (time.c) ---- */

/* Parse an RFC 5322 date-time (lenient: missing weekday, 2-digit years,
 * obsolete zones, "(UTC)" comments) into seconds since the epoch, UTC.
 * Returns 1 and sets *out on success, 0 when unparseable. */
int sq_time_parse_rfc5322(const char *s, size_t len, long long *out);
/* Days from 1970-01-01 to y-m-d (m 1..12), proleptic Gregorian. */
long long sq_time_days_from_civil(long long y, int m, int d);
/* Format epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" (out >= 21 bytes). */
void sq_time_format_utc(long long t, char *out, size_t outlen);

/* ---- strings (str.c) ---- */

/* [a, a+alen) equals lit ignoring ASCII case.  Inline so that the
 * length of a literal folds to a constant (a hot path of the parsers). */
static inline int
sq_strncaseeq(const char *a, size_t alen, const char *lit)
{
    size_t n = strlen(lit);

    if (alen != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)lit[i];

        if ((x >= 'A' && x <= 'Z' ? x + 32 : x) !=
            (y >= 'A' && y <= 'Z' ? y + 32 : y))
            return 0;
    }
    return 1;
}
/* Printable, truncated copy of untrusted text for a message: bytes
 * outside 0x20..0x7e and '\'' become '?', "..." marks truncation. */
enum { SQ_SHOW_MAX = 64 };
void sq_str_show(const char *s, size_t len, char out[SQ_SHOW_MAX + 4]);
/* [s, s+n) is 1..maxdigits decimal digits and at most max: 1 and *out
 * set; 0 otherwise (no overflow for maxdigits <= 19). */
int sq_parse_dec(const char *s, size_t n, size_t maxdigits,
                 unsigned long long max, unsigned long long *out);
/* An AS number: optional "AS"/"as" prefix, then 1..10 digits, at most
 * 4294967295 (0 allowed: callers decide). */
int sq_parse_asn(const char *s, size_t n, unsigned long *out);
const char *sq_memcasemem(const char *hay, size_t hlen, const char *needle,
                          size_t nlen);
/* The value of a hex digit (either case), -1 for any other byte. */
int sq_hex_value(char c);

#endif

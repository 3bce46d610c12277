/*
 * squeaky/net.h - IP address classification and network sets.
 *
 * Network sets use SpamAssassin's netset syntax: CIDRs, bare addresses,
 * abbreviated IPv4 prefixes ("1.2/16", "127/8", "10."), IPv6 with or
 * without a prefix length, and "!" exclusions.  The first matching entry
 * decides, so "!1.2.3.4 1.2/16" excludes one host from a /16.
 */
#ifndef SQUEAKY_NET_H
#define SQUEAKY_NET_H

#include <squeaky/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Classification bits returned by sq_ip_classify(). */
#define SQ_IP_V4 0x01u       /* a valid IPv4 address */
#define SQ_IP_V6 0x02u       /* a valid IPv6 address (not v4-mapped) */
#define SQ_IP_LOOPBACK 0x04u /* 127/8, ::1 */
#define SQ_IP_PRIVATE 0x08u  /* RFC 1918, link-local, ULA, CGNAT, ... */
#define SQ_IP_RESERVED 0x10u /* documentation, multicast, unspecified */

/*
 * Classify the text [s, s+len) as an IP address.  Returns 0 when it is
 * not a valid address (zone ids such as "fe80::1%eth0" are rejected).
 * IPv4-mapped IPv6 (::ffff:1.2.3.4) is classified as the IPv4 address.
 */
SQ_API unsigned sq_ip_classify(const char *s, size_t len);

/*
 * Canonicalise an IP address into out (RFC 5952 for IPv6, dotted quad
 * for IPv4 and v4-mapped).  outlen must be at least 46.
 */
SQ_API sq_status sq_ip_canon(const char *s, size_t len, char *out,
                             size_t outlen);

typedef struct sq_netset sq_netset;

SQ_API sq_status sq_netset_new(sq_netset **out);
SQ_API void sq_netset_free(sq_netset *ns);

/*
 * Add entries from spec (separated by whitespace or commas).  Bad
 * entries are reported to d (one message each) and make the call
 * return SQ_ECONFIG; good entries in the same spec are still added.
 */
SQ_API sq_status sq_netset_add(sq_netset *ns, const char *spec, size_t len,
                               sq_diag *d);

/* Number of entries (including exclusions). */
SQ_API size_t sq_netset_count(const sq_netset *ns);

/*
 * 1 when ip matches a positive entry before any exclusion, 0 when it
 * does not match or the first match is an exclusion, -1 when ip is not a
 * valid address.
 */
SQ_API int sq_netset_match(const sq_netset *ns, const char *ip, size_t len);

#ifdef __cplusplus
}
#endif
#endif

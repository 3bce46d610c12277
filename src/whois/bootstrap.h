/*
 * bootstrap.h - buffer entry points of the IANA RDAP bootstrap reader
 * (bootstrap.c), beside rdap_bootstrap_load() in whois_int.h: for a
 * compiled-in snapshot and for the fuzzer.  Never installed.
 */
#ifndef SQ_WHOIS_BOOTSTRAP_H
#define SQ_WHOIS_BOOTSTRAP_H

#include "whois/whois_int.h"

typedef enum rdap_bootstrap_kind {
    RDAP_BOOT_IPV4 = 0, /* ipv4.json */
    RDAP_BOOT_IPV6,     /* ipv6.json */
    RDAP_BOOT_ASN,      /* asn.json */
    RDAP_BOOT_DNS       /* dns.json */
} rdap_bootstrap_kind;

/* An empty table (every lookup NULL).  SQ_ENOMEM or SQ_OK. */
sq_status rdap_bootstrap_new(rdap_bootstrap **out);

/*
 * Add one bootstrap file's services [json, json+len) of the given kind;
 * name ("ipv4.json") prefixes the messages in d.  SQ_EPARSE when the
 * JSON or an entry is malformed (b keeps what an earlier call added,
 * nothing of this file), SQ_ELIMIT_RESPONSE when the file is too large.
 */
sq_status rdap_bootstrap_add(rdap_bootstrap *b, rdap_bootstrap_kind kind,
                             const char *json, size_t len, const char *name,
                             sq_diag *d);

#endif

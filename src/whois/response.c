/*
 * response.c - sq_whois_parse_response(): one saved RDAP document or
 * whois text, read without any network (squeaky whois --response).
 */
#include "whois_int.h"

#include <string.h>

static sq_whois_kind
guess_kind(const char *query)
{
    wq_query q;

    if (query == NULL || wq_parse(query, strlen(query), &q, NULL) != SQ_OK)
        return SQ_WQ_IP;
    return q.kind;
}

SQ_API sq_status
sq_whois_parse_response(const char *buf, size_t len, const char *query,
                        const char *origin, sq_diag *d, sq_whois_answer **out)
{
    sq_whois_answer *a;
    size_t i = 0;
    sq_status st;

    if (buf == NULL || out == NULL)
        return SQ_EINVAL;
    if (len == 0) {
        sq_diag_addf(d, NULL, 0, "empty response");
        return SQ_EEMPTY;
    }
    a = wa_new(query, guess_kind(query));
    if (a == NULL)
        return SQ_ENOMEM;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
                       buf[i] == '\n'))
        i++;
    if (i < len && buf[i] == '{')
        st = rdap_parse(buf, len, origin != NULL ? origin : "", a, d);
    else
        st = whoistext_parse(buf, len, origin, a, d);
    if (st != SQ_OK) {
        sq_whois_answer_free(a);
        return st;
    }
    wa_sort_contacts(a);
    *out = a;
    return SQ_OK;
}

/*
 * tracking_fields_test.c - the tracking module's small scanners, table
 * driven: field blocks (folding, blank lines, junk lines), enhanced
 * status codes, white-space tolerant phrases, addresses, the source IP
 * of a report message (ARF, XARF v4, text), ASNs of network labels and
 * medians.
 */
#include "sqtest.h"

#include "tracking/tracking_int.h"

#include <string.h>

static void
check_fields(void)
{
    static const char blk[] = "Reporting-MTA: dns; mx\r\n"
                              "\r\n"
                              "junk line without colon\n"
                              "Final-Recipient: rfc822;\n"
                              "  a@b.example\n"
                              " : stray\n"
                              "Status: 5.1.1";
    size_t pos = 0;
    trk_field f;
    int rc;

    SQ_CHECK(trk_field_next(blk, sizeof(blk) - 1, &pos, &f) == 1, "field 1");
    SQ_CHECK(sq_strncaseeq(f.name, f.nlen, "reporting-mta"), "name 1");
    SQ_CHECK(trk_field_next(blk, sizeof(blk) - 1, &pos, &f) == 2, "blank");
    rc = trk_field_next(blk, sizeof(blk) - 1, &pos, &f);
    SQ_CHECK(rc == 1 && sq_strncaseeq(f.name, f.nlen, "Final-Recipient"),
             "junk skipped");
    SQ_CHECK(memchr(f.value, 'a', f.vlen) != NULL, "folded value kept");
    rc = trk_field_next(blk, sizeof(blk) - 1, &pos, &f);
    SQ_CHECK(rc == 1 && sq_strncaseeq(f.name, f.nlen, "Status") && f.vlen == 6,
             "last field without newline");
    SQ_CHECK(trk_field_next(blk, sizeof(blk) - 1, &pos, &f) == 0, "end");
}

static const struct {
    const char *in, *want; /* want NULL: none */
} statuses[] = {
    {"550 5.1.1 user unknown", "5.1.1"},
    {"(#5.1.1)", "5.1.1"},
    {"421 4.7.0 later", "4.7.0"},
    {"550 5.1.10 RESOLVER", "5.1.10"},
    {"2.0.0 ok", "2.0.0"},
    {"192.0.2.5 is an address", NULL},
    {"version 15.1.2", NULL},
    {"5.1.1234", NULL},
    {"5.1.", NULL},
    {"3.1.1", NULL},
};

static void
check_status(void)
{
    char out[16];

    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        int got = trk_find_status(statuses[i].in, strlen(statuses[i].in), out,
                                  sizeof(out));

        if (statuses[i].want == NULL)
            SQ_CHECK(!got, "\"%s\": no status, got %s", statuses[i].in, out);
        else if (got)
            SQ_CHECK_STR(out, statuses[i].want, "\"%s\"", statuses[i].in);
        else
            SQ_CHECK(0, "\"%s\": status expected", statuses[i].in);
    }
}

static void
check_phrases(void)
{
    static const char t[] = "I'm sorry: your message\r\n   could NOT be "
                            "delivered.";
    const char *a;
    size_t an;

    SQ_CHECK(trk_find_phrase(t, sizeof(t) - 1,
                             "your message could not be delivered") ==
                 sizeof(t) - 2,
             "wrapped, mixed case");
    SQ_CHECK(trk_find_phrase(t, sizeof(t) - 1, "message was not") == (size_t)-1,
             "absent");
    SQ_CHECK(trk_find_phrase("your message", 12, "your message could") ==
                 (size_t)-1,
             "cut short");
    SQ_CHECK(trk_find_address("to <abuse@ex.example>: 550", 26, &a, &an) &&
                 an == 16 && memcmp(a, "abuse@ex.example", 16) == 0,
             "address in <>");
    SQ_CHECK(!trk_find_address("user@localhost only", 19, &a, &an),
             "no dot in the domain");
    SQ_CHECK(!trk_find_address("@ alone", 7, &a, &an), "bare @");
}

static const struct {
    const char *msg, *want; /* want "" : none */
} sources[] = {
    {"Feedback-Type: abuse\nSource-IP: 192.0.2.9\n", "192.0.2.9"},
    {"{\"source_identifier\": \"2001:db8::1\", \"x\": 1}", "2001:db8::1"},
    {"  Source:       198.51.100.7\n  Arrival", "198.51.100.7"},
    {"Source: 203.0.113.5 port 22\n", "203.0.113.5"},
    {"Source: unknown\nSource-IP: 192.0.2.1\n", "192.0.2.1"},
    {"Source: not an address\n", ""},
    {"Source-IP: 999.1.1.1\n", ""},
    {"Source-IP:", ""},
};

static void
check_sources(void)
{
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        char ip[46] = "";
        int got =
            trk_message_source(sources[i].msg, strlen(sources[i].msg), ip);

        SQ_CHECK(got == (sources[i].want[0] != '\0'), "%zu: found %d", i, got);
        if (got)
            SQ_CHECK_STR(ip, sources[i].want, "source %zu", i);
    }
}

static void
check_labels(void)
{
    long long v[] = {5, 1, 3}, w[] = {4, 1, 3, 2};

    SQ_CHECK(trk_label_asn("AS64500 EXAMPLE-NET") == 64500, "label");
    SQ_CHECK(trk_label_asn("as13335") == 13335, "lower case, no name");
    SQ_CHECK(trk_label_asn("AS4294967295 X") == 4294967295UL, "max");
    SQ_CHECK(trk_label_asn("AS4294967296 X") == 0, "too large");
    SQ_CHECK(trk_label_asn("ASIA-NET") == 0, "not an ASN");
    SQ_CHECK(trk_label_asn("AS12x") == 0, "junk after");
    SQ_CHECK(trk_label_asn("") == 0 && trk_label_asn(NULL) == 0, "empty");
    SQ_CHECK(trk_median(v, 3) == 3, "odd");
    SQ_CHECK(trk_median(w, 4) == 2, "even: mean of the middle two");
    SQ_CHECK(trk_median(v, 0) == -1, "none");
}

int
main(void)
{
    check_fields();
    check_status();
    check_phrases();
    check_sources();
    check_labels();
    return sqtest_finish("tracking_fields_test");
}

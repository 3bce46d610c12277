/*
 * time_test.c - RFC 5322 date-time parsing and UTC formatting.
 *
 * 1. tests/data/core/received_dates.tsv: every date found at the end of
 *    a Received header in the SpamAssassin corpus, with the epoch and
 *    UTC text computed independently by Python's email.utils (see the
 *    README there).  Each must parse to that epoch and format back to
 *    that text.
 * 2. A hand table of edge cases (leap years, zones, comments, asctime
 *    order, 2/3-digit years); expected epochs from Python's
 *    calendar.timegm.
 * 3. Garbage and impossible dates must be refused (return 0).
 */
#include "core/core_int.h"
#include "sqtest.h"

static void
test_received_dates(void)
{
    char path[1024], *line = NULL, out[32];
    size_t cap = 0, n = 0, ok = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/core/received_dates.tsv",
             SQ_TEST_DATA_DIR);
    f = fopen(path, "r");
    SQ_CHECK(f != NULL, "open %s", path);
    while (f != NULL && getline(&line, &cap, f) > 0) {
        char *t1, *t2, *end;
        long long want, got = 0;
        int parsed;

        if (line[0] == '#')
            continue;
        t1 = strchr(line, '\t');
        t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        SQ_CHECK(t1 != NULL && t2 != NULL, "bad data line %s", line);
        if (t1 == NULL || t2 == NULL)
            continue;
        *t1 = *t2 = '\0';
        want = strtoll(t1 + 1, &end, 10);
        t2[strcspn(t2 + 1, "\r\n") + 1] = '\0';
        n++;
        parsed = sq_time_parse_rfc5322(line, strlen(line), &got);
        SQ_CHECK(parsed && got == want, "'%s': got %d/%lld want %lld", line,
                 parsed, got, want);
        sq_time_format_utc(got, out, sizeof(out));
        SQ_CHECK_STR(out, t2 + 1, "format of '%s'", line);
        ok += parsed && got == want && strcmp(out, t2 + 1) == 0;
    }
    free(line);
    if (f != NULL)
        fclose(f);
    SQ_CHECK(n >= 250, "only %zu dates", n);
    printf("time_test: SpamAssassin Received dates %zu/%zu\n", ok, n);
}

static const struct time_case {
    const char *in;
    long long want;
} time_cases[] = {
    {"Mon,  6 Jul 2015 09:01:20 +0000 (UTC)", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 +0000", 1436173280},
    {"6 Jul 2015 09:01:20 +0000", 1436173280},
    {"  Mon ,  6   Jul   2015   09:01:20   +0000  ", 1436173280},
    {"Mon, 6 Jul 2015 11:01:20 +0200", 1436173280},
    {"Mon, 6 Jul 2015 04:01:20 -0500", 1436173280},
    {"Mon, 6 Jul 2015 05:01:20 EDT", 1436173280},
    {"Mon, 6 Jul 2015 04:01:20 EST", 1436173280},
    {"Mon, 6 Jul 2015 04:01:20 CDT", 1436173280},
    {"Mon, 6 Jul 2015 03:01:20 CST", 1436173280},
    {"Mon, 6 Jul 2015 03:01:20 MDT", 1436173280},
    {"Mon, 6 Jul 2015 02:01:20 MST", 1436173280},
    {"Mon, 6 Jul 2015 02:01:20 PDT", 1436173280},
    {"Mon, 6 Jul 2015 01:01:20 PST", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 GMT", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 UT", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 utc", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 Z", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 A", 1436173280},    /* military: ignored */
    {"Mon, 6 Jul 2015 09:01:20 CEST", 1436173280}, /* unknown: +0000 */
    {"Mon, 6 Jul 2015 10:01:20 GMT+0100", 1436173280},
    {"Mon, 6 Jul 2015 10:01:20 +01:00", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20", 1436173280}, /* no zone: UTC */
    {"Mon, 6 Jul 2015 09:01:20.123 +0000", 1436173280},
    {"Mon, 6 Jul 2015 9:01:20 +0000", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20+0000", 1436173280},
    {"Monday, 6 July 2015 09:01:20 +0000", 1436173280},
    {"mon, 06 jul 2015 09:01:20 +0000", 1436173280},
    {"Mon, 6 Jul 15 09:01:20 +0000", 1436173280},
    {"Mon, 6 Jul 115 09:01:20 +0000", 1436173280}, /* obs 3-digit year */
    {"Mon (x), 6 (y) Jul (z (nested)) 2015 09:01:20 +0000 (UTC) (more)",
     1436173280},
    {"Mon Jul  6 09:01:20 2015", 1436173280}, /* asctime */
    {"Jul 6 09:01:20 2015 +0000", 1436173280},
    {"Mon, 6 Jul 2015 09:01 +0000", 1436173260},
    {"Tue, 29 Feb 2000 12:00:00 +0000", 951825600},
    {"29 Feb 2004 00:00:00 +0000", 1078012800},
    {"31 Dec 1999 23:59:59 +0000", 946684799},
    {"1 Jan 2000 00:59:59 +0100", 946684799},
    {"19 Jan 2038 03:14:08 +0000", 2147483648LL},
    {"1 Mar 2100 00:00:00 +0000", 4107542400LL},
    {"1 Jan 1900 00:00:00 +0000", -2208988800LL},
    {"1 Jan 49 00:00:00 +0000", 2493072000LL},
    {"1 Jan 50 00:00:00 +0000", -631152000LL},
    {"12 Jan 2005 10:00:00 GMT", 1105524000},
    {"1 Sept 1999 00:00:00 +0000", 936144000},
    {"31 Dec 9999 23:59:59 +0000", 253402300799LL},
    {"31 Dec 2016 23:59:60 +0000", 1483228800}, /* leap second */
    /* text after a zone is ignored (queue ids appended by some MTAs) */
    {"Mon, 6 Jul 2015 09:01:20 +0000 id 000000DB.43735815", 1436173280},
    {"Mon, 6 Jul 2015 09:01:20 +0000 (UTC) ; x", 1436173280},
};

static const char *const garbage[] = {
    "",
    "garbage",
    "Mon, 6 Jul 2015",
    "Mon, 6 Jul 2015 09:01:20 trailing",
    "Mon, 6 Jul 2015 09:01:20 (c) trailing",
    "Mon, 6 Jul 2015 09:01:20 +000",
    "Mon, 6 Jul 2015 09:01:20 +00000",
    "Mon, 6 Jul 2015 09:01:20 +2400",
    "Mon, 6 Jul 2015 09:01:20 +0060",
    "Mon, 6 Jul 2015 24:00:00 +0000",
    "Mon, 6 Jul 2015 09:60:00 +0000",
    "Mon, 6 Jul 2015 09:01:61 +0000",
    "Mon, 6 Jul 2015 09:1:20 +0000",
    "Mon, 32 Jul 2015 09:01:20 +0000",
    "Mon, 0 Jul 2015 09:01:20 +0000",
    "29 Feb 1900 00:00:00 +0000",
    "29 Feb 2100 00:00:00 +0000",
    "29 Feb 2015 00:00:00 +0000",
    "31 Apr 2015 00:00:00 +0000",
    "6 Jux 2015 09:01:20 +0000",
    "6 Ju 2015 09:01:20 +0000",
    "6 Jul 1899 09:01:20 +0000",
    "6 Jul 20155 09:01:20 +0000",
    "6 Jul 5 09:01:20 +0000",
    "106 Jul 2015 09:01:20 +0000",
    "Mon, 6 Jul 2015 09:01:20 TOOLONGZONE",
    "Mon, 6 Jul 2015 09:01:20 +0000 ((((((((((deep))))))))))",
    "Mon, 6 Jul 2015 09:01:20 EST+0100",
    "Mon Jul 6 09:01:20",
    "2015-07-06T09:01:20Z",
    "Mon, 6 Jul 2015 09:01:20 +0000trailing",
};

static void
test_hand_table(void)
{
    size_t n = sizeof(time_cases) / sizeof(time_cases[0]), ok = 0;

    for (size_t i = 0; i < n; i++) {
        long long got = 0;
        int r = sq_time_parse_rfc5322(time_cases[i].in,
                                      strlen(time_cases[i].in), &got);
        SQ_CHECK(r && got == time_cases[i].want, "'%s': %d %lld want %lld",
                 time_cases[i].in, r, got, time_cases[i].want);
        ok += r && got == time_cases[i].want;
    }
    printf("time_test: edge cases %zu/%zu\n", ok, n);
    n = sizeof(garbage) / sizeof(garbage[0]);
    ok = 0;
    for (size_t i = 0; i < n; i++) {
        long long got = 42;
        int r = sq_time_parse_rfc5322(garbage[i], strlen(garbage[i]), &got);
        SQ_CHECK(r == 0 && got == 42, "'%s' must be refused (%lld)", garbage[i],
                 got);
        ok += r == 0;
    }
    printf("time_test: garbage refused %zu/%zu\n", ok, n);
}

static void
test_misc(void)
{
    static const struct {
        long long t;
        const char *want;
    } fmt[] = {
        {0, "1970-01-01T00:00:00Z"},
        {-1, "1969-12-31T23:59:59Z"},
        {-86400, "1969-12-31T00:00:00Z"},
        {951782400, "2000-02-29T00:00:00Z"},
        {253402300799LL, "9999-12-31T23:59:59Z"},
        {-2208988800LL, "1900-01-01T00:00:00Z"},
        {4107542399LL, "2100-02-28T23:59:59Z"},
    };
    char out[32], tiny[5];
    long long got = 0;

    for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
        sq_time_format_utc(fmt[i].t, out, sizeof(out));
        SQ_CHECK_STR(out, fmt[i].want, "format %lld", fmt[i].t);
    }
    sq_time_format_utc(0, tiny, sizeof(tiny));
    SQ_CHECK_STR(tiny, "1970", "truncated");
    /* extremes must not crash (UBSan checks overflow) */
    sq_time_format_utc(9223372036854775807LL, out, sizeof(out));
    sq_time_format_utc(-9223372036854775807LL - 1, out, sizeof(out));
    /* length bounded: the bytes after len are never read */
    SQ_CHECK(sq_time_parse_rfc5322("6 Jul 2015 09:01:20 +0000garbage", 25,
                                   &got) == 1 &&
                 got == 1436173280,
             "bounded by len");
    SQ_CHECK(sq_time_parse_rfc5322(NULL, 0, &got) == 0, "NULL");
}

int
main(void)
{
    test_received_dates();
    test_hand_table();
    test_misc();
    return sqtest_finish("time_test");
}

/*
 * scan_formats_test.c - every built-in scanner on hand-written lines
 * (tests/data/scan/samples.tsv: format, expected source or "-", kind,
 * service, user, count, dest port, line), format detection on those
 * lines, the time-stamp rules (year inference, zones, epoch, Apache,
 * Windows), and bad input: 1 MB lines, binary garbage, invalid UTF-8.
 * Expected epochs were computed with Python's calendar.timegm.
 */
#include "sqtest.h"

#include <squeaky/scan.h>

static sq_scanner *scanners[SQ_SCAN_FORMAT_MAX];

static sq_scanner *
scanner_for(sq_scan_format f)
{
    if (scanners[f] == NULL && sq_scanner_new(f, &scanners[f]) == SQ_OK)
        sq_scanner_set_now(scanners[f], 1772600000LL /* 2026-03-04 */, 0);
    return scanners[f];
}

/* Split a TSV row in place into at most max fields. */
static size_t
fields(char *line, char **f, size_t max)
{
    size_t n = 0;

    while (n < max) {
        char *t = strchr(line, '\t');

        f[n++] = line;
        if (t == NULL)
            break;
        *t = '\0';
        line = t + 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    return n;
}

static void
check_row(char **f, unsigned row)
{
    sq_scan_format fmt;
    const sq_scan_event *ev = NULL;
    sq_scanner *s;
    sq_status st;

    SQ_CHECK(sq_scan_format_parse(f[0], &fmt) == SQ_OK, "row %u: format %s",
             row, f[0]);
    if ((s = scanner_for(fmt)) == NULL)
        return;
    st = sq_scanner_line(s, f[7], strlen(f[7]), 100, &ev);
    if (strcmp(f[1], "-") == 0) {
        SQ_CHECK(st == SQ_ENOTFOUND, "row %u (%s): want no event, got %s", row,
                 f[0], st == SQ_OK ? sq_scan_event_source_ip(ev) : "");
        return;
    }
    SQ_CHECK(st == SQ_OK, "row %u (%s): no event", row, f[0]);
    if (st != SQ_OK)
        return;
    SQ_CHECK_STR(sq_scan_event_source_ip(ev), f[1], "row %u source", row);
    SQ_CHECK_STR(sq_report_kind_name(sq_scan_event_kind(ev)), f[2],
                 "row %u kind", row);
    SQ_CHECK_STR(sq_scan_event_service(ev), f[3], "row %u service", row);
    SQ_CHECK_STR(sq_scan_event_user(ev), f[4], "row %u user", row);
    SQ_CHECK(sq_scan_event_count(ev) == strtoul(f[5], NULL, 10),
             "row %u count %u", row, sq_scan_event_count(ev));
    SQ_CHECK(sq_scan_event_dest_port(ev) == strtoul(f[6], NULL, 10),
             "row %u dest port %u", row, sq_scan_event_dest_port(ev));
    SQ_CHECK(sq_scan_event_offset(ev) == 100 &&
                 sq_scan_event_length(ev) == strlen(f[7]),
             "row %u span", row);
    SQ_CHECK(sq_scan_event_flags(ev) & SQ_SCAN_EV_TIME, "row %u: no time", row);
    if (strcmp(f[3], "firewall") != 0 && strcmp(f[3], "other") != 0)
        SQ_CHECK_STR(sq_scan_event_protocol(ev), "tcp", "row %u protocol", row);
}

/* Detection: the sample lines of one format, joined, detect as it. */
static void
check_detect(const char *fname, const char *text)
{
    sq_scan_format want, got = SQ_SCAN_AUTO;

    if (sq_scan_format_parse(fname, &want) != SQ_OK || text[0] == '\0')
        return;
    /* the ufw samples hold a plain kernel LOG line too: auto reads such
       a file with netfilter, which takes [UFW BLOCK] and the plain lines */
    if (want == SQ_SCAN_UFW) {
        const char *only = "Mar  3 10:01:01 gw kernel: [1.5] [UFW BLOCK] "
                           "IN=eth0 OUT= SRC=192.0.2.46 DST=198.51.100.1 "
                           "PROTO=TCP SPT=1 DPT=445\n";

        SQ_CHECK(sq_scan_detect(only, strlen(only), &got) == SQ_OK &&
                     got == SQ_SCAN_UFW,
                 "detect ufw alone: got %s", sq_scan_format_name(got));
        want = SQ_SCAN_NETFILTER;
    }
    if (want == SQ_SCAN_SSHD) { /* auth lines beside kernel lines */
        const char *mix =
            "Mar  3 10:01:01 gw sshd[9]: Invalid user a from 192.0.2.9\n"
            "Mar  3 10:01:01 gw kernel: [1.5] DROP IN=eth0 OUT= "
            "SRC=192.0.2.46 DST=198.51.100.1 PROTO=TCP SPT=1 DPT=445\n";

        SQ_CHECK(sq_scan_detect(mix, strlen(mix), &got) == SQ_OK &&
                     got == SQ_SCAN_SYSLOG,
                 "detect sshd + kernel: got %s", sq_scan_format_name(got));
    }
    SQ_CHECK(sq_scan_detect(text, strlen(text), &got) == SQ_OK && got == want,
             "detect %s: got %s", fname, sq_scan_format_name(got));
}

static void
test_samples(void)
{
    char path[1024], *line = NULL, *f[8] = {0}, text[SQ_SCAN_FORMAT_MAX][16384];
    size_t cap = 0;
    unsigned row = 0, rows = 0;
    FILE *fp;

    memset(text, 0, sizeof(text));
    snprintf(path, sizeof(path), "%s/scan/samples.tsv", SQ_TEST_DATA_DIR);
    fp = fopen(path, "r");
    SQ_CHECK(fp != NULL, "open %s", path);
    while (fp != NULL && getline(&line, &cap, fp) > 0) {
        sq_scan_format fmt;

        row++;
        if (line[0] == '#')
            continue;
        SQ_CHECK(fields(line, f, 8) == 8, "row %u: 8 fields", row);
        check_row(f, row);
        rows++;
        if (sq_scan_format_parse(f[0], &fmt) == SQ_OK &&
            strlen(text[fmt]) + strlen(f[7]) + 2 < sizeof(text[fmt])) {
            strncat(text[fmt], f[7], sizeof(text[fmt]) - strlen(text[fmt]) - 1);
            strncat(text[fmt], "\n", 2);
        }
    }
    for (int i = 1; i < SQ_SCAN_FORMAT_MAX; i++)
        check_detect(sq_scan_format_name((sq_scan_format)i), text[i]);
    printf("samples.tsv: %u rows\n", rows);
    free(line);
    if (fp)
        fclose(fp);
}

static const struct {
    const char *name, *text;
    long long ref, want;
    int zone, zone_known, want_zone;
    unsigned want_flags, usec;
} times[] = {
    {"syslog, last December", "Dec 10 06:55:46 LabSZ", 1451952000LL,
     1449730546LL, 0, 0, 0, SQ_SCAN_EV_TIME | SQ_SCAN_EV_YEAR, 0},
    {"syslog > 1 day ahead: last year", "Jan  3 00:00:00 h", 1767268800LL,
     1735862400LL, 0, 0, 0, SQ_SCAN_EV_TIME | SQ_SCAN_EV_YEAR, 0},
    {"syslog < 1 day ahead: this year", "Jan  2 00:00:00 h", 1767225601LL,
     1767312000LL, 0, 0, 0, SQ_SCAN_EV_TIME | SQ_SCAN_EV_YEAR, 0},
    {"syslog Feb 29 in a common year: leap year before", "Feb 29 12:00:00",
     1740787200LL, 1709208000LL, 0, 0, 0, SQ_SCAN_EV_TIME | SQ_SCAN_EV_YEAR, 0},
    {"syslog with a given zone +0100", "Jan  2 01:00:00 h", 1767225601LL,
     1767312000LL, 60, 1, 60,
     SQ_SCAN_EV_TIME | SQ_SCAN_EV_YEAR | SQ_SCAN_EV_ZONE, 0},
    {"Windows local, zone unknown", "2019-05-01 09:12:01 DROP", 0, 1556701921LL,
     0, 0, 0, SQ_SCAN_EV_TIME, 0},
    {"RFC 3339 fraction and -05:30", "2026-03-03T10:00:01.5-05:30 h", 0,
     1772551801LL, 0, 0, -330, SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 500000},
    {"ISO Z", "2026-03-03T15:30:01Z", 0, 1772551801LL, 0, 0, 0,
     SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 0},
    {"short-iso +0100", "2026-03-03T16:30:01+0100 h", 0, 1772551801LL, 0, 0, 60,
     SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 0},
    {"Exim zone after a space", "2026-03-03 16:30:01 +0100 H=", 0, 1772551801LL,
     0, 0, 60, SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 0},
    {"fail2ban comma fraction", "2026-03-03 15:30:01,250 fail2ban", 0,
     1772551801LL, 0, 1, 0, SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 250000},
    {"epoch with fraction", "1772551801.125 x", 0, 1772551801LL, 0, 0, 0,
     SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 125000},
    {"Apache", "[10/Oct/2000:13:55:36 -0700] \"GET", 0, 971211336LL, 0, 0, -420,
     SQ_SCAN_EV_TIME | SQ_SCAN_EV_ZONE, 0},
    {"Apache error log (asctime)", "[Sun Dec 10 06:55:46 2015] [error]", 0,
     1449730546LL, 0, 0, 0, SQ_SCAN_EV_TIME, 0},
    {"Apache 2.4 error log", "[Thu Dec 10 06:55:46.250000 2015] [core", 0,
     1449730546LL, 0, 0, 0, SQ_SCAN_EV_TIME, 250000},
    {"Cisco with year", "Dec 10 2015 06:55:46: %ASA", 0, 1449730546LL, 0, 0, 0,
     SQ_SCAN_EV_TIME, 0},
};

static const char *const bad_times[] = {
    "",
    "Foo  3 10:00:00",
    "Mar 32 10:00:00",
    "Mar  3 25:00:00",
    "2026-02-30 10:00:00",
    "2026-13-01T00:00:00Z",
    "12345678",
    "[10/Oct/2000:13:55:36 -0700",
    "2026-03-03T10:00",
    "Mar  3 10:00",
    "2026-03-03T10:00:00+25:00",
    "1969-12-31 23:59:59",
};

static void
test_times(void)
{
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        long long t = -1;
        unsigned usec = 9, flags = 0;
        int zone = 99;
        sq_status st = sq_scan_time_parse(
            times[i].text, strlen(times[i].text), times[i].ref, times[i].zone,
            times[i].zone_known, &t, &usec, &zone, &flags, NULL);

        SQ_CHECK(st == SQ_OK && t == times[i].want, "%s: got %lld want %lld",
                 times[i].name, t, times[i].want);
        SQ_CHECK(zone == times[i].want_zone && flags == times[i].want_flags &&
                     usec == times[i].usec,
                 "%s: zone %d flags %u usec %u", times[i].name, zone, flags,
                 usec);
    }
    for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++)
        SQ_CHECK(sq_scan_time_parse(bad_times[i], strlen(bad_times[i]), 0, 0, 0,
                                    NULL, NULL, NULL, NULL, NULL) == SQ_EPARSE,
                 "bad time '%s' accepted", bad_times[i]);
}

/* 1 MB lines, binary garbage, invalid UTF-8: a status, never a crash. */
static void
test_bad_input(void)
{
    size_t big = 1024 * 1024, events = 0;
    char *buf = malloc(big + 64);
    unsigned x = 12345;
    const sq_scan_event *ev;
    static const char utf[] =
        "Mar  3 10:00:01 web sshd[1]: Failed password for invalid user "
        "\xff\xfe\xc3 from 203.0.113.9 port 22 ssh2";
    static const char garbage[] = "\xff\xfe\x80 sshd[1]: \xc3\x28 SRC=\xff";

    if (buf == NULL)
        return;
    memset(buf, 'A', big);
    memcpy(buf, "Mar  3 10:00:01 web sshd[1]: Failed password for ", 49);
    for (int f = 1; f < SQ_SCAN_FORMAT_MAX; f++) {
        sq_scanner *s = scanner_for((sq_scan_format)f);

        if (s == NULL)
            continue;
        SQ_CHECK(sq_scanner_line(s, buf, big, 0, &ev) == SQ_ELIMIT_LINE,
                 "%s: 1 MB line", sq_scan_format_name((sq_scan_format)f));
        SQ_CHECK(sq_scanner_line(s, garbage, sizeof(garbage) - 1, 0, &ev) ==
                     SQ_ENOTFOUND,
                 "%s: garbage", sq_scan_format_name((sq_scan_format)f));
        for (int r = 0; r < 2000; r++) {
            size_t n = 1 + (x % 300);

            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (char)(x >> 16);
            }
            events += sq_scanner_line(s, buf, n, 0, &ev) == SQ_OK;
        }
    }
    SQ_CHECK(events == 0, "random bytes gave %zu events", events);
    /* An attack line whose user name is not UTF-8 still counts; the
     * name comes out with the bytes replaced. */
    SQ_CHECK(sq_scanner_line(scanner_for(SQ_SCAN_SSHD), utf, sizeof(utf) - 1, 0,
                             &ev) == SQ_OK &&
                 strcmp(sq_scan_event_user(ev), "???") == 0,
             "non-UTF-8 user");
    SQ_CHECK(sq_scan_detect("a\0b", 3, &(sq_scan_format){0}) == SQ_EBINARY,
             "detect binary");
    free(buf);
}

typedef struct spans {
    unsigned long long off[4];
    size_t len[4], n;
} spans;

static int
keep_span(void *ctx, const sq_scan_event *ev)
{
    spans *sp = ctx;

    if (sp->n < 4) {
        sp->off[sp->n] = sq_scan_event_offset(ev);
        sp->len[sp->n++] = sq_scan_event_length(ev);
    }
    return 0;
}

/* sq_scanner_buffer: offsets from base, CRLF, a too-long line skipped
 * and counted, a last line without newline. */
static void
test_buffer(void)
{
    static const char a[] = "Mar  3 10:00:01 web sshd[1]: Invalid user x "
                            "from 192.0.2.1 port 1\r\n";
    static const char c[] = "Mar  3 10:00:02 web sshd[2]: Invalid user y "
                            "from 192.0.2.2";
    size_t big = SQ_SCAN_MAX_LINE + 10, la = sizeof(a) - 1, lc = sizeof(c) - 1;
    size_t total = la + big + 1 + lc, too_long = 0, lines;
    char *buf = malloc(total);
    spans sp = {{0}, {0}, 0};

    if (buf == NULL)
        return;
    memcpy(buf, a, la);
    memset(buf + la, 'x', big);
    buf[la + big] = '\n';
    memcpy(buf + la + big + 1, c, lc);
    lines = sq_scanner_buffer(scanner_for(SQ_SCAN_SSHD), buf, total, 1000,
                              keep_span, &sp, &too_long);
    SQ_CHECK(lines == 3 && too_long == 1 && sp.n == 2,
             "buffer: %zu lines, "
             "%zu too long, %zu events",
             lines, too_long, sp.n);
    SQ_CHECK(sp.off[0] == 1000 && sp.len[0] == la - 2 &&
                 sp.off[1] == 1000 + la + big + 1 && sp.len[1] == lc,
             "buffer spans %llu+%zu %llu+%zu", sp.off[0], sp.len[0], sp.off[1],
             sp.len[1]);
    free(buf);
}

int
main(void)
{
    test_buffer();
    test_samples();
    test_times();
    test_bad_input();
    for (int f = 0; f < SQ_SCAN_FORMAT_MAX; f++)
        sq_scanner_free(scanners[f]);
    return sqtest_finish("scan_formats_test");
}

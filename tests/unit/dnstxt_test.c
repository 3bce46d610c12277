/*
 * dnstxt_test.c - the DNS TXT parsers and reversed names (dnstxt.c).
 *
 * Record texts are the formats documented by Team Cymru's "IP to ASN
 * mapping" page (origin, origin6, peer, AS name) and by the Abusix
 * Contact DB and abuse.net pages (addresses in TXT records); the values
 * of the 74.125.225.229 / 62.239.237.1 / 196.11.240.215 cases are those
 * the ipwhois corpus labels (asn_data).  Malformed cases follow.
 */
#include "sqtest.h"
#include "whois/whois_int.h"

#include <stdio.h>
#include <string.h>

static void
test_origin_ok(void)
{
    static const struct {
        const char *txt;
        size_t nasns;
        unsigned long asn0, asn1;
        const char *prefix, *cc, *reg, *date;
    } cases[] = {
        {"15169 | 74.125.225.0/24 | US | arin | 2007-03-13", 1, 15169, 0,
         "74.125.225.0/24", "US", "arin", "2007-03-13"},
        {"2856 | 62.239.0.0/16 | GB | ripencc | 2001-01-02", 1, 2856, 0,
         "62.239.0.0/16", "GB", "ripencc", "2001-01-02"},
        /* AFRINIC with no allocation date */
        {"12091 | 196.11.240.0/23 | ZA | afrinic | ", 1, 12091, 0,
         "196.11.240.0/23", "ZA", "afrinic", ""},
        /* origin6 */
        {"15169 | 2001:4860::/32 | US | arin | 2005-03-14", 1, 15169, 0,
         "2001:4860::/32", "US", "arin", "2005-03-14"},
        /* several origins (MOAS) and a peer record without a date */
        {"15169 36040 | 8.8.8.0/24 | US | arin |", 2, 15169, 36040,
         "8.8.8.0/24", "US", "arin", ""},
        {"701 1239 3549 3561 7132 | 216.90.108.0/24 | US | arin | 1998-09-25",
         5, 701, 1239, "216.90.108.0/24", "US", "arin", "1998-09-25"},
        /* quoted as some tools print it; lower-case country; no spaces */
        {"\"23028 | 216.90.108.0/24 | us | arin | 1998-09-25\"", 1, 23028, 0,
         "216.90.108.0/24", "US", "arin", "1998-09-25"},
        {"64500|192.0.2.0/24|ZZ|arin|2000-01-01", 1, 64500, 0, "192.0.2.0/24",
         "ZZ", "arin", "2000-01-01"},
        /* only ASN and prefix; a 32-bit ASN; a date of another shape */
        {"4200000000 | 2001:db8::/32", 1, 4200000000UL, 0, "2001:db8::/32", "",
         "", ""},
        {"64501 | 198.51.100.0/24 | NL | ripencc | 2000/01/01", 1, 64501, 0,
         "198.51.100.0/24", "NL", "ripencc", ""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnstxt_origin o;
        int ok = dnstxt_parse_origin(cases[i].txt, strlen(cases[i].txt), &o);

        SQ_CHECK(ok == 1, "origin case %zu parses", i);
        if (!ok)
            continue;
        SQ_CHECK(o.nasns == cases[i].nasns, "case %zu: %zu asns", i, o.nasns);
        SQ_CHECK(o.asns[0] == cases[i].asn0, "case %zu: asn0 %lu", i,
                 o.asns[0]);
        if (cases[i].nasns > 1)
            SQ_CHECK(o.asns[1] == cases[i].asn1, "case %zu: asn1 %lu", i,
                     o.asns[1]);
        SQ_CHECK_STR(o.prefix, cases[i].prefix, "case %zu prefix", i);
        SQ_CHECK_STR(o.country, cases[i].cc, "case %zu country", i);
        SQ_CHECK_STR(o.registry, cases[i].reg, "case %zu registry", i);
        SQ_CHECK_STR(o.allocated, cases[i].date, "case %zu date", i);
    }
}

static void
test_origin_bad(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "15169",                          /* no prefix */
        "15169 |",                        /* empty prefix */
        "| 8.8.8.0/24 | US | arin |",     /* no ASN */
        "NA | 8.8.8.0/24 | US | arin |",  /* not a number */
        "0 | 8.8.8.0/24 | US | arin |",   /* AS0 */
        "4294967296 | 8.8.8.0/24 | US |", /* beyond 32 bits */
        "15169x | 8.8.8.0/24 | US |",
        "15169 | 8.8.8.0/24 | USA | arin |",
        "15169 | 8.8.8.0/24 | U1 | arin |",
        "15169 | 8.8.8.0/24 <script> | US |",
        "15169 | 2001:0db8:0000:0000:0000:0000:0000:0000:0000/128 | US |",
        "15169 | 8.8.8.0/24 | US | a-registry-name-too-long |",
        "15169 | 8.8.8.0/24 | US | ar\x01in |",
    };
    dnstxt_origin o;

    memset(&o, 0x5a, sizeof(o));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        SQ_CHECK(dnstxt_parse_origin(bad[i], strlen(bad[i]), &o) == 0,
                 "bad origin %zu rejected", i);
    SQ_CHECK(o.nasns == (size_t)0x5a5a5a5a5a5a5a5aULL,
             "out untouched on failure");
    /* length is honoured: the text after len is never read */
    SQ_CHECK(dnstxt_parse_origin("15169 | 8.8.8.0/24 | US", 5, &o) == 0,
             "truncated by len");
    SQ_CHECK(dnstxt_parse_origin("15169 | 8.8.8.0/24 | US", 15, &o) == 1 &&
                 strcmp(o.prefix, "8.8.8.0") == 0,
             "prefix cut by len: %s", o.prefix);
    SQ_CHECK(dnstxt_parse_origin(NULL, 0, &o) == 0, "NULL text");
}

static void
test_many_asns(void)
{
    char txt[512];
    dnstxt_origin o;
    int n = snprintf(txt, sizeof(txt),
                     "1 2 3 4 5 6 7 8 9 10 11 12 | 192.0.2.0/24 | ZZ | x |");

    SQ_CHECK(dnstxt_parse_origin(txt, (size_t)n, &o) == 1, "12 peers parse");
    SQ_CHECK(o.nasns == 8 && o.asns[7] == 8, "kept the first 8 (%zu)", o.nasns);
}

static void
test_asname(void)
{
    unsigned long asn = 0;
    char name[64], cc[3];
    const char *t1 = "15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US";
    const char *t2 = "23028 | US | arin | 2002-01-04 | TEAM-CYMRU - Team "
                     "Cymru Inc., US";
    const char *t3 = "2856 | GB | ripencc | 1993-09-01 | BT-UK-AS BTnet UK "
                     "Regional network, GB";
    const char *t4 = "64500 | ZZ | arin | | x\x01y\xc3\xa9 | z";

    SQ_CHECK(
        dnstxt_parse_asname(t1, strlen(t1), &asn, name, sizeof(name), cc) == 1,
        "AS15169 parses");
    SQ_CHECK(asn == 15169, "asn %lu", asn);
    SQ_CHECK_STR(name, "GOOGLE - Google LLC, US", "name");
    SQ_CHECK_STR(cc, "US", "cc");
    SQ_CHECK(dnstxt_parse_asname(t2, strlen(t2), &asn, name, sizeof(name),
                                 cc) == 1 &&
                 asn == 23028,
             "AS23028");
    SQ_CHECK_STR(name, "TEAM-CYMRU - Team Cymru Inc., US", "name 23028");
    SQ_CHECK(dnstxt_parse_asname(t3, strlen(t3), &asn, name, 12, cc) == 1,
             "AS2856");
    SQ_CHECK_STR(name, "BT-UK-AS BT", "truncated to namelen-1");
    SQ_CHECK_STR(cc, "GB", "cc GB");
    SQ_CHECK(
        dnstxt_parse_asname(t4, strlen(t4), &asn, name, sizeof(name), cc) == 1,
        "odd bytes parse");
    SQ_CHECK_STR(name, "x?y?? | z", "controls and UTF-8 shown as '?'");
    SQ_CHECK(dnstxt_parse_asname(t1, strlen(t1), NULL, NULL, 0, NULL) == 1,
             "all outputs optional");
    SQ_CHECK(dnstxt_parse_asname("15169 | US | arin", 17, &asn, name,
                                 sizeof(name), cc) == 0,
             "too few fields");
    SQ_CHECK(dnstxt_parse_asname("x | US | arin | | n", 19, &asn, name,
                                 sizeof(name), cc) == 0,
             "bad ASN");
    /* an origin record is not an AS-name record */
    SQ_CHECK(dnstxt_parse_asname("15169 | 8.8.8.0/24 | US | arin | 2000-01-01",
                                 43, &asn, name, sizeof(name), cc) == 0,
             "origin text is not an AS name");
}

struct collect {
    char got[8][64];
    size_t n;
};

static void
collect_add(void *arg, const char *email, size_t n)
{
    struct collect *c = arg;

    if (c->n < 8 && n < 64) {
        memcpy(c->got[c->n], email, n);
        c->got[c->n][n] = '\0';
        c->n++;
    }
}

static void
test_abusix(void)
{
    struct collect c;
    const char *t;

    memset(&c, 0, sizeof(c));
    t = "abuse@mtnbusiness.co.za";
    SQ_CHECK(dnstxt_parse_abusix(t, strlen(t), collect_add, &c) == 1,
             "one address");
    SQ_CHECK_STR(c.got[0], "abuse@mtnbusiness.co.za", "address");

    memset(&c, 0, sizeof(c));
    t = "root@localhost,abuse@localhost";
    SQ_CHECK(dnstxt_parse_abusix(t, strlen(t), collect_add, &c) == 2,
             "comma list");
    SQ_CHECK_STR(c.got[1], "abuse@localhost", "second of a comma list");

    memset(&c, 0, sizeof(c));
    t = " \"a@x.example\" ; <b@y.example>  mailto:c@z.example,,";
    SQ_CHECK(dnstxt_parse_abusix(t, strlen(t), collect_add, &c) == 3,
             "mixed separators (%zu)", c.n);
    SQ_CHECK_STR(c.got[1], "b@y.example", "brackets dropped");
    SQ_CHECK_STR(c.got[2], "c@z.example", "mailto dropped");

    memset(&c, 0, sizeof(c));
    t = "not-an-address @ a@@b a@ @b a@.b a@b. <x@y a\x01@b.c ok@ok.example";
    SQ_CHECK(dnstxt_parse_abusix(t, strlen(t), collect_add, &c) == 1,
             "malformed addresses skipped (%zu)", c.n);
    SQ_CHECK_STR(c.got[0], "ok@ok.example", "the good one");

    SQ_CHECK(dnstxt_parse_abusix("", 0, collect_add, &c) == 0, "empty");
    SQ_CHECK(dnstxt_parse_abusix("a@b.c", 2, NULL, NULL) == 0, "len honoured");
    SQ_CHECK(dnstxt_parse_abusix("a@b.c", 5, NULL, NULL) == 1,
             "callback optional");
}

static void
test_revname(void)
{
    static const struct {
        const char *ip, *zone, *want;
    } cases[] = {
        {"74.125.225.229", "origin.asn.cymru.com",
         "229.225.125.74.origin.asn.cymru.com"},
        {"196.11.240.215", "abuse-contacts.abusix.zone",
         "215.240.11.196.abuse-contacts.abusix.zone"},
        {"127.0.0.2", ".abuse-contacts.abusix.zone",
         "2.0.0.127.abuse-contacts.abusix.zone"},
        {"2001:4860:4860::8888", "origin6.asn.cymru.com",
         "8.8.8.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.8.4.0.6.8.4.1.0.0.2."
         "origin6.asn.cymru.com"},
        {"2001:db8::1", NULL,
         "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"},
        {"10.0.0.1", "", "1.0.0.10"},
    };
    char out[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sq_ipaddr a;
        int n;

        SQ_CHECK(sq_ipaddr_parse(cases[i].ip, strlen(cases[i].ip), &a),
                 "parse %s", cases[i].ip);
        n = dnstxt_revname(&a, cases[i].zone, out, sizeof(out));
        SQ_CHECK(n == (int)strlen(cases[i].want), "revname %zu length %d", i,
                 n);
        SQ_CHECK_STR(out, cases[i].want, "revname %zu", i);
    }
    {
        sq_ipaddr a;
        char big[300];

        sq_ipaddr_parse("2001:db8::1", 11, &a);
        SQ_CHECK(dnstxt_revname(&a, "origin6.asn.cymru.com", out, 80) == 0,
                 "too small a buffer");
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        SQ_CHECK(dnstxt_revname(&a, big, out, sizeof(out)) == 0,
                 "too long a name");
    }
}

int
main(void)
{
    test_origin_ok();
    test_origin_bad();
    test_many_asns();
    test_asname();
    test_abusix();
    test_revname();
    return sqtest_finish("dnstxt_test");
}

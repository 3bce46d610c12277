/*
 * query_test.c - wq_parse(): IPs, prefixes, AS numbers, IDN domains and
 * URLs, including the tricks phishing URLs play (userinfo, defanging,
 * browser-style IPv4 hosts, homographs) and the refusals.
 *
 * IDN expectations are what libidn2 (UTS#46 non-transitional, STD3)
 * produces: "bücher" is xn--bcher-kva (RFC 3492 section 7.1 style
 * example used across IDNA test suites), ß is kept (non-transitional),
 * a Cyrillic "р" makes a different, valid name.
 */
#include "whois/whois_int.h"

#include "sqtest.h"

#include <string.h>

enum { OK = 0, BAD = 1 };

typedef struct qcase {
    const char *in;
    int bad;
    sq_whois_kind kind;
    const char *canon;       /* NULL: not checked */
    const char *host;        /* NULL: not checked */
    const char *registrable; /* NULL: not checked */
} qcase;

static const qcase cases[] = {
    /* IP addresses */
    {"192.0.2.1", OK, SQ_WQ_IP, "192.0.2.1", "", ""},
    {"  8.8.8.8\n", OK, SQ_WQ_IP, "8.8.8.8", NULL, NULL},
    {"2001:DB8::1", OK, SQ_WQ_IP, "2001:db8::1", NULL, NULL},
    {"[2001:db8::1]", OK, SQ_WQ_IP, "2001:db8::1", NULL, NULL},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", OK, SQ_WQ_IP, "2001:db8::1",
     NULL, NULL},
    {"::ffff:192.0.2.1", OK, SQ_WQ_IP, "192.0.2.1", NULL, NULL},
    {"fe80::1%eth0", BAD, 0, NULL, NULL, NULL},
    {"[fe80::1%25eth0]", BAD, 0, NULL, NULL, NULL},
    {"1.2.3.256", BAD, 0, NULL, NULL, NULL},
    {"1.2.3", BAD, 0, NULL, NULL, NULL},
    /* prefixes */
    {"192.0.2.0/24", OK, SQ_WQ_CIDR, "192.0.2.0/24", NULL, NULL},
    {"192.0.2.77/24", OK, SQ_WQ_CIDR, "192.0.2.0/24", NULL, NULL},
    {"10.0.0.0/0", OK, SQ_WQ_CIDR, "0.0.0.0/0", NULL, NULL},
    {"2001:db8:1:2::5/32", OK, SQ_WQ_CIDR, "2001:db8::/32", NULL, NULL},
    {"2001:db8::/128", OK, SQ_WQ_CIDR, "2001:db8::/128", NULL, NULL},
    {"192.0.2.0/33", BAD, 0, NULL, NULL, NULL},
    {"2001:db8::/129", BAD, 0, NULL, NULL, NULL},
    {"192.0.2.0/", BAD, 0, NULL, NULL, NULL},
    {"192.0.2.0/-1", BAD, 0, NULL, NULL, NULL},
    {"192.0.2.0/24x", BAD, 0, NULL, NULL, NULL},
    /* AS numbers */
    {"AS64500", OK, SQ_WQ_ASN, "AS64500", NULL, NULL},
    {"as64500", OK, SQ_WQ_ASN, "AS64500", NULL, NULL},
    {"64500", OK, SQ_WQ_ASN, "AS64500", NULL, NULL},
    {"AS1.10", OK, SQ_WQ_ASN, "AS65546", NULL, NULL},
    {"AS4294967295", OK, SQ_WQ_ASN, "AS4294967295", NULL, NULL},
    {"AS4294967296", BAD, 0, NULL, NULL, NULL},
    {"AS0", BAD, 0, NULL, NULL, NULL},
    {"AS65536.1", BAD, 0, NULL, NULL, NULL},
    {"99999999999", BAD, 0, NULL, NULL, NULL},
    {"as1.example", OK, SQ_WQ_DOMAIN, "as1.example", NULL, NULL},
    {"asia.example", OK, SQ_WQ_DOMAIN, "asia.example", NULL, NULL},
    /* domains */
    {"Example.COM", OK, SQ_WQ_DOMAIN, "example.com", "example.com",
     "example.com"},
    {"www.example.co.uk.", OK, SQ_WQ_DOMAIN, "www.example.co.uk",
     "www.example.co.uk", "example.co.uk"},
    {"a.b.github.io", OK, SQ_WQ_DOMAIN, NULL, "a.b.github.io", "b.github.io"},
    {"bücher.example", OK, SQ_WQ_DOMAIN, "xn--bcher-kva.example",
     "xn--bcher-kva.example", NULL},
    {"BÜCHER.example", OK, SQ_WQ_DOMAIN, "xn--bcher-kva.example", NULL, NULL},
    {"xn--bcher-kva.example", OK, SQ_WQ_DOMAIN, "xn--bcher-kva.example", NULL,
     NULL},
    /* homograph: Cyrillic U+0440 in place of Latin p: a different name */
    {"\xd1\x80"
     "aypal.com",
     OK, SQ_WQ_DOMAIN, "xn--aypal-uye.com", NULL, "xn--aypal-uye.com"},
    /* fullwidth letters and dot are mapped by UTS#46 */
    {"\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xef\xbc\x8e"
     "com",
     OK, SQ_WQ_DOMAIN, "abc.com", NULL, NULL},
    /* non-transitional: sharp s is kept */
    {"fa\xc3\x9f.de", OK, SQ_WQ_DOMAIN, "xn--fa-hia.de", NULL, NULL},
    {"evil[.]example", OK, SQ_WQ_DOMAIN, "evil.example", NULL, NULL},
    {"evil(.)example(dot)net", OK, SQ_WQ_DOMAIN, "evil.example.net", NULL,
     NULL},
    {"xn--zz.example", BAD, 0, NULL, NULL, NULL},       /* bad punycode */
    {"ab--c.example", BAD, 0, NULL, NULL, NULL},        /* hyphens 3-4 */
    {"-ab.example", BAD, 0, NULL, NULL, NULL},          /* leading hyphen */
    {"a_b.example", BAD, 0, NULL, NULL, NULL},          /* STD3 */
    {"ex ample.com", BAD, 0, NULL, NULL, NULL},         /* space */
    {"\xe2\x80\x8d.example", BAD, 0, NULL, NULL, NULL}, /* ZWJ */
    {"a..example", BAD, 0, NULL, NULL, NULL},
    {".example.com", BAD, 0, NULL, NULL, NULL},
    {"example.com..", BAD, 0, NULL, NULL, NULL},
    {"localhost", BAD, 0, NULL, NULL, NULL}, /* one label */
    {"x", BAD, 0, NULL, NULL, NULL},
    {"1.2.3.4.5", BAD, 0, NULL, NULL, NULL}, /* numeric TLD */
    {"user@example.com", BAD, 0, NULL, NULL, NULL},
    {"\xff\xfe.example", BAD, 0, NULL, NULL, NULL}, /* not UTF-8 */
    /* URLs */
    {"http://Example.COM/path?q=1", OK, SQ_WQ_URL,
     "http://example.com/path?q=1", "example.com", "example.com"},
    {"https://www.example.co.uk:8443/x", OK, SQ_WQ_URL,
     "https://www.example.co.uk:8443/x", "www.example.co.uk", "example.co.uk"},
    {"http://paypal.com@evil.example/login", OK, SQ_WQ_URL,
     "http://evil.example/login", "evil.example", "evil.example"},
    {"http://a@b@evil.example/", OK, SQ_WQ_URL, NULL, "evil.example", NULL},
    {"http://paypal.com:secret@evil.example:8080/", OK, SQ_WQ_URL,
     "http://evil.example:8080/", "evil.example", NULL},
    {"http://evil.example\\@paypal.com/", OK, SQ_WQ_URL, NULL, "evil.example",
     NULL},
    {"http://evil.example#@paypal.com/", OK, SQ_WQ_URL, NULL, "evil.example",
     NULL},
    {"hxxp://evil[.]example/a", OK, SQ_WQ_URL, "http://evil.example/a",
     "evil.example", NULL},
    {"hXXps[://]evil[.]example/", OK, SQ_WQ_URL, "https://evil.example/",
     "evil.example", NULL},
    {"https[:]//evil(.)example", OK, SQ_WQ_URL, "https://evil.example",
     "evil.example", NULL},
    {"fxp://files.example.net/", OK, SQ_WQ_URL, "ftp://files.example.net/",
     NULL, NULL},
    {"http://[2001:db8::1]:8080/x", OK, SQ_WQ_URL,
     "http://[2001:db8::1]:8080/x", "2001:db8::1", ""},
    {"http://[::ffff:192.0.2.7]/", OK, SQ_WQ_URL, "http://192.0.2.7/",
     "192.0.2.7", ""},
    {"http://192.0.2.7/", OK, SQ_WQ_URL, "http://192.0.2.7/", "192.0.2.7", ""},
    {"http://3232235777/", OK, SQ_WQ_URL, "http://192.168.1.1/", "192.168.1.1",
     ""},
    {"http://0x7f.1/", OK, SQ_WQ_URL, "http://127.0.0.1/", "127.0.0.1", ""},
    {"http://0300.0250.1.1/", OK, SQ_WQ_URL, "http://192.168.1.1/", NULL, NULL},
    /* WHATWG: only an all-digit or 0x-hex last label makes an address;
     * IDNA mapping comes first (fullwidth digits, soft hyphen). */
    {"http://1.0.7d/", OK, SQ_WQ_URL, "http://1.0.7d/", "1.0.7d", NULL},
    {"1.0.\xc2\xad"
     "7D/32",
     OK, SQ_WQ_URL, "http://1.0.7d/32", "1.0.7d", NULL},
    {"http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97\xef\xbc\x8e"
     "1/",
     OK, SQ_WQ_URL, "http://127.0.0.1/", "127.0.0.1", ""},
    {"http://0x/", OK, SQ_WQ_URL, "http://0.0.0.0/", NULL, NULL},
    {"http://%65vil.example/", OK, SQ_WQ_URL, "http://evil.example/",
     "evil.example", NULL},
    {"http://b%C3%BCcher.example/", OK, SQ_WQ_URL,
     "http://xn--bcher-kva.example/", "xn--bcher-kva.example", NULL},
    {"evil.example/login.php", OK, SQ_WQ_URL, "http://evil.example/login.php",
     "evil.example", NULL},
    {"http://evil.example./", OK, SQ_WQ_URL, "http://evil.example/",
     "evil.example", NULL},
    {"javascript://evil.example/", BAD, 0, NULL, NULL, NULL},
    {"http://", BAD, 0, NULL, NULL, NULL},
    {"http:///path", BAD, 0, NULL, NULL, NULL},
    {"http://user@/", BAD, 0, NULL, NULL, NULL},
    {"http://evil.example:99999/", BAD, 0, NULL, NULL, NULL},
    {"http://evil.example:0/", BAD, 0, NULL, NULL, NULL},
    {"http://evil.example:80x/", BAD, 0, NULL, NULL, NULL},
    {"http://[2001:db8::1/", BAD, 0, NULL, NULL, NULL},
    {"http://[fe80::1%25eth0]/", BAD, 0, NULL, NULL, NULL},
    {"http://256.1.1.1/", BAD, 0, NULL, NULL, NULL},
    {"http://1.2.3.4.5/", BAD, 0, NULL, NULL, NULL},
    {"http://0x100000000/", BAD, 0, NULL, NULL, NULL},
    {"http://%zz.example/", BAD, 0, NULL, NULL, NULL},
    {"http://a%00b.example/", BAD, 0, NULL, NULL, NULL},
    {"http://a_b.example/", BAD, 0, NULL, NULL, NULL},
    /* everything else */
    {"", BAD, 0, NULL, NULL, NULL},
    {"   ", BAD, 0, NULL, NULL, NULL},
    {"hello world", BAD, 0, NULL, NULL, NULL},
    {"a\tb.example", BAD, 0, NULL, NULL, NULL},
    {"exa\x01mple.com", BAD, 0, NULL, NULL, NULL},
};

static void
test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const qcase *c = &cases[i];
        wq_query q;
        sq_diag *d = sq_diag_new();
        sq_status st;

        memset(&q, 0x5a, sizeof q);
        st = wq_parse(c->in, strlen(c->in), &q, d);
        if (c->bad) {
            const char *m = sq_diag_message(d, 0);

            SQ_CHECK(st == SQ_EINVAL, "'%s' should be refused (got %d, %s)",
                     c->in, (int)st, q.canon);
            SQ_CHECK(sq_diag_count(d) == 1 && m != NULL &&
                         strchr(m, '\n') == NULL,
                     "'%s': one-line reason", c->in);
            SQ_CHECK(((unsigned char *)&q)[0] == 0x5a,
                     "'%s': out untouched on failure", c->in);
        } else {
            SQ_CHECK(st == SQ_OK, "'%s' should parse: %s", c->in,
                     sq_diag_message(d, 0) ? sq_diag_message(d, 0) : "");
            if (st == SQ_OK) {
                SQ_CHECK(q.kind == c->kind, "'%s' kind %d want %d", c->in,
                         (int)q.kind, (int)c->kind);
                if (c->canon)
                    SQ_CHECK_STR(q.canon, c->canon, "canon of '%s'", c->in);
                if (c->host)
                    SQ_CHECK_STR(q.host, c->host, "host of '%s'", c->in);
                if (c->registrable)
                    SQ_CHECK_STR(q.registrable, c->registrable,
                                 "registrable of '%s'", c->in);
            }
        }
        sq_diag_free(d);
    }
}

static void
test_details(void)
{
    wq_query q;
    sq_diag *d = sq_diag_new();
    sq_ipaddr want;
    char txt[46];
    const char *m;

    SQ_CHECK(wq_parse("AS1.10", 6, &q, d) == SQ_OK && q.asn == 65546,
             "asdot value");
    SQ_CHECK(wq_parse("64500", 5, &q, d) == SQ_OK && q.asn == 64500,
             "plain AS value");
    SQ_CHECK(wq_parse("192.0.2.77/24", 13, &q, d) == SQ_OK &&
                 q.prefix == 96 + 24,
             "IPv4 prefix on the 128-bit form");
    sq_ipaddr_format(&q.ip, txt);
    SQ_CHECK_STR(txt, "192.0.2.0", "host bits cleared");
    SQ_CHECK(wq_parse("2001:db8::1", 11, &q, d) == SQ_OK && q.prefix == 128,
             "single address prefix 128");
    SQ_CHECK(wq_parse("http://[2001:db8::1]/", 21, &q, d) == SQ_OK &&
                 sq_ipaddr_parse("2001:db8::1", 11, &want) &&
                 memcmp(q.ip.b, want.b, 16) == 0 && q.prefix == 128,
             "URL IPv6 host sets ip");
    SQ_CHECK(wq_parse("http://0x7f.1/", 14, &q, d) == SQ_OK && q.ip.v4 &&
                 q.ip.b[12] == 127 && q.ip.b[15] == 1,
             "browser IPv4 host sets ip");
    /* Length-bounded: the parser must not read past len. */
    SQ_CHECK(wq_parse("8.8.8.8junk", 7, &q, d) == SQ_OK &&
                 strcmp(q.canon, "8.8.8.8") == 0,
             "bounded by len");
    sq_diag_clear(d);
    SQ_CHECK(wq_parse("fe80::1%eth0", 12, &q, d) == SQ_EINVAL, "zone refused");
    m = sq_diag_message(d, 0);
    SQ_CHECK(m != NULL && strstr(m, "zone ids are not accepted") != NULL &&
                 strstr(m, "'fe80::1%eth0'") != NULL,
             "zone reason: %s", m ? m : "");
    sq_diag_clear(d);
    SQ_CHECK(wq_parse("x", 1, &q, d) == SQ_EINVAL, "x refused");
    m = sq_diag_message(d, 0);
    SQ_CHECK(m != NULL &&
                 strncmp(m, "not an IP address, AS number, domain or URL",
                         43) == 0 &&
                 strstr(m, ": 'x'") != NULL,
             "generic reason: %s", m ? m : "");
    sq_diag_clear(d);
    SQ_CHECK(wq_parse("a\x1b[31m.example", 15, &q, d) == SQ_EINVAL,
             "escape refused");
    m = sq_diag_message(d, 0);
    SQ_CHECK(m != NULL && strchr(m, '\x1b') == NULL,
             "no control bytes echoed: %s", m ? m : "");
    SQ_CHECK(wq_parse(NULL, 0, &q, d) == SQ_EINVAL, "NULL input");
    SQ_CHECK(wq_parse("", 0, &q, NULL) == SQ_EINVAL, "NULL diag is fine");
    sq_diag_free(d);
}

/* Over-long names: labels of 63 are fine, 64 are not; 253 bytes fine. */
static void
test_lengths(void)
{
    char buf[5000];
    wq_query q;
    size_t n;

    memset(buf, 'a', 63);
    memcpy(buf + 63, ".example", 9);
    SQ_CHECK(wq_parse(buf, strlen(buf), &q, NULL) == SQ_OK, "63-byte label");
    memset(buf, 'a', 64);
    memcpy(buf + 64, ".example", 9);
    SQ_CHECK(wq_parse(buf, strlen(buf), &q, NULL) == SQ_EINVAL,
             "64-byte label");
    /* 4 x 62 + ".com" style: 63+1+63+1+63+1+58+1+3 = 254 > 253 */
    n = 0;
    for (int i = 0; i < 3; i++) {
        memset(buf + n, 'b', 63);
        n += 63;
        buf[n++] = '.';
    }
    memset(buf + n, 'c', 57);
    n += 57;
    memcpy(buf + n, ".com", 5);
    SQ_CHECK(strlen(buf) == 253, "built 253");
    SQ_CHECK(wq_parse(buf, strlen(buf), &q, NULL) == SQ_OK, "253-byte name");
    memmove(buf + 1, buf, 254);
    buf[0] = 'd';
    SQ_CHECK(wq_parse(buf, strlen(buf), &q, NULL) == SQ_EINVAL,
             "254-byte name");
    /* a long URL keeps a truncated path in canon */
    n = (size_t)snprintf(buf, sizeof buf, "http://evil.example/");
    memset(buf + n, 'p', 1000);
    buf[n + 1000] = '\0';
    SQ_CHECK(wq_parse(buf, strlen(buf), &q, NULL) == SQ_OK &&
                 strlen(q.canon) == sizeof q.canon - 1 &&
                 strncmp(q.canon, "http://evil.example/ppp", 23) == 0,
             "long URL path truncated in canon");
    memset(buf, '1', 4097);
    SQ_CHECK(wq_parse(buf, 4097, &q, NULL) == SQ_EINVAL, "input too long");
}

int
main(void)
{
    test_table();
    test_details();
    test_lengths();
    return sqtest_finish("query_test");
}

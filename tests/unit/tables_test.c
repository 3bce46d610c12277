/*
 * tables_test.c - registry table, delegation lookups, TLD RDAP table and
 * placeholders (src/whois/tables.c + the tables generated from data/).
 *
 * Expected registries of real addresses come from the IANA RDAP
 * bootstrap files the lists were made from (../shared/corpora/whois/
 * whoisit/iana_rdap_bootstrap) and the labelled answers beside them.
 * Every line of every list is read back here and looked up (first and
 * last address of each range), so a generator that drops or shifts an
 * entry fails.
 */
#include "whois/whois_int.h"

#include "sqtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_DIR SQ_TEST_DATA_DIR "/../../data/"

/* Defined in tables.c, not (yet) in whois_int.h. */
const char *wt_rdap_dns_base(const char *domain, size_t n);

static wt_registry
ip_reg(const char *s)
{
    sq_ipaddr a;

    if (!sq_ipaddr_parse(s, strlen(s), &a))
        return (wt_registry)-1;
    return wt_lookup_ip(&a);
}

static void
test_known_addresses(void)
{
    static const struct {
        const char *ip, *reg;
    } cases[] = {
        {"8.8.8.8", "arin"},
        {"193.0.6.139", "ripencc"},
        {"1.1.1.1", "apnic"},
        {"200.57.141.161", "lacnic"},
        {"196.11.240.215", "afrinic"},
        {"2001:4860::1", "arin"},
        {"2a00:2381::1", "ripencc"},
        {"2001:240:10c:1::ca20:9d1d", "apnic"},
        {"2001:43f8:7b0::", "afrinic"},
        {"2801:10:c000::", "lacnic"},
        {"74.125.225.229", "arin"},
        {"62.239.237.1", "ripencc"},
        {"210.107.73.73", "apnic"},
        {"52.1.217.30", "arin"},
        {"41.0.0.0", "afrinic"},
        {"41.255.255.255", "afrinic"},
        {"::ffff:8.8.8.8", "arin"},
        /* The documentation prefix lies inside APNIC's 2001:c00::/23 in
         * the bootstrap file; reserved classes are the caller's check. */
        {"2001:db8::1", "apnic"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        SQ_CHECK_STR(wt_registry_name(ip_reg(cases[i].ip)), cases[i].reg,
                     "registry of %s", cases[i].ip);
}

static void
test_unallocated(void)
{
    static const char *const ips[] = {
        "0.0.0.1",   "10.1.2.3",        "127.0.0.1", "224.0.0.1",
        "240.0.0.1", "255.255.255.255", "::1",       "fe80::1",
        "3fff::1",   "fc00::1",         "::",
    };
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++)
        SQ_CHECK(ip_reg(ips[i]) == WT_UNKNOWN, "%s should be unknown", ips[i]);
    SQ_CHECK(wt_lookup_ip(NULL) == WT_UNKNOWN, "NULL address");
    SQ_CHECK(wt_lookup_asn(13335) == WT_ARIN, "AS13335");
    SQ_CHECK(wt_lookup_asn(3333) == WT_RIPENCC, "AS3333");
    SQ_CHECK(wt_lookup_asn(4608) == WT_APNIC, "AS4608 APNIC");
    SQ_CHECK(wt_lookup_asn(28000) == WT_LACNIC, "AS28000 LACNIC");
    SQ_CHECK(wt_lookup_asn(37000) == WT_AFRINIC, "AS37000 AFRINIC");
    SQ_CHECK(wt_lookup_asn(0) == WT_UNKNOWN, "AS0 reserved");
    SQ_CHECK(wt_lookup_asn(23456) == WT_UNKNOWN, "AS23456 AS_TRANS");
    SQ_CHECK(wt_lookup_asn(64512) == WT_UNKNOWN, "AS64512 private");
    SQ_CHECK(wt_lookup_asn(4294967295UL) == WT_UNKNOWN, "last AS");
    SQ_CHECK(wt_lookup_asn(4294967296UL) == WT_UNKNOWN || sizeof(long) == 4,
             "beyond 32 bits");
}

static void
test_registry_names(void)
{
    static const struct {
        const char *s;
        wt_registry r;
    } names[] = {
        {"arin", WT_ARIN},        {"ARIN", WT_ARIN},
        {"ripe", WT_RIPENCC},     {"ripencc", WT_RIPENCC},
        {"RIPE NCC", WT_RIPENCC}, {"afrinic", WT_AFRINIC},
        {"AfrNIC", WT_AFRINIC},   {"jpnic", WT_JPNIC},
        {"krnic", WT_KRNIC},      {"nicbr", WT_NICBR},
        {"lacnicx", WT_UNKNOWN},  {"", WT_UNKNOWN},
        {"unknown", WT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        SQ_CHECK(wt_registry_from_name(names[i].s, strlen(names[i].s)) ==
                     names[i].r,
                 "name '%s'", names[i].s);
    SQ_CHECK(wt_registry_from_name(NULL, 0) == WT_UNKNOWN, "NULL name");
    for (int r = 0; r < WT_REGISTRY_COUNT; r++) {
        const char *n = wt_registry_name((wt_registry)r);

        SQ_CHECK(r == WT_UNKNOWN ||
                     wt_registry_from_name(n, strlen(n)) == (wt_registry)r,
                 "name round trip %d (%s)", r, n);
    }
    SQ_CHECK_STR(wt_registry_name(WT_REGISTRY_COUNT), "unknown", "bad enum");
    SQ_CHECK_STR(wt_rdap_base(WT_ARIN), "https://rdap.arin.net/registry/",
                 "ARIN RDAP");
    SQ_CHECK_STR(wt_rdap_base(WT_RIPENCC), "https://rdap.db.ripe.net/",
                 "RIPE RDAP");
    SQ_CHECK_STR(wt_rdap_base(WT_APNIC), "https://rdap.apnic.net/",
                 "APNIC RDAP");
    SQ_CHECK_STR(wt_rdap_base(WT_LACNIC), "https://rdap.lacnic.net/rdap/",
                 "LACNIC RDAP");
    SQ_CHECK_STR(wt_rdap_base(WT_AFRINIC), "https://rdap.afrinic.net/rdap/",
                 "AFRINIC RDAP");
    SQ_CHECK_STR(wt_whois_host(WT_JPNIC), "whois.nic.ad.jp", "JPNIC whois");
    SQ_CHECK_STR(wt_whois_host(WT_UNKNOWN), "", "no whois for unknown");
}

static void
test_hosts(void)
{
    static const struct {
        const char *h;
        wt_registry r;
    } hosts[] = {
        {"whois.arin.net", WT_ARIN},
        {"WHOIS.RIPE.NET.", WT_RIPENCC},
        {"rdap.db.ripe.net", WT_RIPENCC},
        {"https://rdap.apnic.net/ip/1.1.1.1", WT_APNIC},
        {"whois.lacnic.net:43", WT_LACNIC},
        {"whois://whois.afrinic.net", WT_AFRINIC},
        {"whois.nic.ad.jp", WT_JPNIC},
        {"whois.kisa.or.kr", WT_KRNIC},
        {"whois.nic.or.kr", WT_KRNIC},
        {"whois.twnic.net", WT_TWNIC},
        {"whois.twnic.net.tw", WT_TWNIC},
        {"whois.cnnic.cn", WT_CNNIC},
        {"whois.idnic.net", WT_IDNIC},
        {"whois.registro.br", WT_NICBR},
        {"rdap.registro.br", WT_NICBR},
        {"whois.iana.org", WT_IANA},
        {"evilarin.net", WT_UNKNOWN},
        {"arin.net.evil.example", WT_UNKNOWN},
        {"whois.example.net", WT_UNKNOWN},
        {"", WT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
        SQ_CHECK(wt_registry_from_host(hosts[i].h, strlen(hosts[i].h)) ==
                     hosts[i].r,
                 "host '%s' -> %s", hosts[i].h,
                 wt_registry_name(
                     wt_registry_from_host(hosts[i].h, strlen(hosts[i].h))));
    SQ_CHECK(wt_registry_from_host(NULL, 3) == WT_UNKNOWN, "NULL host");
    /* Every registry's own whois host maps back to it. */
    for (int r = 1; r < WT_REGISTRY_COUNT; r++) {
        const char *h = wt_whois_host((wt_registry)r);

        SQ_CHECK(*h == '\0' ||
                     wt_registry_from_host(h, strlen(h)) == (wt_registry)r,
                 "whois host of %s", wt_registry_name((wt_registry)r));
    }
}

static void
test_placeholders(void)
{
    static const struct {
        const char *e;
        int want;
    } cases[] = {
        {"hostmaster@nic.ad.jp", 1},
        {"HOSTMASTER@NIC.AD.JP", 1},
        {"<hostmaster@apnic.net>", 1},
        {"search-apnic-not-arin@apnic.net", 1},
        {"Search-APNIC-Not-ARIN@apnic.net", 1},
        {"noc@example.com", 1},
        {"noc@mail.example.com", 1},
        {"x@example", 1},
        {"noreply@bank.example.org", 1},
        {"no-reply@isp.test", 1},
        /* labelled abuse contacts in the corpus: never placeholders */
        {"hostmaster@nic.or.kr", 0},
        {"helpdesk@apnic.net", 0},
        {"research@apnic.net", 0},
        {"ipabuse@lacnic.net", 0},
        {"abuse@cloudflare.com", 0},
        {"protect@bt.com", 0},
        {"abuse@mtnbusiness.co.za", 0},
        /* boundaries */
        {"noc@notexample.com", 0},
        {"noc@example.com.evil.net", 0},
        {"xnoreply@isp.net", 0},
        {"hostmaster@nic.ad.jp.evil", 0},
        {"hostmaster@", 0},
        {"@", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        SQ_CHECK(wa_is_placeholder(cases[i].e, strlen(cases[i].e)) ==
                     cases[i].want,
                 "placeholder '%s' want %d", cases[i].e, cases[i].want);
    SQ_CHECK(!wa_is_placeholder(NULL, 5), "NULL");
    /* Length-bounded: the NUL-less prefix "hostmaster@nic.ad.jp" of a
     * longer buffer is a placeholder. */
    SQ_CHECK(wa_is_placeholder("hostmaster@nic.ad.jpXYZ", 20), "bounded read");
}

/* Calls fn(fields, nfields) for each entry line of a data/ list; returns
 * the number of entries, -1 when the file is missing. */
static int
each_line(const char *name, void (*fn)(char **f, int nf))
{
    char path[512], line[1100];
    FILE *fp;
    int n = 0;

    snprintf(path, sizeof path, "%s%s", DATA_DIR, name);
    if ((fp = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, fp) != NULL) {
        char *f[3], *p = line;
        int nf = 0;

        while (nf < 3) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '\0' || *p == '\n' || *p == '#')
                break;
            f[nf++] = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\n')
                p++;
            if (*p == '\0')
                break;
            *p++ = '\0';
        }
        if (nf > 0) {
            fn(f, nf);
            n++;
        }
    }
    fclose(fp);
    return n;
}

static void
check_prefix(char **f, int nf)
{
    char *slash = strchr(f[0], '/');
    sq_ipaddr lo, hi;
    unsigned long len;
    wt_registry want = wt_registry_from_name(f[1], strlen(f[1]));

    SQ_CHECK(nf == 2 && slash != NULL, "list line '%s'", f[0]);
    if (nf != 2 || slash == NULL)
        return;
    SQ_CHECK(want != WT_UNKNOWN, "keyword '%s'", f[1]);
    SQ_CHECK(sq_ipaddr_parse(f[0], (size_t)(slash - f[0]), &lo), "addr %s",
             f[0]);
    len = strtoul(slash + 1, NULL, 10) + (lo.v4 ? 96 : 0);
    hi = lo;
    for (unsigned long b = len; b < 128; b++)
        hi.b[b / 8] |= (uint8_t)(0x80u >> (b % 8));
    SQ_CHECK(wt_lookup_ip(&lo) == want, "first address of %s is %s", f[0],
             f[1]);
    SQ_CHECK(wt_lookup_ip(&hi) == want, "last address of %s is %s", f[0], f[1]);
    SQ_CHECK(*wt_rdap_base(want) != '\0', "RDAP base for %s", f[1]);
}

static void
check_asn(char **f, int nf)
{
    char *dash, *end;
    unsigned long lo, hi;
    wt_registry want;

    SQ_CHECK(nf == 2, "asn line '%s'", f[0]);
    if (nf != 2)
        return;
    want = wt_registry_from_name(f[1], strlen(f[1]));
    lo = strtoul(f[0], &end, 10);
    dash = strchr(f[0], '-');
    hi = dash ? strtoul(dash + 1, NULL, 10) : lo;
    SQ_CHECK(wt_lookup_asn(lo) == want && wt_lookup_asn(hi) == want,
             "AS range %s is %s", f[0], f[1]);
}

static void
check_dns(char **f, int nf)
{
    char dom[300];
    const char *got;

    SQ_CHECK(nf == 2, "dns line '%s'", f[0]);
    if (nf != 2)
        return;
    snprintf(dom, sizeof dom, "Www.Example.%s.", f[0]);
    got = wt_rdap_dns_base(dom, strlen(dom));
    SQ_CHECK_STR(got, f[1], "RDAP base of .%s", f[0]);
}

static void
check_placeholder(char **f, int nf)
{
    char addr[400];
    const char *e = f[0], *at = strchr(e, '@');

    SQ_CHECK(nf == 1 && at != NULL, "placeholder line '%s'", e);
    if (nf != 1 || at == NULL)
        return;
    if (at == e) /* @domain: any local part, any subdomain */
        snprintf(addr, sizeof addr, "Someone@Sub%s", e);
    else if (strcmp(at, "@*") == 0)
        snprintf(addr, sizeof addr, "%.*s@isp.example.net", (int)(at - e), e);
    else
        snprintf(addr, sizeof addr, "%s", e);
    SQ_CHECK(wa_is_placeholder(addr, strlen(addr)), "list entry %s (%s)", e,
             addr);
    if (at == e) {
        snprintf(addr, sizeof addr, "x@%s", e + 1);
        SQ_CHECK(wa_is_placeholder(addr, strlen(addr)), "domain itself %s",
                 addr);
    }
}

static void
test_lists_round_trip(void)
{
    int n4 = each_line("delegation-ipv4.list", check_prefix);
    int n6 = each_line("delegation-ipv6.list", check_prefix);
    int na = each_line("delegation-asn.list", check_asn);
    int nd = each_line("rdap-dns.list", check_dns);
    int np = each_line("placeholders.list", check_placeholder);

    /* Counts from the April/July 2024 bootstrap files. */
    SQ_CHECK(n4 == 221, "ipv4 entries %d", n4);
    SQ_CHECK(n6 == 33, "ipv6 entries %d", n6);
    SQ_CHECK(na == 150, "asn entries %d", na);
    SQ_CHECK(nd > 1000, "dns entries %d", nd);
    SQ_CHECK(np >= 20, "placeholder entries %d", np);
    SQ_CHECK_STR(wt_rdap_dns_base("example.com", 11),
                 "https://rdap.verisign.com/com/v1/", ".com");
    SQ_CHECK(wt_rdap_dns_base("example.kg", 10) == NULL,
             ".kg has only an http server: left out");
    SQ_CHECK(wt_rdap_dns_base("example.nosuchtld", 17) == NULL, "unknown");
    SQ_CHECK(wt_rdap_dns_base("", 0) == NULL, "empty");
}

int
main(void)
{
    test_known_addresses();
    test_unallocated();
    test_registry_names();
    test_hosts();
    test_placeholders();
    test_lists_round_trip();
    return sqtest_finish("tables_test");
}

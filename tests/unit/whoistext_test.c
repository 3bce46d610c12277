/*
 * whoistext_test.c - whoistext_parse() on labelled port-43 answers and
 * on hand-written texts.
 *
 * Part 1 reads ../shared/corpora/whois/ipwhois/labels.jsonl (records
 * with a whois_raw/ or nir_raw/ file; ipwhois test data, BSD-2-Clause)
 * and whois-parser-fork/labels.jsonl (MIT) and checks, per response:
 * the non-fallback abuse contacts equal abuse_emails (domain compared
 * without case), the referral, the range / CIDR / netname / country,
 * that hint addresses are fallbacks and fallback-only addresses never
 * primary.  The labels' ranges are human-written ("200.57.128.0/19
 * (written '200.57.128/19')"), so the expected first - last of each
 * file is in the table below, derived by hand from the label text.
 * Part 2 is hand-written: IANA, ARIN referrals and several nets,
 * blocked and no-match texts of each registry, truncation, CRLF,
 * remarks that are not about abuse, LACNIC and APNIC details.
 */
#include "whois/whois_int.h"

#include "sqtest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

static sq_whois_answer *
parse(const char *txt, size_t len, const char *server)
{
    sq_whois_answer *a = wa_new("test", SQ_WQ_IP);

    if (a == NULL)
        abort();
    SQ_CHECK(whoistext_parse(txt, len, server, a, NULL) == SQ_OK,
             "whoistext_parse status for server %s",
             server ? server : "(null)");
    return a;
}

static sq_whois_answer *
parse_s(const char *txt, const char *server)
{
    return parse(txt, strlen(txt), server);
}

/* local part exact, domain without case */
static int
same_email(const char *x, const char *y)
{
    const char *ax = strchr(x, '@'), *ay = strchr(y, '@');

    if (ax == NULL || ay == NULL || ax - x != ay - y ||
        strncmp(x, y, (size_t)(ax - x)) != 0)
        return 0;
    return strcasecmp(ax, ay) == 0;
}

static const sq_contact *
find_contact(const sq_whois_answer *a, const char *email)
{
    for (size_t i = 0; i < a->ncontacts; i++)
        if (same_email(a->contacts[i].email, email))
            return &a->contacts[i];
    return NULL;
}

static size_t
count_primary_abuse(const sq_whois_answer *a)
{
    size_t k = 0;

    for (size_t i = 0; i < a->ncontacts; i++)
        k += a->contacts[i].role == SQ_ROLE_ABUSE && !a->contacts[i].fallback;
    return k;
}

static void
range_text(const sq_whois_answer *a, char *out, size_t n)
{
    char lo[46], hi[46];

    if (!a->has_range) {
        snprintf(out, n, "(none)");
        return;
    }
    sq_ipaddr_format(&a->lo, lo);
    sq_ipaddr_format(&a->hi, hi);
    snprintf(out, n, "%s - %s", lo, hi);
}

/* ------------------------------------------------------------------ */
/* part 1: labelled corpus                                            */
/* ------------------------------------------------------------------ */

typedef struct expect {
    const char *file;
    const char *server;   /* passed to the parser (NULL: sniff) */
    const char *range;    /* first - last, canonical */
    const char *referral; /* when the label has none: what we derive */
    int free_text_abuse;  /* abuse_emails come from remarks only */
} expect;

static const expect expects[] = {
    /* AFRINIC: "% No abuse contact registered", remarks name the desk */
    {"whois_raw/196.11.240.215.txt", "whois.afrinic.net",
     "196.11.239.0 - 196.11.246.255", "", 1},
    /* "200.57.128.0/19 (written '200.57.128/19')" */
    {"whois_raw/200.57.141.161.txt", "whois.lacnic.net",
     "200.57.128.0 - 200.57.159.255", "", 0},
    /* the more specific /48 of the JPNIC mirror */
    {"whois_raw/2001_240_10c_1__ca20_9d1d.txt", "whois.apnic.net",
     "2001:240:10c:: - 2001:240:10c:ffff:ffff:ffff:ffff:ffff", NULL, 0},
    {"whois_raw/2001_43f8_7b0__.txt", "whois.afrinic.net",
     "2001:43f8:7b0:: - 2001:43f8:7b0:ffff:ffff:ffff:ffff:ffff", "", 0},
    {"whois_raw/2001_4860_4860__8888.txt", "whois.arin.net",
     "2001:4860:: - 2001:4860:ffff:ffff:ffff:ffff:ffff:ffff", "", 0},
    /* the APNIC /17 is smaller than the KRNIC mirror's range; KRNIC
     * space, so a referral to the NIR */
    {"whois_raw/210.107.73.73.txt", "whois.apnic.net",
     "210.107.0.0 - 210.107.127.255", "whois.kisa.or.kr", 0},
    {"whois_raw/2801_10_c000__.txt", "whois.lacnic.net",
     "2801:10:c000:: - 2801:10:c000:ffff:ffff:ffff:ffff:ffff", "", 0},
    {"whois_raw/2a00_2381_ffff__1.txt", "whois.ripe.net",
     "2a00:2381:ffff:: - 2a00:2381:ffff:0:ffff:ffff:ffff:ffff", "", 0},
    {"whois_raw/62.239.237.1.txt", "whois.ripe.net",
     "62.239.237.0 - 62.239.237.255", "", 0},
    {"whois_raw/74.125.225.229.txt", "whois.arin.net",
     "74.125.0.0 - 74.125.255.255", "", 0},
    {"nir_raw/jpnic_133.1.2.5.html", NULL, "133.1.0.0 - 133.1.255.255", "", 0},
    /* the more specific /26 of the two KRNIC blocks */
    {"nir_raw/krnic_115.1.2.3.html", NULL, "115.1.2.0 - 115.1.2.63", "", 0},
    {"whois.arin.net_52.1.217.30.txt", "whois.arin.net",
     "52.0.0.0 - 52.31.255.255", "", 0},
};

static const expect *
find_expect(const char *file)
{
    for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
        if (strcmp(expects[i].file, file) == 0)
            return &expects[i];
    return NULL;
}

static int
label_in(json_t *arr, const char *email)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && same_email(json_string_value(v), email))
            return 1;
    }
    return 0;
}

/* Every address of a label list is a fallback contact. */
static void
check_fallbacks(const sq_whois_answer *a, json_t *arr, const char *file,
                const char *what)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        const sq_contact *c = find_contact(a, json_string_value(v));

        SQ_CHECK(c != NULL && c->fallback, "%s: %s %s is a fallback contact",
                 file, what, json_string_value(v));
    }
}

static void
check_abuse(const sq_whois_answer *a, json_t *lab, const expect *e,
            const char *file)
{
    json_t *ab = json_object_get(lab, "abuse_emails");
    size_t i;
    json_t *v;

    if (e->free_text_abuse) {
        SQ_CHECK(count_primary_abuse(a) == 0, "%s: no registered abuse", file);
        json_array_foreach(ab, i, v)
        {
            const sq_contact *c = find_contact(a, json_string_value(v));

            SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && c->fallback &&
                         c->confidence == SQ_CONF_MEDIUM,
                     "%s: %s is a medium abuse fallback", file,
                     json_string_value(v));
        }
        return;
    }
    json_array_foreach(ab, i, v)
    {
        const sq_contact *c = find_contact(a, json_string_value(v));

        SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback,
                 "%s: %s is a primary abuse contact", file,
                 json_string_value(v));
    }
    for (i = 0; i < a->ncontacts; i++) {
        const sq_contact *c = &a->contacts[i];

        if (c->role == SQ_ROLE_ABUSE && !c->fallback)
            SQ_CHECK(label_in(ab, c->email),
                     "%s: primary abuse %s is not in the label", file,
                     c->email);
    }
}

static void
check_network(const sq_whois_answer *a, json_t *lab, const expect *e,
              const char *file)
{
    char got[120];
    json_t *v;

    range_text(a, got, sizeof(got));
    SQ_CHECK_STR(got, e->range, "%s: range", file);
    v = json_object_get(lab, "cidr");
    if (json_is_string(v))
        SQ_CHECK(a->net.ncidrs == 1 &&
                     strcasecmp(a->net.cidrs[0], json_string_value(v)) == 0,
                 "%s: cidr %s, got %s", file, json_string_value(v),
                 a->net.ncidrs ? a->net.cidrs[0] : "(none)");
    v = json_object_get(lab, "netname");
    if (json_is_null(v))
        SQ_CHECK_STR(a->net.name, "", "%s: no netname", file);
    else if (json_is_string(v))
        SQ_CHECK_STR(a->net.name, json_string_value(v), "%s: netname", file);
    v = json_object_get(lab, "country");
    if (json_is_string(v))
        SQ_CHECK_STR(a->net.country, json_string_value(v), "%s: country", file);
}

static void
check_referral(const sq_whois_answer *a, json_t *lab, const expect *e,
               const char *file)
{
    json_t *v = json_object_get(lab, "referral");

    if (json_is_string(v))
        SQ_CHECK_STR(a->referral, json_string_value(v), "%s: referral", file);
    else if (e->referral != NULL)
        SQ_CHECK_STR(a->referral, e->referral, "%s: referral", file);
}

static int
check_record(const char *dir, json_t *lab)
{
    const char *file = json_string_value(json_object_get(lab, "file"));
    const expect *e;
    char rel[512], path[1024];
    char *txt;
    size_t len = 0;
    sq_whois_answer *a;
    int before = sqtest_failures;

    if (file == NULL)
        return -1;
    e = find_expect(file);
    if (e == NULL)
        return -1; /* RDAP and other records: not ours */
    snprintf(rel, sizeof(rel), "%s/%s", dir, file);
    if (sqtest_corpus(rel, path, sizeof(path)) == NULL ||
        (txt = sqtest_slurp(path, &len)) == NULL) {
        SQ_CHECK(0, "%s: cannot read", rel);
        return 0;
    }
    a = parse(txt, len, e->server);
    SQ_CHECK(!a->blocked, "%s: not blocked", file);
    check_abuse(a, lab, e, file);
    check_network(a, lab, e, file);
    check_referral(a, lab, e, file);
    check_fallbacks(a, json_object_get(lab, "operator_abuse_hint"), file,
                    "operator hint");
    check_fallbacks(a, json_object_get(lab, "other_abuse_hints"), file,
                    "abuse hint");
    check_fallbacks(a, json_object_get(lab, "fallback_contact_emails"), file,
                    "fallback");
    check_fallbacks(a, json_object_get(lab, "noc_emails"), file, "noc");
    sq_whois_answer_free(a);
    free(txt);
    return sqtest_failures == before;
}

/* Returns the number of records checked; *ok those without failures. */
static int
run_labels(const char *dir, int *ok)
{
    char rel[256], path[1024], line[8192];
    FILE *f;
    int n = 0;

    snprintf(rel, sizeof(rel), "%s/labels.jsonl", dir);
    if (sqtest_corpus(rel, path, sizeof(path)) == NULL ||
        (f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        json_error_t err;
        json_t *lab = json_loads(line, 0, &err);
        int r;

        if (lab == NULL)
            continue;
        r = check_record(dir, lab);
        if (r >= 0) {
            n++;
            *ok += r;
        }
        json_decref(lab);
    }
    fclose(f);
    return n;
}

static void
part_corpus(void)
{
    int ok = 0, n1 = run_labels("whois/ipwhois", &ok);
    int n2 = run_labels("whois/whois-parser-fork", &ok);

    if (n1 < 0 || n2 < 0) {
        printf("whoistext: corpus absent, labelled part skipped\n");
        return;
    }
    SQ_CHECK(n1 + n2 == (int)(sizeof(expects) / sizeof(expects[0])),
             "every expected file is labelled (%d)", n1 + n2);
    printf("whoistext: %d/%d labelled responses\n", ok, n1 + n2);
}

/* Details of corpus files the labels do not spell out. */
static void
part_corpus_details(void)
{
    char path[1024];
    size_t len;
    char *txt;
    sq_whois_answer *a;
    const sq_contact *c;

    if (sqtest_corpus("whois/ipwhois/whois_raw/210.107.73.73.txt", path,
                      sizeof(path)) != NULL &&
        (txt = sqtest_slurp(path, &len)) != NULL) {
        a = parse(txt, len, "whois.apnic.net");
        c = find_contact(a, "hostmaster@nic.or.kr");
        SQ_CHECK(c != NULL && c->confidence == SQ_CONF_MEDIUM,
                 "APNIC: the NIR's IRT is a medium abuse contact");
        c = find_contact(a, "abuse@bora.net");
        SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && c->fallback,
                 "APNIC: the operator's spam desk is an abuse fallback");
        c = find_contact(a, "security@bora.net");
        SQ_CHECK(c != NULL && c->role != SQ_ROLE_ABUSE && c->fallback,
                 "APNIC: the security desk is not abuse");
        SQ_CHECK(find_contact(a, "jeonsi@bora.net") == NULL,
                 "changed: addresses are never contacts");
        SQ_CHECK_STR(a->net.registry, "apnic", "registry");
        sq_whois_answer_free(a);
        free(txt);
    }
    if (sqtest_corpus("whois/ipwhois/whois_raw/200.57.141.161.txt", path,
                      sizeof(path)) != NULL &&
        (txt = sqtest_slurp(path, &len)) != NULL) {
        a = parse(txt, len, NULL); /* sniffed */
        SQ_CHECK_STR(a->net.allocated, "2000-12-04", "LACNIC created");
        SQ_CHECK_STR(a->net.org, "Triara.com, S.A. de C.V.", "LACNIC owner");
        SQ_CHECK_STR(a->net.registry, "lacnic", "LACNIC sniffed");
        c = find_contact(a, "operacion.redes@triara.com");
        SQ_CHECK(c != NULL && strcmp(c->handle, "RYT2") == 0 &&
                     strcmp(c->where, "") == 0,
                 "LACNIC abuse-c handle kept, where empty");
        sq_whois_answer_free(a);
        free(txt);
    }
    if (sqtest_corpus("whois/ipwhois/whois_raw/62.239.237.1.txt", path,
                      sizeof(path)) != NULL &&
        (txt = sqtest_slurp(path, &len)) != NULL) {
        a = parse(txt, len, "whois.ripe.net");
        SQ_CHECK_STR(a->net.allocated, "2008-08-14", "RIPE created");
        SQ_CHECK(a->has_origin && a->origin.asn == 2856, "route origin");
        c = find_contact(a, "protect@bt.com");
        SQ_CHECK(c != NULL && c->source == SQ_SRC_WHOIS &&
                     strcmp(c->where, "whois.ripe.net") == 0 &&
                     c->confidence == SQ_CONF_HIGH,
                 "RIPE abuse: source whois, where the server, high");
        sq_whois_answer_free(a);
        free(txt);
    }
}

/* ------------------------------------------------------------------ */
/* part 2: hand-written texts                                         */
/* ------------------------------------------------------------------ */

static void
test_iana(void)
{
    sq_whois_answer *a = parse_s("% IANA WHOIS server\n"
                                 "% for more information on IANA, visit "
                                 "http://www.iana.org\n\n"
                                 "refer:        whois.arin.net\n\n"
                                 "inetnum:      8.0.0.0 - 8.255.255.255\n"
                                 "organisation: Administered by ARIN\n"
                                 "status:       LEGACY\n\n"
                                 "whois:        whois.arin.net\n",
                                 "whois.iana.org");

    SQ_CHECK_STR(a->referral, "whois.arin.net", "IANA refer");
    SQ_CHECK(!a->has_network && a->ncontacts == 0, "IANA: no network");
    sq_whois_answer_free(a);
    a = parse_s("refer: whois.ripe.net\n", NULL); /* sniffed */
    SQ_CHECK_STR(a->referral, "whois.ripe.net", "IANA refer, sniffed");
    sq_whois_answer_free(a);
}

static const char arin_two_nets[] =
    "# ARIN WHOIS data and services are subject to the Terms of Use\n\n"
    "NetRange:       198.51.0.0 - 198.51.255.255\n"
    "CIDR:           198.51.0.0/16\n"
    "NetName:        ISP-NET\n"
    "NetHandle:      NET-198-51-0-0-1\n"
    "NetType:        Direct Allocation\n"
    "Organization:   Example ISP (EXISP)\n"
    "RegDate:        2001-02-03\n"
    "ReferralServer: whois://whois.ex-net.zz\n\n"
    "OrgName:        Example ISP\n"
    "Country:        US\n\n"
    "OrgAbuseHandle: ABUSE1-ARIN\n"
    "OrgAbuseEmail:  abuse@isp.zz\n\n"
    "OrgNOCHandle: NOC1-ARIN\n"
    "OrgNOCEmail:  noc@isp.zz\n\n"
    "NetRange:       198.51.100.0 - 198.51.100.255\n"
    "CIDR:           198.51.100.0/24\n"
    "NetName:        CUST-NET\n"
    "NetHandle:      NET-198-51-100-0-1\n"
    "NetType:        Reassigned\n"
    "Customer:       Example Customer (C0001)\n"
    "RegDate:        2010-11-12\n"
    "ReferralServer: rwhois://rwhois.isp.zz:4321/\n\n"
    "CustName:       Example Customer\n"
    "Country:        CA\n"
    "Comment:        Peering requests: peering@cust.zz\n"
    "%s\n"
    "# end\n";

static void
test_arin_nets(void)
{
    char buf[2048];
    sq_whois_answer *a;
    const sq_contact *c;
    char r[120];

    snprintf(buf, sizeof(buf), arin_two_nets, "");
    a = parse_s(buf, "whois.arin.net");
    range_text(a, r, sizeof(r));
    SQ_CHECK_STR(r, "198.51.100.0 - 198.51.100.255", "ARIN: last net wins");
    SQ_CHECK_STR(a->net.name, "CUST-NET", "ARIN netname");
    SQ_CHECK_STR(a->net.handle, "NET-198-51-100-0-1", "ARIN handle");
    SQ_CHECK_STR(a->net.country, "CA", "ARIN country of the customer");
    SQ_CHECK_STR(a->net.allocated, "2010-11-12", "ARIN RegDate");
    SQ_CHECK_STR(a->net.registry, "arin", "ARIN registry");
    SQ_CHECK_STR(a->referral, "rwhois://rwhois.isp.zz:4321",
                 "ARIN: the last ReferralServer wins");
    c = find_contact(a, "abuse@isp.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback &&
                 strcmp(c->handle, "ABUSE1-ARIN") == 0,
             "ARIN: the ISP's abuse desk stands in for the customer");
    c = find_contact(a, "noc@isp.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_NOC && c->fallback,
             "ARIN: NOC e-mail is a fallback");
    c = find_contact(a, "peering@cust.zz");
    SQ_CHECK(c != NULL && c->role != SQ_ROLE_ABUSE && c->fallback &&
                 c->confidence == SQ_CONF_LOW,
             "ARIN: a Comment address not about abuse is low");
    sq_whois_answer_free(a);

    snprintf(buf, sizeof(buf), arin_two_nets,
             "\nOrgAbuseHandle: CABUSE-ARIN\n"
             "OrgAbuseEmail:  abuse@cust.zz\n"
             "RAbuseEmail:    soc@cust.zz\n");
    a = parse_s(buf, "whois.arin.net");
    SQ_CHECK(count_primary_abuse(a) == 2, "ARIN: the customer's abuse only");
    c = find_contact(a, "abuse@isp.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && c->fallback,
             "ARIN: the parent's abuse desk becomes a fallback");
    sq_whois_answer_free(a);

    a = parse_s("NetRange: 192.0.2.0 - 192.0.2.255\n"
                "ReferralServer: rwhois://rw.example.net:4321\n"
                "ReferralServer: whois://whois.example.org:43/\n",
                "whois.arin.net");
    SQ_CHECK_STR(a->referral, "whois.example.org:43",
                 "ARIN: last referral, whois:// dropped");
    sq_whois_answer_free(a);

    a = parse_s("NetRange:       2.0.0.0 - 2.255.255.255\n"
                "NetName:        RIPE-CIDR-BLOCK\n"
                "NetType:        Allocated to RIPE NCC\n"
                "OrgName:        RIPE Network Coordination Centre\n"
                "OrgAbuseEmail:  abuse@ripe.zz\n",
                "whois.arin.net");
    SQ_CHECK_STR(a->referral, "whois.ripe.net", "ARIN stub -> RIPE");
    SQ_CHECK(a->ncontacts == 0 && !a->has_network,
             "ARIN stub: no contacts, no network");
    sq_whois_answer_free(a);
}

static const struct {
    const char *server, *text;
} blocked_texts[] = {
    {"whois.ripe.net", "%ERROR:201: access denied for 192.0.2.1\n%\n"
                       "% Sorry, access from your host has been permanently\n"
                       "% denied because of a repeated excessive querying.\n"},
    {"whois.arin.net", "\nQuery rate limit exceeded. Please try again "
                       "later.\n"},
    {"whois.apnic.net", "% [whois.apnic.net]\n\n%ERROR:201: access denied "
                        "for 192.0.2.1\n"},
    {"whois.lacnic.net", "\r\n% Joint Whois - whois.lacnic.net\r\n"
                         "% Query rate limit exceeded\r\n"},
    {"whois.lacnic.net", "Too many queries from your IP, wait a minute\n"},
    {"whois.afrinic.net", "% This is the AfriNIC Whois server.\n\n"
                          "%ERROR:201: access denied\n"},
    {NULL, "You have exceeded the maximum allowable number of queries.\n"},
};

static void
test_blocked(void)
{
    for (size_t i = 0; i < sizeof(blocked_texts) / sizeof(blocked_texts[0]);
         i++) {
        sq_whois_answer *a =
            parse_s(blocked_texts[i].text, blocked_texts[i].server);

        SQ_CHECK(a->blocked && a->nwarnings > 0 && a->ncontacts == 0,
                 "blocked text %zu", i);
        sq_whois_answer_free(a);
    }
}

static void
test_nomatch(void)
{
    static const char *const texts[] = {
        "% This is the RIPE Database query service.\n\n"
        "%ERROR:101: no entries found\n%\n"
        "% No entries found in source RIPE.\n",
        "#\n# ARIN WHOIS data\n#\n\nNo match found for n + 192.0.2.1.\n",
        "% [whois.apnic.net]\n\n%ERROR:101: no entries found\n",
    };

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        sq_whois_answer *a = parse_s(texts[i], NULL);

        SQ_CHECK(!a->has_network && !a->blocked && a->ncontacts == 0 &&
                     a->nwarnings == 1,
                 "no match %zu: no network, one warning", i);
        sq_whois_answer_free(a);
    }
}

static const char ripe_text[] =
    "% This is the RIPE Database query service.\n"
    "% Information related to '192.0.2.0 - 192.0.2.255'\n\n"
    "% Abuse contact for '192.0.2.0 - 192.0.2.255' is 'abuse@ex-net.zz'\n\n"
    "inetnum:        192.0.2.0 - 192.0.2.255\n"
    "netname:        EXAMPLE-NET\n"
    "descr:          Example network\n"
    "country:        NL\n"
    "org:            ORG-EX1-RIPE\n"
    "admin-c:        EX1-RIPE\n"
    "tech-c:         EX1-RIPE\n"
    "remarks:        For peering requests write to\n"
    "+               peering@ex-net.zz\n"
    "remarks:        Routing questions: noc@ex-net.zz\n"
    "created:        2011-01-02T03:04:05Z\n"
    "source:         RIPE\n\n"
    "organisation:   ORG-EX1-RIPE\n"
    "org-name:       Example B.V.\n"
    "abuse-c:        AR1-RIPE\n\n"
    "role:           Example abuse\n"
    "nic-hdl:        AR1-RIPE\n"
    "abuse-mailbox:  abuse@ex-net.zz\n\n"
    "person:         Jan Example\n"
    "nic-hdl:        EX1-RIPE\n"
    "e-mail:         jan@ex-net.zz\n"
    "notify:         notify@ex-net.zz\n\n"
    "route:          192.0.2.0/24\n"
    "origin:         AS64500\n";

static void
check_ripe(const sq_whois_answer *a, const char *what)
{
    const sq_contact *c;
    char r[120];

    range_text(a, r, sizeof(r));
    SQ_CHECK_STR(r, "192.0.2.0 - 192.0.2.255", "%s: range", what);
    SQ_CHECK_STR(a->net.name, "EXAMPLE-NET", "%s: netname", what);
    SQ_CHECK_STR(a->net.org, "Example B.V.", "%s: org-name", what);
    SQ_CHECK_STR(a->net.allocated, "2011-01-02", "%s: created", what);
    SQ_CHECK(a->has_origin && a->origin.asn == 64500, "%s: origin", what);
    c = find_contact(a, "abuse@ex-net.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback &&
                 c->confidence == SQ_CONF_HIGH,
             "%s: abuse", what);
    c = find_contact(a, "jan@ex-net.zz");
    SQ_CHECK(c != NULL && c->fallback && c->role == SQ_ROLE_ADMIN &&
                 strcmp(c->handle, "EX1-RIPE") == 0,
             "%s: admin-c e-mail is a fallback", what);
    c = find_contact(a, "peering@ex-net.zz");
    SQ_CHECK(c != NULL && c->fallback && c->role == SQ_ROLE_TECH &&
                 c->confidence == SQ_CONF_LOW,
             "%s: a remarks address not about abuse", what);
    SQ_CHECK(find_contact(a, "notify@ex-net.zz") == NULL,
             "%s: notify: is not a contact", what);
    SQ_CHECK(count_primary_abuse(a) == 1, "%s: one primary abuse", what);
}

static void
test_ripe_chain(void)
{
    const char *cut = strstr(ripe_text, "% Abuse contact");
    const char *end = strstr(cut, "\n\n");
    char buf[4096];
    sq_whois_answer *a;
    const sq_contact *c;
    int n = snprintf(buf, sizeof(buf), "%.*s%s", (int)(cut - ripe_text),
                     ripe_text, end + 2);

    a = parse(buf, (size_t)n, "whois.ripe.net");
    c = find_contact(a, "abuse@ex-net.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback &&
                 strcmp(c->handle, "AR1-RIPE") == 0,
             "RIPE: org -> abuse-c -> abuse-mailbox without the comment");
    SQ_CHECK_STR(a->net.registry, "ripencc", "RIPE registry");
    sq_whois_answer_free(a);

    a = parse_s("aut-num:        AS64501\n"
                "as-name:        EXAMPLE-AS\n"
                "abuse-c:        AR2-RIPE\n\n"
                "role:           Abuse desk\n"
                "nic-hdl:        AR2-RIPE\n"
                "abuse-mailbox:  abuse@as.zz\n",
                "whois.ripe.net");
    SQ_CHECK(a->has_origin && a->origin.asn == 64501 &&
                 strcmp(a->origin.name, "EXAMPLE-AS") == 0,
             "aut-num: AS and name");
    c = find_contact(a, "abuse@as.zz");
    SQ_CHECK(c != NULL && !c->fallback, "aut-num abuse-c");
    sq_whois_answer_free(a);
}

static void
test_nir_text(void)
{
    sq_whois_answer *a = parse_s(
        "[ JPNIC database provides information regarding IP address and "
        "ASN. ]\n\n"
        "Network Information:\n"
        "a. [Network Number]             192.41.192.0/24\n"
        "b. [Network Name]               JPNIC-NET\n"
        "g. [Organization]               Japan Network Information Center\n"
        "m. [Administrative Contact]     YS3024JP\n"
        "[Assigned Date]                 1990/07/11\n",
        "whois.nic.ad.jp");
    char r[120];
    const sq_contact *c;

    range_text(a, r, sizeof(r));
    SQ_CHECK_STR(r, "192.41.192.0 - 192.41.192.255", "JPNIC range");
    SQ_CHECK_STR(a->net.name, "JPNIC-NET", "JPNIC name");
    SQ_CHECK_STR(a->net.allocated, "1990-07-11", "JPNIC date");
    SQ_CHECK_STR(a->net.registry, "jpnic", "JPNIC registry");
    SQ_CHECK(a->ncontacts == 0, "JPNIC: handles only");
    sq_whois_answer_free(a);

    a = parse_s("query : 211.234.0.1\n\n# ENGLISH\n\n"
                "[ Network Information ]\n"
                "IPv4 Address       : 211.234.0.0 - 211.234.127.255 (/17)\n"
                "Organization Name  : Example KR\n"
                "Service Name       : EXNET\n\n"
                "[ Admin Contact Information ]\n"
                "Name               : IP Manager\n"
                "E-Mail             : ip@ex.kr\n\n"
                "[ Network Abuse Contact Information ]\n"
                "E-Mail             : abuse@ex.kr\n",
                "whois.kisa.or.kr");
    range_text(a, r, sizeof(r));
    SQ_CHECK_STR(r, "211.234.0.0 - 211.234.127.255", "KRNIC range");
    SQ_CHECK_STR(a->net.name, "EXNET", "KRNIC service name");
    c = find_contact(a, "abuse@ex.kr");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback &&
                 c->confidence == SQ_CONF_HIGH,
             "KRNIC abuse header");
    c = find_contact(a, "ip@ex.kr");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ADMIN && c->fallback,
             "KRNIC admin header");
    sq_whois_answer_free(a);
}

static void
test_ripe_crlf(void)
{
    char crlf[4096];
    size_t m = 0;
    sq_whois_answer *a = parse_s(ripe_text, "whois.ripe.net");

    check_ripe(a, "RIPE LF");
    sq_whois_answer_free(a);
    for (size_t i = 0; ripe_text[i] != '\0' && m + 2 < sizeof(crlf); i++) {
        if (ripe_text[i] == '\n')
            crlf[m++] = '\r';
        crlf[m++] = ripe_text[i];
    }
    a = parse(crlf, m, NULL);
    check_ripe(a, "RIPE CRLF sniffed");
    sq_whois_answer_free(a);
}

/* Every prefix of a text, each in a buffer of exactly that size (ASan
 * sees any read past the end). */
static void
truncations(const char *txt, size_t len, const char *server)
{
    for (size_t n = 0; n <= len; n++) {
        char *b = malloc(n ? n : 1);
        sq_whois_answer *a = wa_new("t", SQ_WQ_IP);

        memcpy(b, txt, n);
        if (whoistext_parse(b, n, server, a, NULL) != SQ_OK) {
            SQ_CHECK(0, "truncated at %zu", n);
            n = len;
        }
        sq_whois_answer_free(a);
        free(b);
    }
}

static void
test_truncated(void)
{
    char buf[2048];
    int before = sqtest_failures;

    truncations(ripe_text, strlen(ripe_text), "whois.ripe.net");
    snprintf(buf, sizeof(buf), arin_two_nets, "");
    truncations(buf, strlen(buf), "whois.arin.net");
    truncations(ripe_text, strlen(ripe_text), NULL);
    SQ_CHECK(sqtest_failures == before, "truncated texts parse");
}

static void
test_long_line(void)
{
    size_t n = 200000;
    char *b = malloc(n);
    sq_whois_answer *a;

    memset(b, 'a', n);
    memcpy(b, "remarks: ", 9);
    b[n / 2] = '@';
    a = parse(b, n, "whois.ripe.net");
    SQ_CHECK(a->ncontacts == 0 && !a->has_network, "a 200 KB line");
    sq_whois_answer_free(a);
    free(b);
}

static void
test_lacnic(void)
{
    sq_whois_answer *a = parse_s("% Joint Whois - whois.lacnic.net\n\n"
                                 "inetnum:     200.160.0.0/20\n"
                                 "aut-num:     AS22548\n"
                                 "abuse-c:     GRC\n"
                                 "owner:       Example BR\n"
                                 "country:     BR\n"
                                 "owner-c:     FAN\n"
                                 "created:     20000407\n\n"
                                 "nic-hdl-br:  GRC\n"
                                 "e-mail:      cert@example.br\n\n"
                                 "nic-hdl-br:  FAN\n"
                                 "e-mail:      fan@example.br\n",
                                 "whois.registro.br");
    const sq_contact *c;
    char r[120];

    range_text(a, r, sizeof(r));
    SQ_CHECK_STR(r, "200.160.0.0 - 200.160.15.255", "registro.br range");
    SQ_CHECK_STR(a->net.allocated, "2000-04-07", "registro.br created");
    SQ_CHECK(a->has_origin && a->origin.asn == 22548, "registro.br aut-num");
    c = find_contact(a, "cert@example.br");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback,
             "registro.br abuse-c chain");
    c = find_contact(a, "fan@example.br");
    SQ_CHECK(c != NULL && c->fallback, "registro.br owner-c fallback");
    sq_whois_answer_free(a);

    /* the joint whois relays a RIPE answer */
    {
        char buf[4096];

        snprintf(buf, sizeof(buf),
                 "%% Joint Whois - whois.lacnic.net\n"
                 "%% RIPE resource: whois.ripe.net\n\n%s",
                 ripe_text);
        a = parse_s(buf, "whois.lacnic.net");
        check_ripe(a, "LACNIC relaying RIPE");
        sq_whois_answer_free(a);
    }
}

static void
test_apnic(void)
{
    sq_whois_answer *a = parse_s(
        "% [whois.apnic.net]\n\n"
        "inetnum:        41.0.0.0 - 41.255.255.255\n"
        "netname:        AFRINIC-NET-TRANSFERRED-41\n"
        "descr:          This range was transferred to the AFRINIC region\n"
        "country:        ZZ\n"
        "admin-c:        HM20-AP\n\n"
        "role:           APNIC Hostmaster\n"
        "nic-hdl:        HM20-AP\n"
        "e-mail:         helpdesk@apnic.zz\n",
        "whois.apnic.net");

    SQ_CHECK_STR(a->referral, "whois.afrinic.net",
                 "APNIC transferred stub -> AFRINIC");
    SQ_CHECK(a->ncontacts == 0 && !a->has_network, "APNIC stub is empty");
    sq_whois_answer_free(a);

    a = parse_s("% [whois.apnic.net]\n\n"
                "inetnum:        8.0.0.0 - 8.255.255.255\n"
                "netname:        IANA-NETBLOCK-8\n"
                "descr:          This network range is not allocated to "
                "APNIC.\n"
                "descr:          whois.arin.net or http://www.arin.net\n"
                "descr:          whois.ripe.net or http://www.ripe.net\n",
                "whois.apnic.net");
    SQ_CHECK_STR(a->referral, "whois.iana.org",
                 "APNIC stub naming several RIRs -> IANA");
    sq_whois_answer_free(a);

    a = parse_s("% [whois.apnic.net]\n\n"
                "inetnum:        192.0.2.0 - 192.0.2.255\n"
                "netname:        AFRINIC-EX\n"
                "descr:          Remarks say nothing about whois\n"
                "mnt-irt:        IRT-EX-AP\n"
                "country:        AU\n\n"
                "irt:            IRT-EX-AP\n"
                "e-mail:         irt@example.au\n"
                "abuse-mailbox:  abuse@example.au\n",
                "whois.apnic.net");
    {
        const sq_contact *c = find_contact(a, "abuse@example.au");

        SQ_CHECK(c != NULL && !c->fallback && c->confidence == SQ_CONF_HIGH &&
                     strcmp(c->handle, "IRT-EX-AP") == 0,
                 "APNIC: mnt-irt abuse-mailbox");
        SQ_CHECK_STR(a->referral, "", "APNIC: no referral for APNIC space");
    }
    sq_whois_answer_free(a);
}

static void
test_apnic_nir_comment(void)
{
    sq_whois_answer *a =
        parse_s("% [whois.apnic.net]\n\n"
                "% Abuse contact for '211.234.0.0 - 211.234.127.255' is "
                "'hostmaster@nic.or.kr'\n\n"
                "inetnum:        211.234.0.0 - 211.234.127.255\n"
                "netname:        EXNET-KR\n"
                "country:        KR\n"
                "mnt-irt:        IRT-KRNIC-KR\n"
                "source:         KRNIC\n\n"
                "irt:            IRT-KRNIC-KR\n"
                "abuse-mailbox:  hostmaster@nic.or.kr\n",
                "whois.apnic.net");
    const sq_contact *c = find_contact(a, "hostmaster@nic.or.kr");

    SQ_CHECK(c != NULL && !c->fallback && c->confidence == SQ_CONF_MEDIUM,
             "APNIC in KRNIC space: the comment's NIR desk is medium");
    SQ_CHECK_STR(a->referral, "whois.kisa.or.kr", "APNIC -> KRNIC");
    SQ_CHECK_STR(a->net.name, "EXNET-KR", "APNIC keeps the NIR's data");
    sq_whois_answer_free(a);
}

static void
test_rwhois(void)
{
    sq_whois_answer *a = parse_s(
        "%rwhois V-1.5:003fff:00 rwhois.isp.zz (by Network Solutions, Inc. "
        "V-1.5.9.5)\n"
        "network:Class-Name:network\n"
        "network:ID:NET-203-0-113-0-24\n"
        "network:Network-Name:CUST-113\n"
        "network:IP-Network:203.0.113.0/24\n"
        "network:Org-Name:Customer Ltd\n"
        "network:Abuse-Contact;I:ABUSE-7\n"
        "network:Tech-Contact;I:TECH-9\n\n"
        "contact:ID:ABUSE-7\n"
        "contact:Name:Abuse desk\n"
        "contact:Email:abuse@isp.zz\n\n"
        "contact:ID:TECH-9\n"
        "contact:Email:noc@isp.zz\n"
        "%ok\n",
        "rwhois.isp.zz:4321");
    const sq_contact *c;
    char r[120];

    range_text(a, r, sizeof(r));
    SQ_CHECK_STR(r, "203.0.113.0 - 203.0.113.255", "rwhois range");
    SQ_CHECK_STR(a->net.name, "CUST-113", "rwhois name");
    c = find_contact(a, "abuse@isp.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && !c->fallback &&
                 strcmp(c->handle, "ABUSE-7") == 0,
             "rwhois Abuse-Contact");
    c = find_contact(a, "noc@isp.zz");
    SQ_CHECK(c != NULL && c->role == SQ_ROLE_TECH && c->fallback,
             "rwhois Tech-Contact");
    sq_whois_answer_free(a);
}

static void
test_odd_inputs(void)
{
    sq_whois_answer *a = wa_new("x", SQ_WQ_IP);

    SQ_CHECK(whoistext_parse(NULL, 5, NULL, a, NULL) == SQ_EINVAL, "NULL text");
    SQ_CHECK(whoistext_parse("", 0, NULL, a, NULL) == SQ_OK, "empty text");
    SQ_CHECK(whoistext_parse("x", 1, NULL, NULL, NULL) == SQ_EINVAL,
             "NULL answer");
    sq_whois_answer_free(a);
    {
        static const char nul[] = "inetnum: 10.0.0.0 - 10.0.0.255\n"
                                  "remarks: x\0y abuse: abuse@x.zz\n";

        a = parse(nul, sizeof(nul) - 1, "whois.ripe.net");
        SQ_CHECK(a->has_range && find_contact(a, "abuse@x.zz") != NULL,
                 "a NUL in the text");
    }
    sq_whois_answer_free(a);
}

int
main(void)
{
    part_corpus();
    part_corpus_details();
    test_iana();
    test_arin_nets();
    test_blocked();
    test_nomatch();
    test_ripe_crlf();
    test_ripe_chain();
    test_nir_text();
    test_truncated();
    test_long_line();
    test_lacnic();
    test_apnic();
    test_apnic_nir_comment();
    test_rwhois();
    test_odd_inputs();
    return sqtest_finish("whoistext_test");
}

/*
 * rdap_test.c - the RDAP JSON reader (rdap_parse) and the IANA bootstrap
 * reader (rdap_bootstrap_*).
 *
 * Part 1 reads every labelled RDAP document of the shared corpora
 * (../shared/corpora/whois/{ipwhois,whoisit}/labels.jsonl: BSD-2-Clause
 * ipwhois and BSD-3-Clause whoisit test data) and checks the label:
 * the set of abuse contacts, their confidence, the preferred address,
 * fallbacks, network range/CIDR, name, handle, country, registry,
 * referral, AS number.  Part 2 is hand-made documents, one per quirk and
 * one per kind of bad input.  Part 3 is the bootstrap files of the
 * whoisit corpus plus hand-made ones in a temporary directory.
 * Without the corpora parts 1 and 3a are skipped (the rest still runs).
 */
#include "sqtest.h"
#include "whois/bootstrap.h"
#include "whois/whois_int.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

/* Same address: local part exact, domain case-insensitive. */
static int
same_email(const char *x, const char *y)
{
    const char *ax = strchr(x, '@'), *ay = strchr(y, '@');

    if (ax == NULL || ay == NULL || ax - x != ay - y ||
        memcmp(x, y, (size_t)(ax - x)) != 0)
        return 0;
    return sq_strncaseeq(ax, strlen(ax), ay);
}

static const sq_contact *
find_contact(const sq_whois_answer *a, const char *email)
{
    for (size_t i = 0; i < a->ncontacts; i++)
        if (same_email(a->contacts[i].email, email))
            return &a->contacts[i];
    return NULL;
}

static const sq_contact *
find_contact_nocase(const sq_whois_answer *a, const char *email)
{
    for (size_t i = 0; i < a->ncontacts; i++)
        if (sq_strncaseeq(a->contacts[i].email, strlen(a->contacts[i].email),
                          email))
            return &a->contacts[i];
    return NULL;
}

static size_t
count_abuse(const sq_whois_answer *a)
{
    size_t n = 0;

    for (size_t i = 0; i < a->ncontacts; i++)
        n += a->contacts[i].role == SQ_ROLE_ABUSE;
    return n;
}

static int
has_warning(const sq_whois_answer *a, const char *part)
{
    for (size_t i = 0; i < a->nwarnings; i++)
        if (strstr(a->warnings[i], part) != NULL)
            return 1;
    return 0;
}

static sq_whois_kind
kind_of(const char *q)
{
    if (q == NULL)
        return SQ_WQ_IP;
    if (strchr(q, '/') != NULL)
        return SQ_WQ_CIDR;
    if ((q[0] == 'A' || q[0] == 'a') && (q[1] == 'S' || q[1] == 's'))
        return SQ_WQ_ASN;
    if (strchr(q, ':') != NULL || strspn(q, "0123456789.") == strlen(q))
        return SQ_WQ_IP;
    return SQ_WQ_DOMAIN;
}

/* Parse text into a fresh answer; the status in *st. */
static sq_whois_answer *
parse_doc(const char *json, size_t len, const char *query, const char *url,
          sq_status *st, sq_diag *d)
{
    sq_whois_answer *a = wa_new(query, kind_of(query));

    if (a == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    *st = rdap_parse(json, len, url, a, d);
    wa_sort_contacts(a);
    return a;
}

/* Label text up to " (" (labels annotate values in parentheses). */
static void
label_value(const char *s, char *out, size_t outlen)
{
    const char *p = strstr(s, " (");
    size_t n = p ? (size_t)(p - s) : strlen(s);

    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* "a - b" or "p/len" → bounds.  1 when understood. */
static int
range_of(const char *text, sq_ipaddr *lo, sq_ipaddr *hi)
{
    char buf[200];
    const char *dash, *slash;

    label_value(text, buf, sizeof(buf));
    dash = strstr(buf, " - ");
    if (dash != NULL)
        return sq_ipaddr_parse(buf, (size_t)(dash - buf), lo) &&
               sq_ipaddr_parse(dash + 3, strlen(dash + 3), hi);
    slash = strchr(buf, '/');
    if (slash != NULL) {
        sq_whois_answer *t = wa_new(NULL, SQ_WQ_CIDR);
        int ok = t != NULL && wa_set_cidr_text(t, buf, strlen(buf));

        if (ok) {
            *lo = t->lo;
            *hi = t->hi;
        }
        sq_whois_answer_free(t);
        return ok;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Part 1: labelled documents                                          */
/* ------------------------------------------------------------------ */

static const char *
jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Label registry spelling → ours: "ripe" → ripencc, "apnic (JPNIC)" →
 * jpnic (the NIR manages the space). */
static void
label_registry(const char *rir, char *out, size_t outlen)
{
    const char *p = strchr(rir, '(');
    size_t n = 0;

    if (p != NULL) {
        for (p++; *p && *p != ')' && n + 1 < outlen; p++)
            out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        out[n] = '\0';
        return;
    }
    snprintf(out, outlen, "%s", strcmp(rir, "ripe") == 0 ? "ripencc" : rir);
}

/* The referral: the label's, else the whois server of the NIR the
 * label names ("apnic (KRNIC)"), else none. */
static const char *
label_referral(const json_t *lab)
{
    const char *rir = jstr(lab, "rir");

    if (jstr(lab, "referral") != NULL)
        return jstr(lab, "referral");
    if (rir != NULL && strstr(rir, "(JPNIC)") != NULL)
        return "whois.nic.ad.jp";
    if (rir != NULL && strstr(rir, "(KRNIC)") != NULL)
        return "whois.kisa.or.kr";
    return "";
}

static sq_confidence
label_conf(const char *c)
{
    if (c != NULL && strncmp(c, "low", 3) == 0)
        return SQ_CONF_LOW;
    if (c != NULL && strncmp(c, "medium", 6) == 0)
        return SQ_CONF_MEDIUM;
    return SQ_CONF_HIGH;
}

/* The abuse set: label abuse_emails plus the operator's own abuse desk
 * (operator_abuse_hint) that the NIR documents carry in remarks. */
static void
check_abuse_set(const json_t *lab, const sq_whois_answer *a, const char *f)
{
    const json_t *want = json_object_get(lab, "abuse_emails");
    const json_t *hint = json_object_get(lab, "operator_abuse_hint");
    sq_confidence conf = label_conf(jstr(lab, "confidence"));
    size_t i, nwant = json_array_size(want) + json_array_size(hint);
    const json_t *e;

    json_array_foreach(want, i, e)
    {
        const sq_contact *c = find_contact(a, json_string_value(e));

        SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE, "%s: abuse %s missing",
                 f, json_string_value(e));
        if (c != NULL)
            SQ_CHECK(c->confidence == conf && c->source == SQ_SRC_RDAP,
                     "%s: %s confidence %s", f, c->email,
                     sq_confidence_name(c->confidence));
    }
    json_array_foreach(hint, i, e)
    {
        const sq_contact *c = find_contact(a, json_string_value(e));

        SQ_CHECK(c != NULL && c->role == SQ_ROLE_ABUSE && c->fallback,
                 "%s: operator abuse hint %s not a fallback abuse contact", f,
                 json_string_value(e));
    }
    SQ_CHECK(count_abuse(a) == nwant, "%s: %zu abuse contacts, want %zu", f,
             count_abuse(a), nwant);
}

static void
check_contacts(const json_t *lab, const sq_whois_answer *a, const char *f)
{
    const char *pref = jstr(lab, "preferred_abuse_email");
    const json_t *fb = json_object_get(lab, "fallback_contact_emails"), *e;
    const json_t *handles = json_object_get(lab, "abuse_handles");
    size_t i;

    check_abuse_set(lab, a, f);
    if (pref != NULL)
        SQ_CHECK(a->ncontacts > 0 && same_email(a->contacts[0].email, pref),
                 "%s: contact 0 is %s, want %s", f,
                 a->ncontacts ? a->contacts[0].email : "none", pref);
    json_array_foreach(fb, i, e)
    {
        /* The builder treats Barry@ and barry@ as one mailbox. */
        const sq_contact *c = find_contact_nocase(a, json_string_value(e));

        SQ_CHECK(c != NULL && c->fallback && c->role != SQ_ROLE_ABUSE,
                 "%s: fallback %s missing", f, json_string_value(e));
    }
    json_array_foreach(handles, i, e)
    {
        int found = 0;

        for (size_t k = 0; k < a->ncontacts; k++)
            found |= a->contacts[k].role == SQ_ROLE_ABUSE &&
                     strcmp(a->contacts[k].handle, json_string_value(e)) == 0;
        SQ_CHECK(found, "%s: no abuse contact with handle %s", f,
                 json_string_value(e));
    }
}

static void
check_network(const json_t *lab, const sq_whois_answer *a, const char *f)
{
    const char *cidr = jstr(lab, "network"),
               *range = jstr(lab, "network_range");
    sq_ipaddr lo, hi;

    if (cidr != NULL) {
        int listed = 0;

        for (size_t i = 0; i < a->net.ncidrs; i++)
            listed |=
                sq_strncaseeq(a->net.cidrs[i], strlen(a->net.cidrs[i]), cidr);
        SQ_CHECK(a->net.ncidrs == 1 && listed, "%s: cidrs %s, want %s", f,
                 a->net.ncidrs ? a->net.cidrs[0] : "none", cidr);
    }
    if (cidr == NULL)
        cidr = range;
    if (cidr == NULL)
        return;
    SQ_CHECK(range_of(cidr, &lo, &hi), "%s: label range '%s'", f, cidr);
    SQ_CHECK(a->has_range && memcmp(lo.b, a->lo.b, 16) == 0 &&
                 memcmp(hi.b, a->hi.b, 16) == 0,
             "%s: range %s, want %s", f, a->net.range, cidr);
}

static void
check_names(const json_t *lab, const sq_whois_answer *a, const char *f)
{
    const char *obj = jstr(lab, "object"), *name = jstr(lab, "name");
    const char *rir = jstr(lab, "rir");
    int autnum = obj != NULL && strcmp(obj, "autnum") == 0;
    int entity = obj != NULL && strcmp(obj, "entity") == 0;
    char want[200];

    if (name == NULL)
        name = jstr(lab, "netname");
    if (name != NULL && !entity) {
        label_value(name, want, sizeof(want));
        SQ_CHECK_STR(autnum ? a->origin.name : a->net.name, want, "%s name", f);
    }
    if (jstr(lab, "handle") != NULL)
        SQ_CHECK_STR(a->net.handle, jstr(lab, "handle"), "%s handle", f);
    if (jstr(lab, "country") != NULL)
        SQ_CHECK_STR(a->net.country, jstr(lab, "country"), "%s country", f);
    if (rir != NULL && !entity) {
        label_registry(rir, want, sizeof(want));
        SQ_CHECK_STR(autnum ? a->origin.registry : a->net.registry, want,
                     "%s registry", f);
    }
    SQ_CHECK_STR(a->referral, label_referral(lab), "%s referral", f);
    if (autnum) {
        const json_t *r = json_object_get(lab, "asn_range");
        long long asn = json_integer_value(json_array_get(r, 0));

        if (asn == 0 && jstr(lab, "query") != NULL)
            asn = strtoll(jstr(lab, "query") + 2, NULL, 10);
        SQ_CHECK(a->has_origin && (long long)a->origin.asn == asn, "%s: AS %lu",
                 f, a->origin.asn);
        SQ_CHECK_STR(a->origin.relation, "registered AS", "%s relation", f);
    }
}

/* One labelled document; 1 when every check passed. */
static int
check_label(const char *group, const json_t *lab)
{
    const char *file = jstr(lab, "file"), *url = jstr(lab, "url");
    char rel[512], path[1024], f[600];
    int before = sqtest_failures;
    sq_diag *d = sq_diag_new();
    sq_whois_answer *a;
    sq_status st;
    size_t len;
    char *buf;

    snprintf(rel, sizeof(rel), "whois/%s/%s", group, file);
    snprintf(f, sizeof(f), "%s/%s", group, file);
    buf = sqtest_corpus(rel, path, sizeof(path)) ? sqtest_slurp(path, &len)
                                                 : NULL;
    SQ_CHECK(buf != NULL, "%s: cannot read", f);
    if (buf == NULL) {
        sq_diag_free(d);
        return 0;
    }
    a = parse_doc(buf, len, jstr(lab, "query"), url, &st, d);
    SQ_CHECK(st == SQ_OK, "%s: status %s", f, sq_strerror(st));
    check_contacts(lab, a, f);
    check_network(lab, a, f);
    check_names(lab, a, f);
    for (size_t i = 0; i < a->ncontacts; i++)
        SQ_CHECK_STR(a->contacts[i].where, url ? url : "", "%s where", f);
    sq_whois_answer_free(a);
    sq_diag_free(d);
    free(buf);
    return sqtest_failures == before;
}

static void
labelled(int *ok, int *total)
{
    static const char *const groups[] = {"ipwhois", "whoisit"};

    for (size_t g = 0; g < 2; g++) {
        char rel[64], path[1024], line[8192];
        FILE *fp;

        snprintf(rel, sizeof(rel), "whois/%s/labels.jsonl", groups[g]);
        if (sqtest_corpus(rel, path, sizeof(path)) == NULL ||
            (fp = fopen(path, "r")) == NULL)
            continue;
        while (fgets(line, sizeof(line), fp) != NULL) {
            json_t *lab = json_loads(line, 0, NULL);
            const char *file = jstr(lab, "file");

            if (file != NULL && (strncmp(file, "rdap_json/", 10) == 0 ||
                                 strncmp(file, "recorded_http/", 14) == 0)) {
                int good = check_label(groups[g], lab);

                printf("  %-4s %s/%s\n", good ? "ok" : "FAIL", groups[g], file);
                *ok += good;
                (*total)++;
            }
            json_decref(lab);
        }
        fclose(fp);
    }
}

/* ------------------------------------------------------------------ */
/* Part 2: hand-made documents                                         */
/* ------------------------------------------------------------------ */

/*
 * The documents below are written with ' for " (q() swaps them back) so
 * they stay readable.  ENT() is a jCard entity: handle, roles (a JSON
 * array), e-mail properties made with EMAIL().  The addresses use
 * made-up sqtest-* domains: example.* are placeholders and never kept.
 */
#define ENT(handle, roles, emails)                                             \
    "{'objectClassName':'entity','handle':'" handle "','roles':" roles         \
    ",'vcardArray':['vcard',[['version',{},'text','4.0'],"                     \
    "['fn',{},'text','" handle "']" emails "]]}"
#define EMAIL(addr) ",['email',{},'text','" addr "']"

static char qbuf[8192];

static const char *
q(const char *s)
{
    size_t n = strlen(s);

    if (n >= sizeof(qbuf)) {
        fprintf(stderr, "test document too long\n");
        exit(1);
    }
    for (size_t i = 0; i <= n; i++)
        qbuf[i] = s[i] == '\'' ? '"' : s[i];
    return qbuf;
}

static sq_whois_answer *
parse_q(const char *doc, const char *query, const char *url, sq_status *st)
{
    const char *json = q(doc);

    return parse_doc(json, strlen(json), query, url, st, NULL);
}

/* clang-format off */
static const char doc_roles[] =
    "{'objectClassName':'ip network','startAddress':'192.0.2.0',"
    "'endAddress':'192.0.2.255','port43':'whois.arin.net','entities':["
    ENT("T-1", "['technical']", EMAIL("tech@sqtest-isp.net")) ","
    ENT("AT-1", "['administrative','abuse','technical']",
        EMAIL("both@sqtest-isp.net")) ","
    ENT("N-1", "['noc']", EMAIL("noc@sqtest-isp.net") EMAIL("noc@sqtest-isp.net")) ","
    ENT("R-1", "['registrant']", EMAIL("owner@sqtest-isp.net")) "]}";

static const char doc_ripe[] =
    "{'objectClassName':'ip network','startAddress':'192.0.2.0/32',"
    "'endAddress':'192.0.2.255/32','entities':[{'handle':'AR1-RIPE',"
    "'roles':['abuse'],'vcardArray':['vcard',["
    "['email',{'type':'email'},'text','role@sqtest-isp.net'],"
    "['email',{'type':['work','abuse']},'text','abuse@sqtest-isp.net']]]}]}";

static const char doc_lacnic_handle[] =
    "{'objectClassName':'ip network','handle':'2801:10:c000::/48',"
    "'startAddress':'2801:10:c000:0:0:0:0:0',"
    "'endAddress':'2801:10:c000:0:0:0:0:0','port43':'whois.lacnic.net'}";
static const char doc_lacnic_cidr0[] =
    "{'objectClassName':'ip network','handle':'200.57.141.161',"
    "'startAddress':'200.57.141.161','endAddress':'200.57.141.161',"
    "'cidr0_cidrs':[{'v4prefix':'200.57.128.0','length':19}]}";
static const char doc_lacnic_bare[] =
    "{'objectClassName':'ip network','handle':'200.57.141.161',"
    "'startAddress':'200.57.141.161','endAddress':'200.57.141.161'}";

static const char doc_cidr0[] =
    "{'objectClassName':'ip network','startAddress':'2001:db8::',"
    "'endAddress':'2001:db8:3:ffff:ffff:ffff:ffff:ffff','cidr0_cidrs':["
    "{'v6prefix':'2001:db8::','length':31},"
    "{'v6prefix':'2001:DB8:2::','length':47},"
    "{'v4prefix':'10.0.0.0','length':8},{'length':'x'}]}";

static const char doc_remarks[] =
    "{'objectClassName':'ip network','startAddress':'196.0.0.0',"
    "'endAddress':'196.0.0.255','port43':'whois.afrinic.net',"
    "'remarks':[{'description':['info: sales@sqtest-afr.net',"
    "'Spam reports: <noc-desk@sqtest-afr.net>.','x@y']}],'entities':["
    "{'handle':'G-1','vcardArray':['vcard',[['kind',{},'text','group']"
    EMAIL("maint@sqtest-afr.net") "]]},"
    "{'handle':'P-1','vcardArray':['vcard',[['kind',{},'text','individual']"
    EMAIL("person@sqtest-afr.net") "]]}]}";

static const char doc_redacted[] =
    "{'objectClassName':'ip network','startAddress':'192.0.2.0',"
    "'endAddress':'192.0.2.255','entities':["
    ENT("A-1", "['abuse']", EMAIL("REDACTED FOR PRIVACY")
        EMAIL("redacted@redacted.invalid") EMAIL("abuse@sqtest-isp.net")) ","
    ENT("J-1", "['abuse']", EMAIL("hostmaster@nic.ad.jp")) "]}";

static const char doc_twnic[] =
    "{'objectClassName':'ip network','startAddress':'203.66.0.0',"
    "'endAddress':'203.66.255.255','port43':'whois.apnic.net',"
    "'name':'HINET-NET','entities':["
    ENT("IRT-TWNIC-AP", "['abuse']", EMAIL("hostmaster@twnic.net.tw")) ","
    ENT("TWNIC-AP", "['technical']", EMAIL("hostmaster@twnic.net.tw")
        EMAIL("ops@sqtest-hinet.tw")) "]}";
static const char doc_jp_operator[] =
    "{'objectClassName':'ip network','startAddress':'203.66.0.0',"
    "'endAddress':'203.66.255.255','port43':'whois.apnic.net',"
    "'remarks':[{'description':['see whois.nic.ad.jp']}],'entities':["
    ENT("IRT-OP-JP", "['abuse']", EMAIL("abuse@sqtest-op.jp")) "]}";

static const char doc_domain[] =
    "{'objectClassName':'domain','ldhName':'EXAMPLE.COM',"
    "'redacted':[{'name':{'type':'Registrant Email'}}],'entities':["
    "{'objectClassName':'entity','roles':['registrar'],'handle':'292',"
    "'vcardArray':['vcard',[['fn',{},'text','Example Registrar, Inc.']]],"
    "'entities':[" ENT("", "['abuse']", EMAIL("abuse@sqtest-registrar.com"))
    "]}]}";
static const char doc_autnum[] =
    "{'objectClassName':'autnum','handle':'AS64500','name':'EXAMPLE-AS',"
    "'country':'NL','port43':'whois.ripe.net','entities':["
    ENT("AB-1", "['abuse']", EMAIL("abuse@sqtest-as.net")) "]}";

static const char doc_padding[] =
    "{'startAddress':'074.125.000.000','endAddress':'074.125.255.255',"
    "'events':[{'eventAction':'last changed',"
    "'eventDate':'2012-02-24T09:44:34-05:00'},{'eventAction':'registration',"
    "'eventDate':'2007-03-13T12:09:54-04:00'}],"
    "'links':[{'href':'https://rdap.arin.net/registry/ip/74.125.0.0'}]}";
static const char doc_stub[] =
    "{'objectClassName':'ip network','name':'NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK',"
    "'startAddress':'0.0.0.0','endAddress':'255.255.255.255',"
    "'port43':'whois.ripe.net'}";
static const char doc_wide6[] =
    "{'objectClassName':'ip network','name':'AFRINIC-BLOCK',"
    "'startAddress':'2c00::','endAddress':'2dff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'}";
/* clang-format on */

static void
test_roles(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_roles, "192.0.2.1", "", &st);
    const sq_contact *c;

    SQ_CHECK(st == SQ_OK, "roles: status %d", st);
    c = find_contact(a, "both@sqtest-isp.net");
    SQ_CHECK(c && c->role == SQ_ROLE_ABUSE && !c->fallback &&
                 c->confidence == SQ_CONF_HIGH &&
                 strcmp(c->handle, "AT-1") == 0,
             "roles: abuse wins over administrative/technical");
    SQ_CHECK(a->ncontacts == 4 && a->contacts[0].role == SQ_ROLE_ABUSE,
             "roles: 4 contacts (noc deduplicated), abuse first (%zu)",
             a->ncontacts);
    c = find_contact(a, "tech@sqtest-isp.net");
    SQ_CHECK(c && c->role == SQ_ROLE_TECH && c->fallback, "roles: technical");
    c = find_contact(a, "noc@sqtest-isp.net");
    SQ_CHECK(c && c->role == SQ_ROLE_NOC && c->fallback, "roles: noc");
    c = find_contact(a, "owner@sqtest-isp.net");
    SQ_CHECK(c && c->role == SQ_ROLE_REGISTRANT && c->fallback,
             "roles: registrant");
    SQ_CHECK_STR(a->net.registry, "arin", "roles: registry from port43");
    SQ_CHECK_STR(a->net.org, "R-1", "roles: org is the registrant's fn");
    sq_whois_answer_free(a);
}

static void
test_ripe_typed_abuse(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_ripe, "192.0.2.9",
                                 "https://rdap.db.ripe.net/ip/192.0.2.9", &st);
    const sq_contact *c = find_contact(a, "abuse@sqtest-isp.net");

    SQ_CHECK(c && c->role == SQ_ROLE_ABUSE && c->confidence == SQ_CONF_HIGH,
             "ripe: the abuse-typed address is the abuse contact");
    c = find_contact(a, "role@sqtest-isp.net");
    SQ_CHECK(c && c->role != SQ_ROLE_ABUSE && c->fallback,
             "ripe: the role's other e-mail is only a fallback");
    SQ_CHECK_STR(a->net.registry, "ripencc", "ripe: registry from the URL");
    SQ_CHECK_STR(a->net.range, "192.0.2.0 - 192.0.2.255", "ripe: /32 suffix");
    sq_whois_answer_free(a);
}

static void
test_lacnic_single(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_lacnic_handle, "2801:10:c000::1", "", &st);

    SQ_CHECK(a->net.ncidrs == 1 &&
                 strcmp(a->net.cidrs[0], "2801:10:c000::/48") == 0,
             "lacnic: prefix from the handle (%s)", a->net.range);
    SQ_CHECK_STR(a->net.registry, "lacnic", "lacnic: registry");
    sq_whois_answer_free(a);
    a = parse_q(doc_lacnic_cidr0, NULL, "", &st);
    SQ_CHECK(a->net.ncidrs == 1 &&
                 strcmp(a->net.cidrs[0], "200.57.128.0/19") == 0,
             "lacnic: prefix from cidr0 (%s)", a->net.range);
    sq_whois_answer_free(a);
    a = parse_q(doc_lacnic_bare, "200.57.141.161", "", &st);
    SQ_CHECK_STR(a->net.range, "200.57.141.161 - 200.57.141.161",
                 "lacnic: single address kept");
    SQ_CHECK(has_warning(a, "real prefix is unknown"), "lacnic: warned");
    sq_whois_answer_free(a);
}

static void
test_cidr0(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_cidr0, "2001:db8:3::1", "", &st);

    SQ_CHECK(a->net.ncidrs == 1 &&
                 strcmp(a->net.cidrs[0], "2001:db8:2::/47") == 0,
             "cidr0: the prefix holding the query (%s)",
             a->net.ncidrs ? a->net.cidrs[0] : "none");
    sq_whois_answer_free(a);
    a = parse_q(doc_cidr0, NULL, "", &st);
    SQ_CHECK_STR(a->net.range,
                 "2001:db8:: - 2001:db8:3:ffff:ffff:ffff:ffff:ffff",
                 "cidr0: no query, start/end kept");
    sq_whois_answer_free(a);
}

static void
test_remarks_and_roleless(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_remarks, "196.0.0.1", "", &st);
    const sq_contact *c = find_contact(a, "noc-desk@sqtest-afr.net");

    SQ_CHECK(c && c->role == SQ_ROLE_ABUSE && c->fallback &&
                 c->confidence == SQ_CONF_MEDIUM,
             "remarks: the spam line's address is a medium fallback");
    SQ_CHECK(find_contact(a, "sales@sqtest-afr.net") == NULL,
             "remarks: not any address in the document");
    c = find_contact(a, "maint@sqtest-afr.net");
    SQ_CHECK(c && c->role == SQ_ROLE_TECH && c->fallback &&
                 c->confidence == SQ_CONF_LOW,
             "role-less group: tech, low");
    c = find_contact(a, "person@sqtest-afr.net");
    SQ_CHECK(c && c->role == SQ_ROLE_ADMIN && c->fallback &&
                 c->confidence == SQ_CONF_LOW,
             "role-less person: admin, low");
    SQ_CHECK(count_abuse(a) == 1, "remarks: one abuse address");
    SQ_CHECK(has_warning(a, "remarks"), "remarks: warned");
    SQ_CHECK_STR(a->net.registry, "afrinic", "remarks: registry");
    sq_whois_answer_free(a);
}

static void
test_redacted_and_placeholder(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_redacted, NULL, "", &st);

    SQ_CHECK(a->ncontacts == 1 &&
                 same_email(a->contacts[0].email, "abuse@sqtest-isp.net"),
             "redacted: only the real address (%zu contacts)", a->ncontacts);
    SQ_CHECK(has_warning(a, "redacted"), "redacted: warned");
    SQ_CHECK(find_contact(a, "hostmaster@nic.ad.jp") == NULL,
             "placeholder list in effect (hostmaster@nic.ad.jp)");
    sq_whois_answer_free(a);
}

static void
test_nir(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_twnic, NULL, "", &st);
    const sq_contact *c = find_contact(a, "hostmaster@twnic.net.tw");

    SQ_CHECK_STR(a->referral, "whois.twnic.net", "nir: referral to TWNIC");
    SQ_CHECK_STR(a->net.registry, "twnic", "nir: registry");
    SQ_CHECK(c && c->confidence == SQ_CONF_MEDIUM,
             "nir: the NIR's IRT only at medium");
    c = find_contact(a, "ops@sqtest-hinet.tw");
    SQ_CHECK(c && c->role == SQ_ROLE_TECH && c->fallback,
             "nir: the operator's technical address kept");
    SQ_CHECK(has_warning(a, "whois.twnic.net"), "nir: warned");
    sq_whois_answer_free(a);
    a = parse_q(doc_jp_operator, NULL, "", &st);
    SQ_CHECK_STR(a->referral, "", "nir: operator abuse entity, no referral");
    SQ_CHECK_STR(a->net.registry, "jpnic", "nir: registry jpnic");
    sq_whois_answer_free(a);
}

static void
test_domain_and_autnum(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_domain, "example.com", "", &st);
    const sq_contact *c = find_contact(a, "abuse@sqtest-registrar.com");

    SQ_CHECK_STR(a->registrar, "Example Registrar, Inc.", "domain: registrar");
    SQ_CHECK(c && c->role == SQ_ROLE_ABUSE &&
                 strcmp(c->handle, "registrar") == 0,
             "domain: registrar abuse contact, handle registrar");
    SQ_CHECK(!a->has_network, "domain: no network");
    SQ_CHECK(has_warning(a, "redacted"), "domain: redaction noted");
    sq_whois_answer_free(a);
    a = parse_q(doc_autnum, "AS64500", "", &st);
    SQ_CHECK(a->has_origin && a->origin.asn == 64500, "autnum: from handle");
    SQ_CHECK_STR(a->origin.name, "EXAMPLE-AS", "autnum: name");
    SQ_CHECK_STR(a->origin.country, "NL", "autnum: country");
    SQ_CHECK_STR(a->origin.registry, "ripencc", "autnum: registry");
    SQ_CHECK(find_contact(a, "abuse@sqtest-as.net") != NULL, "autnum: abuse");
    sq_whois_answer_free(a);
}

static void
test_events_and_padding(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_padding, NULL, NULL, &st);

    SQ_CHECK(st == SQ_OK, "padding: status");
    SQ_CHECK_STR(a->net.range, "74.125.0.0 - 74.125.255.255",
                 "padding: zero-padded ARIN addresses");
    SQ_CHECK_STR(a->net.allocated, "2007-03-13", "events: registration");
    SQ_CHECK_STR(a->net.registry, "arin", "registry from the links");
    sq_whois_answer_free(a);
}

static void
test_stub(void)
{
    sq_status st;
    sq_whois_answer *a = parse_q(doc_stub, "192.0.2.1", "", &st);

    SQ_CHECK(st == SQ_OK && !a->has_range && a->net.ncidrs == 0,
             "stub: the whole address space is not the network");
    SQ_CHECK(has_warning(a, "stub"), "stub: warned");
    SQ_CHECK_STR(a->net.name, "NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK",
                 "stub: name kept");
    sq_whois_answer_free(a);
    a = parse_q(doc_wide6, NULL, "", &st);
    SQ_CHECK(!a->has_range, "stub: wider than an IPv6 /12");
    sq_whois_answer_free(a);
}

/* Bad input: every one a status or a bounded answer, never a crash. */
static void
test_bad_input(void)
{
    static const struct {
        const char *name, *doc;
        sq_status want;
    } cases[] = {
        {"truncated", "{\"objectClassName\":\"ip net", SQ_EPARSE},
        {"not an object", "[1,2,3]", SQ_EPARSE},
        {"empty", "", SQ_EPARSE},
        {"trailing garbage", "{} x", SQ_EPARSE},
        {"escaped NUL", "{\"name\":\"a\\u0000b\"}", SQ_EPARSE},
        {"error document", "{\"errorCode\":404,\"title\":\"Not Found\"}",
         SQ_ENOTFOUND},
        {"wrong types",
         "{\"objectClassName\":\"ip network\",\"entities\":7,"
         "\"startAddress\":[],\"cidr0_cidrs\":{},\"roles\":1}",
         SQ_OK},
        {"bad vcard",
         "{\"entities\":[{\"roles\":[\"abuse\"],\"vcardArray\":"
         "[\"vcard\",[[\"email\"],[1,2,3,4],\"x\",[\"email\",{},"
         "\"text\",5]]]}]}",
         SQ_OK},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sq_diag *d = sq_diag_new();
        sq_status st;
        sq_whois_answer *a =
            parse_doc(cases[i].doc, strlen(cases[i].doc), NULL, NULL, &st, d);

        SQ_CHECK(st == cases[i].want, "bad input %s: status %s", cases[i].name,
                 sq_strerror(st));
        if (st != SQ_OK)
            SQ_CHECK(sq_diag_count(d) == 1 &&
                         strchr(sq_diag_message(d, 0), '\n') == NULL,
                     "bad input %s: one one-line message", cases[i].name);
        SQ_CHECK(a->ncontacts == 0, "bad input %s: no contacts", cases[i].name);
        sq_whois_answer_free(a);
        sq_diag_free(d);
    }
    {
        const char raw[] = "{\"name\":\"a\0b\"}";
        sq_status st;
        sq_whois_answer *a =
            parse_doc(raw, sizeof(raw) - 1, NULL, NULL, &st, NULL);

        SQ_CHECK(st == SQ_EPARSE, "raw NUL: EPARSE");
        sq_whois_answer_free(a);
    }
}

/* A growing text buffer for the generated hostile documents. */
typedef struct tbuf {
    char *p;
    size_t n, cap;
} tbuf;

static void
tb_add(tbuf *b, const char *s)
{
    size_t k = strlen(s);

    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            exit(1);
    }
    memcpy(b->p + b->n, s, k + 1);
    b->n += k;
}

static void
test_many_entities(tbuf *bp)
{
    tbuf b = *bp;
    char item[160];
    sq_status st;
    sq_whois_answer *a;

    /* 10^5 entities (the first 100 with an abuse address): bounded by
     * the entity and contact limits. */
    tb_add(&b, "{\"objectClassName\":\"ip network\",\"entities\":[");
    for (int i = 0; i < 100000; i++) {
        if (i < 100)
            snprintf(item, sizeof(item),
                     "%s{\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",[["
                     "\"email\",{},\"text\",\"a%d@sqtest-many.net\"]]]}",
                     i ? "," : "", i);
        else
            snprintf(item, sizeof(item), ",{\"roles\":[\"abuse\"]}");
        tb_add(&b, item);
    }
    tb_add(&b, "]}");
    a = parse_doc(b.p, b.n, NULL, NULL, &st, NULL);
    SQ_CHECK(st == SQ_OK && a->ncontacts == WA_MAX_CONTACTS,
             "many entities: %zu contacts (%s)", a->ncontacts, sq_strerror(st));
    SQ_CHECK(has_warning(a, "entities") && has_warning(a, "contacts"),
             "many entities: warned");
    sq_whois_answer_free(a);
    *bp = b;
}

static void
test_deep_entities(tbuf *bp)
{
    tbuf b = *bp;
    char item[160];
    sq_status st;
    sq_whois_answer *a;

    /* Entities nested 200 deep: cut at WA_MAX_DEPTH. */
    b.n = 0;
    tb_add(&b, "{\"objectClassName\":\"ip network\",\"entities\":[");
    for (int i = 0; i < 200; i++) {
        snprintf(item, sizeof(item),
                 "{\"roles\":[\"abuse\"],\"vcardArray\":[\"vcard\",[[\"email\","
                 "{},\"text\",\"d%d@sqtest-deep.net\"]]],\"entities\":[",
                 i);
        tb_add(&b, item);
    }
    for (int i = 0; i < 200; i++)
        tb_add(&b, "]}");
    tb_add(&b, "]}");
    a = parse_doc(b.p, b.n, NULL, NULL, &st, NULL);
    SQ_CHECK(st == SQ_OK && a->ncontacts == WA_MAX_DEPTH,
             "deep entities: %zu contacts", a->ncontacts);
    SQ_CHECK(has_warning(a, "deeper"), "deep entities: warned");
    sq_whois_answer_free(a);
    *bp = b;
}

static void
test_huge(tbuf *bp)
{
    tbuf b = *bp;
    sq_status st;
    sq_whois_answer *a;

    /* A huge name is cut; a document over the limit is refused. */
    b.n = 0;
    tb_add(&b, "{\"objectClassName\":\"ip network\",\"name\":\"");
    for (int i = 0; i < 20000; i++)
        tb_add(&b, "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN");
    tb_add(&b, "\"}");
    a = parse_doc(b.p, b.n, NULL, NULL, &st, NULL);
    SQ_CHECK(st == SQ_OK && strlen(a->net.name) <= 512,
             "huge name: %zu bytes kept", strlen(a->net.name));
    sq_whois_answer_free(a);
    while (b.n < (5u << 20))
        tb_add(&b, "                                                  ");
    a = parse_doc(b.p, b.n, NULL, NULL, &st, NULL);
    SQ_CHECK(st == SQ_ELIMIT_RESPONSE, "over 4 MiB: refused (%d)", st);
    sq_whois_answer_free(a);

    /* JSON nested deeper than jansson's own limit. */
    b.n = 0;
    for (int i = 0; i < 5000; i++)
        tb_add(&b, "[");
    a = parse_doc(b.p, b.n, NULL, NULL, &st, NULL);
    SQ_CHECK(st == SQ_EPARSE, "deep arrays: EPARSE");
    sq_whois_answer_free(a);
    *bp = b;
}

static void
test_hostile(void)
{
    tbuf b = {0};

    test_many_entities(&b);
    test_deep_entities(&b);
    test_huge(&b);
    free(b.p);
}

/* ------------------------------------------------------------------ */
/* Part 3: the IANA bootstrap                                          */
/* ------------------------------------------------------------------ */

static const char *
boot_ip(const rdap_bootstrap *b, const char *ip)
{
    sq_ipaddr a;

    if (!sq_ipaddr_parse(ip, strlen(ip), &a))
        return "unparseable";
    return rdap_bootstrap_ip(b, &a);
}

#define CHECK_URL(got, want, what)                                             \
    do {                                                                       \
        const char *g2_ = (got), *w2_ = (want);                                \
        if (w2_ == NULL)                                                       \
            SQ_CHECK(g2_ == NULL, "%s: got %s, want none", what, g2_);         \
        else                                                                   \
            SQ_CHECK_STR(g2_, w2_, "%s", what);                                \
    } while (0)

static void
test_bootstrap_corpus(void)
{
    static const struct {
        const char *ip, *url;
    } ips[] = {
        {"8.8.8.8", "https://rdap.arin.net/registry/"},
        {"193.0.6.139", "https://rdap.db.ripe.net/"},
        {"1.1.1.1", "https://rdap.apnic.net/"},
        {"196.11.240.215", "https://rdap.afrinic.net/rdap/"},
        {"200.57.141.161", "https://rdap.lacnic.net/rdap/"},
        {"2001:4860:4860::8888", "https://rdap.arin.net/registry/"},
        {"2a00:2381:ffff::1", "https://rdap.db.ripe.net/"},
        {"2001:db8::1", NULL},
        {"10.0.0.1", NULL},
    };
    char path[1024], dir[1024];
    rdap_bootstrap *b = NULL;
    sq_diag *d = sq_diag_new();
    sq_status st;

    if (sqtest_corpus("whois/whoisit/iana_rdap_bootstrap/ipv4.json", path,
                      sizeof(path)) == NULL) {
        printf("rdap: bootstrap corpus absent, corpus part skipped\n");
        sq_diag_free(d);
        return;
    }
    snprintf(dir, sizeof(dir), "%s/whois/whoisit/iana_rdap_bootstrap",
             SQ_CORPORA_DIR);
    st = rdap_bootstrap_load(&b, dir, d);
    SQ_CHECK(st == SQ_OK && b != NULL, "bootstrap corpus: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : sq_strerror(st));
    for (size_t i = 0; b && i < sizeof(ips) / sizeof(ips[0]); i++)
        CHECK_URL(boot_ip(b, ips[i].ip), ips[i].url, ips[i].ip);
    CHECK_URL(rdap_bootstrap_asn(b, 13335), "https://rdap.arin.net/registry/",
              "AS13335");
    CHECK_URL(rdap_bootstrap_asn(b, 3333), "https://rdap.db.ripe.net/",
              "AS3333");
    CHECK_URL(rdap_bootstrap_asn(b, 2043), "https://rdap.db.ripe.net/",
              "AS2043 (single-number entry)");
    CHECK_URL(rdap_bootstrap_asn(b, 4200000000UL), NULL, "AS4200000000");
    CHECK_URL(rdap_bootstrap_domain(b, "example.com"), NULL,
              "no dns.json: no domain");
    rdap_bootstrap_free(b);
    sq_diag_free(d);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "w");
    if (fp == NULL) {
        perror(path);
        exit(1);
    }
    fputs(text, fp);
    fclose(fp);
}

static void
remove_files(const char *dir)
{
    static const char *const names[] = {"ipv4.json", "ipv6.json", "asn.json",
                                        "dns.json"};
    char path[1024];

    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
}

static void
test_bootstrap_dns_asn(const char *dir, sq_diag *d)
{
    rdap_bootstrap *b = NULL;
    sq_status st;

    write_file(dir, "dns.json",
               "{\"services\":[[[\"com\",\"net\"],[\"http://rdap.com.example/"
               "v1\",\"https://rdap.com.example/v1\"]],"
               "[[\"CO.UK\"],[\"http://rdap.couk.example/\"]],"
               "[[\"uk\"],[\"https://rdap.uk.example/\"]],"
               "[[\"org\"],[\"ftp://only.example/\"]]]}");
    write_file(dir, "asn.json",
               "{\"services\":[[[\"64496-64511\",\"64512\"],[\"https://"
               "as.example/\"]],[[\"1-4294967295\"],[\"https://all.example/"
               "\"]]]}");
    st = rdap_bootstrap_load(&b, dir, d);
    SQ_CHECK(st == SQ_OK, "bootstrap files: %s", sq_strerror(st));
    CHECK_URL(rdap_bootstrap_domain(b, "www.Example.COM."),
              "https://rdap.com.example/v1/",
              "dns: https preferred, '/' added");
    CHECK_URL(rdap_bootstrap_domain(b, "a.b.co.uk"),
              "http://rdap.couk.example/",
              "dns: longest suffix, http when only http");
    CHECK_URL(rdap_bootstrap_domain(b, "bbc.uk"), "https://rdap.uk.example/",
              "dns: shorter suffix");
    CHECK_URL(rdap_bootstrap_domain(b, "xco.uk"), "https://rdap.uk.example/",
              "dns: suffix only at a dot");
    CHECK_URL(rdap_bootstrap_domain(b, "foo.org"), NULL, "dns: no http(s) URL");
    CHECK_URL(rdap_bootstrap_domain(b, "a..com"), NULL, "dns: bad name");
    CHECK_URL(rdap_bootstrap_asn(b, 64500), "https://as.example/",
              "asn: narrowest range");
    CHECK_URL(rdap_bootstrap_asn(b, 64512), "https://as.example/",
              "asn: single");
    CHECK_URL(rdap_bootstrap_asn(b, 70000), "https://all.example/",
              "asn: wide range");
    CHECK_URL(boot_ip(b, "8.8.8.8"), NULL, "no ipv4.json: no address");
    rdap_bootstrap_free(b);
}

static void
test_bootstrap_ip_files(const char *dir, sq_diag *d)
{
    rdap_bootstrap *b = NULL, *keep = (rdap_bootstrap *)&b;
    sq_status st;

    b = keep;
    write_file(dir, "ipv4.json",
               "{\"services\":[[[\"10.0.0.0/33\"],[\"https://x/\"]]]}");
    st = rdap_bootstrap_load(&b, dir, d);
    SQ_CHECK(st == SQ_EPARSE && b == keep, "bootstrap: bad prefix is EPARSE");
    write_file(dir, "ipv4.json", "{\"services\":[[[\"11.0.0.0/8\"]");
    SQ_CHECK(rdap_bootstrap_load(&b, dir, d) == SQ_EPARSE && b == keep,
             "bootstrap: truncated JSON is EPARSE");
    write_file(dir, "ipv4.json",
               "{\"services\":[[[\"11.0.0.0/8\",\"10.0.0.0/8\"],[\"https://"
               "eleven/\"]],[[\"11.1.0.0/16\"],[\"https://eleven-one/\"]]]}");
    write_file(dir, "ipv6.json",
               "{\"services\":[[[\"2001:4860::/32\",\"2001:db8::/32\"],"
               "[\"https://six/\"]]]}");
    b = NULL;
    st = rdap_bootstrap_load(&b, dir, d);
    SQ_CHECK(st == SQ_OK, "bootstrap: all four files");
    CHECK_URL(boot_ip(b, "11.1.2.3"), "https://eleven-one/", "ip: longest");
    CHECK_URL(boot_ip(b, "11.2.2.3"), "https://eleven/", "ip: shorter");
    CHECK_URL(boot_ip(b, "2001:4860::1"), "https://six/", "ipv6");
    CHECK_URL(boot_ip(b, "::ffff:11.1.0.1"), "https://eleven-one/",
              "v4-mapped address uses ipv4.json");
    CHECK_URL(boot_ip(b, "10.1.1.1"), NULL, "private space: no server");
    CHECK_URL(boot_ip(b, "2001:db8::1"), NULL, "documentation: no server");
    rdap_bootstrap_free(b);
}

static void
test_bootstrap_files(void)
{
    char dir[] = "/tmp/rdap_test_XXXXXX";
    rdap_bootstrap *b = NULL;
    sq_diag *d = sq_diag_new();

    SQ_CHECK(rdap_bootstrap_load(&b, NULL, d) == SQ_ENOTFOUND,
             "bootstrap: NULL dir is ENOTFOUND");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    SQ_CHECK(rdap_bootstrap_load(&b, dir, d) == SQ_ENOTFOUND && b == NULL,
             "bootstrap: empty dir is ENOTFOUND");
    test_bootstrap_dns_asn(dir, d);
    test_bootstrap_ip_files(dir, d);
    remove_files(dir);
    rmdir(dir);
    sq_diag_free(d);
}

static void
test_bootstrap_buffer(void)
{
    rdap_bootstrap *b = NULL;
    static const char good[] =
        "{\"services\":[[[\"93.184.0.0/16\"],[\"https://good/\"]]]}";
    static const char bad[] =
        "{\"services\":[[[\"94.0.0.0/8\",\"2001:4860::/32\"],"
        "[\"https://bad/\"]]]}";
    sq_ipaddr ip;

    SQ_CHECK(rdap_bootstrap_new(&b) == SQ_OK, "bootstrap_new");
    SQ_CHECK(rdap_bootstrap_add(b, RDAP_BOOT_IPV4, good, sizeof(good) - 1,
                                "good", NULL) == SQ_OK,
             "add good buffer");
    SQ_CHECK(rdap_bootstrap_add(b, RDAP_BOOT_IPV4, bad, sizeof(bad) - 1, "bad",
                                NULL) == SQ_EPARSE,
             "IPv6 prefix in ipv4.json is EPARSE");
    sq_ipaddr_parse("94.1.2.3", 8, &ip);
    SQ_CHECK(rdap_bootstrap_ip(b, &ip) == NULL,
             "a failed file leaves nothing behind");
    sq_ipaddr_parse("93.184.1.1", 10, &ip);
    CHECK_URL(rdap_bootstrap_ip(b, &ip), "https://good/", "earlier file kept");
    rdap_bootstrap_free(b);
    rdap_bootstrap_free(NULL);
}

int
main(void)
{
    int ok = 0, total = 0;

    labelled(&ok, &total);
    if (total == 0)
        printf("rdap: shared corpora absent, labelled part skipped\n");
    else
        printf("rdap: %d/%d labelled documents\n", ok, total);
    test_roles();
    test_ripe_typed_abuse();
    test_lacnic_single();
    test_cidr0();
    test_remarks_and_roleless();
    test_redacted_and_placeholder();
    test_nir();
    test_domain_and_autnum();
    test_events_and_padding();
    test_stub();
    test_bad_input();
    test_hostile();
    test_bootstrap_corpus();
    test_bootstrap_files();
    test_bootstrap_buffer();
    return sqtest_finish("rdap_test");
}

/*
 * ip.c - IP addresses in binary form: parsing, RFC 5952 formatting,
 * classification (loopback / private / reserved) and prefix matching.
 *
 * Ownership: no allocation; every function works on caller storage.
 * Limits: input longer than SQ_IP_TEXT_MAX is rejected before parsing.
 *
 * Accepted text:
 *   IPv4  exactly four decimal parts 0..255 of 1..3 digits.  Leading
 *         zeros are read as DECIMAL ("010" is 10), as SpamAssassin's
 *         netset code does, never as octal (inet_aton would).  No sign,
 *         no spaces, no shorter forms ("1.2.3" is not an address here;
 *         the netset syntax handles abbreviations itself).
 *   IPv6  RFC 4291 section 2.2: eight 1..4-digit hex groups, one "::",
 *         an optional dotted IPv4 tail in place of the last two groups;
 *         an optional case-insensitive "IPv6:" prefix (RFC 5321 address
 *         literals in Received headers).  Zone ids ("%eth0") are
 *         rejected: a zone is meaningless outside the receiving host.
 *   Any address inside ::ffff:0:0/96 is IPv4-mapped and gets v4 = 1.
 */
#include "core_int.h"

#include <stdio.h>
#include <string.h>

enum {
    SQ_IP_TEXT_MAX = 64, /* longer text cannot be an address */
    SQ_IP_V6_GROUPS = 8,
};

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};

/*
 * The classification table.  Rows are matched independently and their
 * bits OR'ed together.  fam 4 rows apply to IPv4 (and v4-mapped)
 * addresses, comparing the 32-bit address; fam 6 rows apply to native
 * IPv6 only.
 */
typedef struct ip_class_row {
    uint8_t fam;
    uint8_t prefix;
    uint8_t net[16];
    unsigned bits;
} ip_class_row;

static const ip_class_row class_table[] = {
    /* 127.0.0.0/8 loopback (RFC 1122) */
    {4, 8, {127}, SQ_IP_LOOPBACK},
    /* ::1/128 loopback (RFC 4291) */
    {6, 128, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, SQ_IP_LOOPBACK},
    /* 10.0.0.0/8 private use (RFC 1918) */
    {4, 8, {10}, SQ_IP_PRIVATE},
    /* 172.16.0.0/12 private use (RFC 1918) */
    {4, 12, {172, 16}, SQ_IP_PRIVATE},
    /* 192.168.0.0/16 private use (RFC 1918) */
    {4, 16, {192, 168}, SQ_IP_PRIVATE},
    /* 169.254.0.0/16 link local (RFC 3927) */
    {4, 16, {169, 254}, SQ_IP_PRIVATE},
    /* 100.64.0.0/10 shared address space, carrier-grade NAT (RFC 6598) */
    {4, 10, {100, 64}, SQ_IP_PRIVATE},
    /* fc00::/7 unique local addresses (RFC 4193) */
    {6, 7, {0xfc}, SQ_IP_PRIVATE},
    /* fe80::/10 link-local unicast (RFC 4291) */
    {6, 10, {0xfe, 0x80}, SQ_IP_PRIVATE},
    /* 0.0.0.0/8 "this network" (RFC 791, RFC 1122) */
    {4, 8, {0}, SQ_IP_RESERVED},
    /* 192.0.2.0/24 documentation TEST-NET-1 (RFC 5737) */
    {4, 24, {192, 0, 2}, SQ_IP_RESERVED},
    /* 198.51.100.0/24 documentation TEST-NET-2 (RFC 5737) */
    {4, 24, {198, 51, 100}, SQ_IP_RESERVED},
    /* 203.0.113.0/24 documentation TEST-NET-3 (RFC 5737) */
    {4, 24, {203, 0, 113}, SQ_IP_RESERVED},
    /* 224.0.0.0/4 multicast (RFC 5771) */
    {4, 4, {224}, SQ_IP_RESERVED},
    /* 240.0.0.0/4 reserved for future use (RFC 1112) */
    {4, 4, {240}, SQ_IP_RESERVED},
    /* 255.255.255.255/32 limited broadcast (RFC 919) */
    {4, 32, {255, 255, 255, 255}, SQ_IP_RESERVED},
    /* ::/128 unspecified address (RFC 4291) */
    {6, 128, {0}, SQ_IP_RESERVED},
    /* 2001:db8::/32 documentation (RFC 3849) */
    {6, 32, {0x20, 0x01, 0x0d, 0xb8}, SQ_IP_RESERVED},
    /* ff00::/8 multicast (RFC 4291) */
    {6, 8, {0xff}, SQ_IP_RESERVED},
};

/* 1 when the first prefix bits of a and b are equal. */
static int
prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;

    if (full > 0 && memcmp(a, b, full) != 0)
        return 0;
    if (rest != 0) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rest));
        if ((a[full] & mask) != (b[full] & mask))
            return 0;
    }
    return 1;
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int
sq_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Strict dotted quad into out[0..3]. */
static int
parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;

        if (part > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
        while (i < len && is_digit(s[i]) && digits < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return 0;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

/* One 1..4 digit hex group at s[*i]; advances *i. */
static int
parse_group(const char *s, size_t len, size_t *i, unsigned *out)
{
    unsigned v = 0, digits = 0;
    int h;

    while (*i < len && (h = sq_hex_value(s[*i])) >= 0) {
        if (++digits > 4)
            return 0;
        v = (v << 4) | (unsigned)h;
        (*i)++;
    }
    *out = v;
    return digits > 0;
}

/* 1 when s[i..] is an IPv4 tail: digits up to a '.' before any ':'. */
static int
looks_like_v4_tail(const char *s, size_t len, size_t i)
{
    while (i < len && is_digit(s[i]))
        i++;
    return i < len && s[i] == '.';
}

/*
 * Parse groups of IPv6 text into words[]; *gap is the word index of
 * "::" or -1.  Returns the number of 16-bit words filled, or -1.
 */
static int
parse_v6_words(const char *s, size_t len, uint16_t words[8], int *gap)
{
    size_t i = 0;
    int n = 0;

    *gap = -1;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        *gap = 0;
        i = 2;
        if (i == len)
            return 0;
    }
    while (i < len) {
        unsigned v;

        if (n >= SQ_IP_V6_GROUPS)
            return -1;
        if (looks_like_v4_tail(s, len, i)) {
            uint8_t q[4];
            if (n > SQ_IP_V6_GROUPS - 2 || !parse_v4(s + i, len - i, q))
                return -1;
            words[n++] = (uint16_t)(q[0] << 8 | q[1]);
            words[n++] = (uint16_t)(q[2] << 8 | q[3]);
            return n;
        }
        if (!parse_group(s, len, &i, &v))
            return -1;
        words[n++] = (uint16_t)v;
        if (i == len)
            break;
        if (s[i] != ':' || ++i == len)
            return -1; /* junk, or a trailing single ':' */
        if (s[i] == ':') {
            if (*gap >= 0)
                return -1; /* a second "::" */
            *gap = n;
            if (++i == len)
                break;
        }
    }
    return n;
}

static int
parse_v6(const char *s, size_t len, uint8_t out[16])
{
    uint16_t words[SQ_IP_V6_GROUPS] = {0}, full[SQ_IP_V6_GROUPS] = {0};
    int gap, n = parse_v6_words(s, len, words, &gap);

    if (n < 0)
        return 0;
    if (gap < 0) {
        if (n != SQ_IP_V6_GROUPS)
            return 0;
        memcpy(full, words, sizeof(full));
    } else {
        int fill = SQ_IP_V6_GROUPS - n; /* words the "::" stands for */
        if (fill < 1)
            return 0;
        for (int k = 0; k < gap; k++)
            full[k] = words[k];
        for (int k = gap; k < n; k++)
            full[k + fill] = words[k];
    }
    for (size_t k = 0; k < SQ_IP_V6_GROUPS; k++) {
        out[2 * k] = (uint8_t)(full[k] >> 8);
        out[2 * k + 1] = (uint8_t)(full[k] & 0xff);
    }
    return 1;
}

int
sq_ipaddr_parse(const char *s, size_t len, sq_ipaddr *out)
{
    sq_ipaddr a;

    if (s == NULL || len == 0 || len > SQ_IP_TEXT_MAX)
        return 0;
    memset(&a, 0, sizeof(a));
    if (len > 5 && sq_strncaseeq(s, 5, "IPv6:")) {
        s += 5;
        len -= 5;
        if (memchr(s, ':', len) == NULL)
            return 0; /* "IPv6:" must introduce IPv6 text */
    }
    if (memchr(s, ':', len) == NULL) {
        memcpy(a.b, v4mapped_prefix, sizeof(v4mapped_prefix));
        if (!parse_v4(s, len, a.b + 12))
            return 0;
    } else if (!parse_v6(s, len, a.b)) {
        return 0;
    }
    a.v4 = memcmp(a.b, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
    *out = a;
    return 1;
}

static size_t
format_v4(const uint8_t *q, char *out)
{
    size_t n = 0;

    /* Digits by hand: this runs once per parsed relay. */
    for (int k = 0; k < 4; k++) {
        unsigned v = q[k];

        if (k > 0)
            out[n++] = '.';
        if (v >= 100)
            out[n++] = (char)('0' + v / 100);
        if (v >= 10)
            out[n++] = (char)('0' + v / 10 % 10);
        out[n++] = (char)('0' + v % 10);
    }
    out[n] = '\0';
    return n;
}

/* One group in lower-case hex without leading zeros; returns length. */
static size_t
format_group(unsigned w, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    for (int sh = 12; sh >= 0; sh -= 4) {
        unsigned d = (w >> sh) & 15u;

        if (d != 0 || n > 0 || sh == 0)
            out[n++] = hex[d];
    }
    return n;
}

/* Longest run (>= 2) of zero words, first one on a tie; *start = -1 if
 * none. RFC 5952 section 4.2. */
static void
longest_zero_run(const uint16_t w[8], int *start, int *len)
{
    *start = -1;
    *len = 0;
    for (int i = 0; i < SQ_IP_V6_GROUPS;) {
        int j = i;
        while (j < SQ_IP_V6_GROUPS && w[j] == 0)
            j++;
        if (j - i >= 2 && j - i > *len) {
            *start = i;
            *len = j - i;
        }
        i = j > i ? j : i + 1;
    }
}

size_t
sq_ipaddr_format(const sq_ipaddr *a, char *out)
{
    uint16_t w[SQ_IP_V6_GROUPS];
    int run, runlen;
    size_t n = 0;

    if (a->v4)
        return format_v4(a->b + 12, out);
    for (size_t k = 0; k < SQ_IP_V6_GROUPS; k++)
        w[k] = (uint16_t)(a->b[2 * k] << 8 | a->b[2 * k + 1]);
    longest_zero_run(w, &run, &runlen);
    for (int k = 0; k < SQ_IP_V6_GROUPS; k++) {
        if (k == run) {
            out[n++] = ':';
            out[n++] = ':';
            k += runlen - 1;
            continue;
        }
        if (n > 0 && out[n - 1] != ':')
            out[n++] = ':';
        n += format_group(w[k], out + n);
    }
    out[n] = '\0';
    return n;
}

static uint32_t
be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

/* IPv4 rows by 32-bit mask compare: this runs once per parsed relay. */
static unsigned
class_v4(const sq_ipaddr *a)
{
    uint32_t x = be32(a->b + 12);
    unsigned bits = SQ_IP_V4;

    for (size_t i = 0; i < sizeof(class_table) / sizeof(class_table[0]); i++) {
        const ip_class_row *r = &class_table[i];
        uint32_t mask;

        if (r->fam != 4)
            continue;
        mask = r->prefix == 0 ? 0 : ~(uint32_t)0 << (32 - r->prefix);
        if ((x & mask) == (be32(r->net) & mask))
            bits |= r->bits;
    }
    return bits;
}

unsigned
sq_ipaddr_class(const sq_ipaddr *a)
{
    unsigned bits = SQ_IP_V6;

    if (a->v4)
        return class_v4(a);
    for (size_t i = 0; i < sizeof(class_table) / sizeof(class_table[0]); i++) {
        const ip_class_row *r = &class_table[i];

        if (r->fam == 6 && prefix_equal(a->b, r->net, r->prefix))
            bits |= r->bits;
    }
    return bits;
}

int
sq_ipaddr_in(const sq_ipaddr *a, const sq_ipaddr *net, unsigned prefix)
{
    if (prefix > 128)
        return 0;
    return prefix_equal(a->b, net->b, prefix);
}

unsigned
sq_ip_classify(const char *s, size_t len)
{
    sq_ipaddr a;

    if (!sq_ipaddr_parse(s, len, &a))
        return 0;
    return sq_ipaddr_class(&a);
}

sq_status
sq_ip_canon(const char *s, size_t len, char *out, size_t outlen)
{
    sq_ipaddr a;
    char buf[46];
    size_t n;

    if (out == NULL || outlen < sizeof(buf))
        return SQ_EINVAL;
    if (!sq_ipaddr_parse(s, len, &a))
        return SQ_EINVAL;
    n = sq_ipaddr_format(&a, buf);
    memcpy(out, buf, n + 1);
    return SQ_OK;
}

/*
 * received_auth.c - authenticated-submission markers in a Received
 * line, the way SpamAssassin 4.0.1 decides its "auth" field: RFC 3848
 * protocol names (ESMTPA, ESMTPSA, LMTPA, UTF8SMTPA, ...), ASMTP, HTTP
 * webmail, Gmail's unmarked submission, Courier "(AUTH: ...)", Sendmail
 * "(authenticated ...)", GMX, Critical Path, Postfix "(Authenticated
 * sender: ...)", CommuniGate "(account ...)", Exchange HTTP-DAV and
 * "(via HTTP)".  First rule that matches wins (a table, in order).
 *
 * Reads only [s, s+n) of the parser's normalised line; writes x->auth
 * (bounded by SQ_RCVD_AUTH_MAX, truncated if longer).
 */
#include "received_int.h"

#include <stdio.h>
#include <string.h>

static void
set_auth(rx_state *x, const char *p, size_t n)
{
    if (n >= sizeof(x->auth))
        n = sizeof(x->auth) - 1;
    memcpy(x->auth, p, n);
    x->auth[n] = '\0';
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when [p, p+l) is one of the RFC 3848 style protocol names
 * (ASCII case-insensitive). */
static int
ieq(const char *p, const char *t, size_t l)
{
    for (size_t k = 0; k < l; k++)
        if (rx_lower((unsigned char)p[k]) != (unsigned char)t[k])
            return 0;
    return 1;
}

static int
rfc3848_proto(const char *p, size_t l)
{
    /* by length, then the last byte: few full compares */
    switch (l) {
    case 4:
        return ieq(p, "http", 4);
    case 5:
        switch (rx_lower((unsigned char)p[4])) {
        case 'a':
            return ieq(p, "lmtpa", 5);
        case 'p':
            return ieq(p, "asmtp", 5);
        case 's':
            return ieq(p, "https", 5);
        case 'u':
            return ieq(p, "httpu", 5);
        default:
            return 0;
        }
    case 6:
        return ieq(p, "esmtpa", 6) || ieq(p, "lmtpsa", 6);
    case 7:
        return ieq(p, "esmtpsa", 7);
    case 9:
        return ieq(p, "utf8smtpa", 9) || ieq(p, "utf8lmtpa", 9);
    case 10:
        return ieq(p, "utf8smtpsa", 10) || ieq(p, "utf8lmtpsa", 10);
    default:
        return 0;
    }
}

/* The protocol word after the " with " at s[i]; 1 when it names an
 * authenticated submission (then x->auth is set). */
static int
rfc3848_at(rx_state *x, const char *s, size_t n, size_t i)
{
    size_t j = i + 6;

    while (j < n && s[j] != ' ' && s[j] != ';')
        j++;
    if (!rfc3848_proto(s + i + 6, j - i - 6))
        return 0;
    set_auth(x, s + i + 6, j - i - 6);
    return 1;
}

/* " with (ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]? (?: |;|$)" /i */
static int
a_rfc3848(rx_state *x, const char *s, size_t n)
{
    const rx_index *ix = x->ix;

    if (!rx_ihas_lit(ix, RXL_BY, s, n))
        return 0;
    if (s == ix->base && !ix->with_over) {
        /* the index lists every " with ": visit those inside [s, s+n) */
        for (unsigned k = 0; k < ix->with_cnt && ix->with_pos[k] + 6 <= n; k++)
            if (rfc3848_at(x, s, n, ix->with_pos[k]))
                return 1;
        return 0;
    }
    /* every match starts at a " with " */
    for (size_t i = rx_ifind(x->ix, RXL_WITH_CI, s, n); i + 6 <= n; i++) {
        const char *sp = memchr(s + i, ' ', n - i);
        if (sp == NULL)
            break;
        i = (size_t)(sp - s);
        if (n - i < 6 || rx_lower((unsigned char)s[i + 1]) != 'w' ||
            !sq_strncaseeq(s + i, 6, " with "))
            continue;
        if (rfc3848_at(x, s, n, i))
            return 1;
    }
    return 0;
}

static int
span_class(const char *s, size_t n, size_t *i, size_t lo, size_t hi,
           int (*cls)(char))
{
    size_t st = *i;

    while (*i < n && *i - st < hi && cls(s[*i]))
        (*i)++;
    return *i - st >= lo;
}

static int
c_lowalnum(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c);
}

static int
c_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int
c_digit(char c)
{
    return is_digit(c);
}

/* "[a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\.[0-9]{1,3}\.[0-9]{4}\.
 *  (?:[0-6][0-9]\.){4}[0-6][0-9]" - Gmail's submission queue ids */
static int
gmail_id(const char *s, size_t n)
{
    size_t i = 0;

    for (size_t pre = 1; pre <= 4 && pre + 2 <= n; pre++) {
        size_t k;
        for (k = 0; k < pre && c_lowalnum(s[k]); k++)
            ;
        if (k < pre || memcmp(s + pre, "sm", 2) != 0)
            continue;
        i = pre + 2;
        if (!span_class(s, n, &i, 2, 9, c_digit) ||
            !span_class(s, n, &i, 3, 3, c_lower) || i >= n || s[i++] != '.')
            continue;
        if (!span_class(s, n, &i, 1, 3, c_digit) || i >= n || s[i++] != '.')
            continue;
        if (!span_class(s, n, &i, 4, 4, c_digit) || i >= n || s[i++] != '.')
            continue;
        for (k = 0; k < 5; k++) {
            if (i + 2 > n || s[i] < '0' || s[i] > '6' || !is_digit(s[i + 1]))
                break;
            i += 2;
            if (k < 4 && (i >= n || s[i++] != '.'))
                break;
        }
        if (k == 5)
            return 1;
    }
    return 0;
}

static int
a_gmail(rx_state *x, const char *s, size_t n)
{
    static const char key[] = " by mx.google.com with ESMTPS id ";
    size_t i = rx_ifind(x->ix, RXL_GMAIL, s, n), v, c, e;

    if (i >= n || !gmail_id(s + i + sizeof(key) - 1, n - i - sizeof(key) + 1))
        return 0;
    v = rx_find(s, n, 0, "(version=");
    if (v >= n)
        return 0;
    v += 9;
    c = v;
    while (c < n && s[c] != ' ')
        c++;
    if (c == v || n - c < 8 || memcmp(s + c, " cipher=", 8) != 0)
        return 0;
    e = c + 8;
    while (e < n && s[e] != ')')
        e++;
    if (e == c + 8 || e == n)
        return 0;
    snprintf(x->auth, sizeof(x->auth), "GMail - transport=%.*s cipher=%.*s",
             (int)(c - v), s + v, (int)(e - c - 8), s + c + 8);
    return 1;
}

/* "^from .*?(?:\]\)|\)\]) \(AUTH: (MECH) \S+(?:, .*?)?\) by " */
static int
a_courier(rx_state *x, const char *s, size_t n)
{
    static const char *const mechs[] = {"LOGIN", "PLAIN", "DIGEST-MD5",
                                        "CRAM-MD5", NULL};
    size_t i;

    if (n < 5 || memcmp(s, "from ", 5) != 0 ||
        !rx_ihas_lit(x->ix, RXL_AUTH_COLON, s, n))
        return 0;
    for (i = rx_find(s, n, 5, " (AUTH: "); i < n;
         i = rx_find(s, n, i + 1, " (AUTH: ")) {
        size_t m = i + 8, t, sp, by;
        int k;
        if (i < 7 || !((s[i - 2] == ']' && s[i - 1] == ')') ||
                       (s[i - 2] == ')' && s[i - 1] == ']')))
            continue;
        for (k = 0; mechs[k] != NULL; k++) {
            size_t l = strlen(mechs[k]);
            if (n - m > l && memcmp(s + m, mechs[k], l) == 0 && s[m + l] == ' ')
                break;
        }
        if (mechs[k] == NULL)
            continue;
        t = m + strlen(mechs[k]) + 1;
        for (by = rx_find(s, n, t, ") by "); by < n;
             by = rx_find(s, n, by + 1, ") by ")) {
            sp = rx_find(s, by, t, " ");
            if (by > t && (sp == by || (sp > t + 1 && s[sp - 1] == ','))) {
                set_auth(x, mechs[k], strlen(mechs[k]));
                return 1;
            }
        }
    }
    return 0;
}

/* first end of "])", "] (...))" or ")]" followed by a space */
static size_t
close_bracket_end(const char *s, size_t n)
{
    for (size_t i = 5; i + 2 < n; i++) {
        if (s[i] == ']' && s[i + 1] == ')' && s[i + 2] == ' ')
            return i + 3;
        if (s[i] == ')' && s[i + 1] == ']' && s[i + 2] == ' ')
            return i + 3;
        if (s[i] == ']' && s[i + 1] == ' ' && i + 2 < n && s[i + 2] == '(') {
            size_t j = i + 3;
            while (j < n && s[j] != ')')
                j++;
            if (j + 2 < n && s[j + 1] == ')' && s[j + 2] == ' ')
                return j + 3;
        }
    }
    return n;
}

static int
a_sendmail(rx_state *x, const char *s, size_t n)
{
    size_t p, q;

    if (!rx_ihas_lit(x->ix, RXL_AUTHENTICATED, s, n) || n < 5 ||
        memcmp(s, "from ", 5) != 0)
        return 0;
    p = close_bracket_end(s, n);
    if (p >= n || (q = rx_find(s, n, p, "(")) >= n)
        return 0;
    if ((q = rx_find(s, n, q + 1, "authenticated")) >= n)
        return 0;
    if ((q = rx_find(s, n, q + 13, ")")) >= n)
        return 0;
    if (rx_find(s, n, q + 1, " by") >= n)
        return 0;
    set_auth(x, "Sendmail", 8);
    return 1;
}

/* "from \S* \((?:HELO|EHLO) (\S*)\) \[(IP)\] by (mail\.gmx\.(?:net|com))
 *  \([^\)]+\) with ((?:ESMTP|SMTP))" */
static int
a_gmx(rx_state *x, const char *s, size_t n)
{
    rx_cur c = {s, n, 0, NULL};
    rx_span by, proto;

    /* the HELO/EHLO keyword below lies in [s, s+n) */
    if (!rx_ihas_lit(x->ix, RXL_HELO, s, n) &&
        !rx_ihas_lit(x->ix, RXL_EHLO, s, n))
        return 0;
    if (!rx_lit(&c, "from ") || !rx_tok(&c, NULL, 0) || !rx_lit(&c, " ("))
        return 0;
    if (!rx_lit(&c, "HELO ") && !rx_lit(&c, "EHLO "))
        return 0;
    if (!rx_tok_last(&c, ')', NULL, 0) || !rx_lit(&c, ") [") ||
        !rx_ip(&c, NULL) || !rx_lit(&c, "] by ") || !rx_tok(&c, &by, 1))
        return 0;
    if (!sq_strncaseeq(by.p, by.n, "mail.gmx.net") &&
        !sq_strncaseeq(by.p, by.n, "mail.gmx.com"))
        return 0;
    if (memcmp(by.p, "mail.gmx.", 9) != 0 || !rx_lit(&c, " ("))
        return 0;
    while (c.i < n && s[c.i] != ')')
        c.i++;
    if (!rx_lit(&c, ") with "))
        return 0;
    proto.p = s + c.i;
    if (rx_lit(&c, "ESMTP") || rx_lit(&c, "SMTP")) {
        proto.n = (size_t)(s + c.i - proto.p);
        snprintf(x->auth, sizeof(x->auth), "GMX (%.*s / %.*s)", (int)proto.n,
                 proto.p, (int)by.n, by.p);
        return 1;
    }
    return 0;
}

/* "\(\d{1,2}\.\d\.\d{3}(?:\.\d{1,3})?\)" ending just before s[e] */
static int
cp_version_before(const char *s, size_t e, size_t *start)
{
    size_t i, d;

    if (e < 8 || s[e - 1] != ')')
        return 0;
    for (i = e - 1; i > 0 && s[i - 1] != '('; i--)
        ;
    if (i == 0)
        return 0;
    *start = i - 1;
    d = i;
    {
        size_t k = d, cnt;
        int part = 0;
        size_t lim[4][2] = {{1, 2}, {1, 1}, {3, 3}, {1, 3}};
        while (k < e - 1 && part < 4) {
            cnt = 0;
            while (k < e - 1 && is_digit(s[k]))
                k++, cnt++;
            if (cnt < lim[part][0] || cnt > lim[part][1])
                return 0;
            part++;
            if (k == e - 1)
                break;
            if (s[k++] != '.')
                return 0;
        }
        return k == e - 1 && (part == 3 || part == 4);
    }
}

static int
a_criticalpath(rx_state *x, const char *s, size_t n)
{
    static const char key[] = " (authenticated as ";

    if (!rx_ihas_lit(x->ix, RXL_AUTHENTICATED, s, n))
        return 0;
    for (size_t i = rx_find(s, n, 0, key); i < n;
         i = rx_find(s, n, i + 1, key)) {
        size_t vs, by;
        if (!cp_version_before(s, i, &vs) || vs < 1 || s[vs - 1] != ' ')
            continue;
        by = rx_find(s, n, 0, ") by ");
        if (by >= n || by + 5 >= vs - 1)
            continue;
        if (rx_find(s, n, i + sizeof(key), ") id ") >= n)
            continue;
        set_auth(x, "CriticalPath", 12);
        return 1;
    }
    return 0;
}

/* "\) \(Authenticated sender: \S+\) by \S+ \(([^\)]+)\) with " */
static int
a_postfix(rx_state *x, const char *s, size_t n)
{
    static const char key[] = ") (Authenticated sender: ";

    for (size_t i = rx_ifind(x->ix, RXL_AUTH_SENDER, s, n); i < n;
         i = rx_find(s, n, i + 1, key)) {
        rx_cur c = {s, n, i + sizeof(key) - 1, NULL};
        size_t st;
        if (!rx_tok_last(&c, ')', NULL, 1) || !rx_lit(&c, ") by ") ||
            !rx_tok(&c, NULL, 1) || !rx_lit(&c, " ("))
            continue;
        st = c.i;
        while (c.i < n && s[c.i] != ')')
            c.i++;
        if (c.i == st || !rx_lit(&c, ") with "))
            continue;
        if (c.i - 7 - st == 7 && memcmp(s + st, "Postfix", 7) == 0)
            set_auth(x, "Postfix", 7);
        else
            snprintf(x->auth, sizeof(x->auth), "Postfix (%.*s)",
                     (int)(c.i - 7 - st), s + st);
        return 1;
    }
    return 0;
}

static int
a_communigate(rx_state *x, const char *s, size_t n)
{
    static const char *const kinds[] = {"HTTP", "SMTP", "XIMSS", "IMAP", NULL};
    size_t i = rx_ifind(x->ix, RXL_CGP, s, n);

    if (i >= n || !rx_has(s, n, " (account "))
        return 0;
    for (; i < n; i = rx_find(s, n, i + 1, "CommuniGate Pro ")) {
        for (int k = 0; kinds[k] != NULL; k++) {
            size_t l = strlen(kinds[k]);
            if (n - i - 16 >= l && memcmp(s + i + 16, kinds[k], l) == 0) {
                set_auth(x, "Communigate", 11);
                return 1;
            }
        }
    }
    return 0;
}

static int
a_httpdav(rx_state *x, const char *s, size_t n)
{
    static const char key[] = " with Microsoft Exchange Server HTTP-DAV";

    for (size_t i = rx_ifind(x->ix, RXL_HTTPDAV, s, n); i < n;
         i = rx_find(s, n, i + 1, key)) {
        size_t e = i + sizeof(key) - 1;
        if (e == n || !rx_isword((unsigned char)s[e])) {
            set_auth(x, "HTTP-DAV", 8);
            return 1;
        }
    }
    return 0;
}

/* " \(via (HTTP.?)\)(?: |;|$)" /i */
static int
a_via_http(rx_state *x, const char *s, size_t n)
{
    if (!rx_ihas_lit(x->ix, RXL_BY, s, n) ||
        !rx_ihas_lit(x->ix, RXL_VIA_HTTP, s, n))
        return 0;
    for (size_t i = 0; i + 11 <= n; i++) {
        const char *sp = memchr(s + i, ' ', n - i);
        if (sp == NULL)
            break;
        i = (size_t)(sp - s);
        if (n - i < 11 || !sq_strncaseeq(s + i, 10, " (via http"))
            continue;
        for (size_t l = 4; l <= 5; l++) {
            size_t e = i + 6 + l;
            if (e < n && s[e] == ')' &&
                (e + 1 == n || s[e + 1] == ' ' || s[e + 1] == ';')) {
                set_auth(x, s + i + 6, l);
                return 1;
            }
        }
    }
    return 0;
}

void
rx_detect_auth(rx_state *x, const char *s, size_t n)
{
    static int (*const rules[])(rx_state *, const char *, size_t) = {
        a_rfc3848,      a_gmail,   a_courier,     a_sendmail, a_gmx,
        a_criticalpath, a_postfix, a_communigate, a_httpdav,  a_via_http};

    /* the rules after the first each need one of these literals */
    const uint64_t later =
        RX_BIT(RXL_GMAIL) | RX_BIT(RXL_AUTH_COLON) | RX_BIT(RXL_AUTHENTICATED) |
        RX_BIT(RXL_HELO) | RX_BIT(RXL_EHLO) | RX_BIT(RXL_AUTH_SENDER) |
        RX_BIT(RXL_CGP) | RX_BIT(RXL_HTTPDAV) | RX_BIT(RXL_VIA_HTTP);

    x->auth[0] = '\0';
    for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
        if (k == 1 && s == x->ix->base && !(x->ix->seen_all & later))
            return;
        if (rules[k](x, s, n))
            return;
    }
}

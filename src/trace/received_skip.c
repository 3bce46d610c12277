/*
 * received_skip.c - Received lines SpamAssassin 4.0.1 deliberately
 * ignores (local submission, content scanners, fetchmail-like and
 * list-server hand-overs that record no IP), and the two minor line
 * shapes "FROM ... BY ... ID" (simta) and "(from ...)" (NAVGW, sendmail
 * -t).  Each rule is a small function; rx_ignored() tries them in
 * SpamAssassin's order.
 *
 * Reads only the parser's normalised line (x->s, x->n); allocates
 * nothing.
 */
#include "received_int.h"

#include <string.h>

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}
/* ================================================================== */
/* handovers SpamAssassin ignores (local, scanners, no IP recorded)    */

static int
loc(rx_cur *c)
{
    size_t l = rx_localhost_at(c->s, c->n, c->i);

    c->i += l;
    return l > 0;
}

/* "\S+\@" ... then LOCALHOST: user@localhost forms */
static int
user_at_localhost(rx_cur *c, int need_user)
{
    rx_cur d = *c;

    if (rx_tok_last(&d, '@', NULL, 1) && rx_lit(&d, "@") && loc(&d)) {
        *c = d;
        return 1;
    }
    return !need_user && loc(c);
}

static int
i_local_user(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    size_t st;

    /* "^\S+ \([^\s\@]+\@LOCALHOST\) by \S+ \(" */
    if (!rx_tok(&c, NULL, 1) || !rx_lit(&c, " ("))
        return 0;
    st = c.i;
    while (c.i < c.n && c.s[c.i] != ' ' && c.s[c.i] != '@')
        c.i++;
    return c.i > st && rx_lit(&c, "@") && loc(&c) && rx_lit(&c, ")") &&
           rx_by_tok(&c, NULL, " (");
}

static int
i_exim_local(const rx_state *x)
{
    rx_cur c = RX_CUR(x);

    /* "^\S+ \S+ by \S+ with local-e?smtp " */
    if (!rx_tok(&c, NULL, 1) || !rx_lit(&c, " ") || !rx_tok(&c, NULL, 1) ||
        !rx_by_tok(&c, NULL, " with local-"))
        return 0;
    rx_lit(&c, "e");
    return rx_lit(&c, "smtp ");
}

static int
i_avg(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;

    return rx_lit(&c, "127.0.0.1 (AVG SMTP ") && rx_tok(&c, NULL, 1) &&
           rx_lit(&c, " [") && rx_tok(&c, &t, 3) &&
           memcmp(t.p + t.n - 2, "])", 2) == 0;
}

static int
i_mailbox_by(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;
    const char *at;

    /* "^\S+\@\S+ by \S+ " */
    if (!rx_tok(&c, &t, 3) || !rx_by_tok(&c, NULL, " "))
        return 0;
    at = memchr(t.p + 1, '@', t.n - 2);
    return at != NULL;
}

static int
i_unknown_local(const rx_state *x)
{
    rx_cur c = RX_CUR(x);

    return rx_lit(&c, "Unknown/Local (");
}

static int
i_localhost_pair(const rx_state *x)
{
    rx_cur c = RX_CUR(x), d;

    /* "^LOCALHOST \((?:\S+\@)?LOCALHOST[\)\[]" */
    if (loc(&c) && rx_lit(&c, " (") && user_at_localhost(&c, 0) && c.i < c.n &&
        (c.s[c.i] == ')' || c.s[c.i] == '['))
        return 1;
    /* "^\S+ \((?:\S+\@)?LOCALHOST\) " */
    c.i = 0;
    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " (")) {
        d = c;
        if (user_at_localhost(&d, 0) && rx_lit(&d, ") "))
            return 1;
        /* "^\S+ \(\S+\@\S+ \[LOCALHOST\]\) " */
        d = c;
        if (rx_tok(&d, NULL, 3) && memchr(c.s + c.i + 1, '@', d.i - c.i - 2) &&
            rx_lit(&d, " [") && loc(&d) && rx_lit(&d, "]) "))
            return 1;
    }
    return 0;
}

static int
i_courier_auth(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;

    /* "^\(AUTH: \S+\) by \S+ with " */
    return rx_lit(&c, "(AUTH: ") && rx_tok(&c, &t, 2) && t.p[t.n - 1] == ')' &&
           rx_by_tok(&c, NULL, " with ");
}

static int
i_misc_fixed(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span a, b;

    if (rx_lit(&c, "localhost (localhost [[UNIX: localhost]]) by "))
        return 1;
    c.i = 0;
    if (rx_tok(&c, &a, 12) &&
        rx_by_tok(&c, &b, " with ESMTP (peer crosscheck: ") &&
        memcmp(a.p + a.n - 11, ".amazon.com", 11) == 0 && b.n > 11 &&
        memcmp(b.p + b.n - 11, ".amazon.com", 11) == 0)
        return 1;
    c.i = 0;
    if (rx_lit(&c, "no.name.available by ") && rx_tok(&c, NULL, 1) &&
        rx_lit(&c, " via smtpd (for "))
        return 1;
    return 0;
}

static int
i_groupwise(const rx_state *x)
{
    /* "^[^\.]+ by \S+ with Novell_GroupWise" */
    const char *dot = memchr(x->s, '.', x->n);
    size_t d = dot != NULL ? (size_t)(dot - x->s) : x->n;

    for (size_t i = rx_find(x->s, x->n, 0, " by "); i < x->n;
         i = rx_find(x->s, x->n, i + 1, " by ")) {
        rx_cur c = {x->s, x->n, i, NULL};
        if (i == 0 || d < i)
            return 0;
        if (rx_by_tok(&c, NULL, " with Novell_GroupWise"))
            return 1;
    }
    return 0;
}

static int
i_qmail_scanner(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    static const char key[] = ") with qmail-scanner";

    /* "^\S+ by \S+ \(.{0,100}\) with qmail-scanner" */
    if (!rx_tok(&c, NULL, 1) || !rx_by_tok(&c, NULL, " ("))
        return 0;
    for (size_t i = rx_find(x->s, x->n, c.i, key); i < x->n && i - c.i <= 100;
         i = rx_find(x->s, x->n, i + 1, key))
        return 1;
    return 0;
}

static int
i_by_then(const rx_state *x)
{
    static const char *const tails[] = {" with", " via", " for", " (", NULL};
    rx_cur c = RX_CUR(x);
    size_t at;

    /* "^\S+ by \S+ with local" and "^\S+ by \S+ (?:with|via|for|\()" */
    if (!rx_tok(&c, NULL, 1) || !rx_by_tok(&c, NULL, ""))
        return 0;
    at = c.i;
    for (int k = 0; tails[k] != NULL; k++) {
        c.i = at;
        if (rx_lit(&c, tails[k]))
            return 1;
    }
    return 0;
}

static int
i_cyrus(const rx_state *x)
{
    rx_cur c = RX_CUR(x);

    if (!rx_tok(&c, NULL, 1) || !rx_lit(&c, " ([unix socket])") ||
        !rx_by_tok(&c, NULL, " (Cyrus v"))
        return 0;
    for (int k = 0; k < 3; k++) {
        while (c.i < c.n && is_digit(c.s[c.i]))
            c.i++;
        if (k < 2 && !rx_lit(&c, "."))
            return 0;
    }
    return rx_lit(&c, ") with LMTPA");
}

static int
i_proto_by(const rx_state *x)
{
    static const char *const kws[] = {"with ", "via ", "for ", NULL};
    rx_cur c = RX_CUR(x), d;

    /* "^\S+ (?:(?:with|via|for) \S+|\(unverified\)) by\b" */
    if (!rx_tok(&c, NULL, 1) || !rx_lit(&c, " "))
        return 0;
    for (int k = 0; kws[k] != NULL; k++) {
        d = c;
        if (rx_lit(&d, kws[k]) && rx_tok(&d, NULL, 1) && rx_lit(&d, " by") &&
            (d.i == d.n || !rx_isword((unsigned char)d.s[d.i])))
            return 1;
    }
    d = c;
    return rx_lit(&d, "(unverified) by") &&
           (d.i == d.n || !rx_isword((unsigned char)d.s[d.i]));
}

static int
i_sendgrid_opensmtpd(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;

    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " (unknown)") &&
        rx_by_tok(&c, NULL, " (SG) with ") && c.i < c.n &&
        rx_isword((unsigned char)c.s[c.i]))
        return 1;
    c.i = 0;
    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " (") && rx_tok(&c, NULL, 1) &&
        rx_lit(&c, " [local])") && rx_by_tok(&c, NULL, " (OpenSMTPD) with ") &&
        c.i < c.n && rx_isword((unsigned char)c.s[c.i]))
        return 1;
    c.i = 0;
    if (rx_lit(&c, "([") && loc(&c) && rx_lit(&c, "]) with MailEnable "))
        return 1;
    (void)t;
    return rx_xhas(x, RXL_LSMTP);
}

static int
i_tail_formats(const rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;

    if (rx_lit(&c, "facebook.com (")) {
        while (c.i < c.n && c.s[c.i] != ')')
            c.i++;
        if (c.i > 14 && rx_lit(&c, ") by facebook.com with Thrift id ") &&
            rx_tok(&c, NULL, 1) && c.i == c.n)
            return 1;
    }
    c.i = 0;
    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " named ") && rx_tok(&c, NULL, 1) &&
        rx_lit(&c, " by gmailapi.google.com with HTTPREST") && c.i == c.n)
        return 1;
    c.i = 0;
    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " id ") && rx_tok(&c, &t, 1) &&
        c.i == c.n)
        return 1;
    c.i = 0;
    return rx_lit(&c, "[<") && rx_find(x->s, x->n, 2, " (Jetsend") < x->n;
}

static int (*const ignore_rules[])(const rx_state *) = {
    i_local_user,    i_exim_local,         i_avg,          i_mailbox_by,
    i_unknown_local, i_localhost_pair,     i_courier_auth, i_misc_fixed,
    i_groupwise,     i_qmail_scanner,      i_by_then,      i_cyrus,
    i_proto_by,      i_sendgrid_opensmtpd, i_tail_formats,
};

enum rx_verdict
rx_ignored(rx_state *x)
{
    for (size_t k = 0; k < sizeof(ignore_rules) / sizeof(ignore_rules[0]); k++)
        if (ignore_rules[k](x))
            return RX_SKIP;
    return RX_NO;
}

/* simta: "^(\S+) \((\S+) \[(IP)\]\) BY (\S+) (?:\([^\)]+\) WITH SMTP )?
 *  ID <?(\S+?)>?(?: FOR <[^>]+>)?$" */
enum rx_verdict
rx_upper_from(rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span helo, rdns, ip, by, id;

    if (!rx_xhead(x, &c, &helo, &rdns, &ip) || !rx_lit(&c, ") BY ") ||
        !rx_tok(&c, &by, 1) || !rx_lit(&c, " "))
        return RX_NO;
    d = c;
    if (rx_lit(&d, "(")) {
        while (d.i < d.n && d.s[d.i] != ')')
            d.i++;
        if (rx_lit(&d, ") WITH SMTP "))
            c = d;
    }
    if (!rx_lit(&c, "ID "))
        return RX_NO;
    rx_lit(&c, "<");
    if (!rx_tok(&c, &id, 1))
        return RX_NO;
    if (id.p[id.n - 1] == '>' && id.n > 1)
        id.n--;
    if (c.i < c.n) {
        rx_span t;
        if (!rx_lit(&c, " FOR <") || !rx_tok(&c, &t, 2) ||
            t.p[t.n - 1] != '>' || c.i != c.n ||
            memchr(t.p, '>', t.n - 1) != NULL)
            return RX_NO;
    }
    rx_done4(x, helo, rdns, ip, by);
    x->id = id;
    if (rdns.n == 10 && memcmp(rdns.p, "unverified", 10) == 0)
        x->rdns.n = 0;
    return RX_DONE;
}

enum rx_verdict
rx_paren_from(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    /* NAVGW: "^(\S*) \[(IP)\]\) by (\S+) \(NAVGW .*?\) with " */
    if (rx_tok(&c, &helo, 0) && rx_lit(&c, " ") && rx_br_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " (NAVGW ") &&
        rx_find(x->s, x->n, c.i, ") with ") < x->n) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    /* sendmail -t: "^\S+\@localhost\) by \S+ " */
    c.i = 0;
    if (rx_tok_last(&c, '@', NULL, 1) && rx_lit(&c, "@localhost)") &&
        rx_by_tok(&c, NULL, " "))
        return RX_SKIP;
    /* "^[^\s\@]+\@[^)]+\) by \S+\(jqueuemail\) id [^\s;]+" */
    c.i = 0;
    while (c.i < c.n && c.s[c.i] != ' ' && c.s[c.i] != '@')
        c.i++;
    if (c.i > 0 && rx_lit(&c, "@")) {
        size_t p = rx_find(x->s, x->n, c.i, ") by ");
        rx_cur d = {x->s, x->n, p + 5, NULL};
        rx_span t;
        if (p < x->n && p > c.i && memchr(x->s + c.i, ')', p - c.i) == NULL &&
            rx_tok(&d, &t, 13) &&
            memcmp(t.p + t.n - 12, "(jqueuemail)", 12) == 0 &&
            rx_lit(&d, " id ") && d.i < d.n && d.s[d.i] != ';')
            return RX_SKIP;
    }
    return RX_NO;
}

/*
 * received_mta.c - the MTA-format recognisers for Received lines,
 * ordered as SpamAssassin 4.0.1 tries them (parse_received_line in
 * Mail::SpamAssassin::Message::Metadata::Received).  Each recogniser is
 * a small function over the cursor primitives of received.c; the order
 * of the tables below is the order of precedence and matters.
 *
 * Input: x->s/x->n, the normalised line with its date and the leading
 * "from " (or "FROM "/"(from ") removed.  Output: spans in *x pointing
 * into that text, and a verdict.  Nothing is allocated.
 */
#include "received_int.h"

#include <string.h>

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ================================================================== */
/* webmail before everything else                                      */

/* SquirrelMail / NaSMail: "(IP)\b(?![.-]).{10,80}by (\S+) with HTTP" */
static enum rx_verdict
f_squirrel(rx_state *x)
{
    if (!rx_xhas(x, RXL_SQUIRREL) && !rx_xhas(x, RXL_NASMAIL))
        return RX_NO;
    for (size_t i = 0; i < x->n; i++) {
        size_t l = rx_ip_at(x->s, x->n, i), e;
        if (l == 0)
            continue;
        e = i + l;
        if (e < x->n && (x->s[e] == '.' || x->s[e] == '-'))
            continue;
        if (e < x->n && rx_isword((unsigned char)x->s[e - 1]) ==
                            rx_isword((unsigned char)x->s[e]))
            continue;
        for (size_t k = 80; k >= 10; k--) {
            rx_cur c = {x->s, x->n, e + k, NULL};
            rx_span by;
            if (e + k > x->n)
                continue;
            if (rx_lit(&c, "by ") && rx_tok(&c, &by, 1) &&
                rx_lit(&c, " with HTTP")) {
                x->ip.p = x->s + i;
                x->ip.n = l;
                x->by = by;
                return RX_DONE;
            }
        }
    }
    return RX_NO;
}

/* AOL: "(IP) by (\S+) \(IP\) with HTTP \(WebMailUI\)" */
static enum rx_verdict
f_aol(rx_state *x)
{
    if (!rx_xhas(x, RXL_AOL) || !rx_xhas(x, RXL_WEBMAILUI))
        return RX_NO;
    for (size_t i = 0; i < x->n; i++) {
        rx_cur c = {x->s, x->n, i, NULL};
        rx_span ip, by;
        if (rx_ip(&c, &ip) && rx_by_tok(&c, &by, " (") && rx_ip(&c, NULL) &&
            rx_lit(&c, ") with HTTP (WebMailUI)")) {
            rx_set3(x, NULL, &ip, &by);
            return RX_DONE;
        }
    }
    return RX_NO;
}

/* ================================================================== */
/* the general formats, in SpamAssassin's order                        */

/* "\bwith HTTP\b" && "^(IP) \(\[IP\]\) by (\S+)" */
static enum rx_verdict
f_http_numeric(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;
    size_t i = rx_ifind(x->ix, RXL_WITH_HTTP, x->s, x->n);

    for (; i < x->n; i = rx_find(x->s, x->n, i + 1, "with HTTP"))
        if ((i == 0 || !rx_isword((unsigned char)x->s[i - 1])) &&
            (i + 9 == x->n || !rx_isword((unsigned char)x->s[i + 9])))
            break;
    if (i >= x->n)
        return RX_NO;
    if (rx_ip(&c, &ip) && rx_lit(&c, " ([") && rx_ip(&c, NULL) &&
        rx_lit(&c, "])") && rx_by_tok(&c, &by, "")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* " by \S+ \(qmail-\S+\) with " (qmail-ldap lines look sendmailish) */
static int
is_qmail_ldap(const rx_state *x)
{
    if (!rx_xhas(x, RXL_QMAIL))
        return 0;
    for (size_t i = rx_find(x->s, x->n, 0, " by "); i < x->n;
         i = rx_find(x->s, x->n, i + 1, " by ")) {
        rx_cur c = {x->s, x->n, i + 4, NULL};
        if (rx_tok(&c, NULL, 1) && rx_lit(&c, " (qmail-") &&
            rx_tok_last(&c, ')', NULL, 1) && rx_lit(&c, ") with "))
            return 1;
    }
    return 0;
}

/* "(IDENT:)?user@" prefixes of a sendmail rdns become the ident */
static void
split_ident(rx_state *x)
{
    for (int pass = 0; pass < 2; pass++) {
        rx_cur c = {x->rdns.p, x->rdns.n, 0, NULL};
        size_t at;
        if (pass == 0 && !rx_lit(&c, "IDENT:"))
            continue;
        at = rx_find(x->rdns.p, x->rdns.n, c.i, "@");
        if (at >= x->rdns.n)
            continue;
        x->ident.p = x->rdns.p + c.i;
        x->ident.n = at - c.i;
        x->rdns.p += at + 1;
        x->rdns.n -= at + 1;
    }
}

/* sendmail: "^(\S+) \((\S+) \[(IP)\].*\) by (\S+) \(" */
static enum rx_verdict
f_sendmail(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, rdns, ip, by;

    if (is_qmail_ldap(x))
        return RX_NO;
    if (!rx_xhead(x, &c, &helo, &rdns, &ip) ||
        !rx_greedy_by(&c, ") by ", &by, " ("))
        return RX_NO;
    rx_done4(x, helo, rdns, ip, by);
    split_ident(x);
    return RX_DONE;
}

/* "^(\S+) \((\S+) \[(IP)\]\) by (\S+) with \S+ \(" (Exchange 5.5) */
static enum rx_verdict
f_exchange55(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, rdns, ip, by;

    if (rx_xhead(x, &c, &helo, &rdns, &ip) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " with ") && rx_tok(&c, NULL, 1) && rx_lit(&c, " ("))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* "^(\S+) \(\[(IP)\] helo=(\S+)\) by (\S+) with " */
static enum rx_verdict
f_exim_helo(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, ip, helo, by;

    if (rx_tok(&c, &rdns, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "] helo=") && rx_tok_last(&c, ')', &helo, 1) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " with "))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* "^(\S+) \(<unknown\S*>\[(IP)\]\) by (\S+) " */
static enum rx_verdict
f_unknown_domain(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, t, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " (<unknown") &&
        rx_tok_last(&c, '[', &t, 0) && t.n > 0 && t.p[t.n - 1] == '>' &&
        rx_br_ip(&c, &ip) && rx_lit(&c, ")") && rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \((\S+\.\S+)\[(IP)\]\) by (\S+) " and, later, "(\S+)\[" */
static enum rx_verdict
glued_rdns(rx_state *x, int need_dot)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, rdns, ip, by;
    const char *dot;

    if (!rx_tok(&c, &helo, 1) || !rx_lit(&c, " (") ||
        !rx_tok_last(&c, '[', &rdns, 1) || !rx_br_ip(&c, &ip) ||
        !rx_lit(&c, ")") || !rx_by_tok(&c, &by, " "))
        return RX_NO;
    if (need_dot) {
        dot = rdns.n > 2 ? memchr(rdns.p + 1, '.', rdns.n - 2) : NULL;
        if (dot == NULL)
            return RX_NO;
    }
    return rx_done4(x, helo, rdns, ip, by);
}

static enum rx_verdict
f_attbi(rx_state *x)
{
    return glued_rdns(x, 1);
}

static enum rx_verdict
f_pobox(rx_state *x)
{
    return glued_rdns(x, 0);
}

/* "^(\S+) \((\S*)\@\[(IP)\].*\) by (\S+) \(" */
static enum rx_verdict
f_ident_at(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ident, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " (") &&
        rx_tok_last(&c, '@', &ident, 0) && rx_lit(&c, "@") &&
        rx_br_ip(&c, &ip) && rx_greedy_by(&c, ") by ", &by, " (")) {
        rx_set3(x, &helo, &ip, &by);
        x->ident = ident;
        return RX_DONE;
    }
    return RX_NO;
}

/* "by (\S+\.hotmail\.msn\.com) " then "^(IP) " */
static enum rx_verdict
f_hotmail(rx_state *x)
{
    static const char suf[] = ".hotmail.msn.com";
    const size_t sl = sizeof(suf) - 1;

    /* the by token ends with the suffix, which is then in the line */
    if (!rx_xhas(x, RXL_HOTMAIL))
        return RX_NO;
    for (size_t i = rx_find(x->s, x->n, 0, "by "); i < x->n;
         i = rx_find(x->s, x->n, i + 1, "by ")) {
        rx_cur c = {x->s, x->n, i + 3, NULL};
        rx_span by;
        if (!rx_tok(&c, &by, 1) || !rx_lit(&c, " ") || by.n <= sl ||
            memcmp(by.p + by.n - sl, suf, sl) != 0)
            continue;
        x->by = by;
        c.i = 0;
        if (rx_ip(&c, &by) && rx_lit(&c, " "))
            x->ip = by;
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \((?:HELO|EHLO) (\S*)\) \((IP)\) by (\S+) \(qpsmtpd\/\S+\)
 *  with (?:ESMTP|SMTP)" */
static enum rx_verdict
f_qpsmtpd(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, helo, ip, by;

    if (rx_tok(&c, &rdns, 1) && rx_lit(&c, " (") && rx_helo_kw(&c) &&
        rx_tok_last(&c, ')', &helo, 0) && rx_lit(&c, ") (") && rx_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " (qpsmtpd/") &&
        rx_tok_last(&c, ')', NULL, 1) && rx_lit(&c, ") with ") &&
        (rx_lit(&c, "ESMTP") || rx_lit(&c, "SMTP")))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* "^(\S+) \(LHLO (\S*)\) \((IP)\) by (\S+) with LMTP" */
static enum rx_verdict
f_lmtp(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, helo, ip, by;

    if (rx_tok(&c, &rdns, 1) && rx_lit(&c, " (LHLO ") &&
        rx_tok_last(&c, ')', &helo, 0) && rx_lit(&c, ") (") && rx_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " with LMTP"))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* "^(\S+) \((?:HELO|EHLO) (\S*)\) \[(IP)\] by (\S+) \([^\)]+\)
 *  with (?:ESMTP|SMTP)" */
static enum rx_verdict
f_gmx_style(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, helo, ip, by;
    size_t st;

    if (!rx_tok(&c, &rdns, 1) || !rx_lit(&c, " (") || !rx_helo_kw(&c) ||
        !rx_tok_last(&c, ')', &helo, 0) || !rx_lit(&c, ") ") ||
        !rx_br_ip(&c, &ip) || !rx_by_tok(&c, &by, " ("))
        return RX_NO;
    st = c.i;
    while (c.i < c.n && c.s[c.i] != ')')
        c.i++;
    if (c.i > st && rx_lit(&c, ") with ") &&
        (rx_lit(&c, "ESMTP") || rx_lit(&c, "SMTP")))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* "^(\S+) \(\[(IP)\]\) by (\S+) via smtpd \(for \S+\) with SMTP\(" */
static enum rx_verdict
f_smtpd_for(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "])") && rx_by_tok(&c, &by, " via smtpd (for ") &&
        rx_tok_last(&c, ')', NULL, 1) && rx_lit(&c, ") with SMTP(")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* " \(envelope-sender <\S+>\)" (optional) */
static void
opt_env_sender(rx_cur *c)
{
    rx_cur d = *c;

    if (rx_lit(&d, " (envelope-sender <") && rx_tok_last(&d, '>', NULL, 1) &&
        rx_lit(&d, ">)"))
        *c = d;
}

/* the qmail guard's tail: "( \(.+\))* with (.* )?(SMTP|QMQP)(?! id )" */
static int
qmail_tail(const char *s, size_t n, size_t from)
{
    for (size_t k = rx_find(s, n, from, " with "); k < n;
         k = rx_find(s, n, k + 1, " with ")) {
        size_t al = k - from;
        if (al != 0 && !(al >= 4 && s[from] == ' ' && s[from + 1] == '(' &&
                         s[k - 1] == ')'))
            continue;
        /* a word SMTP/QMQP anywhere after it: visit their occurrences */
        for (int w = 0; w < 2; w++) {
            const char *lit = w == 0 ? "SMTP" : "QMQP";
            for (size_t j = rx_find(s, n, k + 6, lit); j < n;
                 j = rx_find(s, n, j + 1, lit)) {
                if (j != k + 6 && s[j - 1] != ' ')
                    continue;
                if (n - j - 4 >= 4 && memcmp(s + j + 4, " id ", 4) == 0)
                    continue;
                return 1;
            }
        }
    }
    return 0;
}

/* "\((\S+\@)?\[?IP\]?\)" with an optional ident part */
static int
paren_ident_ip(rx_cur *c, rx_span *ident, rx_span *ip, size_t min_ident)
{
    rx_cur d = *c;

    if (rx_tok_last(&d, '@', ident, min_ident) && rx_lit(&d, "@") &&
        rx_opt_br_ip(&d, ip) && rx_lit(&d, ")")) {
        *c = d;
        return 2;
    }
    ident->n = 0;
    if (rx_opt_br_ip(c, ip) && rx_lit(c, ")"))
        return 1;
    return 0;
}

static int
qmail_guard(const rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span t, ip;

    if (!rx_tok(&c, NULL, 1))
        return 0;
    d = c;
    if (rx_lit(&d, " (") && rx_helo_kw(&d) && rx_tok_last(&d, ')', NULL, 0) &&
        rx_lit(&d, ")"))
        c = d;
    if (!rx_lit(&c, " (") || !paren_ident_ip(&c, &t, &ip, 1))
        return 0;
    opt_env_sender(&c);
    if (!rx_lit(&c, " by ") || !rx_tok(&c, NULL, 1))
        return 0;
    return qmail_tail(c.s, c.n, c.i);
}

/* "[^ \(\)]*\)" after HELO/EHLO */
static int
helo_word(rx_cur *c, rx_span *helo)
{
    size_t st = c->i;

    while (c->i < c->n && !strchr(" ()", c->s[c->i]))
        c->i++;
    helo->p = c->s + st;
    helo->n = c->i - st;
    return rx_lit(c, ")");
}

/* the four qmail variants; always "enough" once the guard matched */
static enum rx_verdict
f_qmail(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span first, helo, ident, ip, by;
    int kind;

    if (!qmail_guard(x))
        return RX_NO;
    if (rx_tok(&c, &first, 1) && rx_lit(&c, " (")) {
        rx_cur d = c;
        if (rx_helo_kw(&d) && helo_word(&d, &helo) && rx_lit(&d, " (") &&
            (kind = paren_ident_ip(&d, &ident, &ip, 0)) != 0) {
            opt_env_sender(&d);
            if (rx_by_tok(&d, &by, "")) {
                rx_done4(x, helo, first, ip, by);
                if (kind == 2)
                    x->ident = ident;
            }
        } else if ((kind = paren_ident_ip(&c, &ident, &ip, 0)) != 0) {
            opt_env_sender(&c);
            if (rx_by_tok(&c, &by, "")) {
                rx_done4(x, first, first, ip, by);
                if (kind == 2)
                    x->ident = ident;
            }
        }
    }
    if (sq_strncaseeq(x->rdns.p, x->rdns.n, "unknown") &&
        memcmp(x->rdns.p, "unknown", 7) == 0)
        x->rdns.n = 0;
    return RX_DONE;
}

/* " via HTTP$" && "^\[(IP)\] by (\S+) via HTTP$" */
static enum rx_verdict
f_yahoo_http(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (rx_br_ip(&c, &ip) && rx_by_tok(&c, &by, " via HTTP") && c.i == c.n) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \( \[(IP)\]\).*? by (\S+) " */
static enum rx_verdict
f_space_ip(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " ( ") && rx_br_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_lazy_by(&c, &by, " ")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^\((\S+) \[(IP)\]\) by (\S+) " */
static enum rx_verdict
f_paren_host_ip(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_lit(&c, "(") && rx_tok(&c, &helo, 1) && rx_lit(&c, " ") &&
        rx_br_ip(&c, &ip) && rx_lit(&c, ")") && rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^\[(IP)\] by (\S+)<tail>" with an optional keyword guard */
static enum rx_verdict
br_ip_by(rx_state *x, const char *tail)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (rx_br_ip(&c, &ip) && rx_by_tok(&c, &by, tail)) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

static enum rx_verdict
f_br_ip_by(rx_state *x)
{
    return br_ip_by(x, " ");
}

/* "^\(\[?(IP)\]?\) by (\S+) " */
static enum rx_verdict
f_paren_ip_by(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (rx_lit(&c, "(") && rx_opt_br_ip(&c, &ip) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " ")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* MDaemon: "^(\S+) \[(IP)\] by (\S+) \[IP\] with " */
static enum rx_verdict
f_mdaemon(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " ") && rx_br_ip(&c, &ip) &&
        rx_by_tok(&c, &by, " ") && rx_br_ip(&c, NULL) && rx_lit(&c, " with ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* MDaemon 19: "^(\S+) \[\((IP)\)\] by (\S+) \(IP\) " */
static enum rx_verdict
f_mdaemon19(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " [(") && rx_ip(&c, &ip) &&
        rx_lit(&c, ")]") && rx_by_tok(&c, &by, " (") && rx_ip(&c, NULL) &&
        rx_lit(&c, ") ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \(\[(IP)\]\) by (\S+) \(" (sendmail without rDNS) */
static enum rx_verdict
f_sendmail_nordns(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "])") && rx_by_tok(&c, &by, " (")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \((\S+) \[(IP)\]\).*? by (\S+)\b" */
static enum rx_verdict
f_sendmail_lazy(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, rdns, ip, by;

    if (!rx_xhead(x, &c, &helo, &rdns, &ip) || !rx_lit(&c, ")"))
        return RX_NO;
    for (size_t i = rx_find(c.s, c.n, c.i, " by "); i < c.n;
         i = rx_find(c.s, c.n, i + 1, " by ")) {
        rx_cur d = {c.s, c.n, i + 4, NULL};
        if (!rx_tok(&d, &by, 1))
            continue;
        by.n = rx_trim_to_boundary(by.p, by.n, c.s, c.n);
        if (by.n == 0)
            continue;
        if (rdns.n == 10 && memcmp(rdns.p, "softdnserr", 10) == 0)
            rdns.n = 0;
        return rx_done4(x, helo, rdns, ip, by);
    }
    return RX_NO;
}

/* "^(\S+) \(\[(IP)(?:[.:]\d+)?\]\).*? by (\S+) " */
static enum rx_verdict
f_ip_port_lazy(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (!rx_tok(&c, &helo, 1) || !rx_lit(&c, " ([") || !rx_ip(&c, &ip))
        return RX_NO;
    if (c.i < c.n && (c.s[c.i] == '.' || c.s[c.i] == ':')) {
        size_t st = ++c.i;
        while (c.i < c.n && is_digit(c.s[c.i]))
            c.i++;
        if (c.i == st)
            return RX_NO;
    }
    if (rx_lit(&c, "])") && rx_lazy_by(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \((\S+) \[(IP)\]\)(?: \(authenticated bits=\d+\))? by (\S+) \(" */
static enum rx_verdict
f_sendmail_bits(rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span helo, rdns, ip, by;

    if (!rx_xhead(x, &c, &helo, &rdns, &ip) || !rx_lit(&c, ")"))
        return RX_NO;
    d = c;
    if (rx_lit(&d, " (authenticated bits=")) {
        size_t st = d.i;
        while (d.i < d.n && is_digit(d.s[d.i]))
            d.i++;
        if (d.i > st && rx_lit(&d, ")"))
            c = d;
    }
    if (rx_by_tok(&c, &by, " ("))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* fetchmail / getmail: "with (?:POP3|IMAP)" */
static enum rx_verdict
f_fetcher(rx_state *x)
{
    if (rx_xhas(x, RXL_POP3) || rx_xhas(x, RXL_IMAP))
        return RX_SKIP;
    return RX_NO;
}

/* "^(\S+) \((?:HELO|EHLO) ([^\)]*)\) \((\S*@)?\[?(IP)\]?\).* by (\S+) " */
static enum rx_verdict
f_qmail_helo(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, helo, ident, ip, by;
    size_t st;

    if (!rx_tok(&c, &rdns, 1) || !rx_lit(&c, " (") || !rx_helo_kw(&c))
        return RX_NO;
    st = c.i;
    while (c.i < c.n && c.s[c.i] != ')')
        c.i++;
    helo.p = c.s + st;
    helo.n = c.i - st;
    if (!rx_lit(&c, ") (") || paren_ident_ip(&c, &ident, &ip, 0) == 0 ||
        !rx_greedy_by(&c, " by ", &by, " "))
        return RX_NO;
    rx_done4(x, helo, rdns, ip, by);
    x->ident = ident;
    return RX_DONE;
}

/* "^(\S+) \((\S*@)?\[?(IP)\]?\).* by (\S+) " */
static enum rx_verdict
f_qmail_plain(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, ident, ip, by;

    if (!rx_tok(&c, &rdns, 1) || !rx_lit(&c, " (") ||
        paren_ident_ip(&c, &ident, &ip, 0) == 0 ||
        !rx_greedy_by(&c, " by ", &by, " "))
        return RX_NO;
    rx_done4(x, rdns, rdns, ip, by);
    x->ident = ident;
    return RX_DONE;
}

static enum rx_verdict
f_outblaze(rx_state *x)
{
    return br_ip_by(x, " with http for ");
}

/* smap: "^(\S+)\((IP)\) by (\S+) via smap " and the HELO variant */
static enum rx_verdict
f_smap(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, ip, helo, by;

    if (!rx_tok_last(&c, '(', &rdns, 1) || !rx_lit(&c, "(") || !rx_ip(&c, &ip))
        return RX_NO;
    if (rx_lit(&c, ")")) {
        if (!rx_by_tok(&c, &by, " via smap "))
            return RX_NO;
        x->rdns = rdns;
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    if (rx_lit(&c, ", ") && rx_helo_kw(&c) && rx_tok_last(&c, ')', &helo, 0) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " via smap "))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

static enum rx_verdict
f_postoffice(rx_state *x)
{
    return br_ip_by(x, " (Post");
}

static enum rx_verdict
f_argosoft(rx_state *x)
{
    return br_ip_by(x, " (ArGoSoft");
}

/* "^(IP) by (\S+) \((?:SMTPL|InterScan)\b" */
static enum rx_verdict
f_smtpl(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (!rx_ip(&c, &ip) || !rx_by_tok(&c, &by, " ("))
        return RX_NO;
    if (!rx_lit(&c, "SMTPL") && !rx_lit(&c, "InterScan"))
        return RX_NO;
    if (c.i < c.n && rx_isword((unsigned char)c.s[c.i]))
        return RX_NO;
    rx_set3(x, NULL, &ip, &by);
    return RX_DONE;
}

/* "^\S+ by \S+ with BSMTP" */
static enum rx_verdict
f_bsmtp(rx_state *x)
{
    rx_cur c = RX_CUR(x);

    if (rx_tok(&c, NULL, 1) && rx_by_tok(&c, NULL, " with BSMTP"))
        return RX_SKIP;
    return RX_NO;
}

/* "^(\S+) \((\S+) \[(IP)\]\) by (\S+) with " */
static enum rx_verdict
f_spike(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, rdns, ip, by;

    if (rx_xhead(x, &c, &helo, &rdns, &ip) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " with "))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* "^(\S+) \((?:HELO|EHLO) (\S*)\) \((?:(\S+)\@)?(IP).*?\) by (\S+) with " */
static enum rx_verdict
f_yahoo_plain(rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span rdns, helo, ident = {NULL, 0}, ip, by;

    if (!rx_tok(&c, &rdns, 1) || !rx_lit(&c, " (") || !rx_helo_kw(&c) ||
        !rx_tok_last(&c, ')', &helo, 0) || !rx_lit(&c, ") ("))
        return RX_NO;
    d = c;
    if (!(rx_tok_last(&d, '@', &ident, 1) && rx_lit(&d, "@") &&
          rx_ip(&d, &ip))) {
        ident.n = 0;
        d = c;
        if (!rx_ip(&d, &ip))
            return RX_NO;
    }
    for (size_t i = rx_find(d.s, d.n, d.i, ") by "); i < d.n;
         i = rx_find(d.s, d.n, i + 1, ") by ")) {
        rx_cur e = {d.s, d.n, i + 1, NULL};
        if (rx_by_tok(&e, &by, " with ")) {
            rx_done4(x, helo, rdns, ip, by);
            x->ident = ident;
            return RX_DONE;
        }
    }
    return RX_NO;
}

/* "^\[(IP)\] \((?:account \S+ )?(?:HELO|EHLO) (\S*)\) by (\S+) \(" */
static enum rx_verdict
f_communigate_acct(rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span ip, helo, by;

    if (!rx_br_ip(&c, &ip) || !rx_lit(&c, " ("))
        return RX_NO;
    d = c;
    if (rx_lit(&d, "account ") && rx_tok(&d, NULL, 1) && rx_lit(&d, " ") &&
        (d.n - d.i >= 5) &&
        (memcmp(d.s + d.i, "HELO ", 5) == 0 ||
         memcmp(d.s + d.i, "EHLO ", 5) == 0))
        c = d;
    if (rx_helo_kw(&c) && rx_tok_last(&c, ')', &helo, 0) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " (")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \(\[(IP)\] verified\) by (\S+) \(" (CommuniGate Pro) */
static enum rx_verdict
f_communigate_verified(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span name, ip, by;

    if (!rx_xhas(x, RXL_CGP_PAREN))
        return RX_NO;
    if (rx_tok(&c, &name, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "] verified)") && rx_by_tok(&c, &by, " ("))
        return rx_done4(x, name, name, ip, by);
    return RX_NO;
}

/* "^\(\[(IP)\]\) by (\S+) with " */
static enum rx_verdict
f_ciphertrust(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (rx_lit(&c, "([") && rx_ip(&c, &ip) && rx_lit(&c, "])") &&
        rx_by_tok(&c, &by, " with ")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^([^\d]\S+) \((IP)\) by (\S+) " */
static enum rx_verdict
f_ironport(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (x->n == 0 || is_digit(x->s[0]) || x->s[0] == ' ')
        return RX_NO;
    if (rx_tok(&c, &helo, 2) && rx_lit(&c, " (") && rx_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^\S+ \(\S+\) by \S+ \(Content Technologies " */
static enum rx_verdict
f_content_tech(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;

    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " (") && rx_tok(&c, &t, 2) &&
        t.p[t.n - 1] == ')' && rx_by_tok(&c, NULL, " (Content Technologies "))
        return RX_SKIP;
    return RX_NO;
}

/* "^(\S+) \(\[(IP)\] \[(\S+)\]\) by (\S+) with " */
static enum rx_verdict
f_bls(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, t, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "] [") && rx_tok(&c, &t, 3) &&
        memcmp(t.p + t.n - 2, "])", 2) == 0 && rx_by_tok(&c, &by, " with ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(IP) by (\S+) with " */
static enum rx_verdict
f_tumbleweed(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;

    if (rx_ip(&c, &ip) && rx_by_tok(&c, &by, " with ")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^\[(IP)\]\S+ \((?:HELO|EHLO) (\S*)\) by (\S+) " */
static enum rx_verdict
f_fsecure(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, helo, by;

    if (rx_br_ip(&c, &ip) && rx_tok(&c, NULL, 1) && rx_lit(&c, " (") &&
        rx_helo_kw(&c) && rx_tok_last(&c, ')', &helo, 0) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(IP) \((?:HELO|EHLO) (\S*)\) by (\S+) " */
static enum rx_verdict
f_altavista(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, helo, by;

    if (rx_ip(&c, &ip) && rx_lit(&c, " (") && rx_helo_kw(&c) &&
        rx_tok_last(&c, ')', &helo, 0) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+) \[(IP)\] by (\S+) " */
static enum rx_verdict
f_oemcomputer(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " ") && rx_br_ip(&c, &ip) &&
        rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(\S+)\((IP)\) by (\S+) " */
static enum rx_verdict
f_csmap(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span rdns, ip, by;

    if (rx_tok_last(&c, '(', &rdns, 1) && rx_lit(&c, "(") && rx_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " ")) {
        x->rdns = rdns;
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

static enum rx_verdict
f_mailgate(rx_state *x)
{
    return br_ip_by(x, " (MailGate ");
}

/* "^(\S+) \(unverified \[(IP)\]\) by (\S+) " */
static enum rx_verdict
f_unverified(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " (unverified ") &&
        rx_br_ip(&c, &ip) && rx_lit(&c, ")") && rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^(IP) \([A-Za-z][^\)]+\) by (\S+) with " */
static enum rx_verdict
f_ip_comment(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, by;
    size_t st;
    char a;

    if (!rx_ip(&c, &ip) || !rx_lit(&c, " (") || c.i >= c.n)
        return RX_NO;
    a = c.s[c.i];
    if (!((a >= 'A' && a <= 'Z') || (a >= 'a' && a <= 'z')))
        return RX_NO;
    st = ++c.i;
    while (c.i < c.n && c.s[c.i] != ')')
        c.i++;
    if (c.i > st && rx_lit(&c, ")") && rx_by_tok(&c, &by, " with ")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* "^\[(IP)\] \(([^\)]+)\) by (\S+) " */
static enum rx_verdict
f_br_ip_sub(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, sub, by;
    size_t st;

    if (!rx_br_ip(&c, &ip) || !rx_lit(&c, " ("))
        return RX_NO;
    st = c.i;
    while (c.i < c.n && c.s[c.i] != ')')
        c.i++;
    sub.p = c.s + st;
    sub.n = c.i - st;
    if (sub.n == 0 || !rx_lit(&c, ")") || !rx_by_tok(&c, &by, " "))
        return RX_NO;
    rx_set3(x, NULL, &ip, &by);
    rx_sub_helo_ident(x, sub);
    return RX_DONE;
}

/* "^(\S+) \((?:\S+\@)?(IP)\) by (\S+) with " */
static enum rx_verdict
f_rdns_ident_ip(rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span rdns, ip, by;

    if (!rx_tok(&c, &rdns, 1) || !rx_lit(&c, " ("))
        return RX_NO;
    d = c;
    if (!(rx_tok_last(&d, '@', NULL, 1) && rx_lit(&d, "@") && rx_ip(&d, &ip))) {
        d = c;
        if (!rx_ip(&d, &ip))
            return RX_NO;
    }
    if (rx_lit(&d, ")") && rx_by_tok(&d, &by, " with ")) {
        x->rdns = rdns;
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* Obtuse smtpd: "^(\S+)\((IP)\)(?:, claiming to be "(\S+)")? via \S+
 *  by (\S+)," */
static enum rx_verdict
f_obtuse(rx_state *x)
{
    rx_cur c = RX_CUR(x), d;
    rx_span rdns, ip, helo = {NULL, 0}, by;

    if (!rx_tok_last(&c, '(', &rdns, 1) || !rx_lit(&c, "(") ||
        !rx_ip(&c, &ip) || !rx_lit(&c, ")"))
        return RX_NO;
    d = c;
    if (rx_lit(&d, ", claiming to be \"") && rx_tok_last(&d, '"', &helo, 1) &&
        rx_lit(&d, "\""))
        c = d;
    else
        helo.n = 0;
    if (rx_lit(&c, " via ") && rx_tok(&c, NULL, 1) && rx_lit(&c, " by ") &&
        rx_tok_last(&c, ',', &by, 1) && rx_lit(&c, ","))
        return rx_done4(x, helo, rdns, ip, by);
    return RX_NO;
}

/* Yahoo: "^(\S+) \((\S+)@(IP) with login\) by (\S+\.yahoo\.com)
 *  with SMTP" */
static enum rx_verdict
f_yahoo_login(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " (") &&
        rx_tok_last(&c, '@', NULL, 1) && rx_lit(&c, "@") && rx_ip(&c, &ip) &&
        rx_lit(&c, " with login)") && rx_by_tok(&c, &by, " with SMTP") &&
        by.n > 10 && memcmp(by.p + by.n - 10, ".yahoo.com", 10) == 0) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

/* the synthetic "X-Originating-IP: 1.2.3.4" line */
static enum rx_verdict
f_xorig(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip;

    if (rx_lit(&c, "X-Originating-IP: ") && rx_ip(&c, &ip) && c.i == c.n) {
        x->ip = ip;
        x->by.n = 0;
        return RX_DONE;
    }
    return RX_NO;
}

/* last resort for the HELO: "^(\S+)[^-A-Za-z0-9\.]" */
static enum rx_verdict
f_guess_helo(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span t;

    if (x->helo.n > 0 || !rx_tok(&c, &t, 1))
        return RX_NO;
    if (c.i < c.n) {
        x->helo = t;
        return RX_NO;
    }
    for (size_t k = t.n - 1; k >= 1; k--) {
        char ch = t.p[k];
        if (!(rx_isword((unsigned char)ch) || ch == '-' || ch == '.') ||
            ch == '_') {
            x->helo.p = t.p;
            x->helo.n = k;
            break;
        }
    }
    return RX_NO;
}

/*
 * The opening shape of the working text, worked out once: every
 * recogniser in the table below can match only texts with its shape
 * bit set (a necessary condition read off its leading literals), so the
 * others are skipped without being tried.  SH_ANY is always set.
 *   SH_TOKP  "tok (" - a non-empty first token, a space, '('
 *   SH_PBR   "tok ([" (implies SH_TOKP)
 *   SH_PHELO "tok (HELO " or "tok (EHLO " (implies SH_TOKP)
 *   SH_PODD  "tok (" and then one of "L<u " (implies SH_TOKP)
 *   SH_TOKB  "tok [" - the same with '['
 *   SH_TOKBY "tok b" - the same with 'b' (" by ")
 *   SH_TOKLP '(' inside the first token after its first byte
 *   SH_BR / SH_PAREN  the text starts with '[' / '('
 *   SH_IP    the first byte can begin an IP_ADDRESS (hex digit, ':',
 *            or the 'I' of "IPv6:")
 *   SH_X     the text starts with 'X' ("X-Originating-IP: ")
 */
enum {
    SH_ANY = 1u << 0,
    SH_TOKP = 1u << 1,
    SH_TOKB = 1u << 2,
    SH_TOKBY = 1u << 3,
    SH_TOKLP = 1u << 4,
    SH_BR = 1u << 5,
    SH_PAREN = 1u << 6,
    SH_IP = 1u << 7,
    SH_X = 1u << 8,
    SH_PBR = 1u << 9,
    SH_PHELO = 1u << 10,
    SH_PODD = 1u << 11
};

/* The SH_P* bit for the bytes after "tok (" (at s[i], n bytes). */
static unsigned
paren_shape(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == '[')
        return SH_PBR;
    if (s[0] == 'L' || s[0] == '<' || s[0] == 'u' || s[0] == ' ')
        return SH_PODD;
    if (n >= 5 && (memcmp(s, "HELO ", 5) == 0 || memcmp(s, "EHLO ", 5) == 0))
        return SH_PHELO;
    return 0;
}

static unsigned
text_shape(const char *s, size_t n)
{
    const char *sp = memchr(s, ' ', n);
    size_t t = sp != NULL ? (size_t)(sp - s) : n;
    unsigned sh = SH_ANY;
    unsigned char c0;

    if (n == 0)
        return sh;
    c0 = (unsigned char)s[0];
    if (t >= 1 && t + 1 < n) {
        char a = s[t + 1];
        sh |= a == '(' ? SH_TOKP : a == '[' ? SH_TOKB : a == 'b' ? SH_TOKBY : 0;
        if (a == '(')
            sh |= paren_shape(s + t + 2, n - t - 2);
    }
    if (t >= 2 && memchr(s + 1, '(', t - 1) != NULL)
        sh |= SH_TOKLP;
    if (c0 == '[')
        sh |= SH_BR;
    else if (c0 == '(')
        sh |= SH_PAREN;
    else if (c0 == 'X')
        sh |= SH_X;
    if ((c0 >= '0' && c0 <= '9') || (c0 >= 'a' && c0 <= 'f') ||
        (c0 >= 'A' && c0 <= 'F') || c0 == ':' || c0 == 'I' || c0 == 'i')
        sh |= SH_IP;
    return sh;
}

static const struct {
    enum rx_verdict (*fn)(rx_state *);
    unsigned need; /* shape bit without which fn cannot match */
} from_formats[] = {
    {f_squirrel, SH_ANY},
    {f_aol, SH_ANY},
    {rx_product, SH_ANY},
    {f_http_numeric, SH_ANY},
    {f_sendmail, SH_TOKP},
    {f_exchange55, SH_TOKP},
    {f_exim_helo, SH_PBR},
    {f_unknown_domain, SH_PODD},
    {f_attbi, SH_TOKP},
    {f_ident_at, SH_TOKP},
    {f_hotmail, SH_ANY},
    {f_qpsmtpd, SH_PHELO},
    {f_lmtp, SH_PODD},
    {f_gmx_style, SH_PHELO},
    {f_smtpd_for, SH_PBR},
    {f_qmail, SH_TOKP},
    {f_yahoo_http, SH_BR},
    {f_space_ip, SH_PODD},
    {f_paren_host_ip, SH_PAREN},
    {f_br_ip_by, SH_BR},
    {f_paren_ip_by, SH_PAREN},
    {f_mdaemon, SH_TOKB},
    {f_mdaemon19, SH_TOKB},
    {f_sendmail_nordns, SH_PBR},
    {f_sendmail_lazy, SH_TOKP},
    {f_ip_port_lazy, SH_PBR},
    {f_sendmail_bits, SH_TOKP},
    {f_fetcher, SH_ANY},
    {f_qmail_helo, SH_PHELO},
    {f_qmail_plain, SH_TOKP},
    {f_outblaze, SH_BR},
    {f_smap, SH_TOKLP},
    {f_postoffice, SH_BR},
    {f_argosoft, SH_BR},
    {f_smtpl, SH_IP},
    {f_bsmtp, SH_TOKBY},
    {f_spike, SH_TOKP},
    {f_yahoo_plain, SH_PHELO},
    {f_communigate_acct, SH_BR},
    {f_communigate_verified, SH_PBR},
    {f_ciphertrust, SH_PAREN},
    {f_ironport, SH_TOKP},
    {f_content_tech, SH_TOKP},
    {f_bls, SH_PBR},
    {f_tumbleweed, SH_IP},
    {f_pobox, SH_TOKP},
    {f_fsecure, SH_BR},
    {f_altavista, SH_IP},
    {f_oemcomputer, SH_TOKB},
    {f_csmap, SH_TOKLP},
    {f_mailgate, SH_BR},
    {f_unverified, SH_PODD},
    {f_ip_comment, SH_IP},
    {f_br_ip_sub, SH_BR},
    {f_rdns_ident_ip, SH_TOKP},
    {f_obtuse, SH_TOKLP},
    {f_yahoo_login, SH_TOKP},
    {f_xorig, SH_X},
    {rx_ignored, SH_ANY},
    {f_guess_helo, SH_ANY},
};

enum rx_verdict
rx_from_formats(rx_state *x)
{
    unsigned sh = text_shape(x->s, x->n);

    for (size_t k = 0; k < sizeof(from_formats) / sizeof(from_formats[0]);
         k++) {
        enum rx_verdict v;
        if (!(from_formats[k].need & sh))
            continue;
        v = from_formats[k].fn(x);
        if (v != RX_NO)
            return v;
    }
    return RX_NO;
}

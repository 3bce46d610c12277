/*
 * received_product.c - the Received formats SpamAssassin 4.0.1 keys on a
 * product name before anything else: Microsoft SMTPSVC, Microsoft SMTP
 * Server / Exchange Online ("mapi id"), XMail, ecelerity, Exim (its many
 * shapes), Postfix, Scalix and Lotus Domino.  As in SpamAssassin this is
 * an if/elsif chain: only the first product whose marker is present is
 * tried, and when its shapes do not match the general formats follow.
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
/* the if/elsif chain keyed on a product name                          */

static enum rx_verdict
b_smtpsvc(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 0) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "]")) {
        size_t st = c.i;
        while (c.i < c.n && c.s[c.i] != ')' && c.i - st <= 40)
            c.i++;
        if (c.i - st <= 40 && rx_lit(&c, ")") &&
            rx_by_tok(&c, &by, " with Microsoft SMTPSVC")) {
            rx_set3(x, &helo, &ip, &by);
            return RX_DONE;
        }
    }
    c.i = 0;
    if (rx_lit(&c, "mail pickup service by ") && rx_tok(&c, NULL, 1) &&
        rx_lit(&c, " with Microsoft SMTPSVC") && c.i == c.n)
        return RX_SKIP;
    return RX_NO;
}

static int
g_smtpsvc(const rx_state *x)
{
    return rx_xhas(x, RXL_SMTPSVC);
}

/* " with (?:Microsoft SMTP Server|mapi id) (?:\([^\)]+\) )?\d+\.\d+\.\d+\.\d+
 *  (?:$| )" */
static int
g_mssmtp(const rx_state *x)
{
    static const char *const keys[] = {" with Microsoft SMTP Server ",
                                       " with mapi id ", NULL};

    if (!rx_xhas(x, RXL_MSSMTP) && !rx_xhas(x, RXL_MAPI))
        return 0;
    for (int k = 0; keys[k] != NULL; k++) {
        for (size_t i = rx_find(x->s, x->n, 0, keys[k]); i < x->n;
             i = rx_find(x->s, x->n, i + 1, keys[k])) {
            size_t j = i + strlen(keys[k]);
            int part;
            if (j < x->n && x->s[j] == '(') {
                size_t p = j + 1;
                while (p < x->n && x->s[p] != ')')
                    p++;
                if (p > j + 1 && p + 1 < x->n && x->s[p + 1] == ' ')
                    j = p + 2;
            }
            for (part = 0; part < 4; part++) {
                size_t st = j;
                while (j < x->n && is_digit(x->s[j]))
                    j++;
                if (j == st || (part < 3 && (j >= x->n || x->s[j++] != '.')))
                    break;
            }
            if (part == 4 && (j == x->n || x->s[j] == ' '))
                return 1;
        }
    }
    return 0;
}

/* "^(\S+) \(\[?(IP)(?:%zone)?\]?\) by (\S+) " */
static enum rx_verdict
b_mssmtp(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (!rx_tok(&c, &helo, 1) || !rx_lit(&c, " (") || !rx_opt_br_ip(&c, &ip))
        return RX_NO;
    if (c.i < c.n && c.s[c.i] == '%') {
        /* keep the zone in ip: the output step rejects zone ids */
        size_t st = c.i++;
        while (c.i < c.n && (rx_isword((unsigned char)c.s[c.i]) ||
                             strchr(".~-", c.s[c.i]) != NULL))
            c.i++;
        ip.n += c.i - st;
        rx_lit(&c, "]");
    }
    if (!rx_lit(&c, ")") || !rx_by_tok(&c, &by, " "))
        return RX_NO;
    rx_set3(x, &helo, &ip, &by);
    x->id.n = 0;
    return RX_DONE;
}

static int
g_xmail(const rx_state *x)
{
    return rx_xhas(x, RXL_XMAIL);
}

/* "^(\S+) \((\[?IP\]?)(?::\d+)\) by (\S+)(?: \(\S+\))? with \[XMail" */
static enum rx_verdict
b_xmail(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;
    size_t st, i;

    if (!rx_tok(&c, &helo, 1) || !rx_lit(&c, " ("))
        return RX_NO;
    st = c.i;
    if (!rx_opt_br_ip(&c, &ip) || !rx_lit(&c, ":"))
        return RX_NO;
    ip.p = c.s + st;
    ip.n = c.i - 1 - st;
    st = c.i;
    while (c.i < c.n && is_digit(c.s[c.i]))
        c.i++;
    if (c.i == st || !rx_lit(&c, ")") || !rx_by_tok(&c, &by, ""))
        return RX_NO;
    if (c.i + 2 < c.n && c.s[c.i] == ' ' && c.s[c.i + 1] == '(') {
        rx_cur d = c;
        d.i += 2;
        if (rx_tok_last(&d, ')', NULL, 1) && rx_lit(&d, ")") && d.i < d.n &&
            d.s[d.i] == ' ')
            c = d;
    }
    if (!rx_lit(&c, " with [XMail"))
        return RX_NO;
    rx_set3(x, &helo, &ip, &by);
    if ((i = rx_find(x->s, x->n, 0, " id <")) < x->n) {
        rx_cur d = {x->s, x->n, i + 5, NULL};
        rx_tok_last(&d, '>', &x->id, 1);
    }
    if ((i = rx_find(x->s, x->n, 0, " from <")) < x->n) {
        rx_cur d = {x->s, x->n, i + 7, NULL};
        if (rx_tok_last(&d, '>', &x->envfrom, 1))
            x->have_envfrom = 1;
    }
    return RX_DONE;
}

static int
g_ecelerity(const rx_state *x)
{
    for (size_t i = rx_ifind(x->ix, RXL_ECELERITY, x->s, x->n); i < x->n;
         i = rx_find(x->s, x->n, i + 1, "(ecelerity"))
        if (i + 10 == x->n || !rx_isword((unsigned char)x->s[i + 10]))
            return 1;
    return 0;
}

static int
ip_port(rx_cur *c, rx_span *ip)
{
    size_t st;

    if (!rx_ip(c, ip) || !rx_lit(c, ":"))
        return 0;
    st = c->i;
    while (c->i < c->n && is_digit(c->s[c->i]))
        c->i++;
    return c->i > st;
}

static enum rx_verdict
b_ecelerity(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, helo, by;

    if (rx_lit(&c, "([") && ip_port(&c, &ip) && rx_lit(&c, "] helo=") &&
        rx_tok_last(&c, ')', &helo, 1) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " ")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    c.i = 0;
    if (rx_tok(&c, NULL, 1) && rx_lit(&c, " ([") && ip_port(&c, &ip) &&
        rx_lit(&c, "])") && rx_by_tok(&c, &by, " ")) {
        rx_set3(x, NULL, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

static int
g_exim(const rx_state *x)
{
    return rx_xhas(x, RXL_EXIM);
}

/* "\bwith local(?:-\S+)? " */
static int
exim_local(const rx_state *x)
{
    for (size_t i = rx_find(x->s, x->n, 0, "with local"); i < x->n;
         i = rx_find(x->s, x->n, i + 1, "with local")) {
        rx_cur c = {x->s, x->n, i + 10, NULL};
        if (i > 0 && rx_isword((unsigned char)x->s[i - 1]))
            continue;
        if (rx_lit(&c, " "))
            return 1;
        if (rx_lit(&c, "-") && rx_tok(&c, NULL, 1) && rx_lit(&c, " "))
            return 1;
    }
    return 0;
}

/* Exim: "(.*?)\) by (\S+) " from the cursor, sub-span into *sub. */
static int
exim_sub_by(rx_cur *c, rx_span *sub, rx_span *by)
{
    size_t st = c->i;

    for (size_t i = rx_find(c->s, c->n, st, ") by "); i < c->n;
         i = rx_find(c->s, c->n, i + 1, ") by ")) {
        rx_cur d = {c->s, c->n, i + 1, NULL};
        if (rx_by_tok(&d, by, " ")) {
            sub->p = c->s + st;
            sub->n = i - st;
            *c = d;
            return 1;
        }
    }
    return 0;
}

static enum rx_verdict
exim_loose(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    size_t i;

    if (rx_tok(&c, &x->rdns, 1) && !rx_lit(&c, " "))
        x->rdns.n = 0;
    for (i = rx_find(x->s, x->n, 0, " ("); i < x->n;
         i = rx_find(x->s, x->n, i + 1, " (")) {
        rx_cur d = {x->s, x->n, i + 2, NULL};
        rx_span t;
        if (rx_tok(&d, &t, 2) && t.p[t.n - 1] == ')' && rx_lit(&d, " ")) {
            x->helo.p = t.p;
            x->helo.n = t.n - 1;
            break;
        }
    }
    for (i = rx_find(x->s, x->n, 0, " ["); i < x->n;
         i = rx_find(x->s, x->n, i + 1, " [")) {
        rx_cur d = {x->s, x->n, i + 2, NULL};
        rx_span ip;
        size_t st;
        if (!rx_ip(&d, &ip))
            continue;
        if (rx_lit(&d, ".")) {
            st = d.i;
            while (d.i < d.n && is_digit(d.s[d.i]))
                d.i++;
            if (d.i == st)
                continue;
        }
        if (rx_lit(&d, "] ")) {
            x->ip = ip;
            break;
        }
    }
    i = rx_find(x->s, x->n, 0, "by ");
    for (; i < x->n; i = rx_find(x->s, x->n, i + 1, "by ")) {
        rx_cur d = {x->s, x->n, i + 3, NULL};
        rx_span by;
        if (rx_tok(&d, &by, 1) && rx_lit(&d, " ")) {
            x->by = by;
            return x->ip.n > 0 ? RX_DONE : RX_NO;
        }
    }
    return RX_NO;
}

static enum rx_verdict
b_exim(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span ip, sub, by, rdns;

    if (exim_local(x))
        return RX_SKIP;
    if (rx_br_ip(&c, &ip) && rx_lit(&c, " (") && exim_sub_by(&c, &sub, &by)) {
        x->ip = ip;
        x->by = by;
        rx_sub_helo_ident(x, sub);
        return RX_DONE;
    }
    c.i = 0;
    if (rx_tok(&c, &rdns, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "]") && exim_sub_by(&c, &sub, &by)) {
        x->rdns = x->helo = rdns;
        x->ip = ip;
        x->by = by;
        rx_sub_helo_ident(x, sub);
        return RX_DONE;
    }
    c.i = 0;
    if (rx_tok(&c, &rdns, 1) && rx_lit(&c, " ") && rx_br_ip(&c, &ip)) {
        if (rx_lit(&c, ":")) {
            size_t st = c.i;
            while (c.i < c.n && is_digit(c.s[c.i]))
                c.i++;
            if (c.i == st)
                return exim_loose(x);
        }
        if (rx_by_tok(&c, &by, " ")) {
            x->rdns = x->helo = rdns;
            x->ip = ip;
            x->by = by;
            return RX_DONE;
        }
    }
    return exim_loose(x);
}

static int
g_postfix(const rx_state *x)
{
    return rx_xhas(x, RXL_POSTFIX);
}

static enum rx_verdict
b_postfix(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, rdns, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " (") && rx_tok(&c, &rdns, 1) &&
        rx_lit(&c, " ") && rx_br_ip(&c, &ip) && rx_lit(&c, ")") &&
        rx_by_tok(&c, &by, " "))
        goto ok;
    c.i = 0;
    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " (") &&
        rx_tok_last(&c, '[', &rdns, 1) && rx_br_ip(&c, &ip) &&
        rx_lit(&c, ")") && rx_by_tok(&c, &by, " "))
        goto ok;
    return RX_NO;
ok:
    rx_set3(x, &helo, &ip, &by);
    x->rdns = rdns;
    if (sq_strncaseeq(rdns.p, rdns.n, "unknown") &&
        memcmp(rdns.p, "unknown", 7) == 0)
        x->rdns.n = 0;
    return RX_DONE;
}

static int
g_scalix(const rx_state *x)
{
    return rx_xhas(x, RXL_SCALIX);
}

static enum rx_verdict
b_scalix(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (!rx_tok(&c, &helo, 1) || !rx_lit(&c, " ("))
        return RX_NO;
    rx_lit(&c, " ");
    if (!rx_ip(&c, &ip) || !rx_lit(&c, ")") || !rx_by_tok(&c, &by, ""))
        return RX_NO;
    rx_set3(x, &helo, &ip, &by);
    return RX_DONE;
}

static int
g_domino(const rx_state *x)
{
    return rx_xhas(x, RXL_DOMINO);
}

static enum rx_verdict
b_domino(rx_state *x)
{
    rx_cur c = RX_CUR(x);
    rx_span helo, ip, by;

    if (rx_tok(&c, &helo, 1) && rx_lit(&c, " ([") && rx_ip(&c, &ip) &&
        rx_lit(&c, "])") && rx_by_tok(&c, &by, " (Lotus")) {
        rx_set3(x, &helo, &ip, &by);
        return RX_DONE;
    }
    return RX_NO;
}

static const struct {
    int (*guard)(const rx_state *);
    enum rx_verdict (*body)(rx_state *);
} product_chain[] = {
    {g_smtpsvc, b_smtpsvc},     {g_mssmtp, b_mssmtp}, {g_xmail, b_xmail},
    {g_ecelerity, b_ecelerity}, {g_exim, b_exim},     {g_postfix, b_postfix},
    {g_scalix, b_scalix},       {g_domino, b_domino},
};

/* Every guard above needs one of these literals in the working text. */
#define PRODUCT_LITS                                                           \
    (RX_BIT(RXL_SMTPSVC) | RX_BIT(RXL_MSSMTP) | RX_BIT(RXL_MAPI) |             \
     RX_BIT(RXL_XMAIL) | RX_BIT(RXL_ECELERITY) | RX_BIT(RXL_EXIM) |            \
     RX_BIT(RXL_POSTFIX) | RX_BIT(RXL_SCALIX) | RX_BIT(RXL_DOMINO))

enum rx_verdict
rx_product(rx_state *x)
{
    if (!rx_xmay(x, PRODUCT_LITS))
        return RX_NO;
    for (size_t k = 0; k < sizeof(product_chain) / sizeof(product_chain[0]);
         k++)
        if (product_chain[k].guard(x))
            return product_chain[k].body(x);
    return RX_NO;
}

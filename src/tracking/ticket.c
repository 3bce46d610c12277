/*
 * ticket.c - the abuse desk's ticket number in a reply's Subject.
 * A hand-written matcher (no regex): the subject is short, and the
 * forms are few.  Three rules, first hit wins (docs/TRACKING.md):
 *
 *   1. a bracket "[...]" of at most 64 bytes whose text ends in
 *      "#TOKEN" ("[Ticket#12345]", "[RT #123]", "[example.net #77]") or
 *      starts with AbuseIO ("[AbuseIO 42]"): the bracket's text;
 *   2. a keyword (ticket, case, incident, request, reference, ref,
 *      abuseio) at a word start, then optional "id"/"no"/"number"/"nr",
 *      ':' or '#', then TOKEN: "Case 123456", "Ticket ID: A-77";
 *   3. '#' at a word start, then LETTERS-DIGITS or at least 4 digits:
 *      "#ABUSE-1234", "#123456".
 * TOKEN is 2..40 bytes of letters, digits, '-' and '_' with a digit,
 * not followed by '.' or ':' and more (an IP address, a time).
 * The ticket is the text as written (without brackets or a leading
 * '#'), at most SQ_TICKET_MAX bytes.
 */
#include "tracking/tracking_int.h"

#include <string.h>

enum { TK_BRACKET_MAX = 64, TK_TOKEN_MIN = 2, TK_TOKEN_MAX = 40 };

static int
tk_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

static int
tk_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of a TOKEN at s[i..n), 0 when there is none. */
static size_t
tk_token(const char *s, size_t n, size_t i)
{
    size_t k = 0;
    int dig = 0;

    while (i + k < n &&
           (tk_alnum(s[i + k]) || s[i + k] == '-' || s[i + k] == '_')) {
        dig |= tk_digit(s[i + k]);
        if (++k > TK_TOKEN_MAX)
            return 0;
    }
    /* part of a dotted or colon-separated thing (an IP address, a
     * time): not a ticket */
    if (i + k + 1 < n && (s[i + k] == '.' || s[i + k] == ':') &&
        tk_alnum(s[i + k + 1]))
        return 0;
    return k >= TK_TOKEN_MIN && dig ? k : 0;
}

static int
tk_out(const char *s, size_t n, char *buf, size_t buflen)
{
    while (n > 0 && (*s == ' ' || *s == '#'))
        s++, n--;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0 || n > SQ_TICKET_MAX || n >= buflen)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[n] = '\0';
    return 1;
}

/* Rule 1 for the bracket text [b, b+n). */
static int
tk_bracket(const char *b, size_t n, char *buf, size_t buflen)
{
    size_t h = n, t;

    while (h > 0 && b[h - 1] != '#')
        h--;
    if (h > 0 && (t = tk_token(b, n, h)) > 0 && h + t == n)
        return tk_out(b, n, buf, buflen);
    if (n > 8 && sq_strncaseeq(b, 7, "abuseio") && b[7] == ' ')
        return tk_out(b, n, buf, buflen);
    return 0;
}

static const char *const tk_keywords[] = {
    "ticket", "case", "incident", "request", "reference", "ref", "abuseio"};
static const char *const tk_fillers[] = {"id", "no.", "no", "number", "nr"};

/* s[i..] starts with word w followed by a non-letter: its length. */
static size_t
tk_word(const char *s, size_t n, size_t i, const char *w)
{
    size_t l = strlen(w);

    if (n - i < l || !sq_strncaseeq(s + i, l, w) ||
        (i + l < n && tk_alnum(s[i + l]) && w[l - 1] != '.'))
        return 0;
    return l;
}

static size_t
tk_skip_sep(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == ':' || s[i] == '#'))
        i++;
    return i;
}

/* Rule 2 at s[i] (a word start): end of the match or 0. */
static size_t
tk_keyword(const char *s, size_t n, size_t i)
{
    for (size_t k = 0; k < sizeof(tk_keywords) / sizeof(tk_keywords[0]); k++) {
        size_t l = tk_word(s, n, i, tk_keywords[k]), j, t;

        if (l == 0)
            continue;
        j = tk_skip_sep(s, n, i + l);
        for (size_t f = 0; f < sizeof(tk_fillers) / sizeof(tk_fillers[0]);
             f++) {
            size_t fl = tk_word(s, n, j, tk_fillers[f]);

            if (fl > 0 && j > i + l) {
                j = tk_skip_sep(s, n, j + fl);
                break;
            }
        }
        if (j > i + l && (t = tk_token(s, n, j)) > 0)
            return j + t;
    }
    return 0;
}

/* Rule 3 at s[i] == '#': end of the match or 0. */
static size_t
tk_hash(const char *s, size_t n, size_t i)
{
    size_t j = i + 1, a = 0, d = 0;

    while (j + a < n && ((s[j + a] >= 'a' && s[j + a] <= 'z') ||
                         (s[j + a] >= 'A' && s[j + a] <= 'Z')))
        a++;
    if (a > 0 && j + a < n && s[j + a] == '-')
        j += a + 1;
    else if (a > 0)
        return 0;
    while (j + d < n && tk_digit(s[j + d]))
        d++;
    if (d == 0 || (a == 0 && d < 4) || d > TK_TOKEN_MAX ||
        (j + d < n && tk_alnum(s[j + d])))
        return 0;
    return j + d;
}

int
sq_tracking_ticket(const char *s, size_t n, char *buf, size_t buflen)
{
    size_t e;

    if (s == NULL || buf == NULL || buflen == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *c;

        if (s[i] != '[')
            continue;
        c = memchr(s + i, ']', n - i);
        if (c != NULL && (size_t)(c - s - i - 1) <= TK_BRACKET_MAX &&
            tk_bracket(s + i + 1, (size_t)(c - s - i - 1), buf, buflen))
            return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && tk_alnum(s[i - 1]))
            continue;
        if ((e = tk_keyword(s, n, i)) > 0)
            return tk_out(s + i, e - i, buf, buflen);
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '#' && (i == 0 || !tk_alnum(s[i - 1])) &&
            (e = tk_hash(s, n, i)) > 0)
            return tk_out(s + i, e - i, buf, buflen);
    }
    return 0;
}

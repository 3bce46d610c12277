/*
 * time.c - lenient RFC 5322 / RFC 822 date-time parsing as found at the
 * end of real Received headers, and ISO 8601 UTC formatting.
 *
 * Accepted (case-insensitive, comments "(...)" and extra white space
 * anywhere between tokens):
 *   [weekday[,]] day month year time [zone]      RFC 5322 order
 *   [weekday] month day time year [zone]         asctime()/ctime order
 * weekday/month: any prefix of at least 3 letters of the English name
 * ("Thu", "Thurs", "Sept", "September"); the weekday is not checked
 * against the date.  day: 1..2 digits.  year: 4 digits (1900..9999),
 * 2 digits (< 50 -> 20xx, else 19xx) or 3 digits (+1900, RFC 5322 4.3).
 * time: H[H]:MM[:SS[.fraction]], seconds 0..60.  zone: +hhmm/-hhmm or
 * +hh:mm (hh <= 23, mm <= 59); UT, UTC, GMT, Z and the US zones
 * EST/EDT/CST/CDT/MST/MDT/PST/PDT with their RFC 822 offsets; any other
 * alphabetic zone (military letters, "CEST", ...) counts as +0000, as
 * RFC 5322 4.3 says; "GMT+0100" uses the numeric part; no zone = UTC.
 * After the zone, text separated by white space is ignored (some MTAs
 * append their queue id); without a zone only comments may follow.
 *
 * The epoch is computed with a proleptic Gregorian day count, not
 * timegm/mktime, so neither the locale nor TZ matter.
 *
 * Ownership: none (pure functions).  Limits: TIME_TEXT_MAX bytes of
 * input, COMMENT_DEPTH_MAX levels of nested comments.
 */
#include "core_int.h"

#include <stdio.h>
#include <string.h>

enum {
    TIME_TEXT_MAX = 256,
    COMMENT_DEPTH_MAX = 8,
    WORD_MAX = 16,
};

typedef struct cursor {
    const char *s;
    size_t len, i;
} cursor;

typedef struct date_parts {
    long long year;
    int mon, day, hour, min, sec, zone_sec;
} date_parts;

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
static const char *const day_names[7] = {"monday",   "tuesday", "wednesday",
                                         "thursday", "friday",  "saturday",
                                         "sunday"};

/* Named zones with an offset (minutes east of UTC). */
static const struct {
    const char *name;
    int minutes;
} zone_names[] = {
    {"UT", 0},        {"UTC", 0},       {"GMT", 0},       {"Z", 0},
    {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
    {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60},
};

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skip a comment starting at '('; unterminated comments run to the end. */
static int
skip_comment(cursor *c)
{
    int depth = 0;

    while (c->i < c->len) {
        char ch = c->s[c->i++];
        if (ch == '\\' && c->i < c->len)
            c->i++;
        else if (ch == '(' && ++depth > COMMENT_DEPTH_MAX)
            return 0;
        else if (ch == ')' && --depth == 0)
            return 1;
    }
    return 1;
}

/* Skip white space and comments; 0 when comments nest too deep. */
static int
skip_cfws(cursor *c)
{
    while (c->i < c->len) {
        char ch = c->s[c->i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            c->i++;
        else if (ch == '(') {
            if (!skip_comment(c))
                return 0;
        } else
            break;
    }
    return 1;
}

/* An alphabetic word of 1..WORD_MAX letters. */
static int
read_word(cursor *c, const char **w, size_t *wlen)
{
    size_t start;

    skip_cfws(c);
    start = c->i;
    while (c->i < c->len && is_alpha(c->s[c->i]))
        c->i++;
    *w = c->s + start;
    *wlen = c->i - start;
    if (*wlen == 0 || *wlen > WORD_MAX) {
        c->i = start;
        return 0;
    }
    return 1;
}

/* Unsigned decimal of 1..maxd digits; *nd gets the digit count. */
static int
read_uint(cursor *c, int maxd, long long *v, int *nd)
{
    size_t start;

    skip_cfws(c);
    start = c->i;
    *v = 0;
    while (c->i < c->len && is_digit(c->s[c->i]) && c->i - start < (size_t)maxd)
        *v = *v * 10 + (c->s[c->i++] - '0');
    *nd = (int)(c->i - start);
    if (*nd == 0 || (c->i < c->len && is_digit(c->s[c->i]))) {
        c->i = start;
        return 0;
    }
    return 1;
}

/* Index of the name that w is a >= 3 letter prefix of, or -1. */
static int
name_index(const char *w, size_t wlen, const char *const *names, int n)
{
    if (wlen < 3)
        return -1;
    for (int k = 0; k < n; k++) {
        size_t nl = strlen(names[k]), j = 0;
        if (wlen > nl)
            continue;
        while (j < wlen && (w[j] | 0x20) == names[k][j])
            j++;
        if (j == wlen)
            return k;
    }
    return -1;
}

static int
read_month(cursor *c, int *mon)
{
    const char *w;
    size_t wl;
    size_t save = c->i;

    if (read_word(c, &w, &wl) &&
        (*mon = name_index(w, wl, month_names, 12)) >= 0)
        return 1;
    c->i = save;
    return 0;
}

/* H[H]:MM[:SS[.frac]] */
static int
read_time(cursor *c, date_parts *p)
{
    long long h, m, s = 0;
    int nd;

    if (!read_uint(c, 2, &h, &nd) || c->i >= c->len || c->s[c->i] != ':')
        return 0;
    c->i++;
    if (!read_uint(c, 2, &m, &nd) || nd != 2)
        return 0;
    if (c->i < c->len && c->s[c->i] == ':') {
        c->i++;
        if (!read_uint(c, 2, &s, &nd) || nd != 2)
            return 0;
        if (c->i < c->len && c->s[c->i] == '.') {
            c->i++;
            while (c->i < c->len && is_digit(c->s[c->i]))
                c->i++;
        }
    }
    if (h > 23 || m > 59 || s > 60)
        return 0;
    p->hour = (int)h;
    p->min = (int)m;
    p->sec = (int)s;
    return 1;
}

static int
read_year(cursor *c, long long *year)
{
    long long y;
    int nd;

    if (!read_uint(c, 4, &y, &nd))
        return 0;
    if (nd == 2)
        y += y < 50 ? 2000 : 1900;
    else if (nd == 3)
        y += 1900;
    else if (nd == 1)
        return 0;
    if (y < 1900)
        return 0;
    *year = y;
    return 1;
}

/* +hhmm, -hhmm, +hh:mm at the cursor (after white space). */
static int
read_numeric_zone(cursor *c, int *zone_sec)
{
    const char *s;
    size_t n;
    int sign, hh, mm;

    skip_cfws(c);
    s = c->s + c->i;
    n = c->len - c->i;
    if (n < 5 || (s[0] != '+' && s[0] != '-') || !is_digit(s[1]) ||
        !is_digit(s[2]))
        return 0;
    sign = s[0] == '-' ? -1 : 1;
    hh = (s[1] - '0') * 10 + (s[2] - '0');
    if (s[3] == ':')
        s++, n--, c->i++;
    if (n < 5 || !is_digit(s[3]) || !is_digit(s[4]) ||
        (n > 5 && is_digit(s[5])))
        return 0;
    mm = (s[3] - '0') * 10 + (s[4] - '0');
    if (hh > 23 || mm > 59)
        return 0;
    c->i += 5;
    *zone_sec = sign * (hh * 3600 + mm * 60);
    return 1;
}

/* Optional zone; *zone_sec = 0 when absent or unknown, *had = 1 when
 * one was read. */
static int
read_zone(cursor *c, int *zone_sec, int *had)
{
    const char *w;
    size_t wl;

    *zone_sec = 0;
    *had = 1;
    if (read_numeric_zone(c, zone_sec))
        return 1;
    if (!read_word(c, &w, &wl)) {
        *had = 0;
        return 1; /* no zone at all */
    }
    for (size_t k = 0; k < sizeof(zone_names) / sizeof(zone_names[0]); k++)
        if (sq_strncaseeq(w, wl, zone_names[k].name))
            *zone_sec = zone_names[k].minutes * 60;
    if (*zone_sec == 0 && wl <= 3 && c->i < c->len &&
        (c->s[c->i] == '+' || c->s[c->i] == '-'))
        return read_numeric_zone(c, zone_sec); /* "GMT+0100" */
    return wl <= 5;
}

/* day month year time  |  month day time year (after the weekday). */
static int
read_date(cursor *c, date_parts *p)
{
    long long day;
    int nd;

    if (read_month(c, &p->mon)) {
        if (!read_uint(c, 2, &day, &nd) || !read_time(c, p) ||
            !read_year(c, &p->year))
            return 0;
    } else {
        if (!read_uint(c, 2, &day, &nd) || !read_month(c, &p->mon) ||
            !read_year(c, &p->year) || !read_time(c, p))
            return 0;
    }
    p->day = (int)day;
    return 1;
}

static int
is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(long long y, int mon)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mon == 1 && is_leap(y) ? 29 : dm[mon];
}

/*
 * Days from 1970-01-01 to y-m-d (m 1..12), proleptic Gregorian.  Counts
 * in 400-year eras of 146097 days with March as the first month so the
 * leap day falls at the end of the computational year.
 */
long long
sq_time_days_from_civil(long long y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * After the date: comments and white space.  Once a zone was read,
 * anything separated from it by white space is ignored too, because
 * some MTAs append a queue id ("... -0600 id 000000DB.43735815").
 */
static int
trailer_ok(cursor *c, int had_zone)
{
    size_t before = c->i;

    if (!skip_cfws(c))
        return 0;
    if (c->i == c->len)
        return 1;
    return had_zone && c->i > before;
}

int
sq_time_parse_rfc5322(const char *s, size_t len, long long *out)
{
    cursor c = {s, len, 0};
    date_parts p;
    const char *w;
    size_t wl, save;
    int had_zone = 0;

    if (s == NULL || len == 0 || len > TIME_TEXT_MAX)
        return 0;
    memset(&p, 0, sizeof(p));
    save = c.i;
    if (read_word(&c, &w, &wl) && name_index(w, wl, day_names, 7) >= 0) {
        skip_cfws(&c);
        if (c.i < c.len && c.s[c.i] == ',')
            c.i++;
    } else {
        c.i = save;
    }
    if (!read_date(&c, &p) || !read_zone(&c, &p.zone_sec, &had_zone))
        return 0;
    if (!trailer_ok(&c, had_zone))
        return 0;
    if (p.day < 1 || p.day > days_in_month(p.year, p.mon))
        return 0;
    *out = sq_time_days_from_civil(p.year, p.mon + 1, p.day) * 86400LL +
           p.hour * 3600LL + p.min * 60LL + p.sec - p.zone_sec;
    return 1;
}

void
sq_time_format_utc(long long t, char *out, size_t outlen)
{
    long long days, secs, era, doe, yoe, y, doy, mp;
    int d, m;

    if (out == NULL || outlen == 0)
        return;
    days = t / 86400;
    secs = t % 86400;
    if (secs < 0) { /* floor division without overflow at LLONG_MIN */
        secs += 86400;
        days--;
    }
    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = (int)(doy - (153 * mp + 2) / 5 + 1);
    m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    snprintf(out, outlen, "%04lld-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

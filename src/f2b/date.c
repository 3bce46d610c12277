/*
 * date.c - find the time stamp of a log line the way fail2ban's date
 * detector does for the filters squeaky supports, so that it can be cut
 * out before matching (fail2ban matches the line without its date).
 *
 * Recognised (fail2ban's default templates that logs of the supported
 * daemons use): ISO 8601 "2005-01-23T21:59:59[.,frac][zone]" (also
 * "/" and "." separated), syslog "[Sun ]Jan 23 21:59:59[.frac][ 2005]",
 * "Jan 23 2005 21:59:59", Apache "23/Jan/2005:21:59:59 +0100", and
 * "EPOCH" (10-11 digits).  {^LN-BEG}: the date starts the line after at
 * most two non-word characters; without it (no datepattern) the first
 * date at a word start is taken.  Without a year the year of "now" is
 * used, the previous one when that puts the date more than a day ahead
 * (as fail2ban).  Times without a zone are in the caller's offset.
 */
#include "f2b/f2b_int.h"

#include <string.h>

typedef struct dt {
    int y, mo, d, h, mi, s;
    int has_year;
    int has_zone;
    long zone; /* seconds east of UTC */
} dt;

typedef struct cur {
    const char *s;
    size_t i, n;
} cur;

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_wordc(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '_' || (unsigned char)c >= 0x80;
}

static int
lit(cur *c, char ch)
{
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 1;
    }
    return 0;
}

/* 1..max digits (exactly max when exact), value into *v. */
static int
num(cur *c, int min, int max, int *v)
{
    int k = 0, x = 0;

    while (k < max && c->i + (size_t)k < c->n && is_digit(c->s[c->i + k])) {
        x = x * 10 + (c->s[c->i + k] - '0');
        k++;
    }
    if (k < min)
        return 0;
    c->i += (size_t)k;
    *v = x;
    return 1;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const wdays[] = {"mon", "tue", "wed", "thu",
                                    "fri", "sat", "sun"};

static int
name3(cur *c, const char *const *tab, int ntab)
{
    if (c->i + 3 > c->n)
        return -1;
    for (int k = 0; k < ntab; k++)
        if (sq_strncaseeq(c->s + c->i, 3, tab[k])) {
            c->i += 3;
            return k;
        }
    return -1;
}

/* %d: "23", "05", "5" or " 5". */
static int
day(cur *c, int *v)
{
    if (c->i < c->n && c->s[c->i] == ' ' && c->i + 1 < c->n &&
        is_digit(c->s[c->i + 1]))
        c->i++;
    return num(c, 1, 2, v) && *v >= 1 && *v <= 31;
}

/* H:M:S[.frac] with an optional space before a one-digit hour. */
static int
hms(cur *c, dt *t)
{
    if (c->i < c->n && c->s[c->i] == ' ')
        c->i++;
    if (!num(c, 1, 2, &t->h) || t->h > 23 || !lit(c, ':') ||
        !num(c, 2, 2, &t->mi) || t->mi > 59 || !lit(c, ':') ||
        !num(c, 2, 2, &t->s) || t->s > 61)
        return 0;
    if (c->i + 1 < c->n && (c->s[c->i] == '.' || c->s[c->i] == ',') &&
        is_digit(c->s[c->i + 1])) {
        c->i++;
        while (c->i < c->n && is_digit(c->s[c->i]))
            c->i++;
    }
    return 1;
}

/* [+-]hh[:]mm, Z, UTC, GMT. */
static int
zone(cur *c, dt *t)
{
    size_t save = c->i;
    int hh, mm, sign;

    if (c->i < c->n && c->s[c->i] == 'Z') {
        c->i++;
        t->has_zone = 1;
        t->zone = 0;
        return 1;
    }
    if (c->i + 3 <= c->n && (sq_strncaseeq(c->s + c->i, 3, "UTC") ||
                             sq_strncaseeq(c->s + c->i, 3, "GMT"))) {
        c->i += 3;
        t->has_zone = 1;
        t->zone = 0;
        return 1;
    }
    if (c->i >= c->n || (c->s[c->i] != '+' && c->s[c->i] != '-'))
        return 0;
    sign = c->s[c->i++] == '-' ? -1 : 1;
    if (!num(c, 2, 2, &hh)) {
        c->i = save;
        return 0;
    }
    (void)lit(c, ':');
    if (!num(c, 2, 2, &mm))
        mm = 0;
    t->has_zone = 1;
    t->zone = sign * (hh * 3600L + mm * 60L);
    return 1;
}

static int
tpl_iso(cur *c, dt *t)
{
    char sep;
    size_t save;

    if (!num(c, 4, 4, &t->y) || c->i >= c->n)
        return 0;
    sep = c->s[c->i];
    if ((sep != '-' && sep != '/' && sep != '.') || !lit(c, sep) ||
        !num(c, 1, 2, &t->mo) || t->mo < 1 || t->mo > 12 || !lit(c, sep) ||
        !num(c, 1, 2, &t->d) || t->d < 1 || t->d > 31)
        return 0;
    if (!lit(c, 'T')) {
        if (!lit(c, ' '))
            return 0;
        (void)lit(c, ' ');
    }
    if (!hms(c, t))
        return 0;
    t->has_year = 1;
    save = c->i;
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
    if (!zone(c, t))
        c->i = save;
    return 1;
}

static int
tpl_syslog(cur *c, dt *t)
{
    size_t save;

    if (name3(c, wdays, 7) >= 0 && !lit(c, ' '))
        return 0; /* a weekday name only */
    t->mo = name3(c, months, 12) + 1;
    if (t->mo == 0 || !lit(c, ' ') || !day(c, &t->d) || !lit(c, ' '))
        return 0;
    save = c->i;
    if (num(c, 4, 4, &t->y) && lit(c, ' ') && hms(c, t)) {
        t->has_year = 1; /* "Jan 23 2005 21:59:59" */
        return 1;
    }
    c->i = save;
    if (!hms(c, t))
        return 0;
    save = c->i;
    if (lit(c, ' ') && num(c, 4, 4, &t->y) &&
        (c->i >= c->n || !is_wordc(c->s[c->i])))
        t->has_year = 1;
    else
        c->i = save;
    return 1;
}

static int
tpl_apache(cur *c, dt *t)
{
    char sep;
    size_t save;

    if (!num(c, 1, 2, &t->d) || t->d < 1 || t->d > 31 || c->i >= c->n)
        return 0;
    sep = c->s[c->i];
    if ((sep != '/' && sep != '-') || !lit(c, sep))
        return 0;
    t->mo = name3(c, months, 12) + 1;
    if (t->mo == 0 || !lit(c, sep) || !num(c, 4, 4, &t->y))
        return 0;
    if (!lit(c, ':'))
        (void)lit(c, ' ');
    if (!hms(c, t))
        return 0;
    t->has_year = 1;
    save = c->i;
    if (!(lit(c, ' ') && zone(c, t)))
        c->i = save;
    return 1;
}

static long long
to_epoch(const dt *t, int year, long utc_offset)
{
    long long days = sq_time_days_from_civil(year, t->mo, t->d);
    long long s = days * 86400LL + t->h * 3600LL + t->mi * 60LL + t->s;

    return s - (t->has_zone ? t->zone : utc_offset);
}

static int
finish(const dt *t, long long now, long utc_offset, f2b_date *out)
{
    int year = t->y;

    if (!t->has_year) {
        long long local = now + utc_offset, days = local / 86400;
        long long y = 1970;

        /* the year of "now" in the caller's zone */
        while (sq_time_days_from_civil(y + 1, 1, 1) <= days)
            y++;
        year = (int)y;
        if (to_epoch(t, year, utc_offset) > now + 86400)
            year--;
    }
    out->t = to_epoch(t, year, utc_offset);
    out->zoned = t->has_zone;
    out->zone = t->has_zone ? t->zone : utc_offset;
    return 1;
}

static int
epoch(cur *c, long long *out)
{
    size_t b = c->i;
    long long v = 0;

    while (c->i < c->n && is_digit(c->s[c->i]) && c->i - b < 11)
        v = v * 10 + (c->s[c->i++] - '0');
    if (c->i - b < 10)
        return 0;
    if (c->i + 1 < c->n && c->s[c->i] == '.' && is_digit(c->s[c->i + 1])) {
        c->i++;
        while (c->i < c->n && is_digit(c->s[c->i]))
            c->i++;
    }
    *out = v;
    return 1;
}

/* Any template at position p; end of the date in *e. */
static int
date_at(const char *line, size_t len, size_t p, long long now, long off,
        size_t *e, f2b_date *t)
{
    int (*const tpls[])(cur *, dt *) = {tpl_iso, tpl_syslog, tpl_apache};

    for (size_t k = 0; k < sizeof(tpls) / sizeof(tpls[0]); k++) {
        cur c = {line, p, len};
        dt d;

        memset(&d, 0, sizeof(d));
        if (tpls[k](&c, &d) &&
            (c.i >= len || !is_wordc(line[c.i]) || !is_wordc(line[c.i - 1]))) {
            *e = c.i;
            return finish(&d, now, off, t);
        }
    }
    {
        cur c = {line, p, len};

        if (epoch(&c, &t->t) && (c.i >= len || !is_wordc(line[c.i]))) {
            *e = c.i;
            t->zoned = 1;
            t->zone = 0;
            return 1;
        }
    }
    return 0;
}

int
f2b_date_find(f2b_date_mode mode, const char *line, size_t len, long long now,
              long utc_offset, size_t *ds, size_t *de, f2b_date *t)
{
    if (mode == F2B_DATE_NONE)
        return 0;
    /* {^LN-BEG}: at most two non-word characters before the date */
    for (size_t p = 0; p <= 2 && p <= len; p++) {
        if (p > 0 && is_wordc(line[p - 1]))
            break;
        if (mode == F2B_DATE_EPOCH) {
            cur c = {line, p, len};

            if (epoch(&c, &t->t)) {
                t->zoned = 1;
                t->zone = 0;
                *ds = p;
                *de = c.i;
                return 1;
            }
            continue;
        }
        if (date_at(line, len, p, now, utc_offset, de, t)) {
            *ds = p;
            return 1;
        }
    }
    if (mode != F2B_DATE_DEFAULT)
        return 0;
    for (size_t p = 3; p < len; p++)
        if (!is_wordc(line[p - 1]) && is_wordc(line[p]) &&
            date_at(line, len, p, now, utc_offset, de, t)) {
            *ds = p;
            return 1;
        }
    return 0;
}

f2b_date_mode
f2b_date_mode_of(const char *pattern)
{
    /* each line is one template; the modes squeaky mimics */
    if (strcmp(pattern, "{^LN-BEG}") == 0 || strcmp(pattern, "^{DATE}") == 0 ||
        strcmp(pattern, "{^LN-BEG}TAI64N\n{^LN-BEG}") == 0)
        return F2B_DATE_LNBEG;
    if (strcmp(pattern, "{DATE}") == 0 || strcmp(pattern, "{DEFAULT}") == 0)
        return F2B_DATE_DEFAULT;
    if (sq_strncaseeq(pattern, strlen(pattern), "{^LN-BEG}EPOCH") ||
        sq_strncaseeq(pattern, strlen(pattern), "^EPOCH") ||
        sq_strncaseeq(pattern, strlen(pattern), "EPOCH"))
        return F2B_DATE_EPOCH;
    return F2B_DATE_NONE;
}

/*
 * scan_time.c - time stamps at the start of log lines: syslog without a
 * year, RFC 3339 / ISO 8601, epoch seconds, Apache "[d/Mon/y:h:m:s z]".
 *
 * Pure functions; the epoch comes from sq_time_days_from_civil (no
 * timegm, no TZ, no locale).  A stamp is at most TIME_MAX bytes.  Rules
 * (year inference, zones) are documented in docs/SCAN.md.
 */
#include "scan_int.h"

#include "core/core_int.h"

#include <string.h>

enum { TIME_MAX = 64, DAY = 86400 };

typedef struct tparts {
    long long year;
    int mon, day, hour, min, sec;
    unsigned usec;
    int zone, has_zone, has_year;
    size_t used;
} tparts;

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int
isdig(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly k digits at p[*i]. */
static int
digits(const char *p, size_t n, size_t *i, int k, int *v)
{
    int x = 0;

    if (*i > n || n - *i < (size_t)k)
        return 0;
    for (int j = 0; j < k; j++) {
        if (!isdig(p[*i + (size_t)j]))
            return 0;
        x = x * 10 + (p[*i + (size_t)j] - '0');
    }
    *i += (size_t)k;
    *v = x;
    return 1;
}

static int
month3(const char *p, size_t n, size_t i)
{
    if (n < 3 || i > n - 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (memcmp(p + i, months + (size_t)m * 3, 3) == 0)
            return m + 1;
    return 0;
}

/* HH:MM:SS[(.|,)fraction] */
static int
read_hms(const char *p, size_t n, size_t *i, tparts *t)
{
    unsigned scale = 100000;

    if (!digits(p, n, i, 2, &t->hour) || *i >= n || p[(*i)++] != ':' ||
        !digits(p, n, i, 2, &t->min) || *i >= n || p[(*i)++] != ':' ||
        !digits(p, n, i, 2, &t->sec))
        return 0;
    if (t->hour > 23 || t->min > 59 || t->sec > 60)
        return 0;
    if (*i + 1 < n && (p[*i] == '.' || p[*i] == ',') && isdig(p[*i + 1])) {
        for ((*i)++; *i < n && isdig(p[*i]); (*i)++) {
            t->usec += (unsigned)(p[*i] - '0') * scale;
            scale /= 10;
        }
    }
    return 1;
}

/* Z, +hh:mm, +hhmm, +hh; *i moves past it. */
static int
read_zone(const char *p, size_t n, size_t *i, tparts *t)
{
    size_t j = *i;
    int h, m = 0, sign;

    if (j < n && p[j] == 'Z') {
        *i = j + 1;
        t->has_zone = 1;
        return 1;
    }
    if (j >= n || (p[j] != '+' && p[j] != '-'))
        return 0;
    sign = p[j++] == '-' ? -1 : 1;
    if (!digits(p, n, &j, 2, &h))
        return 0;
    if (j < n && p[j] == ':')
        j++;
    if (j < n && isdig(p[j]) && !digits(p, n, &j, 2, &m))
        return 0;
    if (h > 23 || m > 59)
        return 0;
    t->zone = sign * (h * 60 + m);
    t->has_zone = 1;
    *i = j;
    return 1;
}

/* YYYY-MM-DD[T ]HH:MM:SS[frac][zone] (zone also after one space). */
static int
parse_iso(const char *p, size_t n, tparts *t)
{
    size_t i = 0;
    int y;

    if (!digits(p, n, &i, 4, &y) || i >= n || p[i++] != '-' ||
        !digits(p, n, &i, 2, &t->mon) || i >= n || p[i++] != '-' ||
        !digits(p, n, &i, 2, &t->day) || i >= n || (p[i] != 'T' && p[i] != ' '))
        return 0;
    i++;
    t->year = y;
    t->has_year = 1;
    if (!read_hms(p, n, &i, t))
        return 0;
    if (i < n && (p[i] == '+' || p[i] == '-' || p[i] == 'Z') &&
        !read_zone(p, n, &i, t))
        return 0; /* a broken zone */
    if (!t->has_zone && i < n && p[i] == ' ') {
        /* Exim's " +0100": a space, then exactly +hhmm and a space. */
        size_t j = i + 1;

        if (j + 5 <= n && (p[j] == '+' || p[j] == '-') &&
            (j + 5 == n || p[j + 5] == ' ') && read_zone(p, j + 5, &j, t))
            i = j;
    }
    t->used = i;
    return 1;
}

/* Mmm [d]d HH:MM:SS, also "Mmm dd yyyy HH:MM:SS" (Cisco). */
static int
parse_syslog(const char *p, size_t n, tparts *t)
{
    size_t i = 3;
    int y;

    if ((t->mon = month3(p, n, 0)) == 0 || i >= n || p[i++] != ' ')
        return 0;
    if (i < n && p[i] == ' ')
        i++;
    if (i < n && isdig(p[i]) && i + 1 < n && isdig(p[i + 1])) {
        t->day = (p[i] - '0') * 10 + (p[i + 1] - '0');
        i += 2;
    } else if (i < n && isdig(p[i])) {
        t->day = p[i++] - '0';
    } else {
        return 0;
    }
    if (i >= n || p[i++] != ' ')
        return 0;
    if (i + 5 <= n && p[i + 4] == ' ' && digits(p, n, &i, 4, &y)) {
        t->year = y;
        t->has_year = 1;
        i++;
    }
    if (!read_hms(p, n, &i, t))
        return 0;
    t->used = i;
    return 1;
}

/* [10/Oct/2000:13:55:36 -0700] (brackets optional). */
static int
parse_clf(const char *p, size_t n, tparts *t)
{
    size_t i = p[0] == '[' ? 1 : 0;
    int y;

    if (!digits(p, n, &i, 2, &t->day) || i >= n || p[i++] != '/' ||
        (t->mon = month3(p, n, i)) == 0)
        return 0;
    i += 3;
    if (i >= n || p[i++] != '/' || !digits(p, n, &i, 4, &y) || i >= n ||
        p[i++] != ':' || !read_hms(p, n, &i, t))
        return 0;
    t->year = y;
    t->has_year = 1;
    if (i < n && p[i] == ' ') {
        i++;
        if (!read_zone(p, n, &i, t))
            return 0;
    }
    if (p[0] == '[') {
        if (i >= n || p[i] != ']')
            return 0;
        i++;
    }
    t->used = i;
    return 1;
}

/* [Www Mmm dd HH:MM:SS[.frac] yyyy] (Apache error log, asctime). */
static int
parse_asctime(const char *p, size_t n, tparts *t)
{
    size_t i;
    int y;

    if (n < 26 || p[0] != '[' || p[4] != ' ' || !parse_syslog(p + 5, n - 5, t))
        return 0;
    i = 5 + t->used;
    if (i >= n || p[i++] != ' ' || !digits(p, n, &i, 4, &y) || i >= n ||
        p[i++] != ']')
        return 0;
    if (t->has_year)
        return 0; /* "Mmm dd yyyy hh:mm:ss yyyy" */
    t->year = y;
    t->has_year = 1;
    t->used = i;
    return 1;
}

/* 9..11 digits of epoch seconds, optional fraction. */
static int
parse_epoch(const char *p, size_t n, long long *secs, tparts *t)
{
    size_t i = 0;
    long long v = 0;
    unsigned scale = 100000;

    while (i < n && isdig(p[i]) && i < 12)
        v = v * 10 + (p[i++] - '0');
    if (i < 9 || i > 11 || (i < n && isdig(p[i])))
        return 0;
    if (i + 1 < n && p[i] == '.' && isdig(p[i + 1]))
        for (i++; i < n && isdig(p[i]); i++) {
            t->usec += (unsigned)(p[i] - '0') * scale;
            scale /= 10;
        }
    if (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != ',' && p[i] != ']' &&
        p[i] != ';')
        return 0;
    *secs = v;
    t->has_zone = 1;
    t->used = i;
    return 1;
}

static int
days_in(long long y, int m)
{
    static const int d[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && !leap ? 28 : d[m - 1];
}

static long long
to_epoch(const tparts *t, long long year)
{
    return sq_time_days_from_civil(year, t->mon, t->day) * DAY +
           t->hour * 3600LL + t->min * 60LL + t->sec;
}

/* The year of epoch seconds ref (UTC). */
static long long
year_of(long long ref)
{
    long long y = 1970 + ref / (365LL * DAY + DAY / 4);

    while (sq_time_days_from_civil(y, 1, 1) * DAY > ref)
        y--;
    while (sq_time_days_from_civil(y + 1, 1, 1) * DAY <= ref)
        y++;
    return y;
}

sq_status
sq_scan_time_parse(const char *s, size_t len, long long ref, int default_zone,
                   int default_zone_known, long long *t, unsigned *usec,
                   int *zone, unsigned *flags, size_t *used)
{
    tparts p;
    long long secs = 0, year;
    unsigned fl = SQ_SCAN_EV_TIME;

    if (s == NULL || len == 0)
        return SQ_EPARSE;
    if (len > TIME_MAX)
        len = TIME_MAX;
    memset(&p, 0, sizeof(p));
    if (isdig(s[0]) && len > 4 && s[4] == '-') {
        if (!parse_iso(s, len, &p))
            return SQ_EPARSE;
    } else if ((isdig(s[0]) && len > 2 && s[2] == '/') ||
               (s[0] == '[' && len > 3 && s[3] == '/')) {
        if (!parse_clf(s, len, &p))
            return SQ_EPARSE;
    } else if (s[0] == '[' && len > 4 && s[4] == ' ') {
        if (!parse_asctime(s, len, &p))
            return SQ_EPARSE;
    } else if (isdig(s[0])) {
        if (!parse_epoch(s, len, &secs, &p))
            return SQ_EPARSE;
        goto done;
    } else if (!parse_syslog(s, len, &p)) {
        return SQ_EPARSE;
    }
    if (p.mon < 1 || p.mon > 12 || p.day < 1)
        return SQ_EPARSE;
    if (!p.has_zone)
        p.zone = default_zone;
    if (p.has_year) {
        if (p.year < 1970 || p.day > days_in(p.year, p.mon))
            return SQ_EPARSE;
        secs = to_epoch(&p, p.year) - p.zone * 60LL;
    } else {
        /* No year: the reference's year, or the one before when that
         * would put the stamp more than a day after the reference. */
        year = year_of(ref + p.zone * 60LL);
        if (p.day > days_in(year, p.mon) && p.day > days_in(year - 1, p.mon))
            return SQ_EPARSE;
        if (p.day > days_in(year, p.mon) ||
            to_epoch(&p, year) - p.zone * 60LL > ref + DAY)
            year--;
        if (p.day > days_in(year, p.mon))
            return SQ_EPARSE;
        secs = to_epoch(&p, year) - p.zone * 60LL;
        fl |= SQ_SCAN_EV_YEAR;
    }
done:
    if (p.has_zone || default_zone_known)
        fl |= SQ_SCAN_EV_ZONE;
    if (t)
        *t = secs;
    if (usec)
        *usec = p.usec;
    if (zone)
        *zone = p.has_zone || default_zone_known ? p.zone : 0;
    if (flags)
        *flags = fl;
    if (used)
        *used = p.used;
    return SQ_OK;
}

/*
 * f2b_int.h - private types of the fail2ban filter module: a growable
 * string, the parsed INI configuration, the expanded filter and the
 * compiled regexes.  Never installed.
 */
#ifndef SQ_F2B_INT_H
#define SQ_F2B_INT_H

#include <squeaky/f2b.h>

#include "core/core_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stddef.h>

/* ---- growable string (str.c) ---- */
typedef struct f2b_buf {
    char *p;
    size_t n, cap;
    int oom; /* set once an append failed (or passed max) */
} f2b_buf;

void f2b_buf_add(f2b_buf *b, const char *s, size_t n);
void f2b_buf_adds(f2b_buf *b, const char *s);
void f2b_buf_free(f2b_buf *b);
/* Take the NUL-terminated string (never NULL unless oom). */
char *f2b_buf_take(f2b_buf *b);
/* The n bytes at s as a malloc'ed string (NULL when out of memory). */
char *f2b_dupn(const char *s, size_t n);

/* ---- INI configuration (ini.c) ---- */
typedef struct f2b_opt {
    char *name; /* lower case */
    char *value;
} f2b_opt;

typedef struct f2b_sect {
    char *name;
    f2b_opt *opts;
    size_t n, cap;
} f2b_sect;

typedef struct f2b_cfg {
    f2b_sect defaults;
    f2b_sect *sects;
    size_t n, cap;
} f2b_cfg;

void f2b_cfg_free(f2b_cfg *c);
void f2b_sect_clear_pub(f2b_sect *s);
/* Parse one file as Python's ConfigParser does with fail2ban's options
 * (";" inline comments, "#"/";" comment lines, indented continuation
 * lines, DEFAULT section, duplicate sections/options refused). */
sq_status f2b_ini_parse(const char *name, const char *s, size_t len,
                        f2b_cfg *out, sq_diag *d);
/* Merge src into dst as fail2ban merges included files (the values a
 * later file replaces are kept in "KNOWN/<section>"). */
sq_status f2b_cfg_merge(f2b_cfg *dst, const f2b_cfg *src);
f2b_sect *f2b_cfg_sect(const f2b_cfg *c, const char *name);
const char *f2b_sect_get(const f2b_sect *s, const char *name);
sq_status f2b_sect_set(f2b_sect *s, const char *name, const char *value);

/* ---- expansion (expand.c) ---- */
/* Value of option in section, %(..)s interpolated with vars first;
 * *out malloc'ed or NULL when the option (or section) does not exist. */
sq_status f2b_cfg_get(const f2b_cfg *c, const char *section, const char *opt,
                      const f2b_sect *vars, char **out, sq_diag *d);
/* Replace <tag>s with combined values, else with Definition options. */
sq_status f2b_subst_tags(const f2b_cfg *c, const f2b_sect *combined,
                         const f2b_sect *vars, const char *self,
                         const char *value, char **out, sq_diag *d);

/* ---- regexes (regex.c) ---- */
typedef struct f2b_re {
    char *src;        /* fail2ban syntax, expanded */
    pcre2_code *code; /* translated, JIT-compiled when possible */
    int has_failid;   /* a fid/ip4/ip6/dns/mlfid group */
} f2b_re;

/* Translate fail2ban's tags into PCRE2 and compile. */
sq_status f2b_re_compile(f2b_re *re, const char *src, const char *what,
                         sq_diag *d);
void f2b_re_free(f2b_re *re);
int f2b_re_has_group(const f2b_re *re, const char *name);

/* ---- dates (date.c) ---- */
typedef enum f2b_date_mode {
    F2B_DATE_DEFAULT = 0, /* fail2ban's default templates, searched */
    F2B_DATE_LNBEG,       /* {^LN-BEG}: at line start (after <= 2 \W) */
    F2B_DATE_EPOCH,       /* Epoch */
    F2B_DATE_NONE         /* datepattern that squeaky cannot mimic */
} f2b_date_mode;

typedef struct f2b_date {
    long long t; /* seconds since the epoch, UTC */
    int zoned;   /* the text carried a zone (or was an epoch) */
    long zone;   /* its offset, else the caller's; seconds east */
} f2b_date;

/* Find a date in line; 1 and [*ds, *de) the date text and *t when
 * found. */
int f2b_date_find(f2b_date_mode mode, const char *line, size_t len,
                  long long now, long utc_offset, size_t *ds, size_t *de,
                  f2b_date *t);
/* Parse a datepattern value; F2B_DATE_NONE when not supported. */
f2b_date_mode f2b_date_mode_of(const char *pattern);

/* ---- the filter ---- */
struct sq_f2b_filter {
    f2b_re *fail;
    size_t nfail;
    f2b_re *ignore;
    size_t nignore;
    f2b_re pref; /* pref.code NULL: none */
    char *datepattern;
    f2b_date_mode datemode;
    long maxlines;
    char **notes;
    size_t nnotes;
    uint32_t ovec_pairs; /* largest capture count + 1 */
};

/* Split the spec "name[k=v,...]" into name and params (vars). */
sq_status f2b_parse_spec(const char *spec, char **name, f2b_sect *params,
                         sq_diag *d);
sq_status f2b_filter_note(sq_f2b_filter *f, const char *fmt, ...)
    SQ_PRINTF(2, 3);

#endif

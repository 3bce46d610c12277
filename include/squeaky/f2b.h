/*
 * squeaky/f2b.h - fail2ban filter compatibility: load a fail2ban
 * filter.d/NAME.conf (INI dialect with [INCLUDES], [DEFAULT], [Init],
 * %(var)s and <tag> substitution, "name[key=value,...]" parameters) and
 * match log lines with it the way fail2ban does (date found and cut out
 * first, then ignoreregex, prefregex, failregex in order, multi-line
 * failure ids), with PCRE2 JIT and bounded matching.
 *
 * Supported and checked against fail2ban-regex: see docs/F2B.md.  Lines
 * are matched one at a time (maxlines > 1 and <SKIPLINES> are not
 * supported); <HOST> names are returned as text, never resolved.
 */
#ifndef SQUEAKY_F2B_H
#define SQUEAKY_F2B_H

#include <squeaky/core.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Named limits. */
enum {
    SQ_F2B_MAX_LINE = 64 * 1024,   /* longest log line matched */
    SQ_F2B_MAX_CONF = 1024 * 1024, /* largest .conf file read */
    SQ_F2B_MAX_INCLUDES = 32,      /* files in one filter */
    SQ_F2B_MAX_VALUE = 256 * 1024, /* an expanded option value */
    SQ_F2B_MATCH_LIMIT = 1000000,  /* PCRE2 match limit per regex */
    SQ_F2B_DEPTH_LIMIT = 10000,    /* PCRE2 depth limit per regex */
    SQ_F2B_MLFID_CACHE = 100       /* as fail2ban's mlfid cache */
};

typedef struct sq_f2b_filter sq_f2b_filter;
typedef struct sq_f2b_matcher sq_f2b_matcher;

/* Reads one file for sq_f2b_filter_load_mem(): name is relative to the
 * configuration directory (filter.d/sshd.conf, filter.d/common.local).
 * Return 1 and set *data and *len (borrowed until the next call or the end
 * of the load), 0 when the file does not exist, -1 when it cannot be
 * read. */
typedef int (*sq_f2b_read_fn)(void *ctx, const char *name, const char **data,
                              size_t *len);

/* Load filter spec "NAME" or "NAME[key=value, key2=\"v\"]" from
 * dir/filter.d/NAME.conf (dir NULL: /etc/fail2ban), with its includes
 * and .local overrides.  On failure *out is untouched and d says why in
 * one line ("sshd.conf:12: ..."). */
SQ_API sq_status sq_f2b_filter_load(const char *dir, const char *spec,
                                    sq_f2b_filter **out, sq_diag *d);
/* Same, files read through fn (no file system access). */
SQ_API sq_status sq_f2b_filter_load_mem(const char *spec, sq_f2b_read_fn fn,
                                        void *ctx, sq_f2b_filter **out,
                                        sq_diag *d);
SQ_API void sq_f2b_filter_free(sq_f2b_filter *f);

/* The expanded regexes, in fail2ban's syntax before tag translation.
 * Borrowed from f; NULL when i is out of range (or no prefregex). */
SQ_API size_t sq_f2b_filter_failregex_count(const sq_f2b_filter *f);
SQ_API const char *sq_f2b_filter_failregex(const sq_f2b_filter *f, size_t i);
SQ_API size_t sq_f2b_filter_ignoreregex_count(const sq_f2b_filter *f);
SQ_API const char *sq_f2b_filter_ignoreregex(const sq_f2b_filter *f, size_t i);
SQ_API const char *sq_f2b_filter_prefregex(const sq_f2b_filter *f);
SQ_API const char *sq_f2b_filter_datepattern(const sq_f2b_filter *f);
/* Notes on what the filter uses that squeaky treats differently
 * (maxlines > 1, a datepattern it cannot mimic, ...); borrowed. */
SQ_API size_t sq_f2b_filter_note_count(const sq_f2b_filter *f);
SQ_API const char *sq_f2b_filter_note(const sq_f2b_filter *f, size_t i);

/* A matcher keeps the per-stream state fail2ban keeps: the multi-line
 * failure id cache (<F-MLFID>, <F-NOFAIL>, ...) and the last result.
 * now: seconds since the epoch used to infer missing years; utc_offset:
 * seconds east of UTC for times without a zone. The filter must outlive
 * the matcher. */
SQ_API sq_status sq_f2b_matcher_new(const sq_f2b_filter *f, long long now,
                                    long utc_offset, sq_f2b_matcher **out);
SQ_API void sq_f2b_matcher_free(sq_f2b_matcher *m);

typedef enum sq_f2b_result {
    SQ_F2B_NOMATCH = 0, /* no failure on this line */
    SQ_F2B_MATCH,       /* a failure: host, time, user below */
    SQ_F2B_IGNORED,     /* a failregex matched but an ignoreregex too */
    SQ_F2B_NOFAIL       /* matched, but not a failure (<F-NOFAIL>,
                           <F-MLFGAINED>, a pending id): state only */
} sq_f2b_result;

/* Match one line (without its newline).  SQ_OK and *res; or
 * SQ_ELIMIT_LINE for a line longer than SQ_F2B_MAX_LINE, SQ_EPARSE when
 * a regex hit its match or depth limit (sq_f2b_matcher_error() says
 * which); *res is SQ_F2B_NOMATCH then. */
SQ_API sq_status sq_f2b_match(sq_f2b_matcher *m, const char *line, size_t len,
                              sq_f2b_result *res);

/* Results of the last SQ_F2B_MATCH, borrowed until the next match. */
SQ_API const char *sq_f2b_match_host(const sq_f2b_matcher *m);
/* 1 when the host is a name (<DNS>/<HOST> text); squeaky never
 * resolves it (fail2ban would). */
SQ_API int sq_f2b_match_host_is_name(const sq_f2b_matcher *m);
/* Seconds since the epoch, UTC; -1 when the line had no date. */
SQ_API long long sq_f2b_match_time(const sq_f2b_matcher *m);
/* 1 when the date carried its own zone (or was an epoch), with its
 * offset east of UTC in *offset (NULL allowed); 0 when the caller's
 * offset was used (then *offset is that). */
SQ_API int sq_f2b_match_zone(const sq_f2b_matcher *m, long *offset);
/* The <F-USER> (or <F-ALT_USER>) text, NULL when none. */
SQ_API const char *sq_f2b_match_user(const sq_f2b_matcher *m);
/* Index of the failregex that matched (0-based). */
SQ_API size_t sq_f2b_match_index(const sq_f2b_matcher *m);
/* Value of another group of the last match (e.g. "port", "mlfid"); NULL
 * when absent. */
SQ_API const char *sq_f2b_match_group(const sq_f2b_matcher *m,
                                      const char *name);
/* One line describing the last SQ_EPARSE/SQ_ELIMIT_LINE; "" otherwise. */
SQ_API const char *sq_f2b_matcher_error(const sq_f2b_matcher *m);

#ifdef __cplusplus
}
#endif
#endif

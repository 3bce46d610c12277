/*
 * whoistext_int.h - shared pieces of the port-43 text parsers
 * (whoistext.c and one file per registry family: whoistext_rpsl.c,
 * whoistext_arin.c, whoistext_lacnic.c, whoistext_nir.c).
 *
 * Every function reads [s, s+n) only and never needs a NUL.  Strings
 * kept in the answer are copied into its arena; wt_objects holds
 * pointers into the caller's text and lives no longer than it.
 *
 * Limits: lines are cut at WT_LINE_MAX bytes (the rest of the line is
 * skipped); an RPSL-style answer keeps at most WT_MAX_OBJECTS objects
 * and WT_MAX_ATTRS attributes (a warning says when more were dropped).
 */
#ifndef SQ_WHOISTEXT_INT_H
#define SQ_WHOISTEXT_INT_H

#include "whois/whois_int.h"

#include <stddef.h>

enum {
    WT_LINE_MAX = 64 * 1024,
    WT_MAX_OBJECTS = 512,
    WT_MAX_ATTRS = 8192,
    WT_KEY_MAX = 64,
    WT_DISPATCH_DEPTH = 2 /* LACNIC joint whois -> another format */
};

/* What one parse works with. */
typedef struct wt_ctx {
    sq_whois_answer *a;
    const char *where; /* server name for contacts ("" when unknown) */
    wt_registry reg;   /* flavour in use */
    int depth;         /* re-dispatch depth */
    wt_registry nir;   /* RPSL: the NIR whose space this is, or unknown */
} wt_ctx;

/* ---- lines (whoistext.c) ---- */

typedef struct wt_lines {
    const char *p, *end;
} wt_lines;

void wt_lines_init(wt_lines *c, const char *s, size_t n);
/* Next line without its CR/LF, cut at WT_LINE_MAX; 0 at the end. */
int wt_lines_next(wt_lines *c, const char **line, size_t *n);

void wt_trim(const char **s, size_t *n);
/* "key: value" with a key of 1..WT_KEY_MAX bytes of [A-Za-z0-9-_.]
 * (ARIN, RPSL, LACNIC); the value trimmed.  Returns 1 when it is one. */
int wt_split_attr(const char *line, size_t n, const char **key, size_t *klen,
                  const char **val, size_t *vlen);
/* 1 when [s, s+n) contains lit, ignoring case. */
int wt_has(const char *s, size_t n, const char *lit);

/* ---- RPSL-like objects: blank-line separated (whoistext.c) ---- */

typedef struct wt_attr {
    const char *key, *val;
    size_t klen, vlen;
} wt_attr;

typedef struct wt_obj {
    size_t first, count; /* attrs[first .. first+count) */
} wt_obj;

typedef struct wt_objects {
    wt_attr *attrs;
    size_t nattrs;
    wt_obj *objs;
    size_t nobjs;
    size_t cap_attrs, cap_objs; /* allocated sizes */
} wt_objects;

/* Comment lines ('%', '#') are skipped; continuation lines (leading
 * blank or '+') become another attribute with the previous key.
 * SQ_ENOMEM or SQ_OK; a warning in c->a when limits cut the text. */
sq_status wt_objects_parse(wt_ctx *c, const char *txt, size_t len,
                           wt_objects *o);
void wt_objects_free(wt_objects *o);
/* The first attribute of ob named key, or NULL. */
const wt_attr *wt_obj_get(const wt_objects *o, const wt_obj *ob,
                          const char *key);
/* 1 when the object's class (first key) is key. */
int wt_obj_is(const wt_objects *o, const wt_obj *ob, const char *key);
/* The object whose primary key or nic-hdl / nic-hdl-br is handle. */
const wt_obj *wt_obj_find(const wt_objects *o, const char *h, size_t hn);

/* ---- ranges ---- */

/* "a - b", "a-b" or "a/n" (zero padded or abbreviated IPv4 allowed),
 * trailing " (...)" ignored.  1 on success. */
int wt_range_parse(const char *s, size_t n, sq_ipaddr *lo, sq_ipaddr *hi);
/* Set the answer's range from such a text; 1 on success. */
int wt_set_range_any(wt_ctx *c, const char *s, size_t n);
/* -1, 0, 1 as the size of [lo1,hi1] is smaller, equal, larger. */
int wt_range_cmp_size(const sq_ipaddr *lo1, const sq_ipaddr *hi1,
                      const sq_ipaddr *lo2, const sq_ipaddr *hi2);

/* ---- contacts and fields ---- */

/* Calls fn for each address-shaped token in [s, s+n). Returns count. */
size_t wt_scan_emails(const char *s, size_t n,
                      void (*fn)(void *arg, const char *e, size_t en),
                      void *arg);
/* Add every address in a structured value (e-mail:, OrgAbuseEmail:). */
size_t wt_add_emails(wt_ctx *c, const char *s, size_t n, sq_contact_role role,
                     sq_confidence conf, int fallback, const char *handle);
/* Addresses in free text (remarks, descr, Comment): fallback; role
 * abuse and medium confidence when [ctx, ctx+cn) or the text speaks of
 * abuse or spam, else tech and low. ctx may be NULL. */
void wt_add_free_text(wt_ctx *c, const char *s, size_t n, const char *ctx,
                      size_t cn, const char *handle);
/* 1 when the text speaks of abuse or spam. */
int wt_says_abuse(const char *s, size_t n);

/* allocated date from YYYY-MM-DD..., YYYYMMDD or YYYY/MM/DD. */
void wt_set_date(wt_ctx *c, const char *s, size_t n);
/* a->referral from "whois://host:port/", "rwhois://h:p", "host". */
void wt_set_referral(wt_ctx *c, const char *s, size_t n);
/* The registry an NIR / RIR word in the text names ("JPNIC", "RIPE
 * NCC", "AfriNIC" ...), WT_UNKNOWN when none. */
wt_registry wt_registry_in_text(const char *s, size_t n);
/* A warning quoting registry text (shown printable, truncated). */
void wt_warn_text(wt_ctx *c, const char *what, const char *s, size_t n);
/* net.registry from c->reg. */
void wt_set_registry(wt_ctx *c);
/* Handle text as a NUL-terminated copy in the arena ("" when n == 0). */
const char *wt_handle(wt_ctx *c, const char *s, size_t n);
/* Origin AS from "AS2856" / "2856"; 1 when set. */
int wt_set_origin(wt_ctx *c, const char *s, size_t n);

/* Parse txt as registry family r (re-entry for the LACNIC joint whois). */
sq_status wt_dispatch(wt_ctx *c, wt_registry r, const char *txt, size_t len);

/* ---- the families ---- */

sq_status wt_parse_rpsl(wt_ctx *c, const char *txt, size_t len);
sq_status wt_parse_arin(wt_ctx *c, const char *txt, size_t len);
/* RWhois answers ("network:IP-Network:...", whoistext_arin.c). */
int wt_is_rwhois(const char *txt, size_t len);
sq_status wt_parse_rwhois(wt_ctx *c, const char *txt, size_t len);
sq_status wt_parse_lacnic(wt_ctx *c, const char *txt, size_t len);
/* JPNIC / KRNIC text; HTML from their web gateways is stripped first. */
sq_status wt_parse_nir(wt_ctx *c, const char *txt, size_t len);
/* Tags, scripts and entities out of HTML; malloc'd, *outlen set. */
char *wt_html_to_text(const char *s, size_t n, size_t *outlen);
/* 1 when the text looks like HTML. */
int wt_is_html(const char *s, size_t n);

#endif

/*
 * expand.c - the two substitution passes fail2ban applies to a filter:
 * ConfigParser's %(name)s interpolation (with fail2ban's %(section/name)s
 * and %(known/name)s extensions, at most 10 levels deep) and then the
 * recursive <tag> substitution of the combined options (parameters and
 * [Init] values first, else any [Definition]/[DEFAULT] option, each tag
 * replaced at most 25 times per value, as helpers.substituteRecursiveTags).
 */
#include "f2b/f2b_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INTERP_MAX_DEPTH = 10, TAG_MAX_REPLACE = 25, TAG_MAX_TOTAL = 4000 };

static const char *
lookup_raw(const f2b_cfg *c, const f2b_sect *sect, const f2b_sect *vars,
           const char *name)
{
    const char *v = f2b_sect_get(vars, name);

    if (v == NULL)
        v = f2b_sect_get(sect, name);
    if (v == NULL)
        v = f2b_sect_get(&c->defaults, name);
    return v;
}

/* %(sec/opt)s: the raw value, as _map_section_options finds it. */
static const char *
lookup_qualified(const f2b_cfg *c, const char *section, const char *ref)
{
    const char *slash = strchr(ref, '/');
    char secname[256];
    size_t sl = (size_t)(slash - ref);
    const f2b_sect *s;
    const char *v = NULL;

    if (sl == 0 || sl >= sizeof(secname) - 8)
        return NULL;
    if (sq_strncaseeq(ref, sl, "default"))
        return f2b_sect_get(&c->defaults, slash + 1);
    if (sq_strncaseeq(ref, sl, "known")) {
        snprintf(secname, sizeof(secname), "KNOWN/%s", section);
        s = f2b_cfg_sect(c, secname);
    } else {
        memcpy(secname, ref, sl);
        secname[sl] = '\0';
        s = f2b_cfg_sect(c, secname);
        if (s == NULL) {
            /* section names are matched case-insensitively as a fallback */
            for (size_t i = 0; i < c->n && s == NULL; i++)
                if (sq_strncaseeq(ref, sl, c->sects[i].name))
                    s = &c->sects[i];
            if (s == NULL)
                return NULL;
        }
    }
    if (s != NULL)
        v = f2b_sect_get(s, slash + 1);
    if (v == NULL)
        v = f2b_sect_get(&c->defaults, slash + 1);
    return v;
}

typedef struct interp {
    const f2b_cfg *c;
    const char *section;
    const f2b_sect *sect;
    const f2b_sect *vars;
    const char *opt;
    sq_diag *d;
} interp;

static sq_status
interpolate(const interp *ip, f2b_buf *out, const char *rest, int depth)
{
    if (depth > INTERP_MAX_DEPTH) {
        sq_diag_addf(ip->d, NULL, 0,
                     "[%s] %s: %%(...)s nested more than %d deep", ip->section,
                     ip->opt, INTERP_MAX_DEPTH);
        return SQ_ECONFIG;
    }
    while (*rest) {
        const char *p = strchr(rest, '%'), *close, *v;
        char name[256];
        size_t n;

        if (p == NULL) {
            f2b_buf_adds(out, rest);
            break;
        }
        f2b_buf_add(out, rest, (size_t)(p - rest));
        if (p[1] == '%') {
            f2b_buf_add(out, "%", 1);
            rest = p + 2;
            continue;
        }
        close = p[1] == '(' ? strchr(p + 2, ')') : NULL;
        if (close == NULL || close[1] != 's' || close == p + 2) {
            sq_diag_addf(ip->d, NULL, 0,
                         "[%s] %s: '%%' must be followed by '%%' or "
                         "'(name)s'",
                         ip->section, ip->opt);
            return SQ_ECONFIG;
        }
        n = (size_t)(close - p - 2);
        if (n >= sizeof(name)) {
            sq_diag_addf(ip->d, NULL, 0, "[%s] %s: name too long", ip->section,
                         ip->opt);
            return SQ_ECONFIG;
        }
        for (size_t i = 0; i < n; i++) {
            char ch = p[2 + i];
            name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        name[n] = '\0';
        v = lookup_raw(ip->c, ip->sect, ip->vars, name);
        if (v == NULL && strchr(name, '/') != NULL)
            v = lookup_qualified(ip->c, ip->section, name);
        if (v == NULL) {
            sq_diag_addf(ip->d, NULL, 0, "[%s] %s: no option '%s' for %%(%s)s",
                         ip->section, ip->opt, name, name);
            return SQ_ECONFIG;
        }
        if (strchr(v, '%') != NULL) {
            sq_status rc = interpolate(ip, out, v, depth + 1);
            if (rc != SQ_OK)
                return rc;
        } else {
            f2b_buf_adds(out, v);
        }
        rest = close + 2;
    }
    return out->oom ? SQ_ENOMEM : SQ_OK;
}

sq_status
f2b_cfg_get(const f2b_cfg *c, const char *section, const char *opt,
            const f2b_sect *vars, char **out, sq_diag *d)
{
    const f2b_sect *s = NULL;
    const char *v;
    interp ip;
    f2b_buf b = {0};
    sq_status rc;

    *out = NULL;
    if (strcmp(section, "DEFAULT") != 0) {
        s = f2b_cfg_sect(c, section);
        if (s == NULL)
            return SQ_OK;
    }
    v = lookup_raw(c, s, vars, opt);
    if (v == NULL)
        return SQ_OK;
    ip.c = c;
    ip.section = section;
    ip.sect = s;
    ip.vars = vars;
    ip.opt = opt;
    ip.d = d;
    rc = interpolate(&ip, &b, v, 1);
    if (rc != SQ_OK) {
        f2b_buf_free(&b);
        return rc;
    }
    *out = f2b_buf_take(&b);
    return *out != NULL ? SQ_OK : SQ_ENOMEM;
}

/* addrepl: get_ex("Definition", tag) -- "sec/opt" first, else plain. */
static sq_status
tag_from_config(const f2b_cfg *c, const f2b_sect *vars, const char *tag,
                char **out, sq_diag *d)
{
    const char *slash = strchr(tag, '/');
    char lower[256];
    size_t n = strlen(tag);

    *out = NULL;
    if (n >= sizeof(lower))
        return SQ_OK;
    for (size_t i = 0; i <= n; i++)
        lower[i] =
            (char)(tag[i] >= 'A' && tag[i] <= 'Z' ? tag[i] + 32 : tag[i]);
    if (slash != NULL && slash != tag && slash[1] != '\0') {
        char sec[256];
        size_t sl = (size_t)(slash - tag);
        sq_status rc;

        memcpy(sec, tag, sl);
        sec[sl] = '\0';
        if (sq_strncaseeq(sec, sl, "known")) {
            rc = f2b_cfg_get(c, "KNOWN/Definition", lower + sl + 1, NULL, out,
                             d);
            if (rc != SQ_OK || *out != NULL)
                return rc;
            return f2b_cfg_get(c, "Definition", lower + sl + 1, NULL, out, d);
        }
        if (sq_strncaseeq(sec, sl, "default"))
            snprintf(sec, sizeof(sec), "DEFAULT");
        rc = f2b_cfg_get(c, sec, lower + sl + 1, NULL, out, d);
        if (rc != SQ_OK || *out != NULL)
            return rc;
    }
    return f2b_cfg_get(c, "Definition", lower, vars, out, d);
}

/* Next "<name>" (name without ' ', '<', '>') at or after from. */
static const char *
next_tag(const char *s, const char *from, size_t *nlen)
{
    for (const char *p = strchr(from, '<'); p != NULL; p = strchr(p + 1, '<')) {
        size_t n = strcspn(p + 1, " <>");

        if (n > 0 && p[1 + n] == '>') {
            *nlen = n;
            return p;
        }
    }
    (void)s;
    return NULL;
}

typedef struct tag_count {
    char name[64];
    int n;
} tag_count;

static sq_status
replace_all(char **val, const char *tag, size_t tl, const char *repl)
{
    f2b_buf b = {0};
    const char *p = *val;

    for (;;) {
        const char *q = strstr(p, "<");

        while (q != NULL && !(strncmp(q + 1, tag, tl) == 0 && q[1 + tl] == '>'))
            q = strchr(q + 1, '<');
        if (q == NULL)
            break;
        f2b_buf_add(&b, p, (size_t)(q - p));
        f2b_buf_adds(&b, repl);
        p = q + tl + 2;
    }
    f2b_buf_adds(&b, p);
    free(*val);
    *val = f2b_buf_take(&b);
    return *val != NULL ? SQ_OK : SQ_ELIMIT_LINE;
}

static int
count_of(const tag_count *tc, size_t ntc, const char *tag)
{
    for (size_t i = 0; i < ntc; i++)
        if (strcmp(tc[i].name, tag) == 0)
            return tc[i].n;
    return 0;
}

static int
bump(tag_count *tc, size_t *ntc, const char *tag, size_t tl)
{
    for (size_t i = 0; i < *ntc; i++)
        if (strlen(tc[i].name) == tl && memcmp(tc[i].name, tag, tl) == 0)
            return ++tc[i].n;
    if (*ntc < 64 && tl < sizeof(tc[0].name)) {
        memcpy(tc[*ntc].name, tag, tl);
        tc[*ntc].name[tl] = '\0';
        tc[(*ntc)++].n = 1;
    }
    return 1;
}

static sq_status
subst_one(const f2b_cfg *c, const f2b_sect *combined, const f2b_sect *vars,
          const char *tag, char **repl, sq_diag *d)
{
    const char *v = f2b_sect_get(combined, tag);

    if (v != NULL) {
        *repl = strdup(v);
        return *repl != NULL ? SQ_OK : SQ_ENOMEM;
    }
    return tag_from_config(c, vars, tag, repl, d);
}

sq_status
f2b_subst_tags(const f2b_cfg *c, const f2b_sect *combined, const f2b_sect *vars,
               const char *self, const char *value, char **out, sq_diag *d)
{
    char *val = strdup(value), tag[256];
    tag_count tc[64];
    size_t ntc = 0, from = 0, tl, total = 0;
    const char *m;
    sq_status rc = SQ_OK;
    int replaced = 0;

    if (val == NULL)
        return SQ_ENOMEM;
    for (;;) {
        char *repl = NULL;
        size_t at;

        m = next_tag(val, val + from, &tl);
        if (m == NULL) {
            /* another pass while the last one replaced something */
            if (!replaced)
                break;
            replaced = 0;
            from = 0;
            continue;
        }
        at = (size_t)(m - val);

        if (tl >= sizeof(tag)) {
            from = at + 1;
            continue;
        }
        memcpy(tag, m + 1, tl);
        tag[tl] = '\0';
        if (strcmp(tag, self) == 0 ||
            count_of(tc, ntc, tag) > TAG_MAX_REPLACE || total > TAG_MAX_TOTAL) {
            sq_diag_addf(d, NULL, 0,
                         "%s: <%s> refers to itself (recursive tags)", self,
                         tag);
            rc = SQ_ELOOP;
            break;
        }
        rc = subst_one(c, combined, vars, tag, &repl, d);
        if (rc != SQ_OK)
            break;
        if (repl == NULL) {
            from = at + 1;
            continue;
        }
        rc = replace_all(&val, tag, tl, repl);
        free(repl);
        replaced = 1;
        total++;
        bump(tc, &ntc, tag, tl);
        if (rc != SQ_OK) {
            sq_diag_addf(d, NULL, 0, "%s: expanded value too long", self);
            break;
        }
        /* replace_all replaced every occurrence, earlier ones too: the
           value may now end before at (the next pass starts at 0) */
        from = at < strlen(val) ? at : strlen(val);
    }
    if (rc != SQ_OK) {
        free(val);
        return rc;
    }
    *out = val;
    return SQ_OK;
}

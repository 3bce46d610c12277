/*
 * ini.c - fail2ban's INI dialect: Python's ConfigParser as fail2ban
 * configures it (inline comments start with " ;", whole-line comments
 * with "#" or ";", indented lines continue a value, [DEFAULT] is shared
 * by every section, option names are lower-cased), and the merge of
 * included files.  Also a growable string used by the module.
 *
 * Limits: a file is at most SQ_F2B_MAX_CONF bytes (checked by the
 * caller), a value at most SQ_F2B_MAX_VALUE bytes.
 */
#include "f2b/f2b_int.h"

#include <stdlib.h>
#include <string.h>

void
f2b_buf_add(f2b_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SQ_F2B_MAX_VALUE || b->n > SQ_F2B_MAX_VALUE - n) {
        b->oom = 1;
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;

        while (cap < b->n + n + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void
f2b_buf_adds(f2b_buf *b, const char *s)
{
    f2b_buf_add(b, s, strlen(s));
}

void
f2b_buf_free(f2b_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

char *
f2b_buf_take(f2b_buf *b)
{
    char *p;

    f2b_buf_add(b, "", 0);
    if (b->oom) {
        f2b_buf_free(b);
        return NULL;
    }
    p = b->p;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

char *
f2b_dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void
sect_clear(f2b_sect *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->opts[i].name);
        free(s->opts[i].value);
    }
    free(s->opts);
    free(s->name);
    memset(s, 0, sizeof(*s));
}

void
f2b_sect_clear_pub(f2b_sect *s)
{
    sect_clear(s);
}

void
f2b_cfg_free(f2b_cfg *c)
{
    sect_clear(&c->defaults);
    for (size_t i = 0; i < c->n; i++)
        sect_clear(&c->sects[i]);
    free(c->sects);
    memset(c, 0, sizeof(*c));
}

const char *
f2b_sect_get(const f2b_sect *s, const char *name)
{
    for (size_t i = 0; s != NULL && i < s->n; i++)
        if (strcmp(s->opts[i].name, name) == 0)
            return s->opts[i].value;
    return NULL;
}

sq_status
f2b_sect_set(f2b_sect *s, const char *name, const char *value)
{
    char *v = f2b_dupn(value, strlen(value));

    if (v == NULL)
        return SQ_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->opts[i].name, name) == 0) {
            free(s->opts[i].value);
            s->opts[i].value = v;
            return SQ_OK;
        }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        f2b_opt *o = realloc(s->opts, cap * sizeof(*o));

        if (o == NULL) {
            free(v);
            return SQ_ENOMEM;
        }
        s->opts = o;
        s->cap = cap;
    }
    s->opts[s->n].name = f2b_dupn(name, strlen(name));
    if (s->opts[s->n].name == NULL) {
        free(v);
        return SQ_ENOMEM;
    }
    s->opts[s->n++].value = v;
    return SQ_OK;
}

f2b_sect *
f2b_cfg_sect(const f2b_cfg *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->sects[i].name, name) == 0)
            return &c->sects[i];
    return NULL;
}

static f2b_sect *
cfg_add_sect(f2b_cfg *c, const char *name, size_t n)
{
    f2b_sect *s;

    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        f2b_sect *ns = realloc(c->sects, cap * sizeof(*ns));

        if (ns == NULL)
            return NULL;
        c->sects = ns;
        c->cap = cap;
    }
    s = &c->sects[c->n];
    memset(s, 0, sizeof(*s));
    s->name = f2b_dupn(name, n);
    if (s->name == NULL)
        return NULL;
    c->n++;
    return s;
}

/* ---- one file ---- */

typedef struct ini_state {
    const char *file;
    f2b_cfg *cfg;
    f2b_sect *cur; /* NULL before the first section header */
    f2b_buf val;   /* value being collected */
    char *optname; /* its option (lower case), NULL when none */
    size_t indent; /* indentation of the option line */
    unsigned lineno;
    sq_diag *d;
} ini_state;

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static sq_status
flush_opt(ini_state *st)
{
    sq_status rc = SQ_OK;

    if (st->optname != NULL && st->cur != NULL) {
        char *v = f2b_buf_take(&st->val);
        size_t n;

        if (v == NULL) {
            sq_diag_addf(st->d, st->file, st->lineno, "value too long");
            free(st->optname);
            st->optname = NULL;
            return SQ_ELIMIT_LINE;
        }
        n = strlen(v);
        while (n > 0 && (is_space(v[n - 1]) || v[n - 1] == '\n'))
            v[--n] = '\0';
        rc = f2b_sect_set(st->cur, st->optname, v);
        free(v);
    }
    free(st->optname);
    st->optname = NULL;
    f2b_buf_free(&st->val);
    return rc;
}

/* Where the comment starts (len when none): ";" at the start or after
 * white space; a whole line whose first non-blank is "#" or ";". */
static size_t
comment_start(const char *l, size_t len, int *is_comment)
{
    size_t i = 0;

    *is_comment = 0;
    while (i < len && is_space(l[i]))
        i++;
    if (i < len && (l[i] == '#' || l[i] == ';')) {
        *is_comment = 1;
        return 0;
    }
    for (i = 0; i < len; i++)
        if (l[i] == ';' && (i == 0 || is_space(l[i - 1]))) {
            *is_comment = 1;
            return i;
        }
    return len;
}

static sq_status
ini_header(ini_state *st, const char *v, size_t n)
{
    size_t close = n - 1;

    while (close > 0 && v[close] != ']')
        close--;
    if (close < 2) {
        sq_diag_addf(st->d, st->file, st->lineno, "empty section name");
        return SQ_EPARSE;
    }
    if (sq_strncaseeq(v + 1, close - 1, "DEFAULT") && close - 1 == 7 &&
        memcmp(v + 1, "DEFAULT", 7) == 0) {
        st->cur = &st->cfg->defaults;
        return SQ_OK;
    }
    for (size_t i = 0; i < st->cfg->n; i++)
        if (strlen(st->cfg->sects[i].name) == close - 1 &&
            memcmp(st->cfg->sects[i].name, v + 1, close - 1) == 0) {
            sq_diag_addf(st->d, st->file, st->lineno,
                         "section [%s] appears twice", st->cfg->sects[i].name);
            return SQ_EPARSE;
        }
    st->cur = cfg_add_sect(st->cfg, v + 1, close - 1);
    return st->cur != NULL ? SQ_OK : SQ_ENOMEM;
}

static sq_status
ini_option(ini_state *st, const char *v, size_t n)
{
    size_t k = 0, e, vs;
    char show[SQ_SHOW_MAX + 4];

    while (k < n && v[k] != '=' && v[k] != ':')
        k++;
    if (k == n || k == 0) {
        sq_str_show(v, n, show);
        sq_diag_addf(st->d, st->file, st->lineno, "not an option: '%s'", show);
        return SQ_EPARSE;
    }
    e = k;
    while (e > 0 && is_space(v[e - 1]))
        e--;
    if (e == 0) {
        sq_diag_addf(st->d, st->file, st->lineno, "option without a name");
        return SQ_EPARSE;
    }
    st->optname = f2b_dupn(v, e);
    if (st->optname == NULL)
        return SQ_ENOMEM;
    for (char *p = st->optname; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    if (f2b_sect_get(st->cur, st->optname) != NULL &&
        st->cur != &st->cfg->defaults) {
        sq_diag_addf(st->d, st->file, st->lineno, "option '%s' appears twice",
                     st->optname);
        return SQ_EPARSE;
    }
    vs = k + 1;
    while (vs < n && is_space(v[vs]))
        vs++;
    f2b_buf_add(&st->val, v + vs, n - vs);
    return SQ_OK;
}

static sq_status
ini_line(ini_state *st, const char *l, size_t len)
{
    int is_comment;
    size_t cs = comment_start(l, len, &is_comment), b = 0, e = cs, ind = 0;

    while (b < e && is_space(l[b]))
        b++;
    while (e > b && is_space(l[e - 1]))
        e--;
    if (b == e) {
        if (!is_comment && st->optname != NULL)
            f2b_buf_add(&st->val, "\n", 1);
        return SQ_OK;
    }
    while (ind < len && is_space(l[ind]))
        ind++;
    if (st->optname != NULL && ind > st->indent) {
        f2b_buf_add(&st->val, "\n", 1);
        f2b_buf_add(&st->val, l + b, e - b);
        return SQ_OK;
    }
    if (flush_opt(st) != SQ_OK)
        return SQ_ENOMEM;
    st->indent = ind;
    if (l[b] == '[' && e - b >= 2 && memchr(l + b + 1, ']', e - b - 1))
        return ini_header(st, l + b, e - b);
    if (st->cur == NULL) {
        sq_diag_addf(st->d, st->file, st->lineno,
                     "option before any [section]");
        return SQ_EPARSE;
    }
    return ini_option(st, l + b, e - b);
}

sq_status
f2b_ini_parse(const char *name, const char *s, size_t len, f2b_cfg *out,
              sq_diag *d)
{
    ini_state st;
    sq_status rc = SQ_OK;
    size_t i = 0;

    memset(&st, 0, sizeof(st));
    st.file = name;
    st.cfg = out;
    st.d = d;
    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* UTF-8 byte order mark */
    while (i < len && rc == SQ_OK) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;

        st.lineno++;
        if (memchr(s + i, '\0', e - i) != NULL) {
            sq_diag_addf(d, name, st.lineno, "NUL byte in a config file");
            rc = SQ_EPARSE;
            break;
        }
        rc = ini_line(&st, s + i, e - i);
        i = e + 1;
    }
    if (rc == SQ_OK)
        rc = flush_opt(&st);
    free(st.optname);
    f2b_buf_free(&st.val);
    return rc;
}

/* ---- merging included files ---- */

static sq_status
sect_update(f2b_sect *dst, const f2b_sect *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (f2b_sect_set(dst, src->opts[i].name, src->opts[i].value) != SQ_OK)
            return SQ_ENOMEM;
    return SQ_OK;
}

static sq_status
merge_known(f2b_cfg *dst, f2b_sect *old, const f2b_sect *src)
{
    f2b_buf kn = {0};
    f2b_sect *k;
    char *name;

    f2b_buf_adds(&kn, "KNOWN/");
    f2b_buf_adds(&kn, old->name);
    name = f2b_buf_take(&kn);
    if (name == NULL)
        return SQ_ENOMEM;
    k = f2b_cfg_sect(dst, name);
    if (k == NULL) {
        k = cfg_add_sect(dst, name, strlen(name));
        /* dst->sects may have moved: find old again */
        old = f2b_cfg_sect(dst, name + 6);
    }
    free(name);
    if (k == NULL || old == NULL)
        return SQ_ENOMEM;
    for (size_t i = 0; i < src->n; i++) {
        const char *v = f2b_sect_get(old, src->opts[i].name);

        if (v != NULL && f2b_sect_set(k, src->opts[i].name, v) != SQ_OK)
            return SQ_ENOMEM;
    }
    return sect_update(old, src);
}

sq_status
f2b_cfg_merge(f2b_cfg *dst, const f2b_cfg *src)
{
    if (sect_update(&dst->defaults, &src->defaults) != SQ_OK)
        return SQ_ENOMEM;
    for (size_t i = 0; i < src->n; i++) {
        f2b_sect *old = f2b_cfg_sect(dst, src->sects[i].name);

        if (old != NULL) {
            if (merge_known(dst, old, &src->sects[i]) != SQ_OK)
                return SQ_ENOMEM;
            continue;
        }
        old = cfg_add_sect(dst, src->sects[i].name, strlen(src->sects[i].name));
        if (old == NULL || sect_update(old, &src->sects[i]) != SQ_OK)
            return SQ_ENOMEM;
    }
    return SQ_OK;
}

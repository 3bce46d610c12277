/*
 * config.c - the configuration object and its INI loader.
 *
 * Why not libinih: inih calls its handler without a line number and
 * ini_parse() reports only the FIRST error line, but the house rule is
 * that every error of a file is reported at once as "file:line: message"
 * (unknown keys and out-of-bounds values are detected in the handler).
 * A bounded line parser of ~100 lines is simpler than working around
 * that, and it never depends on NUL termination.
 *
 * Syntax: one "key = value" per line; blank lines, "#" and ";" comment
 * lines; "[section]" headers are accepted and ignored (they only group
 * keys for the reader).  An unquoted value ends at a "#" or ";" that
 * follows whitespace (an inline comment).  A value in double quotes may
 * hold anything printable, with \" and \\ as escapes; only whitespace or
 * a comment may follow the closing quote.  '-' in a key name is read as
 * '_'.  A later line for the same key wins.
 *
 * Security: the file must be a regular file and not world-writable
 * (another user could otherwise redirect trust decisions via
 * trusted_networks).  It holds no secrets yet, so group/other
 * READABLE files are fine.
 *
 * Ownership: sq_config owns every value string; sq_config_get returns a
 * pointer valid until the key is set again or the config is freed.
 * Limits: CONFIG_FILE_MAX bytes per file, CONFIG_LINE_MAX per line,
 * CONFIG_VALUE_MAX per value.
 */
#include "config_int.h"
#include "core_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    CONFIG_FILE_MAX = 1 << 20,
    CONFIG_LINE_MAX = 1 << 16,
    CONFIG_VALUE_MAX = 1 << 16,
    CONFIG_PATH_MAX = 4096,
};

struct sq_config {
    char **text;    /* current value of each key, as text */
    long long *num; /* parsed value of SQ_CFG_INT / SQ_CFG_BOOL keys */
};

/* Where a value came from, for messages; file NULL for sq_config_set. */
typedef struct cfg_place {
    const char *file;
    unsigned line;
} cfg_place;

long
sq_config_key_index(const char *k, size_t len)
{
    for (size_t i = 0; i < sq_config_nkeys; i++) {
        const char *name = sq_config_keys[i].name;
        size_t j = 0;

        if (len == 0 || name[0] != k[0]) /* names never start with '_' */
            continue;
        while (j < len && name[j] != '\0' &&
               (k[j] == name[j] || (k[j] == '-' && name[j] == '_')))
            j++;
        if (j == len && name[j] == '\0')
            return (long)i;
    }
    return -1;
}

/* Decimal integer with optional sign; 0 on junk or overflow. */
static int
parse_ll(const char *s, size_t len, long long *out)
{
    unsigned long long v = 0, lim;
    size_t i = 0;
    int neg = 0;

    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return 0;
    lim = neg ? (unsigned long long)9223372036854775807LL + 1
              : 9223372036854775807ULL;
    for (; i < len; i++) {
        unsigned dgt;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        dgt = (unsigned)(s[i] - '0');
        if (v > (lim - dgt) / 10)
            return 0;
        v = v * 10 + dgt;
    }
    *out = neg ? (v == lim ? (-9223372036854775807LL - 1) : -(long long)v)
               : (long long)v;
    return 1;
}

static int
parse_bool(const char *s, size_t len, long long *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (sq_strncaseeq(s, len, yes[i])) {
            *out = 1;
            return 1;
        }
        if (sq_strncaseeq(s, len, no[i])) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

/* Check an int value; report and return 0 when bad. */
static int
check_int(const sq_config_key *k, const char *v, size_t len, long long *n,
          const cfg_place *p, sq_diag *d)
{
    char shown[SQ_SHOW_MAX + 4];

    if (!parse_ll(v, len, n)) {
        sq_str_show(v, len, shown);
        sq_diag_addf(d, p->file, p->line, "%s: '%s' is not an integer", k->name,
                     shown);
        return 0;
    }
    if (*n < k->min) {
        sq_diag_addf(d, p->file, p->line, "%s: %lld is below the minimum %lld",
                     k->name, *n, k->min);
        return 0;
    }
    if (*n > k->max) {
        sq_diag_addf(d, p->file, p->line, "%s: %lld is above the maximum %lld",
                     k->name, *n, k->max);
        return 0;
    }
    return 1;
}

/* Run a string key's check, copying its messages with our place. */
static int
check_string(const sq_config_key *k, const char *v, size_t len,
             const cfg_place *p, sq_diag *d)
{
    sq_diag *tmp;
    int ok;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            sq_diag_addf(d, p->file, p->line,
                         "%s: the value contains a control character", k->name);
            return 0;
        }
    }
    if (k->check == NULL)
        return 1;
    tmp = sq_diag_new();
    ok = k->check(v, len, tmp);
    for (size_t i = 0; i < sq_diag_count(tmp); i++)
        sq_diag_addf(d, p->file, p->line, "%s: %s", k->name,
                     sq_diag_message(tmp, i));
    sq_diag_free(tmp);
    return ok;
}

/* Validate value for key index ki and store it. */
static sq_status
config_apply(sq_config *cfg, size_t ki, const char *v, size_t len,
             const cfg_place *p, sq_diag *d)
{
    const sq_config_key *k = &sq_config_keys[ki];
    long long n = 0;
    char *copy;

    if (len > CONFIG_VALUE_MAX) {
        sq_diag_addf(d, p->file, p->line, "%s: value longer than %d bytes",
                     k->name, CONFIG_VALUE_MAX);
        return SQ_ECONFIG;
    }
    if (k->type == SQ_CFG_INT && !check_int(k, v, len, &n, p, d))
        return SQ_ECONFIG;
    if (k->type == SQ_CFG_BOOL && !parse_bool(v, len, &n)) {
        char shown[SQ_SHOW_MAX + 4];
        sq_str_show(v, len, shown);
        sq_diag_addf(d, p->file, p->line,
                     "%s: '%s' is not a boolean (yes/no/true/false/on/off/1/0)",
                     k->name, shown);
        return SQ_ECONFIG;
    }
    if (k->type == SQ_CFG_STRING && !check_string(k, v, len, p, d))
        return SQ_ECONFIG;
    if (k->type == SQ_CFG_STRING) {
        copy = malloc(len + 1);
        if (copy != NULL) {
            memcpy(copy, v, len);
            copy[len] = '\0';
        }
    } else {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", n);
        copy = strdup(k->type == SQ_CFG_BOOL ? (n ? "yes" : "no") : buf);
    }
    if (copy == NULL)
        return SQ_ENOMEM;
    free(cfg->text[ki]);
    cfg->text[ki] = copy;
    cfg->num[ki] = n;
    return SQ_OK;
}

void
sq_config_free(sq_config *cfg)
{
    if (cfg == NULL)
        return;
    if (cfg->text != NULL)
        for (size_t i = 0; i < sq_config_nkeys; i++)
            free(cfg->text[i]);
    free(cfg->text);
    free(cfg->num);
    free(cfg);
}

sq_status
sq_config_new(sq_config **out)
{
    sq_config *cfg = calloc(1, sizeof(*cfg));
    sq_status st = SQ_ENOMEM;

    if (cfg == NULL)
        return SQ_ENOMEM;
    cfg->text = calloc(sq_config_nkeys, sizeof(*cfg->text));
    cfg->num = calloc(sq_config_nkeys, sizeof(*cfg->num));
    if (cfg->text == NULL || cfg->num == NULL)
        goto out;
    for (size_t i = 0; i < sq_config_nkeys; i++) {
        const char *def = sq_config_keys[i].def;
        cfg_place p = {"(default)", 0};
        st = config_apply(cfg, i, def, strlen(def), &p, NULL);
        /* A default that fails its own bounds is a bug in the table. */
        if (st != SQ_OK)
            goto out;
    }
    *out = cfg;
    return SQ_OK;
out:
    sq_config_free(cfg);
    return st;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void
trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space((*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1]))
        (*len)--;
}

/* Only whitespace and an optional comment in [s, s+len)? */
static int
only_comment(const char *s, size_t len)
{
    trim(&s, &len);
    return len == 0 || s[0] == '#' || s[0] == ';';
}

/*
 * Unquote a double-quoted value starting at v[0] == '"' into buf
 * (capacity len).  Returns the unquoted length, or -1 with *why set.
 */
static long
unquote(const char *v, size_t len, char *buf, const char **why)
{
    size_t i = 1, n = 0;

    while (i < len && v[i] != '"') {
        if (v[i] == '\\' && i + 1 < len &&
            (v[i + 1] == '"' || v[i + 1] == '\\'))
            i++;
        buf[n++] = v[i++];
    }
    if (i >= len) {
        *why = "unterminated quoted value";
        return -1;
    }
    if (!only_comment(v + i + 1, len - i - 1)) {
        *why = "text after the closing quote";
        return -1;
    }
    return (long)n;
}

/* Cut an unquoted value at an inline comment ("#"/";" after space). */
static size_t
strip_inline_comment(const char *v, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if ((v[i] == '#' || v[i] == ';') && is_space(v[i - 1]))
            return i;
    return len;
}

static int
valid_key_text(const char *k, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Apply "key = value" (already trimmed, not a comment or section). */
static sq_status
config_line_kv(sq_config *cfg, const char *s, size_t len, const cfg_place *p,
               sq_diag *d)
{
    const char *eq = memchr(s, '=', len), *k = s, *v;
    size_t klen, vlen;
    long ki;
    char shown[SQ_SHOW_MAX + 4];
    sq_status st;

    if (eq == NULL) {
        sq_diag_addf(d, p->file, p->line, "expected 'key = value'");
        return SQ_ECONFIG;
    }
    klen = (size_t)(eq - s);
    v = eq + 1;
    vlen = len - klen - 1;
    trim(&k, &klen);
    trim(&v, &vlen);
    if (!valid_key_text(k, klen)) {
        sq_str_show(k, klen, shown);
        sq_diag_addf(d, p->file, p->line, "bad key name '%s'", shown);
        return SQ_ECONFIG;
    }
    ki = sq_config_key_index(k, klen);
    if (ki < 0) {
        sq_str_show(k, klen, shown);
        sq_diag_addf(d, p->file, p->line, "unknown key '%s'", shown);
        return SQ_ECONFIG;
    }
    if (vlen > 0 && v[0] == '"') {
        char *buf = malloc(vlen);
        const char *why = NULL;
        long n;
        if (buf == NULL)
            return SQ_ENOMEM;
        n = unquote(v, vlen, buf, &why);
        if (n < 0) {
            sq_diag_addf(d, p->file, p->line, "%s: %s", sq_config_keys[ki].name,
                         why);
            st = SQ_ECONFIG;
        } else {
            st = config_apply(cfg, (size_t)ki, buf, (size_t)n, p, d);
        }
        free(buf);
        return st;
    }
    vlen = strip_inline_comment(v, vlen);
    trim(&v, &vlen);
    return config_apply(cfg, (size_t)ki, v, vlen, p, d);
}

static sq_status
config_line(sq_config *cfg, const char *s, size_t len, const cfg_place *p,
            sq_diag *d)
{
    if (len > CONFIG_LINE_MAX) {
        sq_diag_addf(d, p->file, p->line, "line longer than %d bytes",
                     CONFIG_LINE_MAX);
        return SQ_ECONFIG;
    }
    if (memchr(s, '\0', len) != NULL) {
        sq_diag_addf(d, p->file, p->line, "NUL byte in line");
        return SQ_ECONFIG;
    }
    trim(&s, &len);
    if (len == 0 || s[0] == '#' || s[0] == ';')
        return SQ_OK;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL ||
            !only_comment(close + 1, len - (size_t)(close - s) - 1)) {
            sq_diag_addf(d, p->file, p->line, "malformed section header");
            return SQ_ECONFIG;
        }
        return SQ_OK;
    }
    return config_line_kv(cfg, s, len, p, d);
}

sq_status
sq_config_load_buffer(sq_config *cfg, const char *name, const char *buf,
                      size_t len, sq_diag *d)
{
    sq_status st = SQ_OK;
    cfg_place p = {name != NULL ? name : "(string)", 0};
    size_t i = 0;

    if (cfg == NULL || (buf == NULL && len > 0))
        return SQ_EINVAL;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a UTF-8 byte order mark from some editors */
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        sq_status r;

        p.line++;
        r = config_line(cfg, buf + i, end - i, &p, d);
        if (r == SQ_ENOMEM)
            return r;
        if (r != SQ_OK)
            st = SQ_ECONFIG;
        i = end + 1;
    }
    return st;
}

sq_status
sq_config_load(sq_config *cfg, const char *path, sq_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    sq_status st;

    if (cfg == NULL || path == NULL)
        return SQ_EINVAL;
    st = sq_file_read_private(path, "config", CONFIG_FILE_MAX, &buf, &len, d);
    if (st == SQ_ENOTFOUND) {
        sq_diag_addf(d, path, 0, "%s", strerror(ENOENT));
        st = SQ_EIO;
    }
    if (st != SQ_OK)
        return st;
    st = sq_config_load_buffer(cfg, path, buf, len, d);
    free(buf);
    return st;
}

sq_status
sq_config_set(sq_config *cfg, const char *key, const char *value, sq_diag *d)
{
    cfg_place p = {NULL, 0};
    long ki;

    if (cfg == NULL || key == NULL || value == NULL)
        return SQ_EINVAL;
    ki = sq_config_key_index(key, strlen(key));
    if (ki < 0) {
        char shown[SQ_SHOW_MAX + 4];
        sq_str_show(key, strlen(key), shown);
        sq_diag_addf(d, NULL, 0, "unknown key '%s'", shown);
        return SQ_ECONFIG;
    }
    return config_apply(cfg, (size_t)ki, value, strlen(value), &p, d);
}

const char *
sq_config_get(const sq_config *cfg, const char *key)
{
    long ki;

    if (cfg == NULL || key == NULL)
        return NULL;
    ki = sq_config_key_index(key, strlen(key));
    return ki < 0 ? NULL : cfg->text[ki];
}

long long
sq_config_get_int(const sq_config *cfg, const char *key)
{
    long ki;

    if (cfg == NULL || key == NULL)
        return 0;
    ki = sq_config_key_index(key, strlen(key));
    if (ki < 0 || sq_config_keys[ki].type == SQ_CFG_STRING)
        return 0;
    return cfg->num[ki];
}

size_t
sq_config_key_count(void)
{
    return sq_config_nkeys;
}

const char *
sq_config_key_name(size_t i)
{
    return i < sq_config_nkeys ? sq_config_keys[i].name : NULL;
}

const char *
sq_config_key_default(size_t i)
{
    return i < sq_config_nkeys ? sq_config_keys[i].def : NULL;
}

const char *
sq_config_key_help(size_t i)
{
    return i < sq_config_nkeys ? sq_config_keys[i].help : NULL;
}

sq_config_type
sq_config_key_type(size_t i)
{
    return i < sq_config_nkeys ? sq_config_keys[i].type : SQ_CFG_STRING;
}

long long
sq_config_key_min(size_t i)
{
    return i < sq_config_nkeys ? sq_config_keys[i].min : 0;
}

long long
sq_config_key_max(size_t i)
{
    return i < sq_config_nkeys ? sq_config_keys[i].max : 0;
}

sq_status
sq_config_default_path(char *buf, size_t buflen)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char tmp[CONFIG_PATH_MAX];
    int n;

    if (buf == NULL)
        return SQ_EINVAL;
    /* XDG Base Directory spec: a relative $XDG_CONFIG_HOME is invalid. */
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(tmp, sizeof(tmp), "%s/squeaky/config", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(tmp, sizeof(tmp), "%s/.config/squeaky/config", home);
    else
        return SQ_EINVAL;
    if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= buflen)
        return SQ_EINVAL;
    memcpy(buf, tmp, (size_t)n + 1);
    return SQ_OK;
}

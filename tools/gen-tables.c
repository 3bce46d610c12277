/*
 * gen-tables.c - turn the readable lists in data/ into the C tables that
 * src/whois/tables.c includes (generated/wt_tables.inc), at build time.
 *
 *   sq-gen-tables -o OUT [--ipv4 F] [--ipv6 F] [--asn F] [--dns F]
 *                 [--placeholders F]
 *
 * Every bad line (syntax, unknown registry, bad address, host bits set,
 * unsorted or overlapping range, duplicate) is printed as
 * "FILE:LINE: message" on stderr; all of them are reported, then the
 * program exits 1 and OUT is not written, so the build fails.
 *
 * Why C and not python3: the build then needs nothing but the C compiler
 * it already has (python3 is only for maintainers, scripts/
 * gen-delegation.py), and the checks here are the same kind of code as
 * the lookups that read the tables.  libc only; a host program.
 *
 * Limits: lines up to LINE_MAX_LEN bytes, up to MAX_ROWS entries per
 * list.  Input is trusted-ish (our own repository) but still checked.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LINE_MAX_LEN = 1024, MAX_ROWS = 65536, MAX_FIELD = 256 };

/* The keywords of wt_registry (src/whois/whois_int.h); the generated
 * code names WT_<KEYWORD>, so a mismatch fails the compile of tables.c. */
static const char *const registries[] = {
    "arin",  "ripencc", "apnic", "lacnic", "afrinic", "jpnic", "krnic", "twnic",
    "cnnic", "idnic",   "vnnic", "irinn",  "nicbr",   "nicmx", "iana",
};

typedef struct row {
    uint8_t lo[16], hi[16]; /* v4: first 4 bytes; asn: big-endian 4 */
    int reg;
    char *a, *b; /* dns: tld, url; placeholders: entry */
    unsigned line;
} row;

typedef struct list {
    const char *path;
    row *rows;
    size_t n, cap;
} list;

static int nerrors;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
lerr(const char *path, unsigned line, const char *fmt, ...);

static void
lerr(const char *path, unsigned line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%u: ", path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    nerrors++;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p == NULL) {
        perror("gen-tables");
        exit(2);
    }
    memcpy(p, s, n);
    return p;
}

/* Split a line into at most max whitespace-separated fields, stopping at
 * '#'.  Returns the count, or -1 when a field is too long or there are
 * more than max fields. */
static int
split(char *s, char *f[], int max)
{
    int n = 0;
    char *p = s;

    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            return n;
        if (n == max)
            return -1;
        f[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '#')
            p++;
        if (p - f[n - 1] >= MAX_FIELD)
            return -1;
        if (*p == '#') {
            *p = '\0';
            return n;
        }
        if (*p != '\0')
            *p++ = '\0';
    }
}

static int
registry(const char *s)
{
    for (size_t i = 0; i < sizeof registries / sizeof registries[0]; i++)
        if (strcmp(s, registries[i]) == 0)
            return (int)i;
    return -1;
}

/* Parse "addr/len" of family fam (4 or 6) into lo/hi. */
static const char *
parse_prefix(const char *s, int fam, uint8_t lo[16], uint8_t hi[16])
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t alen, nbytes = fam == 4 ? 4 : 16;
    unsigned long plen;
    char *end;

    if (slash == NULL)
        return "expected <address>/<length>";
    alen = (size_t)(slash - s);
    if (alen == 0 || alen >= sizeof addr)
        return "bad address";
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    memset(lo, 0, 16);
    if (inet_pton(fam == 4 ? AF_INET : AF_INET6, addr, lo) != 1)
        return fam == 4 ? "bad IPv4 address" : "bad IPv6 address";
    if (!isdigit((unsigned char)slash[1]))
        return "bad prefix length";
    errno = 0;
    plen = strtoul(slash + 1, &end, 10);
    if (errno != 0 || *end != '\0' || plen > nbytes * 8 ||
        (slash[1] == '0' && slash[2] != '\0'))
        return "bad prefix length";
    memcpy(hi, lo, 16);
    for (size_t bit = plen; bit < nbytes * 8; bit++) {
        uint8_t m = (uint8_t)(0x80u >> (bit % 8));

        if (lo[bit / 8] & m)
            return "host bits set after the prefix length";
        hi[bit / 8] |= m;
    }
    return NULL;
}

static int
parse_u32(const char *s, const char *e, uint32_t *out)
{
    unsigned long long v = 0;

    if (s == e || e - s > 10)
        return 0;
    for (const char *p = s; p < e; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > 0xffffffffull || (*s == '0' && e - s > 1))
        return 0;
    *out = (uint32_t)v;
    return 1;
}

static void
put_be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static const char *
parse_asn(const char *s, uint8_t lo[16], uint8_t hi[16])
{
    const char *dash = strchr(s, '-');
    const char *end = s + strlen(s);
    uint32_t a, b;

    if (!parse_u32(s, dash ? dash : end, &a) ||
        (dash && !parse_u32(dash + 1, end, &b)))
        return "expected <first>[-<last>] AS numbers";
    if (!dash)
        b = a;
    if (b < a)
        return "range ends before it starts";
    memset(lo, 0, 16);
    memset(hi, 0, 16);
    put_be32(lo, a);
    put_be32(hi, b);
    return NULL;
}

/* Only characters that are safe inside a C string literal unescaped. */
static int
c_safe(const char *s)
{
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\' || *s == '?')
            return 0;
    return 1;
}

static const char *
check_domain(const char *s)
{
    size_t lab = 0, n = strlen(s);

    if (n == 0 || n > 253)
        return "bad domain length";
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (lab == 0)
                return "empty label in domain";
            lab = 0;
        } else if (isalnum((unsigned char)*p) || *p == '-') {
            if (isupper((unsigned char)*p))
                return "domain must be lower case";
            if (++lab > 63)
                return "label longer than 63 bytes";
        } else {
            return "bad character in domain";
        }
    }
    return lab == 0 ? "empty label in domain" : NULL;
}

static row *
add_row(list *l, unsigned line)
{
    row *r;

    if (l->n == MAX_ROWS) {
        lerr(l->path, line, "more than %d entries", MAX_ROWS);
        return NULL;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 64 : l->cap * 2;
        row *nr = realloc(l->rows, cap * sizeof *nr);

        if (nr == NULL) {
            perror("gen-tables");
            exit(2);
        }
        l->rows = nr;
        l->cap = cap;
    }
    r = &l->rows[l->n++];
    memset(r, 0, sizeof *r);
    r->line = line;
    return r;
}

typedef void (*line_fn)(list *l, char *f[], int nf, unsigned line, int arg);

/* IP (arg 4 or 6) and AS (arg 0) delegation lines. */
static void
range_line(list *l, char *f[], int nf, unsigned line, int arg)
{
    uint8_t lo[16], hi[16];
    const char *why;
    int reg;
    row *r;

    if (nf != 2) {
        lerr(l->path, line, "expected 2 fields, <%s> <registry>",
             arg ? "prefix" : "AS range");
        return;
    }
    why = arg ? parse_prefix(f[0], arg, lo, hi) : parse_asn(f[0], lo, hi);
    if (why != NULL) {
        lerr(l->path, line, "%s: '%s'", why, f[0]);
        return;
    }
    if ((reg = registry(f[1])) < 0) {
        lerr(l->path, line, "unknown registry '%s'", f[1]);
        return;
    }
    if ((r = add_row(l, line)) == NULL)
        return;
    memcpy(r->lo, lo, 16);
    memcpy(r->hi, hi, 16);
    r->reg = reg;
}

static void
dns_line(list *l, char *f[], int nf, unsigned line, int arg)
{
    const char *why;
    row *r;

    (void)arg;
    if (nf != 2) {
        lerr(l->path, line, "expected 2 fields, <tld> <https URL>");
        return;
    }
    if ((why = check_domain(f[0])) != NULL) {
        lerr(l->path, line, "%s: '%s'", why, f[0]);
        return;
    }
    if (strncmp(f[1], "https://", 8) != 0 || strlen(f[1]) < 10 ||
        f[1][strlen(f[1]) - 1] != '/' || !c_safe(f[1])) {
        lerr(l->path, line, "expected an https:// URL ending in '/'");
        return;
    }
    if ((r = add_row(l, line)) == NULL)
        return;
    r->a = xstrdup(f[0]);
    r->b = xstrdup(f[1]);
}

/* "local@domain", "@domain" (reg 1) or "local@*" (reg 2). */
static void
placeholder_line(list *l, char *f[], int nf, unsigned line, int arg)
{
    char *at, *s;
    const char *why = NULL;
    int kind = 0;
    row *r;

    (void)arg;
    if (nf != 1) {
        lerr(l->path, line, "expected one address, @domain or local@*");
        return;
    }
    s = f[0];
    at = strrchr(s, '@');
    if (at == NULL || strchr(s, '@') != at || !c_safe(s))
        why = "expected one address, @domain or local@*";
    else if (at - s > 64)
        why = "local part longer than 64 bytes";
    else if (strcmp(at + 1, "*") == 0)
        kind = at == s ? -1 : 2;
    else if ((why = check_domain(at + 1)) == NULL)
        kind = at == s ? 1 : 0;
    for (char *p = s; why == NULL && p < at; p++)
        if (isupper((unsigned char)*p))
            why = "address must be lower case";
    if (why == NULL && kind < 0)
        why = "'@*' would match every address";
    if (why != NULL) {
        lerr(l->path, line, "%s: '%s'", why, s);
        return;
    }
    if ((r = add_row(l, line)) == NULL)
        return;
    r->reg = kind;
    if (kind == 1)
        r->a = xstrdup(at + 1);
    else {
        if (kind == 2)
            *at = '\0';
        r->a = xstrdup(s);
    }
}

static void
read_list(list *l, line_fn fn, int arg)
{
    char buf[LINE_MAX_LEN + 2], *f[4];
    unsigned line = 0;
    FILE *fp = fopen(l->path, "r");

    if (fp == NULL) {
        fprintf(stderr, "%s: %s\n", l->path, strerror(errno));
        nerrors++;
        return;
    }
    while (fgets(buf, sizeof buf, fp) != NULL) {
        size_t n = strlen(buf);
        int nf;

        line++;
        if (n > 0 && buf[n - 1] != '\n' && !feof(fp)) {
            lerr(l->path, line, "line longer than %d bytes", LINE_MAX_LEN);
            while (fgets(buf, sizeof buf, fp) != NULL &&
                   buf[strlen(buf) - 1] != '\n')
                ;
            continue;
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (memchr(buf, '\0', n) != NULL || strlen(buf) != n) {
            lerr(l->path, line, "NUL byte in line");
            continue;
        }
        nf = split(buf, f, 3);
        if (nf < 0)
            lerr(l->path, line, "too many or too long fields");
        else if (nf > 0)
            fn(l, f, nf, line, arg);
    }
    fclose(fp);
}

/* Ranges must be in ascending order and must not overlap any earlier
 * range (top is the earlier row reaching highest). */
static void
check_ranges(const list *l)
{
    const row *top = l->n ? &l->rows[0] : NULL;

    for (size_t i = 1; i < l->n; i++) {
        const row *p = &l->rows[i - 1], *r = &l->rows[i];

        if (memcmp(r->lo, p->lo, 16) < 0)
            lerr(l->path, r->line, "not sorted: comes before line %u", p->line);
        else if (memcmp(r->lo, top->hi, 16) <= 0)
            lerr(l->path, r->line, "overlaps line %u", top->line);
        if (memcmp(r->hi, top->hi, 16) > 0)
            top = r;
    }
}

static void
check_dns(const list *l)
{
    for (size_t i = 1; i < l->n; i++) {
        int c = strcmp(l->rows[i].a, l->rows[i - 1].a);

        if (c <= 0)
            lerr(l->path, l->rows[i].line, "%s line %u",
                 c == 0 ? "duplicate of" : "not sorted: comes before",
                 l->rows[i - 1].line);
    }
}

static int
cmp_placeholder(const void *x, const void *y)
{
    const row *a = x, *b = y;
    int c;

    if (a->reg != b->reg)
        return a->reg - b->reg;
    if ((c = strcmp(a->a, b->a)) != 0)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Placeholders are kept in readable groups in the file; sorted here. */
static void
check_placeholders(list *l)
{
    if (l->n > 1)
        qsort(l->rows, l->n, sizeof *l->rows, cmp_placeholder);
    for (size_t i = 1; i < l->n; i++)
        if (l->rows[i].reg == l->rows[i - 1].reg &&
            strcmp(l->rows[i].a, l->rows[i - 1].a) == 0)
            lerr(l->path, l->rows[i].line, "duplicate of line %u",
                 l->rows[i - 1].line);
}

static unsigned long
be32(const uint8_t *b)
{
    return (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
           (unsigned long)b[2] << 8 | b[3];
}

static void
upper(const char *s, char *out, size_t len)
{
    size_t i = 0;

    for (; s[i] && i + 1 < len; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    out[i] = '\0';
}

static void
emit_bytes(FILE *o, const uint8_t *b)
{
    fputc('{', o);
    for (int i = 0; i < 16; i++)
        fprintf(o, "%s0x%02x", i ? "," : "", b[i]);
    fputc('}', o);
}

/* Each table gets a sentinel last element so that it is never empty. */
static void
emit_ranges(FILE *o, const list *l, const char *type, const char *name, int v6)
{
    char reg[16], cnt[32];

    upper(name, cnt, sizeof cnt);
    fprintf(o, "/* %s: %zu entries */\nenum { %s_COUNT = %zu };\n",
            l->path ? l->path : "(none)", l->n, cnt, l->n);
    fprintf(o, "static const %s %s[%zu] = {\n", type, name, l->n + 1);
    for (size_t i = 0; i < l->n; i++) {
        const row *r = &l->rows[i];

        upper(registries[r->reg], reg, sizeof reg);
        if (v6) {
            fputs("    {", o);
            emit_bytes(o, r->lo);
            fputs(", ", o);
            emit_bytes(o, r->hi);
            fprintf(o, ", WT_%s},\n", reg);
        } else {
            fprintf(o, "    {0x%08lxu, 0x%08lxu, WT_%s},\n", be32(r->lo),
                    be32(r->hi), reg);
        }
    }
    fputs(v6 ? "    {{0}, {0}, WT_UNKNOWN}\n};\n\n"
             : "    {0, 0, WT_UNKNOWN}\n};\n\n",
          o);
}

static void
emit_dns(FILE *o, const list *l)
{
    fprintf(o, "/* %s: %zu entries */\nenum { WT_DNS_COUNT = %zu };\n",
            l->path ? l->path : "(none)", l->n, l->n);
    fprintf(o, "static const wt_dns_row wt_dns_tab[%zu] = {\n", l->n + 1);
    for (size_t i = 0; i < l->n; i++)
        fprintf(o, "    {\"%s\", \"%s\"},\n", l->rows[i].a, l->rows[i].b);
    fputs("    {\"\", \"\"}\n};\n\n", o);
}

static void
emit_placeholders(FILE *o, const list *l)
{
    static const char *const names[] = {"WT_PH_ADDR", "WT_PH_DOMAIN",
                                        "WT_PH_LOCAL"};

    fprintf(o, "/* %s: %zu entries, each group sorted */\n",
            l->path ? l->path : "(none)", l->n);
    for (int k = 0; k < 3; k++) {
        size_t n = 0;

        for (size_t i = 0; i < l->n; i++)
            n += l->rows[i].reg == k;
        fprintf(o, "enum { %s_COUNT = %zu };\n", names[k], n);
        fprintf(o, "static const char *const wt_ph_%s[%zu] = {\n",
                k == 0   ? "addr"
                : k == 1 ? "domain"
                         : "local",
                n + 1);
        for (size_t i = 0; i < l->n; i++)
            if (l->rows[i].reg == k)
                fprintf(o, "    \"%s\",\n", l->rows[i].a);
        fputs("    \"\"\n};\n", o);
    }
}

static int
write_output(const char *out, list ls[5])
{
    char tmp[4096];
    FILE *o;
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", out);

    if (n < 0 || (size_t)n >= sizeof tmp || (o = fopen(tmp, "w")) == NULL) {
        fprintf(stderr, "%s: cannot write\n", out);
        return 1;
    }
    fputs("/* Generated by tools/gen-tables.c from the data/ lists at build "
          "time.\n * Do not edit: change the lists. */\n\n",
          o);
    emit_ranges(o, &ls[0], "wt_v4_row", "wt_v4_tab", 0);
    emit_ranges(o, &ls[1], "wt_v6_row", "wt_v6_tab", 1);
    emit_ranges(o, &ls[2], "wt_asn_row", "wt_asn_tab", 0);
    emit_dns(o, &ls[3]);
    emit_placeholders(o, &ls[4]);
    if (ferror(o) | fclose(o) || rename(tmp, out) != 0) {
        fprintf(stderr, "%s: %s\n", out, strerror(errno));
        remove(tmp);
        return 1;
    }
    return 0;
}

/* Everything is freed so that LeakSanitizer builds stay quiet. */
static void
free_lists(list ls[5])
{
    for (int k = 0; k < 5; k++) {
        for (size_t i = 0; i < ls[k].n; i++) {
            free(ls[k].rows[i].a);
            free(ls[k].rows[i].b);
        }
        free(ls[k].rows);
    }
}

static void
usage(void)
{
    fputs("usage: sq-gen-tables -o OUT [--ipv4 F] [--ipv6 F] [--asn F]"
          " [--dns F] [--placeholders F]\n",
          stderr);
    exit(2);
}

int
main(int argc, char **argv)
{
    static const char *const opts[] = {"--ipv4", "--ipv6", "--asn", "--dns",
                                       "--placeholders"};
    list ls[5];
    const char *out = NULL;
    int rc;

    memset(ls, 0, sizeof ls);
    for (int i = 1; i < argc; i++) {
        int k = -1;

        for (int j = 0; j < 5; j++)
            if (strcmp(argv[i], opts[j]) == 0)
                k = j;
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "-o") == 0)
            out = argv[++i];
        else if (k >= 0)
            ls[k].path = argv[++i];
        else
            usage();
    }
    if (out == NULL)
        usage();
    if (ls[0].path)
        read_list(&ls[0], range_line, 4);
    if (ls[1].path)
        read_list(&ls[1], range_line, 6);
    if (ls[2].path)
        read_list(&ls[2], range_line, 0);
    if (ls[3].path)
        read_list(&ls[3], dns_line, 0);
    if (ls[4].path)
        read_list(&ls[4], placeholder_line, 0);
    for (int k = 0; k < 3; k++)
        check_ranges(&ls[k]);
    check_dns(&ls[3]);
    check_placeholders(&ls[4]);
    if (nerrors > 0) {
        fprintf(stderr, "sq-gen-tables: %d error%s, %s not written\n", nerrors,
                nerrors == 1 ? "" : "s", out);
        rc = 1;
    } else {
        rc = write_output(out, ls);
    }
    free_lists(ls);
    return rc;
}

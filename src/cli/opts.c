/*
 * opts.c - argument parsing shared by every command: command options,
 * common options and one --key-name flag per config key.  Flags are
 * collected first and applied after the config file is loaded, so a
 * flag always wins over the file.
 */
#include "cli.h"

#include <squeaky/config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *cur_cmd = "";

void
cli_set_cmd(const char *cmd)
{
    cur_cmd = cmd;
}

int
cli_err(int code, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "squeaky: %s%s", cur_cmd, *cur_cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

/* Config key for a flag name ("trusted-networks" -> index), or -1. */
static long
flag_key(const char *name, size_t n)
{
    for (size_t i = 0; i < sq_config_key_count(); i++) {
        const char *k = sq_config_key_name(i);
        size_t j;

        if (strlen(k) != n)
            continue;
        for (j = 0; j < n; j++)
            if ((k[j] == '_' ? '-' : k[j]) != name[j])
                break;
        if (j == n)
            return (long)i;
    }
    return -1;
}

static void
print_help(const char *usage, const char *about, const struct cli_opt *opts)
{
    printf("usage: %s\n\n%s\n\noptions:\n", usage, about);
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof(left), "%c%c%s--%s%s%s", o->shortc ? '-' : ' ',
                 o->shortc ? o->shortc : ' ', o->shortc ? ", " : "  ", o->name,
                 o->has_arg ? " " : "", o->has_arg ? o->arg_name : "");
        printf("  %-28s %s\n", left, o->help);
    }
    printf("      --json                   machine-readable output\n"
           "  -q, --quiet                  no progress or warnings\n"
           "      --config FILE            config file (default "
           "$XDG_CONFIG_HOME/squeaky/config)\n"
           "  -h, --help                   this help\n\n"
           "config keys, each also a flag (--key-name VALUE):\n");
    for (size_t i = 0; i < sq_config_key_count(); i++)
        printf("  %-24s %s [default: %s]\n", sq_config_key_name(i),
               sq_config_key_help(i), sq_config_key_default(i));
}

struct pending {
    const char *key;
    const char *val;
};

static int
load_config(struct cli_common *c, const char *path, struct pending *pf,
            size_t npf)
{
    char def[4096];
    struct stat st;
    sq_diag *d = sq_diag_new();
    int rc = -1;

    if (d == NULL || sq_config_new(&c->cfg) != SQ_OK) {
        sq_diag_free(d);
        return cli_err(CLI_INTERNAL, "out of memory");
    }
    if (path == NULL && sq_config_default_path(def, sizeof(def)) == SQ_OK &&
        stat(def, &st) == 0)
        path = def;
    if (path != NULL && sq_config_load(c->cfg, path, d) != SQ_OK)
        rc = CLI_USAGE;
    for (size_t i = 0; i < npf; i++)
        if (sq_config_set(c->cfg, pf[i].key, pf[i].val, d) != SQ_OK)
            rc = CLI_USAGE;
    for (size_t i = 0; i < sq_diag_count(d); i++)
        cli_err(0, "%s", sq_diag_message(d, i));
    if (rc == CLI_USAGE && sq_diag_count(d) == 0)
        cli_err(0, "cannot read config %s", path ? path : "");
    sq_diag_free(d);
    return rc;
}

/* Match "--name" or "--name=value" against s; sets *val for "=". */
static int
long_match(const char *arg, const char *name, const char **val)
{
    size_t n = strlen(name);

    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '\0') {
        *val = NULL;
        return 1;
    }
    if (arg[n] == '=') {
        *val = arg + n + 1;
        return 1;
    }
    return 0;
}

struct parse_state {
    int argc, i;
    char **argv;
    struct pending *pf;
    size_t npf;
    const char *config;
};

/* Take the option's argument (inline or next argv). */
static const char *
take_arg(struct parse_state *ps, const char *inl, const char *name)
{
    if (inl != NULL)
        return inl;
    if (ps->i + 1 >= ps->argc) {
        cli_err(0, "option --%s needs an argument", name);
        return NULL;
    }
    return ps->argv[++ps->i];
}

static int
parse_long(struct parse_state *ps, const char *a, const struct cli_opt *opts,
           cli_opt_fn fn, void *ud, struct cli_common *c)
{
    const char *v;
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    long k;

    for (const struct cli_opt *o = opts; o && o->name; o++) {
        if (!long_match(a, o->name, &v))
            continue;
        if (o->has_arg && (v = take_arg(ps, v, o->name)) == NULL)
            return CLI_USAGE;
        if (!o->has_arg && v != NULL)
            return cli_err(CLI_USAGE, "option --%s takes no argument", o->name);
        return fn(ud, o->id, v);
    }
    if (long_match(a, "json", &v))
        return c->json = 1, -1;
    if (long_match(a, "quiet", &v))
        return c->quiet = 1, -1;
    if (long_match(a, "config", &v))
        return (ps->config = take_arg(ps, v, "config")) ? -1 : CLI_USAGE;
    if ((k = flag_key(a, n)) >= 0) {
        v = take_arg(ps, eq ? eq + 1 : NULL, a);
        if (v == NULL)
            return CLI_USAGE;
        ps->pf[ps->npf].key = sq_config_key_name((size_t)k);
        ps->pf[ps->npf++].val = v;
        return -1;
    }
    return cli_err(CLI_USAGE, "unknown option --%.*s (try --help)", (int)n, a);
}

static int
parse_short(struct parse_state *ps, const char *a, const struct cli_opt *opts,
            cli_opt_fn fn, void *ud, struct cli_common *c)
{
    if (a[1] != '\0')
        return cli_err(CLI_USAGE, "unknown option -%s (try --help)", a);
    if (a[0] == 'q')
        return c->quiet = 1, -1;
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        const char *v = NULL;

        if (o->shortc != a[0])
            continue;
        if (o->has_arg && (v = take_arg(ps, NULL, o->name)) == NULL)
            return CLI_USAGE;
        return fn(ud, o->id, v);
    }
    return cli_err(CLI_USAGE, "unknown option -%c (try --help)", a[0]);
}

int
cli_parse(int argc, char **argv, const char *usage, const char *about,
          const struct cli_opt *opts, cli_opt_fn fn, void *ud,
          struct cli_common *c)
{
    struct parse_state ps = {argc, 1, argv, NULL, 0, NULL};
    int rc = -1, only_ops = 0;

    memset(c, 0, sizeof(*c));
    c->ops = calloc((size_t)argc + 1, sizeof(char *));
    ps.pf = calloc((size_t)argc + 1, sizeof(*ps.pf));
    if (c->ops == NULL || ps.pf == NULL) {
        free(ps.pf);
        return cli_err(CLI_INTERNAL, "out of memory");
    }
    for (; ps.i < argc && rc < 0; ps.i++) {
        const char *a = argv[ps.i];

        if (only_ops || a[0] != '-' || a[1] == '\0')
            c->ops[c->nops++] = argv[ps.i];
        else if (strcmp(a, "--") == 0)
            only_ops = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(usage, about, opts);
            rc = CLI_OK;
        } else if (a[1] == '-')
            rc = parse_long(&ps, a + 2, opts, fn, ud, c);
        else
            rc = parse_short(&ps, a + 1, opts, fn, ud, c);
    }
    if (rc < 0)
        rc = load_config(c, ps.config, ps.pf, ps.npf);
    free(ps.pf);
    if (rc >= 0)
        cli_done(c); /* --help or an error: the caller returns rc at once */
    return rc;
}

void
cli_done(struct cli_common *c)
{
    sq_config_free(c->cfg);
    free(c->ops);
    memset(c, 0, sizeof(*c));
}

int
cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

long
cli_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 64 ? 64 : n;
}

/*
 * cmd_trust.c - `squeaky trust learn MAILBOX...`: learn the user's own
 * relay chain from mail they received and write trusted_networks and
 * trusted_by_hosts to the config file (merged with what is there),
 * atomically (temp file + rename).  --dry-run only prints.
 */
#include "cli.h"

#include <squeaky/mail.h>
#include <squeaky/trace.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { OPT_DRY_RUN = 1 };

static const struct cli_opt learn_opts[] = {
    {"dry-run", 'n', 0, OPT_DRY_RUN, NULL,
     "print what was learned; do not write the config"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct learn_run {
    struct cli_common c;
    int dry_run;
    const char *config_path;
};

static int
learn_opt(void *ud, int id, const char *arg)
{
    struct learn_run *lr = ud;

    (void)arg;
    if (id == OPT_DRY_RUN)
        lr->dry_run = 1;
    return -1;
}

static int
feed(sq_trust_learner *l, const char *path, const sq_config *cfg, int quiet)
{
    sq_msgsrc *src = NULL;
    const char *data, *label;
    size_t len, n = 0;
    sq_status st;
    int bad = 0;

    if ((st = sq_msgsrc_open(path, cfg, &src, NULL)) != SQ_OK)
        return cli_err(CLI_USAGE, "%s: %s", path, sq_strerror(st)), 1;
    while ((st = sq_msgsrc_next(src, &data, &len, &label)) != SQ_EEOF) {
        sq_headers *h = NULL;

        if (st == SQ_OK && sq_headers_parse(data, len, cfg, &h) == SQ_OK)
            st = sq_trust_learner_add(l, h);
        else
            st = SQ_EPARSE;
        sq_headers_free(h);
        if (st != SQ_OK && st != SQ_EPARSE)
            bad = 1;
        if (!quiet)
            cli_progress("messages", ++n, 0);
    }
    sq_msgsrc_free(src);
    return bad;
}

/* Append the learned entries that are not yet in old to out. */
static void
merge_list(const char *old, const char *learned, char *out, size_t len)
{
    const char *p = learned;

    snprintf(out, len, "%s", old);
    while (*p) {
        size_t n = strcspn(p, " ,");
        char w[256];

        if (n > 0 && n < sizeof(w)) {
            memcpy(w, p, n);
            w[n] = '\0';
            size_t ol = strlen(out);
            int dup = 0;
            for (const char *q = out; *q;
                 q += strcspn(q, " ,"), q += strspn(q, " ,"))
                if (strncmp(q, w, n) == 0 &&
                    (q[n] == '\0' || q[n] == ' ' || q[n] == ','))
                    dup = 1;
            if (!dup && ol + n + 2 < len)
                snprintf(out + ol, len - ol, "%s%s", ol ? " " : "", w);
        }
        p += n;
        p += strspn(p, " ,");
    }
}

/* 1 when line sets key (ignoring leading space and "key =" spacing). */
static int
line_sets(const char *line, const char *key)
{
    size_t n = strlen(key);

    line += strspn(line, " \t");
    if (strncmp(line, key, n) != 0)
        return 0;
    line += n;
    line += strspn(line, " \t");
    return *line == '=';
}

static int
copy_other_lines(FILE *in, FILE *out)
{
    char line[8192];

    while (fgets(line, sizeof(line), in) != NULL) {
        if (line_sets(line, "trusted_networks") ||
            line_sets(line, "trusted_by_hosts") ||
            strncmp(line, "# learned by squeaky trust learn", 32) == 0)
            continue;
        if (fputs(line, out) == EOF)
            return 0;
    }
    return !ferror(in);
}

/* mkdir -p: create dir and its missing parents (mode 0700). */
static int
mkdir_p(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return 0;
        *p = '/';
    }
    return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

static int
write_config(const char *path, const char *nets, const char *hosts, size_t nmsg)
{
    char tmp[4200], dir[4096], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    FILE *in, *out;
    char *slash;
    int fd, ok;

    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
        if (!mkdir_p(dir))
            return cli_err(0, "cannot create %s: %s", dir, strerror(errno)), 0;
    }
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0 || (out = fdopen(fd, "w")) == NULL)
        return cli_err(0, "cannot write %s: %s", tmp, strerror(errno)), 0;
    ok = 1;
    if ((in = fopen(path, "r")) != NULL) {
        ok = copy_other_lines(in, out);
        fclose(in);
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(out, "# learned by squeaky trust learn on %s from %zu messages\n",
            stamp, nmsg);
    fprintf(out, "trusted_networks = %s\ntrusted_by_hosts = %s\n", nets, hosts);
    ok = fflush(out) == 0 && fsync(fd) == 0 && ok;
    ok = fclose(out) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return cli_err(0, "cannot write %s: %s", path, strerror(errno)), 0;
    }
    return 1;
}

static int
learn_output(struct learn_run *lr, const sq_trust_learner *l)
{
    static char nets[8192], hosts[8192], mnets[16384], mhosts[16384];
    char path[4096];
    sq_status st;

    st = sq_trust_learner_result(l, nets, sizeof(nets), hosts, sizeof(hosts));
    if (st == SQ_ENOTFOUND)
        return cli_err(CLI_NOTFOUND,
                       "no common relay chain found in %zu messages",
                       sq_trust_learner_messages(l));
    if (st != SQ_OK)
        return cli_err(CLI_INTERNAL, "%s", sq_strerror(st));
    merge_list(sq_config_get(lr->c.cfg, "trusted_networks"), nets, mnets,
               sizeof(mnets));
    merge_list(sq_config_get(lr->c.cfg, "trusted_by_hosts"), hosts, mhosts,
               sizeof(mhosts));
    if (lr->c.json) {
        struct jbuf b;

        jb_init(&b);
        jb_raw(&b, "{", 1);
        jb_kv_int(&b, "messages", (long long)sq_trust_learner_messages(l), 1);
        jb_kv_str(&b, "learned_networks", nets, 0);
        jb_kv_str(&b, "learned_hosts", hosts, 0);
        jb_kv_str(&b, "trusted_networks", mnets, 0);
        jb_kv_str(&b, "trusted_by_hosts", mhosts, 0);
        jb_raw(&b, "}\n", 2);
        jb_flush(&b, stdout);
        jb_free(&b);
    } else {
        printf("# from %zu messages\ntrusted_networks = %s\n"
               "trusted_by_hosts = %s\n",
               sq_trust_learner_messages(l), mnets, mhosts);
    }
    if (lr->dry_run)
        return CLI_OK;
    if (lr->config_path != NULL)
        snprintf(path, sizeof(path), "%s", lr->config_path);
    else if (sq_config_default_path(path, sizeof(path)) != SQ_OK)
        return cli_err(CLI_USAGE, "no config path (set HOME or "
                                  "XDG_CONFIG_HOME, or --config)");
    if (!write_config(path, mnets, mhosts, sq_trust_learner_messages(l)))
        return CLI_INTERNAL;
    if (!lr->c.quiet)
        fprintf(stderr, "squeaky: trust: wrote %s\n", path);
    return CLI_OK;
}

static const char *
find_config_flag(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return NULL;
}

int
cmd_trust(int argc, char **argv)
{
    struct learn_run lr;
    sq_trust_learner *l = NULL;
    int rc, bad = 0;

    if (argc < 2 || strcmp(argv[1], "learn") != 0) {
        if (argc >= 2 &&
            (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            printf("usage: squeaky trust learn [OPTIONS] MAILBOX...\n");
            return CLI_OK;
        }
        return cli_err(CLI_USAGE, "usage: squeaky trust learn MAILBOX...");
    }
    memset(&lr, 0, sizeof(lr));
    rc = cli_parse(argc - 1, argv + 1,
                   "squeaky trust learn [OPTIONS] MAILBOX|MESSAGE|DIR...",
                   "Learn your own relay chain (the receiving hosts and "
                   "relay addresses common\nto the mail you receive) and "
                   "write trusted_networks and trusted_by_hosts\nto the "
                   "config file.  Exit: 0 learned, 1 nothing common found, "
                   "2 bad input.",
                   learn_opts, learn_opt, &lr, &lr.c);
    if (rc >= 0) {
        cli_done(&lr.c);
        return rc;
    }
    lr.config_path = find_config_flag(argc, argv);
    if (lr.c.nops == 0)
        rc = cli_err(CLI_USAGE, "learn: give at least one mailbox");
    else if (sq_trust_learner_new(&l) != SQ_OK)
        rc = cli_err(CLI_INTERNAL, "out of memory");
    for (int i = 0; rc < 0 && i < lr.c.nops; i++)
        bad |= feed(l, lr.c.ops[i], lr.c.cfg, lr.c.quiet);
    if (rc < 0)
        rc = bad ? CLI_USAGE : learn_output(&lr, l);
    sq_trust_learner_free(l);
    cli_done(&lr.c);
    return rc;
}

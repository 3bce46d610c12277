/*
 * cmd_update.c - `squeaky update`: refresh the IANA RDAP bootstrap files
 * under $XDG_DATA_HOME/squeaky/rdap/ (the bundled snapshot is used until
 * then).  --url points at a mirror (or a local server in tests).
 */
#include "cli.h"

#include <squeaky/whois.h>

#include <string.h>

enum { OPT_URL = 1 };

static const struct cli_opt update_opts[] = {
    {"url", 0, 1, OPT_URL, "URL",
     "where the bootstrap files are (default https://data.iana.org/rdap/)"},
    {NULL, 0, 0, 0, NULL, NULL},
};

struct update_run {
    struct cli_common c;
    const char *url;
};

static int
update_opt(void *ud, int id, const char *arg)
{
    struct update_run *r = ud;

    if (id == OPT_URL)
        r->url = arg;
    return -1;
}

int
cmd_update(int argc, char **argv)
{
    struct update_run r;
    sq_diag *d;
    sq_status st;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = cli_parse(argc, argv, "update [--url URL]",
                   "refresh the IANA RDAP bootstrap files (asn, ipv4, ipv6, "
                   "dns) into $XDG_DATA_HOME/squeaky/rdap/",
                   update_opts, update_opt, &r, &r.c);
    if (rc >= 0)
        return rc;
    if (r.c.nops > 0) {
        cli_done(&r.c);
        return cli_err(CLI_USAGE, "unexpected argument '%s'", r.c.ops[0]);
    }
    d = sq_diag_new();
    st = sq_whois_update_bootstrap(r.c.cfg, r.url, d);
    if (st != SQ_OK)
        rc = cli_err(st == SQ_ECONFIG ? CLI_USAGE : CLI_NOTFOUND, "%s",
                     d && sq_diag_count(d) ? sq_diag_message(d, 0)
                                           : sq_strerror(st));
    else
        rc = CLI_OK;
    if (st == SQ_OK && !r.c.quiet)
        fprintf(stderr, "squeaky: update: RDAP bootstrap files refreshed\n");
    sq_diag_free(d);
    cli_done(&r.c);
    return rc;
}

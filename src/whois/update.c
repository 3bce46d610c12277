/*
 * update.c - `squeaky update`: fetch the IANA RDAP bootstrap files into
 * $XDG_DATA_HOME/squeaky/rdap/, check that each parses, and move them
 * into place with rename() so a reader never sees half a file.
 */
#include "whois_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const FILES[] = {"ipv4.json", "ipv6.json", "asn.json",
                                    "dns.json"};
enum { NFILES = sizeof(FILES) / sizeof(FILES[0]) };

static int
mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n >= sizeof(buf))
        return 0;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];

            buf[i] = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return 0;
            buf[i] = c;
        }
    return 1;
}

static int
data_dir(char *out, size_t len)
{
    const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n;

    if (x != NULL && x[0] == '/')
        n = snprintf(out, len, "%s/squeaky/rdap", x);
    else if (home != NULL && home[0] == '/')
        n = snprintf(out, len, "%s/.local/share/squeaky/rdap", home);
    else
        return 0;
    return n > 0 && (size_t)n < len;
}

static sq_status
fetch_one(const char *base, const char *dir, const char *name,
          const wn_limits *lim, sq_diag *d)
{
    char url[1024], tmp[4200];
    long status = 0, retry = 0;
    wn_buf body = {NULL, 0};
    sq_status st;
    FILE *f;

    snprintf(url, sizeof(url), "%s%s%s", base,
             base[strlen(base) - 1] == '/' ? "" : "/", name);
    st = wn_http_get(url, lim, &status, &retry, &body, d);
    if (st == SQ_OK && status == 404 && strcmp(name, "dns.json") == 0) {
        wn_buf_free(&body);
        return SQ_ENOTFOUND;
    }
    if (st == SQ_OK && status != 200) {
        sq_diag_addf(d, NULL, 0, "%s: HTTP %ld", url, status);
        st = SQ_ENET;
    }
    snprintf(tmp, sizeof(tmp), "%s/.new/%s", dir, name);
    if (st == SQ_OK) {
        f = fopen(tmp, "wb");
        if (f == NULL || fwrite(body.data, 1, body.len, f) != body.len ||
            fclose(f) != 0) {
            sq_diag_addf(d, NULL, 0, "cannot write %s: %s", tmp,
                         strerror(errno));
            st = SQ_EIO;
        }
    }
    wn_buf_free(&body);
    return st;
}

SQ_API sq_status
sq_whois_update_bootstrap(const sq_config *cfg, const char *base_url,
                          sq_diag *d)
{
    char dir[4096], stage[4200], from[4300], to[4300];
    wn_limits lim = {60000, 64u << 20, 5};
    rdap_bootstrap *b = NULL;
    sq_status st = SQ_OK;

    if (cfg != NULL)
        lim.timeout_ms = (long)sq_config_get_int(cfg, "lookup_timeout") * 4;
    if (base_url == NULL || base_url[0] == '\0')
        base_url = "https://data.iana.org/rdap/";
    if (!data_dir(dir, sizeof(dir))) {
        sq_diag_addf(d, NULL, 0, "neither XDG_DATA_HOME nor HOME is set");
        return SQ_ECONFIG;
    }
    snprintf(stage, sizeof(stage), "%s/.new", dir);
    if (!mkdirs(stage)) {
        sq_diag_addf(d, NULL, 0, "cannot create %s: %s", stage,
                     strerror(errno));
        return SQ_EIO;
    }
    for (size_t i = 0; i < NFILES && st == SQ_OK; i++) {
        st = fetch_one(base_url, dir, FILES[i], &lim, d);
        if (st == SQ_ENOTFOUND && strcmp(FILES[i], "dns.json") == 0)
            st = SQ_OK; /* domains then keep the bundled table */
    }
    if (st == SQ_OK)
        st = rdap_bootstrap_load(&b, stage, d); /* every file must parse */
    rdap_bootstrap_free(b);
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(from, sizeof(from), "%s/%s", stage, FILES[i]);
        snprintf(to, sizeof(to), "%s/%s", dir, FILES[i]);
        if (st == SQ_OK && access(from, F_OK) == 0 && rename(from, to) != 0) {
            sq_diag_addf(d, NULL, 0, "cannot rename %s: %s", from,
                         strerror(errno));
            st = SQ_EIO;
        }
        unlink(from);
    }
    rmdir(stage);
    return st;
}

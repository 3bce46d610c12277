/*
 * cmd_config.c - `squeaky config`: every key with its effective value
 * (defaults, then the config file, then flags), default and bounds.
 */
#include "cli.h"

#include <string.h>

int
cmd_config(int argc, char **argv)
{
    struct cli_common c;
    char path[4096];
    struct jbuf b;
    int rc;

    rc = cli_parse(argc, argv, "squeaky config [OPTIONS]",
                   "Show every configuration key with its effective value "
                   "(default, then the\nconfig file, then flags), its "
                   "default and its bounds.  Loading the file\nalso checks "
                   "it: errors are reported as file:line: message, exit 2.",
                   NULL, NULL, NULL, &c);
    if (rc >= 0) {
        cli_done(&c);
        return rc;
    }
    if (sq_config_default_path(path, sizeof(path)) != SQ_OK)
        path[0] = '\0';
    jb_init(&b);
    if (c.json) {
        jb_raw(&b, "{", 1);
        jb_kv_str(&b, "default_path", path, 1);
        jb_raw(&b, ",\"keys\":[", 9);
    } else {
        printf("# default config file: %s\n", path[0] ? path : "(unset)");
    }
    for (size_t i = 0; i < sq_config_key_count(); i++) {
        const char *k = sq_config_key_name(i);
        const char *v = sq_config_get(c.cfg, k);

        if (!c.json) {
            printf("%s = ", k);
            cli_put_safe(stdout, v, strlen(v));
            putc('\n', stdout);
            continue;
        }
        jb_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        jb_kv_str(&b, "name", k, 1);
        jb_kv_str(&b, "value", v, 0);
        jb_kv_str(&b, "default", sq_config_key_default(i), 0);
        jb_kv_str(&b, "help", sq_config_key_help(i), 0);
        if (sq_config_key_type(i) == SQ_CFG_INT) {
            jb_kv_int(&b, "min", sq_config_key_min(i), 0);
            jb_kv_int(&b, "max", sq_config_key_max(i), 0);
        }
        jb_raw(&b, "}", 1);
    }
    if (c.json)
        jb_raw(&b, "]}\n", 3);
    jb_flush(&b, stdout);
    jb_free(&b);
    cli_done(&c);
    return CLI_OK;
}

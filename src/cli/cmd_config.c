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
    if (c.json)
        printf("{\"default_path\":");
    else
        printf("# default config file: %s\n", path[0] ? path : "(unset)");
    if (c.json) {
        json_str(stdout, path);
        printf(",\"keys\":[");
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
        printf("%s{", i ? "," : "");
        json_kv_str(stdout, "name", k, 1);
        json_kv_str(stdout, "value", v, 0);
        json_kv_str(stdout, "default", sq_config_key_default(i), 0);
        json_kv_str(stdout, "help", sq_config_key_help(i), 0);
        if (sq_config_key_type(i) == SQ_CFG_INT) {
            json_kv_int(stdout, "min", sq_config_key_min(i), 0);
            json_kv_int(stdout, "max", sq_config_key_max(i), 0);
        }
        putc('}', stdout);
    }
    if (c.json)
        printf("]}\n");
    cli_done(&c);
    return CLI_OK;
}

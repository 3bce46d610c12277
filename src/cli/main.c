/*
 * main.c - the `squeaky` program: dispatch to one command per file.
 */
#include "cli.h"

#include <squeaky/core.h>

#include <stdio.h>
#include <string.h>

static const struct cli_cmd commands[] = {
    {"trace", "where did this message really come from?", cmd_trace},
    {"trust", "learn your own relay chain (trust learn MAILBOX)", cmd_trust},
    {"whois", "who is responsible for an IP, CIDR, AS, domain or URL?",
     cmd_whois},
    {"report",
     "report messages to the abuse desks that can act (preview, "
     "--send)",
     cmd_report},
    {"scan", "attackers in firewall, auth and web logs; report them (--report)",
     cmd_scan},
    {"outbox", "reports queued and sent: list, show, retry, cancel, send",
     cmd_outbox},
    {"inbox", "read bounces and replies; mark reports, dead addresses",
     cmd_inbox},
    {"stats", "which networks and desks act on reports; escalations",
     cmd_stats},
    {"db", "the offline prefix database (build, import, info, lookup)", cmd_db},
    {"update", "refresh the IANA RDAP bootstrap files", cmd_update},
    {"config", "show configuration keys, defaults and values", cmd_config},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: squeaky [--version] [--help] COMMAND [ARGS]\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\nEvery command takes --help, --json and --config FILE.\n"
            "Config: $XDG_CONFIG_HOME/squeaky/config (INI).\n"
            "Exit codes: 0 success, 1 nothing found, 2 usage or bad "
            "input,\n            3 internal error, 4 reports not sent yet.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("squeaky %s\n", sq_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            cli_set_cmd(commands[i].name);
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "squeaky: unknown command '%s' (try squeaky --help)\n",
            argv[1]);
    return CLI_USAGE;
}

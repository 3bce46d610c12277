/*
 * cli.h - shared helpers of the `squeaky` program (src/cli/ only).
 * The program uses only the public API in include/squeaky/.
 *
 * Exit codes (documented in the README and `squeaky --help`):
 *   0 success / origin found, 1 nothing found, 2 usage or bad input,
 *   3 internal error (out of memory, I/O on output),
 *   4 (report, outbox) reports not sent yet: deferred, failed or held.
 */
#ifndef SQ_CLI_H
#define SQ_CLI_H

#include <squeaky/config.h>
#include <squeaky/core.h>

#include <stddef.h>
#include <stdio.h>

enum {
    CLI_OK = 0,
    CLI_NOTFOUND = 1,
    CLI_USAGE = 2,
    CLI_INTERNAL = 3,
    CLI_NOTSENT = 4
};

/* A command-specific option.  id > 0 is passed to the handler. */
struct cli_opt {
    const char *name; /* long name without "--" */
    char shortc;      /* 0 for none */
    int has_arg;
    int id;
    const char *arg_name; /* for --help, e.g. "FILE" */
    const char *help;
};

struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* Common state every command gets from cli_parse(). */
struct cli_common {
    sq_config *cfg; /* file + flags applied; owned, free with cli_done */
    int json;
    int quiet;
    int nops; /* operands (non-option arguments) */
    char **ops;
};

typedef int (*cli_opt_fn)(void *ud, int id, const char *arg);

/*
 * Parse argv (argv[0] is the command name) against the command's
 * options, the common ones (--help, --json, --quiet, --config FILE) and
 * one --key-name VALUE flag per config key.  Loads the config file
 * (default path when it exists) before applying flags.  Returns -1 to
 * continue, or an exit code (0 after --help, 2 on a usage error, with
 * the message printed); with an exit code nothing is left to free.
 */
int cli_parse(int argc, char **argv, const char *usage, const char *about,
              const struct cli_opt *opts, cli_opt_fn fn, void *ud,
              struct cli_common *c);
void cli_done(struct cli_common *c);

/* "squeaky: <cmd>: message" on stderr; returns code. */
int cli_err(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_set_cmd(const char *cmd);

/* Print [s, s+n) with control and non-UTF-8 bytes escaped (\xNN). */
void cli_put_safe(FILE *f, const char *s, size_t n);

/* JSON writer (json.c): build an object in a buffer, write it once.
 * Strings are escaped and made valid UTF-8 (U+FFFD). */
struct jbuf {
    char *p;
    size_t len, cap;
    int oom;
    char inl[16384];
};

void jb_init(struct jbuf *b);
void jb_free(struct jbuf *b);
void jb_raw(struct jbuf *b, const char *s, size_t n);
void jb_str(struct jbuf *b, const char *s);
void jb_key(struct jbuf *b, const char *key, int first);
void jb_kv_str(struct jbuf *b, const char *key, const char *val, int first);
void jb_kv_int(struct jbuf *b, const char *key, long long v, int first);
void jb_kv_bool(struct jbuf *b, const char *key, int v, int first);
/* Write and empty the buffer; 0 on out of memory or a write error. */
int jb_flush(struct jbuf *b, FILE *f);

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
size_t cli_utf8_len(const unsigned char *s, size_t n);

/* Parse a decimal in [min, max] (whole string); 1 on success. */
int cli_parse_long(const char *s, long min, long max, long *out);
/* Online CPUs (at least 1, at most 64). */
long cli_cpus(void);

/* The diag's first message (else st's text) on stderr; returns code. */
int cli_fail(sq_diag *d, sq_status st, int code);
/* Epoch seconds as YYYY-MM-DDTHH:MM:SSZ ("" for t <= 0 when empty_zero;
 * the number itself when gmtime cannot say). */
void cli_iso_time(long long t, int empty_zero, char *out, size_t len);

/* Progress on stderr when it is a terminal (rate limited). */
void cli_progress(const char *what, size_t n, int final);

/* Commands. */
int cmd_trace(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_whois(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_scan(int argc, char **argv);

#endif

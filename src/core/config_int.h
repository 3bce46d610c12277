/*
 * config_int.h - the config key table shared by config.c (loader) and
 * config_keys.c (the table itself), plus an in-memory loader entry point
 * used by tests and the fuzzer.  Never installed.
 */
#ifndef SQ_CONFIG_INT_H
#define SQ_CONFIG_INT_H

#include <squeaky/config.h>

#include <stddef.h>

/*
 * Extra validation of a string value.  Adds plain messages (no place)
 * to d; returns 1 when the value is acceptable (messages are then
 * warnings), 0 when it is an error.
 */
typedef int (*sq_config_check_fn)(const char *v, size_t len, sq_diag *d);

typedef struct sq_config_key {
    const char *name;         /* snake_case, unique */
    sq_config_type type;      /* string, int or bool */
    const char *def;          /* default as text, parsed like a config line */
    long long min, max;       /* bounds of an SQ_CFG_INT key */
    const char *help;         /* one line for --help and docs */
    sq_config_check_fn check; /* optional, strings only */
} sq_config_key;

extern const sq_config_key sq_config_keys[];
extern const size_t sq_config_nkeys;

/*
 * Parse INI text [buf, buf+len) as if read from a file called name
 * (used in "name:line: message").  Same rules and results as
 * sq_config_load after the file has been read.
 */
sq_status sq_config_load_buffer(sq_config *cfg, const char *name,
                                const char *buf, size_t len, sq_diag *d);

/* Index of key [k, k+len) in the table ('-' matches '_'), or -1. */
long sq_config_key_index(const char *k, size_t len);

#endif

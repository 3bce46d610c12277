/*
 * squeaky/config.h - the configuration key table and INI loader.
 *
 * One table of keys {name, type, default, min, max, help} lives in
 * src/core/config_keys.c.  The file is INI ("key = value", "#" or ";"
 * comments, optional [section] headers which are ignored); an unknown
 * key, a value out of bounds or a malformed line is an error reported to
 * the diag as "file:line: message", and all errors of a file are
 * reported at once.  Every key can also be set by a command-line flag
 * (--key-name value, with '_' written as '-').
 */
#ifndef SQUEAKY_CONFIG_H
#define SQUEAKY_CONFIG_H

#include <squeaky/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sq_config sq_config;

typedef enum sq_config_type {
    SQ_CFG_STRING = 0, /* free text (lists are whitespace/comma separated) */
    SQ_CFG_INT,        /* integer within [min, max] */
    SQ_CFG_BOOL        /* yes/no/true/false/1/0/on/off */
} sq_config_type;

/* A config with every key at its default. */
SQ_API sq_status sq_config_new(sq_config **out);
SQ_API void sq_config_free(sq_config *cfg);

/*
 * Load an INI file.  A missing file is SQ_EIO (callers that treat the
 * default path as optional check for existence first).  On SQ_ECONFIG
 * the diag holds one "file:line: message" per bad line; good lines are
 * applied.
 */
SQ_API sq_status sq_config_load(sq_config *cfg, const char *path, sq_diag *d);

/* Set one key from text (a flag or a config line).  Checks bounds. */
SQ_API sq_status sq_config_set(sq_config *cfg, const char *key,
                               const char *value, sq_diag *d);

/* Current value as text (never NULL for a known key, NULL otherwise). */
SQ_API const char *sq_config_get(const sq_config *cfg, const char *key);
/* Current value of an SQ_CFG_INT or SQ_CFG_BOOL key; 0 for unknown keys. */
SQ_API long long sq_config_get_int(const sq_config *cfg, const char *key);

/* The key table, for --help and documentation. */
SQ_API size_t sq_config_key_count(void);
SQ_API const char *sq_config_key_name(size_t i);
SQ_API const char *sq_config_key_default(size_t i);
SQ_API const char *sq_config_key_help(size_t i);
SQ_API sq_config_type sq_config_key_type(size_t i);
SQ_API long long sq_config_key_min(size_t i);
SQ_API long long sq_config_key_max(size_t i);

/*
 * The default config file path: $XDG_CONFIG_HOME/squeaky/config, or
 * $HOME/.config/squeaky/config.  Written into buf; SQ_EINVAL when it
 * does not fit or neither variable is set.
 */
SQ_API sq_status sq_config_default_path(char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif
#endif

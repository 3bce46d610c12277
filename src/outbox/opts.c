/*
 * opts.c - sender options: one table of {key, kind, bounds, field}, set
 * from text (config lines, flags, tests).  The keys are the config keys
 * listed in docs/OUTBOX.md; sq_sender_opts_from_config() copies the ones
 * the config table knows, so adding a key to src/core/config_keys.c is
 * all it takes to make it configurable.
 *
 * smtp_password_file is read with sq_file_read_private() (refused when
 * others may write it); its first line is the password.
 */
#include "outbox/outbox_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum ob_kind {
    OK_STR,
    OK_INT,
    OK_TRANSPORT,
    OK_TLS,
    OK_PWFILE
} ob_kind;

typedef struct ob_key {
    const char *name;
    ob_kind kind;
    long long min, max;
    size_t off;
} ob_key;

#define OFF(f) offsetof(struct sq_sender_opts, f)
static const ob_key ob_keys[] = {
    {"send_transport", OK_TRANSPORT, 0, 0, OFF(transport)},
    {"smtp_url", OK_STR, 0, 0, OFF(smtp_url)},
    {"smtp_tls", OK_TLS, 0, 0, OFF(tls)},
    {"smtp_user", OK_STR, 0, 0, OFF(smtp_user)},
    {"smtp_password", OK_STR, 0, 0, OFF(smtp_password)},
    {"smtp_password_file", OK_PWFILE, 0, 0, OFF(smtp_password)},
    {"smtp_ca_file", OK_STR, 0, 0, OFF(smtp_ca_file)},
    {"smtp_timeout", OK_INT, 1, 3600, OFF(smtp_timeout)},
    {"smtp_connect_timeout", OK_INT, 1, 600, OFF(smtp_connect_timeout)},
    {"sendmail_command", OK_STR, 0, 0, OFF(sendmail_command)},
    {"envelope_sender", OK_STR, 0, 0, OFF(envelope_sender)},
    {"report_from", OK_STR, 0, 0, OFF(from)},
    {"report_reply_to", OK_STR, 0, 0, OFF(reply_to)},
    {"message_id_domain", OK_STR, 0, 0, OFF(msgid_domain)},
    {"desk_rate_limit", OK_INT, 0, 1000000, OFF(rate_limit)},
    {"desk_rate_interval", OK_INT, 1, 31536000, OFF(rate_interval)},
    {"digest_interval", OK_INT, 0, 31536000, OFF(digest_interval)},
    {"digest_max_age", OK_INT, 0, 31536000, OFF(digest_max_age)},
    {"digest_max_reports", OK_INT, 2, 1000, OFF(digest_max_reports)},
    {"retry_base", OK_INT, 1, 86400, OFF(retry_base)},
    {"retry_max", OK_INT, 1, 604800, OFF(retry_max)},
    {"retry_give_up", OK_INT, 60, 31536000, OFF(retry_give_up)},
    {"claim_stale", OK_INT, 60, 604800, OFF(claim_stale)},
};
#undef OFF

enum { OB_NKEYS = sizeof(ob_keys) / sizeof(ob_keys[0]), OB_VALUE_MAX = 4096 };

sq_status
sq_sender_opts_new(sq_sender_opts **out)
{
    sq_sender_opts *o;

    if (out == NULL)
        return SQ_EINVAL;
    if ((o = calloc(1, sizeof(*o))) == NULL)
        return SQ_ENOMEM;
    o->transport = OB_SMTP;
    o->tls = OB_TLS_STARTTLS;
    o->smtp_timeout = 120;
    o->smtp_connect_timeout = 30;
    o->rate_interval = 3600;
    o->digest_max_reports = 50;
    o->retry_base = 300;
    o->retry_max = 6LL * 3600;
    o->retry_give_up = 5LL * 86400;
    o->claim_stale = 3600;
    *out = o;
    return SQ_OK;
}

static char **
ob_str_field(sq_sender_opts *o, const ob_key *k)
{
    return (char **)(void *)((char *)o + k->off);
}

void
sq_sender_opts_free(sq_sender_opts *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < OB_NKEYS; i++)
        if (ob_keys[i].kind == OK_STR) {
            free(*ob_str_field(o, &ob_keys[i]));
            *ob_str_field(o, &ob_keys[i]) = NULL;
        }
    free(o);
}

static sq_status
ob_set_str(char **field, const char *value, size_t n)
{
    char *c = NULL;

    if (n > 0) {
        if ((c = malloc(n + 1)) == NULL)
            return SQ_ENOMEM;
        memcpy(c, value, n);
        c[n] = '\0';
    }
    free(*field);
    *field = c;
    return SQ_OK;
}

static sq_status
ob_set_pwfile(sq_sender_opts *o, const char *path, sq_diag *d)
{
    char *buf = NULL;
    size_t len = 0, n = 0;
    sq_status st;

    if (!path[0])
        return ob_set_str(&o->smtp_password, "", 0);
    st = sq_file_read_private(path, "smtp password", OB_VALUE_MAX, &buf, &len,
                              d);
    if (st == SQ_ENOTFOUND)
        sq_diag_addf(d, path, 0, "smtp_password_file does not exist");
    if (st != SQ_OK)
        return st == SQ_ENOTFOUND ? SQ_ECONFIG : st;
    while (n < len && buf[n] != '\n' && buf[n] != '\r')
        n++;
    st = ob_set_str(&o->smtp_password, buf, n);
    free(buf);
    return st;
}

static sq_status
ob_set_enum(const ob_key *k, sq_sender_opts *o, const char *v, sq_diag *d)
{
    if (k->kind == OK_TRANSPORT) {
        if (strcmp(v, "smtp") == 0 || strcmp(v, "sendmail") == 0) {
            o->transport = v[1] == 'm' ? OB_SMTP : OB_SENDMAIL;
            return SQ_OK;
        }
        sq_diag_addf(d, NULL, 0, "send_transport: want smtp or sendmail");
        return SQ_EINVAL;
    }
    if (strcmp(v, "starttls") == 0 || strcmp(v, "none") == 0) {
        o->tls = v[0] == 's' ? OB_TLS_STARTTLS : OB_TLS_NONE;
        return SQ_OK;
    }
    sq_diag_addf(d, NULL, 0,
                 "smtp_tls: want starttls or none (use an "
                 "smtps:// URL for TLS from the start)");
    return SQ_EINVAL;
}

static sq_status
ob_set_int(const ob_key *k, sq_sender_opts *o, const char *v, sq_diag *d)
{
    unsigned long long x;

    if (!sq_parse_dec(v, strlen(v), 12, (unsigned long long)k->max, &x) ||
        (long long)x < k->min) {
        sq_diag_addf(d, NULL, 0, "%s: want a number from %lld to %lld", k->name,
                     k->min, k->max);
        return SQ_EINVAL;
    }
    *(long long *)(void *)((char *)o + k->off) = (long long)x;
    return SQ_OK;
}

sq_status
sq_sender_opts_set(sq_sender_opts *o, const char *key, const char *value,
                   sq_diag *d)
{
    size_t n;

    if (o == NULL || key == NULL || value == NULL)
        return SQ_EINVAL;
    n = strnlen(value, OB_VALUE_MAX + 1);
    if (n > OB_VALUE_MAX) {
        sq_diag_addf(d, NULL, 0, "%s: value too long", key);
        return SQ_EINVAL;
    }
    for (size_t i = 0; i < OB_NKEYS; i++) {
        const ob_key *k = &ob_keys[i];
        if (strcmp(key, k->name) != 0)
            continue;
        switch (k->kind) {
        case OK_STR:
            return ob_set_str(ob_str_field(o, k), value, n);
        case OK_INT:
            return ob_set_int(k, o, value, d);
        case OK_PWFILE:
            return ob_set_pwfile(o, value, d);
        default:
            return ob_set_enum(k, o, value, d);
        }
    }
    sq_diag_addf(d, NULL, 0, "unknown sender option '%s'", key);
    return SQ_EINVAL;
}

sq_status
sq_sender_opts_from_config(sq_sender_opts *o, const sq_config *cfg, sq_diag *d)
{
    sq_status st = SQ_OK;

    if (o == NULL || cfg == NULL)
        return SQ_EINVAL;
    for (size_t i = 0; i < OB_NKEYS; i++) {
        const char *v = sq_config_get(cfg, ob_keys[i].name);
        sq_status s1;
        if (v == NULL || (ob_keys[i].kind == OK_PWFILE && !v[0]))
            continue;
        if ((s1 = sq_sender_opts_set(o, ob_keys[i].name, v, d)) != SQ_OK)
            st = s1;
    }
    return st;
}

sq_status
ob_opts_copy(const sq_sender_opts *o, sq_sender_opts **out)
{
    sq_sender_opts *c = malloc(sizeof(*c));
    sq_status st = SQ_OK;

    if (c == NULL)
        return SQ_ENOMEM;
    *c = *o;
    for (size_t i = 0; i < OB_NKEYS; i++)
        if (ob_keys[i].kind == OK_STR)
            *ob_str_field(c, &ob_keys[i]) = NULL;
    for (size_t i = 0; i < OB_NKEYS; i++) {
        const ob_key *k = &ob_keys[i];
        const char *v;
        if (k->kind != OK_STR)
            continue;
        v = *ob_str_field((sq_sender_opts *)(void *)o, k);
        if (v != NULL && st == SQ_OK)
            st = ob_set_str(ob_str_field(c, k), v, strlen(v));
    }
    if (st != SQ_OK) {
        sq_sender_opts_free(c);
        return st;
    }
    *out = c;
    return SQ_OK;
}

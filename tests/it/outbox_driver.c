/*
 * outbox_driver.c - a small program over the public outbox API for the
 * integration tests (tests/it/outbox_*.sh compile it against
 * libsqueaky.so; it is not part of squeaky).
 *
 *   outbox_driver enqueue STORE DEST FORMAT FILE...
 *       evidence = FILE's base name without ".eml" (64 hex digits);
 *       prints "added N duplicate M"
 *   outbox_driver send STORE [--flush] [KEY=VALUE...]
 *       one send run with sender options KEY=VALUE; prints
 *       "mails=.. sent=.. deferred=.. failed=.. held=.. recovered=..
 *        rate_limited=.. waiting=.. stopped=.." and "diag: ..." lines
 *   outbox_driver list STORE
 *       id state attempts verp message_id dest evidence last_error
 *       (tab-separated, one report a line)
 *   outbox_driver retry STORE STATE      every report in STATE -> queued
 *   outbox_driver retry-id STORE ID      one report -> queued
 *   outbox_driver confirm STORE ID       a held report -> sent
 *   outbox_driver recover STORE          dead runs' claims; prints "recovered
 * N"
 *
 * Exit 0, or 1 with a message on stderr.
 */
#include <squeaky/outbox.h>
#include <squeaky/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_diag(const sq_diag *d)
{
    for (size_t i = 0; i < sq_diag_count(d); i++)
        printf("diag: %s\n", sq_diag_message(d, i));
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL)
        *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static int
cmd_enqueue(sq_outbox *ob, int argc, char **argv, sq_diag *d)
{
    int added_n = 0, dup_n = 0;

    for (int i = 5; i < argc; i++) {
        const char *base = strrchr(argv[i], '/');
        char ev[65];
        size_t len = 0;
        char *msg = slurp(argv[i], &len);
        long long id;
        int added;

        base = base ? base + 1 : argv[i];
        snprintf(ev, sizeof(ev), "%.64s", base);
        if (msg == NULL ||
            sq_outbox_enqueue(ob, ev, argv[3], argv[4], "AS64500 TEST-NET", msg,
                              len, d, &id, &added) != SQ_OK) {
            fprintf(stderr, "enqueue %s failed\n", argv[i]);
            print_diag(d);
            free(msg);
            return 1;
        }
        added ? added_n++ : dup_n++;
        free(msg);
    }
    printf("added %d duplicate %d\n", added_n, dup_n);
    return 0;
}

static int
cmd_send(sq_outbox *ob, int argc, char **argv, sq_diag *d)
{
    sq_sender_opts *o = NULL;
    sq_sender *s = NULL;
    sq_send_stats st;
    unsigned flags = 0;
    sq_status rc;

    if (sq_sender_opts_new(&o) != SQ_OK)
        return 1;
    for (int i = 3; i < argc; i++) {
        char key[64];
        const char *eq = strchr(argv[i], '=');
        if (strcmp(argv[i], "--flush") == 0) {
            flags |= SQ_SEND_FLUSH;
            continue;
        }
        if (eq == NULL || (size_t)(eq - argv[i]) >= sizeof(key)) {
            fprintf(stderr, "bad option %s\n", argv[i]);
            return 1;
        }
        snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[i]), argv[i]);
        if (sq_sender_opts_set(o, key, eq + 1, d) != SQ_OK) {
            print_diag(d);
            return 1;
        }
    }
    if (sq_sender_new(o, d, &s) != SQ_OK) {
        print_diag(d);
        return 1;
    }
    sq_sender_opts_free(o);
    rc = sq_sender_run(s, ob, flags, &st, d);
    printf("mails=%lu sent=%lu deferred=%lu failed=%lu held=%lu "
           "recovered=%lu rate_limited=%lu waiting=%lu stopped=%d\n",
           st.mails, st.sent, st.deferred, st.failed, st.held, st.recovered,
           st.rate_limited, st.waiting, st.stopped);
    print_diag(d);
    sq_sender_free(s);
    if (rc != SQ_OK)
        fprintf(stderr, "send run: %s\n", sq_strerror(rc));
    return rc != SQ_OK;
}

static int
cmd_list(sq_outbox *ob, sq_diag *d, int retry_state)
{
    sq_outbox_list *l = NULL;

    if (sq_outbox_list_new(ob, retry_state, d, &l) != SQ_OK) {
        print_diag(d);
        return 1;
    }
    for (size_t i = 0; i < sq_outbox_list_count(l); i++) {
        const sq_outbox_item *it = sq_outbox_list_item(l, i);
        if (retry_state >= 0) {
            if (sq_outbox_retry(ob, sq_outbox_item_id(it), d) != SQ_OK) {
                print_diag(d);
                return 1;
            }
            continue;
        }
        printf("%lld\t%s\t%lld\t%s\t%s\t%s\t%s\t%s\n", sq_outbox_item_id(it),
               sq_outbox_state_name(sq_outbox_item_state(it)),
               sq_outbox_item_attempts(it), sq_outbox_item_verp_tag(it),
               sq_outbox_item_message_id(it), sq_outbox_item_dest(it),
               sq_outbox_item_evidence(it), sq_outbox_item_last_error(it));
    }
    sq_outbox_list_free(l);
    return 0;
}

int
main(int argc, char **argv)
{
    sq_store *store = NULL;
    sq_outbox *ob = NULL;
    sq_diag *d = sq_diag_new();
    sq_outbox_state state;
    int rc = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: outbox_driver enqueue|send|list|retry STORE "
                        "...\n");
        return 1;
    }
    if (sq_store_open(argv[2], d, &store) != SQ_OK ||
        sq_outbox_open(store, d, &ob) != SQ_OK) {
        print_diag(d);
        return 1;
    }
    if (strcmp(argv[1], "enqueue") == 0 && argc >= 6)
        rc = cmd_enqueue(ob, argc, argv, d);
    else if (strcmp(argv[1], "send") == 0)
        rc = cmd_send(ob, argc, argv, d);
    else if (strcmp(argv[1], "list") == 0)
        rc = cmd_list(ob, d, -1);
    else if (strcmp(argv[1], "retry") == 0 && argc == 4 &&
             sq_outbox_state_parse(argv[3], &state) == SQ_OK)
        rc = cmd_list(ob, d, (int)state);
    else if (strcmp(argv[1], "retry-id") == 0 && argc == 4)
        rc = sq_outbox_retry(ob, strtoll(argv[3], NULL, 10), d) != SQ_OK;
    else if (strcmp(argv[1], "recover") == 0 && argc == 3) {
        size_t n = 0;
        rc = sq_outbox_recover(ob, 3600, d, &n) != SQ_OK;
        printf("recovered %zu\n", n);
    } else if (strcmp(argv[1], "confirm") == 0 && argc == 4)
        rc = sq_outbox_confirm_sent(ob, strtoll(argv[3], NULL, 10), d) != SQ_OK;
    else
        fprintf(stderr, "outbox_driver: bad command\n");
    print_diag(d);
    sq_outbox_free(ob);
    sq_store_close(store);
    sq_diag_free(d);
    return rc;
}

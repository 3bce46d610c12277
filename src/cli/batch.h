/*
 * batch.h - parallel, order-preserving processing of a message source
 * (src/cli only).  See batch.c.
 */
#ifndef SQ_CLI_BATCH_H
#define SQ_CLI_BATCH_H

#include "cli.h"

#include <squeaky/mail.h>

#include <stdio.h>

#define BATCH_FAILED 0x40000000 /* out of memory or thread failure */

/*
 * Called once per message on a worker thread.  st is the status
 * sq_msgsrc_next gave (data is NULL unless SQ_OK or SQ_ELIMIT_MESSAGE;
 * it then holds the message's header block).  Write output to out and
 * OR result bits into *flags.
 */
typedef void (*batch_fn)(void *ud, FILE *out, int *flags, const char *label,
                         const char *data, size_t len, sq_status st);

struct batch_job {
    batch_fn fn;
    void *ud;
    int jobs;        /* threads */
    size_t max_copy; /* bytes of a message's header block kept at most */
    int progress;    /* show progress on a terminal */
};

/* Run job over every message of src; output in input order on out.
 * Adds the message count to *nmsg; returns the OR of all flags. */
int batch_run(sq_msgsrc *src, const struct batch_job *job, FILE *out,
              size_t *nmsg);

#endif

/*
 * tracking_store.h - the store the tracking unit tests share: an SQLite
 * file in dir, or with SQ_TEST_STORE set (tests/it/store_pg.sh:
 * PostgreSQL) that store with the outbox's and the tracker's tables
 * dropped first.  Included by tracking_ingest_test.c and
 * tracking_stats_test.c only.
 */
#ifndef SQ_TEST_TRACKING_STORE_H
#define SQ_TEST_TRACKING_STORE_H

#include <squeaky/store.h>

#include <stdio.h>
#include <stdlib.h>

static sq_status
tracking_store_open(const char *dir, sq_store **out)
{
    static const char *const drops[] = {
        "DROP TABLE IF EXISTS outbox_report",
        "DROP TABLE IF EXISTS outbox_send",
        "DROP TABLE IF EXISTS tracking_reply",
        "DROP TABLE IF EXISTS tracking_dead",
        "DROP TABLE IF EXISTS tracking_link",
        "DROP TABLE IF EXISTS tracking_sighting",
        "DELETE FROM sq_schema WHERE module IN ('outbox', 'tracking')"};
    const char *env = getenv("SQ_TEST_STORE");
    int other = env != NULL && env[0] != '\0';
    char uri[512];
    sq_status st;

    if (other)
        snprintf(uri, sizeof(uri), "%s", env);
    else
        snprintf(uri, sizeof(uri), "sqlite:%s/t.db", dir);
    if ((st = sq_store_open(uri, NULL, out)) != SQ_OK)
        return st;
    for (size_t i = 0; other && i < sizeof(drops) / sizeof(drops[0]); i++)
        (void)sq_store_exec(*out, drops[i], NULL, 0, NULL, NULL, NULL);
    return SQ_OK;
}

#endif

/*
 * scan_run.h - the state of one `squeaky scan` run (src/cli only):
 * inputs -> events (built-in scanners or a fail2ban filter) -> JSON
 * lines, a count, or the per-source aggregate -> summary or reports.
 * cmd_scan.c parses the options and drives; scan_input.c reads files;
 * scan_out.c prints; scan_report.c turns sources into reports.
 */
#ifndef SQ_CLI_SCAN_RUN_H
#define SQ_CLI_SCAN_RUN_H

#include "cli.h"

#include <squeaky/f2b.h>
#include <squeaky/logsrc.h>
#include <squeaky/net.h>
#include <squeaky/scan.h>

#include <signal.h>

struct scan_run {
    struct cli_common c;
    /* options */
    sq_scan_format fmt; /* SQ_SCAN_AUTO: detect per file */
    const char *filter_spec, *filter_dir;
    int count_only, count_fast, report, send, follow, rescan, offline, zone_set;
    int zone; /* minutes east of UTC for zone-less stamps */
    long min_events;
    long long since, until; /* 0: open */
    long long interval;     /* --follow: seconds between report runs */
    const char *report_format, *to, *outdir, *template_path;
    sq_report_kind f2b_kind;
    sq_netset *allow;
    /* state */
    sq_f2b_filter *filter;
    sq_scan_agg *agg;
    struct report_run *rr; /* --report: lookups, outbox, formats */
    sq_scan_wm *wm;        /* --report --send: in rr's store */
    long long now;
    struct scan_mark *marks; /* positions to save as watermarks */
    size_t nmarks;
    char **globbed; /* the operands, patterns expanded (cmd_scan.c) */
    size_t nglobbed;
    /* counters */
    unsigned long long lines, events, allowed, outside, future, too_long,
        errors, nfiles;
    int any_bad, any_internal;
};

/* Where a file was read to (saved as its watermark after the reports). */
struct scan_mark {
    char fp[65], hash[65];
    char *path;
    unsigned long long dev, ino, offset;
};

/* The event of one line, whichever matcher found it. */
struct scan_ev {
    sq_scan_hit h;
    const char *format;
    const char *file;
    unsigned long long lineno; /* 0: unknown (resumed) */
};

/* scan_input.c: every line of path (- = stdin) through the matcher; 1
 * when read to the end (or the follow loop ended), 0 on an error that
 * was reported. */
int scan_file(struct scan_run *r, const char *path);
/* Keep src's position for scan_marks_save (nothing for stdin or a
 * file without fingerprint); 0 when out of memory. */
int scan_mark(struct scan_run *r, sq_logsrc *src);
/* Store the kept positions; 0 on a store error (reported). */
int scan_marks_save(struct scan_run *r);
void scan_marks_free(struct scan_run *r);
/* --follow: every path until a signal; 0 on error. */
int scan_follow(struct scan_run *r, char **paths, int n);
/* Set by SIGINT/SIGTERM/SIGHUP in follow mode. */
extern volatile sig_atomic_t scan_stop;

/* cmd_scan.c: one event found (after the window and allowlist). */
void scan_event(struct scan_run *r, const struct scan_ev *e);

/* scan_out.c */
void scan_print_event(const struct scan_run *r, const struct scan_ev *e);
/* The sources at or over --min-events, most attempts first. */
int scan_print_summary(struct scan_run *r);
/* "N lines, N events, N sources ..." on stderr. */
void scan_print_stats(const struct scan_run *r);
/* Indexes of the sources at or over --min-events, most attempts
 * first; *n their number.  NULL with *n = 0 when none (or no memory:
 * *oom set). */
size_t *scan_ranked(const struct scan_run *r, size_t *n, int *oom);

struct report_run;

/* scan_report.c: set up the report side (config checked, store, lookups,
 * outbox, watermarks) before any line is read; -1 or an exit code. */
int scan_report_setup(struct scan_run *r);
void scan_report_teardown(struct scan_run *r);
/* Report the sources at or over --min-events; returns
 * an exit code.  final: the last flush of the run. */
int scan_report(struct scan_run *r, int final);

#endif

/*
 * scan_int.h - private to src/scan: the event and scanner structs, the
 * syslog prefix splitter and the per-format scanner entry points.
 *
 * Every scanner takes (pointer, length), reads only inside it and
 * fills s->ev; it returns 1 for an event and 0 for none.  Strings in
 * the event are fixed-size arrays inside the scanner (no allocation on
 * the hot path).
 */
#ifndef SQ_SCAN_INT_H
#define SQ_SCAN_INT_H

#include <squeaky/scan.h>

#include <stddef.h>
#include <stdint.h>

enum {
    SCAN_IP_MAX = 46,    /* canonical IPv6 text + NUL */
    SCAN_USER_MAX = 128, /* longer user names are cut (bytes) */
    SCAN_PROTO_MAX = 16,
    SCAN_PID_WAYS = 4,  /* sshd pid -> address: 4-way sets, */
    SCAN_PID_SETS = 64, /* LRU inside a set */
    SCAN_PID_SLOTS = SCAN_PID_WAYS * SCAN_PID_SETS,
};

struct sq_scan_event {
    unsigned flags, usec, count, sport, dport;
    long long time;
    int zone;
    sq_report_kind kind;
    const char *service, *format;
    unsigned long long offset;
    size_t length;
    char src[SCAN_IP_MAX], dst[SCAN_IP_MAX];
    char proto[SCAN_PROTO_MAX];
    char user[SCAN_USER_MAX];
};

typedef struct pid_slot {
    unsigned pid;      /* 0 = free */
    unsigned long age; /* last use, for LRU replacement */
    char ip[SCAN_IP_MAX];
} pid_slot;

struct sq_scanner {
    sq_scan_format fmt;
    long long ref;
    int zone, zone_known;
    unsigned long clock;
    pid_slot pids[SCAN_PID_SLOTS];
    sq_scan_event ev;
    /* the last stamp read and its result: lines of the same second
     * skip the parse (reset by set_now / set_zone) */
    char tkey[32];
    size_t tkeylen, tused;
    long long tval;
    unsigned tusec, tflags;
    int tzone;
    char *jbuf; /* journal JSON MESSAGE, unescaped (SQ_SCAN_MAX_LINE) */
};

/* A syslog line split into its parts (time already parsed). */
typedef struct sl_line {
    const char *tag, *msg;
    size_t taglen, msglen;
    unsigned pid; /* 0 when none */
} sl_line;

/* ---- scan.c helpers ---- */
void scan_ev_reset(sq_scanner *s);
/* Parse [p, p+n) as an address into dst (SCAN_IP_MAX); 1 on success. */
int scan_ip(const char *p, size_t n, char *dst);
/* Copy a user name (cut to SCAN_USER_MAX - 1 bytes, control and non-ASCII
 * bytes to '?', so the name is safe in JSON and terminals). */
void scan_user(sq_scan_event *ev, const char *p, size_t n);
/* Decimal port 1..65535 from [p, p+n), 0 when not one. */
unsigned scan_port(const char *p, size_t n);
/* Leading decimal digits of [p, p+n) (at most 9): value, *used. */
unsigned scan_uint(const char *p, size_t n, size_t *used);
void scan_proto(sq_scan_event *ev, const char *p, size_t n);
/* First / last occurrence of a literal; NULL when absent. */
const char *scan_find(const char *h, size_t n, const char *lit, size_t ln);
const char *scan_rfind(const char *h, size_t n, const char *lit, size_t ln);
/* Length of the token starting at p (up to a space or end). */
size_t scan_token(const char *p, size_t n);
#define SCAN_LIT(s) (s), (sizeof(s) - 1)
#define SCAN_HAS(p, n, lit)                                                    \
    ((n) >= sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

/* ---- scan_syslog.c ---- */
/* Time + host + tag[pid]: message (BSD, ISO, RFC 5424).  Sets the
 * event's time fields.  1 on success. */
int scan_syslog_split(sq_scanner *s, const char *l, size_t n, sl_line *out);
/* journalctl -o json: 1 and *out (msg points into s->jbuf). */
int scan_journal_split(sq_scanner *s, const char *l, size_t n, sl_line *out);
/* Time at the start of l into the event; bytes used, 0 when none. */
size_t scan_time_into(sq_scanner *s, const char *l, size_t n);

/* ---- per-format scanners ---- */
int scan_sshd_msg(sq_scanner *s, const sl_line *sl);
int scan_sshd(sq_scanner *s, const char *l, size_t n);
int scan_netfilter_msg(sq_scanner *s, const sl_line *sl, int ufw_only);
int scan_netfilter(sq_scanner *s, const char *l, size_t n);
int scan_ufw(sq_scanner *s, const char *l, size_t n);
int scan_filterlog(sq_scanner *s, const char *l, size_t n);
int scan_winfw(sq_scanner *s, const char *l, size_t n);
int scan_asa(sq_scanner *s, const char *l, size_t n);
int scan_asa_msg(sq_scanner *s, const char *m, size_t n);
int scan_access(sq_scanner *s, const char *l, size_t n);
int scan_postfix_msg(sq_scanner *s, const sl_line *sl);
int scan_postfix(sq_scanner *s, const char *l, size_t n);
int scan_dovecot_msg(sq_scanner *s, const sl_line *sl);
int scan_dovecot(sq_scanner *s, const char *l, size_t n);
int scan_exim(sq_scanner *s, const char *l, size_t n);
int scan_fail2ban(sq_scanner *s, const char *l, size_t n);
int scan_syslog_any(sq_scanner *s, const char *l, size_t n);

#endif

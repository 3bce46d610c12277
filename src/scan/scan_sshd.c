/*
 * scan_sshd.c - OpenSSH lines (syslog, short-iso, journal JSON).
 *
 * What counts follows fail2ban's sshd filter in normal mode (see
 * docs/SCAN.md for the list and the few deliberate differences).
 * Addresses are taken from the sshd-written tail of a line ("... from
 * ADDR port N ssh2"), searching backwards, so that a user name holding
 * " from 1.2.3.4" cannot plant an address.  Lines without an address
 * ("Disconnecting: Too many authentication failures") take it from an
 * earlier line of the same pid (SCAN_PID_SLOTS entries in 4-way sets,
 * least recently used replaced).
 */
#include "scan_int.h"

#include <string.h>

/* ---- pid table ---- */

/* The set of a pid: its 4 slots (a multiplicative hash spreads the
 * sequential pids of busy hosts over all sets). */
static pid_slot *
pid_set(sq_scanner *s, unsigned pid)
{
    size_t set = ((pid * 2654435761u) >> 26) % SCAN_PID_SETS;

    return &s->pids[set * SCAN_PID_WAYS];
}

static pid_slot *
pid_find(sq_scanner *s, unsigned pid)
{
    pid_slot *set = pid_set(s, pid);

    for (int i = 0; i < SCAN_PID_WAYS; i++)
        if (set[i].pid == pid)
            return &set[i];
    return NULL;
}

static void
pid_remember(sq_scanner *s, unsigned pid, const char *ip)
{
    pid_slot *set, *p;
    size_t n;

    if (pid == 0)
        return;
    p = pid_find(s, pid);
    if (p == NULL) {
        set = pid_set(s, pid);
        p = &set[0];
        for (int i = 1; i < SCAN_PID_WAYS; i++)
            if (set[i].age < p->age)
                p = &set[i];
    }
    p->pid = pid;
    p->age = ++s->clock;
    n = strlen(ip);
    memcpy(p->ip, ip, n + 1);
}

static void
pid_forget(sq_scanner *s, unsigned pid)
{
    pid_slot *p = pid ? pid_find(s, pid) : NULL;

    if (p != NULL)
        memset(p, 0, sizeof(*p));
}

/* ---- address tails ---- */

/* "ADDR[ port N][ on X][ ssh2][ [preauth]]" right after " from ": the
 * address and the port.  1 when [p, p+n) is exactly that. */
static int
addr_tail(sq_scan_event *ev, const char *p, size_t n)
{
    size_t a = scan_token(p, n), i, t;

    if (!scan_ip(p, a, ev->src))
        return 0;
    i = a;
    while (i < n) {
        if (p[i] != ' ')
            return 0;
        i++;
        t = scan_token(p + i, n - i);
        if (SCAN_HAS(p + i, t, "port") && i + t < n) {
            size_t pt = scan_token(p + i + t + 1, n - i - t - 1);

            ev->sport = scan_port(p + i + t + 1, pt);
            i += t + 1 + pt;
        } else if (SCAN_HAS(p + i, t, "on") && i + t < n) {
            i += t + 1 + scan_token(p + i + t + 1, n - i - t - 1);
        } else if (t == 0 || (t == 4 && memcmp(p + i, "ssh2", 4) == 0) ||
                   (t == 9 && memcmp(p + i, "[preauth]", 9) == 0) ||
                   (t == 3 && memcmp(p + i, "ssh", 3) == 0)) {
            i += t;
        } else {
            return 0;
        }
    }
    return 1;
}

/* "...<lead>USER from ADDR<tail>": the last " from " is the sshd one. */
static int
user_from(sq_scanner *s, const char *m, size_t n, size_t lead)
{
    const char *f = scan_rfind(m + lead, n - lead, SCAN_LIT(" from "));
    size_t at;

    if (f == NULL)
        return 0;
    at = (size_t)(f - m);
    if (!addr_tail(&s->ev, f + 6, n - at - 6))
        return 0;
    if (at >= lead)
        scan_user(&s->ev, m + lead, at - lead);
    return 1;
}

/* "Failed <method> for [invalid user ]USER from ADDR ..." */
static int
failed(sq_scanner *s, const char *m, size_t n)
{
    size_t t = scan_token(m + 7, n - 7), lead = 7 + t;
    int invalid, pubkey = t == 9 && memcmp(m + 7, "publickey", 9) == 0;

    if (!SCAN_HAS(m + lead, n - lead, " for "))
        return 0;
    lead += 5;
    invalid = SCAN_HAS(m + lead, n - lead, "invalid user ");
    if (invalid)
        lead += 13;
    if (!user_from(s, m, n, lead))
        return 0;
    /* fail2ban (publickey=nofail): a failed key of a valid user is not
     * an attack (clients try their keys in turn). */
    return !pubkey || invalid;
}

/* key=value field of a PAM line ("rhost=", "user="): value length. */
static size_t
pam_field(const char *m, size_t n, const char *key, size_t klen, const char **v)
{
    const char *k = scan_find(m, n, key, klen);

    while (k != NULL && k > m && k[-1] != ' ') /* "user=" in "ruser=" */
        k = scan_find(k + 1, n - (size_t)(k + 1 - m), key, klen);
    if (k == NULL)
        return 0;
    *v = k + klen;
    return scan_token(*v, n - (size_t)(*v - m));
}

/* "pam_X(sshd:auth): authentication failure;" or (Red Hat's
 * "sshd(pam_unix)" tag) "authentication failure;" */
static int
pam_is_failure(const char *m, size_t n)
{
    const char *c = m[0] == 'p' ? memchr(m, ':', n) : NULL;

    if (c != NULL) { /* skip "pam_X(sshd" and "auth): " */
        c = memchr(c + 1, ':', n - (size_t)(c + 1 - m));
        if (c == NULL || (size_t)(c - m) + 2 > n)
            return 0;
        n -= (size_t)(c - m) + 2;
        m = c + 2;
    }
    return SCAN_HAS(m, n, "authentication failure;");
}

/* "... authentication failure[s]; logname= ... rhost=ADDR [user=U]" */
static int
pam_failure(sq_scanner *s, const char *m, size_t n)
{
    const char *v;
    size_t vl = pam_field(m, n, SCAN_LIT("rhost="), &v);

    if (vl == 0 || !scan_ip(v, vl, s->ev.src))
        return 0;
    vl = pam_field(m, n, SCAN_LIT("user="), &v);
    if (vl > 0)
        scan_user(&s->ev, v, vl);
    s->ev.flags |= SQ_SCAN_EV_HELPER;
    return 1;
}

/* "Received disconnect from ADDR[ port N]: CODE: text" */
static int
received_disconnect(sq_scanner *s, const char *m, size_t n, unsigned pid)
{
    const char *c = memchr(m + 25, ':', n - 25);
    size_t at, used;
    unsigned code;
    int ev = 0;

    if (c == NULL)
        return 0;
    at = (size_t)(c - m);
    if (!addr_tail(&s->ev, m + 25, at - 25))
        return 0;
    at++;
    while (at < n && m[at] == ' ')
        at++;
    code = scan_uint(m + at, n - at, &used);
    if (code == 3) /* fail2ban: "3: ...: Auth fail" */
        ev = scan_find(m + at, n - at, SCAN_LIT(": Auth fail")) != NULL;
    else if (code == 14) /* client gave up: no authentication method left */
        ev = scan_find(m + at, n - at,
                       SCAN_LIT("authentication methods available")) != NULL;
    pid_forget(s, pid);
    return ev;
}

/* Lines without an address: the pid's earlier address. */
static int
by_pid(sq_scanner *s, unsigned pid)
{
    pid_slot *p = pid ? pid_find(s, pid) : NULL;

    if (p == NULL)
        return 0;
    memcpy(s->ev.src, p->ip, strlen(p->ip) + 1);
    s->ev.flags |= SQ_SCAN_EV_PID;
    return 1;
}

/* "User U from ADDR not allowed because ..." */
static int
not_allowed(sq_scanner *s, const char *m, size_t n)
{
    const char *b = scan_rfind(m, n, SCAN_LIT(" not allowed because "));
    const char *f;

    if (b == NULL)
        return 0;
    f = scan_rfind(m + 5, (size_t)(b - m) - 5, SCAN_LIT(" from "));
    if (f == NULL)
        return 0; /* "... because account is locked": by pid */
    if (!scan_ip(f + 6, (size_t)(b - f) - 6, s->ev.src))
        return 0;
    scan_user(&s->ev, m + 5, (size_t)(f - m) - 5);
    return 1;
}

/* Address-only lines: remember (or forget) the pid's address. */
static void
note_address(sq_scanner *s, const char *m, size_t n, unsigned pid)
{
    sq_scan_event tmp;
    const char *f, *b;

    memset(&tmp, 0, sizeof(tmp));
    if (SCAN_HAS(m, n, "Accepted ") || SCAN_HAS(m, n, "Connection closed ") ||
        SCAN_HAS(m, n, "Connection reset ") ||
        SCAN_HAS(m, n, "Disconnected from ")) {
        pid_forget(s, pid);
        return;
    }
    if ((SCAN_HAS(m, n, "Connection from ") &&
         scan_ip(m + 16, scan_token(m + 16, n - 16), tmp.src)) ||
        (SCAN_HAS(m, n, "reverse mapping checking ") &&
         (b = memchr(m, '[', n)) != NULL &&
         (f = memchr(b, ']', n - (size_t)(b - m))) != NULL &&
         scan_ip(b + 1, (size_t)(f - b) - 1, tmp.src)))
        pid_remember(s, pid, tmp.src);
}

/* Which message; 1 for an event (s->ev filled but the pid). */
static int
sshd_classify(sq_scanner *s, const char *m, size_t n, unsigned pid)
{
    sq_scan_event *ev = &s->ev;

    if (SCAN_HAS(m, n, "Failed ") && n > 7)
        return failed(s, m, n);
    if (SCAN_HAS(m, n, "Invalid user ") || SCAN_HAS(m, n, "Illegal user "))
        return user_from(s, m, n, 13);
    if (SCAN_HAS(m, n, "pam_") || SCAN_HAS(m, n, "authentication failure;"))
        return pam_is_failure(m, n) && pam_failure(s, m, n);
    if (SCAN_HAS(m, n, "PAM ") && scan_find(m, n, SCAN_LIT(" more auth"))) {
        size_t used;

        ev->count = scan_uint(m + 4, n - 4, &used);
        if (ev->count == 0)
            ev->count = 1;
        return pam_failure(s, m, n);
    }
    if (SCAN_HAS(m, n, "Received disconnect from ") && n > 25)
        return received_disconnect(s, m, n, pid);
    if (SCAN_HAS(m, n, "Disconnecting: Too many authentication failures")) {
        if (n > 52 && SCAN_HAS(m + 47, n - 47, " for "))
            scan_user(ev, m + 52, scan_token(m + 52, n - 52));
        return by_pid(s, pid);
    }
    if (SCAN_HAS(m, n, "Did not receive identification string from ") ||
        SCAN_HAS(m, n, "Bad protocol version identification ")) {
        const char *f = scan_rfind(m, n, SCAN_LIT(" from "));

        ev->kind = SQ_KIND_PORT_SCAN;
        return f != NULL && addr_tail(ev, f + 6, n - (size_t)(f - m) - 6);
    }
    if (SCAN_HAS(m, n, "banner exchange: Connection from ")) {
        const char *c = scan_rfind(m, n, SCAN_LIT(": invalid format"));

        ev->kind = SQ_KIND_PORT_SCAN;
        return c != NULL && addr_tail(ev, m + 34, (size_t)(c - m) - 34);
    }
    if (SCAN_HAS(m, n, "User ") && n > 5) {
        if (not_allowed(s, m, n))
            return 1;
        return scan_find(m, n,
                         SCAN_LIT(" not allowed because account is "
                                  "locked")) != NULL &&
               by_pid(s, pid);
    }
    if (SCAN_HAS(m, n, "maximum authentication attempts exceeded for "))
        return user_from(s, m, n, 45);
    if (SCAN_HAS(m, n,
                 "User not known to the underlying authentication "
                 "module for "))
        return user_from(s, m, n, 64);
    if ((SCAN_HAS(m, n, "Authentication ") ||
         SCAN_HAS(m, n, "authentication ")) &&
        n > 15 &&
        (SCAN_HAS(m + 15, n - 15, "failure for ") ||
         SCAN_HAS(m + 15, n - 15, "error for ")))
        return user_from(s, m, n, m[15] == 'f' ? 27 : 25);
    if (SCAN_HAS(m, n, "ROOT LOGIN REFUSED FROM ")) {
        scan_user(ev, "ROOT", 4);
        return addr_tail(ev, m + 24, n - 24);
    }
    if (SCAN_HAS(m, n, "refused connect from ")) {
        const char *o = scan_rfind(m, n, SCAN_LIT(" ("));

        return o != NULL && m[n - 1] == ')' &&
               scan_ip(o + 2, n - (size_t)(o - m) - 3, ev->src);
    }
    if (SCAN_HAS(m, n, "Disconnecting ") &&
        scan_find(m, n, SCAN_LIT("Change of username or service"))) {
        const char *c = scan_find(m, n, SCAN_LIT(": Change of"));
        const char *u = scan_find(m, n, SCAN_LIT(" user "));

        if (c == NULL || u == NULL || u > c)
            return 0;
        u += 6;
        scan_user(ev, u, scan_token(u, (size_t)(c - u)));
        u += scan_token(u, (size_t)(c - u));
        return u < c && addr_tail(ev, u + 1, (size_t)(c - u) - 1);
    }
    note_address(s, m, n, pid);
    return 0;
}

int
scan_sshd_msg(sq_scanner *s, const sl_line *sl)
{
    const char *m = sl->msg;
    size_t n = sl->msglen;
    int ev;

    /* error: / fatal: [PAM: ] as fail2ban's __pref */
    if (SCAN_HAS(m, n, "error: ") || SCAN_HAS(m, n, "fatal: ")) {
        m += 7;
        n -= 7;
        if (SCAN_HAS(m, n, "PAM: ")) {
            m += 5;
            n -= 5;
        }
    }
    /* rsyslog's "message repeated N times: [ msg]" */
    if (SCAN_HAS(m, n, "message repeated ")) {
        size_t used;
        unsigned c = scan_uint(m + 17, n - 17, &used);
        const char *b = memchr(m, '[', n);

        if (b == NULL || m[n - 1] != ']' || c == 0)
            return 0;
        n -= (size_t)(b - m) + 2;
        m = b + 1;
        while (n > 0 && *m == ' ') {
            m++;
            n--;
        }
        ev = sshd_classify(s, m, n, sl->pid);
        s->ev.count = c;
    } else {
        ev = sshd_classify(s, m, n, sl->pid);
    }
    if (!ev)
        return 0;
    s->ev.service = "ssh";
    s->ev.dport = 0;
    if (!(s->ev.flags & SQ_SCAN_EV_PID))
        pid_remember(s, sl->pid, s->ev.src);
    return 1;
}

int
scan_sshd(sq_scanner *s, const char *l, size_t n)
{
    sl_line sl;

    if (l[0] == '{') {
        if (!scan_journal_split(s, l, n, &sl))
            return 0;
    } else if (!scan_syslog_split(s, l, n, &sl) ||
               !SCAN_HAS(sl.tag, sl.taglen, "sshd")) {
        return 0;
    }
    return scan_sshd_msg(s, &sl);
}

/*
 * scan_f2b_test.c - the sshd scanner against fail2ban's own sshd filter
 * (normal mode) on real logs: every line fail2ban-regex counts as a
 * failure must be an event of ours (not a HELPER), and every event of
 * ours that fail2ban does not count must be one of the documented
 * extras (docs/SCAN.md): "Received disconnect ... 14: ...", "Did not
 * receive identification", "message repeated", or the file's last line
 * when it has no newline (fail2ban-regex does not read it).
 *
 * Skips (77) without /usr/bin/fail2ban-regex or the corpora.  Runs
 * fail2ban-regex locally (no network).
 */
#include "sqtest.h"

#include <squeaky/scan.h>

static const char *const logs[] = {
    "logs/loghub/OpenSSH/OpenSSH_2k.log",
    "logs/crowdsec-hub/sshd-logs.log",
    "logs/loghub/Linux/Linux_2k.log",
};

/* fail2ban-regex's matched lines, trailing blanks cut; count. */
static char **
f2b_matched(const char *path, size_t *count)
{
    char cmd[2048], *line = NULL, **v = NULL;
    size_t cap = 0, n = 0, vcap = 0;
    int in = 0;
    FILE *p;

    snprintf(cmd, sizeof(cmd),
             "fail2ban-regex --print-all-matched '%s' sshd 2>/dev/null", path);
    p = popen(cmd, "r");
    while (p != NULL && getline(&line, &cap, p) > 0) {
        size_t len = strcspn(line, "\r\n");

        line[len] = '\0';
        if (strstr(line, "Matched line(s):") != NULL) {
            in = 1;
            continue;
        }
        if (!in || strncmp(line, "|  ", 3) != 0) {
            in = in && line[0] == '|';
            continue;
        }
        while (len > 3 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (n == vcap) {
            char **nv = realloc(v, (vcap = vcap ? vcap * 2 : 256) * sizeof(*v));
            if (nv == NULL)
                break;
            v = nv;
        }
        v[n++] = strdup(line + 3);
    }
    if (p != NULL)
        pclose(p);
    free(line);
    *count = n;
    return v;
}

static int
in_set(char **v, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != NULL && strlen(v[i]) == len && memcmp(v[i], s, len) == 0)
            return 1;
    return 0;
}

static int
documented_extra(const char *l, size_t len, int last)
{
    char buf[1024];

    snprintf(buf, sizeof(buf), "%.*s", (int)(len < 1000 ? len : 1000), l);
    return last || strstr(buf, "Received disconnect from ") != NULL ||
           strstr(buf, "Did not receive identification") != NULL ||
           strstr(buf, "message repeated ") != NULL;
}

static void
compare(const char *rel)
{
    char path[1024], *buf, **m;
    size_t len, nm, pos = 0, ours = 0, both = 0, extra = 0;
    sq_scanner *s = NULL;

    if (sqtest_corpus(rel, path, sizeof(path)) == NULL ||
        (buf = sqtest_slurp(path, &len)) == NULL)
        return;
    m = f2b_matched(path, &nm);
    /* Linux_2k holds only pam_unix lines: NOFAIL for fail2ban, HELPER
     * events for us, so 0 on both sides there. */
    SQ_CHECK(nm > 0 || strstr(rel, "Linux") != NULL,
             "%s: fail2ban-regex matched nothing", rel);
    SQ_CHECK(sq_scanner_new(SQ_SCAN_SSHD, &s) == SQ_OK, "new");
    while (s != NULL && pos < len) {
        char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - buf) - pos : len - pos, t = n;
        const sq_scan_event *ev;
        int ev_ok = sq_scanner_line(s, buf + pos, n, pos, &ev) == SQ_OK &&
                    !(sq_scan_event_flags(ev) & SQ_SCAN_EV_HELPER);
        int f2b;

        while (t > 0 && (buf[pos + t - 1] == ' ' || buf[pos + t - 1] == '\r'))
            t--;
        f2b = in_set(m, nm, buf + pos, t);
        ours += ev_ok;
        both += ev_ok && f2b;
        SQ_CHECK(!f2b || ev_ok, "%s: fail2ban counts, we do not: %.*s", rel,
                 (int)t, buf + pos);
        if (ev_ok && !f2b) {
            extra++;
            SQ_CHECK(documented_extra(buf + pos, n, nl == NULL),
                     "%s: undocumented extra event: %.*s", rel, (int)t,
                     buf + pos);
        }
        pos += n + 1;
    }
    printf("%s: fail2ban-regex sshd matches %zu lines, we give %zu "
           "non-helper events: %zu of them on its lines, %zu documented "
           "extras\n",
           rel, nm, ours, both, extra);
    sq_scanner_free(s);
    for (size_t i = 0; i < nm; i++)
        free(m[i]);
    free(m);
    free(buf);
}

int
main(void)
{
    char path[1024];

    if (system("fail2ban-regex --version >/dev/null 2>&1") != 0) {
        printf("scan_f2b_test: fail2ban-regex not installed, skipped\n");
        return SQTEST_SKIP;
    }
    if (sqtest_corpus(logs[0], path, sizeof(path)) == NULL) {
        printf("scan_f2b_test: corpora absent, skipped\n");
        return SQTEST_SKIP;
    }
    for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
        compare(logs[i]);
    return sqtest_finish("scan_f2b_test");
}

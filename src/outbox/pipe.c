/*
 * pipe.c - one mail through a sendmail-compatible command:
 *   sendmail_command -i -f SENDER -- RCPT  (default /usr/sbin/sendmail)
 * -i is always passed: without it a line holding only "." would end the
 * message early.
 * split on blanks into argv (no shell, no quoting), argv[0] an absolute
 * path, run with fork + execve; the message (LF line ends) on its stdin,
 * its stderr kept (bounded) for the reason.
 *
 * Outcomes: exit 0 -> sent; 75 (EX_TEMPFAIL) -> deferred; 126/127 (could
 * not run) -> deferred, run stopped; other codes -> failed.  Killed or
 * timed out after the whole message was written -> held (it may have
 * queued it); before -> deferred.
 *
 * SIGPIPE is blocked on this thread while writing (a command that exits
 * early must not kill the caller) and a pending one is consumed.
 */
#include "outbox/outbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct ob_child {
    pid_t pid;
    int in, err;
    size_t off;
    char errbuf[OB_ERR_MAX / 2];
    size_t errlen;
    int epipe;
} ob_child;

static int
ob_argv(const char *cmd, char *buf, size_t buflen, char **argv, size_t max)
{
    size_t n = strlen(cmd), k = 0;
    char *p;

    if (n >= buflen)
        return -1;
    memcpy(buf, cmd, n + 1);
    for (p = buf; *p && k < max;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        argv[k++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    if (*p || k == 0 || argv[0][0] != '/')
        return -1;
    return (int)k;
}

/* pipe() with both ends close-on-exec (pipe2 is not POSIX). */
static int
ob_pipe(int fd[2])
{
    if (pipe(fd) != 0)
        return -1;
    (void)fcntl(fd[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fd[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

static int
ob_spawn(char **argv, ob_child *c)
{
    int in[2], er[2];

    if (ob_pipe(in) != 0)
        return -1;
    if (ob_pipe(er) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    if ((c->pid = fork()) == 0) {
        if (dup2(in[0], 0) < 0 || dup2(er[1], 2) < 0)
            _exit(127);
        execve(argv[0], argv, environ);
        _exit(127);
    }
    close(in[0]);
    close(er[1]);
    if (c->pid < 0) {
        close(in[1]);
        close(er[0]);
        return -1;
    }
    c->in = in[1];
    c->err = er[0];
    (void)fcntl(c->in, F_SETFL, O_NONBLOCK);
    return 0;
}

/* Feed stdin and drain stderr until both are done or the deadline. */
static int
ob_pump(ob_child *c, const ob_mail *m, long long deadline)
{
    while (c->err >= 0) {
        struct pollfd pf[2] = {{c->err, POLLIN, 0}, {c->in, POLLOUT, 0}};
        long long left = deadline - (long long)time(NULL);
        int np = c->in >= 0 ? 2 : 1, r;

        if (left <= 0)
            return -1;
        r = poll(pf, (nfds_t)np, (int)(left > 1000 ? 1000000 : left * 1000));
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        if (np == 2 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(c->in, m->data + c->off, m->len - c->off);
            if (w > 0)
                c->off += (size_t)w;
            if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
                c->off == m->len) {
                c->epipe = w < 0 && errno == EPIPE;
                close(c->in);
                c->in = -1;
            }
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            char tmp[512];
            ssize_t k = read(c->err, tmp, sizeof(tmp));
            if (k <= 0) {
                close(c->err);
                c->err = -1;
            } else {
                size_t room = sizeof(c->errbuf) - 1 - c->errlen;
                size_t take = (size_t)k < room ? (size_t)k : room;
                memcpy(c->errbuf + c->errlen, tmp, take);
                c->errlen += take;
            }
        }
    }
    return c->in < 0 ? 0 : -1;
}

static void
ob_pipe_outcome(const ob_child *c, const ob_mail *m, int status, int timeout,
                ob_result *r)
{
    char err[OB_ERR_MAX / 2];
    int all = c->off == m->len && !c->epipe;

    sq_str_show(c->errbuf, c->errlen, err);
    r->stop = 0;
    if (!timeout && WIFEXITED(status) && WEXITSTATUS(status) == 0 && all) {
        r->outcome = OB_SENT;
        r->why[0] = '\0';
        return;
    }
    if (timeout || !WIFEXITED(status)) {
        r->outcome = all ? OB_HOLD : OB_DEFER;
        r->stop = 1;
        snprintf(r->why, sizeof(r->why), "sendmail %s%s",
                 timeout ? "timed out" : "was killed",
                 all ? " after reading the whole message: it "
                       "may have queued it"
                     : "");
        return;
    }
    status = WEXITSTATUS(status);
    r->outcome = status == 75 || status >= 126 ? OB_DEFER : OB_FAIL;
    r->stop = status >= 126;
    snprintf(r->why, sizeof(r->why), "sendmail exited %d%s%s", status,
             err[0] ? ": " : "", err);
}

static void
ob_pipe_run(char **argv, const sq_sender_opts *o, const ob_mail *m,
            ob_result *r)
{
    ob_child c = {0, -1, -1, 0, "", 0, 0};
    sigset_t pipe_set, old;
    int status = 0, timeout;
    long long deadline = (long long)time(NULL) + o->smtp_timeout;
    struct timespec zero = {0, 0};

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    if (ob_spawn(argv, &c) != 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        r->outcome = OB_DEFER;
        r->stop = 1;
        snprintf(r->why, sizeof(r->why), "cannot run %s: %s", argv[0],
                 strerror(errno));
        return;
    }
    timeout = ob_pump(&c, m, deadline) != 0;
    if (timeout)
        kill(c.pid, SIGKILL);
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (c.in >= 0)
        close(c.in);
    if (c.err >= 0)
        close(c.err);
    if (!sigismember(&old, SIGPIPE))
        while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
            ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ob_pipe_outcome(&c, m, status, timeout, r);
}

void
ob_pipe_send(const sq_sender_opts *o, const ob_mail *m, ob_result *r)
{
    const char *cmd =
        o->sendmail_command ? o->sendmail_command : "/usr/sbin/sendmail";
    char buf[4096], sender[OB_ADDR_MAX + 1], rcpt[OB_ADDR_MAX + 1];
    char *argv[OB_CMD_ARGS + 6];
    int n = ob_argv(cmd, buf, sizeof(buf), argv, OB_CMD_ARGS);

    if (n < 0) {
        r->outcome = OB_DEFER;
        r->stop = 1;
        snprintf(r->why, sizeof(r->why),
                 "sendmail_command must be an "
                 "absolute path and at most %d words",
                 OB_CMD_ARGS);
        return;
    }
    snprintf(sender, sizeof(sender), "%s", m->sender);
    snprintf(rcpt, sizeof(rcpt), "%s", m->rcpt);
    argv[n++] = (char *)"-i";
    argv[n++] = (char *)"-f";
    argv[n++] = sender;
    argv[n++] = (char *)"--";
    argv[n++] = rcpt;
    argv[n] = NULL;
    if (m->on_data != NULL && m->on_data(m->arg) != 0) {
        r->outcome = OB_DEFER;
        r->stop = 1;
        snprintf(r->why, sizeof(r->why),
                 "could not record the send in the "
                 "store");
        return;
    }
    ob_pipe_run(argv, o, m, r);
}

/*
 * whois43.c - the port-43 whois client (RFC 3912): connect, send the
 * query and CRLF, read until the server closes.
 *
 * One deadline (lim->timeout_ms) covers connect, send and receive, over
 * every address the name resolves to (IPv4 and IPv6).  Sockets are
 * non-blocking and close-on-exec; writes use MSG_NOSIGNAL so a peer that
 * goes away never raises SIGPIPE.  The answer is capped at
 * lim->max_bytes.  A query holding CR or LF is refused: it would let the
 * caller's input smuggle a second query to the server.  Name resolution
 * (getaddrinfo) runs before the deadline starts and is bounded by the
 * system resolver's own timeouts.
 */
#include "whois/whois_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum { W43_QUERY_MAX = 1024, W43_CHUNK = 16384 };

static long long
w43_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int
w43_wait(int fd, short events, long long deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        long long left = deadline - w43_now_ms();
        int r;

        if (left <= 0)
            return 0;
        r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Connect one address; the socket, or -1 with *err (0: timed out). */
static int
w43_connect_one(const struct addrinfo *ai, long long deadline, int *err)
{
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
               ai->ai_protocol);
    int soerr = 0, w;
    socklen_t sl = sizeof(soerr);

    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        *err = errno;
        close(fd);
        return -1;
    }
    w = w43_wait(fd, POLLOUT, deadline);
    if (w <= 0) {
        *err = w == 0 ? 0 : errno;
        close(fd);
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
        *err = soerr != 0 ? soerr : errno;
        close(fd);
        return -1;
    }
    return fd;
}

static sq_status
w43_connect(const char *host, unsigned port, long long deadline, int *out,
            sq_diag *d)
{
    struct addrinfo hints, *res = NULL;
    char serv[8], shown[SQ_SHOW_MAX + 4];
    int rc, err = ECONNREFUSED, fd = -1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(serv, sizeof(serv), "%u", port);
    sq_str_show(host, strlen(host), shown);
    rc = getaddrinfo(host, serv, &hints, &res);
    if (rc != 0) {
        sq_diag_addf(d, NULL, 0, "whois %s: cannot resolve: %s", shown,
                     gai_strerror(rc));
        return SQ_ENET;
    }
    for (const struct addrinfo *ai = res; ai != NULL && fd < 0;
         ai = ai->ai_next) {
        fd = w43_connect_one(ai, deadline, &err);
        if (fd < 0 && err == 0)
            break; /* the deadline passed */
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        *out = fd;
        return SQ_OK;
    }
    if (err == 0) {
        sq_diag_addf(d, NULL, 0, "whois %s:%u: connect timed out", shown, port);
        return SQ_ETIMEOUT;
    }
    sq_diag_addf(d, NULL, 0, "whois %s:%u: connect failed: %s", shown, port,
                 strerror(err));
    return SQ_ENET;
}

static sq_status
w43_send(int fd, const char *msg, size_t len, long long deadline,
         const char *shown, sq_diag *d)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL);

        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = w43_wait(fd, POLLOUT, deadline);

            if (w == 0) {
                sq_diag_addf(d, NULL, 0, "whois %s: send timed out", shown);
                return SQ_ETIMEOUT;
            }
            if (w > 0)
                continue;
        }
        sq_diag_addf(d, NULL, 0, "whois %s: send failed: %s", shown,
                     strerror(errno));
        return SQ_ENET;
    }
    return SQ_OK;
}

/* Read until EOF into buf (grown up to max + 1 bytes with the NUL). */
static sq_status
w43_recv(int fd, const wn_limits *lim, long long deadline, wn_buf *buf,
         const char *shown, sq_diag *d)
{
    size_t cap = 0;

    for (;;) {
        char chunk[W43_CHUNK];
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

        if (n == 0)
            return SQ_OK;
        if (n < 0) {
            int w;

            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                sq_diag_addf(d, NULL, 0, "whois %s: read failed: %s", shown,
                             strerror(errno));
                return SQ_ENET;
            }
            w = w43_wait(fd, POLLIN, deadline);
            if (w == 0) {
                sq_diag_addf(d, NULL, 0,
                             "whois %s: no complete answer within "
                             "%ld ms",
                             shown, lim->timeout_ms);
                return SQ_ETIMEOUT;
            }
            if (w < 0) {
                sq_diag_addf(d, NULL, 0, "whois %s: poll failed: %s", shown,
                             strerror(errno));
                return SQ_ENET;
            }
            continue;
        }
        if ((size_t)n > lim->max_bytes - buf->len) {
            sq_diag_addf(d, NULL, 0, "whois %s: answer larger than %zu bytes",
                         shown, lim->max_bytes);
            return SQ_ELIMIT_RESPONSE;
        }
        if (buf->len + (size_t)n + 1 > cap) {
            size_t ncap = cap ? cap : (size_t)W43_CHUNK * 2;
            char *p;

            while (ncap < buf->len + (size_t)n + 1)
                ncap *= 2;
            if (ncap > lim->max_bytes + 1)
                ncap = lim->max_bytes + 1;
            if ((p = realloc(buf->data, ncap)) == NULL)
                return SQ_ENOMEM;
            buf->data = p;
            cap = ncap;
        }
        memcpy(buf->data + buf->len, chunk, (size_t)n);
        buf->len += (size_t)n;
        buf->data[buf->len] = '\0';
    }
}

/* host may come bracketed ("[::1]"): the brackets are dropped. */
static int
w43_host(const char *host, char *out, size_t outlen)
{
    size_t n = strlen(host);

    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= outlen)
        return 0;
    memcpy(out, host, n);
    out[n] = '\0';
    return 1;
}

sq_status
wn_whois_query(const char *host, unsigned port, const char *query,
               const wn_limits *lim, wn_buf *out, sq_diag *d)
{
    char h[256], msg[W43_QUERY_MAX + 3], shown[SQ_SHOW_MAX + 4];
    size_t qlen;
    long long deadline;
    wn_buf buf = {NULL, 0};
    int fd = -1;
    sq_status st;

    if (host == NULL || query == NULL || lim == NULL || out == NULL ||
        port > 65535)
        return SQ_EINVAL;
    qlen = strlen(query);
    if (qlen > W43_QUERY_MAX || memchr(query, '\r', qlen) != NULL ||
        memchr(query, '\n', qlen) != NULL) {
        sq_diag_addf(d, NULL, 0, "whois query refused: %s",
                     qlen > W43_QUERY_MAX ? "too long" : "holds CR or LF");
        return SQ_EINVAL;
    }
    if (!w43_host(host, h, sizeof(h))) {
        sq_diag_addf(d, NULL, 0, "whois server name empty or too long");
        return SQ_EINVAL;
    }
    memcpy(msg, query, qlen);
    memcpy(msg + qlen, "\r\n", 3);
    port = port ? port : 43;
    deadline = w43_now_ms() + (lim->timeout_ms > 0 ? lim->timeout_ms : 30000);
    st = w43_connect(h, port, deadline, &fd, d);
    if (st != SQ_OK)
        return st;
    sq_str_show(h, strlen(h), shown);
    st = w43_send(fd, msg, qlen + 2, deadline, shown, d);
    if (st == SQ_OK)
        st = w43_recv(fd, lim, deadline, &buf, shown, d);
    close(fd);
    if (st == SQ_OK && buf.data == NULL && (buf.data = calloc(1, 1)) == NULL)
        st = SQ_ENOMEM;
    if (st != SQ_OK) {
        free(buf.data);
        return st;
    }
    *out = buf;
    return SQ_OK;
}

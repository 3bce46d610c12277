/*
 * smtp.c - one mail over SMTP with libcurl.
 *
 * TLS: smtps:// URLs are TLS from the start; smtp:// URLs use STARTTLS,
 * required (CURLUSESSL_ALL) unless smtp_tls = none.  The server's reply
 * lines reach us through the debug callback (CURLINFO_HEADER_IN) into a
 * bounded buffer; reply.c reads the last one for the reason text.
 *
 * The read callback's first call is the moment message data starts
 * (libcurl reads the body only after the server's 354): it runs the
 * caller's on_data hook, which commits "data may have been sent", and
 * aborts the transfer if that fails.  Outcomes (docs/OUTBOX.md):
 *   accepted                       -> sent
 *   5xx reply                      -> failed, with the reply text
 *   4xx reply, no connection, TLS  -> deferred (a session-wide failure
 *                                     also stops the run)
 *   lost after the whole message   -> held (the server may have it)
 */
#include "outbox/outbox_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ob_smtp {
    const ob_mail *m;
    size_t off;
    int started, aborted, eof;
    char reply[OB_REPLY_MAX];
    size_t rlen;
} ob_smtp;

static size_t
ob_smtp_read(char *buf, size_t size, size_t nitems, void *arg)
{
    ob_smtp *c = arg;
    size_t room = size * nitems, n;

    if (!c->started) {
        c->started = 1;
        if (c->m->on_data != NULL && c->m->on_data(c->m->arg) != 0) {
            c->aborted = 1;
            return CURL_READFUNC_ABORT;
        }
    }
    n = c->m->len - c->off < room ? c->m->len - c->off : room;
    memcpy(buf, c->m->data + c->off, n);
    c->off += n;
    if (n == 0)
        c->eof = 1;
    return n;
}

static int
ob_smtp_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
    ob_smtp *c = arg;

    (void)h;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    if (size > sizeof(c->reply))
        size = 0; /* a line longer than the buffer is noise */
    if (c->rlen + size > sizeof(c->reply)) {
        size_t keep =
            sizeof(c->reply) / 2 < c->rlen ? sizeof(c->reply) / 2 : c->rlen;
        memmove(c->reply, c->reply + c->rlen - keep, keep);
        c->rlen = keep;
        if (c->rlen + size > sizeof(c->reply))
            c->rlen = 0;
    }
    memcpy(c->reply + c->rlen, data, size);
    c->rlen += size;
    return 0;
}

static void
ob_res(ob_result *r, ob_outcome o, int stop, const char *what,
       const char *detail)
{
    r->outcome = o;
    r->stop = stop;
    snprintf(r->why, sizeof(r->why), "%s%s%s", what, detail[0] ? ": " : "",
             detail);
}

static int
ob_tls_error(CURLcode res)
{
    return res == CURLE_SSL_CONNECT_ERROR ||
           res == CURLE_PEER_FAILED_VERIFICATION ||
           res == CURLE_SSL_CERTPROBLEM || res == CURLE_SSL_CIPHER ||
           res == CURLE_SSL_CACERT_BADFILE || res == CURLE_SSL_ISSUER_ERROR ||
           res == CURLE_SSL_CRL_BADFILE || res == CURLE_SSL_ENGINE_NOTFOUND ||
           res == CURLE_SSL_SHUTDOWN_FAILED;
}

/* Classify a failed transfer (res != CURLE_OK). */
static void
ob_smtp_classify(CURLcode res, long resp, const ob_smtp *c, const char *err,
                 ob_result *r)
{
    char text[OB_ERR_MAX - 64];
    int code;

    ob_reply_last(c->reply, c->rlen, resp >= 400 && resp < 600 ? (int)resp : 0,
                  &code, text, sizeof(text));
    if (c->aborted)
        ob_res(r, OB_DEFER, 1, "could not record the send in the store", "");
    else if (c->eof && code < 400)
        ob_res(r, OB_HOLD, 1,
               "connection lost after the message data: the server may have "
               "accepted it",
               err);
    else if (res == CURLE_USE_SSL_FAILED)
        ob_res(r, OB_DEFER, 1,
               "the server offers no STARTTLS and smtp_tls = starttls "
               "requires it; nothing was sent",
               "");
    else if (ob_tls_error(res))
        ob_res(r, OB_DEFER, 1, "TLS failed; nothing was sent", err);
    else if (res == CURLE_LOGIN_DENIED || code == 530 || code == 535)
        ob_res(r, OB_DEFER, 1, "SMTP authentication failed", code ? text : err);
    else if (code >= 500 && code < 600)
        ob_res(r, OB_FAIL, 0, "rejected", text);
    else if (code >= 400 && code < 500)
        ob_res(r, OB_DEFER, code == 421, "temporary failure", text);
    else
        ob_res(r, OB_DEFER, 1, "cannot talk to the SMTP server", err);
}

static CURLcode
ob_smtp_setup(CURL *h, const sq_sender_opts *o, const ob_mail *m, ob_smtp *c,
              struct curl_slist *rcpt, char *from, size_t fromlen, char *err)
{
    int implicit = o->smtp_url && strncmp(o->smtp_url, "smtps://", 8) == 0;
    CURLcode e = CURLE_OK;

    snprintf(from, fromlen, "<%s>", m->sender);
#define SET(opt, v)                                                            \
    if (e == CURLE_OK)                                                         \
    e = curl_easy_setopt(h, opt, v)
    SET(CURLOPT_URL, o->smtp_url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, err);
    SET(CURLOPT_USE_SSL, implicit || o->tls == OB_TLS_STARTTLS
                             ? (long)CURLUSESSL_ALL
                             : (long)CURLUSESSL_NONE);
    SET(CURLOPT_MAIL_FROM, from);
    SET(CURLOPT_MAIL_RCPT, rcpt);
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_READFUNCTION, ob_smtp_read);
    SET(CURLOPT_READDATA, c);
    SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
    SET(CURLOPT_TIMEOUT, (long)o->smtp_timeout);
    SET(CURLOPT_CONNECTTIMEOUT, (long)o->smtp_connect_timeout);
    SET(CURLOPT_VERBOSE, 1L);
    SET(CURLOPT_DEBUGFUNCTION, ob_smtp_debug);
    SET(CURLOPT_DEBUGDATA, c);
    if (o->smtp_ca_file != NULL)
        SET(CURLOPT_CAINFO, o->smtp_ca_file);
    if (o->smtp_user != NULL) {
        SET(CURLOPT_USERNAME, o->smtp_user);
        SET(CURLOPT_PASSWORD, o->smtp_password ? o->smtp_password : "");
    }
#undef SET
    return e;
}

void
ob_smtp_send(const sq_sender_opts *o, const ob_mail *m, ob_result *r)
{
    char err[CURL_ERROR_SIZE + 1] = "", from[OB_ADDR_MAX + 3],
                               to[OB_ADDR_MAX + 3];
    struct curl_slist *rcpt = NULL;
    ob_smtp *c = calloc(1, sizeof(*c));
    CURL *h = curl_easy_init();
    CURLcode res;

    snprintf(to, sizeof(to), "<%s>", m->rcpt);
    if (c == NULL || h == NULL ||
        (rcpt = curl_slist_append(NULL, to)) == NULL) {
        ob_res(r, OB_DEFER, 1, "out of memory", "");
        goto out;
    }
    c->m = m;
    res = ob_smtp_setup(h, o, m, c, rcpt, from, sizeof(from), err);
    if (res != CURLE_OK) {
        ob_res(r, OB_DEFER, 1, "libcurl cannot send SMTP",
               curl_easy_strerror(res));
        goto out;
    }
    res = curl_easy_perform(h);
    if (!err[0] && res != CURLE_OK)
        snprintf(err, sizeof(err), "%s", curl_easy_strerror(res));
    if (res == CURLE_OK) {
        ob_res(r, OB_SENT, 0, "", "");
    } else {
        long resp = 0;
        (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp);
        ob_smtp_classify(res, resp, c, err, r);
    }
out:
    curl_slist_free_all(rcpt);
    if (h != NULL)
        curl_easy_cleanup(h);
    free(c);
}

/*
 * report_redact_test.c - the redactor: plain-text rules (case, '%40',
 * boundaries of IPs and words, longest match), learning recipients from
 * a message, and whole-message redaction of tests/data/report/
 * secrets.eml: base64 and quoted-printable parts keep their transfer
 * encoding and decode to the redacted text, encoded-word headers are
 * redacted, a binary attachment holding a secret becomes a note, parts
 * without secrets stay byte for byte.
 */
#include "sqtest.h"

#include <squeaky/report.h>

#include <gmime/gmime.h>

#include <stdlib.h>
#include <string.h>

typedef struct text_case {
    const char *name, *in, *want;
} text_case;

static const text_case text_cases[] = {
    {"address any case", "mail Victim@Secret.EXAMPLE now",
     "mail redacted@redacted.invalid now"},
    {"address url-encoded", "u=victim%40secret.example&x=1",
     "u=redacted%40redacted.invalid&x=1"},
    {"address inside a longer one", "xvictim@secret.example.org",
     "xredacted@redacted.invalid.org"},
    {"host and sub-domain", "by MX.private.example and a.mx.private.example",
     "by redacted.invalid and a.redacted.invalid"},
    {"ip exact", "[198.51.100.77]", "[redacted-ip]"},
    {"ip inside a longer number kept", "1198.51.100.77 198.51.100.771",
     "1198.51.100.77 198.51.100.771"},
    {"ip before a dot and digit kept", "198.51.100.77.5", "198.51.100.77.5"},
    {"ip at a sentence end", "from 198.51.100.77.", "from redacted-ip."},
    {"ipv6", "2001:db8::77 and 2001:db8::778", "redacted-ip and 2001:db8::778"},
    {"word between boundaries", "user jdoe, not jdoes",
     "user [redacted], not jdoes"},
    {"longest match wins", "secret.example.net", "redacted.invalid"},
    {"nothing to do", "plain text", "plain text"},
};

static sq_redactor *
make(void)
{
    sq_redactor *r = NULL;

    sq_redactor_new(&r);
    sq_redactor_add(r, SQ_SECRET_ADDRESS, "victim@secret.example");
    sq_redactor_add(r, SQ_SECRET_HOST, "mx.private.example");
    sq_redactor_add(r, SQ_SECRET_HOST, "secret.example.net");
    sq_redactor_add(r, SQ_SECRET_HOST, "secret.example");
    sq_redactor_add(r, SQ_SECRET_IP, "198.51.100.77");
    sq_redactor_add(r, SQ_SECRET_IP, "2001:db8::77");
    sq_redactor_add(r, SQ_SECRET_WORD, "jdoe");
    return r;
}

static void
text_rules(void)
{
    sq_redactor *r = make();

    for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        const text_case *c = &text_cases[i];
        char *out = NULL;
        size_t n = 0, reps = 0;

        SQ_CHECK(sq_redact_text(r, c->in, strlen(c->in), &out, &n, &reps) ==
                     SQ_OK,
                 "%s: status", c->name);
        SQ_CHECK_STR(out, c->want, "%s", c->name);
        SQ_CHECK(n == strlen(c->want), "%s: length", c->name);
        free(out);
    }
    SQ_CHECK(sq_redactor_add(r, SQ_SECRET_WORD, "ab") == SQ_EINVAL,
             "a 2-byte secret is refused");
    SQ_CHECK(sq_redactor_add(r, SQ_SECRET_HOST, "a\nb.example") == SQ_EINVAL,
             "a secret with a line break is refused");
    SQ_CHECK(sq_redactor_count(r) == 7, "7 secrets, got %zu",
             sq_redactor_count(r));
    sq_redactor_add(r, SQ_SECRET_HOST, "MX.Private.Example");
    SQ_CHECK(sq_redactor_count(r) == 7, "a secret is kept once, any case");
    sq_redactor_free(r);
}

static char *
slurp_data(const char *rel, size_t *len)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/report/%s", SQ_TEST_DATA_DIR, rel);
    return sqtest_slurp(path, len);
}

static void
learning(const char *msg, size_t len)
{
    sq_redactor *r = NULL;
    size_t n = 0;
    const char *want[] = {"victim@secret.example", "other@secret.example"};

    sq_redactor_new(&r);
    SQ_CHECK(sq_redactor_learn(r, msg, len, &n) == SQ_OK, "learn");
    SQ_CHECK(n == 2, "learned %zu addresses, want 2 (To is encoded)", n);
    for (size_t i = 0; i < 2; i++)
        SQ_CHECK_STR(sq_redactor_secret(r, i, NULL), want[i], "secret %zu", i);
    sq_redactor_learn(r, "Delivered-To: spam-quarantine\n\nx\n", 32, &n);
    SQ_CHECK(n == 1, "a local-part-only Delivered-To is learned");
    sq_redactor_free(r);
}

/* The decoded bytes of the idx-th leaf part (walk order) of msg;
 * *ctype is g_free'd by the caller. */
static GByteArray *
leaf(GMimeMessage *m, int idx, char **ctype, const char **cte)
{
    GMimePartIter *it = g_mime_part_iter_new(GMIME_OBJECT(m));
    GByteArray *b = NULL;
    int i = 0;

    do {
        GMimeObject *o = g_mime_part_iter_get_current(it);

        if (o != NULL && GMIME_IS_PART(o) && i++ == idx) {
            GMimeStream *s = g_mime_stream_mem_new();

            g_mime_data_wrapper_write_to_stream(
                g_mime_part_get_content(GMIME_PART(o)), s);
            g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
            b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
            g_object_unref(s);
            *ctype = g_mime_content_type_get_mime_type(
                g_mime_object_get_content_type(o));
            *cte = g_mime_content_encoding_to_string(
                g_mime_part_get_content_encoding(GMIME_PART(o)));
            break;
        }
    } while (g_mime_part_iter_next(it));
    g_mime_part_iter_free(it);
    return b;
}

static GMimeMessage *
parse(const char *s, size_t n)
{
    GMimeStream *st = g_mime_stream_mem_new_with_buffer(s, n);
    GMimeParser *p = g_mime_parser_new_with_stream(st);
    GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

    g_object_unref(p);
    g_object_unref(st);
    return m;
}

static int
has(const GByteArray *b, const char *s)
{
    size_t k = strlen(s);

    for (size_t i = 0; b != NULL && k <= b->len && i + k <= b->len; i++)
        if (g_ascii_strncasecmp((const char *)b->data + i, s, k) == 0)
            return 1;
    return 0;
}

static void
check_parts(GMimeMessage *m)
{
    static const struct {
        const char *ctype, *cte, *must, *mustnot;
    } want[] = {
        {"text/plain", "base64", "Dear redacted@redacted.invalid,", "victim"},
        {"text/html", "quoted-printable", "<b>redacted@redacted.invalid</b>",
         "mx.private"},
        {"text/plain", "7bit", "[squeaky: this part was removed", "blob for"},
        {"text/plain", NULL, "forwarded to redacted@redacted.invalid",
         "victim"},
    };

    for (int i = 0; i < 4; i++) {
        const char *cte = "";
        char *ctype = NULL;
        GByteArray *b = leaf(m, i, &ctype, &cte);

        SQ_CHECK(b != NULL, "part %d exists", i);
        SQ_CHECK_STR(ctype, want[i].ctype, "part %d content type", i);
        if (want[i].cte != NULL)
            SQ_CHECK_STR(cte, want[i].cte, "part %d transfer encoding", i);
        SQ_CHECK(has(b, want[i].must), "part %d holds \"%s\"", i, want[i].must);
        SQ_CHECK(!has(b, want[i].mustnot), "part %d lost \"%s\"", i,
                 want[i].mustnot);
        g_free(ctype);
        if (b != NULL)
            g_byte_array_free(b, TRUE);
    }
}

static void
whole_message(const char *msg, size_t len)
{
    sq_redactor *r = make();
    char *out = NULL;
    size_t n = 0;
    GMimeMessage *m;
    const char *to;

    sq_redactor_learn(r, msg, len, NULL);
    SQ_CHECK(sq_redact_message(r, msg, len, &out, &n, NULL) == SQ_OK,
             "redact message");
    if (out == NULL)
        return;
    SQ_CHECK(strstr(out, "From: \"Mail Admin\" <admin@phish.example.net>\n") !=
                 NULL,
             "a header without secrets is kept as it was");
    SQ_CHECK(strstr(out, "YmluYXJ5AAEg") == NULL,
             "the attachment's base64 is gone");
    m = parse(out, n);
    SQ_CHECK(m != NULL, "the redacted message parses");
    if (m != NULL) {
        InternetAddressList *l = g_mime_message_get_to(m);
        InternetAddress *a = internet_address_list_get_address(l, 0);

        to = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
        SQ_CHECK_STR(to, "redacted@redacted.invalid", "encoded-word To");
        SQ_CHECK_STR(internet_address_get_name(a),
                     "V\xc3\xaf"
                     "ctim",
                     "the display name survives the re-encoding");
        SQ_CHECK_STR(g_mime_message_get_subject(m),
                     "Account for redacted@redacted.invalid expires",
                     "encoded-word Subject");
        check_parts(m);
        g_object_unref(m);
    }
    free(out);
    sq_redactor_free(r);
}

static void
no_secrets_no_change(const char *msg, size_t len)
{
    sq_redactor *r = NULL;
    char *out = NULL;
    size_t n = 0;

    sq_redactor_new(&r);
    sq_redactor_add(r, SQ_SECRET_HOST, "nothing-here.example");
    SQ_CHECK(sq_redact_message(r, msg, len, &out, &n, NULL) == SQ_OK,
             "redact without a match");
    SQ_CHECK(out != NULL && strstr(out, "cret.example</b>, log in at") != NULL,
             "an untouched QP part keeps its bytes");
    SQ_CHECK(out != NULL &&
                 strstr(out, "YmluYXJ5AAEgYmxvYiBmb3IgdmljdGltQHNlY3JldC5leGFt"
                             "cGxlIP/+") != NULL,
             "an untouched base64 part keeps its bytes");
    free(out);
    sq_redactor_free(r);
}

int
main(void)
{
    size_t len = 0;
    char *msg = slurp_data("secrets.eml", &len);

    g_mime_init();
    text_rules();
    SQ_CHECK(msg != NULL, "tests/data/report/secrets.eml");
    if (msg != NULL) {
        learning(msg, len);
        whole_message(msg, len);
        no_secrets_no_change(msg, len);
    }
    free(msg);
    return sqtest_finish("report_redact_test");
}

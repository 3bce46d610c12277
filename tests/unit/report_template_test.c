/*
 * report_template_test.c - report templates: variables substituted from
 * an incident (and redacted), {{ }} literal braces, unknown variables
 * and malformed templates rejected with a file:line message, the
 * built-in defaults, a template loaded from tests/data/report/.
 */
#include "sqtest.h"

#include <squeaky/report.h>

#include <stdlib.h>
#include <string.h>

static sq_incident *
incident(sq_redactor *r)
{
    sq_incident *inc = NULL;

    sq_incident_new(SQ_KIND_PHISHING, &inc);
    sq_incident_add(inc, SQ_INC_SOURCE_IP, "203.0.113.9");
    sq_incident_add(inc, SQ_INC_ASN, "AS64500");
    sq_incident_add(inc, SQ_INC_NETWORK, "EXAMPLE-NET");
    sq_incident_add(inc, SQ_INC_REPORTER_ORG, "Reporter Ltd");
    sq_incident_add(inc, SQ_INC_REPORTER_ADDR, "reports@reporter.example");
    sq_incident_add(inc, SQ_INC_URI, "http://phish.example.net/a");
    sq_incident_add(inc, SQ_INC_URI, "http://x.example/?to=me@own.example");
    sq_incident_add(inc, SQ_INC_EVIDENCE_LINE, "line one");
    sq_incident_set_time(inc, 1700000000, 0, -300);
    sq_incident_set_count(inc, 2);
    sq_incident_set_redactor(inc, r);
    return inc;
}

static void
custom(const sq_incident *inc)
{
    char path[1024];
    sq_template *t = NULL;
    sq_diag *d = sq_diag_new();
    char *s = NULL, *b = NULL;

    snprintf(path, sizeof(path), "%s/report/custom.tpl", SQ_TEST_DATA_DIR);
    SQ_CHECK(sq_template_load(path, d, &t) == SQ_OK, "load custom.tpl: %s",
             sq_diag_count(d) ? sq_diag_message(d, 0) : "");
    if (t == NULL)
        goto out;
    SQ_CHECK(sq_template_render(t, inc, &s, &b) == SQ_OK, "render");
    SQ_CHECK_STR(s, "Abuse from 203.0.113.9 (AS64500) at 2023-11-14T22:13:20Z",
                 "subject");
    SQ_CHECK(b != NULL &&
                 strncmp(b, "Dear EXAMPLE-NET abuse team,\n\n", 30) == 0,
             "body starts with the greeting: %s", b);
    SQ_CHECK(b != NULL &&
                 strstr(b,
                        "203.0.113.9 sent a phishing message "
                        "(content/phishing, fraud) to\nReporter Ltd.") != NULL,
             "kind, category and feedback type");
    SQ_CHECK(b != NULL && strstr(b, "{not a variable}") != NULL,
             "{{ }} are literal braces");
    SQ_CHECK(b != NULL && strstr(b, ", 2 incident(s).") != NULL, "incidents");
    SQ_CHECK(b != NULL &&
                 strstr(b,
                        "URLs: http://phish.example.net/a, "
                        "http://x.example/?to=redacted@redacted.invalid\n") !=
                     NULL,
             "urls joined and redacted: %s", b);
out:
    free(s);
    free(b);
    sq_template_free(t);
    sq_diag_free(d);
}

static void
evidence_hash_var(const sq_incident *inc)
{
    const char *text = "Subject: x\n\n{evidence_hash}";
    sq_template *t = NULL;
    char *s = NULL, *b = NULL, want[65];

    /* sha256 of "line one" + LF, from: printf 'line one\n' | sha256sum */
    SQ_CHECK(sq_incident_evidence_hash(inc, want) == SQ_OK, "hash");
    SQ_CHECK_STR(
        want,
        "31f21b1dae81d3f32f40e38134bc688e6f7df4f08dde1d7d2cda3c4b59104e1c",
        "evidence hash of the lines");
    sq_template_parse(text, strlen(text), NULL, NULL, &t);
    if (t != NULL && sq_template_render(t, inc, &s, &b) == SQ_OK)
        SQ_CHECK_STR(b, want, "{evidence_hash}");
    free(s);
    free(b);
    sq_template_free(t);
}

static void
errors(void)
{
    static const struct {
        const char *name, *text, *msg;
    } bad[] = {
        {"no subject", "Hello {source_ip}\n", "t:1: a template starts with"},
        {"no blank line", "Subject: x\nbody\n", "t:1: a template starts with"},
        {"unclosed", "Subject: x\n\nab {source_ip\n", "t:3: unclosed '{'"},
        {"stray }", "Subject: x }\n\nab\n", "t:1: '}' without '{'"},
        {"unknown in subject", "Subject: {nope}\n\n",
         "t:1: unknown variable {nope}"},
    };
    char path[1024];
    sq_template *t = NULL;
    sq_diag *d = sq_diag_new();

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sq_diag_clear(d);
        SQ_CHECK(sq_template_parse(bad[i].text, strlen(bad[i].text), "t", d,
                                   &t) == SQ_EPARSE,
                 "%s: rejected", bad[i].name);
        SQ_CHECK(sq_diag_count(d) >= 1 &&
                     strncmp(sq_diag_message(d, 0), bad[i].msg,
                             strlen(bad[i].msg)) == 0,
                 "%s: message \"%s\"", bad[i].name,
                 sq_diag_count(d) ? sq_diag_message(d, 0) : "(none)");
    }
    snprintf(path, sizeof(path), "%s/report/unknown-var.tpl", SQ_TEST_DATA_DIR);
    sq_diag_clear(d);
    SQ_CHECK(sq_template_load(path, d, &t) == SQ_EPARSE, "unknown-var.tpl");
    SQ_CHECK(sq_diag_count(d) == 2, "both unknown variables reported (%zu)",
             sq_diag_count(d));
    SQ_CHECK(sq_diag_count(d) == 2 &&
                 strstr(sq_diag_message(d, 0),
                        "unknown-var.tpl:4: unknown variable {colour}") !=
                     NULL &&
                 strstr(sq_diag_message(d, 1), ":4: unknown variable {nope}") !=
                     NULL,
             "file:line messages");
    sq_diag_clear(d);
    SQ_CHECK(sq_template_load("/nonexistent/x.tpl", d, &t) == SQ_ENOTFOUND,
             "a missing file");
    SQ_CHECK(t == NULL, "out untouched on failure");
    sq_diag_free(d);
}

static void
defaults(const sq_incident *inc)
{
    for (int k = 0; k < SQ_KIND_MAX; k++) {
        sq_template *t = NULL;
        char *s = NULL, *b = NULL;

        SQ_CHECK(sq_template_default((sq_report_kind)k, &t) == SQ_OK,
                 "default template %d", k);
        if (t != NULL && sq_template_render(t, inc, &s, &b) == SQ_OK) {
            SQ_CHECK(strstr(s, "203.0.113.9") != NULL, "subject names the IP");
            SQ_CHECK(strstr(b, "EXAMPLE-NET, AS64500") != NULL,
                     "body names the network");
            SQ_CHECK(strchr(b, '{') == NULL, "no variable left");
        }
        free(s);
        free(b);
        sq_template_free(t);
    }
    for (size_t i = 0; sq_template_var_name(i) != NULL; i++)
        SQ_CHECK(strlen(sq_template_var_name(i)) > 2, "variable name %zu", i);
}

int
main(void)
{
    sq_redactor *r = NULL;
    sq_incident *inc;

    sq_redactor_new(&r);
    sq_redactor_add(r, SQ_SECRET_ADDRESS, "me@own.example");
    inc = incident(r);
    custom(inc);
    evidence_hash_var(inc);
    errors();
    defaults(inc);
    sq_incident_free(inc);
    sq_redactor_free(r);
    return sqtest_finish("report_template_test");
}

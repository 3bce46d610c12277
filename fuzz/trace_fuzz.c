/*
 * trace_fuzz.c - libFuzzer target for the whole trace: header scan,
 * Received parsing, trust walk under two configs, origin, learner.
 */
#include <squeaky/config.h>
#include <squeaky/mail.h>
#include <squeaky/trace.h>
#include <stddef.h>
#include <stdint.h>

static sq_config *cfg;
static sq_trace_opts *opt[2];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_headers *h = NULL;
    if (cfg == NULL) {
        sq_config *c2 = NULL;
        sq_config_new(&cfg);
        sq_config_set(
            cfg, "originating_ip_headers",
            "X-Originating-IP "
            "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp",
            NULL);
        sq_trace_opts_new(cfg, &opt[0], NULL);
        sq_config_new(&c2);
        sq_config_set(c2, "trusted_networks", "10/8 1.2.3.4 !5.6.7.8 5.6/16",
                      NULL);
        sq_config_set(c2, "msa_networks", "5.6.7.9", NULL);
        sq_config_set(c2, "trusted_by_hosts", "mx.example.net .outlook.com",
                      NULL);
        sq_trace_opts_new(c2, &opt[1], NULL);
        sq_config_free(c2);
    }
    if (sq_headers_parse((const char *)data, size, cfg, &h) != SQ_OK)
        return 0;
    for (int k = 0; k < 2; k++) {
        sq_trace *t = NULL;
        if (sq_trace_run(opt[k], h, &t) == SQ_OK) {
            const char *ip, *r;
            size_t hop;
            sq_confidence c;
            sq_trace_origin(t, &ip, &hop, &c, &r);
            for (size_t i = 0; i < sq_trace_warning_count(t); i++)
                (void)sq_trace_warning(t, i);
            sq_trace_free(t);
        }
    }
    {
        sq_trust_learner *l = NULL;
        char n[256], hs[256];
        sq_trust_learner_new(&l);
        sq_trust_learner_add(l, h);
        sq_trust_learner_add(l, h);
        sq_trust_learner_result(l, n, sizeof n, hs, sizeof hs);
        sq_trust_learner_free(l);
    }
    sq_headers_free(h);
    return 0;
}

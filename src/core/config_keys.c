/*
 * config_keys.c - THE table of configuration keys: name, type, default,
 * bounds and help.  Adding a key means adding one row here; the loader
 * (config.c), --help and the docs all read this table.
 *
 * String keys may carry a check function that validates the value at
 * load time, so that a bad netset entry is reported with its file and
 * line instead of surfacing later.
 */
#include "config_int.h"
#include "core_int.h"

enum { HEADER_NAME_MAX = 128 };

/* A netset value must parse; shadowed entries only warn. */
static int
check_netset(const char *v, size_t len, sq_diag *d)
{
    sq_netset *ns = NULL;
    sq_status st;

    if (sq_netset_new(&ns) != SQ_OK) {
        sq_diag_addf(d, NULL, 0, "out of memory");
        return 0;
    }
    st = sq_netset_add(ns, v, len, d);
    sq_netset_free(ns);
    return st == SQ_OK;
}

static int
is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',';
}

/* Header field names: RFC 5322 ftext (printable ASCII except ':'). */
static int
check_header_names(const char *v, size_t len, sq_diag *d)
{
    int ok = 1;

    for (size_t i = 0; i < len;) {
        size_t j = i;
        int bad = 0;
        while (j < len && !is_sep(v[j])) {
            unsigned char c = (unsigned char)v[j];
            bad |= c < 33 || c > 126 || c == ':';
            j++;
        }
        if (j > i && (bad || j - i > HEADER_NAME_MAX)) {
            char shown[SQ_SHOW_MAX + 4];
            sq_str_show(v + i, j - i, shown);
            sq_diag_addf(d, NULL, 0, "bad header field name '%s'", shown);
            ok = 0;
        }
        i = j + 1;
    }
    return ok;
}

/* "name=value" pairs separated by spaces or commas. */
static int
check_pairs(const char *v, size_t len, sq_diag *d)
{
    size_t i = 0;
    int ok = 1;

    while (i < len) {
        size_t j;
        const char *eq;

        while (i < len && is_sep(v[i]))
            i++;
        j = i;
        while (j < len && !is_sep(v[j]))
            j++;
        if (j == i)
            break;
        eq = memchr(v + i, '=', j - i);
        if (eq == NULL || eq == v + i || eq == v + j - 1) {
            char show[SQ_SHOW_MAX + 4];

            sq_str_show(v + i, j - i, show);
            sq_diag_addf(d, NULL, 0, "expected name=value, got '%s'", show);
            ok = 0;
        }
        i = j;
    }
    return ok;
}

const sq_config_key sq_config_keys[] = {
    {"trusted_networks", SQ_CFG_STRING, "", 0, 0,
     "hosts whose Received headers are trusted (SpamAssassin netset "
     "syntax)",
     check_netset},
    {"internal_networks", SQ_CFG_STRING, "", 0, 0,
     "hosts inside the receiving organisation (netset syntax)", check_netset},
    {"msa_networks", SQ_CFG_STRING, "", 0, 0,
     "mail submission agents that accept only authenticated mail (netset "
     "syntax)",
     check_netset},
    {"originating_ip_headers", SQ_CFG_STRING,
     "X-Yahoo-Post-IP X-Originating-IP X-Apparently-From X-SenderIP "
     "X-AOL-IP",
     0, 0, "headers that record the web-mail client's IP address",
     check_header_names},
    {"trusted_by_hosts", SQ_CFG_STRING, "", 0, 0,
     "receiving host names that mark our own Received headers (learned by "
     "'squeaky trust learn')",
     NULL},
    {"max_header_bytes", SQ_CFG_INT, "1048576", 1024, 1073741824,
     "largest header block read from a message, in bytes", NULL},
    {"max_headers", SQ_CFG_INT, "10000", 16, 10000000,
     "most header fields read from a message", NULL},
    {"max_received", SQ_CFG_INT, "1000", 1, 1000000,
     "most Received headers examined in a message", NULL},
    {"max_line_length", SQ_CFG_INT, "1048576", 256, 1073741824,
     "longest input line, in bytes", NULL},
    {"max_message_bytes", SQ_CFG_INT, "67108864", 1024, 1073741824,
     "largest message read from stdin or a single file, in bytes", NULL},
    {"check_chain", SQ_CFG_BOOL, "yes", 0, 1,
     "check that each Received hop names the previous hop's receiver", NULL},
    /* ---- store ---- */
    {"store", SQ_CFG_STRING, "", 0, 0,
     "state database: sqlite:PATH or PATH (default "
     "$XDG_DATA_HOME/squeaky/squeaky.db)",
     NULL},
    /* ---- whois ---- */
    {"rdap_servers", SQ_CFG_STRING, "", 0, 0,
     "registry=URL pairs replacing RDAP base URLs (registry or *), for "
     "mirrors and tests",
     check_pairs},
    {"whois_servers", SQ_CFG_STRING, "", 0, 0,
     "name=host[:port] pairs replacing whois servers (name: registry, "
     "whois host or *)",
     check_pairs},
    {"dns_servers", SQ_CFG_STRING, "", 0, 0,
     "DNS resolvers host[:port],... for the DNS sources (default: system)",
     NULL},
    {"lookup_timeout", SQ_CFG_INT, "15000", 100, 600000,
     "timeout of one registry or DNS exchange, in milliseconds", NULL},
    {"max_response_bytes", SQ_CFG_INT, "4194304", 1024, 1073741824,
     "largest RDAP or whois response read, in bytes", NULL},
    {"max_referrals", SQ_CFG_INT, "4", 0, 16,
     "most referrals followed for one query", NULL},
    {"cache_ttl", SQ_CFG_INT, "172800", 0, 31536000,
     "seconds an answer is kept in the cache (0: no cache)", NULL},
    {"negative_cache_ttl", SQ_CFG_INT, "3600", 0, 31536000,
     "seconds a 'nothing found' answer is kept", NULL},
    {"rate_limits", SQ_CFG_STRING,
     "lacnic=10/60 afrinic=30/60 apnic=60/60 arin=60/60 ripencc=100/60 "
     "jpnic=10/60 krnic=10/60 *=30/60",
     0, 0, "registry=queries/seconds token buckets (registry or *)",
     check_pairs},
    {"rate_wait_max", SQ_CFG_INT, "120000", 0, 3600000,
     "longest wait for a registry token, in milliseconds", NULL},
    {"overrides_file", SQ_CFG_STRING, "", 0, 0,
     "network/AS -> contact overrides (default "
     "$XDG_CONFIG_HOME/squeaky/overrides)",
     NULL},
    {"prefix_db", SQ_CFG_STRING, "", 0, 0,
     "offline prefix database (default $XDG_DATA_HOME/squeaky/prefix.db)",
     NULL},
    {"lookup_jobs", SQ_CFG_INT, "8", 1, 64,
     "concurrent lookups for 'squeaky whois -'", NULL},
    {"report_from", SQ_CFG_STRING, "", 0, 0,
     "your address: From of every report (required to report)", NULL},
    {"report_from_name", SQ_CFG_STRING, "", 0, 0,
     "display name in the From of reports", NULL},
    {"report_org", SQ_CFG_STRING, "", 0, 0,
     "your organisation (XARF reporter.org, report text)", NULL},
    {"report_reply_to", SQ_CFG_STRING, "", 0, 0,
     "Reply-To of reports (default: none)", NULL},
    {"report_format", SQ_CFG_STRING, "arf", 0, 0,
     "report format: arf, xarf, x-arf or text", NULL},
    {"redact_addresses", SQ_CFG_STRING, "", 0, 0,
     "your own mail addresses: never in a report (recipients of the "
     "message are learned too)",
     NULL},
    {"redact_hosts", SQ_CFG_STRING, "", 0, 0,
     "your own host and domain names: never in a report", NULL},
    {"redact_ips", SQ_CFG_STRING, "", 0, 0,
     "your own IP addresses: never in a report", NULL},
    {"redact_words", SQ_CFG_STRING, "", 0, 0,
     "other text never to appear in a report (user names)", NULL},
    {"max_url_hosts", SQ_CFG_INT, "10", 0, 100,
     "URL hosts looked up per reported message", NULL},
    /* sending (src/outbox; docs/OUTBOX.md) */
    {"send_transport", SQ_CFG_STRING, "smtp", 0, 0,
     "how reports leave: smtp or sendmail", NULL},
    {"smtp_url", SQ_CFG_STRING, "", 0, 0,
     "smtp://host[:port] (STARTTLS) or smtps://host[:port]", NULL},
    {"smtp_tls", SQ_CFG_STRING, "starttls", 0, 0,
     "starttls (required) or none (a local relay only)", NULL},
    {"smtp_user", SQ_CFG_STRING, "", 0, 0, "SMTP AUTH user (empty: no AUTH)",
     NULL},
    {"smtp_password_file", SQ_CFG_STRING, "", 0, 0,
     "file holding the SMTP AUTH password (mode 0600)", NULL},
    {"smtp_ca_file", SQ_CFG_STRING, "", 0, 0,
     "CA certificates for the SMTP server (default: the system's)", NULL},
    {"smtp_timeout", SQ_CFG_INT, "120", 1, 3600,
     "seconds for one SMTP transaction", NULL},
    {"smtp_connect_timeout", SQ_CFG_INT, "30", 1, 600,
     "seconds to connect to the SMTP server", NULL},
    {"sendmail_command", SQ_CFG_STRING, "/usr/sbin/sendmail", 0, 0,
     "sendmail-compatible program for send_transport = sendmail", NULL},
    {"envelope_sender", SQ_CFG_STRING, "", 0, 0,
     "bounce address with {tag} for the per-report VERP tag, e.g. "
     "bounces+{tag}@example.org (required to send)",
     NULL},
    {"message_id_domain", SQ_CFG_STRING, "", 0, 0,
     "domain of report Message-IDs (default: report_from's)", NULL},
    {"desk_rate_limit", SQ_CFG_INT, "0", 0, 1000000,
     "reports per destination per desk_rate_interval (0: no limit)", NULL},
    {"desk_rate_interval", SQ_CFG_INT, "3600", 1, 31536000,
     "seconds of the desk_rate_limit window", NULL},
    {"digest_interval", SQ_CFG_INT, "0", 0, 31536000,
     "combine a desk's reports into one mail per this many seconds (0: off)",
     NULL},
    {"digest_max_age", SQ_CFG_INT, "0", 0, 31536000,
     "send a digest once its oldest report is this old (0: "
     "digest_interval)",
     NULL},
    {"digest_max_reports", SQ_CFG_INT, "50", 2, 1000,
     "reports in one digest mail at most", NULL},
    {"retry_base", SQ_CFG_INT, "300", 1, 86400,
     "seconds before the first retry of a deferred report (doubles)", NULL},
    {"retry_max", SQ_CFG_INT, "21600", 1, 604800,
     "longest wait between retries, seconds", NULL},
    {"retry_give_up", SQ_CFG_INT, "432000", 60, 31536000,
     "a report deferred this long fails, seconds", NULL},
    /* log scanning (squeaky scan; docs/SCAN.md) */
    {"scan_allow", SQ_CFG_STRING, "", 0, 0,
     "networks never reported from logs (your own; CIDRs, netset syntax)",
     check_netset},
    {"scan_min_events", SQ_CFG_INT, "3", 1, 1000000,
     "attempts from one source before it is listed and reported", NULL},
    {"scan_interval", SQ_CFG_INT, "3600", 10, 604800,
     "scan --follow --report: seconds between report runs", NULL},
    {"scan_max_sources", SQ_CFG_INT, "2097152", 1000, 16777216,
     "sources (address, kind) one scan keeps in memory", NULL},
    /* tracking (src/tracking; docs/TRACKING.md) */
    {"escalate_after", SQ_CFG_INT, "3", 1, 100000,
     "escalate a network after this many reports in escalate_window", NULL},
    {"escalate_window", SQ_CFG_INT, "30", 1, 3650,
     "days over which escalate_after reports are counted", NULL},
    {"claim_stale", SQ_CFG_INT, "3600", 60, 604800,
     "seconds after which a dead send run's claims are recovered", NULL},
};

const size_t sq_config_nkeys =
    sizeof(sq_config_keys) / sizeof(sq_config_keys[0]);

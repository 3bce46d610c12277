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
};

const size_t sq_config_nkeys =
    sizeof(sq_config_keys) / sizeof(sq_config_keys[0]);

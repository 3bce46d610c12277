/*
 * config_test.c - the config key table and INI loader: defaults, every
 * key, "file:line: message" errors (all of a file at once), quoting,
 * sections and comments, the world-writable refusal, sq_config_set and
 * the default path.  Temporary files live in a mkdtemp() directory that
 * is removed at the end.
 */
#include "core/config_int.h"
#include "core/core_int.h"
#include "sqtest.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];
static int file_no;

/* Write text to a new file in tmpdir with the given mode; returns path. */
static const char *
write_file(const char *text, mode_t mode, char *path, size_t len)
{
    FILE *f;

    snprintf(path, len, "%s/cfg%d", tmpdir, ++file_no);
    f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

/* Load text as a file; returns the status, diag in d. */
static sq_status
load_text(sq_config *cfg, const char *text, char *path, size_t plen, sq_diag *d)
{
    sq_diag_clear(d);
    if (write_file(text, 0600, path, plen) == NULL)
        return SQ_EIO;
    return sq_config_load(cfg, path, d);
}

static void
expect_msgs(const sq_diag *d, const char *path, const char *const *want,
            size_t n, const char *what)
{
    char buf[512];

    SQ_CHECK(sq_diag_count(d) == n, "%s: %zu messages, want %zu", what,
             sq_diag_count(d), n);
    for (size_t i = 0; i < n && i < sq_diag_count(d); i++) {
        int k = snprintf(buf, sizeof(buf), "%s:%s", path, want[i]);
        SQ_CHECK(k > 0 && (size_t)k < sizeof(buf), "%s: path fits", what);
        SQ_CHECK_STR(sq_diag_message(d, i), buf, "%s message %zu", what, i);
    }
}

static void
test_table_and_defaults(void)
{
    sq_config *cfg = NULL;
    size_t n = sq_config_key_count();

    SQ_CHECK(n == 61, "61 keys, got %zu", n);
    SQ_CHECK(sq_config_new(&cfg) == SQ_OK, "new");
    for (size_t i = 0; i < n; i++) {
        const char *name = sq_config_key_name(i);
        SQ_CHECK(name != NULL && sq_config_key_help(i) != NULL &&
                     sq_config_key_help(i)[0] != '\0',
                 "key %zu has name and help", i);
        for (size_t j = 0; j < i; j++)
            SQ_CHECK(strcmp(name, sq_config_key_name(j)) != 0,
                     "duplicate key %s", name);
        if (sq_config_key_type(i) == SQ_CFG_STRING)
            SQ_CHECK_STR(sq_config_get(cfg, name), sq_config_key_default(i),
                         "default of %s", name);
        if (sq_config_key_type(i) == SQ_CFG_INT) {
            long long v = sq_config_get_int(cfg, name);
            SQ_CHECK(v >= sq_config_key_min(i) && v <= sq_config_key_max(i),
                     "default of %s in bounds", name);
            SQ_CHECK_STR(sq_config_get(cfg, name), sq_config_key_default(i),
                         "default text of %s", name);
        }
    }
    SQ_CHECK(sq_config_key_name(n) == NULL, "out of range");
    SQ_CHECK(sq_config_get_int(cfg, "max_header_bytes") == 1048576, "hdr");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 10000, "headers");
    SQ_CHECK(sq_config_get_int(cfg, "max_received") == 1000, "received");
    SQ_CHECK(sq_config_get_int(cfg, "max_line_length") == 1048576, "line");
    SQ_CHECK(sq_config_get_int(cfg, "max_message_bytes") == 67108864, "msg");
    SQ_CHECK(sq_config_get_int(cfg, "check_chain") == 1, "check_chain");
    SQ_CHECK_STR(sq_config_get(cfg, "check_chain"), "yes", "bool text");
    SQ_CHECK_STR(sq_config_get(cfg, "originating_ip_headers"),
                 "X-Yahoo-Post-IP X-Originating-IP X-Apparently-From "
                 "X-SenderIP X-AOL-IP",
                 "originating headers");
    SQ_CHECK_STR(sq_config_get(cfg, "trusted_networks"), "", "trusted");
    SQ_CHECK(sq_config_get(cfg, "nope") == NULL, "unknown get");
    SQ_CHECK(sq_config_get_int(cfg, "nope") == 0, "unknown get_int");
    SQ_CHECK(sq_config_get_int(cfg, "trusted_networks") == 0, "string int");
    sq_config_free(cfg);
    sq_config_free(NULL);
}

static const char every_key[] =
    "# every key set\n"
    "[trace]\n"
    "trusted_networks = !192.168.1.1 10. 192.168/16\n"
    "internal_networks = 10.\n"
    "msa_networks=10.1.2.3\n"
    "originating_ip_headers = X-Originating-IP\n"
    "trusted_by_hosts = mx1.example.org mx2.example.org\n"
    "[limits]\n"
    "max_header_bytes = 2048\n"
    "max_headers = 16\n"
    "max_received = 1000000\n"
    "max_line_length = 256\n"
    "max_message_bytes = 1073741824\n"
    "check_chain = no\n";

static void
test_every_key(sq_diag *d)
{
    sq_config *cfg = NULL;
    char path[512];
    sq_status st;

    sq_config_new(&cfg);
    st = load_text(cfg, every_key, path, sizeof(path), d);
    SQ_CHECK(st == SQ_OK, "every key loads: %s", sq_diag_message(d, 0));
    SQ_CHECK(sq_diag_count(d) == 0, "no messages");
    SQ_CHECK_STR(sq_config_get(cfg, "trusted_networks"),
                 "!192.168.1.1 10. 192.168/16", "trusted");
    SQ_CHECK_STR(sq_config_get(cfg, "internal_networks"), "10.", "internal");
    SQ_CHECK_STR(sq_config_get(cfg, "msa_networks"), "10.1.2.3", "msa");
    SQ_CHECK_STR(sq_config_get(cfg, "originating_ip_headers"),
                 "X-Originating-IP", "orig");
    SQ_CHECK_STR(sq_config_get(cfg, "trusted_by_hosts"),
                 "mx1.example.org mx2.example.org", "by hosts");
    SQ_CHECK(sq_config_get_int(cfg, "max_header_bytes") == 2048, "hdr");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 16, "headers");
    SQ_CHECK(sq_config_get_int(cfg, "max_received") == 1000000, "rcvd");
    SQ_CHECK(sq_config_get_int(cfg, "max_line_length") == 256, "line");
    SQ_CHECK(sq_config_get_int(cfg, "max_message_bytes") == 1073741824, "m");
    SQ_CHECK(sq_config_get_int(cfg, "check_chain") == 0, "chain");
    SQ_CHECK_STR(sq_config_get(cfg, "check_chain"), "no", "chain text");
    sq_config_free(cfg);
}

static const char many_errors[] =
    "max_headers = 20\n"                         /* 1 good */
    "\n"                                         /* 2 */
    "frobnicate = 1\n"                           /* 3 unknown */
    "max_headers = 5\n"                          /* 4 below */
    "max_received = 1000001\n"                   /* 5 above */
    "this line has no equals sign\n"             /* 6 malformed */
    "[broken section\n"                          /* 7 */
    "check_chain = maybe\n"                      /* 8 bad bool */
    "max_line_length = 12k\n"                    /* 9 not int */
    "trusted_networks = 1.2.3.4 bogus\n"         /* 10 bad netset */
    "originating_ip_headers = \"X-A\n"           /* 11 unterminated */
    "trusted_by_hosts = \"a\" b\n"               /* 12 after quote */
    "max_message_bytes = 99999999999999999999\n" /* 13 overflow */
    "= 3\n"                                      /* 14 no key */
    "max_received = 7\n";                        /* 15 good */

static void
test_many_errors(sq_diag *d)
{
    static const char *const want[] = {
        "3: unknown key 'frobnicate'",
        "4: max_headers: 5 is below the minimum 16",
        "5: max_received: 1000001 is above the maximum 1000000",
        "6: expected 'key = value'",
        "7: malformed section header",
        ("8: check_chain: 'maybe' is not a boolean "
         "(yes/no/true/false/on/off/1/0)"),
        "9: max_line_length: '12k' is not an integer",
        "10: trusted_networks: netset: bad entry 'bogus'",
        "11: originating_ip_headers: unterminated quoted value",
        "12: trusted_by_hosts: text after the closing quote",
        "13: max_message_bytes: '99999999999999999999' is not an integer",
        "14: bad key name ''",
    };
    sq_config *cfg = NULL;
    char path[512];

    sq_config_new(&cfg);
    SQ_CHECK(load_text(cfg, many_errors, path, sizeof(path), d) == SQ_ECONFIG,
             "errors give SQ_ECONFIG");
    expect_msgs(d, path, want, sizeof(want) / sizeof(want[0]), "many");
    /* good lines applied, bad ones left the old value */
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 20, "line 1 applied");
    SQ_CHECK(sq_config_get_int(cfg, "max_received") == 7, "line 15 applied");
    SQ_CHECK(sq_config_get_int(cfg, "check_chain") == 1, "bool unchanged");
    SQ_CHECK_STR(sq_config_get(cfg, "trusted_networks"), "", "netset kept");
    sq_config_free(cfg);
}

static const struct syntax_case {
    const char *text;
    const char *key;
    const char *want;
} syntax_cases[] = {
    {"trusted_by_hosts = \"a b, c\"\n", "trusted_by_hosts", "a b, c"},
    {"trusted_by_hosts = \"say \\\"hi\\\" \\\\o/\"\n", "trusted_by_hosts",
     "say \"hi\" \\o/"},
    {"trusted_by_hosts = \"x # not a comment\" # comment\n", "trusted_by_hosts",
     "x # not a comment"},
    {"trusted_by_hosts = \"\"\n", "trusted_by_hosts", ""},
    {"trusted_by_hosts = mx.example # inline comment\n", "trusted_by_hosts",
     "mx.example"},
    {"trusted_by_hosts = mx.example ; inline comment\n", "trusted_by_hosts",
     "mx.example"},
    {"trusted_by_hosts = a#b\n", "trusted_by_hosts", "a#b"},
    {"  trusted_by_hosts\t=\t  spaced  \t\n", "trusted_by_hosts", "spaced"},
    {"trusted_by_hosts = crlf\r\n", "trusted_by_hosts", "crlf"},
    {"trusted_by_hosts = no newline at end", "trusted_by_hosts",
     "no newline at end"},
    {"\xef\xbb\xbftrusted_by_hosts = bom\n", "trusted_by_hosts", "bom"},
    {"[a]\n[b] ; c\n# x\n; y\ntrusted_by_hosts = sect\n", "trusted_by_hosts",
     "sect"},
    {"trusted_by_hosts = first\ntrusted_by_hosts = second\n",
     "trusted_by_hosts", "second"},
    {"max-headers = 17\n", "max_headers", "17"},
    {"max_headers = +18\n", "max_headers", "18"},
    {"max_headers = \"19\"\n", "max_headers", "19"},
    {"check_chain = TRUE\n", "check_chain", "yes"},
    {"check_chain = off\n", "check_chain", "no"},
    {"check_chain = 1\n", "check_chain", "yes"},
    {"check_chain = No\n", "check_chain", "no"},
};

static void
test_syntax(sq_diag *d)
{
    size_t n = sizeof(syntax_cases) / sizeof(syntax_cases[0]), ok = 0;

    for (size_t i = 0; i < n; i++) {
        const struct syntax_case *c = &syntax_cases[i];
        sq_config *cfg = NULL;
        char path[512];
        sq_status st;

        sq_config_new(&cfg);
        st = load_text(cfg, c->text, path, sizeof(path), d);
        SQ_CHECK(st == SQ_OK, "case %zu loads: %s", i,
                 sq_diag_count(d) ? sq_diag_message(d, 0) : "");
        SQ_CHECK_STR(sq_config_get(cfg, c->key), c->want, "case %zu", i);
        ok += st == SQ_OK && strcmp(sq_config_get(cfg, c->key), c->want) == 0;
        sq_config_free(cfg);
    }
    printf("config_test: syntax table %zu/%zu\n", ok, n);
}

static void
test_file_checks(sq_diag *d)
{
    sq_config *cfg = NULL;
    char path[512], want[600];

    sq_config_new(&cfg);
    write_file("max_headers = 100\n", 0666, path, sizeof(path));
    sq_diag_clear(d);
    SQ_CHECK(sq_config_load(cfg, path, d) == SQ_ECONFIG, "world-writable");
    snprintf(want, sizeof(want),
             "%s: refusing a world-writable config file (chmod o-w)", path);
    SQ_CHECK_STR(sq_diag_message(d, 0), want, "world-writable message");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 10000, "not applied");

    write_file("max_headers = 101\n", 0664, path, sizeof(path));
    sq_diag_clear(d);
    SQ_CHECK(sq_config_load(cfg, path, d) == SQ_OK, "group-writable is ok");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 101, "applied");

    write_file("max_headers = 102\n", 0644, path, sizeof(path));
    SQ_CHECK(sq_config_load(cfg, path, d) == SQ_OK, "world-readable is ok");

    snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
    sq_diag_clear(d);
    SQ_CHECK(sq_config_load(cfg, path, d) == SQ_EIO, "missing file SQ_EIO");
    SQ_CHECK(sq_diag_count(d) == 1, "missing file message");

    sq_diag_clear(d);
    SQ_CHECK(sq_config_load(cfg, tmpdir, d) == SQ_ECONFIG, "directory");

    write_file("trusted_networks = 1.2/16 !1.2.3.4\n", 0600, path,
               sizeof(path));
    sq_diag_clear(d);
    SQ_CHECK(sq_config_load(cfg, path, d) == SQ_OK, "netset warning is ok");
    SQ_CHECK(sq_diag_count(d) == 1 && strstr(sq_diag_message(d, 0),
                                             ":1: trusted_networks: netset: "
                                             "warning: cannot exclude") != NULL,
             "warning with place: %s", sq_diag_message(d, 0));

    write_file("max_headers = 1\0max_headers = 2\n", 0600, path,
               sizeof(path)); /* fputs stops at the NUL */
    SQ_CHECK(sq_config_load(cfg, path, NULL) == SQ_ECONFIG, "NULL diag ok");
    sq_config_free(cfg);
}

static void
test_buffer_entry(sq_diag *d)
{
    static const char buf[] = "max_headers = 30\nmax_\0headers = 40\n";
    sq_config *cfg = NULL;

    sq_config_new(&cfg);
    sq_diag_clear(d);
    SQ_CHECK(sq_config_load_buffer(cfg, "mem", buf, sizeof(buf) - 1, d) ==
                 SQ_ECONFIG,
             "NUL byte refused");
    SQ_CHECK_STR(sq_diag_message(d, 0), "mem:2: NUL byte in line", "NUL");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 30, "line 1 applied");
    /* length bounded: the text after len is never read */
    SQ_CHECK(sq_config_load_buffer(cfg, "mem", "max_headers = 50x", 16, d) ==
                     SQ_OK &&
                 sq_config_get_int(cfg, "max_headers") == 50,
             "bounded by len");
    sq_config_free(cfg);
}

static void
test_set(sq_diag *d)
{
    sq_config *cfg = NULL;

    sq_config_new(&cfg);
    sq_diag_clear(d);
    SQ_CHECK(sq_config_set(cfg, "max_headers", "64", d) == SQ_OK, "set");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 64, "set value");
    SQ_CHECK(sq_config_set(cfg, "max-received", "2", d) == SQ_OK, "dash");
    SQ_CHECK(sq_config_get_int(cfg, "max_received") == 2, "dash value");
    SQ_CHECK(sq_config_set(cfg, "max_headers", "15", d) == SQ_ECONFIG, "min");
    SQ_CHECK_STR(sq_diag_message(d, 0),
                 "max_headers: 15 is below the minimum 16", "set message");
    SQ_CHECK(sq_config_get_int(cfg, "max_headers") == 64, "kept");
    sq_diag_clear(d);
    SQ_CHECK(sq_config_set(cfg, "bogus_key", "1", d) == SQ_ECONFIG, "unk");
    SQ_CHECK_STR(sq_diag_message(d, 0), "unknown key 'bogus_key'", "unk msg");
    sq_diag_clear(d);
    SQ_CHECK(sq_config_set(cfg, "msa_networks", "1.2.3.4/40", d) == SQ_ECONFIG,
             "netset checked");
    SQ_CHECK_STR(sq_diag_message(d, 0),
                 "msa_networks: netset: bad entry '1.2.3.4/40'", "netset msg");
    sq_diag_clear(d);
    SQ_CHECK(sq_config_set(cfg, "originating_ip_headers", "X-A Bad:Name", d) ==
                 SQ_ECONFIG,
             "header names checked");
    SQ_CHECK(sq_config_set(cfg, "trusted_by_hosts", "a\nb", d) == SQ_ECONFIG,
             "control characters refused");
    SQ_CHECK(sq_config_set(cfg, "check_chain", "false", d) == SQ_OK &&
                 sq_config_get_int(cfg, "check_chain") == 0,
             "bool");
    SQ_CHECK(sq_config_set(cfg, "max_headers", "", d) == SQ_ECONFIG, "empty");
    SQ_CHECK(sq_config_set(NULL, "max_headers", "1", d) == SQ_EINVAL, "NULL");
    sq_config_free(cfg);
}

static void
test_default_path(void)
{
    char buf[256];

    setenv("XDG_CONFIG_HOME", "/xdg", 1);
    setenv("HOME", "/home/u", 1);
    SQ_CHECK(sq_config_default_path(buf, sizeof(buf)) == SQ_OK &&
                 strcmp(buf, "/xdg/squeaky/config") == 0,
             "xdg: %s", buf);
    SQ_CHECK(sq_config_default_path(buf, 10) == SQ_EINVAL, "too small");
    setenv("XDG_CONFIG_HOME", "relative", 1);
    SQ_CHECK(sq_config_default_path(buf, sizeof(buf)) == SQ_OK &&
                 strcmp(buf, "/home/u/.config/squeaky/config") == 0,
             "relative xdg ignored: %s", buf);
    unsetenv("XDG_CONFIG_HOME");
    SQ_CHECK(sq_config_default_path(buf, sizeof(buf)) == SQ_OK &&
                 strcmp(buf, "/home/u/.config/squeaky/config") == 0,
             "home: %s", buf);
    unsetenv("HOME");
    SQ_CHECK(sq_config_default_path(buf, sizeof(buf)) == SQ_EINVAL, "none");
}

static void
cleanup(void)
{
    char path[512];

    for (int i = 1; i <= file_no; i++) {
        snprintf(path, sizeof(path), "%s/cfg%d", tmpdir, i);
        unlink(path);
    }
    rmdir(tmpdir);
}

int
main(void)
{
    const char *t = getenv("TMPDIR");
    sq_diag *d = sq_diag_new();

    snprintf(tmpdir, sizeof(tmpdir), "%s/sqcfgXXXXXX",
             t != NULL && t[0] != '\0' ? t : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    umask(0);
    test_table_and_defaults();
    test_every_key(d);
    test_many_errors(d);
    test_syntax(d);
    test_file_checks(d);
    test_buffer_entry(d);
    test_set(d);
    test_default_path();
    cleanup();
    sq_diag_free(d);
    return sqtest_finish("config_test");
}

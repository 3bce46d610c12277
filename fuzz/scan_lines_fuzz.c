/*
 * scan_lines_fuzz.c - libFuzzer target for every built-in log scanner
 * and format detection: the input is detected, then split into lines
 * and fed to one scanner of each format (pid tables and JSON buffers
 * included).  Checks the event invariants (address text parses, ports
 * in range, span inside the input).
 */
#include <squeaky/net.h>
#include <squeaky/scan.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sq_scanner *scanners[SQ_SCAN_FORMAT_MAX];

static int
check(void *ctx, const sq_scan_event *ev)
{
    size_t size = *(size_t *)ctx;
    const char *ip = sq_scan_event_source_ip(ev);
    char canon[64];

    if (sq_ip_canon(ip, strlen(ip), canon, sizeof(canon)) != SQ_OK ||
        strcmp(canon, ip) != 0)
        abort(); /* the source is always a canonical address */
    if (sq_scan_event_offset(ev) + sq_scan_event_length(ev) > size ||
        sq_scan_event_source_port(ev) > 65535 ||
        sq_scan_event_dest_port(ev) > 65535 || sq_scan_event_count(ev) == 0)
        abort();
    for (const char *u = sq_scan_event_user(ev); *u; u++)
        if ((unsigned char)*u < 0x20 || (unsigned char)*u >= 0x7f)
            abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_scan_format f;

    (void)sq_scan_detect((const char *)data, size, &f);
    for (int i = 1; i < SQ_SCAN_FORMAT_MAX; i++) {
        if (scanners[i] == NULL &&
            sq_scanner_new((sq_scan_format)i, &scanners[i]) != SQ_OK)
            abort();
        sq_scanner_buffer(scanners[i], (const char *)data, size, 0, check,
                          &size, NULL);
    }
    return 0;
}

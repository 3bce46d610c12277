/*
 * scan_time_fuzz.c - libFuzzer target for the log time-stamp parser
 * (syslog without a year, ISO 8601, epoch, Apache).  Checks that the
 * consumed length stays inside the input and the zone is sane.
 */
#include <squeaky/scan.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long long t, ref = 0;
    unsigned usec, flags;
    int zone;
    size_t used;

    if (size >= sizeof(ref)) {
        memcpy(&ref, data, sizeof(ref));
        ref %= 253402300799LL; /* within years 0..9999 */
        data += sizeof(ref);
        size -= sizeof(ref);
    }
    if (sq_scan_time_parse((const char *)data, size, ref, 60, 1, &t, &usec,
                           &zone, &flags, &used) == SQ_OK) {
        if (used > size || usec > 999999 || zone < -1440 || zone > 1440 ||
            !(flags & SQ_SCAN_EV_TIME))
            abort();
    }
    return 0;
}

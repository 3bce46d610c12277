/*
 * testfiles.h - a temporary directory for a unit test and files in it
 * (shared by logsrc_test and scan_wm_test).  The test defines
 * `static char tmpdir[] = "/tmp/NAME.XXXXXX";`, calls tfiles_begin()
 * first and tfiles_end() last.
 */
#ifndef SQ_TESTFILES_H
#define SQ_TESTFILES_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* A path in the test's directory (16 rotating buffers). */
static const char *
tfiles_path(const char *dir, const char *name)
{
    static char buf[16][256];
    static int k;

    k = (k + 1) % 16;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

/* Write (mode "wb") or append ("ab") len bytes; exit(1) on failure. */
static void
tfiles_put(const char *path, const void *data, size_t len, const char *mode)
{
    FILE *f = fopen(path, mode);

    if (f == NULL || fwrite(data, 1, len, f) != len) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static int
tfiles_rm_one(const char *path, const struct stat *st, int flag,
              struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tfiles_begin(char *dir)
{
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
}

static void
tfiles_end(const char *dir)
{
    nftw(dir, tfiles_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif

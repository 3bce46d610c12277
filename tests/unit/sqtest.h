/*
 * sqtest.h - a tiny table-friendly test harness.  Each test program
 * calls SQ_CHECK()/SQ_CHECK_STR() and returns sqtest_finish().  Exit
 * code 77 tells ctest the test was skipped (e.g. corpus absent).
 */
#ifndef SQTEST_H
#define SQTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sqtest_failures;
static int sqtest_checks;

#define SQ_CHECK(cond, ...)                                                    \
    do {                                                                       \
        sqtest_checks++;                                                       \
        if (!(cond)) {                                                         \
            sqtest_failures++;                                                 \
            fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);              \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#define SQ_CHECK_STR(got, want, ...)                                           \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        sqtest_checks++;                                                       \
        if (g_ == NULL || w_ == NULL || strcmp(g_, w_) != 0) {                 \
            sqtest_failures++;                                                 \
            fprintf(stderr, "%s:%d: FAIL: got \"%s\" want \"%s\": ", __FILE__, \
                    __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");         \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

static inline int
sqtest_finish(const char *name)
{
    printf("%s: %d checks, %d failures\n", name, sqtest_checks,
           sqtest_failures);
    return sqtest_failures == 0 ? 0 : 1;
}

#define SQTEST_SKIP 77

/* Path of a corpus file under ../shared/corpora, or NULL when absent. */
static inline const char *
sqtest_corpus(const char *rel, char *buf, size_t len)
{
    FILE *f;
    int n = snprintf(buf, len, "%s/%s", SQ_CORPORA_DIR, rel);

    if (n < 0 || (size_t)n >= len)
        return NULL;
    f = fopen(buf, "rb");
    if (f == NULL)
        return NULL;
    fclose(f);
    return buf;
}

/* The whole file, NUL-terminated (malloc'ed; *len without the NUL), or
 * NULL when it cannot be read. */
static inline char *
sqtest_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

#endif

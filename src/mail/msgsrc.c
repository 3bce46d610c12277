/*
 * msgsrc.c - message sources: one file, stdin ("-"), an mbox, a Maildir
 * or a plain directory, each yielding raw messages one at a time.
 *
 * Owner: mail.  Files are mapped (map.c), never read whole into the
 * heap; stdin that is a pipe is read into a buffer bounded by
 * max_message_bytes.  Kinds:
 *   - "-": stdin; an mbox when it starts with "From ", else one message.
 *   - a regular file: an mbox when its first line starts with "From ",
 *     else one message (an empty file is one empty message).
 *   - a directory with cur/ and/or new/: a Maildir; the files of both
 *     (tmp/ is skipped), sorted by file name, then by folder.
 *   - any other directory: its regular files, sorted by name, not
 *     recursive.  Dotfiles are skipped in both directory kinds.
 * Labels: the path for one message, "path#N" for the Nth mbox message
 * (from 1), the file's path inside a directory.  Messages are returned
 * raw: mboxrd ">From " quoting stays in the bodies (headers are not
 * affected).  A message larger than max_message_bytes is returned as
 * SQ_ELIMIT_MESSAGE with data and len holding its first max_message_bytes
 * bytes (enough to trace its headers).  A directory entry that cannot be
 * opened is returned as SQ_EIO with its label; the next call goes on.
 */
#include "mail_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NAMES_MIN = 64, LABEL_EXTRA = 24 };
#define NAMES_ARENA_CHUNK ((size_t)16 * 1024)

struct sq_msgsrc {
    sq_msgsrc_kind kind;
    size_t max_msg;
    char *path;
    sq_map map;      /* the current file (or the mbox / stdin) */
    sq_mbox_iter it; /* mbox state */
    size_t nmsg;     /* messages yielded so far */
    sq_arena *arena; /* directory entry paths */
    char **names;    /* full paths, sorted */
    size_t nnames, cap, next;
    char *label; /* "path#N" */
    size_t labelcap;
};

/* ---- directory listing ---- */

static int
cmp_entry(const void *a, const void *b)
{
    const char *pa = *(const char *const *)a, *pb = *(const char *const *)b;
    const char *ba = strrchr(pa, '/'), *bb = strrchr(pb, '/');
    int c = strcmp(ba != NULL ? ba + 1 : pa, bb != NULL ? bb + 1 : pb);

    return c != 0 ? c : strcmp(pa, pb);
}

static int
add_name(sq_msgsrc *src, const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *full;

    if (src->nnames == src->cap) {
        size_t cap = src->cap < NAMES_MIN ? NAMES_MIN : src->cap * 2;
        char **n;
        if (cap > SIZE_MAX / sizeof(*n))
            return 0;
        n = realloc(src->names, cap * sizeof(*n));
        if (n == NULL)
            return 0;
        src->names = n;
        src->cap = cap;
    }
    if (dl > SIZE_MAX - nl - 2)
        return 0;
    full = sq_arena_alloc(src->arena, dl + nl + 2);
    if (full == NULL)
        return 0;
    (void)snprintf(full, dl + nl + 2, "%s/%s", dir, name);
    src->names[src->nnames++] = full;
    return 1;
}

/* 1 when the entry should be listed: a regular file, or a name that
 * cannot be stat'ed (a dangling link), which then fails on open. */
static int
want_entry(const char *dir, const struct dirent *de)
{
    struct stat st;
    char buf[4096];
    int n;

    if (de->d_name[0] == '.')
        return 0;
#ifdef _DIRENT_HAVE_D_TYPE
    if (de->d_type == DT_REG)
        return 1;
    if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
        return 0;
#endif
    n = snprintf(buf, sizeof(buf), "%s/%s", dir, de->d_name);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return 1; /* too long to check here: let open() report it */
    if (stat(buf, &st) != 0)
        return 1;
    return S_ISREG(st.st_mode);
}

static sq_status
list_dir(sq_msgsrc *src, const char *dir, int optional)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    sq_status st = SQ_OK;

    if (d == NULL)
        return optional && errno == ENOENT ? SQ_OK : SQ_EIO;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (!want_entry(dir, de))
            continue;
        if (!add_name(src, dir, de->d_name)) {
            st = SQ_ENOMEM;
            break;
        }
        errno = 0;
    }
    if (st == SQ_OK && errno != 0)
        st = SQ_EIO;
    closedir(d);
    return st;
}

static int
is_dir(const char *dir, const char *sub)
{
    char buf[4096];
    struct stat st;
    int n = snprintf(buf, sizeof(buf), "%s/%s", dir, sub);

    return n > 0 && (size_t)n < sizeof(buf) && stat(buf, &st) == 0 &&
           S_ISDIR(st.st_mode);
}

static sq_status
open_dir(sq_msgsrc *src, sq_diag *d)
{
    sq_status st = SQ_OK;
    char sub[4096];
    int n;

    /* "dir/" and "dir" give the same labels. */
    for (size_t k = strlen(src->path); k > 1 && src->path[k - 1] == '/'; k--)
        src->path[k - 1] = '\0';
    src->arena = sq_arena_new(NAMES_ARENA_CHUNK);
    if (src->arena == NULL)
        return SQ_ENOMEM;
    if (is_dir(src->path, "cur") || is_dir(src->path, "new")) {
        src->kind = SQ_SRC_MAILDIR;
        for (int i = 0; i < 2 && st == SQ_OK; i++) {
            n = snprintf(sub, sizeof(sub), "%s/%s", src->path,
                         i == 0 ? "cur" : "new");
            if (n < 0 || (size_t)n >= sizeof(sub))
                st = SQ_EINVAL;
            else
                st = list_dir(src, sub, 1);
        }
    } else {
        src->kind = SQ_SRC_DIRECTORY;
        st = list_dir(src, src->path, 0);
    }
    if (st != SQ_OK) {
        sq_diag_addf(d, src->path, 0, "cannot list directory: %s",
                     st == SQ_EIO ? strerror(errno) : sq_strerror(st));
        return st;
    }
    if (src->nnames > 1)
        qsort(src->names, src->nnames, sizeof(*src->names), cmp_entry);
    return SQ_OK;
}

/* ---- opening ---- */

static sq_status
open_stream_or_file(sq_msgsrc *src, int is_stdin, sq_diag *d)
{
    sq_status st;

    if (is_stdin)
        st = sq_map_fd(STDIN_FILENO, src->max_msg, &src->map);
    else
        st = sq_map_path(src->path, src->max_msg, &src->map);
    if (st != SQ_OK) {
        sq_diag_addf(d, src->path, 0, "%s", strerror(errno));
        return st;
    }
    if (sq_mbox_is_from_line(src->map.data, src->map.len)) {
        src->kind = SQ_SRC_MBOX;
        sq_mbox_init(&src->it, src->map.data, src->map.len);
    } else {
        src->kind = SQ_SRC_MESSAGE;
    }
    return SQ_OK;
}

sq_status
sq_msgsrc_open(const char *path, const sq_config *cfg, sq_msgsrc **out,
               sq_diag *d)
{
    sq_msgsrc *src;
    struct stat st;
    sq_status rc;
    int is_stdin;

    if (path == NULL || out == NULL || path[0] == '\0')
        return SQ_EINVAL;
    src = calloc(1, sizeof(*src));
    if (src == NULL)
        return SQ_ENOMEM;
    src->max_msg = sq_mail_cfg_size(cfg, "max_message_bytes",
                                    SQ_MAIL_DEF_MAX_MESSAGE_BYTES);
    src->path = strdup(path);
    if (src->path == NULL) {
        rc = SQ_ENOMEM;
        goto out;
    }
    is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin && stat(path, &st) != 0) {
        sq_diag_addf(d, path, 0, "%s", strerror(errno));
        rc = SQ_EIO;
        goto out;
    }
    if (!is_stdin && S_ISDIR(st.st_mode))
        rc = open_dir(src, d);
    else
        rc = open_stream_or_file(src, is_stdin, d);
out:
    if (rc != SQ_OK) {
        sq_msgsrc_free(src);
        return rc;
    }
    *out = src;
    return SQ_OK;
}

void
sq_msgsrc_free(sq_msgsrc *src)
{
    if (src == NULL)
        return;
    sq_map_release(&src->map);
    sq_arena_free(src->arena);
    free(src->names);
    free(src->label);
    free(src->path);
    free(src);
}

sq_msgsrc_kind
sq_msgsrc_kind_of(const sq_msgsrc *src)
{
    return src != NULL ? src->kind : SQ_SRC_MESSAGE;
}

/* ---- iteration ---- */

/* Bound one message by max_message_bytes. */
static sq_status
bound(const sq_msgsrc *src, int cut, const char *p, size_t n, const char **data,
      size_t *len)
{
    *data = p;
    if (n > src->max_msg) {
        *len = src->max_msg;
        return SQ_ELIMIT_MESSAGE;
    }
    *len = n;
    return cut ? SQ_ELIMIT_MESSAGE : SQ_OK;
}

/* "path#N" into out (path is plen bytes; out holds plen + LABEL_EXTRA).
 * Written by hand: this runs once per message of an mbox. */
static void
label_number(char *out, const char *path, size_t plen, size_t n)
{
    char digits[24];
    size_t k = 0;

    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0 && k < sizeof(digits));
    memcpy(out, path, plen);
    out[plen] = '#';
    for (size_t i = 0; i < k; i++)
        out[plen + 1 + i] = digits[k - 1 - i];
    out[plen + 1 + k] = '\0';
}

static sq_status
next_mbox(sq_msgsrc *src, const char **data, size_t *len, const char **label)
{
    size_t need = strlen(src->path) + LABEL_EXTRA;
    const char *p;
    size_t n;
    int cut;

    if (!sq_mbox_next(&src->it, &p, &n))
        return SQ_EEOF;
    if (src->labelcap < need) {
        char *l = realloc(src->label, need);
        if (l == NULL)
            return SQ_ENOMEM;
        src->label = l;
        src->labelcap = need;
    }
    src->nmsg++;
    label_number(src->label, src->path, need - LABEL_EXTRA, src->nmsg);
    *label = src->label;
    /* The last message of a stream cut at max_message_bytes is cut. */
    cut = src->map.cut && p + n == src->map.data + src->map.len;
    return bound(src, cut, p, n, data, len);
}

static sq_status
next_file(sq_msgsrc *src, const char **data, size_t *len, const char **label)
{
    const char *path;
    sq_status st;

    if (src->next >= src->nnames)
        return SQ_EEOF;
    path = src->names[src->next++];
    sq_map_release(&src->map);
    *label = path;
    st = sq_map_path(path, src->max_msg, &src->map);
    if (st != SQ_OK)
        return st;
    return bound(src, src->map.cut, src->map.data, src->map.len, data, len);
}

sq_status
sq_msgsrc_next(sq_msgsrc *src, const char **data, size_t *len,
               const char **label)
{
    if (src == NULL || data == NULL || len == NULL || label == NULL)
        return SQ_EINVAL;
    switch (src->kind) {
    case SQ_SRC_MBOX:
        return next_mbox(src, data, len, label);
    case SQ_SRC_MAILDIR:
    case SQ_SRC_DIRECTORY:
        return next_file(src, data, len, label);
    case SQ_SRC_MESSAGE:
    default:
        if (src->nmsg > 0)
            return SQ_EEOF;
        src->nmsg++;
        *label = src->path;
        return bound(src, src->map.cut, src->map.data, src->map.len, data, len);
    }
}

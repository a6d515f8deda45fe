/* The benchmark's baseline: the most trivial in-memory FUSE filesystem
 * that serves the same path shape as webrobotfs's execution status file.
 * Every path ending in "/status" is a file holding "RUNNING\n"; every other
 * path is a directory. Default libfuse settings, multi-threaded. */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fuse.h>
#include <string.h>
#include <sys/stat.h>

static const char content[] = "RUNNING\n";

static int is_file(const char *path)
{
    size_t n = strlen(path);
    return n >= 7 && strcmp(path + n - 7, "/status") == 0;
}

static int t_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    memset(st, 0, sizeof(*st));
    if (is_file(path)) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = sizeof(content) - 1;
    } else {
        st->st_mode = S_IFDIR | 0555;
        st->st_nlink = 2;
    }
    return 0;
}

static int t_open(const char *path, struct fuse_file_info *fi)
{
    return is_file(path) ? 0 : -EISDIR;
}

static int t_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    size_t len = sizeof(content) - 1;
    if ((size_t)off >= len)
        return 0;
    if (size > len - (size_t)off)
        size = len - (size_t)off;
    memcpy(buf, content + off, size);
    return (int)size;
}

static const struct fuse_operations ops = {
    .getattr = t_getattr,
    .open = t_open,
    .read = t_read,
};

int main(int argc, char *argv[])
{
    return fuse_main(argc, argv, &ops, NULL);
}

/* API key loading with ssh-like file checks: see secret.h. */
#include "secret.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int valid_key(const char *k)
{
    const char *colon = strchr(k, ':');
    if (!colon || colon == k || colon[1] == '\0')
        return 0;
    for (const char *p = k; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == 0x7f)
            return 0;   /* no spaces or control bytes: it goes in a header */
    return 1;
}

static int read_key_file(const char *path, char **key, const char **why)
{
    /* O_NONBLOCK: a FIFO or device must not hang the start-up */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        *why = err == ENOENT ? "the key file does not exist" :
               err == EACCES ? "the key file cannot be read (permission denied)" :
               err == ELOOP ? "the key file is a symbolic link (refused)" :
               "cannot open the key file";
        return -err;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *why = "the key file is not a regular file";
        return -EINVAL;
    }
    if ((st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
        close(fd);
        *why = "the key file must be owned by you and private (chmod 600)";
        return -EPERM;
    }
    char data[4096];
    ssize_t n = read(fd, data, sizeof(data) - 1);
    int err = errno;
    close(fd);
    if (n < 0) {
        *why = "cannot read the key file";
        return -err;
    }
    data[n] = '\0';
    data[strcspn(data, "\r\n")] = '\0';
    *key = xstrdup(data);
    explicit_bzero(data, sizeof(data));
    return 0;
}

int secret_load(const char *path, char **key, const char **why)
{
    char *k = NULL;
    if (path) {
        int rc = read_key_file(path, &k, why);
        if (rc < 0)
            return rc;
    } else {
        const char *env = getenv("WEBROBOT_API_KEY");
        if (!env || !*env) {
            *why = "no API key: set WEBROBOT_API_KEY or use -o api_key_file=PATH";
            return -ENOENT;
        }
        k = xstrdup(env);
    }
    if (!valid_key(k)) {
        explicit_bzero(k, strlen(k));
        free(k);
        *why = "the API key must look like ORGANIZATION:KEY";
        return -EINVAL;
    }
    *key = k;
    return 0;
}

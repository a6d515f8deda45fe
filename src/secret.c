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

/* Read a file that must be a regular file, owned by us and private.
 * Returns 0 and its text (NUL-terminated, at most 4095 bytes) in data. */
static int read_private_file(const char *path, char *data, size_t size, const char **why)
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
    ssize_t n = read(fd, data, size - 1);
    int err = errno;
    close(fd);
    if (n < 0) {
        *why = "cannot read the key file";
        return -err;
    }
    data[n] = '\0';
    return 0;
}

static int read_key_file(const char *path, char **key, const char **why)
{
    char data[4096];
    int rc = read_private_file(path, data, sizeof(data), why);
    if (rc < 0)
        return rc;
    data[strcspn(data, "\r\n")] = '\0';
    *key = xstrdup(data);
    explicit_bzero(data, sizeof(data));
    return 0;
}

/* The value of "api_key = ..." in a config file, or NULL. */
static char *config_key(char *text)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line += strspn(line, " \t");
        if (strncmp(line, "api_key", 7) != 0)
            continue;
        char *p = line + 7 + strspn(line + 7, " \t");
        if (*p != '=')
            continue;
        p++;
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t\r#");
        return xstrndup(p, n);
    }
    return NULL;
}

static int read_config_key(const char *path, char **key, const char **why)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        *why = "no API key: set WEBROBOT_API_KEY, use -o api_key_file=PATH, "
               "or put api_key = ORG:KEY in ~/.config/webrobotfs/config (chmod 600)";
        return -ENOENT;
    }
    char data[4096];
    int rc = read_private_file(path, data, sizeof(data), why);
    if (rc < 0) {
        if (rc == -EPERM)
            *why = "the config file holds the key: it must be owned by you and private (chmod 600)";
        return rc;
    }
    *key = config_key(data);
    explicit_bzero(data, sizeof(data));
    if (!*key) {
        *why = "no API key: the config file has no api_key = ORG:KEY line";
        return -ENOENT;
    }
    return 0;
}

int secret_load(const char *path, const char *config, char **key, const char **why)
{
    char *k = NULL;
    const char *env = getenv("WEBROBOT_API_KEY");
    int rc = 0;
    if (path)
        rc = read_key_file(path, &k, why);
    else if (env && *env)
        k = xstrdup(env);
    else if (config)
        rc = read_config_key(config, &k, why);
    else {
        *why = "no API key: set WEBROBOT_API_KEY or use -o api_key_file=PATH";
        rc = -ENOENT;
    }
    if (rc < 0)
        return rc;
    if (!valid_key(k)) {
        explicit_bzero(k, strlen(k));
        free(k);
        *why = "the API key must look like ORGANIZATION:KEY";
        return -EINVAL;
    }
    *key = k;
    return 0;
}

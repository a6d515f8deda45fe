/* Where the API key comes from, first found wins: a key file named with
 * -o api_key_file, the WEBROBOT_API_KEY environment variable, or the line
 * "api_key = ORG:KEY" of the config file. Files holding the key must be
 * private to their owner (refused otherwise, as ssh refuses private keys
 * others can read). Never from the command line. */
#ifndef WRFS_SECRET_H
#define WRFS_SECRET_H

/* Load the key from path (may be NULL), the environment, or the config
 * file at config (may be NULL; a missing file is no error until nothing
 * else gave a key). Returns 0 and
 * a new string in *key (caller wipes and frees), or -errno with a reason in
 * *why (static text): -ENOENT no key anywhere, -EPERM file readable by group
 * or others or not owned by us, -EINVAL empty or not "org:key", or the
 * errno of opening/reading the file. */
int secret_load(const char *path, const char *config, char **key, const char **why);

#endif

/* Where the API key comes from: the WEBROBOT_API_KEY environment variable
 * or a key file private to its owner (refused otherwise, as ssh refuses
 * private keys others can read). Never from the command line. */
#ifndef WRFS_SECRET_H
#define WRFS_SECRET_H

/* Load the key. path (may be NULL) wins over the environment. Returns 0 and
 * a new string in *key (caller wipes and frees), or -errno with a reason in
 * *why (static text): -ENOENT no key anywhere, -EPERM file readable by group
 * or others or not owned by us, -EINVAL empty or not "org:key", or the
 * errno of opening/reading the file. */
int secret_load(const char *path, char **key, const char **why);

#endif

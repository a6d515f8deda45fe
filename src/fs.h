/* The FUSE operations table: path → route → node, and per-open-file
 * handles (content snapshots, the execute request buffer). */
#ifndef WRFS_FS_H
#define WRFS_FS_H

#define FUSE_USE_VERSION 312
#include <fuse.h>

/* The operations; private data must be a struct fs_ctx. */
const struct fuse_operations *fs_operations(void);

#endif

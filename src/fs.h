/* The FUSE operations table: path → route → node, and per-open-file
 * handles (content snapshots, the execute request buffer). */
#ifndef WRFS_FS_H
#define WRFS_FS_H

#define FUSE_USE_VERSION 312
#include <fuse.h>

/* 1 when the request being served should give up: the caller was
 * interrupted (Ctrl-C) or the mount is going away (SIGTERM, unmount), so
 * blocked readers get EINTR instead of keeping the mount up. 0 outside a
 * FUSE request. */
int fs_should_stop(void);

/* The operations; private data must be a struct fs_ctx. */
const struct fuse_operations *fs_operations(void);

#endif

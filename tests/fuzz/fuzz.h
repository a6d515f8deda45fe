/* Shared by the libFuzzer targets in this directory: the entry point's
 * prototype (the project builds with -Wmissing-declarations) and CHECK, which
 * turns a broken property into an abort() that libFuzzer reports as a crash
 * and saves the input for. */
#ifndef WRFS_FUZZ_H
#define WRFS_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                       \
            abort();                                                              \
        }                                                                         \
    } while (0)

#endif

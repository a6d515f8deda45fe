/* Benchmark driver: open, read and close one file in a loop for a given
 * time, as a polling script does, and print the operations per second. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
    if (argc != 3) {
        fprintf(stderr, "usage: openloop FILE SECONDS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    char buf[4096];
    long ops = 0;
    double start = now(), end = start + seconds;
    while (now() < end) {
        for (int i = 0; i < 100; i++) {
            int fd = open(argv[1], O_RDONLY);
            if (fd < 0) {
                perror(argv[1]);
                return 1;
            }
            while (read(fd, buf, sizeof(buf)) > 0)
                ;
            close(fd);
            ops++;
        }
    }
    printf("%.0f\n", ops / (now() - start));
    return 0;
}

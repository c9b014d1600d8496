/* ffsbench: one workload over a tree, prints "<ops> <seconds>". Used by bench/ffs/run.
 * usage: ffsbench stat|read|ls LISTFILE ROOT   |  seq FILE  |  rand FILE COUNT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
static long ls_count;
static int ls_cb(const char* p, const struct stat* st, int flag, struct FTW* f) {
  (void)p; (void)st; (void)flag; (void)f;
  ls_count++;
  return 0;
}
int main(int argc, char** argv) {
  static char buf[1 << 20];
  if (argc < 3) return 2;
  const char* mode = argv[1];
  double t0 = now();
  long ops = 0;
  if (!strcmp(mode, "ls")) { /* find -type f -ls: walk with lstat of every entry */
    nftw(argv[3], ls_cb, 64, FTW_PHYS);
    ops = ls_count;
  } else if (!strcmp(mode, "stat") || !strcmp(mode, "read")) {
    FILE* list = fopen(argv[2], "r");
    char rel[4096], path[8192];
    while (fgets(rel, sizeof rel, list)) {
      rel[strcspn(rel, "\n")] = 0;
      snprintf(path, sizeof path, "%s/%s", argv[3], rel);
      if (mode[0] == 's') {
        struct stat st;
        if (lstat(path, &st) != 0) { perror(path); return 1; }
      } else {
        int fd = open(path, O_RDONLY);
        if (fd < 0) { perror(path); return 1; }
        while (read(fd, buf, sizeof buf) > 0) {}
        close(fd);
      }
      ops++;
    }
    fclose(list);
  } else if (!strcmp(mode, "seq")) {
    int fd = open(argv[2], O_RDONLY);
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) ops += n;
    close(fd);
  } else if (!strcmp(mode, "rand")) {
    int fd = open(argv[2], O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    long count = atol(argv[3]), blocks = st.st_size / 4096;
    unsigned s = 12345;
    for (long i = 0; i < count; i++) {
      s = s * 1103515245 + 12345;
      if (pread(fd, buf, 4096, (off_t)((s >> 4) % blocks) * 4096) != 4096) { perror("pread"); return 1; }
    }
    ops = count;
    close(fd);
  }
  printf("%ld %.6f\n", ops, now() - t0);
  return 0;
}

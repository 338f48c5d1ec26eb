/* LD_PRELOAD shim that simulates a full disk for the fault tests where a small tmpfs cannot be
 * mounted: write() to a regular file whose path contains $PATCHNAS_ENOSPC_MATCH succeeds until
 * $PATCHNAS_ENOSPC_BYTES bytes in all have gone to such files, then fails with ENOSPC; the write
 * that crosses the limit is cut short first, as on a real disk. Without PATCHNAS_ENOSPC_MATCH it
 * does nothing.
 *   LD_PRELOAD=libenospc_shim.so PATCHNAS_ENOSPC_MATCH=/final/checkpoint.bin \
 *     PATCHNAS_ENOSPC_BYTES=20000 patchnas run ... */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long long written_to_matching;

static int matches(int fd, const char* match) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  char link[64];
  char path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 0) return 0;
  path[n] = '\0';
  return strstr(path, match) != NULL;
}

ssize_t write(int fd, const void* buffer, size_t count) {
  static ssize_t (*real_write)(int, const void*, size_t);
  if (real_write == NULL) real_write = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  const char* match = getenv("PATCHNAS_ENOSPC_MATCH");
  if (count == 0 || match == NULL || !matches(fd, match)) return real_write(fd, buffer, count);
  const char* limit_text = getenv("PATCHNAS_ENOSPC_BYTES");
  const long long limit = limit_text != NULL ? atoll(limit_text) : 0;
  const long long room = limit - __atomic_load_n(&written_to_matching, __ATOMIC_SEQ_CST);
  if (room <= 0) {
    errno = ENOSPC;
    return -1;
  }
  const ssize_t n = real_write(fd, buffer, (long long)count > room ? (size_t)room : count);
  if (n > 0) __atomic_add_fetch(&written_to_matching, n, __ATOMIC_SEQ_CST);
  return n;
}

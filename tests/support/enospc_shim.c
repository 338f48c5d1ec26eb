/* LD_PRELOAD shim that simulates a full disk for the fault tests where a small tmpfs cannot be
 * mounted: write() to a regular file whose path contains $PATCHNAS_ENOSPC_MATCH succeeds until
 * $PATCHNAS_ENOSPC_BYTES bytes in all have gone to such files (in this process), then fails with
 * ENOSPC; the write that crosses the limit is cut short first, as on a real disk. fwrite() fails
 * the same way: the programs patchnas starts (the assembler, the linker) write through stdio,
 * whose own calls to write() the shim cannot see. Without PATCHNAS_ENOSPC_MATCH it does nothing.
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

/* Whether what is written to `fd` goes to the simulated disk. */
static int on_disk(int fd) {
  const char* match = getenv("PATCHNAS_ENOSPC_MATCH");
  return match != NULL && matches(fd, match);
}

/* The bytes the simulated disk still has room for. */
static long long room_left(void) {
  const char* limit_text = getenv("PATCHNAS_ENOSPC_BYTES");
  const long long limit = limit_text != NULL ? atoll(limit_text) : 0;
  return limit - __atomic_load_n(&written_to_matching, __ATOMIC_SEQ_CST);
}

ssize_t write(int fd, const void* buffer, size_t count) {
  static ssize_t (*real_write)(int, const void*, size_t);
  if (real_write == NULL) real_write = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  if (count == 0 || !on_disk(fd)) return real_write(fd, buffer, count);
  const long long room = room_left();
  if (room <= 0) {
    errno = ENOSPC;
    return -1;
  }
  const ssize_t n = real_write(fd, buffer, (long long)count > room ? (size_t)room : count);
  if (n > 0) __atomic_add_fetch(&written_to_matching, n, __ATOMIC_SEQ_CST);
  return n;
}

size_t fwrite(const void* buffer, size_t size, size_t items, FILE* stream) {
  static size_t (*real_fwrite)(const void*, size_t, size_t, FILE*);
  if (real_fwrite == NULL) {
    real_fwrite = (size_t(*)(const void*, size_t, size_t, FILE*))dlsym(RTLD_NEXT, "fwrite");
  }
  if (size == 0 || items == 0 || !on_disk(fileno(stream))) {
    return real_fwrite(buffer, size, items, stream);
  }
  const long long room = room_left();
  const size_t room_items = room <= 0 ? 0 : (size_t)(room / (long long)size);
  const size_t fit = room_items < items ? room_items : items;
  const size_t n = fit > 0 ? real_fwrite(buffer, size, fit, stream) : 0;
  __atomic_add_fetch(&written_to_matching, (long long)(n * size), __ATOMIC_SEQ_CST);
  if (n < items) errno = ENOSPC;
  return n;
}

/* Semihosting exit/print helpers and the stack high-water measurement (see semihost.h). */
#include "semihost.h"

extern uint32_t __stack_bottom[], __stack_top[];

void sh_exit(int code) {
  /* SYS_EXIT_EXTENDED (0x20): block {ADP_Stopped_ApplicationExit, code} -> qemu exits with code */
  static volatile uint32_t blk[2];
  blk[0] = 0x20026u;
  blk[1] = (uint32_t)code;
  sh_call(0x20, (const void *)blk);
  for (;;) {
  }
}

void sh_putn(const char *label, uint32_t v) {
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  sh_puts(label);
  sh_puts(buf + i);
}

void sh_putu(const char *label, uint32_t v) {
  sh_putn(label, v);
  sh_puts("\n");
}

uint32_t stack_high_water(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == 0xDEADBEEFu) p++;
  return (uint32_t)((__stack_top - p) * 4);
}

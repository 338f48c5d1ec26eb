/* ARM semihosting for the exported firmware: output to the debugger/QEMU console and the exit
 * code, with no libc stdio. The Thumb/M-profile trap is BKPT 0xAB, the operation in r0 and its
 * argument block in r1.
 *   sh_puts("hello\n"); sh_putu("stack_high_water_bytes ", stack_high_water()); sh_exit(0);
 */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stdint.h>

static inline int sh_call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
static inline void sh_puts(const char *s) { sh_call(0x04 /* SYS_WRITE0 */, s); }

/* SYS_EXIT_EXTENDED: QEMU exits with `code`. */
void sh_exit(int code) __attribute__((noreturn));
/* Prints label and the decimal value (sh_putn), and a newline (sh_putu). */
void sh_putn(const char *label, uint32_t v);
void sh_putu(const char *label, uint32_t v);
/* Bytes of the stack region ever written (startup.S paints it with 0xDEADBEEF). */
uint32_t stack_high_water(void);

#endif

/* Cortex-M startup of the exported firmware: vector table at 0x0, FPU on, .data copied,
   .bss zeroed, the whole stack painted with 0xDEADBEEF (stack_high_water() in semihost.c
   measures it), main() called, and its return value handed to QEMU through semihosting.
   Any fault exits with 0xEE instead of locking up. */
    .syntax unified
    .thumb
    .section .isr_vector,"a",%progbits
    .align 2
    .globl __isr_vector
__isr_vector:
    .word __stack_top            /* 0: initial MSP */
    .word Reset_Handler          /* 1: reset */
    .rept 14                     /* NMI..SysTick */
    .word Fault_Handler
    .endr

    .text
    .thumb_func
    .globl Reset_Handler
Reset_Handler:
    ldr  r0, =__stack_top
    msr  msp, r0
    /* enable FPU (CP10/CP11 full access) -- required before any VFP insn when built -mfloat-abi=hard/softfp */
#if defined(__ARM_FP) && !defined(NO_FPU_ENABLE)
    ldr  r0, =0xE000ED88
    ldr  r1, [r0]
    orr  r1, r1, #(0xF << 20)
    str  r1, [r0]
    dsb
    isb
#endif
    /* copy .data from flash LMA to RAM */
    ldr  r0, =__data_start
    ldr  r1, =__data_end
    ldr  r2, =__data_load
1:  cmp  r0, r1
    ittt lo
    ldrlo r3, [r2], #4
    strlo r3, [r0], #4
    blo  1b
    /* zero .bss */
    ldr  r0, =__bss_start
    ldr  r1, =__bss_end
    movs r3, #0
2:  cmp  r0, r1
    itt  lo
    strlo r3, [r0], #4
    blo  2b
    /* paint the whole stack region (we are at the very top, nothing live yet) */
    ldr  r0, =__stack_bottom
    ldr  r1, =__stack_top
    ldr  r3, =0xDEADBEEF
3:  cmp  r0, r1
    itt  lo
    strlo r3, [r0], #4
    blo  3b
    bl   main
    bl   sh_exit                 /* r0 = main's return value */
4:  b 4b

    .thumb_func
    .weak Fault_Handler
Fault_Handler:
    movs r0, #0xEE               /* exit(0xEE) so qemu doesn't hang in lockup */
    bl   sh_exit
5:  b 5b

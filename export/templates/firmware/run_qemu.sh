#!/bin/bash
# Runs a firmware ELF under QEMU with semihosting output on stdout; QEMU's exit code is the
# firmware's (SYS_EXIT_EXTENDED). The machine follows the file name: *m7* -> mps2-an500
# (Cortex-M7), anything else -> mps2-an386 (Cortex-M4).
#   ./run_qemu.sh firmware_m4.elf [extra qemu args...]
set -u
elf=$1; shift
case "$elf" in *m7*) machine=mps2-an500;; *) machine=mps2-an386;; esac
exec qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
  -chardev stdio,id=sh0 -semihosting-config enable=on,target=native,chardev=sh0 \
  -kernel "$elf" "$@"

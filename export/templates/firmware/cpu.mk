# Compiler flags of the supported cores, shared by this firmware and bench/qemu_kernels.
#   CPU=m4: Cortex-M4F (QEMU mps2-an386)     CPU=m7: Cortex-M7 (QEMU mps2-an500)
ifeq ($(CPU),m4)
  MFLAGS = -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
else ifeq ($(CPU),m7)
  MFLAGS = -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard
else
  $(error CPU must be m4 or m7, not '$(CPU)')
endif

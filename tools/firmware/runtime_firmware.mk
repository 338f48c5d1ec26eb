# A bare-metal firmware of main.c + the C runtime for QEMU, for the repository's own on-device
# checks and benchmarks (bench/qemu_kernels, tests/runtime/qemu_dsp_conv). It reuses the exported
# firmware's startup, linker script, semihosting and QEMU runner in place. The including
# Makefile sets ROOT (the repository root), NAME_STEM and optionally QEMU_ARGS, then:
#   make CPU=m4 run      (CPU=m7 for the Cortex-M7 machine); the exit status is main's
CPU ?= m4
QEMU_TIMEOUT ?= 600
FIRMWARE = $(ROOT)/export/templates/firmware
RUNTIME = $(ROOT)/runtime
CC = arm-none-eabi-gcc

include $(FIRMWARE)/cpu.mk

NAME ?= $(NAME_STEM)_$(CPU)
OBJDIR ?= build_$(CPU)
RUNTIME_SOURCES = $(sort $(wildcard $(RUNTIME)/src/*.c))
C_SOURCES = main.c $(FIRMWARE)/semihost.c $(RUNTIME_SOURCES)
OBJECTS = $(OBJDIR)/startup.o $(addprefix $(OBJDIR)/,$(notdir $(C_SOURCES:.c=.o)))
HEADERS = $(wildcard $(FIRMWARE)/*.h) $(wildcard $(RUNTIME)/include/*.h) \
          $(wildcard $(RUNTIME)/src/*.h) $(wildcard $(ROOT)/tools/firmware/*.h)

CFLAGS = $(MFLAGS) -std=c99 -O2 -g -Wall -Wextra -ffunction-sections -fdata-sections \
         -I$(FIRMWARE) -I$(RUNTIME)/include -I$(RUNTIME)/src -I$(ROOT)/tools/firmware
LDFLAGS = $(MFLAGS) -T $(FIRMWARE)/link.ld -nostartfiles -Wl,--gc-sections \
          --specs=nano.specs --specs=nosys.specs

vpath %.c . $(FIRMWARE) $(RUNTIME)/src

$(NAME).elf: $(OBJECTS) $(FIRMWARE)/link.ld
	$(CC) $(LDFLAGS) $(OBJECTS) -o $@

$(OBJDIR)/startup.o: $(FIRMWARE)/startup.S | $(OBJDIR)
	$(CC) $(MFLAGS) -c $< -o $@

$(OBJDIR)/%.o: %.c $(HEADERS) | $(OBJDIR)
	$(CC) $(CFLAGS) -c $< -o $@

$(OBJDIR):
	mkdir -p $@

run: $(NAME).elf
	timeout $(QEMU_TIMEOUT) bash $(FIRMWARE)/run_qemu.sh $< $(QEMU_ARGS)

clean:
	rm -rf build_m4 build_m7 $(NAME_STEM)_m4.elf $(NAME_STEM)_m7.elf

.PHONY: run clean

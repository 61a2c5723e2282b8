# The devices of qemu-system-x86_64 as the harness builds it (configure
# --without-default-devices): the i440FX PC, which selects what it needs
# (PIC, PIT, RTC, serial ports, fw_cfg, ACPI PM timer); the HPET, which
# the guest kernel's clocksource watchdog uses (without it, the watchdog
# fell back to the ACPI PM timer and, under CI's load, marked the TSC
# unstable: the guest's TSC-based tests then failed); and the
# isa-debug-exit port that harness/boot-qemu.sh ends the VM with.
CONFIG_I440FX=y
CONFIG_HPET=y
CONFIG_ISA_DEBUG=y

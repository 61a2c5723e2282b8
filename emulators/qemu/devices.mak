# The devices of qemu-system-x86_64 as the harness builds it (configure
# --without-default-devices): the i440FX PC, which selects what it needs
# (PIC, PIT, RTC, serial ports, fw_cfg), and the isa-debug-exit port that
# harness/boot-qemu.sh ends the VM with.
CONFIG_I440FX=y
CONFIG_ISA_DEBUG=y

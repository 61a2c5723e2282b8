# The verbs; each one is a script in harness/.
.PHONY: all tree export run test mutants deb mail bochs qemu clean

all: run

tree:
	@harness/make-tree.sh

export:
	@harness/export-series.sh

run:
	@harness/run.sh

test:
	@harness/test.sh

mutants:
	@harness/mutants.sh

deb:
	@harness/make-deb.sh

mail:
	@harness/mail-series.sh

# Bochs 3.0 with the project's VMX fixes, for the Intel VMX platforms.
bochs:
	@harness/build-bochs.sh

# QEMU 10.0 with the project's fixes, for the qemu-amd platform.
qemu:
	@harness/build-qemu.sh

# Build output only: build/linux (kernel work), the base and its download stay.
clean:
	rm -rf build/kernel-* build/scratch build/selftests build/results build/cache \
		build/logs build/initramfs-*
	-git -C build/linux worktree prune 2>/dev/null

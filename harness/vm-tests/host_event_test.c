// SPDX-License-Identifier: GPL-2.0
/*
 * Host NMIs and interrupts that arrive while a vCPU runs are the host's:
 * each must reach the host's handler exactly once, and never the guest.
 *
 * On VMX, an NMI or external interrupt that arrives in guest mode is
 * consumed by the VM-exit (NMI exiting, "acknowledge interrupt on exit"),
 * and KVM hands it to the host's handler itself (vmx_handle_nmi() and
 * handle_external_interrupt_irqoff(), through the IDT or FRED entry
 * code).  On SVM the event stays pending across the #VMEXIT and is taken
 * when KVM sets GIF again (STGI).  A handoff that is skipped loses the
 * host's NMI; one that runs twice handles it twice.
 *
 * The host's side: the vCPU thread runs alone on one CPU (the target); the
 * main thread, on another CPU, sends that CPU NMIs through the kernel's NMI
 * backtrace (sysrq 'l', one NMI IPI per online CPU but the sender) and
 * call-function IPIs through membarrier(), which interrupts the CPUs that
 * run this process.  What arrived is read back from /proc/interrupts (the
 * target's NMI and CAL counts) and from the kernel log (one "NMI backtrace
 * for cpu N" per NMI the backtrace code handled, and "NMI received for
 * unknown reason" for an NMI that no handler claimed).  The backtrace's
 * RIP says where the NMI was taken: in KVM's handoff or at the STGI after
 * a VM-exit (nmi_irqoff, entry_from_kvm, svm_vcpu_*, or stgi where
 * 6.12 has it out of line), or elsewhere.
 *
 * The guest's side: a real-mode guest that counts the NMIs and interrupts
 * it takes.  The host's NMIs and IPIs must not move those counts; one NMI
 * for the guest (KVM_NMI), sent in each round as well, must arrive once.
 *
 * Needs root (sysrq-trigger, /dev/kmsg), CONFIG_MAGIC_SYSRQ and two CPUs.
 * The console log level is lowered while the test runs, so that the
 * backtraces go to the kernel log only.
 *
 * usage: host_event_test [-r ROUNDS] [-i IPIS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define NMI_HANDLER	0x2000
#define INT_HANDLER	0x2100
#define GUEST_NMIS	0x500	/* u16: NMIs the guest took */
#define GUEST_INTS	0x502	/* u16: other vectors it took */

/* Real-mode guest code. */
static const uint8_t spin_sti[] = { 0xfb, 0xeb, 0xfe };		/* sti; jmp . */
static const uint8_t spin_cli[] = { 0xfa, 0xeb, 0xfe };		/* cli; jmp . */
static const uint8_t halt_loop[] = { 0xfb, 0xf4, 0xeb, 0xfd };	/* sti; 1: hlt; jmp 1b */
static const uint8_t nmi_handler[] = { 0xff, 0x06, 0x00, 0x05, 0xcf };	/* incw 0x500; iret */
static const uint8_t int_handler[] = { 0xff, 0x06, 0x02, 0x05, 0xcf };	/* incw 0x502; iret */

static const struct test_case {
	const char *name;
	const uint8_t *code;
	size_t len;
	bool hlt_exits_off;	/* KVM_X86_DISABLE_EXITS_HLT */
	bool in_guest;		/* the vCPU is in guest mode almost always */
} cases[] = {
	{ "spinning with IF=1", spin_sti, sizeof(spin_sti), false, true },
	{ "spinning with IF=0", spin_cli, sizeof(spin_cli), false, true },
	{ "halted in the guest, HLT exits off", halt_loop, sizeof(halt_loop), true, true },
	/* The vCPU thread sleeps in KVM: the NMIs find the CPU idle. */
	{ "halted, HLT exits on", halt_loop, sizeof(halt_loop), false, false },
};

static int rounds = 5, ipis = 20, target, failed;
static int kvm_fd, vm_fd, vcpu_fd, kmsg_fd;
static struct kvm_run *run;
static uint8_t *mem;
static volatile int stop, nmi_request, nmis_injected, unexpected_exit;
static pthread_t vcpu_thread;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# error: ");
	vprintf(fmt, ap);
	printf(": %s\n", strerror(errno));
	va_end(ap);
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(%d)", cpu);
}

/* The TARGET column of the /proc/interrupts row NAME ("NMI", "CAL"). */
static unsigned long irq_count(const char *name)
{
	char line[4096], *p;
	unsigned long n = 0;
	FILE *f = fopen("/proc/interrupts", "r");
	int i;

	if (!f)
		die("/proc/interrupts");
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, name, strlen(name)) || p[strlen(name)] != ':')
			continue;
		p += strlen(name) + 1;
		for (i = 0; i <= target; i++)
			n = strtoul(p, &p, 10);
		break;
	}
	fclose(f);
	return n;
}

/* What the kernel logged since the last call, about the target CPU. */
struct log_counts {
	int backtraces;		/* "NMI backtrace for cpu TARGET" */
	int at_handoff;		/* ... whose RIP is in KVM's entry or exit path */
	int unknown;		/* "NMI received for unknown reason", any CPU */
	char rip[128];		/* the last backtrace's RIP line */
};

static void read_log(struct log_counts *c)
{
	char rec[8192], want[64], *msg;
	bool ours = false;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	snprintf(want, sizeof(want), "NMI backtrace for cpu %d", target);
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* records overwritten */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (strstr(msg, "NMI received for unknown reason"))
			c->unknown++;
		if (strstr(msg, "NMI backtrace for cpu ")) {
			ours = !strncmp(msg, want, strlen(want)) &&
			       (msg[strlen(want)] == '\n' || msg[strlen(want)] == ' ');
			c->backtraces += ours;
			continue;
		}
		if (ours && !strncmp(msg, "RIP: ", 5)) {
			snprintf(c->rip, sizeof(c->rip), "%.*s", (int)strcspn(msg, "\n"), msg);
			if (strstr(msg, "nmi_irqoff") || strstr(msg, "entry_from_kvm") ||
			    strstr(msg, "svm_vcpu_") || strstr(msg, "RIP: 0010:stgi+"))
				c->at_handoff++;
			ours = false;
		}
	}
}

/* A count that the guest keeps in its memory. */
static unsigned int guest_count(unsigned int gpa)
{
	return __atomic_load_n((uint16_t *)(mem + gpa), __ATOMIC_RELAXED);
}

static void sigusr1(int sig)
{
}

/* Run the vCPU until told to stop; inject the guest's NMIs in between. */
static void *vcpu_main(void *arg)
{
	pin(target);
	while (!stop) {
		if (nmi_request) {
			if (ioctl(vcpu_fd, KVM_NMI, 0))
				die("KVM_NMI");
			nmi_request = 0;
			nmis_injected++;
		}
		if (ioctl(vcpu_fd, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN");
		run->immediate_exit = 0;
		if (run->exit_reason != KVM_EXIT_INTR) {
			unexpected_exit = run->exit_reason;
			break;
		}
	}
	return NULL;
}

/* Bring the vCPU thread out of KVM_RUN for one pass of its loop. */
static void kick(void)
{
	run->immediate_exit = 1;
	pthread_kill(vcpu_thread, SIGUSR1);
}

static void create_vm(const struct test_case *tc)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = MEM_SIZE,
	};
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_DISABLE_EXITS,
		.args[0] = KVM_X86_DISABLE_EXITS_HLT,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE, .rsp = 0x7000, .rflags = 2 };
	uint16_t *ivt;
	int i;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM");
	/* An in-kernel local APIC: HLT blocks in KVM instead of exiting. */
	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0))
		die("KVM_CREATE_IRQCHIP");
	if (tc->hlt_exits_off && ioctl(vm_fd, KVM_ENABLE_CAP, &cap))
		die("KVM_ENABLE_CAP(KVM_CAP_X86_DISABLE_EXITS, HLT)");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");

	/* Every vector but the NMI's counts in GUEST_INTS. */
	ivt = (uint16_t *)mem;
	for (i = 0; i < 256; i++) {
		ivt[2 * i] = i == 2 ? NMI_HANDLER : INT_HANDLER;
		ivt[2 * i + 1] = 0;
	}
	memcpy(mem + NMI_HANDLER, nmi_handler, sizeof(nmi_handler));
	memcpy(mem + INT_HANDLER, int_handler, sizeof(int_handler));
	memcpy(mem + CODE, tc->code, tc->len);

	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		die("mmap(kvm_run)");
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) || ioctl(vcpu_fd, KVM_SET_REGS, &regs))
		die("KVM_SET_SREGS/KVM_SET_REGS");
}

static void destroy_vm(void)
{
	munmap(run, ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	close(vcpu_fd);
	close(vm_fd);
	munmap(mem, MEM_SIZE);
}

static bool check(bool ok, int n, const struct test_case *tc, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	printf("# CPU %d, %s, round %d of %d: ", target, tc->name, n + 1, rounds);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	return false;
}

static bool run_case(const struct test_case *tc)
{
	unsigned long nmi0, cal0, nmi, cal;
	int i, n, at_handoff = 0, sysrq, injected;
	unsigned long cals = 0;
	struct log_counts log;
	bool ok = true;

	create_vm(tc);
	stop = 0;
	nmis_injected = 0;
	unexpected_exit = 0;
	if (pthread_create(&vcpu_thread, NULL, vcpu_main, NULL))
		die("pthread_create");
	/* Let the guest reach its loop. */
	usleep(100 * 1000);

	/*
	 * Another task (the console's printer, a kworker) can have the
	 * target CPU when an NMI comes: where the vCPU should be in guest
	 * mode, go on past ROUNDS until an NMI was taken after a VM-exit.
	 */
	for (n = 0; ok && (n < rounds || (tc->in_guest && !at_handoff && n < 4 * rounds)); n++) {
		read_log(&log);
		nmi0 = irq_count("NMI");
		cal0 = irq_count("CAL");

		/* One NMI IPI to every other CPU; waits until each CPU answered. */
		sysrq = open("/proc/sysrq-trigger", O_WRONLY);
		if (sysrq < 0 || write(sysrq, "l", 1) != 1)
			die("/proc/sysrq-trigger");
		close(sysrq);
		/* An IPI to each CPU that runs this process (the target). */
		for (i = 0; i < ipis; i++)
			if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
				die("membarrier");
		/* And one NMI for the guest. */
		injected = nmis_injected;
		nmi_request = 1;
		kick();
		while (nmis_injected == injected && !unexpected_exit)
			usleep(1000);
		/* Give the guest time to take it: the NMI needs an entry. */
		for (i = 0; i < 10000 && guest_count(GUEST_NMIS) < nmis_injected; i++)
			usleep(1000);

		nmi = irq_count("NMI") - nmi0;
		cal = irq_count("CAL") - cal0;
		read_log(&log);
		at_handoff += log.at_handoff;

		ok &= check(guest_count(GUEST_NMIS) == nmis_injected, n, tc,
			    "%s: it took %u NMIs, KVM_NMI sent %d",
			    guest_count(GUEST_NMIS) > nmis_injected ?
			    "host NMIs reached the guest" : "the guest's NMI was lost",
			    guest_count(GUEST_NMIS), nmis_injected);
		ok &= check(!guest_count(GUEST_INTS), n, tc,
			    "the guest took %u interrupts or exceptions, expected none",
			    guest_count(GUEST_INTS));
		ok &= check(log.backtraces == 1, n, tc,
			    "the host's NMI was handled %d times, expected once%s",
			    log.backtraces, log.backtraces ? "" : " (no backtrace: NMI lost)");
		ok &= check(!log.unknown, n, tc,
			    "%d NMIs for an unknown reason: an NMI handled twice?", log.unknown);
		ok &= check(nmi == 1, n, tc, "/proc/interrupts counts %lu NMIs, expected 1", nmi);
		/*
		 * membarrier() interrupts the target only while the vCPU
		 * thread has it, and returns only once the IPI's function ran
		 * there: an IPI that a VM-exit consumed and KVM dropped hangs
		 * it.  One handed to the host twice counts twice.  Other
		 * senders (one was seen) get a quarter of IPIS on top.
		 */
		ok &= check(cal <= (unsigned long)(ipis + ipis / 4), n, tc,
			    "/proc/interrupts counts %lu call-function IPIs, %d sent, at most %d expected",
			    cal, ipis, ipis + ipis / 4);
		cals += cal;
		ok &= check(!unexpected_exit, n, tc, "unexpected exit reason %d",
			    unexpected_exit);
		if (log.rip[0])
			printf("# %s, round %d: %s\n", tc->name, n + 1, log.rip);
	}

	stop = 1;
	kick();
	pthread_join(vcpu_thread, NULL);

	/* A case that would pass without a VM-exit having taken an NMI checks nothing. */
	if (tc->in_guest && ok) {
		ok &= check(at_handoff > 0, n - 1, tc,
			    "no host NMI was taken in KVM's VM-exit path (RIP: nmi_irqoff, entry_from_kvm, svm_vcpu_*, stgi)");
		ok &= check(cals > 0, n - 1, tc,
			    "none of the %d call-function IPIs reached the vCPU's CPU", ipis * n);
	}
	printf("# %s: %d host NMIs (%d taken after a VM-exit), %lu of %d IPIs on CPU %d, %d guest NMIs\n",
	       tc->name, n, at_handoff, cals, ipis * n, target, nmis_injected);
	destroy_vm();
	return ok;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sigusr1 };
	int opt, i, level = -1;
	unsigned int t;
	char buf[64];
	FILE *f;

	while ((opt = getopt(argc, argv, "r:i:")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'i':
			ipis = atoi(optarg);
			break;
		default:
			printf("usage: %s [-r ROUNDS] [-i IPIS]\n", argv[0]);
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	kvm_fd = open("/dev/kvm", O_RDWR);
	if (kvm_fd < 0) {
		printf("1..0 # SKIP /dev/kvm: %s\n", strerror(errno));
		return 4;
	}
	if (access("/proc/sysrq-trigger", W_OK) || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("1..0 # SKIP needs /proc/sysrq-trigger (root, CONFIG_MAGIC_SYSRQ) and two CPUs\n");
		return 4;
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || lseek(kmsg_fd, 0, SEEK_END) < 0)
		die("/dev/kmsg");
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0))
		die("membarrier(REGISTER_PRIVATE_EXPEDITED)");
	sigaction(SIGUSR1, &sa, NULL);

	/* The vCPU on the last CPU, the sender on the first. */
	target = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	pin(0);
	f = fopen("/proc/sys/kernel/printk", "r");
	if (f && fgets(buf, sizeof(buf), f) && sscanf(buf, "%u", &t) == 1)
		level = t;
	if (f)
		fclose(f);
	klogctl(8, NULL, 1);	/* SYSLOG_ACTION_CONSOLE_LEVEL: emergencies only */

	printf("1..%zu\n", sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		if (cases[i].hlt_exits_off &&
		    !(ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_DISABLE_EXITS) &
		      KVM_X86_DISABLE_EXITS_HLT)) {
			printf("ok %d %s # SKIP KVM cannot disable HLT exits\n", i + 1,
			       cases[i].name);
			continue;
		}
		if (run_case(&cases[i])) {
			printf("ok %d %s\n", i + 1, cases[i].name);
		} else {
			printf("not ok %d %s\n", i + 1, cases[i].name);
			failed++;
		}
	}
	if (level > 0)
		klogctl(8, NULL, level);
	printf("# Totals: pass:%zu fail:%d\n", sizeof(cases) / sizeof(cases[0]) - failed, failed);
	return failed ? 1 : 0;
}

# SPDX-License-Identifier: GPL-2.0
"""Tests of harness/tap.py on recorded VM output."""
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import tap  # noqa: E402

FIX = os.path.join(HERE, "fixtures")
# Entries for the sti-shadow and mutant fixtures, which record messages
# that event_reinject_test printed before its shadow checks moved to
# nmi_blocking_test.
XF = os.path.join(FIX, "expected-failures")


def run(name, tmp_path, expected=tap.EXPECTED_FAILURES, edit=None, emulator=None):
    """Result lines of fixture NAME; EDIT(tests.tap text) changes its TAP,
    EMULATOR replaces run.conf's EMULATOR ("" removes it)."""
    d = tmp_path / name
    shutil.copytree(os.path.join(FIX, name), d)
    if edit:
        (d / "tests.tap").write_text(edit((d / "tests.tap").read_text()))
    if emulator is not None:
        conf = [l for l in (d / "run.conf").read_text().splitlines()
                if not l.startswith("EMULATOR=")]
        if emulator:
            conf.append(f'EMULATOR="{emulator}"')
        (d / "run.conf").write_text("\n".join(conf) + "\n")
    lines, _ = tap.run_results(str(d), "series", expected)
    return lines


def test_pass_skip_fail_timeout(tmp_path):
    lines = run("good", tmp_path)
    assert lines == [
        "ok - series: xapic_ipi_test",
        "ok - series: ucna_injection_test # SKIP - Requirement not met: "
        "kvm_check_cap(KVM_CAP_MCE) > 0",
        "not ok - series: debug_regs # exit=254: "
        "lib/x86_64/processor.c:583: Unhandled exception in guest",
        "not ok - series: xapic_state_test # TIMEOUT 300 seconds",
        "ok - series: VM ran to the end",
        "ok - series: kernel log clean",
    ]


def test_warn_and_early_end_fail_the_run(tmp_path):
    lines = run("splat", tmp_path)
    assert lines[0] == "ok - series: irq_window_test"
    assert lines[1] == "not ok - series: state_test # no result (VM ended early)"
    assert lines[2] == "not ok - series: VM ran to the end # [    9.000000] VM killed after 735 s"
    assert lines[3].startswith("not ok - series: kernel log clean # ")
    assert "WARNING: CPU: 1 PID: 190" in lines[3]


def test_gate(tmp_path):
    base = tmp_path / "base.tap"
    series = tmp_path / "series.tap"
    known = tmp_path / "known"
    tests = tmp_path / "list"
    tests.write_text("# the gate\na_test\nb_test\nc_test\nd_test\ne_test -x\nf_test\n")
    base.write_text("ok - base: b_test\n"
                    "not ok - base: c_test # exit=1\n"
                    "ok - base: d_test # SKIP no MCE\n"
                    "ok - base: VM ran to the end\n")
    series.write_text("ok - s: a_test\nnot ok - s: b_test # exit=1: 1 sub-test failed\n"
                      "not ok - s: b_test: tpr.xapic.irql # N=2: 2 CR8-write exits\n"
                      "not ok - s: c_test\nok - s: d_test # SKIP no MCE\n"
                      "ok - s: e_test\nnot ok - s: f_test\n")
    known.write_text("# comment\nqemu c_test needs NRIPS\nbochs e_test other\n")
    retry = tmp_path / "retry.tap"
    retry.write_text("ok - r: b_test\n")
    assert tap.gate("qemu", "main qemu", str(tests), str(base), str(known), str(series)) == [
        "ok - main qemu gate: a_test (series pass)",
        "not ok - main qemu gate: b_test (base pass, series fail) # passes on the base "
        "only: exit=1: 1 sub-test failed; tpr.xapic.irql # N=2: 2 CR8-write exits",
        "ok - main qemu gate: c_test (base fail, series fail) # SKIP needs NRIPS",
        "ok - main qemu gate: d_test (base skip, series skip) # SKIP skipped on the base too",
        "ok - main qemu gate: e_test (series pass)",
        "not ok - main qemu gate: f_test (base not run, series fail) # no result on the "
        "base kernel",
    ]
    assert tap.gate("qemu", "main qemu", str(tests), str(base), str(known), str(series),
                    str(retry))[1] == "ok - main qemu gate: b_test (series pass)"
    # With no base results at all, only the tests that passed pass.
    assert tap.gate("qemu", "main qemu", str(tests), str(tmp_path / "none"), str(known),
                    str(series))[2] == \
        "not ok - main qemu gate: c_test (base not run, series fail) # no result on the " \
        "base kernel"


def test_status_merges_retries(tmp_path):
    """gate.sh runs on the base kernel the tests that 'tap.py status' does
    not name as passed."""
    first = tmp_path / "first.tap"
    retry = tmp_path / "retry.tap"
    first.write_text("ok - s: a_test\nnot ok - s: b_test # exit=1\n"
                     "not ok - s: b_test: a sub-test # message\n"
                     "ok - s: c_test # SKIP no MCE\nnot ok - s: VM ran to the end\n")
    retry.write_text("ok - r: b_test\n")
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
                          "status", str(first), str(retry)], capture_output=True, text=True)
    assert out.stdout == "a_test pass\nb_test pass\nc_test skip\n"


def test_total_line_and_status(tmp_path):
    f = tmp_path / "r.tap"
    f.write_text("ok - a\nok - b # SKIP x\nnot ok - c\nok - d\n")
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
                          "total", str(f)], capture_output=True, text=True)
    assert out.stdout == ("# skipped: 1 test, 0 sub-tests, 0 expected failures\n"
                          "2 passed, 1 failed, 1 skipped\n")
    assert out.returncode == 1


def test_subtest_skips_and_failures_get_lines(tmp_path):
    lines = run("subtests", tmp_path)
    assert lines == [
        "ok - series: event_reinject_test",
        "ok - series: event_reinject_test: sub-test 14 # SKIP interrupt held for the "
        "STI shadow: QEMU TCG before 9.1 ignores the VMCB interrupt shadow on VMRUN "
        "(taken at 0x416392)",
        "ok - series: event_reinject_test: sub-test 20 # SKIP vNMI: not available "
        "(kvm_amd.vnmi is not Y, or not SVM)",
        "not ok - series: irq_window_test # exit=1: 1 sub-test failed",
        "not ok - series: irq_window_test: userspace irqchip: window, KVM_INTERRUPT, "
        "pending exception",
        "ok - series: tpr_irql_test",
        "not ok - series: tpr_irql_test: sub-test 2 # error IRQL/DPC sequence: "
        "no DPC vector left",
        "ok - series: VM ran to the end",
        "ok - series: kernel log clean",
    ]


def test_subtest_with_description_and_skip_reason(tmp_path):
    def edit(text):
        return text.replace("# ok 20 # SKIP vNMI: not available",
                            "# ok 20 vNMI # SKIP not available")
    assert run("subtests", tmp_path, edit=edit)[2] == \
        "ok - series: event_reinject_test: vNMI # SKIP not available " \
        "(kvm_amd.vnmi is not Y, or not SVM)"


def test_skipped_test_has_no_subtest_skip_lines(tmp_path):
    def edit(text):
        return text.replace("ok 1 selftests: kvm: event_reinject_test",
                            "ok 1 selftests: kvm: event_reinject_test # SKIP")
    lines = run("subtests", tmp_path, edit=edit)
    assert lines[0] == "ok - series: event_reinject_test # SKIP vNMI: not available " \
        "(kvm_amd.vnmi is not Y, or not SVM)"
    assert lines[1] == "not ok - series: irq_window_test # exit=1: 1 sub-test failed"


def test_total_counts_subtest_skips(tmp_path):
    f = tmp_path / "results.tap"
    f.write_text("\n".join(run("subtests", tmp_path)) + "\n"
                 "ok - main qemu gate: d_test (base skip, series skip) # SKIP no MCE\n"
                 "ok - series: event_reinject_test: x # SKIP expected failure on "
                 "qemu-tcg <9.1: y\n")
    assert tap.total([str(f)]) == (4, 3, 4, {"test": 1, "sub-test": 2,
                                             "expected failure": 1})
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
                          "total", str(f)], capture_output=True, text=True)
    assert out.stdout == ("# skipped: 1 test, 2 sub-tests, 1 expected failure\n"
                          "4 passed, 3 failed, 4 skipped\n")


def test_gate_sees_the_test_not_its_subtests(tmp_path):
    """A sub-test's line must not stand for its test in read_results(), nor
    match gate.sh's grep for a failed flaky test."""
    f = tmp_path / "results.tap"
    f.write_text("\n".join(run("subtests", tmp_path)) + "\n")
    assert tap.read_results(str(f))[0] == {
        "event_reinject_test": "pass", "irq_window_test": "fail", "tpr_irql_test": "pass"}
    flaky = re.compile(r"^not ok - [^:]*: tpr_irql_test( |$)")
    assert not any(flaky.match(l) for l in f.read_text().splitlines())


# Expected failures.  The sti-shadow fixture is event_reinject_test reporting
# its STI-shadow sub-test as failed and going on (ksft_finished() exits 1),
# on QEMU 7.2 TCG.
STI = [e for e in tap.read_expected(XF)
       if e["match"] == "interrupt held for the STI shadow"]
XFAIL = ("ok - series: event_reinject_test: interrupt held for the STI shadow # SKIP "
         f"expected failure on qemu-tcg <9.1: {STI[0]['reason'] if STI else ''}")


def test_expected_subtest_failure_is_a_skip(tmp_path):
    assert run("sti-shadow", tmp_path, XF)[:3] == [
        "ok - series: event_reinject_test # exit=1, only from the expected failures below",
        XFAIL,
        "ok - series: event_reinject_test: sub-test 20 # SKIP vNMI: not available "
        "(kvm_amd.vnmi is not Y, or not SVM)",
    ]


def test_expected_failure_does_not_cover_another(tmp_path):
    def edit(text):
        return text.replace("# ok 19 KVM_SET", "# not ok 19 KVM_SET")
    lines = run("sti-shadow", tmp_path, XF, edit=edit)
    assert lines[0] == "not ok - series: event_reinject_test # exit=1: 2 sub-tests failed"
    assert lines[1] == XFAIL
    assert lines[2].startswith("not ok - series: event_reinject_test: KVM_SET_VCPU_EVENTS")


def test_expected_failure_needs_the_whole_run(tmp_path):
    """Fewer results than planned: something else went wrong too."""
    def edit(text):
        return text.replace("# 1..20", "# 1..21")
    lines = run("sti-shadow", tmp_path, XF, edit=edit)
    assert lines[0] == "not ok - series: event_reinject_test # exit=1: 1 sub-test failed"
    assert lines[1] == XFAIL


@pytest.mark.parametrize("emulator", ["qemu-tcg 9.1.0", "qemu-tcg 10.0.2", "", "qemu-kvm 7.2.22"])
def test_expected_failure_outside_its_range_stays_a_failure(tmp_path, emulator):
    assert run("sti-shadow", tmp_path, XF, emulator=emulator)[:2] == [
        "not ok - series: event_reinject_test # exit=1: 1 sub-test failed",
        "not ok - series: event_reinject_test: interrupt held for the STI shadow",
    ]


def test_expected_failure_that_passes_is_stale(tmp_path):
    def edit(text):
        return text.replace("# not ok 14", "# ok 14").replace(
            "not ok 1 selftests: kvm: event_reinject_test # exit=1",
            "ok 1 selftests: kvm: event_reinject_test")
    assert run("sti-shadow", tmp_path, XF, edit=edit)[:2] == [
        "ok - series: event_reinject_test",
        "not ok - series: event_reinject_test: interrupt held for the STI shadow # "
        f"expected to fail on qemu-tcg 7.2.22: {STI[0]['reason']}; the entry is stale",
    ]


def abort_at(message):
    """Edit sti-shadow: the test ends after sub-test 13 with a TEST_ASSERT."""
    def edit(text):
        head, _, _ = text.partition("# not ok 14")
        return (head + "# ==== Test Assertion Failure ====\n"
                "#   x86_64/event_reinject_test.c:497: got[0].rip != rip\n"
                "#   pid=201 tid=201 errno=0 - Success\n"
                f"#   {message}\n"
                "not ok 1 selftests: kvm: event_reinject_test # exit=254\n"
                "# harness: done\n")
    return edit


def test_expected_failure_of_a_whole_test(tmp_path):
    lines = run("sti-shadow", tmp_path, XF,
                edit=abort_at("IRQ taken at 0x416392, inside the STI shadow"))
    assert lines[0] == XFAIL.replace(": interrupt held for the STI shadow", "")
    assert lines[1] == "ok - series: VM ran to the end"


def test_expected_failure_does_not_hide_the_nmi_shadow_bug(tmp_path):
    """mutants/nmi-allowed-in-interrupt-shadow.patch fails the STI-shadow NMI check."""
    lines = run("sti-shadow", tmp_path, XF,
                edit=abort_at("STI shadow: NMI taken at 0x416392, inside the shadow"))
    assert lines[0] == "not ok - series: event_reinject_test # exit=254: " \
        "STI shadow: NMI taken at 0x416392, inside the shadow"


HOST_IRQ = [e for e in tap.read_expected(XF)
            if e["test"] == "event_reinject_test" and "host interrupt" in e["match"]]


def test_expected_failure_after_an_exit_for_a_host_interrupt(tmp_path):
    """A shadow check that failed after an exit for a host interrupt."""
    msg = ("Guest-made STI shadow: NMI taken at 0x416392, expected 0x416395, after "
           "the shadow; the vCPU also exited for a host interrupt in that run")
    lines = run("sti-shadow", tmp_path, XF, edit=abort_at(msg))
    assert lines[0] == ("ok - series: event_reinject_test # SKIP expected failure on "
                        f"qemu-tcg <9.1: {HOST_IRQ[0]['reason']}")
    msg = msg.partition(";")[0]
    lines = run("sti-shadow", tmp_path / "no-exit", XF, edit=abort_at(msg))
    assert lines[0] == f"not ok - series: event_reinject_test # exit=254: {msg}"


def test_expected_failures_of_another_file(tmp_path):
    xf = tmp_path / "xf"
    xf.write_text("# comment\n"
                  "qemu-kvm * | irq_window_test | pending exception | a reason\n")
    lines = run("subtests", tmp_path, expected=str(xf), emulator="qemu-kvm 8.2.2")
    assert lines[3:5] == [
        "ok - series: irq_window_test # exit=1, only from the expected failures below",
        "ok - series: irq_window_test: userspace irqchip: window, KVM_INTERRUPT, pending "
        "exception # SKIP expected failure on qemu-kvm *: a reason",
    ]


def test_expected_failures_file(tmp_path):
    # The project's file parses (it may have no entry at all).
    assert all(e["test"] and e["reason"] for e in tap.read_expected(tap.EXPECTED_FAILURES))
    entries = tap.read_expected(XF)
    assert entries and all(e["test"] and e["reason"] for e in entries)
    sti = [e for e in entries if e["match"] == "inside the STI shadow"]
    assert tap.applies(sti[0], "qemu-tcg 7.2.22")
    assert not tap.applies(sti[0], "qemu-tcg 9.1")
    assert not tap.applies(sti[0], "")
    bad = tmp_path / "bad"
    bad.write_text("qemu-tcg <9.1 | event_reinject_test | no reason\n")
    with pytest.raises(ValueError):
        tap.read_expected(str(bad))
    bad.write_text("qemu-tcg 9.1 | t | m | r\n")
    with pytest.raises(ValueError):
        tap.read_expected(str(bad))


def test_version_ranges():
    assert tap.in_range((7, 2, 22), "<9.1")
    assert not tap.in_range((9, 1), "<9.1")
    assert tap.in_range((9, 0, 2), ">=8.0,<9.1")
    assert not tap.in_range((7, 2), ">=8.0,<9.1")
    assert tap.in_range((1,), "*")


# Mutants: caught only when the test failed with the expected message.
def mutant(tmp_path, expect, edit=None, emulator=None):
    d = tmp_path / "mutant"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(FIX, "mutant"), d)
    if emulator:
        with open(d / "run.conf", "a") as f:
            f.write(f'EMULATOR="{emulator}"\n')
    if edit:
        (d / "tests.tap").write_text(edit((d / "tests.tap").read_text()))
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
                          "mutant", str(d), "nmi-cut-short", "event_reinject_test", expect],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, EXPECTED_FAILURES=XF))
    return out.stdout.rstrip("\n")


def test_mutant_caught_for_the_right_reason(tmp_path):
    assert mutant(tmp_path, "expected once (event lost)") == \
        "ok - nmi-cut-short caught by event_reinject_test (expected once (event lost))"


def test_mutant_expect_scoped_to_a_subtest(tmp_path):
    """"[SUB-TEST] text" must be printed by that sub-test, which must fail:
    the same message from the other APIC mode does not count."""
    d = tmp_path / "scoped"
    d.mkdir()
    (d / "run.conf").write_text('TESTS="xapic_tpr_test"\n')
    (d / "console.log").write_text("")
    (d / "tests.tap").write_text(
        "TAP version 13\n1..1\n# selftests: kvm: xapic_tpr_test\n"
        "# #  RUN           tpr.xapic.irql ...\n"
        "# #            OK  tpr.xapic.irql\n# ok 1 tpr.xapic.irql\n"
        "# #  RUN           tpr.x2apic.irql ...\n"
        "# ==== Test Assertion Failure ====\n"
        "#   N=1, a DPC held: 3 CR8-write exits, expected 1\n"
        "# #            FAIL  tpr.x2apic.irql\n# not ok 2 tpr.x2apic.irql\n"
        "not ok 1 selftests: kvm: xapic_tpr_test # exit=1\n")
    msg = "3 CR8-write exits, expected 1"
    assert tap.mutant(str(d), "m", "xapic_tpr_test", f"[tpr.x2apic.irql] {msg}") == \
        f"ok - m caught by xapic_tpr_test ([tpr.x2apic.irql] {msg})"
    assert tap.mutant(str(d), "m", "xapic_tpr_test", f"[tpr.x2apic.irql] {msg}",
                      f"[tpr.xapic.irql] {msg}") == \
        "not ok - m caught by xapic_tpr_test for 1 of 2 messages, not for: " \
        f"[tpr.xapic.irql] {msg}"


def test_mutant_failing_with_another_message(tmp_path):
    assert mutant(tmp_path, "inside the shadow") == \
        "not ok - nmi-cut-short not caught: event_reinject_test failed with another " \
        "message: exit=254: NMI from KVM_NMI: handler ran 0 times, expected once " \
        "(event lost)"


def test_mutant_run_cut_short_by_the_emulator_is_inconclusive(tmp_path):
    """A run that ended on an expected emulator failure never reached the
    mutant: neither caught nor missed."""
    msg = ("Guest-made STI shadow: NMI taken at 0x416392, expected 0x416395, after the "
           "shadow; the vCPU also exited for a host interrupt in that run")

    def edit(text):
        return text.replace("NMI from KVM_NMI: handler ran 0 times, expected once (event lost)",
                            msg)
    line = mutant(tmp_path, "inside the shadow", edit, "qemu-tcg 7.2.22")
    assert line.startswith("ok - nmi-cut-short # SKIP inconclusive: event_reinject_test "
                           "ended on an expected emulator failure"), line
    line = mutant(tmp_path, "inside the shadow",
                  lambda t: edit(t).replace("; the vCPU also exited", "; it also exited"),
                  "qemu-tcg 7.2.22")
    assert line.startswith("not ok - nmi-cut-short not caught"), line


def test_mutant_timeout(tmp_path):
    def edit(text):
        head, _, _ = text.partition("# ==== Test Assertion Failure")
        return head + "#\nnot ok 1 selftests: kvm: event_reinject_test # TIMEOUT 120 seconds\n"
    assert mutant(tmp_path, "expected once (event lost)", edit) == \
        "not ok - nmi-cut-short not caught: event_reinject_test failed with another " \
        "message: TIMEOUT 120 seconds"


def test_mutant_passed(tmp_path):
    def edit(text):
        return text.replace("not ok 1 selftests: kvm: event_reinject_test # exit=254",
                            "ok 1 selftests: kvm: event_reinject_test")
    assert mutant(tmp_path, "expected once (event lost)", edit) == \
        "not ok - nmi-cut-short not caught: event_reinject_test passed"


def test_mutant_skipped_or_not_run(tmp_path):
    def skip(text):
        return text.replace("not ok 1 selftests: kvm: event_reinject_test # exit=254",
                            "ok 1 selftests: kvm: event_reinject_test # SKIP")
    assert mutant(tmp_path, "expected once (event lost)", skip).startswith(
        "not ok - nmi-cut-short not caught: event_reinject_test skipped")

    def not_run(text):
        return text.partition("# selftests:")[0]
    assert mutant(tmp_path, "expected once (event lost)", not_run) == \
        "not ok - nmi-cut-short not caught: event_reinject_test failed with another " \
        "message: no result (VM ended early)"


def test_mutant_needs_every_message(tmp_path):
    """A mutant with several Expect: lines is caught only if each of them
    was printed: one sub-test failing does not prove the others."""
    d = tmp_path / "mutant"
    shutil.copytree(os.path.join(FIX, "mutant"), d)
    cmd = [sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
           "mutant", str(d), "nmi-cut-short", "event_reinject_test"]
    out = subprocess.run(cmd + ["expected once (event lost)", "handler ran 0 times"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "ok - nmi-cut-short caught by event_reinject_test " \
        "(expected once (event lost); handler ran 0 times)\n"
    out = subprocess.run(cmd + ["expected once (event lost)", "inside the shadow"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "not ok - nmi-cut-short caught by event_reinject_test for 1 of 2 " \
        "messages, not for: inside the shadow\n"


def test_mutant_text_in_a_passing_subtest_does_not_count(tmp_path):
    def edit(text):
        return text.replace("# 1..20\n", "# 1..20\n# ok 1 expected once (event lost)\n") \
            .replace("expected once (event lost)\nnot ok 1", "expected once\nnot ok 1")
    assert mutant(tmp_path, "expected once (event lost)", edit) == \
        "not ok - nmi-cut-short not caught: event_reinject_test failed with another " \
        "message: exit=254: NMI from KVM_NMI: handler ran 0 times, expected once"


MUTANTS = [os.path.join(HERE, "..", "mutants", d, "*.patch") for d in ("", "more")]


def test_every_mutant_names_its_test_and_message():
    mutants = [m for d in MUTANTS for m in glob.glob(d)]
    assert mutants
    for m in mutants:
        with open(m) as f:
            header = f.read().partition("\n---\n")[0].splitlines()
        # Each Caught-by: line, with the Expect: lines below it.
        expect = {}
        test = None
        for l in header:
            if l.startswith("Caught-by: "):
                test = l[len("Caught-by: "):]
                assert test not in expect, m
                expect[test] = []
            elif l.startswith("Expect: "):
                assert test, m
                expect[test].append(l[len("Expect: "):])
        assert expect, m
        for test, texts in expect.items():
            assert texts and all(e.strip() for e in texts), m
            # A selftest the series adds, or a test of the harness's own.
            assert os.access(os.path.join(HERE, "..", "harness", "vm-tests", test), os.X_OK) or any(
                f"/x86/{test}.c" in open(p).read()
                for p in glob.glob(os.path.join(HERE, "..", "series", "*.patch"))), m
        timeout = [l[len("Timeout: "):] for l in header if l.startswith("Timeout: ")]
        assert len(timeout) <= 1 and all(t.isdigit() for t in timeout), m


PLATFORMS = os.path.join(HERE, "..", "platforms")


def test_every_mutant_names_a_platform_that_exists():
    for m in [m for d in MUTANTS for m in glob.glob(d)]:
        with open(m) as f:
            header = f.read().partition("\n---\n")[0].splitlines()
        platform = [l[len("Platform: "):] for l in header if l.startswith("Platform: ")]
        assert len(platform) <= 1, m
        assert os.path.isfile(os.path.join(PLATFORMS, (platform or ["qemu-amd"])[0])), m


def test_every_platform_names_its_boot_script_and_cpus():
    names = sorted(os.listdir(PLATFORMS))
    assert "qemu-amd" in names and "vmx" in names and "vmx-apicv" in names
    for name in names:
        out = subprocess.run(["bash", "-c", 'set -eu; . "$1"; echo "$EMULATOR $CPUS $MEMORY_MB"',
                              "-", os.path.join(PLATFORMS, name)],
                             capture_output=True, text=True, check=True).stdout.split()
        assert len(out) == 3, name
        assert os.access(os.path.join(HERE, "..", "harness", f"boot-{out[0]}.sh"), os.X_OK), name
        assert int(out[1]) >= 2 and int(out[2]) >= 1024, name


def test_harness_case_failure_is_matched_on_what_it_printed(tmp_path):
    """A kselftest_harness case prints its message before its bare
    "not ok N suite.case": that message names the failure and is what an
    expected-failures entry matches."""
    exp = tmp_path / "expected"
    exp.write_text("qemu-tcg <9.1 | irq_window_test | host-interrupt exit(s) | shadow dropped\n")
    lines = run("harness", tmp_path, expected=str(exp))
    assert lines[:3] == [
        "not ok - series: irq_window_test # exit=1: 2 sub-tests failed",
        "ok - series: irq_window_test: none.mmio_in_shadows # SKIP expected failure on "
        "qemu-tcg <9.1: shadow dropped",
        "not ok - series: irq_window_test: none.window # "
        "KVM_RUN took 0 IRQ-window exits, expected 1",
    ]


def test_mutant_another_message_names_each_failed_case(tmp_path):
    """kselftest_harness cases: the line says what each failed case printed."""
    def edit(text):
        head, _, _ = text.partition("# selftests:")
        return head + (
            "# selftests: kvm: event_reinject_test\n"
            "# 1..3\n"
            "# #  RUN           a.one ...\n"
            "# #            OK  a.one\n"
            "# ok 1 a.one\n"
            "# #  RUN           a.two ...\n"
            "# ==== Test Assertion Failure ====\n"
            "#   x86/t.c:1: x\n"
            "#   pid=1 tid=1 errno=4 - Interrupted system call\n"
            "#   vector 0x40 taken early\n"
            "# # two: Test failed\n"
            "# #          FAIL  a.two\n"
            "# not ok 2 a.two\n"
            "# #  RUN           a.three ...\n"
            "# # three: Test terminated by timeout\n"
            "# #          FAIL  a.three\n"
            "# not ok 3 a.three\n"
            "not ok 1 selftests: kvm: event_reinject_test # exit=1\n")
    assert mutant(tmp_path, "expected once (event lost)", edit) == \
        "not ok - nmi-cut-short not caught: event_reinject_test failed with another " \
        "message: exit=1 (failed: a.two: vector 0x40 taken early; " \
        "a.three: three: Test terminated by timeout)"


def test_failed_names_tests_whose_own_line_failed(tmp_path):
    """gate.sh retries the flaky tests that 'tap.py failed' names: a test
    whose own line failed, not one with a failed sub-test that passed."""
    results = tmp_path / "results.tap"
    results.write_text(
        "not ok - base vmx gate: state_test # exit=1\n"
        "ok - base vmx gate: smm_test\n"
        "not ok - base vmx gate: smm_test: a sub-test # message\n"
        "ok - base vmx gate: xapic_ipi_test # SKIP no x2APIC\n"
        "not ok - base vmx gate: state_test_2\n")
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
                          "failed", str(results), "state_test", "smm_test",
                          "xapic_ipi_test", "debug_regs"],
                         capture_output=True, text=True, check=True).stdout
    assert out == "state_test\n"


def test_mutant_caught_by_what_the_test_said_on_the_console(tmp_path):
    """A test whose VM ended before the runner passed its output on is
    judged by the "TEST: not ok: MESSAGE" lines it wrote to the console."""
    d = tmp_path / "mutant"
    shutil.copytree(os.path.join(FIX, "mutant"), d)
    (d / "tests.tap").write_text((d / "tests.tap").read_text().partition("# selftests:")[0])
    with open(d / "console.log", "a") as f:
        f.write("[  99.000000] event_reinject_test: not ok: NMI lost in round 3\n"
                "VM killed after 255 s\n")
    cmd = [sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
           "mutant", str(d), "nmi-cut-short", "event_reinject_test"]
    out = subprocess.run(cmd + ["NMI lost"], capture_output=True, text=True,
                         check=True).stdout
    assert out == "ok - nmi-cut-short caught by event_reinject_test (NMI lost)\n"
    out = subprocess.run(cmd + ["expected once"], capture_output=True, text=True,
                         check=True).stdout
    assert out == "not ok - nmi-cut-short not caught: event_reinject_test failed with " \
        "another message: no result (VM ended early); on the console: NMI lost in round 3\n"

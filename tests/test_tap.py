# SPDX-License-Identifier: GPL-2.0
"""Tests of harness/tap.py on recorded VM output."""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import tap  # noqa: E402

FIX = os.path.join(HERE, "fixtures")


def run(name, tmp_path):
    d = tmp_path / name
    shutil.copytree(os.path.join(FIX, name), d)
    lines, _ = tap.run_results(str(d), "series")
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
    base.write_text("ok - base: a_test\nok - base: b_test\n"
                    "not ok - base: c_test # exit=1\n"
                    "ok - base: d_test # SKIP no MCE\n"
                    "not ok - base: e_test # exit=1\n"
                    "ok - base: VM ran to the end\n")
    series.write_text("ok - s: a_test\nnot ok - s: b_test # exit=1\n"
                      "not ok - s: c_test\nok - s: d_test # SKIP no MCE\n"
                      "ok - s: e_test\n")
    known.write_text("# comment\nc_test needs NRIPS\n")
    retry = tmp_path / "retry.tap"
    retry.write_text("ok - r: b_test\n")
    assert tap.gate(str(base), str(known), str(series)) == [
        "ok - gate: a_test (base pass, series pass)",
        "not ok - gate: b_test (base pass, series fail) # passes on the base only",
        "ok - gate: c_test (base fail, series fail) # SKIP needs NRIPS",
        "ok - gate: d_test (base skip, series skip) # SKIP skipped on the base too",
        "ok - gate: e_test (base fail, series pass)",
    ]
    assert tap.gate(str(base), str(known), str(series), str(retry))[1] == \
        "ok - gate: b_test (base pass, series pass)"


def test_total_line_and_status(tmp_path):
    f = tmp_path / "r.tap"
    f.write_text("ok - a\nok - b # SKIP x\nnot ok - c\nok - d\n")
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "harness", "tap.py"),
                          "total", str(f)], capture_output=True, text=True)
    assert out.stdout == "2 passed, 1 failed, 1 skipped\n"
    assert out.returncode == 1

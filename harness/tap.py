#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the test VM left behind into result lines, and count them.

  tap.py run RUNDIR LABEL     read RUNDIR/tests.tap and RUNDIR/console.log,
                              write RUNDIR/results.tap, print it
  tap.py gate BASE KNOWN SERIES...  compare the base's results.tap with the
                              patched kernel's (later ones are retries: a test
                              passes if it passed in any); print result lines
  tap.py total FILE...        print "N passed, N failed, N skipped"

A result line is "ok - NAME", "not ok - NAME" or "ok - NAME # SKIP why".
"""
import re
import sys

# Kernel reports that fail a run whatever the tests said.
SPLATS = re.compile(
    r"WARNING: CPU: \d+|WARNING: .* at .*\+0x|BUG: |kernel BUG at|Oops: "
    r"|general protection fault|UBSAN: |KASAN: |possible circular locking"
    r"|possible recursive locking|inconsistent lock state|suspicious RCU usage"
    r"|INFO: task .* blocked for more than|watchdog: BUG: soft lockup"
    r"|Kernel panic - not syncing|unreferenced object")

RESULT = re.compile(r"^(not ok|ok) \d+ selftests: kvm: (\S+)(?: # (.*))?$")


def parse_runner_tap(text):
    """Results of the kselftest runner's TAP, as {test: (status, detail)}."""
    out = {}
    for line in text.splitlines():
        m = RESULT.match(line.strip())
        if not m:
            continue
        ok, name, directive = m.groups()
        directive = directive or ""
        if ok == "ok" and directive.upper().startswith("SKIP"):
            out[name] = ("skip", directive[4:].strip() or "skipped")
        elif ok == "ok":
            out[name] = ("pass", "")
        else:
            out[name] = ("fail", directive)
    return out


NOISE = re.compile(r"pid=\d+ tid=|addr2line|^=+|Test Assertion Failure|Random seed"
                   r"|^TAP version|^harness: |^platform: |^\d+\.\.\d+$"
                   r"|overriding timeout|timeout set to")


def test_messages(text):
    """The last telling line each test printed, from the runner's '# ' lines."""
    messages, current = {}, None
    for raw in text.splitlines():
        m = re.match(r"^# selftests: kvm: (\S+)", raw)
        if m:
            current = m.group(1)
            continue
        if not current or not raw.startswith("# "):
            continue
        msg = raw[2:].strip()
        m = re.search(r"# SKIP (.+)$", msg)
        if m:
            msg = m.group(1).strip()
        if msg and not NOISE.search(msg) and not msg.startswith("# Totals"):
            messages[current] = msg
    return messages


def line(status, name, detail=""):
    if status == "pass":
        return f"ok - {name}"
    if status == "skip":
        return f"ok - {name} # SKIP {detail}"
    return f"not ok - {name}" + (f" # {detail}" if detail else "")


def run_results(rundir, label):
    def read(name):
        try:
            with open(f"{rundir}/{name}", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    tap, console = read("tests.tap"), read("console.log")
    wanted = []
    m = re.search(r'^TESTS="(.*)"$', read("run.conf"), re.M)
    if m:
        wanted = m.group(1).split()
    results = parse_runner_tap(tap)
    messages = test_messages(tap)
    lines = []
    for name in wanted + [t for t in results if t not in wanted]:
        status, detail = results.get(name, ("fail", "no result (VM ended early)"))
        if status != "pass" and name in messages:
            detail = f"{detail}: {messages[name]}" if status == "fail" else messages[name]
        lines.append(line(status, f"{label}: {name}", detail))
    done = "# harness: done" in tap
    why = "" if done else (console.strip().splitlines() or ["no console output"])[-1]
    lines.append(line("pass" if done else "fail", f"{label}: VM ran to the end", why))
    splats = [l.strip() for l in console.splitlines() if SPLATS.search(l)]
    lines.append(line("fail" if splats else "pass", f"{label}: kernel log clean",
                      splats[0] if splats else ""))
    return lines, results


def read_results(path):
    """{test: status} from a results.tap written by run_results()."""
    out = {}
    with open(path) as f:
        for l in f:
            m = re.match(r"^(not ok|ok) - [^:]+: (\S+)(?:$| # (SKIP)?)", l)
            if m:
                out[m.group(2)] = ("skip" if m.group(3) else
                                   "pass" if m.group(1) == "ok" else "fail")
    return out


def gate(base, known_file, *series_files):
    known = {}
    with open(known_file) as f:
        for l in f:
            if l.strip() and not l.startswith("#"):
                name, _, why = l.partition(" ")
                known[name] = why.strip()
    series = {}
    for path in series_files:
        for name, status in read_results(path).items():
            if series.get(name) != "pass":
                series[name] = status
    lines = []
    for name, b in sorted(read_results(base).items()):
        s = series.get(name, "fail")
        title = f"gate: {name} (base {b}, series {s})"
        if b == "pass" and s != "pass":
            lines.append(line("fail", title, "passes on the base only"))
        elif b == "pass" or s == "pass":
            lines.append(line("pass", title))
        elif b == "skip":
            lines.append(line("skip", title, "skipped on the base too"))
        else:
            lines.append(line("skip", title, known.get(name, "fails on the base (unexplained)")))
    return lines


def total(paths):
    passed = failed = skipped = 0
    for p in paths:
        with open(p) as f:
            for l in f:
                if l.startswith("not ok"):
                    failed += 1
                elif l.startswith("ok"):
                    if "# SKIP" in l:
                        skipped += 1
                    else:
                        passed += 1
    return passed, failed, skipped


def main(argv):
    if len(argv) == 4 and argv[1] == "run":
        lines, _ = run_results(argv[2], argv[3])
        with open(f"{argv[2]}/results.tap", "w") as f:
            f.write("".join(l + "\n" for l in lines))
        print("\n".join(lines))
        return 0
    if len(argv) >= 5 and argv[1] == "gate":
        print("\n".join(gate(argv[2], argv[3], *argv[4:])))
        return 0
    if len(argv) >= 2 and argv[1] == "total":
        p, f, s = total(argv[2:])
        print(f"{p} passed, {f} failed, {s} skipped")
        return 1 if f or not p else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

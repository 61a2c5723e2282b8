#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the test VM left behind into result lines, and count them.

  tap.py run RUNDIR LABEL     read RUNDIR/tests.tap, console.log and run.conf,
                              write RUNDIR/results.tap, print it
  tap.py gate PLATFORM LABEL LIST BASE KNOWN SERIES...  for each test of the
                              gate's LIST, compare the patched kernel's
                              results.tap (later ones are retries: a test
                              passes if it passed in any) with the base's,
                              where it did not pass; print result lines
  tap.py status FILE...       print "TEST STATUS" for each test of the
                              results.tap FILEs (pass, if it passed in any)
  tap.py mutant RUNDIR NAME TEST EXPECT...  print whether mutant NAME was
                              caught: TEST failed in RUNDIR/tests.tap and printed
                              every EXPECT
  tap.py failed FILE TEST...   print each TEST whose own line in the
                              results.tap FILE says it failed
  tap.py total FILE...        print "# skipped: ..." and "N passed, N failed, N skipped"

A result line is "ok - NAME", "not ok - NAME" or "ok - NAME # SKIP why".
`run` gives each test one line, "LABEL: TEST", followed by one line per
sub-test that the test itself reported skipped or failed (its own TAP,
which the runner echoes with "# "), "LABEL: TEST: DESCRIPTION", where
DESCRIPTION is what the test printed, or "sub-test N" if it printed none.
The file expected-failures (next to harness/) names results that fail
because of the emulator the VM runs on; run.conf's EMULATOR says which.
"""
import os
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

# A selftest's own result line, as ksft_test_result_*() print it:
# "ok 3 what", "ok 4 # SKIP why", "not ok 5 what", "not ok 6 # error why".
SUBTEST = re.compile(r"^(not ok|ok) (\d+)(?: (.*))?$")

# The project's file; EXPECTED_FAILURES in the environment names another
# (the harness's own tests use a fixture).
EXPECTED_FAILURES = os.environ.get("EXPECTED_FAILURES") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "expected-failures")


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


def outputs_by_test(text):
    """What each test printed, as {test: [line]}: the runner's '# ' lines
    between "# selftests: kvm: TEST" and the runner's result line, unprefixed."""
    out, current = {}, None
    for raw in text.splitlines():
        m = re.match(r"^# selftests: kvm: (\S+)", raw)
        if m:
            current = m.group(1)
            out[current] = []
        elif RESULT.match(raw.strip()):
            current = None
        elif current and raw.startswith("# "):
            out[current].append(raw[2:].rstrip())
    return out


def parse_subtest(l):
    """(number, status, description, detail) of a test's own result line, or None."""
    m = SUBTEST.match(l.strip())
    if not m:
        return None
    ok, n, rest = m.group(1), m.group(2), (m.group(3) or "").strip()
    if rest.startswith("#"):
        desc, directive = "", rest[1:]
    else:
        desc, _, directive = rest.partition(" # ")
    desc, directive = desc.strip(), directive.strip()
    if ok == "not ok":
        status = "fail"
    elif directive.upper().startswith("SKIP"):
        status, directive = "skip", directive[4:].strip()
    else:
        status, directive = "pass", ""
    return n, status, desc or f"sub-test {n}", directive


NOISE = re.compile(r"pid=\d+ tid=|addr2line|^=+|Test Assertion Failure|Random seed"
                   r"|^TAP version|^harness: |^platform: |^\d+\.\.\d+$"
                   r"|overriding timeout|timeout set to"
                   # kselftest_harness's own lines around each case
                   r"|^#\s+(RUN|OK|FAIL|SKIP|XFAIL)\s|^# (PASSED|FAILED): "
                   r"|^# Starting \d+ tests|^# \S+: Test failed$")


def last_message(output, status):
    """The last telling line a test printed.  For a test that skipped, a
    sub-test's SKIP reason counts; else only what came after its last
    sub-test result does (those results get lines of their own)."""
    msg = ""
    for l in output:
        sub = parse_subtest(l)
        if sub:
            if status != "skip":
                msg = ""
            elif sub[1] == "skip" and sub[3]:
                msg = sub[3]
            continue
        l = l.strip()
        m = re.search(r"# SKIP (.+)$", l)
        if m:
            l = m.group(1).strip()
        if l and not NOISE.search(l) and not l.startswith("# Totals"):
            msg = l
    return msg


def line(status, name, detail=""):
    if status == "pass":
        return f"ok - {name}"
    if status == "skip":
        return f"ok - {name} # SKIP {detail}"
    return f"not ok - {name}" + (f" # {detail}" if detail else "")


def version(text):
    m = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(x) for x in m.group(0).split(".")) if m else None


def in_range(ver, spec):
    """Whether version tuple VER is in SPEC: "*", or comparisons joined by
    commas ("<9.1", ">=8.0,<9.1")."""
    conds = [] if spec == "*" else \
        [re.fullmatch(r"(<=|>=|<|>|=)(\d+(?:\.\d+)*)", c) for c in spec.split(",")]
    if not all(conds):
        raise ValueError(f"bad version range {spec!r}")
    for m in conds:
        want = version(m.group(2))
        n = max(len(ver), len(want))
        a, b = ver + (0,) * (n - len(ver)), want + (0,) * (n - len(want))
        if not {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "=": a == b}[m.group(1)]:
            return False
    return True


def read_expected(path):
    """Entries of an expected-failures file, as dicts: where ("qemu-tcg <9.1"),
    emulator, range, test, match, reason.  No file, no entries."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    entries = []
    for n, l in enumerate(text.splitlines(), 1):
        if not l.strip() or l.lstrip().startswith("#"):
            continue
        fields = [x.strip() for x in l.split(" | ", 3)]
        where = fields[0].split()
        if len(fields) != 4 or len(where) != 2 or not all(fields):
            raise ValueError(f"{path}:{n}: want 'EMULATOR RANGE | TEST | MATCH | REASON'")
        in_range((0,), where[1])
        entries.append(dict(where=" ".join(where), emulator=where[0], range=where[1],
                            test=fields[1], match=fields[2], reason=fields[3]))
    return entries


def applies(entry, emulator):
    """Whether ENTRY covers EMULATOR ("qemu-tcg 7.2.22"; "" for unknown)."""
    name, _, ver = emulator.partition(" ")
    ver = version(ver.strip())
    return bool(name) and name == entry["emulator"] and ver is not None \
        and in_range(ver, entry["range"])


def expect(entries, emulator, test, status, text, detail):
    """(status, detail, expected) of a result of TEST whose text is TEXT, once
    the expected failures are applied: a failure they name is a skip, a
    pass they name a failure (the entry is stale)."""
    for e in entries:
        if e["test"] != test or e["match"] not in text or not applies(e, emulator):
            continue
        if status == "fail":
            return "skip", f"expected failure on {e['where']}: {e['reason']}", True
        if status == "pass":
            return ("fail", f"expected to fail on {emulator}: {e['reason']}; "
                    "the entry is stale", False)
    return status, detail, False


def read(rundir, name):
    try:
        with open(f"{rundir}/{name}", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def result_lines(label, name, status, detail, output, entries, emulator):
    """The result line of test NAME, then those of its skipped and failed
    sub-tests (a skipped test's sub-test skips go without saying)."""
    runner_detail = detail
    msg = last_message(output, status)
    if status != "pass" and msg:
        detail = f"{detail}: {msg}" if status == "fail" else msg
    subs, plan, ran, explained, unexplained = [], None, 0, 0, 0
    said = []       # what the test printed since the last sub-test result
    for l in output:
        m = re.fullmatch(r"1\.\.(\d+)", l.strip())
        if m:
            plan = int(m.group(1))
        sub = parse_subtest(l)
        if not sub:
            said.append(l)
            continue
        _, s, desc, d = sub
        ran += 1
        text = f"{desc} {d}"
        if s == "fail":
            # A kselftest_harness case prints its failure before a bare
            # "not ok N suite.case": that is its message.
            if not d:
                d = last_message(said, "fail")
            text = " ".join([desc, d] + said)
        said = []
        new, d, known = expect(entries, emulator, name, s, text, d)
        explained += known
        unexplained += s == "fail" and not known
        if new == "fail" or known or (new == "skip" and status != "skip"):
            subs.append(line(new, f"{label}: {name}: {desc}", d))
    if status == "fail" and not msg and unexplained + explained:
        n = unexplained + explained
        detail = f"{detail}: {n} sub-test{'s' if n > 1 else ''} failed"
    status, detail, _ = expect(entries, emulator, name, status, detail, detail)
    # It ran all it planned and failed only where expected: ksft_finished()'s exit 1.
    if status == "fail" and runner_detail == "exit=1" and plan == ran \
            and explained and not unexplained:
        return [f"ok - {label}: {name} # exit=1, only from the expected failures below"] + subs
    return [line(status, f"{label}: {name}", detail)] + subs


def emulator_of(conf):
    """The emulator a run.conf names ("qemu-tcg 7.2.22"), or ""."""
    m = re.search(r'^EMULATOR="(.*)"$', conf, re.M)
    return m.group(1).strip() if m else ""


def no_result(console, test):
    """The detail of TEST when the runner's TAP has no result for it: the VM
    ended first.  A test that may leave the VM unable to finish says why it
    failed on the console as well, as "TEST: not ok: MESSAGE" (the runner
    passes a test's output on only when the test exits)."""
    said = [l.split(f"{test}: not ok: ", 1)[1].strip()
            for l in console.splitlines() if f"{test}: not ok: " in l]
    if said:
        return f"no result (VM ended early); on the console: {'; '.join(said)}"
    return "no result (VM ended early)"


def run_results(rundir, label, expected=EXPECTED_FAILURES):
    tap, console, conf = read(rundir, "tests.tap"), read(rundir, "console.log"), \
        read(rundir, "run.conf")
    wanted = []
    m = re.search(r'^TESTS="(.*)"$', conf, re.M)
    if m:
        wanted = m.group(1).split()
    emulator = emulator_of(conf)
    entries = read_expected(expected)
    results = parse_runner_tap(tap)
    outputs = outputs_by_test(tap)
    lines = []
    for name in wanted + [t for t in results if t not in wanted]:
        status, detail = results.get(name, ("fail", no_result(console, name)))
        lines += result_lines(label, name, status, detail, outputs.get(name, []),
                            entries, emulator)
    done = "# harness: done" in tap
    why = "" if done else (console.strip().splitlines() or ["no console output"])[-1]
    lines.append(line("pass" if done else "fail", f"{label}: VM ran to the end", why))
    splats = [l.strip() for l in console.splitlines() if SPLATS.search(l)]
    lines.append(line("fail" if splats else "pass", f"{label}: kernel log clean",
                      splats[0] if splats else ""))
    return lines, results


def subtest_outputs(output):
    """(description, lines, detail) of each sub-test that failed: what the
    test printed between the previous result line and this sub-test's own,
    and that line's detail."""
    failed, said = [], []
    for l in output:
        sub = parse_subtest(l)
        if not sub:
            said.append(l)
            continue
        _, s, desc, d = sub
        if s == "fail":
            failed.append((desc, said, d))
        said = []
    return failed


def failed_messages(output):
    """"case: message" for each sub-test that failed, its message being the
    last telling line it printed before its result."""
    return [f"{desc}: " + (d or re.sub(r"^#\s*", "", last_message(said, "fail")) or "no message")
            for desc, said, d in subtest_outputs(output)]


# An EXPECTED text "[SUB-TEST] text" must be printed by that sub-test,
# which must fail.
SCOPED = re.compile(r"^\[([^\]]+)\] (.*)$")


def mutant(rundir, name, test, *expected):
    """The verdict on mutant NAME: caught only if TEST failed and its output
    (less its passing sub-tests) holds each text of EXPECTED, one per
    sub-test that the mutant's bug must fail.  A text "[SUB-TEST] text"
    must be in what that sub-test printed before its own failing line."""
    tap = read(rundir, "tests.tap")
    status, detail = parse_runner_tap(tap).get(
        test, ("fail", no_result(read(rundir, "console.log"), test)))
    output = outputs_by_test(tap).get(test, [])
    msg = last_message(output, status)
    if status == "pass":
        return f"not ok - {name} not caught: {test} passed"
    if status == "skip":
        return f"not ok - {name} not caught: {test} skipped: {msg or detail}"
    said = [l for l in output if (parse_subtest(l) or (0, "fail"))[1] != "pass"]
    said.append(detail)
    failed = subtest_outputs(output)

    def printed(e):
        m = SCOPED.match(e)
        if m:
            return any(m.group(2) in l for desc, lines, d in failed
                       if desc == m.group(1) for l in lines + [d])
        return any(e in l for l in said)
    found = [e for e in expected if printed(e)]
    if len(found) == len(expected):
        return f"ok - {name} caught by {test} ({'; '.join(expected)})"
    why = ": ".join(x for x in (detail, msg) if x) or "no message"
    if found:
        missing = [e for e in expected if e not in found]
        return f"not ok - {name} caught by {test} for {len(found)} of " \
            f"{len(expected)} messages, not for: {'; '.join(missing)}"
    subs = failed_messages(output)
    if subs:
        why += f" (failed: {'; '.join(subs)})"
    # The run ended on a failure that expected-failures puts on the emulator:
    # it never got to the mutant, which says nothing either way.
    _, _, known = expect(read_expected(EXPECTED_FAILURES),
                         emulator_of(read(rundir, "run.conf")), test, "fail", why, why)
    if known:
        return f"ok - {name} # SKIP inconclusive: {test} ended on an expected emulator failure: {why}"
    return f"not ok - {name} not caught: {test} failed with another message: {why}"


# A results.tap line of a test ("ok - LABEL: TEST # detail") or of one of
# its sub-tests ("not ok - LABEL: TEST: what # message").
RESULTS_LINE = re.compile(r"^(not ok|ok) - [^:]+: ([^\s:]+)(?::\s*(.*)| # (.*)|)$")


def read_results(path):
    """({test: status}, {test: why}) from a results.tap written by
    run_results().  A test's status comes from its own line only, never from
    a sub-test's; why, for a failed test, is the detail of its own line, then
    each failed sub-test with its message."""
    status, why = {}, {}
    with open(path) as f:
        for l in f:
            m = RESULTS_LINE.match(l.rstrip("\n"))
            if not m:
                continue
            ok, name, sub, detail = m.groups()
            if sub is None:
                status[name] = ("skip" if (detail or "").startswith("SKIP") else
                                "pass" if ok == "ok" else "fail")
            if ok == "not ok":
                why.setdefault(name, []).append(
                    (sub if sub is not None else detail or "").strip() or "no message")
    return status, {name: "; ".join(w) for name, w in why.items()}


def read_known(path, platform):
    """{test: why} of a known-failures file, for PLATFORM: lines
    "PLATFORM TEST why", where PLATFORM is a name or * for every one."""
    known = {}
    with open(path) as f:
        for n, l in enumerate(f, 1):
            if not l.strip() or l.startswith("#"):
                continue
            fields = l.split(None, 2)
            if len(fields) != 3:
                raise ValueError(f"{path}:{n}: want 'PLATFORM TEST why'")
            if fields[0] in ("*", platform):
                known[fields[1]] = fields[2].strip()
    return known


def read_list(path):
    """The tests of a gate list: each line's first word, less comments."""
    with open(path) as f:
        return [l.split()[0] for l in f if l.strip() and not l.startswith("#")]


def merged(paths):
    """read_results() of several results.tap, the later ones retries: a
    test's status is "pass" if it passed in any."""
    status, why = {}, {}
    for path in paths:
        st, failed = read_results(path)
        for name, s in st.items():
            if status.get(name) != "pass":
                status[name] = s
                if s == "fail":
                    why[name] = failed.get(name, "")
    return status, why


def gate(platform, label, tests, base, known_file, *series_files):
    """A line per test of the list TESTS.  A test that passed on the patched
    kernel passes whatever the base did; only the others need the base's
    result (BASE, which may not exist when none did)."""
    known = read_known(known_file, platform)
    series, why = merged(series_files)
    base = read_results(base)[0] if os.path.exists(base) else {}
    lines = []
    for name in sorted(read_list(tests)):
        s = series.get(name, "fail")
        b = base.get(name)
        if s == "pass":
            lines.append(line("pass", f"{label} gate: {name} (series pass)"))
            continue
        title = f"{label} gate: {name} (base {b or 'not run'}, series {s})"
        if b is None:
            lines.append(line("fail", title, "no result on the base kernel"))
        elif b == "pass":
            lines.append(line("fail", title, "passes on the base only" +
                              (f": {why[name]}" if why.get(name) else "")))
        elif b == "skip":
            lines.append(line("skip", title, "skipped on the base too"))
        else:
            lines.append(line("skip", title, known.get(name, "fails on the base (unexplained)")))
    return lines


# A sub-test's line: "ok - LABEL: TEST: what ...".
SUBTEST_LINE = re.compile(r"^(?:not )?ok - [^:#]+: \S+: ")


def total(paths):
    """(passed, failed, skipped), and the skipped split into whole tests,
    sub-tests and expected failures."""
    passed = failed = 0
    kinds = {"test": 0, "sub-test": 0, "expected failure": 0}
    for p in paths:
        with open(p) as f:
            for l in f:
                if l.startswith("not ok"):
                    failed += 1
                elif l.startswith("ok"):
                    if "# SKIP expected failure" in l:
                        kinds["expected failure"] += 1
                    elif "# SKIP" in l:
                        kinds["sub-test" if SUBTEST_LINE.match(l) else "test"] += 1
                    else:
                        passed += 1
    return passed, failed, sum(kinds.values()), kinds


def main(argv):
    if len(argv) == 4 and argv[1] == "run":
        lines, _ = run_results(argv[2], argv[3])
        with open(f"{argv[2]}/results.tap", "w") as f:
            f.write("".join(l + "\n" for l in lines))
        print("\n".join(lines))
        return 0
    if len(argv) >= 3 and argv[1] == "failed":
        status, _ = read_results(argv[2])
        print("\n".join(t for t in argv[3:] if status.get(t) == "fail"))
        return 0
    if len(argv) >= 2 and argv[1] == "status":
        status, _ = merged(argv[2:])
        print("\n".join(f"{name} {st}" for name, st in sorted(status.items())))
        return 0
    if len(argv) >= 8 and argv[1] == "gate":
        print("\n".join(gate(*argv[2:])))
        return 0
    if len(argv) >= 6 and argv[1] == "mutant":
        print(mutant(*argv[2:]))
        return 0
    if len(argv) >= 2 and argv[1] == "total":
        p, f, s, kinds = total(argv[2:])
        print("# skipped: " + ", ".join(
            f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in kinds.items()))
        print(f"{p} passed, {f} failed, {s} skipped")
        return 1 if f or not p else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

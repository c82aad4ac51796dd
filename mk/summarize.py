#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sum the kselftest "Totals" lines of test logs into one result line.

usage: summarize.py [--quiet] LOG...

Every test program (host unit tests, in-guest kselftest binaries) prints
KTAP at the top level of its output -- "TAP version 13" first, then
"# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N" last (what
kselftest_harness.h and ksft_print_cnts() print). A log may hold many
suites one after another, with other text (kernel messages, runner notes)
in between.

Counted as failures: fail + error + xpass, plus one error for
  - every suite that starts ("TAP version") but has no Totals line before
    the next suite or the end of the log (it crashed or hung), and
  - every log that holds no Totals line at all (nothing ran).
Passed is pass + xfail; skipped is skip.

Prints one line per log, then ONE final line
    N passed, N failed[, N skipped]
and exits 1 if anything failed, else 0 (2 on usage errors).
"""
import re
import sys

TOTALS = re.compile(
    r"^(?:#\s*)+Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) "
    r"skip:(\d+) error:(\d+)")
HEADER = re.compile(r"^TAP version \d+")
KEYS = ("pass", "fail", "xfail", "xpass", "skip", "error")


def scan(path):
    counts = dict.fromkeys(KEYS, 0)
    notes = []
    suites = totals = 0
    open_suite = False
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        counts["error"] += 1
        notes.append(f"cannot read: {e.strerror}")
        return counts, notes
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if HEADER.match(line):
            if open_suite:
                counts["error"] += 1
                notes.append(f"suite starting before line {lineno} has no "
                             "Totals line (crashed?)")
            open_suite = True
            suites += 1
            continue
        m = TOTALS.match(line)
        if m:
            for k, v in zip(KEYS, m.groups()):
                counts[k] += int(v)
            totals += 1
            open_suite = False
    if open_suite:
        counts["error"] += 1
        notes.append("the last suite has no Totals line (crashed or cut off?)")
    if totals == 0 and not notes:
        counts["error"] += 1
        notes.append("no test results (no Totals line) in this log")
    return counts, notes


def main(argv):
    quiet = "--quiet" in argv
    logs = [a for a in argv if not a.startswith("--")]
    if not logs or any(a not in ("--quiet",) for a in argv if a.startswith("--")):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    total = dict.fromkeys(KEYS, 0)
    for path in logs:
        c, notes = scan(path)
        for k in KEYS:
            total[k] += c[k]
        if not quiet:
            print(f"  {path}: pass {c['pass'] + c['xfail']}, "
                  f"fail {c['fail'] + c['xpass']}, skip {c['skip']}, "
                  f"error {c['error']}")
            for n in notes:
                print(f"    {n}")
    passed = total["pass"] + total["xfail"]
    failed = total["fail"] + total["error"] + total["xpass"]
    line = f"{passed} passed, {failed} failed"
    if total["skip"]:
        line += f", {total['skip']} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

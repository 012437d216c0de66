#!/usr/bin/env python3
"""The oracle of tests/protocols/task_differential_test.ts: the reference task server's answers.

Reads one JSON string per line on standard input (a whole request such as "2|1+2"), answers it
with the reference's process_request (from the 004 server as the lab text prints it, in
tests/conformance/reference/task_server_004.py) and prints the reply as one JSON string per line. The first line printed describes this Python: its version,
its Unicode version and the code point ranges its Unicode database leaves unassigned, so the test
can tell a Unicode version difference from a bug. The test only sends expressions it has checked
against socklab's bounds, but a guard stops any evaluation after two seconds all the same.
"""

import json
import signal
import sys
import unicodedata
import warnings
from pathlib import Path

# The reference server is imported, not run: no bytecode cache is left beside it.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "conformance" / "reference"))
from task_server_004 import process_request  # noqa: E402  (the path above finds it)


class Timeout(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Timeout()


def unassigned_ranges():
    ranges = []
    start = None
    for c in range(0x110000):
        if unicodedata.category(chr(c)) == "Cn":
            if start is None:
                start = c
        elif start is not None:
            ranges.append([start, c - 1])
            start = None
    if start is not None:
        ranges.append([start, 0x10FFFF])
    return ranges


def main():
    # `9 (1)` warns "'int' object is not callable; perhaps you missed a comma?" on stderr.
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, on_alarm)
    out = sys.stdout
    out.write(json.dumps({
        "python": sys.version.split()[0],
        "unicode": unicodedata.unidata_version,
        "unassigned": unassigned_ranges(),
    }) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        signal.setitimer(signal.ITIMER_REAL, 2)
        try:
            reply = process_request(request)
        except Timeout:
            reply = "TIMEOUT"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        out.write(json.dumps(reply) + "\n")
    out.flush()


main()

"""The ``filmstyle`` command (entry point); the commands live in the private package ``filmstyle._cli``.

Before numpy is first imported, the command turns off numpy's ``madvise(MADV_HUGEPAGE)`` on large
arrays (``NUMPY_MADVISE_HUGEPAGE=0``; a value the user set is kept). On Linux with transparent huge
pages in ``madvise`` mode, the kernel's default on most distributions, a fault in such an array
stalls on synchronous memory compaction whenever memory is fragmented, as it is on a machine that
has been in use (numpy/numpy#31590). ``filmstyle grade`` builds ~110 MB of lookup tables at
start-up: on this project's 2-core machine, a 1080p grade of 132 frames took 6.0-6.4 s with the
advice and 4.9-5.6 s without it, first run after other work, and the lookups were no slower
(docs/results/grading.md). The library leaves the process's setting alone.
"""
import os
import sys

if "numpy" not in sys.modules:
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

try:
    from filmstyle._cli import main
except KeyboardInterrupt:  # Ctrl-C in the few milliseconds before main() takes over the signals
    print("filmstyle: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["main"]

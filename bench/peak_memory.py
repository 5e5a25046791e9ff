"""Peak resident memory of the running program, for the benchmarks."""
from __future__ import annotations

import resource
from pathlib import Path


def own_peak_rss_mb() -> float:
    """This process's highest resident memory since it started its program, in MB.

    Not ``ru_maxrss``: on Linux that survives ``exec`` and so starts at the RSS of the
    parent that forked this process (bench_scaling's measuring processes, started by
    the bench's own process, which holds the prefill's caches, read 419 / 515 / 532 MB
    at 1k / 8k / 98k stored while they themselves peaked at about 300 MB). ``VmHWM``
    belongs to the program's own address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is

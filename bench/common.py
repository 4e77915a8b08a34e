"""What the benchmarks share: where things are, the cached corpus, timing one command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = ROOT / "bench" / "results"


# Commands run as installed: pip compiles a package's bytecode when it installs it, so a run
# does not compile convert's source again. A sandbox that forbids writing bytecode
# (PYTHONDONTWRITEBYTECODE) would charge every run of the checkout for that, and no baseline
# pays it: the first run writes it, best-of-N times the others.
RUN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def corpus(posts: int) -> Path:
    """A corpus of ``posts`` real-corpus posts, built once by shared/tools/make_corpus.py and kept."""
    target = RESULTS / f"corpus-{posts}"
    if not (target / ".done").exists():
        subprocess.run([sys.executable, str(SHARED / "tools" / "make_corpus.py"), str(posts), str(target)], check=True)
        (target / ".done").write_text("")
    return target


def best(fn, repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by whatever else the machine does."""
    return min(fn() for _ in range(repeat))


def timed(args: list[str], **kwargs) -> float:
    """Wall seconds of one command (its output discarded; a failure raises)."""
    kwargs.setdefault("env", RUN_ENV)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    return time.perf_counter() - start

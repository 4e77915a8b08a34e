"""Drive real Jekyll/kramdown (tests/support/kramdown_render.rb) as the Markdown oracle.

One ruby process renders a whole batch: starting Jekyll costs ~0.5 s, a body ~1 ms.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("kramdown_render.rb")


@functools.cache
def unavailable_reason() -> str | None:
    """None if ruby with the jekyll gem is usable, else why not."""
    ruby = shutil.which("ruby")
    if ruby is None:
        return "ruby is not installed (CI installs ruby + jekyll for the kramdown oracle)"
    probe = subprocess.run(
        [ruby, "-rjekyll", "-e", "exit 0"], capture_output=True, text=True, timeout=60
    )
    if probe.returncode != 0:
        return f"the jekyll gem is not loadable: {probe.stderr.strip()[:200]}"
    return None


def render(bodies: list[str]) -> list[str]:
    """Render Markdown bodies with Jekyll's own Markdown converter (kramdown, GFM input)."""
    done = subprocess.run(
        ["ruby", str(SCRIPT)],
        input=json.dumps(bodies),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    out = json.loads(done.stdout)
    if len(out) != len(bodies):
        raise RuntimeError(f"kramdown returned {len(out)} outputs for {len(bodies)} bodies")
    return out

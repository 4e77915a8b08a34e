"""Test-wide settings.

On CI (``CI`` set, as ``.ci/run`` is run), Hypothesis draws the same examples on every run
(``derandomize``): a landing must not depend on the luck of the draw. Locally it explores
anew each run and keeps what failed in ``.hypothesis/``, which is where new cases come from.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

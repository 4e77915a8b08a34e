"""Read -> write Markdown (--each) -> read gives the same model; writing again gives the same bytes."""

from __future__ import annotations

import pytest

from .support import FINEWS, FINEWS_CONFIG, ROOT, round_trip

SAMPLES = ROOT / "samples"


@pytest.mark.skipif(not FINEWS.is_dir(), reason="shared finews corpus not present")
def test_finews_round_trip(tmp_path):
    round_trip(FINEWS, FINEWS_CONFIG, tmp_path)


def test_samples_round_trip(tmp_path):
    round_trip(SAMPLES, SAMPLES / "_config.yml", tmp_path)

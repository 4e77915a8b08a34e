"""The JSON writer: golden output for samples/, and reading it back gives the same model."""

import json
import os
from pathlib import Path

from convert.model import collection_from_json
from convert.reader.collection import read
from convert.writers.json import JsonWriter

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "samples.json"


def test_samples_golden_and_round_trip(monkeypatch):
    monkeypatch.chdir(ROOT)  # sources are recorded as given: relative here
    collection = read(["samples"]).collection
    text = JsonWriter().render(collection)
    if os.environ.get("CONVERT_REGENERATE"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert collection_from_json(json.loads(text)) == collection


def test_one_article_per_line():
    collection = read([ROOT / "samples"]).collection
    lines = JsonWriter().render(collection).splitlines()
    article_lines = [line for line in lines if line.startswith('    {"id": ')]
    assert len(article_lines) == len(collection.articles) == 4

"""Volumes: --split-by month|year|category and --split-every N, and the writer warning channel."""

import json
from pathlib import Path

import pytest

from convert.cli import main
from convert.errors import UsageError
from convert.pipeline import Job, run, split_volumes
from convert.reader.collection import read

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def collection():
    return read([SAMPLES]).collection


def test_split_by_month_puts_every_article_in_its_month(collection):
    volumes = split_volumes(collection, "month", None)
    assert [stem for stem, _ in volumes] == sorted({a.date.strftime("%Y-%m") for a in collection.articles})
    for stem, volume in volumes:
        assert volume.articles and all(a.date.strftime("%Y-%m") == stem for a in volume.articles)
    assert sum(len(v.articles) for _, v in volumes) == len(collection.articles)


def test_split_by_category_repeats_articles_in_several_categories(collection):
    volumes = dict(split_volumes(collection, "category", None))
    for article in collection.articles:
        for name in article.categories:
            assert article in volumes[name].articles


def test_split_every_cuts_numbered_volumes_in_date_order(collection):
    volumes = split_volumes(collection, None, 2)
    assert [stem for stem, _ in volumes] == [f"vol-{n:03d}" for n in range(1, len(volumes) + 1)]
    dates = [a.date for _, v in volumes for a in v.articles]
    assert dates == sorted(dates) and all(len(v.articles) <= 2 for _, v in volumes)


def test_split_by_month_on_the_command_line_writes_one_file_per_month(tmp_path, collection):
    assert main(["--to", "json", "--split-by", "month", "-q", "-o", str(tmp_path), str(SAMPLES)]) == 0
    months = sorted({a.date.strftime("%Y-%m") for a in collection.articles})
    assert sorted(p.stem for p in tmp_path.iterdir()) == months
    for path in tmp_path.iterdir():
        dates = [a["date"][:7] for a in json.loads(path.read_text(encoding="utf-8"))["articles"]]
        assert dates and set(dates) == {path.stem}


def test_split_needs_an_output_folder():
    with pytest.raises(UsageError):
        run(Job(sources=[SAMPLES], formats=["json"], split_by="month"))


def test_writer_warnings_reach_the_report(monkeypatch):
    from convert.writers.json import JsonWriter

    original = JsonWriter.render

    def render(self, collection):
        self.warn("something the user should know", "x.md")
        return original(self, collection)

    monkeypatch.setattr(JsonWriter, "render", render)
    report = run(Job(sources=[SAMPLES], formats=["json"]))
    assert any(d.message == "something the user should know" and d.path == "x.md" for d in report.diagnostics)
